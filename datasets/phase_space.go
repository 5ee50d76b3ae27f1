package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"ansatz/odeint"
	"ansatz/registry"
	"ansatz/spec"
	"ansatz/systems"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Data, Name: "phase_space",
		Doc: "states drawn from a distribution (or along trajectories) with ẋ = f(x) as targets, optional Gaussian noise on ẋ; for Lax-pair and vector-field fits",
		New: func() any { return NewPhaseSpace() },
	})
}

// Sources of the states of [PhaseSpace] (option from).
const (
	FromSampler      = "sampler"
	FromTrajectories = "trajectories"
)

// PhaseSpace is the spec of the phase_space data kind: states of phase space
// with their time derivatives, without the time structure of trajectories.
//
//	data:
//	  kind: phase_space
//	  initial: {kind: box, low: -1, high: 1}
//	  count: 2000
//	  noise: 0.01          # on ẋ
//	  split: {test: 0.2}
//
// With from: sampler (the default) every state is drawn independently by
// the initial sampler; count is the number of states. With
// from: trajectories, count initial conditions are drawn and integrated by
// the integrator (default dopri5) over the grid t; every recorded state is a
// data point (count·t.points states).
//
// Unlike the trajectories kind the noise is on the targets, not on the
// states: a [Set] from phase_space has X = Clean (the exact states),
// F = f(X) and DX = f(X) + noise·N(0, 1) (DX = F when noise is 0). In
// sampler mode Trajectory[j] is the index of the state in generation order
// and T is 0.
//
// All randomness comes from the rng passed to Generate, in this order: the
// states (or initial conditions) in order, by the sampler; one standard
// normal per value of ẋ in the order state, variable (drawn even when noise
// is 0, so that the split does not depend on the noise level); then the
// split permutation (of the states when split.by is point, of the
// trajectories when it is trajectory; in sampler mode both are the same).
type PhaseSpace struct {
	Initial    spec.Component  `yaml:"initial" spec:"required" doc:"sampler of the states (or of the initial conditions with from: trajectories): radius, box or expressions"`
	From       string          `yaml:"from" spec:"oneof=sampler|trajectories" doc:"where the states come from: sampler (independent draws) or trajectories (recorded along integrated trajectories)"`
	Count      int             `yaml:"count" spec:">=1" doc:"number of states (from: sampler) or of trajectories (from: trajectories)"`
	T          *TimeGrid       `yaml:"t,omitempty" doc:"times at which each trajectory is recorded (from: trajectories only; required there)"`
	Integrator *spec.Component `yaml:"integrator,omitempty" doc:"integrator of the trajectories (from: trajectories only; default dopri5)"`
	Noise      float64         `yaml:"noise" spec:">=0" doc:"standard deviation of the Gaussian noise added to the targets ẋ (not to the states)"`
	Split      SplitOptions    `yaml:"split" doc:"division into training and test data"`

	sampler Sampler
	integ   odeint.Integrator
}

// NewPhaseSpace returns the defaults: from sampler, count 1000, noise 0,
// split {test: 0.2, by: point}. The sampler has no default.
func NewPhaseSpace() *PhaseSpace {
	return &PhaseSpace{From: FromSampler, Count: 1000, Split: SplitOptions{Test: 0.2, By: SplitByPoint}}
}

// Validate checks the options; errors name the field by its yaml name.
func (p *PhaseSpace) Validate() error {
	var errs []error
	if p.Count < 1 {
		errs = append(errs, spec.FieldErrorf("count", "must be ≥ 1, got %d", p.Count))
	}
	if !(p.Noise >= 0) || math.IsInf(p.Noise, 0) {
		errs = append(errs, spec.FieldErrorf("noise", "must be a finite number ≥ 0, got %v", p.Noise))
	}
	if err := p.Split.Validate(); err != nil {
		errs = append(errs, spec.FieldErrorf("split", "%v", err))
	}
	switch p.From {
	case FromSampler:
		if p.T != nil {
			errs = append(errs, spec.FieldErrorf("t", "applies only with from: trajectories"))
		}
		if p.Integrator != nil {
			errs = append(errs, spec.FieldErrorf("integrator", "applies only with from: trajectories"))
		}
	case FromTrajectories:
		if p.T == nil {
			errs = append(errs, spec.FieldErrorf("t", "is required with from: trajectories (the times at which each trajectory is recorded)"))
		} else if err := p.T.Validate(); err != nil {
			errs = append(errs, spec.FieldErrorf("t", "%v", err))
		}
	default:
		errs = append(errs, spec.FieldErrorf("from", "must be %q or %q, got %q", FromSampler, FromTrajectories, p.From))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	units, unit := p.Count, "states"
	if p.From == FromTrajectories {
		unit = "trajectories"
		if p.Split.By == SplitByPoint {
			units, unit = p.Count*p.T.Points, "states"
		}
	}
	if testCount(p.Split.Test, units) >= units {
		return spec.FieldErrorf("split", "test=%v leaves no training data with %d %s", p.Split.Test, units, unit)
	}
	return nil
}

// Provision decodes the nested sampler and, with from: trajectories, the
// integrator (dopri5 with its defaults when none is given).
func (p *PhaseSpace) Provision() spec.ErrorList {
	var errs spec.ErrorList
	if v, e := registry.Decode(registry.Sampler, &p.Initial); len(e) > 0 {
		errs = append(errs, e...)
	} else {
		p.sampler = v.(Sampler)
	}
	if p.From != FromTrajectories {
		return errs
	}
	if p.Integrator == nil {
		path := "integrator"
		if parent, ok := strings.CutSuffix(p.Initial.Path, "initial"); ok {
			path = parent + "integrator"
		}
		p.Integrator = &spec.Component{Kind: "dopri5", Path: path, File: p.Initial.File, Pos: p.Initial.Pos}
	}
	if v, e := registry.Decode(registry.Integrator, p.Integrator); len(e) > 0 {
		errs = append(errs, e...)
	} else {
		p.integ = v.(odeint.Integrator)
	}
	return errs
}

// Check verifies that the sampler (and the integrator) suit the system.
func (p *PhaseSpace) Check(sys systems.System, nq int) error {
	if _, err := flow(sys, "phase_space"); err != nil {
		return err
	}
	if err := CheckSampler(p.sampler, sys.Variables()); err != nil {
		return &spec.Error{Pos: p.Initial.Pos, Path: p.Initial.Path, Msg: err.Error()}
	}
	if p.From == FromTrajectories && p.integ != nil {
		if err := odeint.Prepare(p.integ, nq); err != nil {
			return &spec.Error{Pos: p.Integrator.Pos, Path: p.Integrator.Path, Msg: err.Error()}
		}
	}
	return nil
}

// Sampler returns the state (initial-condition) sampler.
func (p *PhaseSpace) Sampler() Sampler { return p.sampler }

// Generate draws the states of sys and their derivatives (see [PhaseSpace]
// for the order of the random draws). A non-finite state, derivative or
// energy is an error naming the state.
func (p *PhaseSpace) Generate(space systems.System, nq int, rng *rand.Rand) (*Data, error) {
	if rng == nil {
		return nil, errors.New("phase_space: a random generator is required")
	}
	sys, err := flow(space, "phase_space")
	if err != nil {
		return nil, err
	}
	if p.sampler == nil {
		return nil, errors.New("phase_space: no sampler (the options were not provisioned)")
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("phase_space: %w", err)
	}
	vars := slices.Clone(sys.Variables())
	d := len(vars)
	if d == 0 {
		return nil, errors.New("phase_space: the system has no variables")
	}

	// 1. States.
	var (
		states []float64
		traj   []int
		times  []float64
		nt     = 1
	)
	if p.From == FromTrajectories {
		if p.integ == nil {
			return nil, errors.New("phase_space: no integrator (the options were not provisioned)")
		}
		if err := odeint.Prepare(p.integ, nq); err != nil {
			return nil, fmt.Errorf("phase_space: integrator: %w", err)
		}
		nt = p.T.Points
		states, traj, times, err = p.alongTrajectories(sys, vars, rng)
	} else {
		states, traj, times, err = p.drawStates(vars, rng)
	}
	if err != nil {
		return nil, err
	}
	n := len(states) / d

	// Derivatives and energies.
	f := make([]float64, n*d)
	en, hasEnergy := energyOf(sys)
	var energy []float64
	if hasEnergy {
		energy = make([]float64, n)
	}
	for j := range n {
		x, fx := states[j*d:(j+1)*d], f[j*d:(j+1)*d]
		sys.Field(x, fx)
		for k, v := range fx {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: the equations give %s' = %v; %s", describeState(j, traj, times, p.From, vars, x), vars[k], v, hint(v, true))
			}
		}
		if hasEnergy {
			e := en.Energy(x)
			if math.IsNaN(e) || math.IsInf(e, 0) {
				return nil, fmt.Errorf("%s: the energy is %v; %s", describeState(j, traj, times, p.From, vars, x), e, hint(e, true))
			}
			energy[j] = e
		}
	}

	// 2. Noise on the targets.
	dx := make([]float64, n*d)
	for i, v := range f {
		dx[i] = v + p.Noise*rng.NormFloat64()
	}

	// 3. Split.
	all := Set{X: states, DX: dx, F: f, N: n, D: d, Clean: states, Energy: energy, Trajectory: traj, T: times}
	var trainRows, testRows []int
	if p.From == FromTrajectories && p.Split.By == SplitByTrajectory {
		perm := rng.Perm(p.Count)
		cut := p.Count - testCount(p.Split.Test, p.Count)
		trainRows, testRows = rowsOf(perm[:cut], nt), rowsOf(perm[cut:], nt)
	} else {
		perm := rng.Perm(n)
		cut := n - testCount(p.Split.Test, n)
		trainRows, testRows = perm[:cut], perm[cut:]
		slices.Sort(trainRows)
		slices.Sort(testRows)
	}
	return &Data{Vars: vars, Train: all.subset(trainRows), Test: all.subset(testRows)}, nil
}

// drawStates draws Count independent states.
func (p *PhaseSpace) drawStates(vars []string, rng *rand.Rand) (states []float64, traj []int, times []float64, err error) {
	d := len(vars)
	states = make([]float64, p.Count*d)
	traj, times = make([]int, p.Count), make([]float64, p.Count)
	for j := range p.Count {
		traj[j] = j
		x := states[j*d : (j+1)*d]
		if err := p.sampler.Sample(rng, vars, x); err != nil {
			return nil, nil, nil, fmt.Errorf("state %d: %w", j, err)
		}
		for k, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, nil, fmt.Errorf("state %d: the sampler gave %s = %v", j, vars[k], v)
			}
		}
	}
	return states, traj, times, nil
}

// alongTrajectories integrates Count trajectories and records them on T.
func (p *PhaseSpace) alongTrajectories(sys System, vars []string, rng *rand.Rand) (states []float64, traj []int, times []float64, err error) {
	d := len(vars)
	ts := p.T.Times()
	nt := len(ts)
	g := &generation{vars: vars, d: d, ts: ts}
	x0s := make([]float64, p.Count*d)
	for i := range p.Count {
		x0 := x0s[i*d : (i+1)*d]
		if err := p.sampler.Sample(rng, vars, x0); err != nil {
			return nil, nil, nil, fmt.Errorf("trajectory %d: initial condition: %w", i, err)
		}
		if err := g.checkState(i, ts[0], x0, "initial condition: "); err != nil {
			return nil, nil, nil, err
		}
	}
	states = make([]float64, p.Count*nt*d)
	traj, times = make([]int, p.Count*nt), make([]float64, p.Count*nt)
	for i := range p.Count {
		xs, err := p.integ.Integrate(sys.Field, x0s[i*d:(i+1)*d], ts)
		if err != nil {
			return nil, nil, nil, g.integrationError(i, err)
		}
		if len(xs) != nt*d {
			return nil, nil, nil, fmt.Errorf("trajectory %d: the integrator returned %d values, want %d", i, len(xs), nt*d)
		}
		copy(states[i*nt*d:], xs)
		for k, t := range ts {
			traj[i*nt+k], times[i*nt+k] = i, t
			if err := g.checkState(i, t, xs[k*d:(k+1)*d], ""); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	return states, traj, times, nil
}

// describeState names state j for error messages, with its values.
func describeState(j int, traj []int, times []float64, from string, vars []string, x []float64) string {
	var b strings.Builder
	if from == FromTrajectories {
		fmt.Fprintf(&b, "trajectory %d at t=%s (", traj[j], odeint.FormatTime(times[j]))
	} else {
		fmt.Fprintf(&b, "state %d (", j)
	}
	for k, v := range x {
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(vars[k] + "=" + strconv.FormatFloat(v, 'g', 6, 64))
	}
	b.WriteByte(')')
	return b.String()
}

// energyOf returns the system's energy if it has one; a system with a
// HasEnergy method that reports false has none (an ODE without an energy
// expression).
func energyOf(sys System) (Energy, bool) {
	if h, ok := sys.(interface{ HasEnergy() bool }); ok && !h.HasEnergy() {
		return nil, false
	}
	e, ok := sys.(Energy)
	return e, ok
}
