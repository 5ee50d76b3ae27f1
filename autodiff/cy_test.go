package autodiff

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The Calabi–Yau chain: a Kähler potential K(z, z̄) given by a small network of
// the real coordinates, its complex Hessian g = ∂∂̄K built from the real
// Hessian, log det g, a mean over the batch. The gradient of that with respect
// to the network parameters involves third derivatives of the network; the
// second-order check of the FD harness differentiates once more.

// kahler returns K(x) = ½|x|² + 0.3·tanh(x·W1 + b1)·W2 per row, x [B,4] the real
// coordinates (x₁, y₁, x₂, y₂) of z ∈ C².
func kahler(x, w1, b1, w2 *Tensor) *Tensor {
	quad := Scale(SumAxis(Square(x), 1), 0.5)
	return Add(quad, Scale(MatMul(Tanh(Linear(x, w1, b1)), w2), 0.3))
}

// complexHessian returns g_{ij̄} = ∂²K/∂z_i∂z̄_j = ¼[(K_{xᵢxⱼ} + K_{yᵢyⱼ}) +
// i(K_{xᵢyⱼ} − K_{yᵢxⱼ})] from the real Hessian H [B,4,4].
func complexHessian(H *Tensor) Complex {
	b := H.shape[0]
	flat := Reshape(H, b, 16)
	var xx, yy, xy, yx []int
	for i := range 2 {
		for j := range 2 {
			xx = append(xx, (2*i)*4+2*j)
			yy = append(yy, (2*i+1)*4+2*j+1)
			xy = append(xy, (2*i)*4+2*j+1)
			yx = append(yx, (2*i+1)*4+2*j)
		}
	}
	re := Scale(Add(Select(flat, xx), Select(flat, yy)), 0.25)
	im := Scale(Sub(Select(flat, xy), Select(flat, yx)), 0.25)
	return Complex{Reshape(re, b, 2, 2), Reshape(im, b, 2, 2)}
}

// cyLoss returns mean log det g over the batch, using CLogAbsDet or, if real,
// the real 4×4 Hessian's LogAbsDet.
func cyLoss(xs []*Tensor, complexDet bool) *Tensor {
	x := asInput(xs[0])
	H, err := Hessian(kahler(x, xs[1], xs[2], xs[3]), x, true)
	if err != nil {
		panic(err)
	}
	if complexDet {
		return Mean(CLogAbsDet(complexHessian(H)))
	}
	return Mean(LogAbsDet(H))
}

func TestCalabiYauChainFD(t *testing.T) {
	shapes := [][]int{{3, 4}, {4, 6}, {1, 6}, {6, 1}}
	for _, c := range []fdCase{
		{name: "complex", shapes: shapes, f: one(func(xs []*Tensor) *Tensor { return cyLoss(xs, true) })},
		{name: "real", shapes: shapes, f: one(func(xs []*Tensor) *Tensor { return cyLoss(xs, false) })},
	} {
		t.Run(c.name, func(t *testing.T) { runFD(t, c) })
	}
}

func TestComplexHessianClosedForm(t *testing.T) {
	// For K = Σ_i |z_i|² + |z₁|²|z₂|², g = [[1+|z₂|², z̄₁z₂], [z₁z̄₂, 1+|z₁|²]]
	// (g_{ij̄} = ∂_i∂_j̄ K), Hermitian with det 1 + |z₁|² + |z₂|².
	rng := rand.New(rand.NewPCG(11, 12))
	x := Variable(randTensor(rng, -1, 1, 5, 4).data, 5, 4)
	a2 := Add(Square(Col(x, 0)), Square(Col(x, 1)))
	b2 := Add(Square(Col(x, 2)), Square(Col(x, 3)))
	K := Add(Add(a2, b2), Mul(a2, b2))
	H, err := Hessian(K, x, true)
	if err != nil {
		t.Fatal(err)
	}
	g := complexHessian(H)
	d := CDet(g)
	for q := range 5 {
		z1 := complex(x.At(q, 0), x.At(q, 1))
		z2 := complex(x.At(q, 2), x.At(q, 3))
		want := [2][2]complex128{
			{1 + complex(real(z2)*real(z2)+imag(z2)*imag(z2), 0), conj(z1) * z2},
			{z1 * conj(z2), 1 + complex(real(z1)*real(z1)+imag(z1)*imag(z1), 0)},
		}
		for i := range 2 {
			for j := range 2 {
				got := complex(g.Re.At(q, i, j), g.Im.At(q, i, j))
				if diff := got - want[i][j]; math.Hypot(real(diff), imag(diff)) > 1e-13 {
					t.Errorf("g[%d][%d][%d] = %v, want %v", q, i, j, got, want[i][j])
				}
			}
		}
		wantDet := 1 + real(z1*conj(z1)) + real(z2*conj(z2))
		if math.Abs(d.Re.data[q]-wantDet) > 1e-13 || math.Abs(d.Im.data[q]) > 1e-13 {
			t.Errorf("det g = %v%+vi, want %v", d.Re.data[q], d.Im.data[q], wantDet)
		}
	}
}

func conj(z complex128) complex128 { return complex(real(z), -imag(z)) }
