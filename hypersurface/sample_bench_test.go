package hypersurface

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkSample(b *testing.B) {
	h := mustQuintic(b, dwork, 0.3)
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		if _, err := Sample(h, 10000, 0.3, rng); err != nil {
			b.Fatal(err)
		}
	}
}
