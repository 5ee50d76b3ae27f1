// Package gemm is a fast float64 matrix product (BLAS Dgemm) in pure Go and
// Go assembly, for training runs dominated by matrix products.
//
// Dgemm has the semantics of gonum's blas64 (row-major, C = alpha·op(A)·op(B)
// + beta·C). Implementation embeds gonum's pure-Go BLAS and overrides only
// Dgemm, so Use (or blas64.Use(gemm.Implementation{})) speeds up gonum/mat
// and everything else that calls blas64.Gemm without cgo.
//
// # How it works
//
// Products with more than a few rows and columns are cache-blocked: B is
// packed in blocks of up to kcMax×ncMax (sized for a 1 MiB L2 cache) into
// column panels, and a register-blocked micro-kernel sweeps each group of
// rows of A, read in place, across the panels, keeping its tile of C in
// registers for the whole k loop. The micro-kernels are generated Go assembly
// (gen_asm.go): 5×40 tiles in zmm registers where the CPU has AVX-512F, 6×8
// in ymm registers with AVX2 and FMA, 2×4 in pure Go otherwise, with
// narrower and shorter variants for the edges of C. The kernel family is
// chosen once at start-up with golang.org/x/sys/cpu; Kernel names it. The
// block sizes are constants tuned on a 2-core AMD EPYC (Zen 4: 32 KiB L1d,
// 1 MiB L2 per core), where a 5×40 kernel reaches about 57 GFLOP/s per core.
// Products above about 2 MFLOP are split over goroutines (up to GOMAXPROCS)
// by rows, or else columns, of C; each goroutine packs its own B blocks into
// buffers from a sync.Pool, so once warm a call does not allocate, apart
// from a few small closures when it goes parallel.
//
// Thin products, where C has at most 4 rows or columns (matrix-vector-like
// shapes) or at most 16 rows and B is not transposed, skip packing: they use
// vectorised dot-product kernels, or the tile kernels with the long operand
// read in place. They run on the calling goroutine.
//
// Building with the purego tag (or on other architectures) leaves only the
// pure-Go kernels. The tests check every kernel family this CPU supports
// against gonum's reference Dgemm.
package gemm
