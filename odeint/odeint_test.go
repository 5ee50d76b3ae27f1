package odeint

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// oscillator is q̇ = p, ṗ = −ω²q with the closed form solution exact.
type oscillator struct{ omega float64 }

func (o oscillator) field(x, dx []float64) {
	dx[0] = x[1]
	dx[1] = -o.omega * o.omega * x[0]
}

func (o oscillator) exact(x0 []float64, t float64) (q, p float64) {
	c, s := math.Cos(o.omega*t), math.Sin(o.omega*t)
	return x0[0]*c + x0[1]/o.omega*s, -x0[0]*o.omega*s + x0[1]*c
}

func (o oscillator) energy(x []float64) float64 {
	return 0.5*x[1]*x[1] + 0.5*o.omega*o.omega*x[0]*x[0]
}

// pendulum is q̇ = p, ṗ = −sin q (H = p²/2 − cos q).
func pendulum(x, dx []float64) {
	dx[0] = x[1]
	dx[1] = -math.Sin(x[0])
}

func pendulumEnergy(x []float64) float64 { return 0.5*x[1]*x[1] - math.Cos(x[0]) }

// kepler is the planar Kepler problem with GM = 1, state (x, y, vx, vy).
func kepler(x, dx []float64) {
	r2 := x[0]*x[0] + x[1]*x[1]
	r3 := r2 * math.Sqrt(r2)
	dx[0], dx[1] = x[2], x[3]
	dx[2], dx[3] = -x[0]/r3, -x[1]/r3
}

// keplerExact is the position on the orbit with semi-major axis 1 and
// eccentricity e that starts at pericentre (1−e, 0) moving in +y, at time t,
// from Kepler's equation E − e sin E = t.
func keplerExact(e, t float64) (x, y float64) {
	E := t
	for range 50 {
		E -= (E - e*math.Sin(E) - t) / (1 - e*math.Cos(E))
	}
	return math.Cos(E) - e, math.Sqrt(1-e*e) * math.Sin(E)
}

func linspace(a, b float64, n int) []float64 {
	ts := make([]float64, n)
	for i := range ts {
		ts[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	ts[n-1] = b
	return ts
}

func TestOscillatorClosedForm(t *testing.T) {
	osc := oscillator{omega: 2}
	x0 := []float64{1, 0.5}
	// 0.37 is not a multiple of any dt below: the shortened last substeps
	// of every output interval are exercised.
	ts := make([]float64, 28)
	for i := range ts {
		ts[i] = 0.37 * float64(i)
	}
	cases := []struct {
		name  string
		integ Integrator
		tol   float64
	}{
		{"rk4", &RK4{DT: 0.01}, 1e-7},
		{"dopri5", NewDopri5(), 1e-8},
		{"leapfrog", &Leapfrog{DT: 0.001}, 1e-4},
		{"yoshida4", &Yoshida4{DT: 0.01}, 1e-6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := c.integ.Integrate(osc.field, x0, ts)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 2*len(ts) {
				t.Fatalf("len(out) = %d, want %d", len(out), 2*len(ts))
			}
			worst := 0.0
			for k, tk := range ts {
				q, p := osc.exact(x0, tk)
				worst = math.Max(worst, math.Max(math.Abs(out[2*k]-q), math.Abs(out[2*k+1]-p)))
			}
			t.Logf("max error over t ∈ [0, %.2f]: %.2e", ts[len(ts)-1], worst)
			if worst > c.tol {
				t.Errorf("max error %.3e > %.0e", worst, c.tol)
			}
		})
	}
}

// TestConvergenceOrder halves dt and checks log2 of the error ratio.
func TestConvergenceOrder(t *testing.T) {
	osc := oscillator{omega: 1}
	x0 := []float64{1, 0}
	tEnd := 10.0
	ref, err := (&Dopri5{RTol: 1e-13, ATol: 1e-15, MaxSteps: 1e6}).Integrate(pendulum, []float64{1.5, 0}, []float64{0, tEnd})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		make  func(dt float64) Integrator
		dt    float64
		order float64
	}{
		{"rk4", func(dt float64) Integrator { return &RK4{DT: dt} }, 0.05, 4},
		{"leapfrog", func(dt float64) Integrator { return &Leapfrog{DT: dt} }, 0.05, 2},
		{"yoshida4", func(dt float64) Integrator { return &Yoshida4{DT: dt} }, 0.1, 4},
	}
	systems := []struct {
		name  string
		f     Field
		x0    []float64
		exact []float64
	}{
		{"oscillator", osc.field, x0, func() []float64 { q, p := osc.exact(x0, tEnd); return []float64{q, p} }()},
		{"pendulum", pendulum, []float64{1.5, 0}, ref[2:]},
	}
	for _, c := range cases {
		for _, sys := range systems {
			t.Run(c.name+"/"+sys.name, func(t *testing.T) {
				var errs []float64
				for _, dt := range []float64{c.dt, c.dt / 2, c.dt / 4} {
					out, err := c.make(dt).Integrate(sys.f, sys.x0, []float64{0, tEnd})
					if err != nil {
						t.Fatal(err)
					}
					errs = append(errs, math.Hypot(out[2]-sys.exact[0], out[3]-sys.exact[1]))
				}
				for i := 1; i < len(errs); i++ {
					order := math.Log2(errs[i-1] / errs[i])
					t.Logf("dt=%g: error %.3e, observed order %.3f", c.dt/math.Exp2(float64(i)), errs[i], order)
					if math.Abs(order-c.order) > 0.1 {
						t.Errorf("observed order %.3f, want %g ± 0.1 (errors %v)", order, c.order, errs)
					}
				}
			})
		}
	}
}

func TestDopri5MeetsTolerance(t *testing.T) {
	t.Run("oscillator", func(t *testing.T) {
		osc := oscillator{omega: 1}
		x0 := []float64{1, 0}
		ts := linspace(0, 2*math.Pi, 9)
		prevEvals := 0
		for _, rtol := range []float64{1e-4, 1e-6, 1e-8, 1e-10, 1e-12} {
			evals := 0
			f := func(x, dx []float64) { evals++; osc.field(x, dx) }
			out, err := (&Dopri5{RTol: rtol, ATol: rtol * 1e-3, MaxSteps: 1e6}).Integrate(f, x0, ts)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for k, tk := range ts {
				q, p := osc.exact(x0, tk)
				worst = math.Max(worst, math.Max(math.Abs(out[2*k]-q), math.Abs(out[2*k+1]-p)))
			}
			t.Logf("rtol %.0e: max error over a period %.2e (%.1f·rtol), %d evaluations of f", rtol, worst, worst/rtol, evals)
			if worst > 10*rtol {
				t.Errorf("rtol %.0e: max error %.3e > 10·rtol", rtol, worst)
			}
			if evals <= prevEvals {
				t.Errorf("rtol %.0e: %d evaluations, not more than %d at the looser tolerance", rtol, evals, prevEvals)
			}
			prevEvals = evals
		}
	})
	t.Run("kepler e=0.5", func(t *testing.T) {
		const e = 0.5
		// Pericentre (1−e, 0) with speed √((1+e)/(1−e)); the period is 2π.
		x0 := []float64{1 - e, 0, 0, math.Sqrt((1 + e) / (1 - e))}
		ts := linspace(0, 2*math.Pi, 13)
		for _, rtol := range []float64{1e-6, 1e-9, 1e-12} {
			evals := 0
			f := func(x, dx []float64) { evals++; kepler(x, dx) }
			out, err := (&Dopri5{RTol: rtol, ATol: rtol * 1e-3, MaxSteps: 1e6}).Integrate(f, x0, ts)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for k, tk := range ts {
				x, y := keplerExact(e, tk)
				worst = math.Max(worst, math.Hypot(out[4*k]-x, out[4*k+1]-y))
			}
			back := math.Hypot(out[4*12]-x0[0], out[4*12+1]-x0[1])
			t.Logf("rtol %.0e: max position error over a period %.2e (%.1f·rtol), return to pericentre %.2e, %d evaluations of f",
				rtol, worst, worst/rtol, back, evals)
			// The tolerance bounds the local error of each step; the global
			// error after a few hundred steps is a modest multiple of it.
			if worst > 50*rtol {
				t.Errorf("rtol %.0e: max position error %.3e > 50·rtol", rtol, worst)
			}
		}
	})
}

// TestSymplecticEnergy checks that the energy error of the symplectic
// integrators stays bounded over 10⁴ periods, and that the test would catch
// the drift of a non-symplectic method.
func TestSymplecticEnergy(t *testing.T) {
	if testing.Short() {
		t.Skip("long integration")
	}
	osc := oscillator{omega: 1}
	const dt = 0.1
	const periods = 10_000
	// Outputs every 64 steps, so that no step is shortened.
	tEnd := periods * 2 * math.Pi
	nOut := int(tEnd/(64*dt)) + 1
	ts := make([]float64, nOut)
	for i := range ts {
		ts[i] = float64(i) * 64 * dt
	}
	systems := []struct {
		name   string
		f      Field
		energy func([]float64) float64
		x0     []float64
	}{
		{"oscillator", osc.field, osc.energy, []float64{1, 0}},
		{"pendulum", pendulum, pendulumEnergy, []float64{1, 0}},
	}
	cases := []struct {
		name  string
		integ Integrator
		bound float64 // on the relative energy error over the whole run
	}{
		{"leapfrog", &Leapfrog{DT: dt}, 5e-3},
		{"yoshida4", &Yoshida4{DT: dt}, 5e-4},
	}
	for _, sys := range systems {
		e0 := sys.energy(sys.x0)
		drift := func(out []float64, from, to int) float64 {
			worst := 0.0
			for k := from; k < to; k++ {
				worst = math.Max(worst, math.Abs(sys.energy(out[2*k:2*k+2])-e0)/math.Abs(e0))
			}
			return worst
		}
		tenth := nOut / 10
		for _, c := range cases {
			t.Run(c.name+"/"+sys.name, func(t *testing.T) {
				out, err := c.integ.Integrate(sys.f, sys.x0, ts)
				if err != nil {
					t.Fatal(err)
				}
				early, late := drift(out, 0, tenth), drift(out, nOut-tenth, nOut)
				t.Logf("relative energy error: first 10%% of %d periods %.2e, last 10%% %.2e", periods, early, late)
				if late > c.bound || early > c.bound {
					t.Errorf("energy error %.3e / %.3e exceeds %.0e", early, late, c.bound)
				}
				if late > 1.5*early {
					t.Errorf("energy error grows: %.3e early, %.3e late", early, late)
				}
			})
		}
		t.Run("rk4 drifts/"+sys.name, func(t *testing.T) {
			out, err := (&RK4{DT: dt}).Integrate(sys.f, sys.x0, ts)
			if err != nil {
				t.Fatal(err)
			}
			early, late := drift(out, 0, tenth), drift(out, nOut-tenth, nOut)
			t.Logf("rk4, relative energy error: first 10%% %.2e, last 10%% %.2e", early, late)
			if late < 5*early {
				t.Errorf("expected a growing energy error from rk4, got %.3e early, %.3e late", early, late)
			}
		})
	}
}

// blowUp is ẋ = x², whose solution from x(0) = 1 is 1/(1 − t).
func blowUp(x, dx []float64) { dx[0] = x[0] * x[0] }

// blowUp2 is q̇ = p, ṗ = q² (separable), whose solution from q = 1,
// p = √(2/3) is q = 6/(√6 − t)²: it blows up at t = √6 ≈ 2.449.
func blowUp2(x, dx []float64) {
	dx[0] = x[1]
	dx[1] = x[0] * x[0]
}

var timeInMessage = regexp.MustCompile(`at t=([-+0-9.e]+)`)

func TestNonFinite(t *testing.T) {
	cases := []struct {
		name      string
		integ     Integrator
		f         Field
		x0        []float64
		tLo, tHi  float64
		nonFinite bool // the error is a *NonFiniteError
	}{
		{"rk4", NewRK4(), blowUp, []float64{1}, 0.99, 1.2, true},
		{"dopri5", NewDopri5(), blowUp, []float64{1}, 0.99, 1.0, false},
		{"leapfrog", NewLeapfrog(), blowUp2, []float64{1, math.Sqrt(2.0 / 3)}, 2.40, 2.7, true},
		{"yoshida4", NewYoshida4(), blowUp2, []float64{1, math.Sqrt(2.0 / 3)}, 2.40, 2.7, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.integ.Integrate(c.f, c.x0, []float64{0, 0.5, 3})
			if err == nil {
				t.Fatal("no error for a solution that blows up")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), "t=") {
				t.Errorf("error does not name the time: %v", err)
			}
			var nf *NonFiniteError
			if errors.As(err, &nf) != c.nonFinite {
				t.Fatalf("errors.As(*NonFiniteError) = %v, want %v", !c.nonFinite, c.nonFinite)
			}
			tFail := 0.0
			if nf != nil {
				tFail = nf.T
				if nf.Trajectory != -1 {
					t.Errorf("Trajectory = %d, want -1 for a single integration", nf.Trajectory)
				}
			} else {
				m := timeInMessage.FindStringSubmatch(err.Error())
				if m == nil {
					t.Fatalf("no time in %q", err)
				}
				tFail, _ = strconv.ParseFloat(m[1], 64)
			}
			if tFail < c.tLo || tFail > c.tHi {
				t.Errorf("failure reported at t=%g, want within [%g, %g]", tFail, c.tLo, c.tHi)
			}
		})
	}
	t.Run("NaN field at the initial state", func(t *testing.T) {
		nan := func(x, dx []float64) { dx[0] = math.Sqrt(-x[0]) - 1; dx[1] = 0 }
		for _, integ := range []Integrator{NewRK4(), NewDopri5(), NewLeapfrog(), NewYoshida4()} {
			_, err := integ.Integrate(nan, []float64{1, 1}, []float64{2, 3})
			var nf *NonFiniteError
			if !errors.As(err, &nf) || !nf.Derivative || nf.T != 2 || nf.Index != 0 || !math.IsNaN(nf.Value) {
				t.Errorf("%T: got %v, want a NaN derivative of component 0 at t=2", integ, err)
			}
		}
	})
	t.Run("non-finite initial state", func(t *testing.T) {
		_, err := NewRK4().Integrate(blowUp, []float64{math.Inf(1)}, []float64{0, 1})
		var nf *NonFiniteError
		if !errors.As(err, &nf) || nf.Derivative || nf.T != 0 {
			t.Errorf("got %v, want a non-finite state at t=0", err)
		}
	})
}
