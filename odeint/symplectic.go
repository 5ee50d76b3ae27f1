package odeint

import (
	"fmt"
	"math"
)

// Leapfrog is the velocity Verlet (kick–drift–kick) method for separable
// Hamiltonians H = T(p) + V(q): the state is the NQ coordinates q followed by
// the NQ momenta p, and the field must give q̇ depending on p only and ṗ
// depending on q only. It is second order, symplectic and time-reversible, so
// the energy error stays bounded (O(DT²)) over very long times.
//
// Each step costs two evaluations of f (each yields only one half of the
// field: q̇ after a kick, ṗ after a drift). Substeps are DT, the last one before
// each output time shortened to land on it.
type Leapfrog struct {
	DT float64 `yaml:"dt" doc:"largest step size; the last step before each output time is shortened to land on it"`
	// NQ is the number of coordinates, set by the caller from the system;
	// 0 means half the state dimension.
	NQ int `yaml:"-"`
}

// NewLeapfrog returns a Leapfrog with the default step size dt = 0.01.
func NewLeapfrog() *Leapfrog { return &Leapfrog{DT: 0.01} }

// Validate checks that dt is positive and finite and NQ is not negative.
func (l Leapfrog) Validate() error { return validateSplitting(l.DT, l.NQ) }

// Integrate implements [Integrator]. Before stepping it checks, with two extra
// evaluations of f at x0, that the field is separable.
func (l Leapfrog) Integrate(f Field, x0 []float64, ts []float64) ([]float64, error) {
	p, err := single(f, x0, ts)
	if err != nil {
		return nil, fmt.Errorf("leapfrog: %w", err)
	}
	return runSplitting("leapfrog", p, l.DT, l.NQ, leapfrogScheme)
}

// IntegrateBatch implements [BatchIntegrator]; the result equals a loop of
// singles bit for bit.
func (l Leapfrog) IntegrateBatch(f BatchField, x0s []float64, n int, ts []float64) ([]float64, error) {
	p, err := batched(f, x0s, n, ts)
	if err != nil {
		return nil, fmt.Errorf("leapfrog: %w", err)
	}
	return runSplitting("leapfrog", p, l.DT, l.NQ, leapfrogScheme)
}

// Yoshida4 is Yoshida's fourth-order symplectic integrator: each step of DT
// is three leapfrog steps of w₁·DT, w₀·DT, w₁·DT with
// w₁ = 1/(2 − 2^{1/3}) and w₀ = −2^{1/3}/(2 − 2^{1/3}) (the middle step runs
// backwards). It has the same requirements as [Leapfrog] and costs six
// evaluations of f per step.
type Yoshida4 struct {
	DT float64 `yaml:"dt" doc:"largest step size; the last step before each output time is shortened to land on it"`
	// NQ is the number of coordinates, set by the caller from the system;
	// 0 means half the state dimension.
	NQ int `yaml:"-"`
}

// NewYoshida4 returns a Yoshida4 with the default step size dt = 0.01.
func NewYoshida4() *Yoshida4 { return &Yoshida4{DT: 0.01} }

// Validate checks that dt is positive and finite and NQ is not negative.
func (y Yoshida4) Validate() error { return validateSplitting(y.DT, y.NQ) }

// Integrate implements [Integrator]. Before stepping it checks, with two extra
// evaluations of f at x0, that the field is separable.
func (y Yoshida4) Integrate(f Field, x0 []float64, ts []float64) ([]float64, error) {
	p, err := single(f, x0, ts)
	if err != nil {
		return nil, fmt.Errorf("yoshida4: %w", err)
	}
	return runSplitting("yoshida4", p, y.DT, y.NQ, yoshidaScheme)
}

// IntegrateBatch implements [BatchIntegrator]; the result equals a loop of
// singles bit for bit.
func (y Yoshida4) IntegrateBatch(f BatchField, x0s []float64, n int, ts []float64) ([]float64, error) {
	p, err := batched(f, x0s, n, ts)
	if err != nil {
		return nil, fmt.Errorf("yoshida4: %w", err)
	}
	return runSplitting("yoshida4", p, y.DT, y.NQ, yoshidaScheme)
}

func validateSplitting(dt float64, nq int) error {
	if err := validateDT(dt); err != nil {
		return err
	}
	if nq < 0 {
		return fmt.Errorf("the number of coordinates NQ must not be negative, got %d", nq)
	}
	return nil
}

// scheme is a kick–drift–kick splitting: kick[0] drift[0] kick[1] … drift[s-1]
// kick[s], each coefficient a fraction of the step h.
type scheme struct {
	kick, drift []float64
}

var leapfrogScheme = scheme{kick: []float64{0.5, 0.5}, drift: []float64{1}}

var yoshidaScheme = func() scheme {
	c := math.Cbrt(2)
	w1 := 1 / (2 - c)
	w0 := -c / (2 - c)
	return scheme{
		kick:  []float64{w1 / 2, (w0 + w1) / 2, (w0 + w1) / 2, w1 / 2},
		drift: []float64{w1, w0, w1},
	}
}()

func runSplitting(name string, p *problem, dt float64, nq int, sc scheme) ([]float64, error) {
	if err := validateSplitting(dt, nq); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if nq == 0 {
		if p.d%2 != 0 {
			return nil, fmt.Errorf("%s: the state dimension %d is odd; a separable Hamiltonian system has the coordinates q followed by as many momenta p", name, p.d)
		}
		nq = p.d / 2
	}
	if 2*nq != p.d {
		return nil, fmt.Errorf("%s: the state dimension %d is not twice the number of coordinates NQ=%d", name, p.d, nq)
	}
	m := p.n * p.d
	s := &splitStepper{p: p, nq: nq, sc: sc, dx: make([]float64, m)}
	if err := s.checkSeparable(make([]float64, m), make([]float64, m)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// The first kick uses ṗ(q0); later steps reuse ṗ from their last kick.
	p.f(p.x0, s.dx, p.n)
	if err := p.nonFinite(s.dx, p.ts[0], true); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out, err := runFixed(p, dt, s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// splitStepper applies a kick–drift–kick scheme in place. Between steps dx
// holds f at the current state, of which only the ṗ half (a function of q)
// is used by the next step's first kick.
type splitStepper struct {
	p  *problem
	nq int
	sc scheme
	dx []float64
}

func (s *splitStepper) step(x []float64, t, h float64) error {
	p, d, nq := s.p, s.p.d, s.nq
	s.kick(x, s.sc.kick[0]*h)
	tau := 0.0 // fraction of the step the positions have advanced (Yoshida overshoots [0, 1]; errors clamp it)
	for j, c := range s.sc.drift {
		// Drift: q += c·h·q̇(p) with the current momenta.
		p.f(x, s.dx, p.n)
		if err := p.nonFiniteCols(s.dx, 0, nq, t+min(max(tau, 0), 1)*h, true); err != nil {
			return err
		}
		ch := c * h
		for r := 0; r < p.n; r++ {
			q, v := x[r*d:r*d+nq], s.dx[r*d:r*d+nq]
			for i := range q {
				q[i] += ch * v[i]
			}
		}
		tau += c
		// Kick: p += c'·h·ṗ(q) at the new positions.
		p.f(x, s.dx, p.n)
		if err := p.nonFiniteCols(s.dx, nq, d, t+min(max(tau, 0), 1)*h, true); err != nil {
			return err
		}
		s.kick(x, s.sc.kick[j+1]*h)
	}
	return nil
}

// kick adds ch·ṗ (from dx) to the momenta of every row.
func (s *splitStepper) kick(x []float64, ch float64) {
	d, nq := s.p.d, s.nq
	for r := 0; r < s.p.n; r++ {
		pr, a := x[r*d+nq:(r+1)*d], s.dx[r*d+nq:(r+1)*d]
		for i := range pr {
			pr[i] += ch * a[i]
		}
	}
}

// checkSeparable evaluates f at x0 and at x0 with first the momenta and then
// the coordinates displaced, and fails when ṗ moves with p or q̇ with q: the
// splitting methods would silently compute something else for such a field.
// y and dy are scratch buffers of the size of the batch.
func (s *splitStepper) checkSeparable(y, dy []float64) error {
	p, d, nq := s.p, s.p.d, s.nq
	p.f(p.x0, s.dx, p.n)
	// Displacing the momenta (columns nq…d-1) must leave ṗ (the same columns)
	// unchanged; displacing the coordinates (columns 0…nq-1) must leave q̇.
	for _, half := range []struct {
		lo             int
		moved, derived string
	}{{nq, "p", "ṗ"}, {0, "q", "q̇"}} {
		copy(y, p.x0)
		for r := 0; r < p.n; r++ {
			for i := half.lo; i < half.lo+nq; i++ {
				k := r*d + i
				y[k] += 1e-3 * (1 + math.Abs(y[k]))
			}
		}
		p.f(y, dy, p.n)
		for r := 0; r < p.n; r++ {
			for i := half.lo; i < half.lo+nq; i++ {
				k := r*d + i
				a, b := s.dx[k], dy[k]
				if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
					continue // left to the finiteness checks
				}
				if math.Abs(a-b) > 1e-9*(1+math.Abs(a)) {
					return fmt.Errorf("the field is not separable: %s (state component %d) changes with %s, "+
						"but this integrator needs ṗ to depend on q only and q̇ on p only; use rk4 or dopri5",
						half.derived, i, half.moved)
				}
			}
		}
	}
	return nil
}
