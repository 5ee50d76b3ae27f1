package kahler

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/datasets"
	"ansatz/hypersurface"
)

// Algebraic is the options of the model kind algebraic: the Kähler
// potential K = log(s†Hs)/(kπ) over the degree-k monomial sections s
// (modulo the polynomial), with H = M M† learned by gradient descent from
// H = identity (M a complex matrix, so H stays positive semi-definite).
type Algebraic struct {
	K int `yaml:"k" spec:">0" doc:"degree k of the sections (N_k = 5, 15, 35, 70, 125 on the quintic for k = 1…5)"`
}

// Validate checks the degree.
func (o *Algebraic) Validate() error {
	if o.K < 1 || o.K > 8 {
		return fmt.Errorf("k must be in [1, 8], got %d", o.K)
	}
	return nil
}

// sections returns the degree-k sections of the spec's hypersurface.
func sections(s architectures.State, k int) (*hypersurface.Sections, error) {
	h, ok := s.System.(*hypersurface.Hypersurface)
	if !ok {
		return nil, fmt.Errorf("needs a system of kind hypersurface, got %T", s.System)
	}
	return h.Sections(k)
}

// Build returns the algebraic metric with H = identity.
func (o *Algebraic) Build(s architectures.State, _ *rand.Rand) (architectures.Model, error) {
	sec, err := sections(s, o.K)
	if err != nil {
		return nil, fmt.Errorf("algebraic: %w", err)
	}
	return newAlgebraicModel(sec), nil
}

// AlgebraicModel is a built algebraic (or donaldson) metric.
type AlgebraicModel struct {
	// S are the sections.
	S *hypersurface.Sections
	// MRe, MIm are the real and imaginary parts of M [N_k, N_k], H = M M†.
	MRe, MIm *autodiff.Tensor
}

func newAlgebraicModel(sec *hypersurface.Sections) *AlgebraicModel {
	n := sec.Len()
	id := make([]float64, n*n)
	for i := range n {
		id[i*n+i] = 1
	}
	return &AlgebraicModel{S: sec, MRe: autodiff.Variable(id, n, n), MIm: autodiff.Variable(make([]float64, n*n), n, n)}
}

// Params returns M's real and imaginary parts.
func (a *AlgebraicModel) Params() []*autodiff.Tensor { return []*autodiff.Tensor{a.MRe, a.MIm} }

// UsesPsi is false: an algebraic metric belongs to one ψ.
func (a *AlgebraicModel) UsesPsi() bool { return false }

// H returns H = M M† (row-major, N_k × N_k).
func (a *AlgebraicModel) H() []complex128 {
	n := a.S.Len()
	re, im := a.MRe.Data(), a.MIm.Data()
	h := make([]complex128, n*n)
	for i := range n {
		for j := range n {
			var s complex128
			for k := range n {
				s += complex(re[i*n+k], im[i*n+k]) * complex(re[j*n+k], -im[j*n+k])
			}
			h[i*n+j] = s
		}
	}
	return h
}

// Metric returns g_ab̄ = (1/kπ)[∂_a∂̄_b Q/Q − ∂_aQ ∂̄_bQ/Q²], Q = s†Hs, with
// the sections and their derivatives along J evaluated in plain Go (they do
// not depend on the parameters).
func (a *AlgebraicModel) Metric(p Points) (autodiff.Complex, error) {
	b, m, k := p.X.Rows(), p.Coords(), p.Dim()
	n := a.S.Len()
	if a.S.M != m {
		return autodiff.Complex{}, fmt.Errorf("algebraic: sections of %d coordinates, points with %d", a.S.M, m)
	}
	x := p.X.Data()
	jr, ji := p.Pullback.Re.Data(), p.Pullback.Im.Data()
	sRe, sIm := make([]float64, b*n), make([]float64, b*n)
	dRe, dIm := make([]float64, b*k*n), make([]float64, b*k*n)
	z := make([]complex128, m)
	vals := make([]complex128, n)
	jac := make([]complex128, n*m)
	for r := range b {
		for i := range m {
			z[i] = complex(x[r*2*m+i], x[r*2*m+m+i])
		}
		a.S.Jacobian(z, vals, jac)
		for al := range n {
			sRe[r*n+al], sIm[r*n+al] = real(vals[al]), imag(vals[al])
		}
		for c := range k {
			for al := range n {
				var d complex128
				for i := range m {
					d += complex(jr[(r*k+c)*m+i], ji[(r*k+c)*m+i]) * jac[al*m+i]
				}
				dRe[(r*k+c)*n+al], dIm[(r*k+c)*n+al] = real(d), imag(d)
			}
		}
	}
	// v = s·conj(M) (the row vector of M†s), V_c = D_c·conj(M).
	mul := func(ar, ai []float64, rows int) autodiff.Complex {
		xr, xi := autodiff.New(ar, rows, n), autodiff.New(ai, rows, n)
		return autodiff.Complex{
			Re: autodiff.Add(autodiff.MatMul(xr, a.MRe), autodiff.MatMul(xi, a.MIm)),
			Im: autodiff.Sub(autodiff.MatMul(xi, a.MRe), autodiff.MatMul(xr, a.MIm)),
		}
	}
	v := mul(sRe, sIm, b)
	vd := mul(dRe, dIm, b*k)
	V := autodiff.Complex{Re: autodiff.Reshape(vd.Re, b, k, n), Im: autodiff.Reshape(vd.Im, b, k, n)}
	q := autodiff.SumAxis(autodiff.CAbs2(v), 1) // [B,1]
	G := autodiff.CBatchMatMul(V, autodiff.CConjTranspose(V))
	vcol := autodiff.CConj(autodiff.Complex{Re: autodiff.Reshape(v.Re, b, n, 1), Im: autodiff.Reshape(v.Im, b, n, 1)})
	c := autodiff.CBatchMatMul(V, vcol) // [B,k,1]: ∂_a Q
	cc := autodiff.CBatchMatMul(c, autodiff.CConjTranspose(c))
	invQ := autodiff.Pow(q, -1)
	scale := 1 / (float64(a.S.K) * math.Pi)
	re := autodiff.Scale(autodiff.Sub(autodiff.Mul(G.Re, invQ), autodiff.Mul(cc.Re, autodiff.Square(invQ))), scale)
	im := autodiff.Scale(autodiff.Sub(autodiff.Mul(G.Im, invQ), autodiff.Mul(cc.Im, autodiff.Square(invQ))), scale)
	return autodiff.Complex{Re: re, Im: im}, nil
}

// Donaldson is the options of the model kind donaldson: the algebraic
// metric whose H is the balanced metric from Donaldson's T-operator
// iteration on the training points (no gradient training: use train.steps:
// 0). H is stored in the parameters as its Cholesky factor M (H = M M†).
type Donaldson struct {
	K          int `yaml:"k" spec:">0" doc:"degree k of the sections"`
	Iterations int `yaml:"iterations" spec:">=0" doc:"number of T-operator iterations from H = identity"`
}

// NewDonaldson returns the defaults: k = 3, 10 iterations.
func NewDonaldson() *Donaldson { return &Donaldson{K: 3, Iterations: 10} }

// Validate checks the options.
func (o *Donaldson) Validate() error {
	if o.K < 1 || o.K > 8 {
		return fmt.Errorf("k must be in [1, 8], got %d", o.K)
	}
	if o.Iterations < 0 {
		return fmt.Errorf("iterations must be ≥ 0, got %d", o.Iterations)
	}
	return nil
}

// Build returns the metric with H = identity, to be fitted.
func (o *Donaldson) Build(s architectures.State, _ *rand.Rand) (architectures.Model, error) {
	h, ok := s.System.(*hypersurface.Hypersurface)
	if !ok {
		return nil, fmt.Errorf("donaldson: needs a system of kind hypersurface, got %T", s.System)
	}
	sec, err := h.Sections(o.K)
	if err != nil {
		return nil, fmt.Errorf("donaldson: %w", err)
	}
	return &DonaldsonModel{AlgebraicModel: newAlgebraicModel(sec), iterations: o.Iterations}, nil
}

// DonaldsonModel is the algebraic metric fitted by the T-operator.
type DonaldsonModel struct {
	*AlgebraicModel
	iterations int
	// History is the relative change of H at each iteration of the last Fit.
	History []float64
}

// Fit runs the T-operator iteration on the training points (one ψ value).
func (d *DonaldsonModel) Fit(train *datasets.Set, _ *rand.Rand) error {
	pts, err := pointsOf(train, nil)
	if err != nil {
		return fmt.Errorf("donaldson: %w", err)
	}
	alg, hist, err := hypersurface.Donaldson(pts, d.S, d.iterations)
	if err != nil {
		return err
	}
	n := d.S.Len()
	l, err := hypersurface.Cholesky(alg.H, n)
	if err != nil {
		return fmt.Errorf("donaldson: the balanced H: %w", err)
	}
	if len(l) != n*n {
		return errors.New("donaldson: unexpected Cholesky factor size")
	}
	for i, v := range l {
		d.MRe.Data()[i], d.MIm.Data()[i] = real(v), imag(v)
	}
	d.History = hist
	return nil
}

// Frozen returns the metric with detached parameters, for evaluation.
func (a *AlgebraicModel) Frozen() Metric {
	return &AlgebraicModel{S: a.S, MRe: a.MRe.Detach(), MIm: a.MIm.Detach()}
}
