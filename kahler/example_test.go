package kahler_test

import (
	"fmt"
	"math/rand/v2"

	"ansatz/hypersurface"
	"ansatz/kahler"
)

// σ of the Fubini–Study metric on the Fermat quintic, computed through the
// metric-model interface on a batch laid out as the data kind
// hypersurface_points does.
func Example() {
	h, err := hypersurface.New([]int{4}, nil, "z0^5 + z1^5 + z2^5 + z3^5 + z4^5", nil, true)
	if err != nil {
		panic(err)
	}
	pts, err := hypersurface.Sample(h, 2000, 0, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	b := kahler.BatchFromPoints(pts)
	sigma, err := kahler.SigmaMeasure{}.Loss(kahler.FS{}, b, false)
	if err != nil {
		panic(err)
	}
	fmt.Printf("σ_FS ≈ %.2f\n", sigma.Item())
	// Output: σ_FS ≈ 0.38
}
