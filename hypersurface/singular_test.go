package hypersurface

import (
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

func TestFindSingular(t *testing.T) {
	fifth := cmplx.Exp(2i * 3.141592653589793 / 5)
	tests := []struct {
		name     string
		expr     string
		psi      complex128
		singular bool
	}{
		{"fermat", fermat, 0, false},
		{"dwork 0.5", dwork, 0.5, false},
		{"dwork 0.9", dwork, 0.9, false},
		{"dwork 1", dwork, 1, true},
		{"dwork fifth root", dwork, fifth, true},
		{"dwork 1.3i", dwork, 1.3i, false},
		{"A4 point at (1:0:0:0:0)", "z0^3*z1*z2 + z1^5 + z2^5 + z3^5 + z4^5", 0, true},
		{"A1 point at (1:0:0:0:0)", "z0^3*(z1^2 + z2^2 + z3^2 + z4^2) + z1^5 + z2^5 + z3^5 + z4^5", 0, true},
	}
	for _, tt := range tests {
		h := mustQuintic(t, tt.expr, tt.psi)
		z, got := FindSingular(h, rand.New(rand.NewPCG(41, 42)))
		if got != tt.singular {
			t.Errorf("%s: singular = %v, want %v (z = %v)", tt.name, got, tt.singular, z)
		}
		if got && z != nil {
			grad := make([]complex128, 5)
			t.Logf("%s: singular at %v (ratio %.2g)", tt.name, z, gradientRatio(h.Polynomial(), z, grad))
		}
	}
}
