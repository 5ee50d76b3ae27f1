// Package gemm is a fast float64 matrix-matrix product (BLAS Dgemm) in pure Go
// and Go assembly.
package gemm
