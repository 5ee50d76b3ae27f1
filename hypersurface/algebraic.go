package hypersurface

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"slices"

	"gonum.org/v1/gonum/blas"

	"ansatz/gemm"
)

// Sections is a monomial basis of the degree-k sections of O(k) restricted
// to a hypersurface: all monomials of degree k in the m coordinates except
// the multiples of the leading monomial of p (lexicographic order, z_0
// first), which span the multiples of p for k ≥ d. On P^n that leaves
// C(k+n, n) − C(k−d+n, n) monomials: on the quintic N_k = 5, 15, 35, 70,
// 125, 205 for k = 1…6.
type Sections struct {
	// K is the degree and M the number of coordinates.
	K, M int
	// Exps are the exponent vectors of the monomials s_α, in decreasing
	// lexicographic order.
	Exps [][]int
}

// NewSections returns the degree-k monomial sections modulo p (k ≥ 1).
func NewSections(p *Polynomial, k int) (*Sections, error) {
	if k < 1 {
		return nil, fmt.Errorf("sections: degree must be ≥ 1, got %d", k)
	}
	if len(p.Terms) == 0 {
		return nil, errors.New("sections: the polynomial is zero")
	}
	m := p.NumVars()
	lead := p.Terms[0].Exp // Terms are sorted in decreasing lex order.
	var exps [][]int
	e := make([]int, m)
	var rec func(i, left int)
	rec = func(i, left int) {
		if i == m-1 {
			e[i] = left
			if !divides(lead, e) {
				exps = append(exps, slices.Clone(e))
			}
			return
		}
		for v := left; v >= 0; v-- {
			e[i] = v
			rec(i+1, left-v)
		}
	}
	rec(0, k)
	return &Sections{K: k, M: m, Exps: exps}, nil
}

// Sections returns the degree-k monomial sections of h (see NewSections).
func (h *Hypersurface) Sections(k int) (*Sections, error) { return NewSections(h.poly, k) }

func divides(a, b []int) bool {
	for i := range a {
		if a[i] > b[i] {
			return false
		}
	}
	return true
}

// Len returns the number N_k of sections.
func (s *Sections) Len() int { return len(s.Exps) }

// Eval writes s_α(z) into out (len Len()).
func (s *Sections) Eval(z, out []complex128) {
	for a, e := range s.Exps {
		out[a] = monomial(z, e)
	}
}

// Jacobian writes s_α(z) into vals and ∂s_α/∂z_i into jac[α*M+i].
func (s *Sections) Jacobian(z, vals, jac []complex128) {
	m := s.M
	for a, e := range s.Exps {
		vals[a] = monomial(z, e)
		row := jac[a*m : (a+1)*m]
		for i := range m {
			if e[i] == 0 {
				row[i] = 0
				continue
			}
			v := complex(float64(e[i]), 0) * ipow(z[i], e[i]-1)
			for k, ek := range e {
				if k != i && ek != 0 {
					v *= ipow(z[k], ek)
				}
			}
			row[i] = v
		}
	}
}

// Algebraic is the algebraic metric of degree K with Hermitian matrix H
// (N×N row-major, N = S.Len()): K = log(s†Hs)/(kπ) with
// s†Hs = Σ conj(s_α) H_αβ s_β. Its class is the hyperplane class (t = 1),
// whatever H. H = identity at k = 1 is Fubini–Study.
type Algebraic struct {
	S *Sections
	H []complex128
}

// NewAlgebraic returns the algebraic metric with H = identity.
func NewAlgebraic(s *Sections) *Algebraic {
	n := s.Len()
	h := make([]complex128, n*n)
	for a := range n {
		h[a*n+a] = 1
	}
	return &Algebraic{S: s, H: h}
}

// Potential returns K(z) = log(s†Hs)/(kπ).
func (a *Algebraic) Potential(z []complex128) float64 {
	n := a.S.Len()
	s := make([]complex128, n)
	a.S.Eval(z, s)
	return math.Log(real(quad(a.H, s, s, n))) / (float64(a.S.K) * math.Pi)
}

// quad returns u†Hv.
func quad(h, u, v []complex128, n int) complex128 {
	var r complex128
	for a := range n {
		if u[a] == 0 {
			continue
		}
		var row complex128
		for b := range n {
			row += h[a*n+b] * v[b]
		}
		r += cmplx.Conj(u[a]) * row
	}
	return r
}

// Ambient writes g_{i j̄} = ∂_i ∂̄_j K at z into g (m×m): with F = s†Hs,
//
//	g_{i j̄} = (1/kπ) [ (∂_j s)†H(∂_i s)/F − (s†H ∂_i s)((∂_j s)†H s)/F² ],
//
// since ∂_i F = s†H ∂_i s and ∂̄_j F = (∂_j s)†H s for holomorphic s.
func (a *Algebraic) Ambient(z, g []complex128) {
	n, m := a.S.Len(), a.S.M
	s := make([]complex128, n)
	ds := make([]complex128, n*m)
	a.S.Jacobian(z, s, ds)
	// hs = H s, hds[:, i] = H ∂_i s
	hs := make([]complex128, n)
	hds := make([]complex128, n*m) // row α, column i
	for al := range n {
		row := a.H[al*n : (al+1)*n]
		var v complex128
		for b, hb := range row {
			if hb == 0 {
				continue
			}
			v += hb * s[b]
			for i := range m {
				hds[al*m+i] += hb * ds[b*m+i]
			}
		}
		hs[al] = v
	}
	var f complex128
	for al := range n {
		f += cmplx.Conj(s[al]) * hs[al]
	}
	fr := real(f)
	// di[i] = s†H∂_i s
	di := make([]complex128, m)
	for i := range m {
		var v complex128
		for al := range n {
			v += cmplx.Conj(s[al]) * hds[al*m+i]
		}
		di[i] = v
	}
	c := 1 / (float64(a.S.K) * math.Pi)
	for i := range m {
		for j := range m {
			// (∂_j s)†H ∂_i s
			var v complex128
			for al := range n {
				v += cmplx.Conj(ds[al*m+j]) * hds[al*m+i]
			}
			g[i*m+j] = complex(c, 0) * (v/complex(fr, 0) - di[i]*cmplx.Conj(di[j])/complex(fr*fr, 0))
		}
	}
}

// Donaldson runs Donaldson's T-operator iteration for the degree-k
// algebraic metric from H = identity:
//
//	H ← [ (N_k/(N·Vol_CY)) Σ_i w_i s_i s_i† / (s_i†H s_i) ]⁻¹,   Vol_CY = mean(w),
//
// whose fixed point is the balanced metric (it tends to the Ricci-flat
// metric as k → ∞). The integrals are Monte-Carlo sums over pts with their
// weights; measure σ on another point set. All points must have the same ψ.
// history[t] is the relative change ‖H_{t+1} − H_t‖_F/‖H_{t+1}‖_F of
// iteration t (H is normalised to trace N_k after each step, which changes
// only the potential's constant).
//
// Measured on the Fermat quintic (10 iterations on 100 000 points, σ on
// 50 000 others): σ = 0.373, 0.272, 0.194, 0.132 for k = 1…4 (Fubini–Study
// 0.373); on the Dwork quintic with k = 3 (50 000 / 20 000 points):
// σ = 0.197, 0.198, 0.201, 0.205, 0.203 at ψ = 0, 0.25, 0.5, 0.75, 0.95
// (Fubini–Study 0.375, 0.372, 0.363, 0.350, 0.335).
//
// Each iteration costs two real matrix products of N×2N_k by 2N_k×2N_k
// (package gemm) and a Cholesky inversion.
func Donaldson(pts *Points, s *Sections, iterations int) (*Algebraic, []float64, error) {
	if iterations < 0 {
		return nil, nil, fmt.Errorf("donaldson: iterations must be ≥ 0, got %d", iterations)
	}
	if pts.N == 0 {
		return nil, nil, errors.New("donaldson: no points")
	}
	for _, v := range pts.Psi {
		if v != pts.Psi[0] {
			return nil, nil, fmt.Errorf("donaldson: the points have several ψ values (%v and %v); fit one value at a time", pts.Psi[0], v)
		}
	}
	nk := s.Len()
	if pts.N < nk {
		return nil, nil, fmt.Errorf("donaldson: %d points for %d sections: need many more points than sections", pts.N, nk)
	}
	np, w2 := pts.N, 2*nk
	alg := NewAlgebraic(s)
	// S = [Re s | Im s], one row per point.
	sr := make([]float64, np*w2)
	vals := make([]complex128, nk)
	for i := range np {
		s.Eval(pts.Point(i), vals)
		row := sr[i*w2 : (i+1)*w2]
		for a, v := range vals {
			row[a], row[nk+a] = real(v), imag(v)
		}
	}
	volCY := VolCY(pts)
	hs := make([]float64, np*w2) // rows (H s)ᵀ as [Re | Im]
	sc := make([]float64, np*w2) // rows c_i s_i
	rm := make([]float64, w2*w2)
	mm := make([]float64, w2*w2)
	t := make([]complex128, nk*nk)
	var history []float64
	for range iterations {
		realFormT(alg.H, nk, rm)
		gemm.Dgemm(blas.NoTrans, blas.NoTrans, np, w2, w2, 1, sr, w2, rm, w2, 0, hs, w2)
		for i := range np {
			row, hrow := sr[i*w2:(i+1)*w2], hs[i*w2:(i+1)*w2]
			f := 0.0
			for k, v := range row {
				f += v * hrow[k]
			}
			if !(f > 0) {
				return nil, nil, fmt.Errorf("donaldson: s†Hs = %g at point %d", f, i)
			}
			c := pts.Weight[i] / f
			out := sc[i*w2 : (i+1)*w2]
			for k, v := range row {
				out[k] = c * v
			}
		}
		// M = Sᵀ C S = [[AᵀCA, AᵀCB], [BᵀCA, BᵀCB]]
		gemm.Dgemm(blas.Trans, blas.NoTrans, w2, w2, np, 1, sr, w2, sc, w2, 0, mm, w2)
		scale := float64(nk) / (float64(np) * volCY)
		for a := range nk {
			for b := range nk {
				re := mm[a*w2+b] + mm[(nk+a)*w2+nk+b]
				im := mm[(nk+a)*w2+b] - mm[a*w2+nk+b]
				t[a*nk+b] = complex(scale*re, scale*im)
			}
		}
		hNew, err := InverseHermitian(t, nk)
		if err != nil {
			return nil, nil, fmt.Errorf("donaldson: %w", err)
		}
		// Normalise to trace N_k.
		tr := 0.0
		for a := range nk {
			tr += real(hNew[a*nk+a])
		}
		diff, norm := 0.0, 0.0
		for k := range hNew {
			hNew[k] *= complex(float64(nk)/tr, 0)
			diff += abs2(hNew[k] - alg.H[k])
			norm += abs2(hNew[k])
		}
		history = append(history, math.Sqrt(diff/norm))
		alg.H = hNew
	}
	return alg, history, nil
}

// realFormT writes the 2n×2n real matrix R with [Re v | Im v]·R =
// [Re (Hv)ᵀ | Im (Hv)ᵀ] for a row vector v: R = [[Hrᵀ, Hiᵀ], [−Hiᵀ, Hrᵀ]].
func realFormT(h []complex128, n int, r []float64) {
	w := 2 * n
	for a := range n {
		for b := range n {
			v := h[b*n+a] // (Hᵀ)_ab
			r[a*w+b] = real(v)
			r[a*w+n+b] = imag(v)
			r[(n+a)*w+b] = -imag(v)
			r[(n+a)*w+n+b] = real(v)
		}
	}
}

// PulledBack writes the metric pulled back to X at every point of pts into
// out (N×Dim×Dim, row-major per point). It is the batched form of Ambient
// followed by PullBack, with the local derivatives ∂_a s = Σ_i J[a][i] ∂_i s:
//
//	g_{a b̄} = (1/kπ) [ (∂_b s)†H(∂_a s)/F − (s†H ∂_a s)((∂_b s)†H s)/F² ],
//
// the products by H done as real matrix products over chunks of points.
func (a *Algebraic) PulledBack(pts *Points, out []complex128) {
	const chunk = 1024
	nk, m, dim := a.S.Len(), pts.M, pts.Dim
	w2, nv := 2*nk, dim+1
	r := make([]float64, w2*w2)
	realFormT(a.H, nk, r)
	rows := min(chunk, pts.N) * nv
	v := make([]float64, rows*w2)
	hv := make([]float64, rows*w2)
	vals := make([]complex128, nk)
	ds := make([]complex128, nk*m)
	gram := make([]complex128, nv*nv)
	c := 1 / (float64(a.S.K) * math.Pi)
	for lo := 0; lo < pts.N; lo += chunk {
		hi := min(lo+chunk, pts.N)
		for i := lo; i < hi; i++ {
			a.S.Jacobian(pts.Point(i), vals, ds)
			jac := pts.Jacobian(i)
			base := (i - lo) * nv * w2
			row := v[base : base+w2]
			for al, x := range vals {
				row[al], row[nk+al] = real(x), imag(x)
			}
			for b := range dim {
				row := v[base+(b+1)*w2 : base+(b+2)*w2]
				jb := jac[b*m : (b+1)*m]
				for al := range nk {
					var x complex128
					for k, j := range jb {
						if j != 0 {
							x += j * ds[al*m+k]
						}
					}
					row[al], row[nk+al] = real(x), imag(x)
				}
			}
		}
		n := (hi - lo) * nv
		gemm.Dgemm(blas.NoTrans, blas.NoTrans, n, w2, w2, 1, v[:n*w2], w2, r, w2, 0, hv[:n*w2], w2)
		for i := lo; i < hi; i++ {
			base := (i - lo) * nv * w2
			for u := range nv {
				x := v[base+u*w2 : base+(u+1)*w2]
				for q := range nv {
					y := hv[base+q*w2 : base+(q+1)*w2]
					var re, im float64
					for al := range nk {
						re += x[al]*y[al] + x[nk+al]*y[nk+al]
						im += x[al]*y[nk+al] - x[nk+al]*y[al]
					}
					gram[u*nv+q] = complex(re, im) // v_u† H v_q
				}
			}
			f := real(gram[0])
			g := out[i*dim*dim : (i+1)*dim*dim]
			for p := range dim {
				for q := range dim {
					g[p*dim+q] = complex(c, 0) * (gram[(q+1)*nv+p+1]/complex(f, 0) - gram[p+1]*gram[(q+1)*nv]/complex(f*f, 0))
				}
			}
		}
	}
}
