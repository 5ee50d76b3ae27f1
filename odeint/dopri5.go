package odeint

import (
	"errors"
	"fmt"
	"math"
)

// Dopri5 is the adaptive explicit Runge–Kutta method of Dormand and Prince,
// order 5 with an embedded order-4 error estimate, with the step-size control
// of Hairer, Nørsett and Wanner's DOPRI5 code (Solving ODEs I, §II.4–5):
//
//	err  = sqrt(mean_i (e_i / (atol + rtol·max(|x_i|, |x_i⁺|)))²)
//	h⁺   = h / clamp(err^0.17 / err_prev^0.04 / 0.9, 0.1, 5)    (PI control)
//
// A step is accepted when err ≤ 1. The initial step size follows Hairer's
// HINIT. The method steps exactly to every output time (the step before an
// output time is shortened, or stretched by at most 1 %, to land on it), so
// the outputs carry the full fifth-order accuracy; no interpolation is used.
//
// A trial step that produces non-finite values is rejected and retried with a
// smaller step; integration fails, naming the time, when the step size
// underflows (typically at a singularity of the solution) or when more than
// MaxSteps steps (accepted and rejected) were needed.
type Dopri5 struct {
	RTol     float64 `yaml:"rtol" doc:"relative tolerance of the local error per step"`
	ATol     float64 `yaml:"atol" doc:"absolute tolerance of the local error per step"`
	MaxSteps int     `yaml:"max_steps" doc:"largest number of steps (accepted and rejected) per integration"`
}

// NewDopri5 returns a Dopri5 with the defaults rtol 1e-9, atol 1e-12 and
// max_steps 1e6.
func NewDopri5() *Dopri5 { return &Dopri5{RTol: 1e-9, ATol: 1e-12, MaxSteps: 1_000_000} }

// minRTol is the smallest useful nonzero relative tolerance: below ~100
// machine epsilons the error estimate is dominated by rounding.
const minRTol = 1e-14

// Validate checks the tolerances and max_steps.
func (s Dopri5) Validate() error {
	switch {
	case !(s.RTol >= 0) || math.IsInf(s.RTol, 0):
		return fmt.Errorf("rtol must be a finite number ≥ 0, got %v", s.RTol)
	case s.RTol > 0 && s.RTol < minRTol:
		return fmt.Errorf("rtol=%v is below the attainable %v (rounding errors dominate); use rtol ≥ %v", s.RTol, minRTol, minRTol)
	case !(s.ATol >= 0) || math.IsInf(s.ATol, 0):
		return fmt.Errorf("atol must be a finite number ≥ 0, got %v", s.ATol)
	case s.RTol == 0 && s.ATol == 0:
		return errors.New("rtol and atol are both 0; at least one must be positive")
	case s.MaxSteps < 1:
		return fmt.Errorf("max_steps must be ≥ 1, got %d", s.MaxSteps)
	}
	return nil
}

// Integrate implements [Integrator].
func (s Dopri5) Integrate(f Field, x0 []float64, ts []float64) ([]float64, error) {
	p, err := single(f, x0, ts)
	if err != nil {
		return nil, fmt.Errorf("dopri5: %w", err)
	}
	return s.run(p)
}

// IntegrateBatch implements [BatchIntegrator]. All rows share one sequence of
// steps; the error norm of a step is the largest of the rows' norms, so every
// row meets the tolerance. Results agree with a loop of singles to within the
// tolerance, not bit for bit.
func (s Dopri5) IntegrateBatch(f BatchField, x0s []float64, n int, ts []float64) ([]float64, error) {
	p, err := batched(f, x0s, n, ts)
	if err != nil {
		return nil, fmt.Errorf("dopri5: %w", err)
	}
	return s.run(p)
}

// Dormand–Prince 5(4) coefficients (Hairer's DOPRI5).
const (
	dpC2, dpC3, dpC4, dpC5 = 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9

	dpA21 = 1.0 / 5
	dpA31 = 3.0 / 40
	dpA32 = 9.0 / 40
	dpA41 = 44.0 / 45
	dpA42 = -56.0 / 15
	dpA43 = 32.0 / 9
	dpA51 = 19372.0 / 6561
	dpA52 = -25360.0 / 2187
	dpA53 = 64448.0 / 6561
	dpA54 = -212.0 / 729
	dpA61 = 9017.0 / 3168
	dpA62 = -355.0 / 33
	dpA63 = 46732.0 / 5247
	dpA64 = 49.0 / 176
	dpA65 = -5103.0 / 18656
	dpA71 = 35.0 / 384
	dpA73 = 500.0 / 1113
	dpA74 = 125.0 / 192
	dpA75 = -2187.0 / 6784
	dpA76 = 11.0 / 84

	// Error coefficients: fifth-order minus fourth-order weights.
	dpE1 = 71.0 / 57600
	dpE3 = -71.0 / 16695
	dpE4 = 71.0 / 1920
	dpE5 = -17253.0 / 339200
	dpE6 = 22.0 / 525
	dpE7 = -1.0 / 40
)

// Step-size control parameters of DOPRI5.
const (
	dpSafe   = 0.9
	dpBeta   = 0.04
	dpExpo1  = 0.2 - dpBeta*0.75
	dpFacMin = 0.2  // h shrinks by at most 1/dpFacMin per step
	dpFacMax = 10.0 // h grows by at most dpFacMax per step
	dpURound = 2.3e-16
)

type dopriState struct {
	p                          *problem
	rtol, atol                 float64
	y, yn, tmp                 []float64
	k1, k2, k3, k4, k5, k6, k7 []float64
	worstRow                   int // row with the largest error norm in the last trial step
}

func (s Dopri5) run(p *problem) ([]float64, error) {
	out, err := s.integrate(p)
	if err != nil {
		return nil, fmt.Errorf("dopri5: %w", err)
	}
	return out, nil
}

func (s Dopri5) integrate(p *problem) ([]float64, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	m := p.n * p.d
	buf := make([]float64, 10*m)
	st := &dopriState{p: p, rtol: s.RTol, atol: s.ATol}
	bufs := []*[]float64{&st.y, &st.yn, &st.tmp, &st.k1, &st.k2, &st.k3, &st.k4, &st.k5, &st.k6, &st.k7}
	for i, b := range bufs {
		*b = buf[i*m : (i+1)*m]
	}
	out := make([]float64, len(p.ts)*m)
	copy(out, p.x0)
	if len(p.ts) == 1 {
		return out, nil
	}
	copy(st.y, p.x0)
	t := p.ts[0]
	p.f(st.y, st.k1, p.n)
	if err := p.nonFinite(st.k1, t, true); err != nil {
		return nil, err
	}
	hmax := p.ts[len(p.ts)-1] - t
	h := st.initialStep(t, hmax)

	facOld := 1e-4
	rejected := false
	steps := 0
	for k := 1; k < len(p.ts); k++ {
		tout := p.ts[k]
		for t < tout {
			if steps >= s.MaxSteps {
				return nil, fmt.Errorf("more than max_steps=%d steps needed: stopped at t=%s before reaching t=%s (the problem may be stiff or the tolerance too tight)",
					s.MaxSteps, FormatTime(t), FormatTime(tout))
			}
			steps++
			if 0.1*math.Abs(h) <= math.Abs(t)*dpURound || !(h > 0) {
				where := ""
				if p.batch {
					where = fmt.Sprintf("trajectory %d: ", st.worstRow)
				}
				return nil, fmt.Errorf("%sstep size %.3g underflows at t=%s: the solution may blow up or the field be singular there",
					where, h, FormatTime(t))
			}
			hs, last := h, false
			if t+1.01*hs >= tout {
				hs, last = tout-t, true
			}
			errNorm := st.trialStep(hs)
			if math.IsNaN(errNorm) || math.IsInf(errNorm, 0) {
				// Non-finite trial values: shrink as much as one step may.
				h = hs * dpFacMin
				rejected = true
				continue
			}
			fac11 := math.Pow(errNorm, dpExpo1)
			if errNorm <= 1 {
				fac := fac11 / math.Pow(facOld, dpBeta)
				fac = math.Max(1/dpFacMax, math.Min(1/dpFacMin, fac/dpSafe))
				hNew := hs / fac
				facOld = math.Max(errNorm, 1e-4)
				tNew := t + hs
				if last {
					tNew = tout
				}
				if err := p.nonFinite(st.yn, tNew, false); err != nil {
					return nil, err
				}
				st.y, st.yn = st.yn, st.y
				st.k1, st.k7 = st.k7, st.k1 // first same as last
				t = tNew
				hNew = math.Min(hNew, hmax)
				if rejected {
					hNew = math.Min(hNew, hs)
				}
				if last && hs < h {
					// A step shortened to land on an output time says little
					// about the step size the solution allows; keep the larger.
					hNew = math.Max(hNew, math.Min(h, hmax))
				}
				rejected = false
				h = hNew
			} else {
				h = hs / math.Min(1/dpFacMin, fac11/dpSafe)
				rejected = true
			}
		}
		copy(out[k*m:(k+1)*m], st.y)
	}
	return out, nil
}

// trialStep computes the step of size h from y (with k1 = f(y)) into yn and
// k7 = f(yn), and returns the error norm: the largest over the rows of the
// root-mean-square scaled error estimate. It returns NaN or Inf when any
// stage is non-finite.
func (st *dopriState) trialStep(h float64) float64 {
	f, n := st.p.f, st.p.n
	y, tmp := st.y, st.tmp
	k1, k2, k3, k4, k5, k6, k7 := st.k1, st.k2, st.k3, st.k4, st.k5, st.k6, st.k7
	for i := range y {
		tmp[i] = y[i] + h*dpA21*k1[i]
	}
	f(tmp, k2, n)
	for i := range y {
		tmp[i] = y[i] + h*(dpA31*k1[i]+dpA32*k2[i])
	}
	f(tmp, k3, n)
	for i := range y {
		tmp[i] = y[i] + h*(dpA41*k1[i]+dpA42*k2[i]+dpA43*k3[i])
	}
	f(tmp, k4, n)
	for i := range y {
		tmp[i] = y[i] + h*(dpA51*k1[i]+dpA52*k2[i]+dpA53*k3[i]+dpA54*k4[i])
	}
	f(tmp, k5, n)
	for i := range y {
		tmp[i] = y[i] + h*(dpA61*k1[i]+dpA62*k2[i]+dpA63*k3[i]+dpA64*k4[i]+dpA65*k5[i])
	}
	f(tmp, k6, n)
	yn := st.yn
	for i := range y {
		yn[i] = y[i] + h*(dpA71*k1[i]+dpA73*k3[i]+dpA74*k4[i]+dpA75*k5[i]+dpA76*k6[i])
	}
	f(yn, k7, n)

	d := st.p.d
	worst := 0.0
	for r := 0; r < n; r++ {
		sum := 0.0
		for i := r * d; i < (r+1)*d; i++ {
			e := h * (dpE1*k1[i] + dpE3*k3[i] + dpE4*k4[i] + dpE5*k5[i] + dpE6*k6[i] + dpE7*k7[i])
			sc := st.atol + st.rtol*math.Max(math.Abs(y[i]), math.Abs(yn[i]))
			sum += (e / sc) * (e / sc)
		}
		norm := math.Sqrt(sum / float64(d))
		if math.IsNaN(norm) || norm > worst {
			worst, st.worstRow = norm, r
		}
		if math.IsNaN(norm) {
			return norm
		}
	}
	return worst
}

// initialStep is Hairer's HINIT for order 5, per row, taking the smallest
// row's proposal. It uses tmp and k2 as scratch.
func (st *dopriState) initialStep(t, hmax float64) float64 {
	p := st.p
	d := p.d
	y, f0 := st.y, st.k1
	// First guess h0 per row: 0.01·‖y‖/‖f‖.
	h0 := math.Inf(1)
	for r := 0; r < p.n; r++ {
		dnf, dny := 0.0, 0.0
		for i := r * d; i < (r+1)*d; i++ {
			sk := st.atol + st.rtol*math.Abs(y[i])
			dnf += (f0[i] / sk) * (f0[i] / sk)
			dny += (y[i] / sk) * (y[i] / sk)
		}
		dnf, dny = math.Sqrt(dnf/float64(d)), math.Sqrt(dny/float64(d))
		h := 1e-6
		if dnf > 1e-5 && dny > 1e-5 {
			h = 0.01 * dny / dnf
		}
		h0 = math.Min(h0, h)
	}
	h0 = math.Min(h0, hmax)
	// Explicit Euler step to estimate the second derivative.
	for i := range y {
		st.tmp[i] = y[i] + h0*f0[i]
	}
	p.f(st.tmp, st.k2, p.n)
	h1 := math.Inf(1)
	for r := 0; r < p.n; r++ {
		der2, dnf := 0.0, 0.0
		for i := r * d; i < (r+1)*d; i++ {
			sk := st.atol + st.rtol*math.Abs(y[i])
			e := (st.k2[i] - f0[i]) / sk
			der2 += e * e
			dnf += (f0[i] / sk) * (f0[i] / sk)
		}
		der2 = math.Sqrt(der2/float64(d)) / h0
		der12 := math.Max(der2, math.Sqrt(dnf/float64(d)))
		h := math.Max(1e-6, h0*1e-3)
		if der12 > 1e-15 {
			h = math.Pow(0.01/der12, 1.0/5)
		}
		h1 = math.Min(h1, h)
	}
	h := math.Min(math.Min(100*h0, h1), hmax)
	if math.IsNaN(h) || !(h > 0) {
		h = math.Min(1e-6, hmax)
	}
	return h
}
