// Package openblas links OpenBLAS for gemm's optional openblas build tag and
// makes sure it runs its best kernels: it is empty unless built with the
// openblas tag and cgo. It is separate from package gemm because Go does not
// allow cgo and Go assembly in one package.
package openblas
