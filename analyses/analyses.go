package analyses

import (
	"math/rand/v2"

	"ansatz/architectures"
	"ansatz/datasets"
	"errors"
	"fmt"
	"math"

	"ansatz/odeint"
	"ansatz/registry"
	"ansatz/systems"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Analysis, Name: "energy_drift",
		Doc: "relative drift of the true energy along each model rollout, max_t |E(t) − E(0)| / |E(0)| (needs evaluate.rollouts and a system energy)",
		New: func() any { return &EnergyDrift{} },
	})
	registry.Register(registry.Module{
		Kind: registry.Analysis, Name: "rollout",
		Doc: "per-trajectory rollout errors: state MSE, energy MSE and final-time distance between model and truth (needs evaluate.rollouts)",
		New: func() any { return &Rollout{} },
	})
}

// Rollouts holds trajectories integrated from the same initial conditions with
// the true and with the learned vector field. States are time-major:
// index (it*N + j)*D + k is variable k of trajectory j at Times[it].
type Rollouts struct {
	Times        []float64
	N, D         int
	Truth, Model []float64
	// Sources name the model's trajectories, laid out like Model, when it
	// offers several vector fields (architectures.Fields); Model is the
	// first. Empty for a model with one field.
	Sources []Source
}

// Source is one learned vector field's rollouts.
type Source struct {
	Name   string
	States []float64
}

// State returns the state of trajectory j at time index it in xs (Truth or Model).
func (r *Rollouts) State(xs []float64, it, j int) []float64 {
	o := (it*r.N + j) * r.D
	return xs[o : o+r.D]
}

// Context is what an analysis sees of a finished run.
type Context struct {
	Vars []string
	// Energy is the system's true energy, nil when it declares none.
	Energy func(x []float64) float64
	// Rollouts is nil when the spec asks for none.
	Rollouts *Rollouts
	// Model is the trained model.
	Model architectures.Model
	// System is the spec's system (nil when it declares none); Flow gives
	// it as a dynamical system.
	System systems.System
	// Train and Test are the training and held-out data.
	Train, Test *datasets.Set
	// Sampler draws initial conditions like the data's, from RNG (this
	// analysis' own random stream, keyed by its kind and occurrence, so the
	// order of analyses in a spec does not matter), e.g. to integrate
	// held-out true trajectories.
	Sampler datasets.Sampler
	RNG     *rand.Rand
}

// Flow returns the system as a dynamical system ẋ = f(x), or an error
// saying the analysis needs one.
func (c *Context) Flow() (systems.Flow, error) {
	f, ok := c.System.(systems.Flow)
	if !ok {
		return nil, errors.New("needs a dynamical system (hamiltonian or ode)")
	}
	return f, nil
}

// TrueTrajectories draws count initial conditions from the context's
// sampler and stream and integrates them with the true system (dopri5) over
// the times ts. The states are trajectory-major: trajectory j at time index
// it starts at (j·len(ts) + it)·d.
func (c *Context) TrueTrajectories(sys systems.Flow, count int, ts []float64) ([]float64, error) {
	d := len(c.Vars)
	x0s := make([]float64, count*d)
	for j := range count {
		if err := c.Sampler.Sample(c.RNG, c.Vars, x0s[j*d:(j+1)*d]); err != nil {
			return nil, fmt.Errorf("initial condition %d: %w", j, err)
		}
	}
	states := make([]float64, 0, count*len(ts)*d)
	integ := odeint.NewDopri5()
	for j := range count {
		xs, err := integ.Integrate(sys.Field, x0s[j*d:(j+1)*d], ts)
		if err != nil {
			return nil, fmt.Errorf("true trajectory %d: %w", j, err)
		}
		states = append(states, xs...)
	}
	return states, nil
}

// Row is one row of analysis.parquet: a named value or text.
type Row struct {
	Name  string
	Value *float64
	Text  *string
}

// Metric is a final figure an analysis reports to metrics.parquet (split
// "eval"), addressable by expectations under its name.
type Metric struct {
	Name  string
	Value float64
}

// Result is what an analysis returns.
type Result struct {
	Rows    []Row
	Metrics []Metric
}

// Analysis is implemented by every registered analysis' options.
type Analysis interface {
	// Requires reports whether the context a spec will produce suffices: it is
	// called before training with a context whose fields are set but empty
	// (Rollouts non-nil when rollouts are asked for) and whose Model is an
	// untrained model of the spec's kind.
	Requires(c *Context) error
	Analyse(c *Context) (Result, error)
}

var (
	errNoRollouts = errors.New("needs rollouts: add evaluate.rollouts to the spec")
	errNoEnergy   = errors.New("needs a system with an energy (a hamiltonian system, or an ode system with energy:)")
)

// EnergyMSE is Greydanus et al.'s energy error: the mean over trajectories and
// times of (E(x_model(t)) − E(x_true(t)))², with E the true energy.
func EnergyMSE(r *Rollouts, energy func([]float64) float64) float64 {
	var s float64
	for it := range r.Times {
		for j := 0; j < r.N; j++ {
			d := energy(r.State(r.Model, it, j)) - energy(r.State(r.Truth, it, j))
			s += d * d
		}
	}
	return s / float64(len(r.Times)*r.N)
}

// StateMSE is the mean over trajectories, times and variables of the squared
// distance between model and true states.
func StateMSE(r *Rollouts) float64 {
	var s float64
	for i := range r.Truth {
		d := r.Model[i] - r.Truth[i]
		s += d * d
	}
	return s / float64(len(r.Truth))
}

// EnergyDrift reports the relative energy drift of each model rollout.
type EnergyDrift struct{}

// Requires rollouts and an energy.
func (EnergyDrift) Requires(c *Context) error {
	if c.Rollouts == nil {
		return errNoRollouts
	}
	if c.Energy == nil {
		return errNoEnergy
	}
	return nil
}

// Analyse computes max_t |E(t) − E(0)| / |E(0)| per trajectory (for the model
// and, as a reference for the integrator, the truth) and the mean over
// trajectories as metric energy_drift.
func (a EnergyDrift) Analyse(c *Context) (Result, error) {
	if err := a.Requires(c); err != nil {
		return Result{}, err
	}
	r := c.Rollouts
	var res Result
	var sum, sumTruth float64
	for j := 0; j < r.N; j++ {
		m, t := drift(r, r.Model, j, c.Energy), drift(r, r.Truth, j, c.Energy)
		sum += m
		sumTruth += t
		res.Rows = append(res.Rows,
			Row{Name: fmt.Sprintf("trajectory_%d.model", j), Value: &m},
			Row{Name: fmt.Sprintf("trajectory_%d.truth", j), Value: &t})
	}
	mean, meanTruth := sum/float64(r.N), sumTruth/float64(r.N)
	res.Rows = append(res.Rows, Row{Name: "mean.model", Value: &mean}, Row{Name: "mean.truth", Value: &meanTruth})
	res.Metrics = []Metric{{"energy_drift", mean}, {"energy_drift.truth", meanTruth}}
	return res, nil
}

func drift(r *Rollouts, xs []float64, j int, energy func([]float64) float64) float64 {
	e0 := energy(r.State(xs, 0, j))
	scale := math.Abs(e0)
	if scale == 0 {
		scale = 1
	}
	var worst float64
	for it := range r.Times {
		worst = math.Max(worst, math.Abs(energy(r.State(xs, it, j))-e0)/scale)
	}
	return worst
}

// Rollout reports per-trajectory errors of the model's rollouts.
type Rollout struct{}

// Requires rollouts.
func (Rollout) Requires(c *Context) error {
	if c.Rollouts == nil {
		return errNoRollouts
	}
	return nil
}

// Analyse writes, per trajectory, the state MSE over time, the final-time
// Euclidean distance and (when the system has an energy) the energy MSE.
func (a Rollout) Analyse(c *Context) (Result, error) {
	if err := a.Requires(c); err != nil {
		return Result{}, err
	}
	r := c.Rollouts
	var res Result
	last := len(r.Times) - 1
	for j := 0; j < r.N; j++ {
		var mse, emse float64
		for it := range r.Times {
			m, t := r.State(r.Model, it, j), r.State(r.Truth, it, j)
			for k := range m {
				d := m[k] - t[k]
				mse += d * d
			}
			if c.Energy != nil {
				d := c.Energy(m) - c.Energy(t)
				emse += d * d
			}
		}
		mse /= float64(len(r.Times) * r.D)
		var final float64
		m, t := r.State(r.Model, last, j), r.State(r.Truth, last, j)
		for k := range m {
			final += (m[k] - t[k]) * (m[k] - t[k])
		}
		final = math.Sqrt(final)
		res.Rows = append(res.Rows,
			Row{Name: fmt.Sprintf("trajectory_%d.state_mse", j), Value: &mse},
			Row{Name: fmt.Sprintf("trajectory_%d.final_distance", j), Value: &final})
		if c.Energy != nil {
			emse /= float64(len(r.Times))
			res.Rows = append(res.Rows, Row{Name: fmt.Sprintf("trajectory_%d.energy_mse", j), Value: &emse})
		}
	}
	return res, nil
}
