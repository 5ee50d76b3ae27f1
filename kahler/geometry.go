package kahler

import (
	"fmt"
	"math"

	"ansatz/autodiff"
)

// Points is a batch of points on a hypersurface in P^n as the metric models
// see them (the layout of the data kind hypersurface_points): m = n+1
// homogeneous coordinates, n−1 local ones.
type Points struct {
	// X [B, 2m] holds Re z_0..Re z_n then Im z_0..Im z_n of the
	// patch-normalised point.
	X *autodiff.Tensor
	// Psi [B, 2] holds (Re ψ, Im ψ) of each point's hypersurface; nil when
	// the model does not use it.
	Psi *autodiff.Tensor
	// Pullback [B, n−1, m] is the Jacobian J[a][i] = ∂z_i/∂x_a.
	Pullback autodiff.Complex
}

// Coords is m = n+1, the number of homogeneous coordinates.
func (p Points) Coords() int { return p.X.Cols() / 2 }

// Dim is n−1, the complex dimension of the hypersurface.
func (p Points) Dim() int { return p.Pullback.Re.Shape()[1] }

// ComplexFromColumn reads a [B, 2·r·c] column holding Re then Im of r×c
// row-major matrices as a complex [B, r, c] tensor.
func ComplexFromColumn(col *autodiff.Tensor, r, c int) (autodiff.Complex, error) {
	if col.Rank() != 2 || col.Cols() != 2*r*c {
		return autodiff.Complex{}, fmt.Errorf("want a [B, %d] column of %d×%d complex matrices, got %v", 2*r*c, r, c, col.Shape())
	}
	b := col.Rows()
	return autodiff.Complex{
		Re: autodiff.Reshape(autodiff.Slice(col, 0, r*c), b, r, c),
		Im: autodiff.Reshape(autodiff.Slice(col, r*c, 2*r*c), b, r, c),
	}, nil
}

// identity returns b copies of the m×m identity, a constant [b, m, m].
func identity(b, m int) *autodiff.Tensor {
	d := make([]float64, b*m*m)
	for k := range b {
		for i := range m {
			d[k*m*m+i*m+i] = 1
		}
	}
	return autodiff.New(d, b, m, m)
}

// FubiniStudy returns the ambient Fubini–Study metric
// g_{ij̄} = (t/π)(|z|²δ_ij − z̄_i z_j)/|z|⁴ [B, m, m] at x [B, 2m], built from
// engine ops so that it can be differentiated with respect to x.
func FubiniStudy(x *autodiff.Tensor, t float64) autodiff.Complex {
	b, m := x.Rows(), x.Cols()/2
	zr := autodiff.Reshape(autodiff.Slice(x, 0, m), b, m, 1)
	zi := autodiff.Reshape(autodiff.Slice(x, m, 2*m), b, m, 1)
	zrT := autodiff.Reshape(zr, b, 1, m)
	ziT := autodiff.Reshape(zi, b, 1, m)
	// z̄_i z_j = (zr_i zr_j + zi_i zi_j) + i(zr_i zi_j − zi_i zr_j)
	outRe := autodiff.Add(autodiff.BatchMatMul(zr, zrT), autodiff.BatchMatMul(zi, ziT))
	outIm := autodiff.Sub(autodiff.BatchMatMul(zr, ziT), autodiff.BatchMatMul(zi, zrT))
	inv := autodiff.Pow(autodiff.SumAxis(autodiff.Square(x), 1), -1) // 1/|z|² [B,1]
	inv2 := autodiff.Square(inv)
	c := t / math.Pi
	re := autodiff.Scale(autodiff.Sub(autodiff.Mul(identity(b, m), inv), autodiff.Mul(outRe, inv2)), c)
	im := autodiff.Scale(autodiff.Neg(autodiff.Mul(outIm, inv2)), c)
	return autodiff.Complex{Re: re, Im: im}
}

// PullBack returns J g J† [B, n−1, n−1] for an ambient metric g [B, m, m] and
// the Jacobian J [B, n−1, m].
func PullBack(g, j autodiff.Complex) autodiff.Complex {
	return autodiff.CBatchMatMul(autodiff.CBatchMatMul(j, g), autodiff.CConjTranspose(j))
}

// hermitianIndex gives, for the n² real outputs of a network, the gather
// indices and signs that make them an n×n Hermitian matrix with cymetric's
// convention: Re h_ij = v[min(i,j)·n+max(i,j)] (upper triangle, symmetrised),
// Im h_ij = v[i·n+j] for i > j, −v[j·n+i] for i < j, 0 on the diagonal.
func hermitianIndex(n int) (re, im []int, sign []float64) {
	for i := range n {
		for j := range n {
			lo, hi := min(i, j), max(i, j)
			re = append(re, lo*n+hi)
			switch {
			case i > j:
				im = append(im, i*n+j)
				sign = append(sign, 1)
			case i < j:
				im = append(im, j*n+i)
				sign = append(sign, -1)
			default:
				im = append(im, i*n+j)
				sign = append(sign, 0)
			}
		}
	}
	return re, im, sign
}

// ToHermitian maps v [B, n²] to the Hermitian matrices [B, n, n] of
// cymetric's to_hermitian.
func ToHermitian(v *autodiff.Tensor, n int) autodiff.Complex {
	b := v.Rows()
	ri, ii, s := hermitianIndex(n)
	re := autodiff.Reshape(autodiff.Select(v, ri), b, n, n)
	im := autodiff.Reshape(autodiff.Mul(autodiff.Select(v, ii), autodiff.New(s, 1, n*n)), b, n, n)
	return autodiff.Complex{Re: re, Im: im}
}

// RealDet returns Re det g [B, 1] for Hermitian g [B, k, k] (k ≤ 4): the
// determinant of a Hermitian matrix is real.
func RealDet(g autodiff.Complex) *autodiff.Tensor {
	return autodiff.CDet(g).Re
}
