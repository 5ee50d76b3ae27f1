package registry

import (
	"errors"
	"strings"
	"testing"

	"ansatz/spec"
)

type mlpOptions struct {
	Hidden     []int   `yaml:"hidden" spec:">0" doc:"hidden widths"`
	Activation string  `yaml:"activation" spec:"oneof=tanh|relu" doc:"activation"`
	Dropout    float64 `yaml:"dropout" spec:"[0,1]" doc:"dropout rate"`
}

func (o *mlpOptions) Validate() error {
	if len(o.Hidden) > 4 {
		return spec.FieldErrorf("hidden", "at most 4 layers, got %d", len(o.Hidden))
	}
	return nil
}

func newMLP() any { return &mlpOptions{Hidden: []int{64, 64}, Activation: "tanh"} }

func init() {
	Register(Module{Kind: Model, Name: "mlp", Doc: "test MLP", New: newMLP})
	Register(Module{Kind: Model, Name: "hnn", Doc: "test HNN", New: newMLP})
	Register(Module{Kind: System, Name: "hamiltonian", Doc: "test system", New: func() any { return &struct{}{} }})
	Register(Module{Kind: System, Name: "ode", Doc: "test system", New: func() any { return &struct{}{} }})
}

func TestRegisterLookup(t *testing.T) {
	tb := newTable()
	tb.register(Module{Kind: Loss, Name: "mse", Doc: "b", New: newMLP})
	tb.register(Module{Kind: Loss, Name: "hnn", Doc: "a", New: newMLP})
	tb.register(Module{Kind: Model, Name: "mse", Doc: "same name, other kind", New: newMLP})
	m, err := tb.lookup(Loss, "mse")
	if err != nil || m.Doc != "b" {
		t.Errorf("lookup(loss, mse) = %+v, %v", m, err)
	}
	var names []string
	for _, m := range tb.list(Loss) {
		names = append(names, m.Name)
	}
	if strings.Join(names, ",") != "hnn,mse" {
		t.Errorf("list(loss) = %v, want sorted hnn,mse", names)
	}
	if len(tb.list(Analysis)) != 0 {
		t.Errorf("an empty kind must list nothing")
	}
	if got := Kinds(); len(got) != 9 || got[0] != System || got[8] != Analysis {
		t.Errorf("Kinds() = %v", got)
	}
}

func TestRegisterPanics(t *testing.T) {
	good := Module{Kind: Loss, Name: "x", Doc: "d", New: newMLP}
	type badTags struct {
		X int `yaml:"x" spec:"=>0"`
	}
	cases := map[string]Module{
		"duplicate":     good,
		"empty name":    {Kind: Loss, Name: "", New: newMLP},
		"upper case":    {Kind: Loss, Name: "MSE", New: newMLP},
		"nil New":       {Kind: Loss, Name: "y"},
		"unknown kind":  {Kind: "widget", Name: "y", New: newMLP},
		"not a pointer": {Kind: Loss, Name: "y", New: func() any { return mlpOptions{} }},
		"bad tags":      {Kind: Loss, Name: "y", New: func() any { return &badTags{} }},
		"two-line doc":  {Kind: Loss, Name: "y", Doc: "a\nb", New: newMLP},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			tb := newTable()
			tb.register(good)
			defer func() {
				if recover() == nil {
					t.Errorf("Register did not panic")
				}
			}()
			tb.register(m)
		})
	}
}

func TestLookupSuggestion(t *testing.T) {
	_, err := Lookup(System, "hamiltonain")
	var u *UnknownError
	if !errors.As(err, &u) || u.Hint != "hamiltonian" {
		t.Fatalf("Lookup error = %v", err)
	}
	if want := `unknown system "hamiltonain" (did you mean "hamiltonian"?); known: hamiltonian, ode`; err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	_, err = Lookup(System, "lagrangian")
	if want := `unknown system "lagrangian"; known: hamiltonian, ode`; err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	_, err = Lookup(Sampler, "radius")
	if want := `unknown sampler "radius"; no sampler is registered`; err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

// parse returns the spec of a minimal file with the given model section.
func parse(t *testing.T, model string) *spec.Spec {
	t.Helper()
	src := "name: t\nsystem: {kind: ode}\ndata: {kind: d}\nmodel: " + model + "\nlosses: [mse]\ntrain: {steps: 1}\n"
	s, err := spec.Parse("r.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDecode(t *testing.T) {
	s := parse(t, "{kind: mlp, dropout: 0.1}")
	v, errs := Decode(Model, &s.Model)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	o := v.(*mlpOptions)
	if len(o.Hidden) != 2 || o.Hidden[0] != 64 || o.Activation != "tanh" || o.Dropout != 0.1 {
		t.Errorf("decoded %+v; want defaults hidden [64 64], tanh and dropout 0.1", o)
	}
	// A bare name: all defaults, Validate still runs.
	v, errs = Decode(Model, &parse(t, "hnn").Model)
	if len(errs) > 0 || len(v.(*mlpOptions).Hidden) != 2 {
		t.Errorf("bare name: %v %v", v, errs)
	}
	// Decoding twice gives independent values.
	a, _ := Decode(Model, &s.Model)
	b, _ := Decode(Model, &s.Model)
	if a.(*mlpOptions) == b.(*mlpOptions) {
		t.Errorf("Decode must call New for each component")
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		model string
		want  []string
	}{
		{"{kind: mlp, hiden: [3]}", []string{`r.yaml:4:20: model: unknown key "hiden" (did you mean "hidden"?)`}},
		{"{kind: mlp, activation: relux}", []string{`r.yaml:4:32: model.activation: must be one of tanh, relu; got "relux" (did you mean "relu"?)`}},
		{"{kind: mlp, hidden: [1, 2, 3, 4, 5]}", []string{`r.yaml:4:28: model.hidden: at most 4 layers, got 5`}},
		{"{kind: mlp, hidden: [0], dropout: 2}", []string{
			`r.yaml:4:29: model.hidden[0]: must be > 0, got 0`,
			`r.yaml:4:42: model.dropout: must be in [0, 1], got 2`,
		}},
		{"{kind: mpl}", []string{`r.yaml:4:15: model.kind: unknown model "mpl" (did you mean "mlp"?)`}},
		{"{kind: transformer}", []string{`r.yaml:4:15: model.kind: unknown model "transformer"; known: hnn, mlp`}},
	}
	for _, c := range cases {
		t.Run(c.model, func(t *testing.T) {
			s := parse(t, c.model)
			v, errs := Decode(Model, &s.Model)
			if v != nil {
				t.Errorf("options returned despite errors")
			}
			got := s.Annotate(errs).Sorted().Error()
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			if len(errs) != len(c.want) {
				t.Errorf("got %d errors, want %d:\n%s", len(errs), len(c.want), got)
			}
		})
	}
	// Errors inside an option set by --set name the override.
	s, err := spec.Parse("r.yaml", []byte("name: t\nsystem: ode\ndata: d\nmodel: {kind: mlp}\nlosses: [mse]\ntrain: {steps: 1}\n"), []string{"model.dropout=5"})
	if err != nil {
		t.Fatal(err)
	}
	_, errs := Decode(Model, &s.Model)
	if got := s.Annotate(errs).Error(); got != "--set model.dropout=5: model.dropout: must be in [0, 1], got 5" {
		t.Errorf("override error: %s", got)
	}
}
