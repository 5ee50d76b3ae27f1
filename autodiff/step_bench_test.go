package autodiff

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"

	kernels "ansatz/gemm"
)

// engineStep is the reference HNN training step written against the engine
// alone (no nn/optim, which import this package): MLP 2→200→200→1 with tanh,
// dH/dx recorded, the HNN loss, parameter gradients and an Adam update.
type engineStep struct {
	x, target *Tensor
	params    []*Tensor
	m, v      [][]float64
	t         int
	fused     bool // hidden layers as LinearTanh instead of Tanh(Linear)
}

func newEngineStep(batch int) *engineStep {
	rng := rand.New(rand.NewPCG(1, 2))
	s := &engineStep{
		x:      Variable(randTensor(rng, -1, 1, batch, 2).data, batch, 2),
		target: randTensor(rng, -1, 1, batch, 2),
	}
	for _, sh := range [][]int{{2, 200}, {1, 200}, {200, 200}, {1, 200}, {200, 1}} {
		scale := 1 / math.Sqrt(float64(sh[0]))
		s.params = append(s.params, Variable(randTensor(rng, -scale, scale, sh...).data, sh...))
		s.m = append(s.m, make([]float64, sh[0]*sh[1]))
		s.v = append(s.v, make([]float64, sh[0]*sh[1]))
	}
	return s
}

func (s *engineStep) loss() (*Tensor, error) {
	p := s.params
	var h *Tensor
	if s.fused {
		h = LinearTanh(LinearTanh(s.x, p[0], p[1]), p[2], p[3])
	} else {
		h = Tanh(Linear(Tanh(Linear(s.x, p[0], p[1])), p[2], p[3]))
	}
	H := MatMul(h, p[4])
	dH, err := Grad(Sum(H), []*Tensor{s.x}, CreateGraph())
	if err != nil {
		return nil, err
	}
	pred := Concat(Col(dH[0], 1), Neg(Col(dH[0], 0)))
	return Mean(Square(Sub(pred, s.target))), nil
}

func (s *engineStep) step() (float64, error) {
	l, err := s.loss()
	if err != nil {
		return 0, err
	}
	g, err := Grad(l, s.params)
	if err != nil {
		return 0, err
	}
	s.t++
	const lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8
	c1, c2 := 1-math.Pow(b1, float64(s.t)), 1-math.Pow(b2, float64(s.t))
	for i, p := range s.params {
		m, v, gd := s.m[i], s.v[i], g[i].data
		for j, gj := range gd {
			m[j] = b1*m[j] + (1-b1)*gj
			v[j] = b2*v[j] + (1-b2)*gj*gj
			p.data[j] -= lr * (m[j] / c1) / (math.Sqrt(v[j]/c2) + eps)
		}
	}
	return l.Item(), nil
}

func TestEngineStepLearns(t *testing.T) {
	s := newEngineStep(64)
	s.fused = true
	first, err := s.step()
	if err != nil {
		t.Fatal(err)
	}
	var last float64
	for range 50 {
		if last, err = s.step(); err != nil {
			t.Fatal(err)
		}
	}
	if !(last < first) {
		t.Errorf("loss did not decrease: %v → %v", first, last)
	}
}

// timedBLAS wraps a BLAS implementation and adds up the time spent in Dgemm.
type timedBLAS struct {
	blas.Float64
	gemm time.Duration
}

func (t *timedBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	start := time.Now()
	t.Float64.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	t.gemm += time.Since(start)
}

// BenchmarkEngineHNNStep times the reference step and reports the time spent
// outside GEMM per step (ms) and as a share of the step, on gonum's Dgemm and
// on the gemm package's kernels.
func BenchmarkEngineHNNStep(b *testing.B) {
	for _, k := range []struct {
		name string
		impl blas.Float64
	}{{"gemm=gonum", gonum.Implementation{}}, {"gemm=" + kernels.Kernel(), kernels.Implementation{}}} {
		for _, fused := range []bool{false, true} {
			name := k.name + "/Tanh(Linear)"
			if fused {
				name = k.name + "/LinearTanh"
			}
			b.Run(name, func(b *testing.B) { benchmarkEngineStep(b, k.impl, fused) })
		}
	}
}

func benchmarkEngineStep(b *testing.B, impl blas.Float64, fused bool) {
	s := newEngineStep(750)
	s.fused = fused
	timed := &timedBLAS{Float64: impl}
	old := blas64.Implementation()
	blas64.Use(timed)
	defer blas64.Use(old)
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := s.step(); err != nil {
			b.Fatal(err)
		}
	}
	total := time.Since(start)
	outside := total - timed.gemm
	b.ReportMetric(float64(outside.Microseconds())/1e3/float64(b.N), "ms-outside-gemm/op")
	b.ReportMetric(100*outside.Seconds()/total.Seconds(), "%-outside-gemm")
}
