package optim

import (
	"testing"

	"ansatz/autodiff"
)

// BenchmarkStep times one update of the HNN reference network's 40,800
// parameters (2→200→200→1 with hidden biases).
func BenchmarkStep(b *testing.B) {
	shapes := [][2]int{{2, 200}, {1, 200}, {200, 200}, {1, 200}, {200, 1}}
	var params, grads []*autodiff.Tensor
	for _, s := range shapes {
		params = append(params, autodiff.Variable(make([]float64, s[0]*s[1]), s[0], s[1]))
		grads = append(grads, autodiff.Full(0.01, s[0], s[1]))
	}
	adam := NewAdam()
	adam.WeightDecay = 1e-4
	adamw := NewAdam()
	adamw.WeightDecay, adamw.Decoupled = 1e-2, true
	sgd := NewSGD()
	sgd.Momentum = 0.9
	for _, bc := range []struct {
		name string
		opt  Optimizer
	}{{"adam", adam}, {"adamw", adamw}, {"sgd", sgd}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.opt.Step(params, grads); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
