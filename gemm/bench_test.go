package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShapes are the products of the reference training step (an MLP
// 2→200→200→1, batch 750), as m×k·k×n.
var benchShapes = []struct{ m, k, n int }{
	{750, 200, 200},
	{200, 750, 200},
	{750, 2, 200},
	{750, 200, 2},
	{750, 200, 1},
	{200, 750, 2},
	{2, 750, 200},
	{200, 750, 1},
}

// dgemmFunc is the signature of Dgemm.
type dgemmFunc func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)

// namedDgemm is an implementation to benchmark.
type namedDgemm struct {
	name string
	f    dgemmFunc
}

// BenchmarkDgemm times this package's Dgemm and gonum's on benchShapes in
// every transpose combination and reports GFLOP/s (2mnk flops per product).
// The fallback kernel families appear as gemm-avx2 and gemm-generic. Run with
// -cpu 1,2 for single- and two-thread figures.
func BenchmarkDgemm(b *testing.B) {
	impls := []namedDgemm{{"gemm", Dgemm}, {"gonum", gonum.Implementation{}.Dgemm}}
	for _, ks := range availableKernels()[1:] {
		impls = append(impls, namedDgemm{"gemm-" + ks.name, func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
			aT, bT := checkArgs(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
			dgemm(ks, aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		}})
	}
	benchDgemm(b, impls)
}

// benchDgemm runs the sub-benchmarks <shape>/<trans>/<impl>.
func benchDgemm(b *testing.B, impls []namedDgemm) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchShapes {
		for _, tA := range transposes {
			for _, tB := range transposes {
				ar, ac := s.m, s.k
				if tA == blas.Trans {
					ar, ac = ac, ar
				}
				br, bc := s.k, s.n
				if tB == blas.Trans {
					br, bc = bc, br
				}
				a, lda := randMatrix(rng, ar, ac, 0)
				bm, ldb := randMatrix(rng, br, bc, 0)
				c, ldc := randMatrix(rng, s.m, s.n, 0)
				for _, impl := range impls {
					name := fmt.Sprintf("%dx%d_%dx%d/%s%s/%s", s.m, s.k, s.k, s.n, transName(tA), transName(tB), impl.name)
					b.Run(name, func(b *testing.B) {
						for b.Loop() {
							impl.f(tA, tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, ldc)
						}
						flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
						b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					})
				}
			}
		}
	}
}

// transName is "N" or "T".
func transName(t blas.Transpose) string {
	if t == blas.NoTrans {
		return "N"
	}
	return "T"
}

// mlpStep lists the matrix products of one training step of the reference
// MLP (2→200→200→1, tanh, batch 750, weights stored in×out): the forward
// pass, the input gradient built as a graph, and the backward pass through
// both to the parameters. Elementwise work is left out.
var mlpStep = []struct {
	tA, tB  blas.Transpose
	m, n, k int
}{
	// Forward: Z1 = X·W1, Z2 = H1·W2, y = H2·W3.
	{blas.NoTrans, blas.NoTrans, 750, 200, 2},
	{blas.NoTrans, blas.NoTrans, 750, 200, 200},
	{blas.NoTrans, blas.NoTrans, 750, 1, 200},
	// Input gradient: gH2 = 1·W3ᵀ, gH1 = gZ2·W2ᵀ, gX = gZ1·W1ᵀ.
	{blas.NoTrans, blas.Trans, 750, 200, 1},
	{blas.NoTrans, blas.Trans, 750, 200, 200},
	{blas.NoTrans, blas.Trans, 750, 2, 200},
	// Backward through gX = gZ1·W1ᵀ: d gZ1 = d gX·W1, dW1 = d gXᵀ·gZ1.
	{blas.NoTrans, blas.NoTrans, 750, 200, 2},
	{blas.Trans, blas.NoTrans, 2, 200, 750},
	// Backward through gH1 = gZ2·W2ᵀ: d gZ2 = d gH1·W2, dW2 += d gH1ᵀ·gZ2.
	{blas.NoTrans, blas.NoTrans, 750, 200, 200},
	{blas.Trans, blas.NoTrans, 200, 200, 750},
	// Backward through gH2 = 1·W3ᵀ: dW3 += d gH2ᵀ·1.
	{blas.Trans, blas.NoTrans, 200, 1, 750},
	// Backward through the forward pass: dH2 = dy·W3ᵀ, dW3 += H2ᵀ·dy,
	// dH1 = dZ2·W2ᵀ, dW2 += H1ᵀ·dZ2, dW1 += Xᵀ·dZ1.
	{blas.NoTrans, blas.Trans, 750, 200, 1},
	{blas.Trans, blas.NoTrans, 200, 1, 750},
	{blas.NoTrans, blas.Trans, 750, 200, 200},
	{blas.Trans, blas.NoTrans, 200, 200, 750},
	{blas.Trans, blas.NoTrans, 2, 200, 750},
}

// BenchmarkMLPStep times the products of one reference training step
// (mlpStep) and reports ms/step, for this package and gonum.
func BenchmarkMLPStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	type operands struct {
		a, b, c       []float64
		lda, ldb, ldc int
	}
	ops := make([]operands, len(mlpStep))
	flops := 0.0
	for i, p := range mlpStep {
		ar, ac := p.m, p.k
		if p.tA == blas.Trans {
			ar, ac = ac, ar
		}
		br, bc := p.k, p.n
		if p.tB == blas.Trans {
			br, bc = bc, br
		}
		o := &ops[i]
		o.a, o.lda = randMatrix(rng, ar, ac, 0)
		o.b, o.ldb = randMatrix(rng, br, bc, 0)
		o.c, o.ldc = randMatrix(rng, p.m, p.n, 0)
		flops += 2 * float64(p.m*p.n*p.k)
	}
	for _, impl := range []namedDgemm{{"gemm", Dgemm}, {"gonum", gonum.Implementation{}.Dgemm}} {
		b.Run(impl.name, func(b *testing.B) {
			for b.Loop() {
				for i, p := range mlpStep {
					o := &ops[i]
					impl.f(p.tA, p.tB, p.m, p.n, p.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/step")
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
