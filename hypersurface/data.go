package hypersurface

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"ansatz/datasets"
	"ansatz/registry"
	"ansatz/spec"
	"ansatz/systems"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Data, Name: "hypersurface_points",
		Doc: "points of a hypersurface system by Shiffman–Zelditch line sampling, with Ω, pullbacks, weights and a second chart (cymetric's conventions); optionally for a list or range of ψ",
		New: func() any { return NewPointsOptions() },
	})
}

// Names of the columns of a hypersurface_points data set (see the package
// documentation for their layout).
const (
	ColWeight        = "weight"
	ColOmega2        = "omega2"
	ColPullback      = "pullback"
	ColPatch         = "patch"
	ColElim          = "elim"
	ColPsi           = "psi"
	ColAltX          = "alt_x"
	ColAltPatch      = "alt_patch"
	ColAltElim       = "alt_elim"
	ColAltPullback   = "alt_pullback"
	ColAltTransition = "alt_transition"
)

// PsiOptions lists the values of the varied parameter: either values or
// range with count (equally spaced, both ends included). Complex values are
// written as [re, im] or "0.5+0.1i" in values; a range is real.
type PsiOptions struct {
	Values []Complex `yaml:"values" doc:"the parameter values (real, [re, im] or \"re+imi\")"`
	Range  []float64 `yaml:"range" doc:"[low, high]: count equally spaced real values, both ends included"`
	Count  int       `yaml:"count" doc:"number of values in range"`
}

// Validate checks that exactly one of values and range is given.
func (p *PsiOptions) Validate() error {
	switch {
	case len(p.Values) > 0 && len(p.Range) > 0:
		return spec.FieldErrorf("values", "give values or range, not both")
	case len(p.Values) > 0:
		if p.Count != 0 {
			return spec.FieldErrorf("count", "applies only with range")
		}
		for k, v := range p.Values {
			if !finite(complex128(v)) {
				return spec.FieldErrorf("values", "[%d] must be finite, got %v", k, v)
			}
			if slices.Index(p.Values, v) != k {
				return spec.FieldErrorf("values", "%v is given twice", v)
			}
		}
	case len(p.Range) > 0:
		if len(p.Range) != 2 || !(p.Range[0] <= p.Range[1]) || math.IsInf(p.Range[0], 0) || math.IsInf(p.Range[1], 0) {
			return spec.FieldErrorf("range", "must be [low, high] with finite low ≤ high, got %v", p.Range)
		}
		if p.Count < 1 || (p.Count > 1 && p.Range[0] == p.Range[1]) {
			return spec.FieldErrorf("count", "must be ≥ 1 (1 only for a range of one value), got %d", p.Count)
		}
		if p.Count == 1 && p.Range[0] != p.Range[1] {
			return spec.FieldErrorf("count", "1 value for the range %v: give count ≥ 2 or a range [a, a]", p.Range)
		}
	default:
		return spec.FieldErrorf("values", "give values or range (with count)")
	}
	return nil
}

// List returns the values.
func (p *PsiOptions) List() []complex128 {
	if len(p.Values) > 0 {
		out := make([]complex128, len(p.Values))
		for k, v := range p.Values {
			out[k] = complex128(v)
		}
		return out
	}
	if p.Count == 1 {
		return []complex128{complex(p.Range[0], 0)}
	}
	out := make([]complex128, p.Count)
	for k := range out {
		f := float64(k) / float64(p.Count-1)
		out[k] = complex(p.Range[0]+(p.Range[1]-p.Range[0])*f, 0)
	}
	out[p.Count-1] = complex(p.Range[1], 0)
	return out
}

// PointsOptions is the spec of the hypersurface_points data kind:
//
//	data:
//	  kind: hypersurface_points
//	  count: 100000
//	  split: {test: 0.1}
//	  psi: {range: [0, 0.9], count: 10}   # optional: else the system's own ψ
//
// It needs a system of kind hypersurface. With psi, count points are shared
// equally among the values (the first values get one more when count is not
// a multiple), each sampled on the hypersurface with the parameter named by
// parameter (default psi) set to that value; without psi every point has
// the system's value of that parameter (0 if it has none). The psi column
// holds (Re ψ, Im ψ) of each point.
//
// The split is stratified: for every ψ value its own ⌈test·n⌉ points,
// chosen by a random permutation, go to the test set.
//
// check_singular (default true) searches each ψ value's hypersurface for a
// singular point before any data is generated (FindSingular, with a fixed
// internal seed so that the check is reproducible) and makes a spec error
// naming the value: ψ⁵ = 1 on the Dwork family z_0⁵+…+z_4⁵ − 5ψ z_0⋯z_4.
//
// Randomness, in this order: the points of each ψ value in turn (Sample's
// draws), then the split permutations, one per ψ value in order. With
// resample_every > 0 the runner asks for a fresh training set (of the
// training set's size, the same ψ values) every that many steps.
type PointsOptions struct {
	Count         int                   `yaml:"count" doc:"number of points, training and test together"`
	Split         datasets.SplitOptions `yaml:"split" doc:"division into training and test points (by is ignored: points are independent)"`
	Parameter     string                `yaml:"parameter" doc:"name of the polynomial's parameter that psi sets"`
	Psi           *PsiOptions           `yaml:"psi,omitempty" doc:"values of the parameter: {values: [...]} or {range: [a, b], count: n}; default the system's value"`
	CheckSingular bool                  `yaml:"check_singular" doc:"refuse parameter values at which the hypersurface is singular"`
	Fresh         int                   `yaml:"resample_every" doc:"draw a fresh training set every this many optimiser steps (0: never)"`
}

// NewPointsOptions returns the defaults: 10000 points, 10% held out,
// parameter psi, check_singular true, no resampling.
func NewPointsOptions() *PointsOptions {
	return &PointsOptions{Count: 10000, Split: datasets.SplitOptions{Test: 0.1, By: datasets.SplitByPoint},
		Parameter: "psi", CheckSingular: true}
}

// Validate checks the options; errors name the field by its yaml name.
func (o *PointsOptions) Validate() error {
	var errs []error
	if o.Count < 2 {
		errs = append(errs, spec.FieldErrorf("count", "must be ≥ 2, got %d", o.Count))
	}
	if o.Fresh < 0 {
		errs = append(errs, spec.FieldErrorf("resample_every", "must be ≥ 0, got %d", o.Fresh))
	}
	if o.Parameter == "" {
		errs = append(errs, spec.FieldErrorf("parameter", "must name a parameter of the polynomial"))
	}
	if !(o.Split.Test >= 0 && o.Split.Test < 1) {
		errs = append(errs, spec.FieldErrorf("split", "test must be in [0, 1), got %v", o.Split.Test))
	}
	if o.Psi != nil {
		if err := o.Psi.Validate(); err != nil {
			var fe *spec.FieldError
			if errors.As(err, &fe) {
				err = spec.FieldErrorf("psi."+fe.Field, "%s", fe.Msg)
			}
			errs = append(errs, err)
		} else if n := len(o.Psi.List()); o.Count < 2*n {
			errs = append(errs, spec.FieldErrorf("count", "%d points for %d parameter values: need at least 2 per value", o.Count, n))
		}
	}
	return errors.Join(errs...)
}

// hypersurfaceOf asserts the system's kind.
func hypersurfaceOf(sys systems.System) (*Hypersurface, error) {
	if sys == nil {
		return nil, errors.New("data kind hypersurface_points needs a system of kind hypersurface, and the spec declares none")
	}
	h, ok := sys.(*Hypersurface)
	if !ok {
		return nil, fmt.Errorf("data kind hypersurface_points needs a system of kind hypersurface, got %T", sys)
	}
	return h, nil
}

// surfaces returns the hypersurface at each parameter value.
func (o *PointsOptions) surfaces(h *Hypersurface) ([]*Hypersurface, []complex128, error) {
	if o.Psi == nil {
		v, _ := h.Parameter(o.Parameter)
		return []*Hypersurface{h}, []complex128{v}, nil
	}
	if _, ok := h.Parameter(o.Parameter); !ok {
		names := slices.Sorted(maps.Keys(h.Parameters()))
		return nil, nil, spec.FieldErrorf("parameter", "the polynomial has no parameter %q (parameters: %s); declare it in the system's parameters", o.Parameter, strings.Join(names, ", "))
	}
	vals := o.Psi.List()
	hs := make([]*Hypersurface, len(vals))
	for k, v := range vals {
		hk, err := h.WithParameters(map[string]complex128{o.Parameter: v})
		if err != nil {
			return nil, nil, spec.FieldErrorf("psi", "%s = %s: %v", o.Parameter, FormatComplex(v), err)
		}
		hs[k] = hk
	}
	return hs, vals, nil
}

// Check verifies the system's kind and parameter and, with
// check_singular, that no parameter value gives a singular hypersurface.
func (o *PointsOptions) Check(sys systems.System, _ int) error {
	h, err := hypersurfaceOf(sys)
	if err != nil {
		return err
	}
	hs, vals, err := o.surfaces(h)
	if err != nil {
		return err
	}
	if !o.CheckSingular {
		return nil
	}
	for k, hk := range hs {
		z, singular := FindSingular(hk, rand.New(rand.NewPCG(0x5eed, uint64(k))))
		if !singular {
			continue
		}
		where := ""
		if z != nil {
			parts := make([]string, len(z))
			for i, v := range z {
				parts[i] = FormatComplex(complex(round(real(v)), round(imag(v))))
			}
			where = " at z = (" + strings.Join(parts, ", ") + ")"
		}
		msg := fmt.Sprintf("the hypersurface is singular for %s = %s (∇p = 0%s): Ω and the weights diverge there; choose another value (ψ⁵ = 1 is singular for the Dwork family with −5ψ·z0⋯z4) or set check_singular: false", o.Parameter, FormatComplex(vals[k]), where)
		if o.Psi != nil {
			return spec.FieldErrorf("psi", "%s", msg)
		}
		return errors.New(msg)
	}
	return nil
}

func round(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// Describe names the model's inputs: re_<z> for every coordinate, then
// im_<z>.
func (o *PointsOptions) Describe(sys systems.System) (datasets.Description, error) {
	h, err := hypersurfaceOf(sys)
	if err != nil {
		return datasets.Description{}, err
	}
	return datasets.Description{Vars: InputNames(h.Variables())}, nil
}

// InputNames returns the names of the columns of X for these coordinates:
// re_z0..re_zn, im_z0..im_zn.
func InputNames(coords []string) []string {
	out := make([]string, 0, 2*len(coords))
	for _, c := range coords {
		out = append(out, "re_"+c)
	}
	for _, c := range coords {
		out = append(out, "im_"+c)
	}
	return out
}

// Sampler returns nil: points are not initial conditions.
func (o *PointsOptions) Sampler() datasets.Sampler { return nil }

// ResampleEvery returns resample_every.
func (o *PointsOptions) ResampleEvery() int { return o.Fresh }

// counts shares n points among k values.
func counts(n, k int) []int {
	out := make([]int, k)
	for i := range out {
		out[i] = n / k
		if i < n%k {
			out[i]++
		}
	}
	return out
}

// sample draws the points of every value, n[k] for value k.
func (o *PointsOptions) sample(hs []*Hypersurface, vals []complex128, n []int, rng *rand.Rand) ([]*Points, error) {
	sets := make([]*Points, len(hs))
	for k, hk := range hs {
		p, err := Sample(hk, n[k], vals[k], rng)
		if err != nil {
			return nil, fmt.Errorf("hypersurface_points: %s = %s: %w", o.Parameter, FormatComplex(vals[k]), err)
		}
		if err := p.CheckFinite(); err != nil {
			return nil, fmt.Errorf("hypersurface_points: %s = %s: %w", o.Parameter, FormatComplex(vals[k]), err)
		}
		sets[k] = p
	}
	return sets, nil
}

func testSize(test float64, n int) int { return int(math.Ceil(test*float64(n) - 1e-9)) }

// Generate samples the points and splits them (see [PointsOptions]).
func (o *PointsOptions) Generate(sys systems.System, _ int, rng *rand.Rand) (*datasets.Data, error) {
	if rng == nil {
		return nil, errors.New("hypersurface_points: a random generator is required")
	}
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("hypersurface_points: %w", err)
	}
	h, err := hypersurfaceOf(sys)
	if err != nil {
		return nil, err
	}
	hs, vals, err := o.surfaces(h)
	if err != nil {
		return nil, err
	}
	n := counts(o.Count, len(hs))
	sets, err := o.sample(hs, vals, n, rng)
	if err != nil {
		return nil, err
	}
	var train, test []*Points
	for _, p := range sets {
		perm := rng.Perm(p.N)
		cut := p.N - testSize(o.Split.Test, p.N)
		tr, te := perm[:cut], perm[cut:]
		slices.Sort(tr)
		slices.Sort(te)
		train = append(train, p.Subset(tr))
		test = append(test, p.Subset(te))
	}
	if nt := Append(train...).N; nt == 0 {
		return nil, fmt.Errorf("hypersurface_points: split test=%v leaves no training points", o.Split.Test)
	}
	vars := InputNames(h.Variables())
	return &datasets.Data{Vars: vars, Train: ToSet(Append(train...)), Test: ToSet(Append(test...))}, nil
}

// Resample draws a fresh training set: as many points per ψ value as the
// training set of Generate has.
func (o *PointsOptions) Resample(sys systems.System, rng *rand.Rand) (*datasets.Set, error) {
	if rng == nil {
		return nil, errors.New("hypersurface_points: a random generator is required")
	}
	h, err := hypersurfaceOf(sys)
	if err != nil {
		return nil, err
	}
	hs, vals, err := o.surfaces(h)
	if err != nil {
		return nil, err
	}
	n := counts(o.Count, len(hs))
	for k := range n {
		n[k] -= testSize(o.Split.Test, n[k])
	}
	sets, err := o.sample(hs, vals, n, rng)
	if err != nil {
		return nil, err
	}
	s := ToSet(Append(sets...))
	return &s, nil
}

// CheckFinite returns an error naming the first point with a non-finite
// value (coordinates, Ω, pullbacks, weight, transition).
func (p *Points) CheckFinite() error {
	m, jw, tw := p.M, p.Dim*p.M, p.Dim*p.Dim
	for i := range p.N {
		ok := finite(p.Omega[i]) && !math.IsNaN(p.Weight[i]) && !math.IsInf(p.Weight[i], 0) && p.Weight[i] > 0
		for _, v := range p.Z[i*m : (i+1)*m] {
			ok = ok && finite(v)
		}
		for _, v := range p.Pullback[i*jw : (i+1)*jw] {
			ok = ok && finite(v)
		}
		if p.HasAlt() {
			for _, v := range p.AltPullback[i*jw : (i+1)*jw] {
				ok = ok && finite(v)
			}
			for _, v := range p.AltTransition[i*tw : (i+1)*tw] {
				ok = ok && finite(v)
			}
		}
		if !ok {
			return fmt.Errorf("point %d (z = %v) has a non-finite or non-positive value (Ω = %v, weight %v): the hypersurface may be singular near it", i, p.Point(i), p.Omega[i], p.Weight[i])
		}
	}
	return nil
}

// ToSet lays the points out as a data set (the layout of the package
// documentation): X = (Re z, Im z) and the named columns; DX and F nil.
func ToSet(p *Points) datasets.Set {
	n, m, dim := p.N, p.M, p.Dim
	x := make([]float64, n*2*m)
	for i := range n {
		splitComplex(p.Z[i*m:(i+1)*m], x[i*2*m:(i+1)*2*m])
	}
	cplx := func(name string, v []complex128, w int) datasets.Column {
		d := make([]float64, n*2*w)
		for i := range n {
			splitComplex(v[i*w:(i+1)*w], d[i*2*w:(i+1)*2*w])
		}
		return datasets.Column{Name: name, Width: 2 * w, Data: d}
	}
	ints := func(name string, v []int) datasets.Column {
		d := make([]float64, n)
		for i, k := range v {
			d[i] = float64(k)
		}
		return datasets.Column{Name: name, Width: 1, Data: d}
	}
	o2 := make([]float64, n)
	for i, v := range p.Omega {
		o2[i] = abs2(v)
	}
	cols := []datasets.Column{
		{Name: ColWeight, Width: 1, Data: slices.Clone(p.Weight)},
		{Name: ColOmega2, Width: 1, Data: o2},
		cplx(ColPullback, p.Pullback, dim*m),
		ints(ColPatch, p.Patch),
		ints(ColElim, p.Elim),
		{Name: ColPsi, Width: 2, Data: interleave(p.Psi)},
	}
	if p.HasAlt() {
		cols = append(cols,
			cplx(ColAltX, p.AltZ, m),
			ints(ColAltPatch, p.AltPatch),
			ints(ColAltElim, p.AltElim),
			cplx(ColAltPullback, p.AltPullback, dim*m),
			cplx(ColAltTransition, p.AltTransition, dim*dim))
	}
	return datasets.Set{X: x, N: n, D: 2 * m, Columns: cols}
}

// splitComplex writes Re v then Im v into out (len 2·len(v)).
func splitComplex(v []complex128, out []float64) {
	w := len(v)
	for c, z := range v {
		out[c], out[w+c] = real(z), imag(z)
	}
}

// interleave returns (Re v_i, Im v_i) pairs.
func interleave(v []complex128) []float64 {
	out := make([]float64, 2*len(v))
	for i, z := range v {
		out[2*i], out[2*i+1] = real(z), imag(z)
	}
	return out
}

// PointsFromSet rebuilds the points of a hypersurface_points data set
// (inverse of ToSet). Ω is restored as the positive real √omega2: only |Ω|²
// enters the measures, the weights and Donaldson's iteration. The
// alternative chart is restored when its columns are present.
func PointsFromSet(s *datasets.Set) (*Points, error) {
	if s.D%2 != 0 || s.D < 6 {
		return nil, fmt.Errorf("points from set: X has %d columns, want 2(n+1) with n ≥ 2", s.D)
	}
	m := s.D / 2
	dim := m - 2
	n := s.N
	col := func(name string, w int) ([]float64, error) {
		c := s.Column(name)
		if c == nil {
			return nil, fmt.Errorf("points from set: no column %q (the data kind hypersurface_points provides it)", name)
		}
		if c.Width != w {
			return nil, fmt.Errorf("points from set: column %q has width %d, want %d", name, c.Width, w)
		}
		return c.Data, nil
	}
	p := &Points{N: n, M: m, Dim: dim}
	var err error
	get := func(name string, w int) []float64 {
		if err != nil {
			return nil
		}
		var d []float64
		d, err = col(name, w)
		return d
	}
	w, o2, pb := get(ColWeight, 1), get(ColOmega2, 1), get(ColPullback, 2*dim*m)
	patch, elim, psi := get(ColPatch, 1), get(ColElim, 1), get(ColPsi, 2)
	if err != nil {
		return nil, err
	}
	p.Z = joinComplex(s.X, m)
	p.Pullback = joinComplex(pb, dim*m)
	p.Weight = slices.Clone(w)
	p.Omega = make([]complex128, n)
	p.Patch, p.Elim = make([]int, n), make([]int, n)
	p.Psi = make([]complex128, n)
	for i := range n {
		p.Omega[i] = complex(math.Sqrt(o2[i]), 0)
		p.Patch[i], p.Elim[i] = int(patch[i]), int(elim[i])
		p.Psi[i] = complex(psi[2*i], psi[2*i+1])
	}
	if s.Column(ColAltX) == nil {
		return p, nil
	}
	ax, ap, ae := get(ColAltX, 2*m), get(ColAltPatch, 1), get(ColAltElim, 1)
	apb, at := get(ColAltPullback, 2*dim*m), get(ColAltTransition, 2*dim*dim)
	if err != nil {
		return nil, err
	}
	p.AltZ = joinComplex(ax, m)
	p.AltPullback = joinComplex(apb, dim*m)
	p.AltTransition = joinComplex(at, dim*dim)
	p.AltPatch, p.AltElim = make([]int, n), make([]int, n)
	for i := range n {
		p.AltPatch[i], p.AltElim[i] = int(ap[i]), int(ae[i])
	}
	return p, nil
}

// joinComplex reads rows of width 2w (Re then Im) into complex rows of
// width w.
func joinComplex(d []float64, w int) []complex128 {
	rows := len(d) / (2 * w)
	out := make([]complex128, rows*w)
	for i := range rows {
		r := d[i*2*w : (i+1)*2*w]
		for c := range w {
			out[i*w+c] = complex(r[c], r[w+c])
		}
	}
	return out
}
