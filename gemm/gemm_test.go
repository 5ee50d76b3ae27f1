package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// dgemmCase is one product to check against gonum's reference Dgemm.
type dgemmCase struct {
	tA, tB           blas.Transpose
	m, n, k          int
	alpha, beta      float64
	padA, padB, padC int // extra columns beyond each matrix's width
}

func (tc dgemmCase) String() string {
	return fmt.Sprintf("%s%s/m=%d,n=%d,k=%d/alpha=%g,beta=%g/pad=%d,%d,%d",
		transName(tc.tA), transName(tc.tB), tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.padA, tc.padB, tc.padC)
}

// randMatrix returns a rows×cols row-major matrix with stride cols+pad,
// filled with normal deviates (padding included).
func randMatrix(rng *rand.Rand, rows, cols, pad int) ([]float64, int) {
	ld := max(cols+pad, 1)
	x := make([]float64, max(rows*ld, 1))
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x, ld
}

// check runs tc with the kernels ks and compares with gonum element by
// element, allowing 1e-12·k relative to |alpha|·|op(A)|·|op(B)| + |beta·C|.
// When beta is zero C starts out as NaN, which must be overwritten. The
// padding of C must be left alone.
func check(t *testing.T, ks *kernelSet, rng *rand.Rand, tc dgemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.tA != blas.NoTrans {
		ar, ac = ac, ar
	}
	br, bc := tc.k, tc.n
	if tc.tB != blas.NoTrans {
		br, bc = bc, br
	}
	a, lda := randMatrix(rng, ar, ac, tc.padA)
	b, ldb := randMatrix(rng, br, bc, tc.padB)
	c, ldc := randMatrix(rng, tc.m, tc.n, tc.padC)
	if tc.beta == 0 {
		for i := range tc.m {
			for j := range tc.n {
				c[i*ldc+j] = math.NaN()
			}
		}
	}
	want := append([]float64(nil), c...)
	ref := gonum.Implementation{}
	ref.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, want, ldc)

	// Scale of each element for the tolerance: |alpha|·|op(A)|·|op(B)| + |beta·C|.
	abs := func(x []float64) []float64 {
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = math.Abs(v)
			if math.IsNaN(v) {
				y[i] = 0
			}
		}
		return y
	}
	size := abs(c)
	ref.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, math.Abs(tc.alpha), abs(a), lda, abs(b), ldb, math.Abs(tc.beta), size, ldc)

	got := append([]float64(nil), c...)
	aT, bT := checkArgs(tc.tA, tc.tB, tc.m, tc.n, tc.k, a, lda, b, ldb, got, ldc)
	dgemm(ks, aT, bT, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, got, ldc)

	tol := 1e-12 * float64(max(tc.k, 1))
	for i := range got {
		if i%ldc >= tc.n || i/ldc >= tc.m {
			if got[i] != c[i] {
				t.Fatalf("%s %v: padding c[%d] changed from %v to %v", ks.name, tc, i, c[i], got[i])
			}
			continue
		}
		if d := math.Abs(got[i] - want[i]); !(d <= tol*size[i]+1e-300) {
			t.Fatalf("%s %v: c[%d][%d] = %v, want %v (diff %.3g, scale %.3g)",
				ks.name, tc, i/ldc, i%ldc, got[i], want[i], d, size[i])
		}
	}
}

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans}

// TestDgemmSizes checks every transpose combination on all size triples
// from {1, 2, 3, 7, 17, 200}, cycling through alpha, beta and padding.
func TestDgemmSizes(t *testing.T) {
	sizes := []int{1, 2, 3, 7, 17, 200}
	alphas := []float64{1, -0.5, 2.25}
	betas := []float64{0, 1, 0.75, -1.5}
	for _, ks := range availableKernels() {
		t.Run(ks.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			i := 0
			for _, m := range sizes {
				for _, n := range sizes {
					for _, k := range sizes {
						for _, tA := range transposes {
							for _, tB := range transposes {
								i++
								check(t, ks, rng, dgemmCase{
									tA: tA, tB: tB, m: m, n: n, k: k,
									alpha: alphas[i%len(alphas)], beta: betas[i/3%len(betas)],
									padA: i % 3, padB: i / 2 % 3, padC: i / 5 % 2 * 3,
								})
							}
						}
					}
				}
			}
		})
	}
}

// TestDgemmLarge checks products big enough to be blocked along k and n and
// split across goroutines, including the shapes of the reference MLP.
func TestDgemmLarge(t *testing.T) {
	shapes := []struct{ m, n, k int }{
		{1000, 200, 200},
		{200, 1000, 7},
		{17, 1000, 1000},
		{750, 200, 200},
		{200, 200, 750},
		{2, 200, 750},
		{200, 2, 750},
		{750, 1, 200},
		{1000, 1000, 3},
		{523, 611, 300},
	}
	for _, ks := range availableKernels() {
		t.Run(ks.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			for i, s := range shapes {
				for _, tA := range transposes {
					for _, tB := range transposes {
						check(t, ks, rng, dgemmCase{
							tA: tA, tB: tB, m: s.m, n: s.n, k: s.k,
							alpha: 1.5, beta: []float64{0, 1, -0.5}[i%3],
							padA: i % 2, padB: 1, padC: 2,
						})
					}
				}
			}
		})
	}
}

// TestDgemmAlphaBeta checks every alpha/beta combination of 0, 1 and another
// value, including alpha = 0 and k = 0, which only scale C.
func TestDgemmAlphaBeta(t *testing.T) {
	vals := []float64{0, 1, -2.5}
	for _, ks := range availableKernels() {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, alpha := range vals {
			for _, beta := range vals {
				for _, k := range []int{0, 1, 9} {
					check(t, ks, rng, dgemmCase{tA: blas.NoTrans, tB: blas.Trans, m: 11, n: 13, k: k, alpha: alpha, beta: beta, padC: 1})
					check(t, ks, rng, dgemmCase{tA: blas.Trans, tB: blas.NoTrans, m: 31, n: 45, k: k, alpha: alpha, beta: beta, padA: 2})
				}
			}
		}
	}
}

// TestDgemmNegativeZeroBeta checks that beta = -0 also overwrites NaNs in C,
// on every path (blocked, thin, scale-only).
func TestDgemmNegativeZeroBeta(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, ks := range availableKernels() {
		for _, s := range []struct{ m, n, k int }{{30, 50, 20}, {30, 2, 20}, {2, 50, 20}, {30, 50, 0}} {
			for _, alpha := range []float64{0, 2} {
				c := make([]float64, s.m*s.n)
				for i := range c {
					c[i] = math.NaN()
				}
				a := make([]float64, max(s.m*s.k, 1))
				b := make([]float64, max(s.k*s.n, 1))
				for i := range a {
					a[i] = 1
				}
				for i := range b {
					b[i] = 1
				}
				dgemm(ks, false, true, s.m, s.n, s.k, alpha, a, max(s.k, 1), b, max(s.k, 1), negZero, c, s.n)
				for i, v := range c {
					want := alpha * float64(s.k)
					if v != want {
						t.Fatalf("%s %v alpha=%v: c[%d] = %v, want %v", ks.name, s, alpha, i, v, want)
					}
				}
			}
		}
	}
}

// TestDgemmPanics checks that bad arguments panic with gonum's messages.
func TestDgemmPanics(t *testing.T) {
	x := make([]float64, 100)
	tests := []struct {
		name   string
		tA, tB blas.Transpose
		m, n   int
		k      int
		a      []float64
		lda    int
		b      []float64
		ldb    int
		c      []float64
		ldc    int
		want   string
	}{
		{"transpose", 'x', blas.NoTrans, 2, 2, 2, x, 2, x, 2, x, 2, badTranspose},
		{"m", blas.NoTrans, blas.NoTrans, -1, 2, 2, x, 2, x, 2, x, 2, mLT0},
		{"n", blas.NoTrans, blas.NoTrans, 2, -1, 2, x, 2, x, 2, x, 2, nLT0},
		{"k", blas.NoTrans, blas.NoTrans, 2, 2, -1, x, 2, x, 2, x, 2, kLT0},
		{"lda", blas.NoTrans, blas.NoTrans, 2, 2, 3, x, 2, x, 2, x, 2, badLdA},
		{"lda trans", blas.Trans, blas.NoTrans, 3, 2, 2, x, 2, x, 2, x, 2, badLdA},
		{"ldb", blas.NoTrans, blas.NoTrans, 2, 3, 2, x, 2, x, 2, x, 3, badLdB},
		{"ldc", blas.NoTrans, blas.NoTrans, 2, 3, 2, x, 2, x, 3, x, 2, badLdC},
		{"short a", blas.NoTrans, blas.NoTrans, 20, 2, 20, x, 20, x, 2, x, 2, shortA},
		{"short b", blas.NoTrans, blas.Trans, 2, 20, 20, x, 20, x, 20, x, 20, shortB},
		{"short c", blas.NoTrans, blas.NoTrans, 20, 20, 1, x, 1, x, 20, x, 20, shortC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tt.want {
					t.Errorf("panic %v, want %q", r, tt.want)
				}
			}()
			Dgemm(tt.tA, tt.tB, tt.m, tt.n, tt.k, 1, tt.a, tt.lda, tt.b, tt.ldb, 0, tt.c, tt.ldc)
		})
	}
}

// TestKernel checks that Kernel names the best available kernel family and
// that the fallback families are among those tested.
func TestKernel(t *testing.T) {
	ks := availableKernels()
	if got := Kernel(); got != ks[0].name {
		t.Errorf("Kernel() = %q, want %q", got, ks[0].name)
	}
	if last := ks[len(ks)-1].name; last != "generic" {
		t.Errorf("last kernel family %q, want generic", last)
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.name
	}
	t.Logf("kernel families tested on this CPU: %v", names)
}

// TestImplementation checks that Implementation satisfies blas.Float64 and
// that its Dgemm is this package's.
func TestImplementation(t *testing.T) {
	var impl blas.Float64 = Implementation{}
	a := []float64{1, 2, 3, 4}
	c := []float64{math.NaN(), 0, 0, 0}
	impl.Dgemm(blas.NoTrans, blas.NoTrans, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2)
	want := []float64{7, 10, 15, 22}
	for i := range c {
		if c[i] != want[i] {
			t.Fatalf("c = %v, want %v", c, want)
		}
	}
}

// TestDgemmConcurrent runs products from several goroutines at once (they
// share the pool of packing buffers) and checks each against gonum.
func TestDgemmConcurrent(t *testing.T) {
	const goroutines = 4
	errs := make(chan error, goroutines)
	for g := range goroutines {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			m, n, k := 150+g, 120, 90+7*g
			a, _ := randMatrix(rng, m, k, 0)
			b, _ := randMatrix(rng, k, n, 0)
			want := make([]float64, m*n)
			gonum.Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, want, n)
			for range 20 {
				got := make([]float64, m*n)
				Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, got, n)
				for i := range got {
					if math.Abs(got[i]-want[i]) > 1e-12*float64(k)*(1+math.Abs(want[i])) {
						errs <- fmt.Errorf("goroutine %d: c[%d] = %v, want %v", g, i, got[i], want[i])
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range goroutines {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestDgemmAllocs checks that single-goroutine products (blocked and thin)
// do not allocate once the buffer pool is warm.
func TestDgemmAllocs(t *testing.T) {
	for _, s := range []struct{ m, n, k int }{{60, 70, 80}, {500, 2, 300}, {3, 400, 300}} {
		a := make([]float64, s.m*s.k)
		b := make([]float64, s.k*s.n)
		c := make([]float64, s.m*s.n)
		run := func() { Dgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, a, s.k, b, s.n, 0, c, s.n) }
		run()
		if allocs := testing.AllocsPerRun(20, run); allocs != 0 {
			t.Errorf("%v: %v allocations per call, want 0", s, allocs)
		}
	}
	// AllocsPerRun runs with GOMAXPROCS=1; count a parallel product by hand.
	m, n, k := 750, 200, 200
	a := make([]float64, m*k)
	b := make([]float64, k*n)
	c := make([]float64, m*n)
	Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const calls = 20
	for range calls {
		Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
	}
	runtime.ReadMemStats(&after)
	t.Logf("750×200·200×200 with GOMAXPROCS=%d: %.1f allocations, %.0f bytes per call",
		runtime.GOMAXPROCS(0), float64(after.Mallocs-before.Mallocs)/calls, float64(after.TotalAlloc-before.TotalAlloc)/calls)
}
