package symmetry

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Pair is an unordered pair of points, by index, with I < J.
type Pair struct{ I, J int }

// PairOptions choose the pairs: for every point, its Neighbours nearest
// points in the embedding among those at an input distance in
// [MinDistance, MaxDistance].
type PairOptions struct {
	Neighbours  int     `yaml:"neighbours" doc:"pairs per point: its nearest neighbours in the embedding among the points at an allowed input distance"`
	MinDistance float64 `yaml:"min_distance" doc:"smallest input distance of a pair (close points are trivially close in the embedding)"`
	MaxDistance float64 `yaml:"max_distance" doc:"largest input distance of a pair, the ε of p' = p + εTp (the fit is first order in it)"`
}

// NewPairOptions returns 3 neighbours at input distances in [0.05, 0.3]
// (the talk's ε = 0.3).
func NewPairOptions() PairOptions {
	return PairOptions{Neighbours: 3, MinDistance: 0.05, MaxDistance: 0.3}
}

// Validate checks the ranges; errors name the field by its yaml name.
func (o PairOptions) Validate() error {
	switch {
	case o.Neighbours < 1:
		return fmt.Errorf("neighbours must be ≥ 1, got %d", o.Neighbours)
	case !(o.MinDistance >= 0) || math.IsInf(o.MinDistance, 0):
		return fmt.Errorf("min_distance must be a finite number ≥ 0, got %v", o.MinDistance)
	case !(o.MaxDistance > o.MinDistance) || math.IsInf(o.MaxDistance, 0):
		return fmt.Errorf("max_distance must be finite and > min_distance=%v, got %v", o.MinDistance, o.MaxDistance)
	}
	return nil
}

// SelectPairs returns the pairs of points x [n·d] chosen by o from their
// embeddings e [n·m], sorted by (I, J) and without repeats. A point is
// paired with its o.Neighbours nearest points in the embedding among those
// at an allowed input distance (fewer if there are fewer such points).
func SelectPairs(x []float64, d int, e []float64, m int, o PairOptions) ([]Pair, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if d < 1 || m < 1 || len(x)%d != 0 || len(e)%m != 0 || len(x)/d != len(e)/m {
		return nil, errors.New("symmetry: points and embeddings do not match")
	}
	n := len(x) / d
	lo2, hi2 := o.MinDistance*o.MinDistance, o.MaxDistance*o.MaxDistance
	type cand struct {
		j    int
		dist float64
	}
	seen := map[Pair]bool{}
	var pairs []Pair
	cands := make([]cand, 0, n)
	for i := range n {
		cands = cands[:0]
		xi, ei := x[i*d:(i+1)*d], e[i*m:(i+1)*m]
		for j := range n {
			if j == i {
				continue
			}
			r2 := sqDist(xi, x[j*d:(j+1)*d])
			if r2 < lo2 || r2 > hi2 {
				continue
			}
			cands = append(cands, cand{j, sqDist(ei, e[j*m:(j+1)*m])})
		}
		slices.SortFunc(cands, func(a, b cand) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.j, b.j)) })
		for _, c := range cands[:min(o.Neighbours, len(cands))] {
			p := Pair{min(i, c.j), max(i, c.j)}
			if !seen[p] {
				seen[p] = true
				pairs = append(pairs, p)
			}
		}
	}
	slices.SortFunc(pairs, func(a, b Pair) int { return cmp.Or(cmp.Compare(a.I, b.I), cmp.Compare(a.J, b.J)) })
	return pairs, nil
}

func sqDist(a, b []float64) float64 {
	var s float64
	for k := range a {
		t := a[k] - b[k]
		s += t * t
	}
	return s
}

// Step is a pair written without orientation: its midpoint and difference.
// Swapping the points flips Delta and leaves Mid.
type Step struct {
	Mid, Delta []float64
}

// Steps writes the pairs of points x [n·d] as steps.
func Steps(x []float64, d int, pairs []Pair) []Step {
	out := make([]Step, len(pairs))
	for k, p := range pairs {
		a, b := x[p.I*d:(p.I+1)*d], x[p.J*d:(p.J+1)*d]
		s := Step{Mid: make([]float64, d), Delta: make([]float64, d)}
		for i := range d {
			s.Mid[i] = (a[i] + b[i]) / 2
			s.Delta[i] = b[i] - a[i]
		}
		out[k] = s
	}
	return out
}
