package odeint

import (
	"fmt"
	"math"
)

// RK4 is the classic fixed-step fourth-order Runge–Kutta method. Between two
// output times it takes substeps of DT, the last one shortened to land exactly
// on the output time. Its global error is O(DT⁴); it is not symplectic, so the
// energy of a Hamiltonian system drifts slowly over long times.
type RK4 struct {
	DT float64 `yaml:"dt" doc:"largest step size; the last step before each output time is shortened to land on it"`
}

// NewRK4 returns an RK4 with the default step size dt = 0.01.
func NewRK4() *RK4 { return &RK4{DT: 0.01} }

// Validate checks that dt is positive and finite.
func (r RK4) Validate() error { return validateDT(r.DT) }

func validateDT(dt float64) error {
	if !(dt > 0) || math.IsInf(dt, 0) {
		return fmt.Errorf("dt must be positive and finite, got %v", dt)
	}
	return nil
}

// Integrate implements [Integrator].
func (r RK4) Integrate(f Field, x0 []float64, ts []float64) ([]float64, error) {
	p, err := single(f, x0, ts)
	if err != nil {
		return nil, fmt.Errorf("rk4: %w", err)
	}
	return r.run(p)
}

// IntegrateBatch implements [BatchIntegrator]. Every row is advanced with the
// same arithmetic as [RK4.Integrate], so the result equals a loop of singles.
func (r RK4) IntegrateBatch(f BatchField, x0s []float64, n int, ts []float64) ([]float64, error) {
	p, err := batched(f, x0s, n, ts)
	if err != nil {
		return nil, fmt.Errorf("rk4: %w", err)
	}
	return r.run(p)
}

func (r RK4) run(p *problem) ([]float64, error) {
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("rk4: %w", err)
	}
	m := p.n * p.d
	buf := make([]float64, 5*m)
	s := &rk4Stepper{
		p:  p,
		k1: buf[0:m], k2: buf[m : 2*m], k3: buf[2*m : 3*m], k4: buf[3*m : 4*m],
		tmp: buf[4*m : 5*m],
	}
	out, err := runFixed(p, r.DT, s)
	if err != nil {
		return nil, fmt.Errorf("rk4: %w", err)
	}
	return out, nil
}

type rk4Stepper struct {
	p                   *problem
	k1, k2, k3, k4, tmp []float64
}

func (s *rk4Stepper) step(x []float64, t, h float64) error {
	f, n := s.p.f, s.p.n
	f(x, s.k1, n)
	if err := s.p.nonFinite(s.k1, t, true); err != nil {
		return err
	}
	h2 := h / 2
	for i, xi := range x {
		s.tmp[i] = xi + h2*s.k1[i]
	}
	f(s.tmp, s.k2, n)
	for i, xi := range x {
		s.tmp[i] = xi + h2*s.k2[i]
	}
	f(s.tmp, s.k3, n)
	for i, xi := range x {
		s.tmp[i] = xi + h*s.k3[i]
	}
	f(s.tmp, s.k4, n)
	h6 := h / 6
	for i := range x {
		x[i] += h6 * (s.k1[i] + 2*s.k2[i] + 2*s.k3[i] + s.k4[i])
	}
	return nil
}
