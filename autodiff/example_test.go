package autodiff_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"ansatz/autodiff"
	"ansatz/nn"
	"ansatz/optim"
)

// Example trains a small Hamiltonian neural network (Greydanus et al. 2019)
// on the harmonic oscillator H = (q² + p²)/2, whose flow is (q̇, ṗ) = (p, −q).
// The loss contains the network's input gradient ∂H/∂x, so its parameter
// gradient is a second derivative: the input gradient is taken with
// CreateGraph so that it can be differentiated again.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))

	// 64 phase-space points x = (q, p) and the true field (q̇, ṗ) = (p, −q).
	const n = 64
	xs, ts := make([]float64, 2*n), make([]float64, 2*n)
	for i := range n {
		q, p := rng.NormFloat64(), rng.NormFloat64()
		xs[2*i], xs[2*i+1] = q, p
		ts[2*i], ts[2*i+1] = p, -q
	}
	x := autodiff.Variable(xs, n, 2) // a Variable: we differentiate with respect to it
	target := autodiff.New(ts, n, 2)

	// H_θ: 2 → 16 → 16 → 1, tanh, orthogonal init, no output bias.
	mlp, err := nn.NewMLP(rng, nn.MLPConfig{In: 2, Hidden: []int{16, 16}, Out: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	params := mlp.Params()

	// loss = mean((∂H/∂p − q̇)² and (−∂H/∂q − ṗ)²) over the batch.
	hnnLoss := func() (*autodiff.Tensor, error) {
		g, err := autodiff.Grad(autodiff.Sum(mlp.Forward(x)), []*autodiff.Tensor{x}, autodiff.CreateGraph())
		if err != nil {
			return nil, err
		}
		dH := g[0] // [n, 2]: ∂H/∂q, ∂H/∂p
		field := autodiff.Concat(autodiff.Col(dH, 1), autodiff.Neg(autodiff.Col(dH, 0)))
		return autodiff.Mean(autodiff.Square(autodiff.Sub(field, target))), nil
	}

	opt := optim.NewAdam()
	opt.SetLR(1e-2)
	for step := 0; step <= 200; step++ {
		loss, err := hnnLoss()
		if err != nil {
			fmt.Println(err)
			return
		}
		grads, err := autodiff.Grad(loss, params)
		if err != nil {
			fmt.Println(err)
			return
		}
		if step == 0 || step == 200 {
			var sq float64
			for _, g := range grads {
				for _, v := range g.Data() {
					sq += v * v
				}
			}
			fmt.Printf("step %3d: loss %.2g, |∂loss/∂θ| %.2g\n", step, loss.Item(), math.Sqrt(sq))
		}
		if err := opt.Step(params, grads); err != nil {
			fmt.Println(err)
			return
		}
	}

	// The learned field at (q, p) = (1, 0) is close to the true (0, −1).
	probe := autodiff.Variable([]float64{1, 0}, 1, 2)
	g, err := autodiff.Grad(autodiff.Sum(mlp.Forward(probe)), []*autodiff.Tensor{probe})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("field at (1, 0): (%.3f, %.3f)\n", g[0].At(0, 1), -g[0].At(0, 0))
	// Output:
	// step   0: loss 1, |∂loss/∂θ| 0.53
	// step 200: loss 0.00021, |∂loss/∂θ| 0.0014
	// field at (1, 0): (-0.028, -0.988)
}
