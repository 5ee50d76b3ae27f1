package autodiff_test

import (
	"fmt"

	"ansatz/autodiff"
)

// Gradient of a gradient: for y = x³ at x = 2, dy/dx = 3x² = 12 and
// d²y/dx² = 6x = 12. The first Grad records its backward pass (CreateGraph), so
// its result can be differentiated again.
func Example_gradOfGrad() {
	x := autodiff.Variable([]float64{2}, 1, 1)
	y := autodiff.Mul(x, autodiff.Mul(x, x))

	dy, err := autodiff.Grad(y, []*autodiff.Tensor{x}, autodiff.CreateGraph())
	if err != nil {
		panic(err)
	}
	d2y, err := autodiff.Grad(dy[0], []*autodiff.Tensor{x})
	if err != nil {
		panic(err)
	}
	fmt.Println(dy[0].Item(), d2y[0].Item())
	// Output: 12 12
}

// The HNN pattern: the loss contains ∂H/∂x, and its parameter gradient is a
// gradient of that gradient. Here H = w·(q² + p²)/2 for one sample (q, p) = (1, 2);
// the loss (∂H/∂p − 3)² has derivative 2(wp − 3)·p = −4 at w = 1.
func Example_gradientInsideLoss() {
	w := autodiff.Variable([]float64{1}, 1, 1)
	x := autodiff.Variable([]float64{1, 2}, 1, 2)
	H := autodiff.Mul(w, autodiff.Scale(autodiff.Sum(autodiff.Square(x)), 0.5))

	dH, err := autodiff.Grad(H, []*autodiff.Tensor{x}, autodiff.CreateGraph())
	if err != nil {
		panic(err)
	}
	loss := autodiff.Square(autodiff.AddScalar(autodiff.Col(dH[0], 1), -3))
	g, err := autodiff.Grad(loss, []*autodiff.Tensor{w})
	if err != nil {
		panic(err)
	}
	fmt.Println(dH[0], g[0].Item())
	// Output: Tensor[1 2](grad)[1 2] -4
}
