package architectures_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/registry"
	"ansatz/spec"

	"gopkg.in/yaml.v3"
)

// decodeLax decodes lax_pair options from YAML through the registry.
func decodeLax(t *testing.T, options string) (*architectures.LaxPairConfig, spec.ErrorList) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(options), &doc); err != nil {
		t.Fatal(err)
	}
	c := &spec.Component{Kind: "lax_pair", Node: doc.Content[0], File: "m.yaml", Path: "model"}
	v, errs := registry.Decode(registry.Model, c)
	if len(errs) > 0 {
		return nil, errs
	}
	return v.(*architectures.LaxPairConfig), nil
}

func buildLax(t *testing.T, options string, vars []string, seed uint64) *architectures.LaxModel {
	t.Helper()
	cfg, errs := decodeLax(t, options)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	m, err := cfg.Build(architectures.State{Vars: vars}, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m.(*architectures.LaxModel)
}

func TestLaxPairDecode(t *testing.T) {
	tests := []struct {
		yaml    string
		wantErr string // "" for valid options
	}{
		{"size: 2", ""},
		{"size: 3\nL: {kind: mlp, hidden: [16], activation: softplus}\nM: {kind: polynomial, degree: 2}", ""},
		{"size: 1", "model.size"},
		{"L: {degree: 1}", `missing required key "size"`},
		{"size: 2\nL: {degree: -1}", "model.L.degree: must be ≥ 0, got -1"},
		{"size: 2\nM: {kind: polynomial, degree: -2}", "model.M.degree"},
		{"size: 2\nM: {kind: poly}", "model.M.kind"},
		{"size: 2\nL: {kind: mlp, hidden: [0]}", "hidden[0] must be ≥ 1"},
		{"size: 2\nL: {kind: mlp, degre: 2}", `unknown key "degre"`},
	}
	for _, tc := range tests {
		t.Run(tc.yaml, func(t *testing.T) {
			_, errs := decodeLax(t, tc.yaml)
			if tc.wantErr == "" {
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) == 0 || !strings.Contains(errs.Error(), tc.wantErr) {
				t.Fatalf("errors %v, want one containing %q", errs, tc.wantErr)
			}
		})
	}
	cfg, _ := decodeLax(t, "size: 2")
	if cfg.L.Kind != "polynomial" || cfg.L.Degree != 1 || cfg.M.Degree != 0 {
		t.Errorf("defaults L %+v M %+v, want polynomial degree 1 and 0", cfg.L, cfg.M)
	}
}

func TestLaxPairMonomials(t *testing.T) {
	m := buildLax(t, "size: 2\nL: {degree: 2}\nM: {degree: 0}", []string{"q", "p"}, 1)
	if got, want := m.L().Monomials(), []string{"1", "q", "p", "q^2", "q*p", "p^2"}; !slices.Equal(got, want) {
		t.Errorf("monomials %v, want %v", got, want)
	}
	if got := m.M().Monomials(); !slices.Equal(got, []string{"1"}) {
		t.Errorf("degree 0 monomials %v", got)
	}
	// All monomials of degree ≤ 3 in 4 variables: C(7, 3) = 35.
	m4 := buildLax(t, "size: 3\nL: {degree: 3}", []string{"a", "b", "c", "d"}, 1)
	if n := len(m4.L().Monomials()); n != 35 {
		t.Errorf("%d monomials of degree ≤ 3 in 4 variables, want 35", n)
	}
	if r := m4.L().Coefficients().Rows(); r != 35 || m4.L().Coefficients().Cols() != 9 {
		t.Errorf("coefficients %v, want [35 9]", m4.L().Coefficients().Shape())
	}
}

// TestLaxPairPolynomialValues checks L(x) = Σ_k C_k φ_k(x) entry by entry
// against the monomials evaluated directly, and its state Jacobian against
// the closed form through LaxFlow.
func TestLaxPairPolynomialValues(t *testing.T) {
	vars := []string{"x", "y", "z"}
	m := buildLax(t, "size: 2\nL: {degree: 3}\nM: {degree: 1}", vars, 2)
	exps := m.L().Exponents()
	coef := m.L().Coefficients().Data()
	rng := rand.New(rand.NewPCG(9, 9))
	const b = 5
	xs, vs := make([]float64, b*3), make([]float64, b*3)
	for i := range xs {
		xs[i], vs[i] = 2*rng.Float64()-1, 2*rng.Float64()-1
	}
	x, v := autodiff.New(xs, b, 3), autodiff.New(vs, b, 3)
	l, _, ldot, err := architectures.LaxFlow(m, x, v, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(l.Shape(), []int{b, 2, 2}) || !slices.Equal(ldot.Shape(), []int{b, 2, 2}) {
		t.Fatalf("shapes L %v L̇ %v", l.Shape(), ldot.Shape())
	}
	for r := range b {
		row := xs[r*3 : r*3+3]
		for e := range 4 {
			var want, wantDot float64
			for k, ex := range exps {
				mono := 1.0
				var dmono float64
				for i, p := range ex {
					mono *= math.Pow(row[i], float64(p))
					if p > 0 {
						d := float64(p) * math.Pow(row[i], float64(p-1)) * vs[r*3+i]
						for j, pj := range ex {
							if j != i {
								d *= math.Pow(row[j], float64(pj))
							}
						}
						dmono += d
					}
				}
				want += coef[k*4+e] * mono
				wantDot += coef[k*4+e] * dmono
			}
			if got := l.Data()[r*4+e]; math.Abs(got-want) > 1e-13 {
				t.Errorf("L[%d] entry %d = %.15g, want %.15g", r, e, got, want)
			}
			if got := ldot.Data()[r*4+e]; math.Abs(got-wantDot) > 1e-13 {
				t.Errorf("L̇[%d] entry %d = %.15g, want %.15g", r, e, got, wantDot)
			}
		}
	}
}

func TestLaxPairMLPAndDeterminism(t *testing.T) {
	const opts = "size: 3\nL: {kind: mlp, hidden: [8]}\nM: {kind: mlp, hidden: [4, 4]}"
	a := buildLax(t, opts, []string{"q", "p"}, 3)
	b := buildLax(t, opts, []string{"q", "p"}, 3)
	if a.Size() != 3 || a.L().Kind() != "mlp" || a.L().Monomials() != nil || a.L().Coefficients() != nil {
		t.Fatalf("mlp part: size %d kind %s", a.Size(), a.L().Kind())
	}
	// L: 2·8 + 8 + 8·9 + 9; M: 2·4 + 4 + 4·4 + 4 + 4·9 + 9.
	count := func(m *architectures.LaxModel) int {
		n := 0
		for _, p := range m.Params() {
			n += p.Len()
		}
		return n
	}
	if got, want := count(a), (16+8+72+9)+(8+4+16+4+36+9); got != want {
		t.Errorf("%d parameters, want %d", got, want)
	}
	for i, p := range a.Params() {
		if !slices.Equal(p.Data(), b.Params()[i].Data()) {
			t.Fatalf("parameter %d differs between two builds from the same seed", i)
		}
	}
	x := autodiff.New([]float64{0.1, 0.2, -0.3, 0.4}, 2, 2)
	l, m := a.LM(x)
	if !slices.Equal(l.Shape(), []int{2, 3, 3}) || !slices.Equal(m.Shape(), []int{2, 3, 3}) {
		t.Errorf("shapes L %v M %v", l.Shape(), m.Shape())
	}
	var model architectures.Model = a
	if _, ok := model.(architectures.VectorField); ok {
		t.Error("a Lax pair must not be a VectorField")
	}
	if _, ok := model.(architectures.LaxPair); !ok {
		t.Error("not a LaxPair")
	}
}
