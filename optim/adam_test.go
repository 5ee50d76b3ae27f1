package optim

import (
	"math"
	"strings"
	"testing"

	"ansatz/autodiff"
)

// adamGrads is the fixed gradient sequence (independent of the parameters)
// used by TestAdamSteps for the two-element parameter p0 = (1, −0.5).
var adamGrads = [][]float64{{1, 0.25}, {-2, 0.25}, {0.5, -1}}

// TestAdamSteps compares three steps with lr 0.1, β1 0.9, β2 0.999, eps 1e-8
// against values worked out from torch.optim.Adam's formulas (see the Adam
// doc comment) in 50-digit decimal arithmetic. For example, without weight
// decay:
//
//	step 1, element 0: m = 0.1, v = 0.001, m̂ = 1, √v̂ = 1,
//	  p = 1 − 0.1·1/(1 + 1e-8) = 0.900000001
//	step 1, element 1: m̂ = 0.25, √v̂ = 0.25, p = −0.5 − 0.1·0.25/(0.25 + 1e-8) = −0.599999996
//	step 2, element 0: m = 0.09 − 0.2 = −0.11, v = 0.000999 + 0.004 = 0.004999,
//	  m̂ = −0.11/0.19, v̂ = 0.004999/0.001999,
//	  p = 0.900000001 + 0.1·(0.11/0.19)/(√(4999/1999) + 1e-8) = 0.936610353472075
//
// With coupled decay (Adam, weight_decay 0.1) the gradient becomes g + 0.1·p
// (step 1, element 0: g = 1.1, m̂ = 1.1, √v̂ = 1.1, p = 1 − 0.1·1.1/(1.1 + 1e-8)
// = 0.9000000009090909); with decoupled decay (AdamW) p is first multiplied by
// 1 − 0.1·0.1 = 0.99 (step 1, element 0: p = 0.99 − 0.1/(1 + 1e-8) = 0.890000001).
func TestAdamSteps(t *testing.T) {
	tests := []struct {
		name      string
		wd        float64
		decoupled bool
		want      [][]float64 // parameters after each step
	}{
		{"no decay", 0, false, [][]float64{
			{0.90000000099999999, -0.59999999600000016},
			{0.93661035347207509, -0.69999999200000032},
			{0.95027941967382173, -0.66551663344675965},
		}},
		{"L2 decay", 0.1, false, [][]float64{
			{0.90000000090909090, -0.59999999500000025},
			{0.93106429483919232, -0.69983350428185765},
			{0.93764215493736122, -0.65722454082111601},
		}},
		{"decoupled decay", 0.1, true, [][]float64{
			{0.89000000099999999, -0.59499999600000016},
			{0.91771035346207509, -0.68904999204000032},
			{0.92220231612920097, -0.64767613356635965},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAdam()
			a.SetLR(0.1)
			a.WeightDecay = tc.wd
			a.Decoupled = tc.decoupled
			if err := a.Validate(); err != nil {
				t.Fatal(err)
			}
			p := autodiff.Variable([]float64{1, -0.5}, 1, 2)
			for step, g := range adamGrads {
				grad := autodiff.New(append([]float64(nil), g...), 1, 2)
				if err := a.Step([]*autodiff.Tensor{p}, []*autodiff.Tensor{grad}); err != nil {
					t.Fatal(err)
				}
				for j, w := range tc.want[step] {
					if got := p.Data()[j]; !near(got, w, 1e-14) {
						t.Errorf("step %d element %d: got %.17g, want %.17g", step+1, j, got, w)
					}
				}
			}
		})
	}
}

// TestAdamEpsPlacement checks that eps is added after √v̂ (torch: denom =
// √v/√(1−β2ᵗ) + eps): with g = 1e-8 = eps, step 1 has m̂ = 1e-8, √v̂ = 1e-8, so
// the update is lr·1e-8/(1e-8 + 1e-8) = lr/2 exactly.
func TestAdamEpsPlacement(t *testing.T) {
	a := NewAdam()
	a.SetLR(0.1)
	p := autodiff.Variable([]float64{1}, 1, 1)
	if err := a.Step([]*autodiff.Tensor{p}, []*autodiff.Tensor{autodiff.New([]float64{1e-8}, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if got := p.Data()[0]; !near(got, 0.95, 1e-15) {
		t.Errorf("got %.17g, want 0.95", got)
	}
}

// TestAdamConstantGradient checks the closed form for a constant gradient g:
// m̂ = g and v̂ = g² at every step, so each step moves p by −lr·g/(|g| + eps).
func TestAdamConstantGradient(t *testing.T) {
	a := NewAdam()
	p := autodiff.Variable([]float64{0, 0, 0}, 1, 3)
	g := autodiff.New([]float64{3, -0.01, 1e-3}, 1, 3)
	const n = 50
	for range n {
		if err := a.Step([]*autodiff.Tensor{p}, []*autodiff.Tensor{g}); err != nil {
			t.Fatal(err)
		}
	}
	for j, gj := range g.Data() {
		want := -n * 1e-3 * gj / (math.Abs(gj) + 1e-8)
		if got := p.Data()[j]; !near(got, want, 1e-12) {
			t.Errorf("element %d: got %.17g, want %.17g", j, got, want)
		}
	}
}

// TestAdamNilGradSkips checks that a nil gradient leaves its parameter and its
// bias-correction step count alone: after skipping the first step, the second
// parameter's first real update is still a first step (|Δp| = lr·|g|/(|g|+eps)).
func TestAdamNilGradSkips(t *testing.T) {
	a := NewAdam()
	p0 := autodiff.Variable([]float64{1}, 1, 1)
	p1 := autodiff.Variable([]float64{1}, 1, 1)
	g := autodiff.New([]float64{2}, 1, 1)
	params := []*autodiff.Tensor{p0, p1}
	if err := a.Step(params, []*autodiff.Tensor{g, nil}); err != nil {
		t.Fatal(err)
	}
	if p1.Data()[0] != 1 {
		t.Fatalf("param with nil grad changed to %v", p1.Data()[0])
	}
	if err := a.Step(params, []*autodiff.Tensor{g, g}); err != nil {
		t.Fatal(err)
	}
	if want := 1 - 1e-3*2/(2+1e-8); !near(p1.Data()[0], want, 1e-15) {
		t.Errorf("p1 = %.17g, want %.17g", p1.Data()[0], want)
	}
}

func TestAdamValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(a *Adam)
		field string // yaml key the error must name; "" = valid
	}{
		{"defaults", func(*Adam) {}, ""},
		{"adamw", func(a *Adam) { a.WeightDecay, a.Decoupled = 1e-2, true }, ""},
		{"zero lr", func(a *Adam) { a.LearningRate = 0 }, "lr"},
		{"nan lr", func(a *Adam) { a.LearningRate = math.NaN() }, "lr"},
		{"beta1 one", func(a *Adam) { a.Beta1 = 1 }, "beta1"},
		{"beta1 negative", func(a *Adam) { a.Beta1 = -0.1 }, "beta1"},
		{"beta2 one", func(a *Adam) { a.Beta2 = 1 }, "beta2"},
		{"eps negative", func(a *Adam) { a.Eps = -1 }, "eps"},
		{"weight decay negative", func(a *Adam) { a.WeightDecay = -1e-4 }, "weight_decay"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAdam()
			tc.edit(a)
			checkValidateErr(t, a.Validate(), tc.field)
		})
	}
}

// checkValidateErr checks that err is nil when field is empty and otherwise
// names field.
func checkValidateErr(t *testing.T, err error, field string) {
	t.Helper()
	switch {
	case field == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case field != "" && err == nil:
		t.Errorf("no error, want one naming %q", field)
	case field != "" && !strings.Contains(err.Error(), " "+field+" "):
		t.Errorf("error %q does not name %q", err, field)
	}
}

func TestAdamStepErrors(t *testing.T) {
	p := autodiff.Variable([]float64{1, 2}, 1, 2)
	q := autodiff.Variable([]float64{1, 2, 3}, 1, 3)
	g2 := autodiff.New([]float64{1, 1}, 1, 2)
	g3 := autodiff.New([]float64{1, 1, 1}, 1, 3)
	tests := []struct {
		name          string
		params, grads []*autodiff.Tensor
	}{
		{"length mismatch", []*autodiff.Tensor{p}, []*autodiff.Tensor{g2, g2}},
		{"nil param", []*autodiff.Tensor{nil}, []*autodiff.Tensor{g2}},
		{"grad shape", []*autodiff.Tensor{p}, []*autodiff.Tensor{g3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := NewAdam().Step(tc.params, tc.grads); err == nil {
				t.Error("no error")
			}
		})
	}
	t.Run("different list on second step", func(t *testing.T) {
		a := NewAdam()
		if err := a.Step([]*autodiff.Tensor{p}, []*autodiff.Tensor{g2}); err != nil {
			t.Fatal(err)
		}
		if err := a.Step([]*autodiff.Tensor{q}, []*autodiff.Tensor{g3}); err == nil {
			t.Error("no error for a parameter of another size")
		}
		if err := a.Step([]*autodiff.Tensor{p, q}, []*autodiff.Tensor{g2, g3}); err == nil {
			t.Error("no error for a longer parameter list")
		}
	})
}

// TestOptimizerState checks that saving after two steps and loading into a
// fresh optimiser reproduces the third step bit for bit, and that states of
// another kind or another parameter list are rejected.
func TestOptimizerState(t *testing.T) {
	mk := map[string]func() Optimizer{
		"adam": func() Optimizer { a := NewAdam(); a.WeightDecay = 1e-2; return a },
		"sgd":  func() Optimizer { s := NewSGD(); s.Momentum, s.Nesterov = 0.9, true; return s },
	}
	for _, name := range []string{"adam", "sgd"} {
		t.Run(name, func(t *testing.T) {
			p := autodiff.Variable([]float64{1, -0.5}, 1, 2)
			opt := mk[name]()
			opt.SetLR(0.05)
			for _, g := range adamGrads[:2] {
				if err := opt.Step([]*autodiff.Tensor{p}, []*autodiff.Tensor{autodiff.New(g, 1, 2)}); err != nil {
					t.Fatal(err)
				}
			}
			state, err := opt.State()
			if err != nil {
				t.Fatal(err)
			}
			q := autodiff.Variable(append([]float64(nil), p.Data()...), 1, 2)
			restored := mk[name]()
			if err := restored.LoadState(state); err != nil {
				t.Fatal(err)
			}
			if restored.LR() != 0.05 {
				t.Errorf("restored lr %v, want 0.05", restored.LR())
			}
			g := adamGrads[2]
			if err := opt.Step([]*autodiff.Tensor{p}, []*autodiff.Tensor{autodiff.New(g, 1, 2)}); err != nil {
				t.Fatal(err)
			}
			if err := restored.Step([]*autodiff.Tensor{q}, []*autodiff.Tensor{autodiff.New(g, 1, 2)}); err != nil {
				t.Fatal(err)
			}
			for j := range p.Data() {
				if p.Data()[j] != q.Data()[j] {
					t.Errorf("element %d: continued %.17g, restored %.17g", j, p.Data()[j], q.Data()[j])
				}
			}
			other := "sgd"
			if name == "sgd" {
				other = "adam"
			}
			if err := mk[other]().LoadState(state); err == nil {
				t.Errorf("%s state loaded into %s", name, other)
			}
			wrong := mk[name]()
			if err := wrong.LoadState(state); err != nil {
				t.Fatal(err)
			}
			r := autodiff.Variable([]float64{1, 2, 3}, 1, 3)
			if err := wrong.Step([]*autodiff.Tensor{r}, []*autodiff.Tensor{autodiff.New([]float64{1, 1, 1}, 1, 3)}); err == nil {
				t.Error("state for 2 elements accepted for a 3-element parameter")
			}
			if err := mk[name]().LoadState([]byte("garbage")); err == nil {
				t.Error("garbage state accepted")
			}
		})
	}
}

// TestStepAllocs checks that steps after the first do not allocate.
func TestStepAllocs(t *testing.T) {
	params := []*autodiff.Tensor{autodiff.Variable(make([]float64, 64), 8, 8), autodiff.Variable(make([]float64, 8), 1, 8)}
	grads := []*autodiff.Tensor{autodiff.Full(0.5, 8, 8), autodiff.Full(-1, 1, 8)}
	adamw := NewAdam()
	adamw.WeightDecay, adamw.Decoupled = 1e-2, true
	sgd := NewSGD()
	sgd.Momentum = 0.9
	for name, opt := range map[string]Optimizer{"adam": NewAdam(), "adamw": adamw, "sgd": sgd} {
		if err := opt.Step(params, grads); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			if err := opt.Step(params, grads); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per step, want 0", name, allocs)
		}
	}
}

// near reports whether got equals want to relative tolerance tol (absolute
// near zero).
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}
