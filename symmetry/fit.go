package symmetry

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Plane is the coordinate 2-plane of variables I < J.
type Plane struct{ I, J int }

// Planes lists the coordinate 2-planes of R^d in the order (0,1), (0,2), …,
// (1,2), ….
func Planes(d int) []Plane {
	var ps []Plane
	for i := range d {
		for j := i + 1; j < d; j++ {
			ps = append(ps, Plane{i, j})
		}
	}
	return ps
}

// InPlane is the fraction of |δ|² that lies in the plane: 1 for a step
// within it, 0 for a step orthogonal to it (and 0 for δ = 0).
func InPlane(s Step, pl Plane) float64 {
	in := s.Delta[pl.I]*s.Delta[pl.I] + s.Delta[pl.J]*s.Delta[pl.J]
	var all float64
	for _, v := range s.Delta {
		all += v * v
	}
	if all == 0 {
		return 0
	}
	return in / all
}

// Block2 is a 2×2 matrix, row-major: [t00, t01, t10, t11].
type Block2 [4]float64

// FitPlane fits the generator of the plane pl to the steps, ignoring their
// orientation. A step with in-plane midpoint m and difference δ constrains T
// by "T m is parallel to δ", that is nᵀ T m = 0 with n the normal of δ in the
// plane — a linear condition on T that is the same for δ and −δ. T minimises
// Σ (nₖᵀ T mₖ)² with ‖T‖_F = 1: the eigenvector of the smallest eigenvalue
// of Σ aₖ aₖᵀ, aₖ = vec(nₖ mₖᵀ) (n unit, m as it is, so points far from the
// origin, where a rotation moves them most, weigh more). residual is that
// eigenvalue divided by Σ |aₖ|², in [0, 1/4]: 0 when one T fits every step
// exactly. The sign of T is arbitrary.
//
// It needs at least 3 steps with a non-zero in-plane difference.
func FitPlane(steps []Step, pl Plane) (t Block2, residual float64, err error) {
	a := mat.NewSymDense(4, nil)
	var total float64
	used := 0
	for _, s := range steps {
		dx, dy := s.Delta[pl.I], s.Delta[pl.J]
		r := math.Hypot(dx, dy)
		if r == 0 {
			continue
		}
		n := [2]float64{-dy / r, dx / r}
		m := [2]float64{s.Mid[pl.I], s.Mid[pl.J]}
		v := [4]float64{n[0] * m[0], n[0] * m[1], n[1] * m[0], n[1] * m[1]}
		for i := range 4 {
			for j := i; j < 4; j++ {
				a.SetSym(i, j, a.At(i, j)+v[i]*v[j])
			}
			total += v[i] * v[i]
		}
		used++
	}
	if used < 3 || total == 0 {
		return t, 0, fmt.Errorf("symmetry: plane (%d,%d): %d usable steps, need at least 3", pl.I, pl.J, used)
	}
	var eig mat.EigenSym
	if !eig.Factorize(a, true) {
		return t, 0, errors.New("symmetry: eigendecomposition failed")
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	for i := range 4 {
		t[i] = vecs.At(i, 0) // ascending eigenvalues: the smallest first
	}
	return t, math.Max(eig.Values(nil)[0], 0) / total, nil
}

// FitNaive is the least-squares fit of δ ≈ T m in the plane, T = (Σ δ mᵀ)(Σ m mᵀ)⁻¹,
// which treats each pair as oriented. Over pairs of random orientation Σ δ mᵀ
// averages to 0 and so does T: the reason [FitPlane] exists. It is kept to
// show that.
func FitNaive(steps []Step, pl Plane) (Block2, error) {
	var dm, mm [4]float64
	for _, s := range steps {
		d := [2]float64{s.Delta[pl.I], s.Delta[pl.J]}
		m := [2]float64{s.Mid[pl.I], s.Mid[pl.J]}
		for i := range 2 {
			for j := range 2 {
				dm[2*i+j] += d[i] * m[j]
				mm[2*i+j] += m[i] * m[j]
			}
		}
	}
	det := mm[0]*mm[3] - mm[1]*mm[2]
	if det == 0 {
		return Block2{}, errors.New("symmetry: naive fit: the midpoints do not span the plane")
	}
	inv := [4]float64{mm[3] / det, -mm[1] / det, -mm[2] / det, mm[0] / det}
	return Block2{
		dm[0]*inv[0] + dm[1]*inv[2], dm[0]*inv[1] + dm[1]*inv[3],
		dm[2]*inv[0] + dm[3]*inv[2], dm[2]*inv[1] + dm[3]*inv[3],
	}, nil
}

// Embed writes the 2×2 block t of plane pl into a d×d matrix (row-major).
func (t Block2) Embed(pl Plane, d int) []float64 {
	g := make([]float64, d*d)
	g[pl.I*d+pl.I], g[pl.I*d+pl.J] = t[0], t[1]
	g[pl.J*d+pl.I], g[pl.J*d+pl.J] = t[2], t[3]
	return g
}

// FitOptions say how often and on how many pairs the generators are fitted.
type FitOptions struct {
	Fits          int     `yaml:"fits" doc:"number of random subsets of the pairs; each gives one generator per coordinate plane"`
	PairsPerFit   int     `yaml:"pairs_per_fit" doc:"pairs in each subset (per plane)"`
	PlaneFraction float64 `yaml:"plane_fraction" doc:"a pair is used for a plane when at least this fraction of |p' − p|² lies in it (1 keeps only pairs within the plane)"`
}

// NewFitOptions returns 50 fits of 50 pairs, pairs at least 95 % in the plane.
func NewFitOptions() FitOptions { return FitOptions{Fits: 50, PairsPerFit: 50, PlaneFraction: 0.95} }

// Validate checks the ranges; errors name the field by its yaml name.
func (o FitOptions) Validate() error {
	switch {
	case o.Fits < 1:
		return fmt.Errorf("fits must be ≥ 1, got %d", o.Fits)
	case o.PairsPerFit < 3:
		return fmt.Errorf("pairs_per_fit must be ≥ 3, got %d", o.PairsPerFit)
	case !(o.PlaneFraction >= 0 && o.PlaneFraction <= 1):
		return fmt.Errorf("plane_fraction must be in [0, 1], got %v", o.PlaneFraction)
	}
	return nil
}

// Fit is one fitted generator: the plane it was fitted in and the d×d
// matrix (unit Frobenius norm, arbitrary sign) with the fit's residual.
type Fit struct {
	Plane    Plane
	T        []float64
	Residual float64
}

// FitGenerators fits, o.Fits times, a generator in every coordinate plane
// of R^d to a random subset of o.PairsPerFit of the steps that lie in it
// (at least o.PlaneFraction of |δ|² in the plane). A plane with fewer than
// o.PairsPerFit such steps is skipped (its count is in skipped, indexed
// like Planes(d)). The subsets are drawn from rng, plane by plane within
// each fit.
func FitGenerators(steps []Step, d int, o FitOptions, rng *rand.Rand) (fits []Fit, eligible []int, err error) {
	if err := o.Validate(); err != nil {
		return nil, nil, err
	}
	planes := Planes(d)
	if len(planes) == 0 {
		return nil, nil, fmt.Errorf("symmetry: a generator fit needs at least 2 variables, got %d", d)
	}
	byPlane := make([][]Step, len(planes))
	eligible = make([]int, len(planes))
	for k, pl := range planes {
		for _, s := range steps {
			if InPlane(s, pl) >= o.PlaneFraction && InPlane(s, pl) > 0 {
				byPlane[k] = append(byPlane[k], s)
			}
		}
		eligible[k] = len(byPlane[k])
	}
	sub := make([]Step, o.PairsPerFit)
	for range o.Fits {
		for k, pl := range planes {
			all := byPlane[k]
			if len(all) < o.PairsPerFit {
				continue
			}
			for i, j := range rng.Perm(len(all))[:o.PairsPerFit] {
				sub[i] = all[j]
			}
			t, res, err := FitPlane(sub, pl)
			if err != nil {
				continue // degenerate subset (all steps orthogonal to the plane)
			}
			fits = append(fits, Fit{Plane: pl, T: t.Embed(pl, d), Residual: res})
		}
	}
	if len(fits) == 0 {
		return nil, eligible, fmt.Errorf("symmetry: no plane has %d pairs in it (pairs per plane: %v); lower pairs_per_fit or plane_fraction, or select more pairs", o.PairsPerFit, eligible)
	}
	return fits, eligible, nil
}
