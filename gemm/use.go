//go:build !(openblas && cgo)

package gemm

import "gonum.org/v1/gonum/blas/blas64"

// Use makes blas64 (and so gonum/mat and everything else that calls
// blas64.Gemm) use this package's Dgemm. Built with the openblas tag (and
// cgo), Use installs OpenBLAS instead.
func Use() { blas64.Use(Implementation{}) }
