package hypersurface

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestDonaldsonSigma: on the Fermat quintic the σ of Donaldson's balanced
// metric decreases monotonically with k = 1…4 (measured on points not used
// for the T-operator integrals).
func TestDonaldsonSigma(t *testing.T) {
	h := mustQuintic(t, fermat, 0)
	train, err := Sample(h, 25000, 0, rand.New(rand.NewPCG(21, 22)))
	if err != nil {
		t.Fatal(err)
	}
	val, err := Sample(h, 10000, 0, rand.New(rand.NewPCG(23, 24)))
	if err != nil {
		t.Fatal(err)
	}
	prev := Sigma(val, DetFunc(FubiniStudy{T: 1}, val))
	t.Logf("σ(FS) = %.4f", prev)
	for k := 1; k <= 4; k++ {
		start := time.Now()
		s, _ := h.Sections(k)
		alg, hist, err := Donaldson(train, s, 8)
		if err != nil {
			t.Fatal(err)
		}
		sigma := Sigma(val, DetFunc(alg, val))
		t.Logf("k=%d N_k=%d σ = %.4f, last change %.2g (%v)", k, s.Len(), sigma, hist[len(hist)-1], time.Since(start))
		if k > 1 && !(sigma < prev) {
			t.Errorf("σ(k=%d) = %v is not below σ(k=%d) = %v", k, sigma, k-1, prev)
		}
		prev = sigma
	}
}
