package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"ansatz/odeint"
	"ansatz/systems"
)

// System is a dynamical system ẋ = f(x) with named state variables, the
// kind of system the trajectory and phase-space generators integrate.
type System = systems.Flow

// Energy is implemented by systems with a conserved energy; [Generate] then
// records the energy of every clean state.
type Energy interface {
	Energy(x []float64) float64
}

// TimeGrid is an evenly spaced grid of times, endpoints included.
type TimeGrid struct {
	Start  float64 `yaml:"start" doc:"first time"`
	Stop   float64 `yaml:"stop" spec:"required" doc:"last time (included)"`
	Points int     `yaml:"points" spec:"required,>=1" doc:"number of times, endpoints included; 1 samples the initial states only"`
}

// Validate checks points ≥ 1, finite times and, for more than one point,
// stop > start. The zero value is invalid: a grid must be given.
func (g TimeGrid) Validate() error {
	switch {
	case g.Points < 1:
		return fmt.Errorf("points must be ≥ 1, got %d", g.Points)
	case math.IsNaN(g.Start) || math.IsInf(g.Start, 0):
		return fmt.Errorf("start must be finite, got %v", g.Start)
	case math.IsNaN(g.Stop) || math.IsInf(g.Stop, 0):
		return fmt.Errorf("stop must be finite, got %v", g.Stop)
	case g.Points > 1 && !(g.Stop > g.Start):
		return fmt.Errorf("stop=%v must be greater than start=%v", g.Stop, g.Start)
	}
	return nil
}

// Times returns the grid: Points times from Start to Stop inclusive (the
// last one exactly Stop); a one-point grid is [Start].
func (g TimeGrid) Times() []float64 {
	ts := make([]float64, g.Points)
	for i := range ts {
		ts[i] = g.Start + (g.Stop-g.Start)*float64(i)/float64(max(g.Points-1, 1))
	}
	if g.Points > 1 {
		ts[g.Points-1] = g.Stop
	}
	return ts
}

// Split modes of [SplitOptions].
const (
	SplitByTrajectory = "trajectory"
	SplitByPoint      = "point"
)

// SplitOptions says how to divide the data into a training and a test set.
type SplitOptions struct {
	Test float64 `yaml:"test" spec:"[0,1)" doc:"fraction of the data in the test set, in [0, 1)"`
	By   string  `yaml:"by" spec:"oneof=trajectory|point" doc:"unit of the split: trajectory (whole trajectories, no leakage between sets) or point"`
}

// Validate checks test ∈ [0, 1) and the split mode.
func (s SplitOptions) Validate() error {
	if !(s.Test >= 0 && s.Test < 1) {
		return fmt.Errorf("test must be in [0, 1), got %v", s.Test)
	}
	if s.By != SplitByTrajectory && s.By != SplitByPoint {
		return fmt.Errorf("by must be %q or %q, got %q", SplitByTrajectory, SplitByPoint, s.By)
	}
	return nil
}

// testCount is ⌈test·n⌉, guarded against rounding (0.3·10 is
// 3.0000000000000004 in floating point, and must give 3).
func testCount(test float64, n int) int {
	return int(math.Ceil(test*float64(n) - 1e-9))
}

// TrajectoryOptions configures [Generate].
type TrajectoryOptions struct {
	Count int          `yaml:"count" spec:">=1" doc:"number of trajectories"`
	T     TimeGrid     `yaml:"t" spec:"required" doc:"times at which every trajectory is recorded"`
	Noise float64      `yaml:"noise" spec:">=0" doc:"standard deviation of the Gaussian noise added to the recorded states (not to the targets)"`
	Split SplitOptions `yaml:"split" doc:"division into training and test data"`
}

// NewTrajectoryOptions returns the defaults: count 50, noise 0, split
// {test: 0.5, by: trajectory}. The time grid has no default and must be set.
func NewTrajectoryOptions() TrajectoryOptions {
	return TrajectoryOptions{Count: 50, Split: SplitOptions{Test: 0.5, By: SplitByTrajectory}}
}

// Validate checks every option; errors name the field by its yaml path.
func (o TrajectoryOptions) Validate() error {
	if o.Count < 1 {
		return fmt.Errorf("count must be ≥ 1, got %d", o.Count)
	}
	if err := o.T.Validate(); err != nil {
		return fmt.Errorf("t.%w", err)
	}
	if !(o.Noise >= 0) || math.IsInf(o.Noise, 0) {
		return fmt.Errorf("noise must be a finite number ≥ 0, got %v", o.Noise)
	}
	if err := o.Split.Validate(); err != nil {
		return fmt.Errorf("split.%w", err)
	}
	units, unit := o.Count, "trajectories"
	if o.Split.By == SplitByPoint {
		units, unit = o.Count*o.T.Points, "points"
	}
	if testCount(o.Split.Test, units) >= units {
		return fmt.Errorf("split.test=%v leaves no training data with %d %s", o.Split.Test, units, unit)
	}
	return nil
}

// Set is a collection of recorded states: N rows of D values, row-major.
type Set struct {
	// X are the states as a model sees them: Clean plus noise.
	X []float64
	// DX are the exact derivatives f(Clean), the noise-free targets.
	DX []float64
	// F is the right-hand side of the equations at the states a model sees,
	// f(X): the same as DX when there is no noise.
	F []float64
	// N is the number of rows and D the state dimension.
	N, D int
	// Trajectory is the index (in generation order) of each row's
	// trajectory, and T its time.
	Trajectory []int
	T          []float64
	// Clean are the states without noise.
	Clean []float64
	// Energy is the energy of each clean state, or nil when the system does
	// not implement [Energy].
	Energy []float64
	// Columns are further per-row quantities a data kind provides beside
	// the states (class labels, sampling weights, …), in a stable order.
	Columns []Column
}

// Column is a named per-row quantity: row i's values are
// Data[i*Width:(i+1)*Width].
type Column struct {
	Name  string
	Width int
	Data  []float64
}

// Column returns the column of that name, or nil.
func (s *Set) Column(name string) *Column {
	for i := range s.Columns {
		if s.Columns[i].Name == name {
			return &s.Columns[i]
		}
	}
	return nil
}

// Data is a generated data set.
type Data struct {
	// Vars names the D state components.
	Vars        []string
	Train, Test Set
	// Checks are figures of the data's quality (an integrator's error, the
	// drift of a conserved quantity), logged as metrics of split "data".
	Checks []Check
}

// Check is a named figure of a data set's quality.
type Check struct {
	Name  string
	Value float64
}

// Generate integrates opts.Count trajectories of sys from initial conditions
// drawn by sampler and records them at the times of opts.T. For each
// recorded state the target is the exact derivative f(x) at the clean state;
// Gaussian noise of standard deviation opts.Noise is then added to the states
// (inputs only: the targets stay noise-free, as in Greydanus et al. 2019).
//
// All randomness comes from rng, in this order:
//  1. the initial conditions of all trajectories, in order, by sampler;
//  2. the noise: one standard normal per recorded value, in the order
//     trajectory, time, variable; drawn even when opts.Noise is 0, so that
//     the split does not depend on the noise level and the noise of
//     different levels differs only by its scale;
//  3. the split: one permutation of the trajectories (by trajectory) or of
//     all recorded states (by point); the last ⌈test·count⌉ entries of the
//     permutation form the test set.
//
// The same seed therefore gives identical data. Within each set the rows are
// ordered by trajectory and then by time.
//
// Any non-finite value (a division by zero or NaN in the equations, a
// solution that blows up) is an error naming the trajectory, the time and the
// variable.
func Generate(sys System, sampler Sampler, integ odeint.Integrator, opts TrajectoryOptions, rng *rand.Rand) (*Data, error) {
	if sys == nil || sampler == nil || integ == nil || rng == nil {
		return nil, errors.New("generate: system, sampler, integrator and random generator are all required")
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	vars := slices.Clone(sys.Variables())
	d := len(vars)
	if d == 0 {
		return nil, errors.New("the system has no variables")
	}
	ts := opts.T.Times()
	nt, count := len(ts), opts.Count
	g := &generation{vars: vars, d: d, ts: ts}

	// 1. Initial conditions.
	x0s := make([]float64, count*d)
	for i := range count {
		x0 := x0s[i*d : (i+1)*d]
		if err := sampler.Sample(rng, vars, x0); err != nil {
			return nil, fmt.Errorf("trajectory %d: initial condition: %w", i, err)
		}
		if err := g.checkState(i, ts[0], x0, "initial condition: "); err != nil {
			return nil, err
		}
	}

	// Integration, targets and energies.
	n := count * nt
	clean := make([]float64, n*d)
	dx := make([]float64, n*d)
	var energy []float64
	en, hasEnergy := energyOf(sys)
	if hasEnergy {
		energy = make([]float64, n)
	}
	for i := range count {
		states, err := integ.Integrate(sys.Field, x0s[i*d:(i+1)*d], ts)
		if err != nil {
			return nil, g.integrationError(i, err)
		}
		if len(states) != nt*d {
			return nil, fmt.Errorf("trajectory %d: the integrator returned %d values, want %d", i, len(states), nt*d)
		}
		copy(clean[i*nt*d:], states)
		for k, t := range ts {
			j := i*nt + k
			x := clean[j*d : (j+1)*d]
			if err := g.checkState(i, t, x, ""); err != nil {
				return nil, err
			}
			f := dx[j*d : (j+1)*d]
			sys.Field(x, f)
			if err := g.checkDerivative(i, t, f); err != nil {
				return nil, err
			}
			if hasEnergy {
				e := en.Energy(x)
				if math.IsNaN(e) || math.IsInf(e, 0) {
					return nil, fmt.Errorf("trajectory %d at t=%s: the energy is %v; %s",
						i, odeint.FormatTime(t), e, hint(e, true))
				}
				energy[j] = e
			}
		}
	}

	// 2. Noise.
	noisy := make([]float64, n*d)
	for j, c := range clean {
		noisy[j] = c + opts.Noise*rng.NormFloat64()
	}

	f := dx
	if opts.Noise > 0 {
		f = make([]float64, n*d)
		for j := range n {
			row := f[j*d : (j+1)*d]
			sys.Field(noisy[j*d:(j+1)*d], row)
			for k, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("trajectory %d at t=%s: the equations give %s' = %v at the noisy state", j/nt, odeint.FormatTime(ts[j%nt]), vars[k], v)
				}
			}
		}
	}

	// 3. Split.
	all := Set{X: noisy, DX: dx, F: f, N: n, D: d, Clean: clean, Energy: energy,
		Trajectory: make([]int, n), T: make([]float64, n)}
	for j := range n {
		all.Trajectory[j], all.T[j] = j/nt, ts[j%nt]
	}
	var trainRows, testRows []int
	if opts.Split.By == SplitByTrajectory {
		perm := rng.Perm(count)
		cut := count - testCount(opts.Split.Test, count)
		trainRows = rowsOf(perm[:cut], nt)
		testRows = rowsOf(perm[cut:], nt)
	} else {
		perm := rng.Perm(n)
		cut := n - testCount(opts.Split.Test, n)
		trainRows, testRows = perm[:cut], perm[cut:]
		slices.Sort(trainRows)
		slices.Sort(testRows)
	}
	return &Data{Vars: vars, Train: all.subset(trainRows), Test: all.subset(testRows)}, nil
}

// rowsOf lists the rows of the given trajectories (sorted) in order.
func rowsOf(trajectories []int, nt int) []int {
	trajectories = slices.Clone(trajectories)
	slices.Sort(trajectories)
	rows := make([]int, 0, len(trajectories)*nt)
	for _, i := range trajectories {
		for k := range nt {
			rows = append(rows, i*nt+k)
		}
	}
	return rows
}

// subset copies the given rows of s.
func (s *Set) subset(rows []int) Set {
	d := s.D
	out := Set{
		X: make([]float64, 0, len(rows)*d), DX: make([]float64, 0, len(rows)*d), F: make([]float64, 0, len(rows)*d),
		Clean: make([]float64, 0, len(rows)*d), N: len(rows), D: d,
		Trajectory: make([]int, 0, len(rows)), T: make([]float64, 0, len(rows)),
	}
	if s.Energy != nil {
		out.Energy = make([]float64, 0, len(rows))
	}
	for _, j := range rows {
		out.X = append(out.X, s.X[j*d:(j+1)*d]...)
		out.DX = append(out.DX, s.DX[j*d:(j+1)*d]...)
		out.F = append(out.F, s.F[j*d:(j+1)*d]...)
		out.Clean = append(out.Clean, s.Clean[j*d:(j+1)*d]...)
		out.Trajectory = append(out.Trajectory, s.Trajectory[j])
		out.T = append(out.T, s.T[j])
		if s.Energy != nil {
			out.Energy = append(out.Energy, s.Energy[j])
		}
	}
	return out
}

// generation holds what error messages need.
type generation struct {
	vars []string
	d    int
	ts   []float64
}

// hint suggests a cause for a non-finite value.
func hint(v float64, derivative bool) string {
	switch {
	case math.IsNaN(v):
		return "the equations may divide by zero or leave the domain of a function (sqrt or log of a negative number)"
	case derivative:
		return "the equations may divide by zero, or the solution blow up (grow without bound) there"
	default:
		return "the solution may blow up (grow without bound) there"
	}
}

func (g *generation) checkState(traj int, t float64, x []float64, what string) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("trajectory %d at t=%s: %s%s is %v; %s",
				traj, odeint.FormatTime(t), what, g.vars[i], v, hint(v, false))
		}
	}
	return nil
}

func (g *generation) checkDerivative(traj int, t float64, dx []float64) error {
	for i, v := range dx {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("trajectory %d at t=%s: the derivative of %s is %v; %s",
				traj, odeint.FormatTime(t), g.vars[i], v, hint(v, true))
		}
	}
	return nil
}

// integrationError names the trajectory and, for non-finite values, the
// variable.
func (g *generation) integrationError(traj int, err error) error {
	var nf *odeint.NonFiniteError
	if errors.As(err, &nf) && nf.Index >= 0 && nf.Index < g.d {
		what := g.vars[nf.Index]
		if nf.Derivative {
			what = "the derivative of " + what
		}
		msg := fmt.Sprintf("trajectory %d at t=%s: %s is %v; %s",
			traj, odeint.FormatTime(nf.T), what, nf.Value, hint(nf.Value, nf.Derivative))
		return &rephrased{msg: msg, err: err}
	}
	return fmt.Errorf("trajectory %d: %w", traj, err)
}

// rephrased replaces the message of err (which stays reachable through
// errors.Is and errors.As).
type rephrased struct {
	msg string
	err error
}

func (e *rephrased) Error() string { return e.msg }
func (e *rephrased) Unwrap() error { return e.err }
