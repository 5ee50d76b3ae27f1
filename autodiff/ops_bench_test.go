package autodiff

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkOps times the hot ops of the HNN step at its size, [750,200].
func BenchmarkOps(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const r, c = 750, 200
	x, y, u := randTensor(rng, -1, 1, r, c), randTensor(rng, -1, 1, r, c), randTensor(rng, -1, 1, r, c)
	row := randTensor(rng, -1, 1, 1, c)
	w := randTensor(rng, -1, 1, c, c)
	ops := []struct {
		name string
		f    func()
	}{
		{"Tanh", func() { Tanh(x) }},
		{"tanhGrad", func() { tanhGrad(x, y) }},
		{"tanhGradBoth", func() { tanhGradBoth(x, u, y) }},
		{"prod3", func() { prod3(x, u, y, -2) }},
		{"Add", func() { Add(x, y) }},
		{"AddRow", func() { Add(x, row) }},
		{"addInPlace", func() { addInPlace(u.data, x.data) }},
		{"SumAxis0", func() { SumAxis(x, 0) }},
		{"Linear", func() { Linear(x, w, row) }},
		{"MatMul", func() { MatMul(x, w) }},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			b.SetBytes(8 * r * c)
			for b.Loop() {
				op.f()
			}
		})
	}
}
