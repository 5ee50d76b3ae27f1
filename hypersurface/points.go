package hypersurface

import (
	"cmp"
	"slices"
)

// Points is a set of sampled points of a hypersurface in P^{M−1} with
// everything the metrics need, stored as flat slices (struct of arrays).
// Row i of a per-point matrix is the slice [i*w, (i+1)*w) of its width w.
type Points struct {
	// N is the number of points, M = n+1 the number of homogeneous
	// coordinates, Dim = n−1 the number of local coordinates.
	N, M, Dim int
	// Z are the patch-normalised points (N×M): the coordinate of largest
	// modulus is 1.
	Z []complex128
	// Patch and Elim are each point's patch and eliminated coordinate.
	Patch, Elim []int
	// Omega is Ω = 1/(∂p/∂z_elim) at Z.
	Omega []complex128
	// Pullback is J (N×Dim×M): J[a][i] = ∂z_i/∂x_a.
	Pullback []complex128
	// Weight is w = V·|Ω|²/det g_FS,pb (t = 1), V the intersection number.
	Weight []float64
	// Psi is the value of the varied parameter (ψ) for each point; 0 when
	// the data have none.
	Psi []complex128

	// AltZ is the same point normalised so that its coordinate of
	// second-largest modulus, AltPatch, is 1; AltElim is the eliminated
	// coordinate there, AltPullback its pullback (N×Dim×M) and
	// AltTransition (N×Dim×Dim) the Jacobian T[b][a] = ∂x_a/∂x'_b of the
	// first chart's local coordinates with respect to the alternative
	// chart's, so that g_alt = T g T† for a global metric.
	AltZ                       []complex128
	AltPatch, AltElim          []int
	AltPullback, AltTransition []complex128
}

// Point returns the coordinates of point i (a view, not a copy).
func (p *Points) Point(i int) []complex128 { return p.Z[i*p.M : (i+1)*p.M] }

// Jacobian returns the pullback J of point i (Dim×M, a view).
func (p *Points) Jacobian(i int) []complex128 {
	w := p.Dim * p.M
	return p.Pullback[i*w : (i+1)*w]
}

// Chart returns the chart of point i.
func (p *Points) Chart(i int) Chart { return NewChart(p.M, p.Patch[i], p.Elim[i]) }

// HasAlt reports whether the alternative-patch data are present.
func (p *Points) HasAlt() bool { return len(p.AltZ) == p.N*p.M && p.N > 0 }

// Subset returns the points with these row indices, in this order (copies).
func (p *Points) Subset(rows []int) *Points {
	q := &Points{N: len(rows), M: p.M, Dim: p.Dim}
	m, jw, tw := p.M, p.Dim*p.M, p.Dim*p.Dim
	alt := p.HasAlt()
	for _, r := range rows {
		q.Z = append(q.Z, p.Z[r*m:(r+1)*m]...)
		q.Patch = append(q.Patch, p.Patch[r])
		q.Elim = append(q.Elim, p.Elim[r])
		q.Omega = append(q.Omega, p.Omega[r])
		q.Pullback = append(q.Pullback, p.Pullback[r*jw:(r+1)*jw]...)
		q.Weight = append(q.Weight, p.Weight[r])
		q.Psi = append(q.Psi, p.Psi[r])
		if alt {
			q.AltZ = append(q.AltZ, p.AltZ[r*m:(r+1)*m]...)
			q.AltPatch = append(q.AltPatch, p.AltPatch[r])
			q.AltElim = append(q.AltElim, p.AltElim[r])
			q.AltPullback = append(q.AltPullback, p.AltPullback[r*jw:(r+1)*jw]...)
			q.AltTransition = append(q.AltTransition, p.AltTransition[r*tw:(r+1)*tw]...)
		}
	}
	return q
}

// Append returns the concatenation of the point sets (same M and Dim).
func Append(sets ...*Points) *Points {
	if len(sets) == 0 {
		return &Points{}
	}
	q := &Points{M: sets[0].M, Dim: sets[0].Dim}
	for _, p := range sets {
		rows := make([]int, p.N)
		for i := range rows {
			rows[i] = i
		}
		s := p.Subset(rows)
		q.N += s.N
		q.Z = append(q.Z, s.Z...)
		q.Patch = append(q.Patch, s.Patch...)
		q.Elim = append(q.Elim, s.Elim...)
		q.Omega = append(q.Omega, s.Omega...)
		q.Pullback = append(q.Pullback, s.Pullback...)
		q.Weight = append(q.Weight, s.Weight...)
		q.Psi = append(q.Psi, s.Psi...)
		q.AltZ = append(q.AltZ, s.AltZ...)
		q.AltPatch = append(q.AltPatch, s.AltPatch...)
		q.AltElim = append(q.AltElim, s.AltElim...)
		q.AltPullback = append(q.AltPullback, s.AltPullback...)
		q.AltTransition = append(q.AltTransition, s.AltTransition...)
	}
	return q
}

// PsiGroups returns the distinct ψ values of the points (sorted by real,
// then imaginary part) and the rows of each.
func (p *Points) PsiGroups() (values []complex128, rows [][]int) {
	idx := map[complex128]int{}
	for _, v := range p.Psi {
		if _, ok := idx[v]; !ok {
			idx[v] = len(values)
			values = append(values, v)
		}
	}
	order := make([]int, len(values))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(real(values[a]), real(values[b])), cmp.Compare(imag(values[a]), imag(values[b])))
	})
	rank := make([]int, len(values))
	sorted := make([]complex128, len(values))
	for r, k := range order {
		rank[k] = r
		sorted[r] = values[k]
	}
	rows = make([][]int, len(values))
	for i, v := range p.Psi {
		r := rank[idx[v]]
		rows[r] = append(rows[r], i)
	}
	return sorted, rows
}
