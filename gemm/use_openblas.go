//go:build openblas && cgo

package gemm

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"

	// Links OpenBLAS and re-executes the program if OpenBLAS chose kernels
	// below this CPU's instruction set.
	_ "ansatz/gemm/internal/openblas"
)

// Use makes blas64 (and so gonum/mat and everything else that calls
// blas64.Gemm) use OpenBLAS through gonum.org/v1/netlib: this file is built
// only with the openblas tag and cgo, and needs libopenblas (Debian:
// libopenblas-dev). The package-level Dgemm and Implementation stay pure Go.
func Use() { blas64.Use(netlib.Implementation{}) }
