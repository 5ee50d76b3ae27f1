package optim

import (
	"testing"

	"ansatz/autodiff"
)

// TestSGDSteps runs three steps of torch.optim.SGD semantics on p0 = 1 with
// the fixed gradients g = 1, −2, 0.5 and lr 0.1; the expected values are
// worked out by hand in the comments.
func TestSGDSteps(t *testing.T) {
	tests := []struct {
		name string
		opt  SGD
		want [3]float64
	}{
		// p ← p − 0.1·g: 0.9, 1.1, 1.05.
		{"plain", SGD{LearningRate: 0.1}, [3]float64{0.9, 1.1, 1.05}},
		// b1 = 1, p1 = 0.9; b2 = 0.9·1 − 2 = −1.1, p2 = 1.01;
		// b3 = 0.9·(−1.1) + 0.5 = −0.49, p3 = 1.059.
		{"momentum", SGD{LearningRate: 0.1, Momentum: 0.9}, [3]float64{0.9, 1.01, 1.059}},
		// b as above; step direction g + 0.9·b: 1.9, −2.99, 0.059;
		// p: 0.81, 1.109, 1.1031.
		{"nesterov", SGD{LearningRate: 0.1, Momentum: 0.9, Nesterov: true}, [3]float64{0.81, 1.109, 1.1031}},
		// b1 = g1 = 1 (no dampening on the first step), p1 = 0.9;
		// b2 = 0.9 − 0.5·2 = −0.1, p2 = 0.91; b3 = −0.09 + 0.25 = 0.16, p3 = 0.894.
		{"dampening", SGD{LearningRate: 0.1, Momentum: 0.9, Dampening: 0.5}, [3]float64{0.9, 0.91, 0.894}},
		// g ← g + 0.1·p: 1.1 → p1 = 0.89; −2 + 0.089 → p2 = 1.0811;
		// 0.5 + 0.10811 → p3 = 1.020289.
		{"weight decay", SGD{LearningRate: 0.1, WeightDecay: 0.1}, [3]float64{0.89, 1.0811, 1.020289}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			if err := opt.Validate(); err != nil {
				t.Fatal(err)
			}
			p := autodiff.Variable([]float64{1}, 1, 1)
			for step, g := range []float64{1, -2, 0.5} {
				if err := opt.Step([]*autodiff.Tensor{p}, []*autodiff.Tensor{autodiff.Scalar(g)}); err != nil {
					t.Fatal(err)
				}
				if got := p.Data()[0]; !near(got, tc.want[step], 1e-15) {
					t.Errorf("step %d: got %.17g, want %v", step+1, got, tc.want[step])
				}
			}
		})
	}
}

func TestSGDValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(s *SGD)
		field string
	}{
		{"defaults", func(*SGD) {}, ""},
		{"nesterov", func(s *SGD) { s.Momentum, s.Nesterov = 0.9, true }, ""},
		{"zero lr", func(s *SGD) { s.LearningRate = 0 }, "lr"},
		{"negative momentum", func(s *SGD) { s.Momentum = -0.1 }, "momentum"},
		{"dampening above one", func(s *SGD) { s.Dampening = 2 }, "dampening"},
		{"negative weight decay", func(s *SGD) { s.WeightDecay = -1 }, "weight_decay"},
		{"nesterov without momentum", func(s *SGD) { s.Nesterov = true }, "nesterov"},
		{"nesterov with dampening", func(s *SGD) { s.Momentum, s.Dampening, s.Nesterov = 0.9, 0.1, true }, "nesterov"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSGD()
			tc.edit(s)
			checkValidateErr(t, s.Validate(), tc.field)
		})
	}
}
