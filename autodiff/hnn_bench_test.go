package autodiff_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"

	"ansatz/autodiff"
	"ansatz/gemm"
	"ansatz/nn"
	"ansatz/optim"
)

// hnnLoss is the Hamiltonian-neural-network loss of Greydanus et al. (2019)
// for a network H(q, p) on a batch x [B, 2] (column 0 = q, column 1 = p)
// whose targets are the time derivatives (q̇, ṗ) [B, 2]:
//
//	dH    = ∂(Σ_b H(x_b))/∂x       (one backward pass, recorded: CreateGraph)
//	field = (∂H/∂p, −∂H/∂q)         (the symplectic gradient)
//	loss  = mean((field − target)²) (their L2_loss: mean over all B·2 entries)
//
// x must be a Variable. Differentiating the loss with respect to the
// parameters is a second-order derivative of H.
func hnnLoss(h func(*autodiff.Tensor) *autodiff.Tensor, x, target *autodiff.Tensor) (*autodiff.Tensor, error) {
	g, err := autodiff.Grad(autodiff.Sum(h(x)), []*autodiff.Tensor{x}, autodiff.CreateGraph())
	if err != nil {
		return nil, err
	}
	dH := g[0]
	field := autodiff.Concat(autodiff.Col(dH, 1), autodiff.Neg(autodiff.Col(dH, 0)))
	return autodiff.Mean(autodiff.Square(autodiff.Sub(field, target))), nil
}

// springBatch returns n phase-space points x [n, 2] (a Variable) with
// Gaussian coordinates and, as targets [n, 2], the exact field of the
// reference spring H = q² + p²: (q̇, ṗ) = (2p, −2q).
func springBatch(rng *rand.Rand, n int) (x, target *autodiff.Tensor) {
	xs, ts := make([]float64, 2*n), make([]float64, 2*n)
	for i := range n {
		q, p := rng.NormFloat64(), rng.NormFloat64()
		xs[2*i], xs[2*i+1] = q, p
		ts[2*i], ts[2*i+1] = 2*p, -2*q
	}
	return autodiff.Variable(xs, n, 2), autodiff.New(ts, n, 2)
}

// BenchmarkHNNStep times one full training step of the HNN reference setup
// (PHYSICS.md §1): MLP 2→200→200→1 tanh, orthogonal init, last layer without
// bias; batch 750; forward, input gradient with CreateGraph, HNN loss,
// parameter gradients, Adam (lr 1e-3, weight decay 1e-4). Profile with
//
//	go test -run '^$' -bench HNNStep -cpuprofile cpu.out ./autodiff
//
// Sub-benchmarks run the step on gonum's pure-Go Dgemm and on ansatz's gemm
// kernels (the ones the ansatz command installs), so benchstat compares them.
func BenchmarkHNNStep(b *testing.B) {
	for _, k := range []struct {
		name string
		impl blas.Float64
	}{{"gemm=gonum", gonum.Implementation{}}, {"gemm=" + gemm.Kernel(), gemm.Implementation{}}} {
		b.Run(k.name, func(b *testing.B) {
			old := blas64.Implementation()
			blas64.Use(k.impl)
			defer blas64.Use(old)
			benchmarkHNNStep(b)
		})
	}
}

func benchmarkHNNStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	mlp, err := nn.NewMLP(rng, nn.NewMLPConfig(2, 1))
	if err != nil {
		b.Fatal(err)
	}
	x, target := springBatch(rng, 750)
	opt := optim.NewAdam()
	opt.WeightDecay = 1e-4
	params := mlp.Params()
	b.ReportAllocs()
	for b.Loop() {
		loss, err := hnnLoss(mlp.Forward, x, target)
		if err != nil {
			b.Fatal(err)
		}
		grads, err := autodiff.Grad(loss, params)
		if err != nil {
			b.Fatal(err)
		}
		if err := opt.Step(params, grads); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHNNLossGradientFD checks the gradient of the HNN loss with respect to
// every weight and bias of a 2→16→16→1 tanh MLP (orthogonal init, no output
// bias, hidden biases set to random non-zero values) against central finite
// differences on each of the 336 parameters in turn. The fourth-order central
// stencil (L(w−2h) − 8L(w−h) + 8L(w+h) − L(w+2h))/12h with h = 1e-3 has
// truncation error O(h⁴) ≈ 1e-12 and rounding error ≈ 1e-16·L/h ≈ 1e-12, far
// below the tolerance: relative error ≤ 1e-6 per parameter, relative to
// max(|FD|, 1e-3·max|FD|) so that near-zero components are judged against
// the gradient's scale.
func TestHNNLossGradientFD(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	mlp, err := nn.NewMLP(rng, nn.MLPConfig{In: 2, Hidden: []int{16, 16}, Out: 1})
	if err != nil {
		t.Fatal(err)
	}
	params := mlp.Params()
	for _, l := range mlp.Layers {
		if l.B != nil {
			for j := range l.B.Data() {
				l.B.Data()[j] = 0.5 * rng.NormFloat64()
			}
		}
	}
	x, target := springBatch(rng, 24)
	lossValue := func() float64 {
		loss, err := hnnLoss(mlp.Forward, x, target)
		if err != nil {
			t.Fatal(err)
		}
		return loss.Item()
	}
	loss, err := hnnLoss(mlp.Forward, x, target)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := autodiff.Grad(loss, params)
	if err != nil {
		t.Fatal(err)
	}

	const h = 1e-3
	var analytic, fd []float64
	var names []string
	for i, p := range params {
		d := p.Data()
		for j := range d {
			w := d[j]
			at := func(dw float64) float64 {
				d[j] = w + dw
				return lossValue()
			}
			fd = append(fd, (at(-2*h)-8*at(-h)+8*at(h)-at(2*h))/(12*h))
			d[j] = w
			analytic = append(analytic, grads[i].Data()[j])
			names = append(names, paramName(i, j, p))
		}
	}
	if len(fd) != 2*16+16+16*16+16+16 {
		t.Fatalf("checked %d parameters, want 336", len(fd))
	}
	scale := 0.0
	for _, v := range fd {
		scale = math.Max(scale, math.Abs(v))
	}
	worst, worstAt := 0.0, ""
	for k := range fd {
		rel := math.Abs(analytic[k]-fd[k]) / math.Max(math.Abs(fd[k]), 1e-3*scale)
		if rel > worst {
			worst, worstAt = rel, names[k]
		}
		if rel > 1e-6 {
			t.Errorf("%s: analytic %.12g, finite difference %.12g (relative error %.2g)", names[k], analytic[k], fd[k], rel)
		}
	}
	t.Logf("loss %.6g, max |∂L/∂w| %.3g, worst relative error %.2g at %s", loss.Item(), scale, worst, worstAt)
}

// paramName labels element j of parameter i of an MLP (order W0, b0, W1, …)
// for error messages.
func paramName(i, j int, p *autodiff.Tensor) string {
	kind := "W"
	if i%2 == 1 {
		kind = "b"
	}
	return fmt.Sprintf("%s%d[%d,%d]", kind, i/2, j/p.Cols(), j%p.Cols())
}
