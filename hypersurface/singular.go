package hypersurface

import (
	"cmp"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
)

// Hessian writes ∂²p/∂z_i∂z_k into hess (m×m row-major), computed on the
// monomials.
func (p *Polynomial) Hessian(z, hess []complex128) {
	p.checkLen(z)
	m := len(z)
	clear(hess[:m*m])
	e := make([]int, m)
	for _, t := range p.Terms {
		for i := range m {
			for k := i; k < m; k++ {
				copy(e, t.Exp)
				c := float64(e[i])
				e[i]--
				c *= float64(e[k])
				e[k]--
				if c == 0 {
					continue
				}
				v := t.Coeff * complex(c, 0) * monomial(z, e)
				hess[i*m+k] += v
				if k != i {
					hess[k*m+i] += v
				}
			}
		}
	}
}

// gradientRatio returns ‖∇p(z)‖/(‖z‖_∞^{d−1} Σ_k |c_k|), a scale-free
// measure of how close z is to a singular point (0 there). The terms' own
// size Σ|c_k m_k(z)| is no scale here: at a singular point such as
// (1:0:0:0:0) of z0³z1z2 + z1⁵ + … every term vanishes too.
func gradientRatio(p *Polynomial, z, grad []complex128) float64 {
	p.Gradient(z, grad)
	g := 0.0
	for _, v := range grad {
		g += abs2(v)
	}
	c, zmax := 0.0, 0.0
	for _, t := range p.Terms {
		c += cmplx.Abs(t.Coeff)
	}
	for _, v := range z {
		zmax = max(zmax, cmplx.Abs(v))
	}
	return math.Sqrt(g) / (c * math.Pow(zmax, float64(p.Degree()-1)))
}

// singularTol is the gradient ratio below which a point counts as singular.
const singularTol = 1e-9

// FindSingular looks for a singular point of X (∇p = 0; by Euler's
// identity p = 0 there too): it samples 400 points of X, takes the 8 with
// the smallest ‖∇p‖ and runs damped Gauss–Newton on ∇p = 0 in the
// patch of each. It returns the patch-normalised point and true if one
// converges to ‖∇p‖ ≤ 1e-9·Σ|c_k| (patch-normalised z). Singularities far from every sampled
// point can be missed; the search is a guard, not a proof of smoothness.
// For the Dwork quintic z_0⁵+…+z_4⁵ − 5ψ z_0⋯z_4 it finds the conifold
// points at ψ⁵ = 1.
func FindSingular(h *Hypersurface, rng *rand.Rand) ([]complex128, bool) {
	const samples, starts = 400, 8
	p := h.Polynomial()
	m := p.NumVars()
	pts, err := Sample(h, samples, 0, rng)
	if err != nil {
		// Sampling itself failed, which happens only at a singular or
		// degenerate polynomial: report the failure as a singularity
		// with no point.
		return nil, true
	}
	grad := make([]complex128, m)
	type cand struct {
		i int
		r float64
	}
	cands := make([]cand, pts.N)
	for i := range pts.N {
		cands[i] = cand{i, gradientRatio(p, pts.Point(i), grad)}
	}
	slices.SortFunc(cands, func(a, b cand) int { return cmp.Compare(a.r, b.r) })
	for _, c := range cands[:min(starts, len(cands))] {
		z := slices.Clone(pts.Point(c.i))
		if c.r <= singularTol {
			return z, true
		}
		if gaussNewtonSingular(p, z, pts.Patch[c.i]) {
			return z, true
		}
	}
	return nil, false
}

// gaussNewtonSingular minimises ‖∇p(z)‖² over the chart z_patch = 1 from z
// (modified in place) by Levenberg–Marquardt steps; it reports whether the
// gradient ratio fell below singularTol.
func gaussNewtonSingular(p *Polynomial, z []complex128, patch int) bool {
	m := len(z)
	grad := make([]complex128, m)
	hess := make([]complex128, m*m)
	free := make([]int, 0, m-1)
	for k := range m {
		if k != patch {
			free = append(free, k)
		}
	}
	n := len(free)
	a := make([]complex128, n*n)
	b := make([]complex128, n)
	lambda := 1e-3
	r := gradientRatio(p, z, grad)
	for range 200 {
		if r <= singularTol {
			return true
		}
		p.Hessian(z, hess)
		// Normal equations (A†A + λ diag) δ = −A†g, A = hess[:, free].
		for u, fu := range free {
			var bu complex128
			for i := range m {
				bu -= cmplx.Conj(hess[i*m+fu]) * grad[i]
			}
			b[u] = bu
			for v, fv := range free {
				var s complex128
				for i := range m {
					s += cmplx.Conj(hess[i*m+fu]) * hess[i*m+fv]
				}
				a[u*n+v] = s
			}
		}
		diag := make([]float64, n)
		for u := range n {
			diag[u] = real(a[u*n+u])
		}
		improved := false
		for range 30 {
			for u := range n {
				a[u*n+u] = complex(diag[u]*(1+lambda)+1e-300, 0)
			}
			inv, err := InverseHermitian(a, n)
			if err != nil {
				lambda *= 10
				continue
			}
			trial := slices.Clone(z)
			for u, fu := range free {
				var d complex128
				for v := range n {
					d += inv[u*n+v] * b[v]
				}
				trial[fu] += d
			}
			if rt := gradientRatio(p, trial, grad); rt < r {
				copy(z, trial)
				r = rt
				lambda = max(lambda/10, 1e-12)
				improved = true
				break
			}
			lambda *= 10
		}
		if !improved {
			break
		}
	}
	p.Gradient(z, grad)
	return r <= singularTol
}
