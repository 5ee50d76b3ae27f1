package odeint

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// batchOf turns a single-state field into a batch field.
func batchOf(f Field, d int) BatchField {
	return func(xs, dxs []float64, n int) {
		for r := range n {
			f(xs[r*d:(r+1)*d], dxs[r*d:(r+1)*d])
		}
	}
}

func TestBatchEqualsLoopOfSingles(t *testing.T) {
	x0s := []float64{0.3, 0, 1.5, -0.2, -2.5, 1}
	const n, d = 3, 2
	ts := []float64{0, 0.37, 1, 2.5, 4}
	cases := []struct {
		name  string
		integ BatchIntegrator
		tol   float64 // 0: bit for bit
	}{
		{"rk4", &RK4{DT: 0.05}, 0},
		{"leapfrog", &Leapfrog{DT: 0.05}, 0},
		{"yoshida4", &Yoshida4{DT: 0.05, NQ: 1}, 0},
		{"dopri5", &Dopri5{RTol: 1e-10, ATol: 1e-12, MaxSteps: 1e5}, 1e-8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.integ.IntegrateBatch(batchOf(pendulum, d), x0s, n, ts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(ts)*n*d {
				t.Fatalf("len = %d, want %d", len(got), len(ts)*n*d)
			}
			for r := range n {
				want, err := c.integ.Integrate(pendulum, x0s[r*d:(r+1)*d], ts)
				if err != nil {
					t.Fatal(err)
				}
				for k := range ts {
					for i := range d {
						g, w := got[(k*n+r)*d+i], want[k*d+i]
						if math.Abs(g-w) > c.tol {
							t.Fatalf("trajectory %d, t=%g, component %d: batch %v, single %v", r, ts[k], i, g, w)
						}
					}
				}
			}
		})
	}
}

func TestBatchNonFiniteNamesTrajectory(t *testing.T) {
	// Row 1 blows up (ẋ = x² from 1), rows 0 and 2 decay.
	x0s := []float64{-1, 1, -2}
	for _, integ := range []BatchIntegrator{NewRK4(), NewDopri5()} {
		_, err := integ.IntegrateBatch(batchOf(blowUp, 1), x0s, 3, []float64{0, 2})
		if err == nil {
			t.Fatalf("%T: no error", integ)
		}
		var nf *NonFiniteError
		if errors.As(err, &nf) && nf.Trajectory != 1 || !strings.Contains(err.Error(), "trajectory 1:") {
			t.Errorf("%T: %v, want trajectory 1 named", integ, err)
		}
		t.Logf("%T: %v", integ, err)
	}
}

type noBatch struct{}

func (noBatch) Integrate(Field, []float64, []float64) ([]float64, error) { return nil, nil }

func TestIntegrateBatchUnsupported(t *testing.T) {
	_, err := IntegrateBatch(noBatch{}, batchOf(blowUp, 1), []float64{1}, 1, []float64{0, 1})
	if !errors.Is(err, ErrNoBatch) || !strings.Contains(err.Error(), "does not support batched rollouts") {
		t.Errorf("got %v, want ErrNoBatch", err)
	}
	out, err := IntegrateBatch(NewRK4(), batchOf(blowUp, 1), []float64{-1}, 1, []float64{0, 1})
	if err != nil || math.Abs(out[1]+0.5) > 1e-9 {
		t.Errorf("got %v, %v; want x(1) = -1/2", out, err)
	}
}

// TestOutputTimesExact integrates q̇ = 1 (q = t) and checks that every
// integrator lands on awkward output times exactly.
func TestOutputTimesExact(t *testing.T) {
	clock := func(x, dx []float64) { dx[0], dx[1] = 1, 0 }
	ts := []float64{-1, -0.999, 0.1234567, 0.2, 3.3333333, 10}
	for _, integ := range []Integrator{&RK4{DT: 0.3}, NewDopri5(), &Leapfrog{DT: 0.3}, &Yoshida4{DT: 0.3}} {
		out, err := integ.Integrate(clock, []float64{-1, 7}, ts)
		if err != nil {
			t.Fatal(err)
		}
		for k, tk := range ts {
			if math.Abs(out[2*k]-tk) > 1e-12 || out[2*k+1] != 7 {
				t.Errorf("%T: state at t=%v is %v, want (%v, 7)", integ, tk, out[2*k:2*k+2], tk)
			}
		}
	}
}

func TestInputErrors(t *testing.T) {
	osc := oscillator{omega: 1}.field
	cases := []struct {
		name  string
		integ Integrator
		x0    []float64
		ts    []float64
		want  string
	}{
		{"no times", NewRK4(), []float64{1, 0}, nil, "no output times"},
		{"decreasing times", NewDopri5(), []float64{1, 0}, []float64{0, 1, 1}, "strictly increasing"},
		{"NaN time", NewRK4(), []float64{1, 0}, []float64{0, math.NaN()}, "ts[1] is NaN"},
		{"empty state", NewRK4(), nil, []float64{0, 1}, "empty initial state"},
		{"odd dimension", NewLeapfrog(), []float64{1, 0, 0}, []float64{0, 1}, "odd"},
		{"NQ mismatch", &Yoshida4{DT: 0.1, NQ: 2}, []float64{1, 0}, []float64{0, 1}, "NQ=2"},
		{"bad dt", &RK4{}, []float64{1, 0}, []float64{0, 1}, "dt must be positive"},
		{"bad rtol", &Dopri5{RTol: -1, MaxSteps: 10}, []float64{1, 0}, []float64{0, 1}, "rtol"},
		{"max steps", &Dopri5{RTol: 1e-9, ATol: 1e-12, MaxSteps: 10}, []float64{1, 0}, []float64{0, 100}, "max_steps=10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.integ.Integrate(osc, c.x0, c.ts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	t.Run("not separable", func(t *testing.T) {
		damped := func(x, dx []float64) { dx[0], dx[1] = x[1], -x[0]-0.1*x[1] }
		for _, integ := range []Integrator{NewLeapfrog(), NewYoshida4()} {
			_, err := integ.Integrate(damped, []float64{1, 0}, []float64{0, 1})
			if err == nil || !strings.Contains(err.Error(), "ṗ (state component 1) changes with p") {
				t.Errorf("%T: got %v, want a separability error", integ, err)
			}
		}
	})
	t.Run("single output time", func(t *testing.T) {
		out, err := NewDopri5().Integrate(osc, []float64{1, 2}, []float64{5})
		if err != nil || len(out) != 2 || out[0] != 1 || out[1] != 2 {
			t.Errorf("got %v, %v; want x0", out, err)
		}
	})
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		v    interface{ Validate() error }
		want string // "" for valid
	}{
		{"rk4 default", NewRK4(), ""},
		{"rk4 zero dt", &RK4{}, "dt"},
		{"rk4 inf dt", &RK4{DT: math.Inf(1)}, "dt"},
		{"dopri5 default", NewDopri5(), ""},
		{"dopri5 rtol only", &Dopri5{RTol: 1e-6, MaxSteps: 1}, ""},
		{"dopri5 atol only", &Dopri5{ATol: 1e-6, MaxSteps: 1}, ""},
		{"dopri5 both zero", &Dopri5{MaxSteps: 1}, "rtol and atol"},
		{"dopri5 tiny rtol", &Dopri5{RTol: 1e-16, MaxSteps: 1}, "rtol"},
		{"dopri5 NaN atol", &Dopri5{RTol: 1e-6, ATol: math.NaN(), MaxSteps: 1}, "atol"},
		{"dopri5 max_steps", &Dopri5{RTol: 1e-6}, "max_steps"},
		{"leapfrog default", NewLeapfrog(), ""},
		{"leapfrog negative NQ", &Leapfrog{DT: 1, NQ: -1}, "NQ"},
		{"yoshida4 default", NewYoshida4(), ""},
		{"yoshida4 negative dt", &Yoshida4{DT: -1}, "dt"},
	}
	for _, c := range cases {
		err := c.v.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error naming %q", c.name, err, c.want)
		}
	}
}

// TestNoAllocationsPerStep checks that the number of allocations of a call
// does not grow with the number of steps.
func TestNoAllocationsPerStep(t *testing.T) {
	f := oscillator{omega: 1}.field
	x0 := []float64{1, 0}
	for _, integ := range []Integrator{NewRK4(), NewDopri5(), NewLeapfrog(), NewYoshida4()} {
		allocs := func(tEnd float64) float64 {
			ts := []float64{0, tEnd / 2, tEnd}
			return testing.AllocsPerRun(5, func() {
				if _, err := integ.Integrate(f, x0, ts); err != nil {
					t.Fatal(err)
				}
			})
		}
		short, long := allocs(0.1), allocs(20)
		if long != short {
			t.Errorf("%T: %v allocations for a short run, %v for a 200× longer one", integ, short, long)
		}
	}
}

func TestPrepare(t *testing.T) {
	lf := NewLeapfrog()
	if err := Prepare(lf, 2); err != nil || lf.NQ != 2 {
		t.Errorf("Prepare(leapfrog, 2): %v, NQ = %d", err, lf.NQ)
	}
	y := NewYoshida4()
	if err := Prepare(y, 0); err == nil || !strings.Contains(err.Error(), "separable Hamiltonian") {
		t.Errorf("Prepare(yoshida4, 0): got %v, want an error", err)
	}
	if err := Prepare(NewRK4(), 0); err != nil {
		t.Errorf("Prepare(rk4, 0): %v", err)
	}
	if err := Prepare(&Dopri5{RTol: -1}, 3); err == nil || !strings.Contains(err.Error(), "rtol") {
		t.Errorf("Prepare(bad dopri5): got %v, want the validation error", err)
	}
	if err := Prepare(Leapfrog{DT: 0.1}, 1); err == nil {
		t.Error("Prepare on a Leapfrog value: no error")
	}
}
