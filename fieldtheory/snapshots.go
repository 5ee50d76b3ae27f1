package fieldtheory

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"ansatz/datasets"
	"ansatz/spec"
	"ansatz/symbolic"
	"ansatz/systems"
)

// FieldSnapshots is the spec of the data kind field_snapshots: snapshots of
// solutions of a field system, one row per (snapshot, sampled grid point)
// with the jets as X, their time derivatives from the equation as DX and
// their x-derivatives as F (see the package documentation).
//
//	data:
//	  kind: field_snapshots
//	  initial: {random: {amplitude: 0.5, modes: 6, decay: 1}}
//	  count: 8
//	  t: {start: 0, stop: 1, points: 11}
//	  order: 2
//	  samples_per_snapshot: 64
//	  split: {test: 0.25}
//
// The initial data are at t = 0 and integrated by the pseudo-spectral
// [Integrator]; the snapshots are taken at the times of t.
//
// All randomness comes from the rng given to Generate, in this order: the
// initial conditions in order (let draws, or the Fourier coefficients field
// by field, mode by mode, cosine before sine); then the grid points of each
// snapshot (trajectory by trajectory, time by time) when
// samples_per_snapshot is set; then the split permutation.
type FieldSnapshots struct {
	Initial            Initial               `yaml:"initial" spec:"required" doc:"initial conditions: random smooth Fourier data, or expressions of x per field"`
	Count              int                   `yaml:"count" doc:"number of initial conditions (trajectories)"`
	T                  datasets.TimeGrid     `yaml:"t" doc:"snapshot times (the initial data are at t = 0; start ≥ 0)"`
	Order              int                   `yaml:"order" doc:"highest derivative order of the jets in X; -1: the equation's order − 1"`
	SamplesPerSnapshot int                   `yaml:"samples_per_snapshot" doc:"grid points drawn per snapshot (without replacement); 0: all points"`
	Split              datasets.SplitOptions `yaml:"split" doc:"division into training and test data (by trajectory = initial condition, or point)"`
	Tolerance          float64               `yaml:"tolerance" doc:"largest relative error of the data-quality checks (and largest |constraint|) before the run fails"`
	Integrator         IntegratorOptions     `yaml:"integrator" doc:"time step of the pseudo-spectral integrator"`
}

// NewFieldSnapshots returns the defaults: count 8, t from 0 to 1 at 11
// points, order −1, all grid points, split {test: 0.25, by: trajectory},
// tolerance 1e-6, the integrator's defaults. The initial data have no
// default.
func NewFieldSnapshots() *FieldSnapshots {
	return &FieldSnapshots{
		Count:      8,
		T:          datasets.TimeGrid{Start: 0, Stop: 1, Points: 11},
		Order:      -1,
		Split:      datasets.SplitOptions{Test: 0.25, By: datasets.SplitByTrajectory},
		Tolerance:  1e-6,
		Integrator: NewIntegratorOptions(),
	}
}

// Initial chooses the initial conditions of [FieldSnapshots]: either random
// (random smooth Fourier data) or values (one expression of x per field,
// with let draws shared by the values).
//
//	initial:
//	  let: {k: "uniform(0.6, 1.0)", x0: "uniform(5, 15)"}
//	  values: {u: "2*k^2/cosh(k*(x - x0))^2"}
//
// The values may use x, the let names, the system's parameters, the
// constant pi and the functions of the equations' language; the domain's
// length is the name L. A field system with a constraint gets random data
// projected onto it pointwise; values must satisfy it (to the tolerance).
type Initial struct {
	Random *RandomInitial      `yaml:"random,omitempty" doc:"random smooth Fourier data for every field"`
	Let    datasets.NamedExprs `yaml:"let,omitempty" doc:"random draws (uniform(a, b), normal(mu, sigma)) and formulas shared by the values, drawn once per initial condition"`
	Values datasets.NamedExprs `yaml:"values,omitempty" doc:"one expression of x (and of the let names, the parameters and L) per field"`

	draws *datasets.Expressions
}

// RandomInitial is random smooth Fourier data: each field is
// mean + amplitude · Σ_{m=1..modes} m^(−decay) (a_m cos(2πmx/L) + b_m sin(2πmx/L))
// with a_m, b_m standard normal.
//
// [NewRandomInitial] gives the defaults.
type RandomInitial struct {
	Amplitude float64 `yaml:"amplitude" spec:"required" doc:"overall factor of the Fourier modes"`
	Modes     int     `yaml:"modes" spec:"required" doc:"number of Fourier modes m = 1..modes"`
	Decay     float64 `yaml:"decay" doc:"power-law decay of the mode amplitudes, m^(−decay) (default 0: all modes alike)"`
	Mean      float64 `yaml:"mean" doc:"constant added to every field"`
}

// NewRandomInitial returns the defaults: amplitude 0.5, 6 modes, decay 1,
// mean 0.
func NewRandomInitial() *RandomInitial { return &RandomInitial{Amplitude: 0.5, Modes: 6, Decay: 1} }

// Validate checks the options; errors name the field by its yaml name.
func (o *FieldSnapshots) Validate() error {
	var errs []error
	fe := func(field, format string, args ...any) { errs = append(errs, spec.FieldErrorf(field, format, args...)) }
	if o.Count < 1 {
		fe("count", "must be ≥ 1, got %d", o.Count)
	}
	if err := o.T.Validate(); err != nil {
		fe("t", "%v", err)
	} else if o.T.Start < 0 {
		fe("t.start", "must be ≥ 0 (the initial data are at t = 0), got %v", o.T.Start)
	}
	if o.Order < -1 || o.Order > MaxOrder {
		fe("order", "must be in [-1, %d] (-1: the equation's order − 1), got %d", MaxOrder, o.Order)
	}
	if o.SamplesPerSnapshot < 0 {
		fe("samples_per_snapshot", "must be ≥ 0 (0: every grid point), got %d", o.SamplesPerSnapshot)
	}
	if err := o.Split.Validate(); err != nil {
		fe("split", "%v", err)
	}
	if !(o.Tolerance > 0) || math.IsInf(o.Tolerance, 0) {
		fe("tolerance", "must be a positive finite number, got %v", o.Tolerance)
	}
	if err := o.Integrator.Validate(); err != nil {
		var f *FieldError
		if errors.As(err, &f) {
			fe("integrator."+f.Field, "%s", f.Msg)
		} else {
			fe("integrator", "%v", err)
		}
	}
	if err := o.Initial.validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 && o.Split.By == datasets.SplitByTrajectory && testCount(o.Split.Test, o.Count) >= o.Count {
		fe("split", "test=%v leaves no training trajectories with count %d", o.Split.Test, o.Count)
	}
	return errors.Join(errs...)
}

func testCount(test float64, n int) int { return int(math.Ceil(test*float64(n) - 1e-9)) }

// validate checks the choice of initial data and parses the let draws.
func (in *Initial) validate() error {
	switch {
	case in.Random != nil && (len(in.Values) > 0 || len(in.Let) > 0):
		return spec.FieldErrorf("initial", "give either random or values (with let), not both")
	case in.Random == nil && len(in.Values) == 0:
		return spec.FieldErrorf("initial", "give random: {amplitude, modes, decay} or values: {<field>: <expression of x>}")
	case in.Random != nil:
		r := in.Random
		if !(r.Amplitude >= 0) || math.IsInf(r.Amplitude, 0) {
			return spec.FieldErrorf("initial.random.amplitude", "must be a finite number ≥ 0, got %v", r.Amplitude)
		}
		if r.Modes < 1 {
			return spec.FieldErrorf("initial.random.modes", "must be ≥ 1, got %d", r.Modes)
		}
		if math.IsNaN(r.Decay) || math.IsInf(r.Decay, 0) {
			return spec.FieldErrorf("initial.random.decay", "must be finite, got %v", r.Decay)
		}
		if math.IsNaN(r.Mean) || math.IsInf(r.Mean, 0) {
			return spec.FieldErrorf("initial.random.mean", "must be finite, got %v", r.Mean)
		}
		return nil
	}
	let := make([]datasets.NamedExpr, len(in.Let))
	echo := make([]datasets.NamedExpr, len(in.Let))
	for i, l := range in.Let {
		let[i] = datasets.NamedExpr{Name: l.Name, Expr: l.Expr.Text}
		echo[i] = datasets.NamedExpr{Name: l.Name, Expr: l.Name}
	}
	e, err := datasets.NewExpressions(let, echo)
	if err != nil {
		var ee *datasets.ExprError
		if errors.As(err, &ee) {
			name := strings.TrimPrefix(ee.Entry, "let ")
			for _, l := range in.Let {
				if l.Name == name {
					se := l.Expr.ErrorAt(ee.Offset, ee.Msg)
					se.Path = "initial.let." + name
					return se
				}
			}
		}
		return spec.FieldErrorf("initial.let", "%v", err)
	}
	in.draws = e
	return nil
}

// Describe names the model's inputs: the jets of every field up to the
// data's order.
func (o *FieldSnapshots) Describe(sys systems.System) (datasets.Description, error) {
	s, err := fieldSystem(sys)
	if err != nil {
		return datasets.Description{}, err
	}
	return datasets.Description{Vars: s.Jets(o.order(s))}, nil
}

// order resolves order −1.
func (o *FieldSnapshots) order(s *System) int {
	if o.Order >= 0 {
		return o.Order
	}
	return max(s.order-1, 0)
}

// fieldSystem type-asserts the spec's system.
func fieldSystem(sys systems.System) (*System, error) {
	if sys == nil {
		return nil, errors.New("data kind field_snapshots needs a system of kind field; the spec declares none")
	}
	s, ok := sys.(*System)
	if !ok {
		return nil, fmt.Errorf("data kind field_snapshots needs a system of kind field, got %T", sys)
	}
	return s, nil
}

// prepared is what Check derives from the options and the system.
type prepared struct {
	sys    *System
	order  int
	jm     *JetMap
	values []symbolic.Func // per field, over x, the let names, L
	lets   []string
}

// prepare checks the options against the system.
func (o *FieldSnapshots) prepare(sys systems.System) (*prepared, error) {
	s, err := fieldSystem(sys)
	if err != nil {
		return nil, err
	}
	p := &prepared{sys: s, order: o.order(s)}
	if need := p.order + max(s.order, 1); need > MaxOrder {
		return nil, o.orderError(s, p.order, need)
	}
	if p.jm, err = s.JetMap(p.order); err != nil {
		return nil, spec.FieldErrorf("order", "%v", err)
	}
	if o.Initial.Random != nil {
		return p, nil
	}
	if o.Initial.draws == nil {
		if err := o.Initial.validate(); err != nil {
			return nil, err
		}
	}
	o.Initial.draws.Parameters = s.Parameters()
	for _, l := range o.Initial.Let {
		p.lets = append(p.lets, l.Name)
		if _, clash := s.params[l.Name]; clash || l.Name == "x" || l.Name == "L" {
			return nil, spec.FieldErrorf("initial.let."+l.Name, "%s is already a name of the initial values (x, L or a parameter); rename the let entry", l.Name)
		}
	}
	vars := append([]string{"x", "L"}, p.lets...)
	byName := map[string]datasets.NamedSpecExpr{}
	for _, v := range o.Initial.Values {
		if !slices.Contains(s.fields, v.Name) {
			return nil, spec.FieldErrorf("initial.values."+v.Name, "%s is not a field (fields: %s)", v.Name, strings.Join(s.fields, ", "))
		}
		byName[v.Name] = v
	}
	for _, f := range s.fields {
		v, ok := byName[f]
		if !ok {
			return nil, spec.FieldErrorf("initial.values", "no initial value for the field %s", f)
		}
		located := func(err error) error {
			var e *symbolic.Error
			if errors.As(err, &e) {
				se := v.Expr.ErrorAt(e.Offset, e.Msg)
				se.Path = "initial.values." + f
				return se
			}
			return spec.FieldErrorf("initial.values."+f, "%v", err)
		}
		n, err := symbolic.Parse(v.Expr.Text)
		if err != nil {
			return nil, located(err)
		}
		n = symbolic.Substitute(n, s.params)
		fn, err := symbolic.Compile(n, vars)
		if err != nil {
			return nil, located(err)
		}
		p.values = append(p.values, fn)
	}
	return p, nil
}

// orderError reports that the data's jets need derivatives above MaxOrder,
// at the highest-order jet of the equations when the system knows where its
// equations are in the spec, else at the data's order.
func (o *FieldSnapshots) orderError(s *System, order, need int) error {
	msg := fmt.Sprintf("the equations have order %d; jets of order %d (data option order) need their time derivatives up to order %d, above the %d the spectral data provide", s.order, order, need, MaxOrder)
	for _, r := range s.rhs {
		if k, _ := orderOf(r.node, s.fields); k != s.order {
			continue
		}
		e, ok := s.where["equations."+r.name]
		if !ok {
			break
		}
		if n, err := symbolic.Parse(e.Text); err == nil {
			_, off := orderOf(n, s.fields)
			se := e.ErrorAt(off, msg)
			se.Path = "equations." + r.name
			return se
		}
	}
	return spec.FieldErrorf("order", "%s", msg)
}
