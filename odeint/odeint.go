package odeint

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Field is the right-hand side of an autonomous system ẋ = f(x): it writes
// f(x) into dx. len(dx) == len(x); the function must not retain either slice.
type Field func(x, dx []float64)

// BatchField evaluates the right-hand side for n states at once: xs and dxs
// hold n rows of d values each (row-major, len = n·d), and row i of dxs receives
// f(row i of xs).
type BatchField func(xs, dxs []float64, n int)

// Integrator integrates an autonomous system from an initial state.
type Integrator interface {
	// Integrate returns the states at the times ts (ts[0] is the initial time,
	// x0 the state there; ts strictly increasing) as a len(ts)×len(x0)
	// row-major slice. It fails with an error naming the time when the state
	// or f becomes non-finite.
	Integrate(f Field, x0 []float64, ts []float64) ([]float64, error)
}

// BatchIntegrator integrates n independent states of dimension d at once.
type BatchIntegrator interface {
	Integrator
	// IntegrateBatch integrates the n states in x0s (n rows of d values) and
	// returns the states at the times ts as a len(ts)×n×d time-major slice.
	IntegrateBatch(f BatchField, x0s []float64, n int, ts []float64) ([]float64, error)
}

// NonFiniteError reports a NaN or infinite state or derivative.
type NonFiniteError struct {
	// T is the time at which the value appeared.
	T float64
	// Trajectory is the row of the batch that failed, or -1 when a single
	// trajectory was integrated with Integrate.
	Trajectory int
	// Index is the component of the state (0 ≤ Index < d).
	Index int
	// Value is the offending value: NaN, +Inf or -Inf.
	Value float64
	// Derivative is true when f(x) was non-finite at a finite state, false
	// when the state itself became non-finite.
	Derivative bool
}

// Error implements error, e.g. "state component 1 is NaN at t=0.52".
func (e *NonFiniteError) Error() string {
	what := "state"
	if e.Derivative {
		what = "derivative"
	}
	msg := fmt.Sprintf("%s component %d is %v at t=%s", what, e.Index, e.Value, FormatTime(e.T))
	if e.Trajectory >= 0 {
		msg = fmt.Sprintf("trajectory %d: %s", e.Trajectory, msg)
	}
	return msg
}

// FormatTime formats a time for error messages with ten significant digits:
// enough to tell 0.9999999999 from 1, without rounding noise such as
// 2.4899999999999998.
func FormatTime(t float64) string {
	return strconv.FormatFloat(t, 'g', 10, 64)
}

// ErrNoBatch is returned (wrapped) by [IntegrateBatch] when the integrator
// does not implement [BatchIntegrator]. Every integrator of this package does;
// the error exists for integrators defined elsewhere.
var ErrNoBatch = errors.New("integrator does not support batched rollouts")

// IntegrateBatch integrates a batch with integ if it supports batches and
// fails with an error wrapping [ErrNoBatch] otherwise.
func IntegrateBatch(integ Integrator, f BatchField, x0s []float64, n int, ts []float64) ([]float64, error) {
	b, ok := integ.(BatchIntegrator)
	if !ok {
		return nil, fmt.Errorf("%T: %w", integ, ErrNoBatch)
	}
	return b.IntegrateBatch(f, x0s, n, ts)
}

// problem is one call's worth of input, validated and shaped for the steppers:
// n rows of d values, integrated together through a batch field.
type problem struct {
	f     BatchField
	n, d  int
	x0    []float64
	ts    []float64
	batch bool // false for Integrate: errors carry Trajectory -1
}

// single wraps a Field as a one-row problem.
func single(f Field, x0, ts []float64) (*problem, error) {
	if f == nil {
		return nil, errors.New("nil field")
	}
	p := &problem{
		f:  func(xs, dxs []float64, _ int) { f(xs, dxs) },
		n:  1,
		d:  len(x0),
		x0: x0,
		ts: ts,
	}
	return p, p.check()
}

// batched builds an n-row problem.
func batched(f BatchField, x0s []float64, n int, ts []float64) (*problem, error) {
	if f == nil {
		return nil, errors.New("nil field")
	}
	if n < 1 {
		return nil, fmt.Errorf("batch size n must be ≥ 1, got %d", n)
	}
	if len(x0s)%n != 0 {
		return nil, fmt.Errorf("len(x0s)=%d is not a multiple of n=%d", len(x0s), n)
	}
	p := &problem{f: f, n: n, d: len(x0s) / n, x0: x0s, ts: ts, batch: true}
	return p, p.check()
}

func (p *problem) check() error {
	if p.d == 0 {
		return errors.New("empty initial state")
	}
	if len(p.ts) == 0 {
		return errors.New("no output times")
	}
	for i, t := range p.ts {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return fmt.Errorf("output time ts[%d] is %v", i, t)
		}
		if i > 0 && !(t > p.ts[i-1]) {
			return fmt.Errorf("output times must be strictly increasing: ts[%d]=%v after ts[%d]=%v", i, t, i-1, p.ts[i-1])
		}
	}
	return p.nonFinite(p.x0, p.ts[0], false)
}

// nonFinite returns a *NonFiniteError for the first non-finite value of the
// n×d state or derivative v, or nil.
func (p *problem) nonFinite(v []float64, t float64, derivative bool) error {
	for k, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return p.errAt(k, x, t, derivative)
		}
	}
	return nil
}

// nonFiniteCols is nonFinite restricted to the columns [lo, hi) of each row.
func (p *problem) nonFiniteCols(v []float64, lo, hi int, t float64, derivative bool) error {
	for r := 0; r < p.n; r++ {
		row := v[r*p.d : (r+1)*p.d]
		for i := lo; i < hi; i++ {
			if x := row[i]; math.IsNaN(x) || math.IsInf(x, 0) {
				return p.errAt(r*p.d+i, x, t, derivative)
			}
		}
	}
	return nil
}

func (p *problem) errAt(k int, x, t float64, derivative bool) error {
	traj := -1
	if p.batch {
		traj = k / p.d
	}
	return &NonFiniteError{T: t, Trajectory: traj, Index: k % p.d, Value: x, Derivative: derivative}
}

// fixedStepper advances the whole n×d state x from time t by h in place.
type fixedStepper interface {
	step(x []float64, t, h float64) error
}

// runFixed drives a fixed-step method: substeps of dt between outputs, the
// last substep of each interval shortened to land exactly on the output time.
func runFixed(p *problem, dt float64, s fixedStepper) ([]float64, error) {
	m := p.n * p.d
	out := make([]float64, len(p.ts)*m)
	copy(out, p.x0)
	x := make([]float64, m)
	copy(x, p.x0)
	for k := 1; k < len(p.ts); k++ {
		t0, t1 := p.ts[k-1], p.ts[k]
		// The slack of 1e-9 substeps keeps rounding in span/dt from adding a
		// needless sliver of a last step.
		steps := int(math.Ceil((t1-t0)/dt - 1e-9))
		if steps < 1 {
			steps = 1
		}
		for i := 0; i < steps; i++ {
			ta := t0 + float64(i)*dt
			h := dt
			if i == steps-1 {
				h = t1 - ta
			}
			if err := s.step(x, ta, h); err != nil {
				return nil, err
			}
			tb := ta + h
			if i == steps-1 {
				tb = t1
			}
			if err := p.nonFinite(x, tb, false); err != nil {
				return nil, err
			}
		}
		copy(out[k*m:(k+1)*m], x)
	}
	return out, nil
}

// Prepare readies integ for a system with nq coordinates followed by nq
// momenta (nq = 0 for a system without that split, such as a general ODE):
// it sets NQ on *Leapfrog and *Yoshida4, which need a separable Hamiltonian
// system, and validates the integrator's options.
func Prepare(integ Integrator, nq int) error {
	if nq < 0 {
		return fmt.Errorf("negative number of coordinates %d", nq)
	}
	needsNQ := func(name string, dst *int) error {
		if nq == 0 {
			return fmt.Errorf("%s integrates separable Hamiltonian systems (coordinates, then momenta); "+
				"this system declares no coordinates and momenta: use rk4 or dopri5", name)
		}
		*dst = nq
		return nil
	}
	var err error
	switch it := integ.(type) {
	case *Leapfrog:
		err = needsNQ("leapfrog", &it.NQ)
	case *Yoshida4:
		err = needsNQ("yoshida4", &it.NQ)
	case Leapfrog, Yoshida4:
		return fmt.Errorf("Prepare needs a pointer to %T to set its number of coordinates", integ)
	}
	if err != nil {
		return err
	}
	if v, ok := integ.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}
