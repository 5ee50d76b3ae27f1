package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"ansatz/autodiff"
	"ansatz/optim"
)

func TestMLPShapes(t *testing.T) {
	tests := []struct {
		name      string
		cfg       MLPConfig
		params    [][]int
		embedCols int
	}{
		{"reference", NewMLPConfig(2, 1), [][]int{{2, 200}, {1, 200}, {200, 200}, {1, 200}, {200, 1}}, 200},
		{"last bias", MLPConfig{In: 3, Hidden: []int{16, 8}, Out: 4, LastBias: true},
			[][]int{{3, 16}, {1, 16}, {16, 8}, {1, 8}, {8, 4}, {1, 4}}, 8},
		{"no hidden", MLPConfig{In: 3, Out: 2, Init: "glorot"}, [][]int{{3, 2}}, 3},
		{"zero biases", MLPConfig{In: 3, Hidden: []int{16}, Out: 4, LastBias: true, BiasInit: "zeros"},
			[][]int{{3, 16}, {1, 16}, {16, 4}, {1, 4}}, 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMLP(rand.New(rand.NewPCG(1, 2)), tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			ps := m.Params()
			if len(ps) != len(tc.params) {
				t.Fatalf("%d params, want %d", len(ps), len(tc.params))
			}
			for i, p := range ps {
				if !slices.Equal(p.Shape(), tc.params[i]) {
					t.Errorf("param %d shape %v, want %v", i, p.Shape(), tc.params[i])
				}
				if !p.RequiresGrad() {
					t.Errorf("param %d does not require grad", i)
				}
				if p.Rows() == 1 && i%2 == 1 {
					// Bias of the layer whose weights are ps[i-1]: U(±1/√fan_in), or zero.
					bound := 1 / math.Sqrt(float64(ps[i-1].Rows()))
					nonzero := slices.ContainsFunc(p.Data(), func(x float64) bool { return x != 0 })
					if tc.cfg.BiasInit == "zeros" && nonzero {
						t.Errorf("bias %d not zero", i)
					}
					if tc.cfg.BiasInit != "zeros" && (!nonzero || slices.ContainsFunc(p.Data(), func(x float64) bool { return math.Abs(x) > bound })) {
						t.Errorf("bias %d not drawn from U(±%g): %v", i, bound, p.Data()[:min(4, p.Len())])
					}
				}
			}
			x := autodiff.Full(0.3, 5, tc.cfg.In)
			if got, want := m.Forward(x).Shape(), []int{5, tc.cfg.Out}; !slices.Equal(got, want) {
				t.Errorf("output shape %v, want %v", got, want)
			}
			if got, want := m.Embedding(x).Shape(), []int{5, tc.embedCols}; !slices.Equal(got, want) {
				t.Errorf("embedding shape %v, want %v", got, want)
			}
		})
	}
}

// TestMLPForwardValue checks Forward against a hand-written evaluation of
// W2ᵀ·tanh(W1ᵀ·tanh(W0ᵀx + b0) + b1) for one input row.
func TestMLPForwardValue(t *testing.T) {
	m, err := NewMLP(rand.New(rand.NewPCG(9, 9)), MLPConfig{In: 2, Hidden: []int{3, 4}, Out: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Non-zero biases so that their use is checked too.
	for _, l := range m.Layers {
		if l.B != nil {
			for j := range l.B.Data() {
				l.B.Data()[j] = 0.1 * float64(j+1)
			}
		}
	}
	in := []float64{0.7, -1.2}
	h := in
	for k, l := range m.Layers {
		fanIn, fanOut := l.W.Rows(), l.W.Cols()
		next := make([]float64, fanOut)
		for j := range fanOut {
			s := 0.0
			if l.B != nil {
				s = l.B.Data()[j]
			}
			for i := range fanIn {
				s += h[i] * l.W.Data()[i*fanOut+j]
			}
			if k < len(m.Layers)-1 {
				s = math.Tanh(s)
			}
			next[j] = s
		}
		h = next
	}
	got := m.Forward(autodiff.New(in, 1, 2)).Item()
	if math.Abs(got-h[0]) > 1e-14 {
		t.Errorf("Forward = %.17g, hand evaluation %.17g", got, h[0])
	}
}

func TestMLPDeterminism(t *testing.T) {
	cfg := MLPConfig{In: 2, Hidden: []int{8, 8}, Out: 1}
	build := func(seed uint64) []float64 {
		m, err := NewMLP(rand.New(rand.NewPCG(seed, 1)), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var all []float64
		for _, p := range m.Params() {
			all = append(all, p.Data()...)
		}
		return all
	}
	if !slices.Equal(build(1), build(1)) {
		t.Error("same seed, different parameters")
	}
	if slices.Equal(build(1), build(2)) {
		t.Error("different seeds, same parameters")
	}
}

func TestMLPConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   MLPConfig
		field string
	}{
		{"defaults", NewMLPConfig(2, 1), ""},
		{"zero value names", MLPConfig{In: 1, Out: 1}, ""},
		{"no input", MLPConfig{Out: 1}, "in"},
		{"no output", MLPConfig{In: 1}, "out"},
		{"empty hidden layer", MLPConfig{In: 1, Out: 1, Hidden: []int{4, 0}}, "hidden[1]"},
		{"bad activation", MLPConfig{In: 1, Out: 1, Activation: "Tanh"}, "activation"},
		{"bad init", MLPConfig{In: 1, Out: 1, Init: "xavier"}, "init"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.field != "" && err == nil:
				t.Errorf("no error, want one naming %q", tc.field)
			case tc.field != "" && !strings.Contains(err.Error(), "mlp: "+tc.field+" "):
				t.Errorf("error %q does not name %q", err, tc.field)
			}
			if _, errNew := NewMLP(rand.New(rand.NewPCG(1, 1)), tc.cfg); (errNew == nil) != (err == nil) {
				t.Errorf("NewMLP error %v, Validate error %v", errNew, err)
			}
		})
	}
	if _, err := NewMLP(nil, NewMLPConfig(1, 1)); err == nil {
		t.Error("nil rng accepted")
	}
}

// TestMLPTrainsWithAdam fits y = sin(πx) on 64 points of [−1, 1] with a
// 1→32→32→1 tanh network and Adam (lr 1e-2, full batch): the mean squared
// error must fall below 1e-3 (from ≈ 0.7) within 600 steps.
func TestMLPTrainsWithAdam(t *testing.T) {
	const n = 64
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range n {
		xs[i] = -1 + 2*float64(i)/(n-1)
		ys[i] = math.Sin(math.Pi * xs[i])
	}
	x, y := autodiff.New(xs, n, 1), autodiff.New(ys, n, 1)
	m, err := NewMLP(rand.New(rand.NewPCG(11, 12)), MLPConfig{In: 1, Hidden: []int{32, 32}, Out: 1, LastBias: true})
	if err != nil {
		t.Fatal(err)
	}
	opt := optim.NewAdam()
	opt.SetLR(1e-2)
	params := m.Params()
	loss := func() *autodiff.Tensor { return autodiff.Mean(autodiff.Square(autodiff.Sub(m.Forward(x), y))) }
	first := loss().Item()
	var last float64
	for step := range 600 {
		l := loss()
		last = l.Item()
		if last < 1e-3 {
			t.Logf("MSE %.3g → %.3g after %d steps", first, last, step)
			return
		}
		grads, err := autodiff.Grad(l, params)
		if err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(params, grads); err != nil {
			t.Fatal(err)
		}
	}
	t.Errorf("MSE %.3g → %.3g after 600 steps, want < 1e-3", first, last)
}
