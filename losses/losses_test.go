package losses_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/losses"
	"ansatz/nn"
	"ansatz/registry"
	"ansatz/spec"

	"gopkg.in/yaml.v3"
)

// fixed is a model whose field is a given tensor whatever the state (or an
// error when err is set).
type fixed struct {
	f   *autodiff.Tensor
	err error
}

func (m fixed) Params() []*autodiff.Tensor { return nil }

func (m fixed) Field(*autodiff.Tensor, bool) (*autodiff.Tensor, error) { return m.f, m.err }

// fixedHamiltonian is fixed with a (constant zero) Hamiltonian.
type fixedHamiltonian struct{ fixed }

func (fixedHamiltonian) Hamiltonian(x *autodiff.Tensor) *autodiff.Tensor {
	return autodiff.Zeros(x.Rows(), 1)
}

// term decodes loss name from YAML options (empty for the defaults) through
// the registry.
func term(t *testing.T, name, options string) losses.Term {
	t.Helper()
	c := &spec.Component{Kind: name, File: "l.yaml", Path: "losses[0]"}
	if options != "" {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(options), &doc); err != nil {
			t.Fatal(err)
		}
		c.Node = doc.Content[0]
	}
	v, errs := registry.Decode(registry.Loss, c)
	if len(errs) > 0 {
		t.Fatalf("decode %s %q: %v", name, options, errs)
	}
	l, ok := v.(losses.Term)
	if !ok {
		t.Fatalf("loss %s: options %T are not a Term", name, v)
	}
	return l
}

// model builds a small registered model for a phase space of dim variables
// (nq = dim/2) from a fixed seed.
func model(t *testing.T, name string, dim int) architectures.VectorField {
	t.Helper()
	m, err := registry.Lookup(registry.Model, name)
	if err != nil {
		t.Fatal(err)
	}
	net := nn.MLPConfig{Hidden: []int{8, 8}, Activation: "tanh", Init: "glorot", LastBias: true}
	var b architectures.Builder
	switch o := m.New().(type) {
	case *architectures.MLP:
		o.Network = net
		b = o
	case *architectures.HNN:
		o.Network = net
		b = o
	default:
		t.Fatalf("model %s: options %T", name, o)
	}
	vars := make([]string, dim)
	for i := range vars {
		vars[i] = string(rune('a' + i))
	}
	built, err := b.Build(architectures.State{Vars: vars, NQ: dim / 2}, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	return built.(architectures.VectorField)
}

// batch returns B random states and derivatives of dimension d.
func batch(seed uint64, b, d int) losses.Batch {
	rng := rand.New(rand.NewPCG(seed, 1))
	x, dx := make([]float64, b*d), make([]float64, b*d)
	for i := range x {
		x[i], dx[i] = 2*rng.Float64()-1, 2*rng.Float64()-1
	}
	return losses.Batch{X: autodiff.New(x, b, d), DX: autodiff.New(dx, b, d)}
}

// TestHandComputed checks both terms and both norms against a batch whose
// residuals f − ẋ = (0.5, 0, 2, −1) are worked out by hand:
// squared (0.25 + 0 + 4 + 1)/4 = 1.3125, absolute (0.5 + 0 + 2 + 1)/4 = 0.875.
func TestHandComputed(t *testing.T) {
	m := fixedHamiltonian{fixed{f: autodiff.New([]float64{1, 2, 3, 4}, 2, 2)}}
	b := losses.Batch{
		X:  autodiff.Zeros(2, 2),
		DX: autodiff.New([]float64{0.5, 2, 1, 5}, 2, 2),
	}
	tests := []struct {
		loss, options string
		want          float64
	}{
		{"hnn", "", 1.3125},
		{"hnn", "norm: squared", 1.3125},
		{"hnn", "norm: absolute", 0.875},
		{"mse", "", 1.3125},
		{"mse", "norm: absolute", 0.875},
	}
	for _, tc := range tests {
		t.Run(tc.loss+"/"+tc.options, func(t *testing.T) {
			v, err := term(t, tc.loss, tc.options).Loss(m, b, false)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(v.Shape(), []int{1, 1}) {
				t.Fatalf("loss shape %v, want [1 1]", v.Shape())
			}
			if got := v.Item(); math.Abs(got-tc.want) > 1e-15 {
				t.Errorf("loss %.17g, want %g", got, tc.want)
			}
		})
	}
}

// TestModelLoss compares the terms on real models with mean((f − ẋ)²) and
// mean|f − ẋ| computed in plain loops from the model's field (to 1e-14
// relative).
func TestModelLoss(t *testing.T) {
	tests := []struct {
		loss, model string
		dim         int
	}{
		{"hnn", "hnn", 2},
		{"hnn", "hnn", 4},
		{"mse", "hnn", 4},
		{"mse", "mlp", 3},
		{"mse", "baseline", 2},
	}
	for _, tc := range tests {
		m := model(t, tc.model, tc.dim)
		b := batch(7, 9, tc.dim)
		f, err := m.Field(b.X, false)
		if err != nil {
			t.Fatal(err)
		}
		var sq, abs float64
		for i, v := range f.Data() {
			r := v - b.DX.Data()[i]
			sq += r * r
			abs += math.Abs(r)
		}
		n := float64(f.Len())
		for _, norm := range []struct {
			name string
			want float64
		}{{"squared", sq / n}, {"absolute", abs / n}} {
			v, err := term(t, tc.loss, "norm: "+norm.name).Loss(m, b, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Item(); math.Abs(got-norm.want) > 1e-14*norm.want {
				t.Errorf("%s loss on %s d=%d, %s: %.17g, hand %.17g", tc.loss, tc.model, tc.dim, norm.name, got, norm.want)
			}
		}
	}
}

// TestOwnFieldIsZeroLoss generates ẋ from the model's own field: the loss is
// 0 (to 1e-12); moving one ẋ entry by δ = 1e-3 gives δ²/(B·d) (squared) and
// δ/(B·d) (absolute), to 1e-9 relative.
func TestOwnFieldIsZeroLoss(t *testing.T) {
	const delta = 1e-3
	for _, tc := range []struct {
		loss, model string
		dim         int
	}{{"hnn", "hnn", 2}, {"hnn", "hnn", 4}, {"mse", "mlp", 3}} {
		m := model(t, tc.model, tc.dim)
		x := batch(8, 6, tc.dim).X
		f, err := m.Field(x, false)
		if err != nil {
			t.Fatal(err)
		}
		dx := slices.Clone(f.Data())
		n := float64(len(dx))
		for _, norm := range []struct {
			name    string
			shifted float64
		}{{"squared", delta * delta / n}, {"absolute", delta / n}} {
			l := term(t, tc.loss, "norm: "+norm.name)
			v, err := l.Loss(m, losses.Batch{X: x, DX: autodiff.New(dx, 6, tc.dim)}, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Item(); math.Abs(got) > 1e-12 {
				t.Errorf("%s on %s d=%d (%s): loss on own field %g, want 0", tc.loss, tc.model, tc.dim, norm.name, got)
			}
			moved := slices.Clone(dx)
			moved[len(moved)/2] += delta
			v, err = l.Loss(m, losses.Batch{X: x, DX: autodiff.New(moved, 6, tc.dim)}, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Item(); math.Abs(got-norm.shifted) > 1e-9*norm.shifted {
				t.Errorf("%s on %s d=%d (%s): loss with one entry moved %g, want %g", tc.loss, tc.model, tc.dim, norm.name, got, norm.shifted)
			}
		}
	}
}

// TestLossParameterGradient checks that the loss with createGraph is a graph
// node whose parameter gradient matches central finite differences (step
// 1e-6) to 1e-6 relative; for the HNN loss this is a gradient through ∂H/∂x.
func TestLossParameterGradient(t *testing.T) {
	const (
		h   = 1e-6
		tol = 1e-6
	)
	for _, tc := range []struct {
		loss, model string
		dim         int
	}{{"hnn", "hnn", 2}, {"hnn", "hnn", 4}, {"mse", "baseline", 2}} {
		m := model(t, tc.model, tc.dim)
		b := batch(9, 5, tc.dim)
		l := term(t, tc.loss, "")
		v, err := l.Loss(m, b, true)
		if err != nil {
			t.Fatal(err)
		}
		if !v.RequiresGrad() {
			t.Fatalf("%s: loss with createGraph does not require grad", tc.loss)
		}
		params := m.Params()
		grads, err := autodiff.Grad(v, params)
		if err != nil {
			t.Fatal(err)
		}
		value := func() float64 {
			v, err := l.Loss(m, b, false)
			if err != nil {
				t.Fatal(err)
			}
			return v.Item()
		}
		for p, param := range params[:len(params)-1] { // the output bias may not count
			data := param.Data()
			j := (5 * p) % len(data)
			old := data[j]
			data[j] = old + h
			up := value()
			data[j] = old - h
			down := value()
			data[j] = old
			want := (up - down) / (2 * h)
			got := grads[p].Data()[j]
			if math.Abs(want) < 1e-6 {
				t.Errorf("%s on %s d=%d: param %d entry %d: finite difference %g, the comparison is vacuous", tc.loss, tc.model, tc.dim, p, j, want)
			}
			if math.Abs(got-want) > tol*math.Abs(want) {
				t.Errorf("%s on %s d=%d: param %d entry %d: gradient %.10g, finite difference %.10g", tc.loss, tc.model, tc.dim, p, j, got, want)
			}
		}
	}
}

// paramsOnly is a model that predicts nothing the field losses can use.
type paramsOnly struct{}

func (paramsOnly) Params() []*autodiff.Tensor { return nil }

// TestAccepts checks which models each term takes.
func TestAccepts(t *testing.T) {
	plain := fixed{f: autodiff.Zeros(1, 2)}
	hamiltonian := fixedHamiltonian{plain}
	tests := []struct {
		loss   string
		model  architectures.Model
		name   string
		accept bool
	}{
		{"hnn", plain, "non-Hamiltonian stub", false},
		{"hnn", hamiltonian, "Hamiltonian stub", true},
		{"hnn", model(t, "hnn", 2), "hnn", true},
		{"hnn", model(t, "mlp", 2), "mlp", false},
		{"hnn", model(t, "baseline", 2), "baseline", false},
		{"mse", plain, "non-Hamiltonian stub", true},
		{"mse", hamiltonian, "Hamiltonian stub", true},
		{"mse", model(t, "hnn", 2), "hnn", true},
		{"mse", model(t, "mlp", 2), "mlp", true},
		{"mse", model(t, "baseline", 2), "baseline", true},
		{"mse", paramsOnly{}, "model without a vector field", false},
		{"hnn", paramsOnly{}, "model without a vector field", false},
	}
	for _, tc := range tests {
		err := term(t, tc.loss, "").Accepts(tc.model)
		if (err == nil) != tc.accept {
			t.Errorf("%s accepts %s: error %v, want accepted = %v", tc.loss, tc.name, err, tc.accept)
		}
		if want := "use loss mse"; tc.loss == "mse" {
			if err != nil && !strings.Contains(err.Error(), "predicts ẋ") {
				t.Errorf("%s rejects %s with %q: the message should say a model predicting ẋ is needed", tc.loss, tc.name, err)
			}
		} else if err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("%s rejects %s with %q: the message should suggest loss mse", tc.loss, tc.name, err)
		}
	}
}

// TestFieldError checks that a model's error reaches the caller.
func TestFieldError(t *testing.T) {
	boom := errors.New("boom")
	m := fixedHamiltonian{fixed{err: boom}}
	for _, name := range []string{"hnn", "mse"} {
		if _, err := term(t, name, "").Loss(m, batch(1, 2, 2), true); !errors.Is(err, boom) {
			t.Errorf("%s: error %v, want the model's", name, err)
		}
	}
}

// TestDecodeErrors checks that an unknown norm or key is rejected.
func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ loss, options, want string }{
		{"hnn", "norm: l1", "must be one of squared, absolute"},
		{"mse", "norm: Squared", "must be one of squared, absolute"},
		{"mse", "nrom: squared", `unknown key "nrom"`},
	} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(tc.options), &doc); err != nil {
			t.Fatal(err)
		}
		c := &spec.Component{Kind: tc.loss, Node: doc.Content[0], File: "l.yaml", Path: "losses[0]"}
		v, errs := registry.Decode(registry.Loss, c)
		if v != nil || len(errs) == 0 || !strings.Contains(errs.Error(), tc.want) {
			t.Errorf("%s %q: options %v, errors %v; want an error containing %q", tc.loss, tc.options, v, errs, tc.want)
		}
	}
}
