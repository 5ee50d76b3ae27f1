package datasets

import (
	"ansatz/spec"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gopkg.in/yaml.v3"
)

// Sampler draws one initial condition: it writes a state for the variables
// vars into x (len(x) == len(vars)), taking all randomness from rng.
type Sampler interface {
	Sample(rng *rand.Rand, vars []string, x []float64) error
}

// Radius samples states at a random distance from the origin, as in
// Greydanus et al.'s spring and pendulum data: the radius is uniform in
// [Min, Max] and the direction uniform on the sphere S^{d−1} (for a 2-D state
// (q, p), a uniform angle).
//
// Draws: one uniform for the radius, then d standard normals for the
// direction (redrawn in the measure-zero case that all are 0).
//
// Greydanus' code normalises a draw from the square [−1, 1]², whose angle is
// not uniform (directions towards the corners are more likely); the uniform
// direction used here is what the paper describes.
type Radius struct {
	Min float64 `yaml:"min" doc:"smallest distance from the origin"`
	Max float64 `yaml:"max" doc:"largest distance from the origin"`
}

// NewRadius returns the radius range of Greydanus' spring, [0.1, 1].
func NewRadius() *Radius { return &Radius{Min: 0.1, Max: 1} }

// Validate checks 0 ≤ min ≤ max < ∞.
func (r Radius) Validate() error {
	switch {
	case !(r.Min >= 0) || math.IsInf(r.Min, 0):
		return fmt.Errorf("min must be a finite number ≥ 0, got %v", r.Min)
	case !(r.Max >= r.Min) || math.IsInf(r.Max, 0):
		return fmt.Errorf("max must be finite and ≥ min=%v, got %v", r.Min, r.Max)
	}
	return nil
}

// Sample implements [Sampler].
func (r Radius) Sample(rng *rand.Rand, vars []string, x []float64) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if len(x) == 0 || len(x) != len(vars) {
		return fmt.Errorf("state has %d values for %d variables", len(x), len(vars))
	}
	rad := r.Min + (r.Max-r.Min)*rng.Float64()
	for {
		norm := 0.0
		for i := range x {
			x[i] = rng.NormFloat64()
			norm += x[i] * x[i]
		}
		if norm > 0 {
			s := rad / math.Sqrt(norm)
			for i := range x {
				x[i] *= s
			}
			return nil
		}
	}
}

// Bounds is a list of per-variable bounds; a single value applies to every
// variable. In YAML it is a number or a list of numbers.
type Bounds []float64

// DecodeYAML accepts a number (broadcast to all variables) or a list of
// numbers, with errors located in the spec.
func (b *Bounds) DecodeYAML(n *yaml.Node, file string) spec.ErrorList {
	if n.Kind == yaml.ScalarNode {
		var v float64
		if errs := spec.Decode(n, &v, "", file); len(errs) > 0 {
			return errs
		}
		*b = Bounds{v}
		return nil
	}
	var vs []float64
	if errs := spec.Decode(n, &vs, "", file); len(errs) > 0 {
		return errs
	}
	*b = vs
	return nil
}

// at returns the bound for variable i.
func (b Bounds) at(i int) float64 {
	if len(b) == 1 {
		return b[0]
	}
	return b[i]
}

// Box samples states uniformly in a box: variable i is uniform in
// [Low[i], High[i]). A bound given as one number applies to every variable.
// Draws: one uniform per variable, in the order of the variables.
type Box struct {
	Low  Bounds `yaml:"low" doc:"lower corner: one number for all variables or one per variable"`
	High Bounds `yaml:"high" doc:"upper corner: one number for all variables or one per variable"`
}

// NewBox returns the box [−1, 1] in every variable.
func NewBox() *Box { return &Box{Low: Bounds{-1}, High: Bounds{1}} }

// Validate checks that both bounds are given, finite, of matching lengths
// and ordered. The lengths are checked against the system when sampling.
func (b Box) Validate() error {
	if len(b.Low) == 0 {
		return errors.New("low is required")
	}
	if len(b.High) == 0 {
		return errors.New("high is required")
	}
	if len(b.Low) > 1 && len(b.High) > 1 && len(b.Low) != len(b.High) {
		return fmt.Errorf("low has %d values and high %d", len(b.Low), len(b.High))
	}
	for i := range max(len(b.Low), len(b.High)) {
		lo, hi := b.Low.at(i), b.High.at(i)
		if math.IsNaN(lo) || math.IsInf(lo, 0) || math.IsNaN(hi) || math.IsInf(hi, 0) {
			return fmt.Errorf("low and high must be finite, got low[%d]=%v, high[%d]=%v", i, lo, i, hi)
		}
		if hi < lo {
			return fmt.Errorf("high[%d]=%v is below low[%d]=%v", i, hi, i, lo)
		}
	}
	return nil
}

// Sample implements [Sampler].
func (b Box) Sample(rng *rand.Rand, vars []string, x []float64) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if len(x) != len(vars) {
		return fmt.Errorf("state has %d values for %d variables", len(x), len(vars))
	}
	for _, bd := range []struct {
		name string
		b    Bounds
	}{{"low", b.Low}, {"high", b.High}} {
		if len(bd.b) != 1 && len(bd.b) != len(vars) {
			return fmt.Errorf("%s has %d values for the %d variables %v; give one number or one per variable",
				bd.name, len(bd.b), len(vars), vars)
		}
	}
	for i := range x {
		lo, hi := b.Low.at(i), b.High.at(i)
		x[i] = lo + (hi-lo)*rng.Float64()
	}
	return nil
}
