package hypersurface

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

func TestZZTable(t *testing.T) {
	if os.Getenv("HS_TABLE") == "" {
		t.Skip()
	}
	start := time.Now()
	h0 := mustQuintic(t, fermat, 0)
	fit, _ := Sample(h0, 100000, 0, rand.New(rand.NewPCG(1, 1)))
	val, _ := Sample(h0, 50000, 0, rand.New(rand.NewPCG(2, 2)))
	t.Logf("fermat FS σ = %.4f", Sigma(val, DetFunc(FubiniStudy{T: 1}, val)))
	for k := 1; k <= 4; k++ {
		s, _ := h0.Sections(k)
		alg, hist, _ := Donaldson(fit, s, 10)
		t.Logf("fermat k=%d σ = %.4f (last change %.1g) %v", k, Sigma(val, DetFunc(alg, val)), hist[len(hist)-1], time.Since(start))
	}
	for _, psi := range []complex128{0, 0.25, 0.5, 0.75, 0.9, 0.95, 1.25} {
		h := mustQuintic(t, dwork, psi)
		fit, _ := Sample(h, 50000, psi, rand.New(rand.NewPCG(3, 3)))
		val, _ := Sample(h, 20000, psi, rand.New(rand.NewPCG(4, 4)))
		s, _ := h.Sections(3)
		alg, _, _ := Donaldson(fit, s, 10)
		t.Logf("dwork ψ=%v FS σ = %.4f, k=3 σ = %.4f", psi, Sigma(val, DetFunc(FubiniStudy{T: 1}, val)), Sigma(val, DetFunc(alg, val)))
	}
}
