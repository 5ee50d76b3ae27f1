package hypersurface_test

import (
	"fmt"
	"math/rand/v2"

	"ansatz/hypersurface"
)

// Sample points of the Fermat quintic, measure σ of the Fubini–Study metric
// and of Donaldson's balanced metric of degree 2 (fitted on other points).
func Example() {
	h, err := hypersurface.New([]int{4}, nil, "z0^5 + z1^5 + z2^5 + z3^5 + z4^5", nil, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	fit, _ := hypersurface.Sample(h, 5000, 0, rng)
	val, _ := hypersurface.Sample(h, 5000, 0, rng)

	fs := hypersurface.DetFunc(hypersurface.FubiniStudy{T: 1}, val)
	fmt.Printf("Vol_K(FS) = %.3f\n", hypersurface.VolK(val, fs))
	fmt.Printf("σ(FS) = %.2f\n", hypersurface.Sigma(val, fs))

	s, _ := h.Sections(2)
	alg, _, _ := hypersurface.Donaldson(fit, s, 6)
	fmt.Printf("N_2 = %d, σ(k=2) = %.2f\n", s.Len(), hypersurface.Sigma(val, hypersurface.DetFunc(alg, val)))
	// Output:
	// Vol_K(FS) = 5.000
	// σ(FS) = 0.38
	// N_2 = 15, σ(k=2) = 0.28
}
