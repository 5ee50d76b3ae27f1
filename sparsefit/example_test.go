package sparsefit_test

import (
	"fmt"
	"math/rand/v2"

	"ansatz/sparsefit"
)

// An angular momentum read back from samples of the state.
func ExampleDictionary_Fit() {
	d, err := sparsefit.NewDictionary([]string{"x", "y", "p_x", "p_y"}, 2)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	const n = 200
	var xs, ys []float64
	for range n {
		x, y, px, py := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		xs = append(xs, x, y, px, py)
		ys = append(ys, 2*(x*py-y*px)+1)
	}
	p, r2, err := d.Fit(xs, n, ys, sparsefit.DefaultOptions())
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s (R² = %.3f, %d of %d terms)\n", p.Format(3), r2, len(p.Terms()), d.Len())
	// Output: 2*x*p_y - 2*y*p_x + 1 (R² = 1.000, 3 of 15 terms)
}
