package hypersurface

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// maxLineRetries bounds the number of consecutive rejected lines (a line
// whose univariate polynomial is degenerate or whose roots do not polish).
const maxLineRetries = 100

// Sample draws count points of the hypersurface h by Shiffman–Zelditch line
// sampling (as cymetric): two points uniform on S^{2n+1} ⊂ C^{n+1} span a
// random line p0 + t p1; its d intersections with X are the roots of the
// univariate polynomial f(t) = p(p0 + t p1), found as eigenvalues of the
// companion matrix (gonum mat.Eigen on the real 2d×2d form of the complex
// companion matrix) and polished by Newton's method on f evaluated through
// the full polynomial p. Every root gives a point; count need not be a
// multiple of d (the last line contributes only the first roots needed).
// The points are distributed with the Fubini–Study volume form of X.
//
// The random draws are, per line: 2(n+1) standard normals for p0 (real and
// imaginary parts interleaved per coordinate), then 2(n+1) for p1. A line
// whose roots cannot be polished to a relative residual of 1e-9, whose
// roots coincide or whose leading coefficient vanishes is discarded and the
// next one drawn (this happens with probability zero; after 100 discarded
// lines in a row Sample fails).
//
// For each point Sample fills Points (patch, eliminated coordinate, Ω,
// pullback, weight, the alternative chart); Psi is set to psi.
func Sample(h *Hypersurface, count int, psi complex128, rng *rand.Rand) (*Points, error) {
	if count < 0 {
		return nil, fmt.Errorf("sample: count must be ≥ 0, got %d", count)
	}
	poly := h.Polynomial()
	m := poly.NumVars()
	d := poly.Degree()
	if d < 1 {
		return nil, errors.New("sample: the polynomial has degree 0")
	}
	pts := newPoints(count, m)
	ls := newLineSampler(poly)
	filled := 0
	retries := 0
	for filled < count {
		roots, err := ls.line(rng)
		if err != nil {
			retries++
			if retries >= maxLineRetries {
				return nil, fmt.Errorf("sample: %d consecutive lines failed: %w", retries, err)
			}
			continue
		}
		retries = 0
		for _, z := range roots {
			if filled == count {
				break
			}
			if err := pts.set(filled, poly, z, psi, float64(d)); err != nil {
				return nil, fmt.Errorf("sample: point %d: %w", filled, err)
			}
			filled++
		}
	}
	return pts, nil
}

func newPoints(n, m int) *Points {
	dim := m - 2
	return &Points{
		N: n, M: m, Dim: dim,
		Z: make([]complex128, n*m), Patch: make([]int, n), Elim: make([]int, n),
		Omega: make([]complex128, n), Pullback: make([]complex128, n*dim*m),
		Weight: make([]float64, n), Psi: make([]complex128, n),
		AltZ: make([]complex128, n*m), AltPatch: make([]int, n), AltElim: make([]int, n),
		AltPullback: make([]complex128, n*dim*m), AltTransition: make([]complex128, n*dim*dim),
	}
}

// set fills row i from the (unnormalised) point z of X. vol is the
// intersection number V of the weights.
func (p *Points) set(i int, poly *Polynomial, z []complex128, psi complex128, vol float64) error {
	m, dim := p.M, p.Dim
	zi := p.Z[i*m : (i+1)*m]
	patch, second := largestTwo(z)
	s := 1 / z[patch]
	for k, v := range z {
		zi[k] = v * s
	}
	zi[patch] = 1
	grad := make([]complex128, m)
	poly.Gradient(zi, grad)
	elim := argmaxExcept(grad, patch)
	if grad[elim] == 0 {
		return fmt.Errorf("the gradient of p vanishes at %v: the hypersurface is singular there", zi)
	}
	c := NewChart(m, patch, elim)
	jac := p.Pullback[i*dim*m : (i+1)*dim*m]
	c.Jacobian(grad, jac)
	p.Patch[i], p.Elim[i] = patch, elim
	p.Omega[i] = 1 / grad[elim]
	p.Psi[i] = psi

	g := make([]complex128, m*m)
	FubiniStudy{T: 1}.Ambient(zi, g)
	pb := make([]complex128, dim*dim)
	PullBack(jac, dim, m, g, pb)
	det := DetHermitian(pb, dim)
	w := vol * abs2(p.Omega[i]) / det
	if !(det > 0) || math.IsInf(w, 0) || math.IsNaN(w) {
		return fmt.Errorf("degenerate Fubini–Study pullback (det %g) at %v", det, zi)
	}
	p.Weight[i] = w

	// The alternative chart: the coordinate of second-largest modulus.
	za := p.AltZ[i*m : (i+1)*m]
	s = 1 / zi[second]
	for k, v := range zi {
		za[k] = v * s
	}
	za[second] = 1
	poly.Gradient(za, grad)
	altElim := argmaxExcept(grad, second)
	if grad[altElim] == 0 {
		return fmt.Errorf("the gradient of p vanishes at %v: the hypersurface is singular there", zi)
	}
	alt := NewChart(m, second, altElim)
	altJac := p.AltPullback[i*dim*m : (i+1)*dim*m]
	alt.Jacobian(grad, altJac)
	p.AltPatch[i], p.AltElim[i] = second, altElim
	Transition(c, za, altJac, p.AltTransition[i*dim*dim:(i+1)*dim*dim])
	return nil
}

// largestTwo returns the indices of the largest and second-largest |z_k|
// (the first index on ties).
func largestTwo(z []complex128) (first, second int) {
	first, second = 0, -1
	for k := 1; k < len(z); k++ {
		if abs2(z[k]) > abs2(z[first]) {
			first, second = k, first
		} else if second < 0 || abs2(z[k]) > abs2(z[second]) {
			second = k
		}
	}
	return first, second
}

// argmaxExcept returns argmax_k |v_k| over k ≠ skip (the first on ties).
func argmaxExcept(v []complex128, skip int) int {
	best := -1
	for k, x := range v {
		if k == skip {
			continue
		}
		if best < 0 || abs2(x) > abs2(v[best]) {
			best = k
		}
	}
	return best
}

// lineSampler holds the work space of the line sampling.
type lineSampler struct {
	poly   *Polynomial
	m, d   int
	p0, p1 []complex128
	coef   []complex128 // f(t) = Σ coef[k] t^k
	term   []complex128
	comp   *mat.Dense // real form of the companion matrix
	eig    mat.Eigen
	grad   []complex128
	z      []complex128
}

func newLineSampler(poly *Polynomial) *lineSampler {
	m, d := poly.NumVars(), poly.Degree()
	return &lineSampler{
		poly: poly, m: m, d: d,
		p0: make([]complex128, m), p1: make([]complex128, m),
		coef: make([]complex128, d+1), term: make([]complex128, d+1),
		comp: mat.NewDense(2*d, 2*d, nil),
		grad: make([]complex128, m), z: make([]complex128, m),
	}
}

// sphere draws a point uniform on the unit sphere of C^m.
func sphere(rng *rand.Rand, v []complex128) {
	for {
		n2 := 0.0
		for k := range v {
			v[k] = complex(rng.NormFloat64(), rng.NormFloat64())
			n2 += abs2(v[k])
		}
		if n2 > 0 {
			s := complex(1/math.Sqrt(n2), 0)
			for k := range v {
				v[k] *= s
			}
			return
		}
	}
}

// line draws a random line and returns its d intersection points with X.
func (ls *lineSampler) line(rng *rand.Rand) ([][]complex128, error) {
	sphere(rng, ls.p0)
	sphere(rng, ls.p1)
	ls.expand()
	d := ls.d
	lead := ls.coef[d]
	scale := 0.0
	for _, c := range ls.coef {
		scale = max(scale, cmplx.Abs(c))
	}
	if cmplx.Abs(lead) <= 1e-10*scale {
		return nil, errors.New("degenerate line (vanishing leading coefficient)")
	}
	roots, err := ls.roots()
	if err != nil {
		return nil, err
	}
	out := make([][]complex128, 0, d)
	for k, t := range roots {
		t, ok := ls.polish(t)
		if !ok {
			return nil, fmt.Errorf("root %d did not polish", k)
		}
		roots[k] = t
	}
	for a := range roots {
		for b := range a {
			if cmplx.Abs(roots[a]-roots[b]) <= 1e-7*(1+cmplx.Abs(roots[a])) {
				return nil, errors.New("coincident roots")
			}
		}
	}
	for _, t := range roots {
		z := make([]complex128, ls.m)
		for k := range z {
			z[k] = ls.p0[k] + t*ls.p1[k]
		}
		out = append(out, z)
	}
	return out, nil
}

// expand computes the coefficients of f(t) = p(p0 + t p1).
func (ls *lineSampler) expand() {
	clear(ls.coef)
	for _, mono := range ls.poly.Terms {
		// term(t) = c Π_i (a_i + t b_i)^{e_i}
		clear(ls.term)
		ls.term[0] = mono.Coeff
		deg := 0
		for i, e := range mono.Exp {
			a, b := ls.p0[i], ls.p1[i]
			for range e {
				// multiply term by (a + t b)
				for k := deg + 1; k >= 1; k-- {
					ls.term[k] = ls.term[k]*a + ls.term[k-1]*b
				}
				ls.term[0] *= a
				deg++
			}
		}
		for k := 0; k <= deg; k++ {
			ls.coef[k] += ls.term[k]
		}
	}
}

// roots returns the d roots of f: the eigenvalues of the companion matrix
// C of the monic polynomial, computed from the real 2d×2d matrix
// [[Re C, −Im C], [Im C, Re C]] whose spectrum is σ(C) ∪ conj σ(C). Of each
// conjugate pair {μ, μ̄} (those with Im μ ≥ 0 taken in order) the one with
// the smaller |f| is a root of f.
func (ls *lineSampler) roots() ([]complex128, error) {
	d := ls.d
	if d == 1 {
		return []complex128{-ls.coef[0] / ls.coef[1]}, nil
	}
	c := ls.comp
	c.Zero()
	lead := ls.coef[d]
	// Companion matrix: ones on the subdiagonal, last column −coef[k]/lead.
	set := func(i, j int, v complex128) {
		c.Set(i, j, real(v))
		c.Set(i+d, j+d, real(v))
		c.Set(i, j+d, -imag(v))
		c.Set(i+d, j, imag(v))
	}
	for i := 1; i < d; i++ {
		set(i, i-1, 1)
	}
	for i := range d {
		set(i, d-1, -ls.coef[i]/lead)
	}
	if ok := ls.eig.Factorize(c, mat.EigenNone); !ok {
		return nil, errors.New("eigenvalue decomposition failed")
	}
	vals := ls.eig.Values(nil)
	// Eigenvalues of a real matrix come in conjugate pairs; keep one per pair.
	var upper []complex128
	var realVals []complex128
	for _, v := range vals {
		switch {
		case imag(v) > 0:
			upper = append(upper, v)
		case imag(v) == 0:
			realVals = append(realVals, v)
		}
	}
	// Real eigenvalues appear twice (once from C, once from conj C): keep
	// every other one after sorting.
	sortReal(realVals)
	for k := 0; k < len(realVals); k += 2 {
		upper = append(upper, realVals[k])
	}
	if len(upper) != d {
		return nil, fmt.Errorf("companion matrix gave %d root candidates for degree %d", len(upper), d)
	}
	out := make([]complex128, d)
	for k, mu := range upper {
		if cmplx.Abs(horner(ls.coef, cmplx.Conj(mu))) < cmplx.Abs(horner(ls.coef, mu)) {
			mu = cmplx.Conj(mu)
		}
		out[k] = mu
	}
	return out, nil
}

func sortReal(v []complex128) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && real(v[j]) < real(v[j-1]); j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// horner evaluates Σ c[k] t^k.
func horner(c []complex128, t complex128) complex128 {
	var s complex128
	for k := len(c) - 1; k >= 0; k-- {
		s = s*t + c[k]
	}
	return s
}

// polish refines the root t of f(t) = p(p0 + t p1) by Newton's method on
// the full polynomial, until |p(z)| ≤ 1e-12·Σ|terms| or 20 steps; it
// reports whether the relative residual reached 1e-10.
func (ls *lineSampler) polish(t complex128) (complex128, bool) {
	var rel float64
	for range 20 {
		for k := range ls.z {
			ls.z[k] = ls.p0[k] + t*ls.p1[k]
		}
		f := ls.poly.Gradient(ls.z, ls.grad)
		rel = cmplx.Abs(f) / ls.poly.Scale(ls.z)
		if rel <= 1e-13 {
			return t, true
		}
		var df complex128
		for k, g := range ls.grad {
			df += g * ls.p1[k]
		}
		if df == 0 {
			break
		}
		step := f / df
		t -= step
		if cmplx.Abs(step) <= 1e-15*(1+cmplx.Abs(t)) {
			// Converged to rounding: check the residual once more.
			for k := range ls.z {
				ls.z[k] = ls.p0[k] + t*ls.p1[k]
			}
			f = ls.poly.Eval(ls.z)
			rel = cmplx.Abs(f) / ls.poly.Scale(ls.z)
			break
		}
	}
	return t, rel <= 1e-10
}
