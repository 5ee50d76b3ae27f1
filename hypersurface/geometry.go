package hypersurface

import (
	"fmt"
	"math"
	"math/cmplx"
)

// Metric is a Kähler metric on (a neighbourhood of X in) projective space,
// given in homogeneous coordinates: Ambient writes the m×m Hermitian matrix
// g_{i j̄} = ∂_i ∂̄_j K at z (row-major, m = len(z)) into g. Pull it back to
// X with PullBack.
type Metric interface {
	Ambient(z, g []complex128)
}

// FubiniStudy is the Fubini–Study metric with Kähler parameter T:
// K = (T/π) log|z|², g_{i j̄} = (T/π)(|z|² δ_ij − z̄_i z_j)/|z|⁴. Its class is
// T times the hyperplane class (cymetric's t/π convention); T = 1 is the
// reference metric of the data (weights, Vol_K = d).
type FubiniStudy struct {
	T float64
}

// Ambient writes the Fubini–Study metric at z into g (m×m, m = len(z)).
func (f FubiniStudy) Ambient(z, g []complex128) {
	m := len(z)
	n2 := 0.0
	for _, v := range z {
		n2 += abs2(v)
	}
	c := f.T / math.Pi / (n2 * n2)
	for i := range m {
		zi := cmplx.Conj(z[i])
		for j := range m {
			v := -zi * z[j]
			if i == j {
				v += complex(n2, 0)
			}
			g[i*m+j] = v * complex(c, 0)
		}
	}
}

// Potential returns the Fubini–Study Kähler potential (T/π) log|z|².
func (f FubiniStudy) Potential(z []complex128) float64 {
	n2 := 0.0
	for _, v := range z {
		n2 += abs2(v)
	}
	return f.T / math.Pi * math.Log(n2)
}

// PullBack writes J g J† into out: J is the dim×m pullback (row-major), g the
// m×m ambient metric, out the dim×dim pulled-back metric
// out[a][b] = Σ_ij J[a][i] g[i][j] conj(J[b][j]).
func PullBack(jac []complex128, dim, m int, g, out []complex128) {
	var tmp [64]complex128 // J g, one row at a time
	row := tmp[:0]
	if m > len(tmp) {
		row = make([]complex128, m)
	} else {
		row = tmp[:m]
	}
	for a := range dim {
		ja := jac[a*m : (a+1)*m]
		for j := range m {
			var s complex128
			for i, v := range ja {
				if v != 0 {
					s += v * g[i*m+j]
				}
			}
			row[j] = s
		}
		for b := range dim {
			jb := jac[b*m : (b+1)*m]
			var s complex128
			for j, v := range row {
				s += v * cmplx.Conj(jb[j])
			}
			out[a*dim+b] = s
		}
	}
}

// DetHermitian returns the determinant of the n×n Hermitian matrix g
// (row-major), which is real, by LU decomposition with partial pivoting.
func DetHermitian(g []complex128, n int) float64 {
	return real(Det(g, n))
}

// Det returns the determinant of the n×n complex matrix a (row-major), by
// LU decomposition with partial pivoting on a copy.
func Det(a []complex128, n int) complex128 {
	var buf [64]complex128
	var w []complex128
	if n*n <= len(buf) {
		w = buf[:n*n]
	} else {
		w = make([]complex128, n*n)
	}
	copy(w, a[:n*n])
	det := complex(1, 0)
	for k := range n {
		p := k
		for i := k + 1; i < n; i++ {
			if abs2(w[i*n+k]) > abs2(w[p*n+k]) {
				p = i
			}
		}
		if w[p*n+k] == 0 {
			return 0
		}
		if p != k {
			for j := range n {
				w[k*n+j], w[p*n+j] = w[p*n+j], w[k*n+j]
			}
			det = -det
		}
		piv := w[k*n+k]
		det *= piv
		for i := k + 1; i < n; i++ {
			f := w[i*n+k] / piv
			if f == 0 {
				continue
			}
			for j := k + 1; j < n; j++ {
				w[i*n+j] -= f * w[k*n+j]
			}
		}
	}
	return det
}

// Chart describes a point of X in one affine chart: the patch coordinate
// (z_patch = 1), the eliminated coordinate and the local ones.
type Chart struct {
	Patch, Elim int
	// Free are the local coordinates' indices, increasing.
	Free []int
}

// NewChart returns the chart with this patch and eliminated coordinate in
// P^{m−1}. It panics if they coincide or are out of range.
func NewChart(m, patch, elim int) Chart {
	if patch == elim || patch < 0 || elim < 0 || patch >= m || elim >= m {
		panic(fmt.Sprintf("hypersurface: invalid chart patch %d elim %d of %d coordinates", patch, elim, m))
	}
	free := make([]int, 0, m-2)
	for i := range m {
		if i != patch && i != elim {
			free = append(free, i)
		}
	}
	return Chart{Patch: patch, Elim: elim, Free: free}
}

// Jacobian writes the pullback J[a][i] = ∂z_i/∂x_a of the chart at a point
// with gradient grad = ∇p into jac ((m−2)×m, row-major): 1 at the local
// coordinate a, −∂_a p/∂_elim p at the eliminated one, 0 elsewhere.
func (c Chart) Jacobian(grad, jac []complex128) {
	m := len(grad)
	clear(jac[:len(c.Free)*m])
	inv := 1 / grad[c.Elim]
	for a, i := range c.Free {
		jac[a*m+i] = 1
		jac[a*m+c.Elim] = -grad[i] * inv
	}
}

// Transition writes T[b][a] = ∂x_a/∂x'_b ((m−2)×(m−2), row-major): the
// Jacobian of chart c's local coordinates x with respect to chart alt's x'
// at the point zAlt (normalised in alt's patch, zAlt[alt.Patch] = 1) where
// alt's pullback is jacAlt. A globally defined metric satisfies
// g' = T g T† (g, g' pulled back in c and alt).
func Transition(c Chart, zAlt, jacAlt []complex128, t []complex128) {
	m := len(zAlt)
	dim := len(c.Free)
	zp := zAlt[c.Patch]
	inv := 1 / zp
	inv2 := inv * inv
	for b := range dim {
		jb := jacAlt[b*m : (b+1)*m]
		for a, i := range c.Free {
			t[b*dim+a] = jb[i]*inv - jb[c.Patch]*zAlt[i]*inv2
		}
	}
}
