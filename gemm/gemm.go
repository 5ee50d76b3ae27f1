package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Panic messages for bad arguments; they match gonum's.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// best is the fastest kernel set this CPU supports; it is chosen once at
// start-up and never changes.
var best = availableKernels()[0]

// Kernel names the micro-kernel family Dgemm uses on this machine: "avx512",
// "avx2" or "generic".
func Kernel() string { return best.name }

// Implementation is gonum's pure-Go BLAS with Dgemm replaced by this
// package's. Install it with Use or blas64.Use(gemm.Implementation{}).
type Implementation struct {
	gonum.Implementation
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C; see the package-level Dgemm.
func (Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C where op(X) is X or Xᵀ as tA
// and tB say, op(A) is m×k, op(B) is k×n and C is m×n, all row-major with
// leading dimensions lda, ldb and ldc, as in gonum's blas64. When beta is zero
// C need not be initialised: NaNs and infinities in it are overwritten.
// Dgemm panics with gonum's messages on bad dimensions or short slices.
func Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	aT, bT := checkArgs(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	dgemm(best, aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkArgs panics unless the arguments describe a valid product, as gonum's
// Dgemm does, and reports whether A and B are transposed.
func checkArgs(tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) (aT, bT bool) {
	switch tA {
	case blas.NoTrans:
	case blas.Trans, blas.ConjTrans:
		aT = true
	default:
		panic(badTranspose)
	}
	switch tB {
	case blas.NoTrans:
	case blas.Trans, blas.ConjTrans:
		bT = true
	default:
		panic(badTranspose)
	}
	switch {
	case m < 0:
		panic(mLT0)
	case n < 0:
		panic(nLT0)
	case k < 0:
		panic(kLT0)
	}
	if aT {
		if lda < max(1, m) {
			panic(badLdA)
		}
	} else if lda < max(1, k) {
		panic(badLdA)
	}
	if bT {
		if ldb < max(1, k) {
			panic(badLdB)
		}
	} else if ldb < max(1, n) {
		panic(badLdB)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return aT, bT
	}
	if aT {
		if len(a) < (k-1)*lda+m {
			panic(shortA)
		}
	} else if len(a) < (m-1)*lda+k {
		panic(shortA)
	}
	if bT {
		if len(b) < (n-1)*ldb+k {
			panic(shortB)
		}
	} else if len(b) < (k-1)*ldb+n {
		panic(shortB)
	}
	if len(c) < (m-1)*ldc+n {
		panic(shortC)
	}
	return aT, bT
}
