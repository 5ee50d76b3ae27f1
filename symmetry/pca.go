package symmetry

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// PCA returns the principal components of the generators gs (each a d×d
// matrix, flattened) and the fraction of their second moment each one
// explains, largest first. The moment is taken about 0, not about the mean:
// a generator and its negative are the same direction, and the generators
// of an algebra with equally many fits each (L_xy, L_xz, L_yz) would lose a
// dimension to centring. Each generator is normalised to unit Frobenius
// norm first, so the ratios sum to 1. Components have unit norm and the sign
// of [FixSign].
func PCA(gs [][]float64) (ratios []float64, comps [][]float64, err error) {
	if len(gs) == 0 {
		return nil, nil, errors.New("symmetry: PCA of no generators")
	}
	n := len(gs[0])
	d := int(math.Round(math.Sqrt(float64(n))))
	if d*d != n {
		return nil, nil, fmt.Errorf("symmetry: PCA: a generator has %d entries, not a square", n)
	}
	c := mat.NewSymDense(n, nil)
	cnt := 0
	for _, g := range gs {
		if len(g) != n {
			return nil, nil, errors.New("symmetry: PCA: generators of different sizes")
		}
		nrm := frobenius(g)
		if nrm == 0 {
			continue
		}
		for i := range n {
			for j := i; j < n; j++ {
				c.SetSym(i, j, c.At(i, j)+g[i]*g[j]/(nrm*nrm))
			}
		}
		cnt++
	}
	if cnt == 0 {
		return nil, nil, errors.New("symmetry: PCA: every generator is 0")
	}
	var eig mat.EigenSym
	if !eig.Factorize(c, true) {
		return nil, nil, errors.New("symmetry: PCA: eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	for k := n - 1; k >= 0; k-- {
		ratios = append(ratios, math.Max(vals[k], 0)/float64(cnt))
		v := make([]float64, n)
		for i := range n {
			v[i] = vecs.At(i, k)
		}
		comps = append(comps, FixSign(v, d))
	}
	return ratios, comps, nil
}

// ParallelAnalysis returns, per rank k, the q-quantile of the k-th
// explained-variance ratio of fits without structure: every fit replaced
// by an isotropic random matrix in its own plane (Horn's parallel analysis,
// Psychometrika 30, 1965). A component of the real fits is significant when
// its ratio exceeds this threshold: more variance than isotropic fits with
// the same planes and the same number of fits give by chance.
func ParallelAnalysis(fits []Fit, d, replicas int, q float64, rng *rand.Rand) ([]float64, error) {
	if replicas < 1 || !(q > 0 && q < 1) {
		return nil, fmt.Errorf("symmetry: parallel analysis needs replicas ≥ 1 and a quantile in (0, 1), got %d, %v", replicas, q)
	}
	byRank := make([][]float64, d*d)
	gs := make([][]float64, len(fits))
	for range replicas {
		for i, f := range fits {
			var t Block2
			for k := range t {
				t[k] = rng.NormFloat64()
			}
			gs[i] = t.Embed(f.Plane, d)
		}
		ratios, _, err := PCA(gs)
		if err != nil {
			return nil, err
		}
		for k, r := range ratios {
			byRank[k] = append(byRank[k], r)
		}
	}
	out := make([]float64, d*d)
	for k, rs := range byRank {
		out[k] = quantile(rs, q)
	}
	return out, nil
}

// Significant counts the leading components whose ratio exceeds its
// threshold, stopping at the first that does not.
func Significant(ratios, thresholds []float64) int {
	for k, r := range ratios {
		if k >= len(thresholds) || !(r > thresholds[k]) {
			return k
		}
	}
	return len(ratios)
}

// quantile is the q-quantile of xs with linear interpolation (xs is sorted
// in place).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	pos := q * float64(len(xs)-1)
	i := int(math.Floor(pos))
	if i >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	f := pos - float64(i)
	return xs[i]*(1-f) + xs[i+1]*f
}

// FixSign returns g (d×d) or −g, whichever turns the rotations it contains
// positively (Σ_{i>j} g_ij − g_ji > 0, as L_xy = e_yx − e_xy); when that sum
// vanishes, whichever makes its largest entry (first in row-major order)
// positive. g is changed in place and returned.
func FixSign(g []float64, d int) []float64 {
	var s float64
	for i := range d {
		for j := range i {
			s += g[i*d+j] - g[j*d+i]
		}
	}
	nrm := frobenius(g)
	if math.Abs(s) <= 1e-9*nrm {
		best := 0
		for k, v := range g {
			if math.Abs(v) > math.Abs(g[best])+1e-12*nrm {
				best = k
			}
		}
		s = g[best]
	}
	if s < 0 {
		for k := range g {
			g[k] = -g[k]
		}
	}
	return g
}

func frobenius(g []float64) float64 {
	var s float64
	for _, v := range g {
		s += v * v
	}
	return math.Sqrt(s)
}

// scaled returns g scaled to Frobenius norm s.
func scaled(g []float64, s float64) []float64 {
	out := slices.Clone(g)
	n := frobenius(g)
	if n == 0 {
		return out
	}
	for k := range out {
		out[k] *= s / n
	}
	return out
}
