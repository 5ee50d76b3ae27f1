package hypersurface

import (
	"fmt"
	"math"
	"math/cmplx"
)

// Cholesky returns the lower-triangular L (n×n row-major) with A = L L† for
// a Hermitian positive-definite A (only its lower triangle is read). It
// fails if A is not positive definite to working precision.
func Cholesky(a []complex128, n int) ([]complex128, error) {
	l := make([]complex128, n*n)
	for j := range n {
		d := real(a[j*n+j])
		for k := range j {
			d -= abs2(l[j*n+k])
		}
		if !(d > 0) {
			return nil, fmt.Errorf("cholesky: matrix is not positive definite (pivot %d is %g)", j, d)
		}
		ljj := math.Sqrt(d)
		l[j*n+j] = complex(ljj, 0)
		for i := j + 1; i < n; i++ {
			v := a[i*n+j]
			for k := range j {
				v -= l[i*n+k] * cmplx.Conj(l[j*n+k])
			}
			l[i*n+j] = v / complex(ljj, 0)
		}
	}
	return l, nil
}

// InverseHermitian returns A⁻¹ for a Hermitian positive-definite A (n×n
// row-major) by Cholesky factorisation; the result is exactly Hermitian.
func InverseHermitian(a []complex128, n int) ([]complex128, error) {
	l, err := Cholesky(a, n)
	if err != nil {
		return nil, err
	}
	// Linv = L⁻¹ (lower triangular) by forward substitution.
	linv := make([]complex128, n*n)
	for j := range n {
		linv[j*n+j] = 1 / l[j*n+j]
		for i := j + 1; i < n; i++ {
			var v complex128
			for k := j; k < i; k++ {
				v -= l[i*n+k] * linv[k*n+j]
			}
			linv[i*n+j] = v / l[i*n+i]
		}
	}
	// A⁻¹ = L⁻† L⁻¹: (A⁻¹)_ij = Σ_k conj(Linv_ki) Linv_kj, k ≥ max(i, j).
	inv := make([]complex128, n*n)
	for i := range n {
		for j := i; j < n; j++ {
			var v complex128
			for k := j; k < n; k++ {
				v += cmplx.Conj(linv[k*n+i]) * linv[k*n+j]
			}
			inv[i*n+j] = v
			inv[j*n+i] = cmplx.Conj(v)
		}
		inv[i*n+i] = complex(real(inv[i*n+i]), 0)
	}
	return inv, nil
}
