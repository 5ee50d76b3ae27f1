package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"ansatz/registry"
	"ansatz/spec"
	"ansatz/symbolic"
	"ansatz/systems"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Data, Name: "invariant_samples",
		Doc: "points drawn from a declared distribution, labelled by bins of a declared function f (class labels for a classifier; symmetries of f are what symmetry_generators reads off)",
		New: func() any { return NewInvariantSamples() },
	})
}

// Binnings of [InvariantSamples] (option binning).
const (
	// BinQuantile puts bin edges at the quantiles of f over the sample:
	// equally many points per class.
	BinQuantile = "quantile"
	// BinWidth divides [min f, max f] into bins of equal width.
	BinWidth = "width"
)

// InvariantSamples is the spec of the invariant_samples data kind: points
// of R^d labelled by which bin of a function f they fall in (Krippendorf &
// Syvaeri, arXiv:2003.13679). It needs no system:
//
//	data:
//	  kind: invariant_samples
//	  variables: [x, y]
//	  distribution:                 # any sampler: box, radius, expressions
//	    kind: expressions
//	    let: {r: "normal(1, 0.05)", a: "uniform(0, 2*pi)"}
//	    values: {x: "r*cos(a)", y: "r*sin(a)"}
//	  function: "x^2 + y^2"
//	  bins: 4
//	  binning: quantile             # or width
//	  count: 2000
//	  split: {test: 0.5}
//
// The rows X are the points; the column label holds the bin index (0 for
// the smallest values of f) and the column f the value of f. With quantile
// binning the edges are the k/bins quantiles of f over all points drawn
// (train and test together), so the classes are balanced; with width
// binning they divide [min f, max f] evenly. A function that takes one
// value on the sampled points (so all points fall in one bin) is an error
// at the key function.
//
// Randomness, in this order: the points, in order, by the distribution;
// then the split permutation.
type InvariantSamples struct {
	Variables    []string       `yaml:"variables" spec:"required" doc:"names of the coordinates, the model's inputs"`
	Distribution spec.Component `yaml:"distribution" spec:"required" doc:"sampler of the points: box, radius or expressions (one formula per variable)"`
	Function     spec.Expr      `yaml:"function" spec:"required" doc:"the function f of the variables whose bins are the classes"`
	Bins         int            `yaml:"bins" doc:"number of classes (bins of f), at least 2"`
	Binning      string         `yaml:"binning" spec:"oneof=quantile|width" doc:"bin edges: quantile (equally many points per class) or width (equal widths between min and max of f)"`
	Count        int            `yaml:"count" doc:"number of points, training and test together"`
	Split        SplitOptions   `yaml:"split" doc:"division into training and test points (by is ignored: points are independent)"`

	sampler Sampler
	f       symbolic.Func
}

// NewInvariantSamples returns the defaults: 4 quantile bins, 2000 points,
// half of them held out.
func NewInvariantSamples() *InvariantSamples {
	return &InvariantSamples{Bins: 4, Binning: BinQuantile, Count: 2000, Split: SplitOptions{Test: 0.5, By: SplitByPoint}}
}

// Validate checks the options and compiles the function; errors name the
// field by its yaml name (and point into the formula).
func (o *InvariantSamples) Validate() error {
	var errs []error
	if len(o.Variables) == 0 {
		errs = append(errs, spec.FieldErrorf("variables", "give at least one variable"))
	}
	seen := map[string]bool{}
	for i, v := range o.Variables {
		if err := symbolic.CheckName(v); err != nil {
			errs = append(errs, spec.FieldErrorf("variables", "[%d] %q: %v", i, v, err))
		}
		if seen[v] {
			errs = append(errs, spec.FieldErrorf("variables", "%s is given twice", v))
		}
		seen[v] = true
	}
	if o.Bins < 2 {
		errs = append(errs, spec.FieldErrorf("bins", "must be ≥ 2 (classes), got %d", o.Bins))
	}
	if o.Binning != BinQuantile && o.Binning != BinWidth {
		errs = append(errs, spec.FieldErrorf("binning", "must be %q or %q, got %q", BinQuantile, BinWidth, o.Binning))
	}
	if o.Count < 2 {
		errs = append(errs, spec.FieldErrorf("count", "must be ≥ 2, got %d", o.Count))
	}
	if err := o.Split.Validate(); err != nil {
		errs = append(errs, spec.FieldErrorf("split", "%v", err))
	} else if testCount(o.Split.Test, o.Count) >= o.Count {
		errs = append(errs, spec.FieldErrorf("split", "test=%v leaves no training points of %d", o.Split.Test, o.Count))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	n, err := symbolic.Parse(o.Function.Text)
	if err == nil {
		o.f, err = symbolic.Compile(symbolic.Simplify(n), o.Variables)
	}
	if err != nil {
		var se *symbolic.Error
		if errors.As(err, &se) {
			e := o.Function.ErrorAt(se.Offset, se.Msg)
			e.Path = "function"
			return e
		}
		return spec.FieldErrorf("function", "%v", err)
	}
	return nil
}

// Provision decodes the distribution.
func (o *InvariantSamples) Provision() spec.ErrorList {
	v, errs := registry.Decode(registry.Sampler, &o.Distribution)
	if len(errs) == 0 {
		o.sampler = v.(Sampler)
	}
	return errs
}

// Describe names the model's inputs (the variables) and the classes (the
// bins). The points need no system; one declared in the spec is ignored.
func (o *InvariantSamples) Describe(systems.System) (Description, error) {
	return Description{Vars: slices.Clone(o.Variables), Classes: o.Bins}, nil
}

// pilotSeed seeds the draw with which Check tests the function.
const pilotSeed = 0x5eed

// Check verifies that the distribution draws the variables and that f is
// not constant on them: it draws Count points from a fixed pilot stream
// and bins them. A function that puts them all in one bin is an error at
// the key function.
func (o *InvariantSamples) Check(systems.System, int) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := CheckSampler(o.sampler, o.Variables); err != nil {
		return &spec.Error{Pos: o.Distribution.Pos, Path: o.Distribution.Path, Msg: err.Error()}
	}
	_, _, _, err := o.draw(rand.New(rand.NewPCG(pilotSeed, pilotSeed)))
	return err
}

// Sampler returns the distribution of the points.
func (o *InvariantSamples) Sampler() Sampler { return o.sampler }

// Generate draws the points, labels them and splits them.
func (o *InvariantSamples) Generate(_ systems.System, _ int, rng *rand.Rand) (*Data, error) {
	if rng == nil {
		return nil, errors.New("invariant_samples: a random generator is required")
	}
	if o.sampler == nil {
		return nil, errors.New("invariant_samples: no distribution (the options were not provisioned)")
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	x, fs, labels, err := o.draw(rng)
	if err != nil {
		return nil, err
	}
	d := len(o.Variables)
	all := Set{X: x, N: o.Count, D: d, Columns: []Column{
		{Name: LabelColumn, Width: 1, Data: labels},
		{Name: "f", Width: 1, Data: fs},
	}}
	perm := rng.Perm(o.Count)
	cut := o.Count - testCount(o.Split.Test, o.Count)
	train, test := perm[:cut], perm[cut:]
	slices.Sort(train)
	slices.Sort(test)
	return &Data{Vars: slices.Clone(o.Variables), Train: signalRows(all, train), Test: signalRows(all, test)}, nil
}

// draw samples Count points, evaluates f and bins it.
func (o *InvariantSamples) draw(rng *rand.Rand) (x, fs, labels []float64, err error) {
	d := len(o.Variables)
	x = make([]float64, o.Count*d)
	fs = make([]float64, o.Count)
	for j := range o.Count {
		p := x[j*d : (j+1)*d]
		if err := o.sampler.Sample(rng, o.Variables, p); err != nil {
			return nil, nil, nil, fmt.Errorf("invariant_samples: point %d: %w", j, err)
		}
		for k, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, nil, fmt.Errorf("invariant_samples: point %d: the distribution gave %s = %v", j, o.Variables[k], v)
			}
		}
		fs[j] = o.f(p)
		if math.IsNaN(fs[j]) || math.IsInf(fs[j], 0) {
			return nil, nil, nil, spec.FieldErrorf("function", "is %v at point %d (%s)", fs[j], j, formatPoint(o.Variables, p))
		}
	}
	edges := BinEdges(fs, o.Bins, o.Binning)
	labels = make([]float64, o.Count)
	used := map[int]bool{}
	for j, v := range fs {
		b := Bin(edges, v)
		labels[j] = float64(b)
		used[b] = true
	}
	if len(used) < 2 {
		lo, hi := slices.Min(fs), slices.Max(fs)
		return nil, nil, nil, spec.FieldErrorf("function", "%s is constant on the sampled domain (from %v to %v over %d points): all points fall in one bin, so there is nothing to classify", o.Function.Text, lo, hi, o.Count)
	}
	return x, fs, labels, nil
}

func formatPoint(vars []string, p []float64) string {
	s := ""
	for k, v := range p {
		if k > 0 {
			s += ", "
		}
		s += vars[k] + "=" + strconv.FormatFloat(v, 'g', 6, 64)
	}
	return s
}

// BinEdges returns the bins−1 inner edges of the binning of the values fs:
// quantiles (BinQuantile) or equal widths between the extremes (BinWidth).
func BinEdges(fs []float64, bins int, binning string) []float64 {
	sorted := slices.Clone(fs)
	slices.Sort(sorted)
	lo, hi := sorted[0], sorted[len(sorted)-1]
	edges := make([]float64, bins-1)
	for k := range edges {
		q := float64(k+1) / float64(bins)
		if binning == BinWidth {
			edges[k] = lo + q*(hi-lo)
			continue
		}
		pos := q * float64(len(sorted)-1)
		i := int(pos)
		f := pos - float64(i)
		edges[k] = sorted[i]
		if i+1 < len(sorted) {
			edges[k] = sorted[i]*(1-f) + sorted[i+1]*f
		}
	}
	return edges
}

// Bin is the index of the bin of v: the number of edges strictly below v.
// With all edges equal to v (a constant function) every value is in bin 0.
func Bin(edges []float64, v float64) int {
	b := 0
	for _, e := range edges {
		if v > e {
			b++
		}
	}
	return b
}
