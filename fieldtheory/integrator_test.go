package fieldtheory

import (
	"fmt"
	"math"
	"testing"
)

func kdv(t testing.TB, length float64, points int) *System {
	t.Helper()
	s, err := NewSystem(Definition{
		Fields:    []string{"u"},
		Domain:    Domain{Length: length, Points: points, Periodic: true},
		Equations: map[string]string{"u_t": "-u_xxx - 6*u*u_x"},
		Conserved: map[string]string{"mass": "u", "momentum": "u^2/2", "energy": "u_x^2/2 - u^3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSolitonKdV integrates a KdV soliton 2k² sech²(k(x − x0 − 4k²t)) and
// compares with the closed form.
func TestSolitonKdV(t *testing.T) {
	const L, k, x0 = 40.0, 1.0, 10.0
	s := kdv(t, L, 256)
	in, err := NewIntegrator(s, IntegratorOptions{CFL: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	exact := func(x, tt float64) float64 {
		var v float64
		for m := -2; m <= 2; m++ { // periodic images
			c := math.Cosh(k * (x - x0 - 4*k*k*tt + float64(m)*L))
			v += 2 * k * k / (c * c)
		}
		return v
	}
	xs := s.Domain().X()
	u0 := make([]float64, len(xs))
	for i, x := range xs {
		u0[i] = exact(x, 0)
	}
	sol, err := in.Run(u0, []float64{0, 0.5, 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("steps %d dt %g..%g", sol.Steps, sol.MinDt, sol.MaxDt)
	var maxErr float64
	for i, x := range xs {
		maxErr = max(maxErr, math.Abs(sol.U[2*len(xs)+i]-exact(x, 1)))
	}
	if maxErr > 1e-6 {
		t.Errorf("max error against the soliton at t=1: %g", maxErr)
	}
	t.Logf("max error %g", maxErr)
}

// TestKdVConservation: mass, momentum and energy of KdV are conserved to
// ≤ 1e-8 relative (to ∫|density|) over t ∈ [0, 1] on a resolved case, for
// the default step and larger ones.
func TestKdVConservation(t *testing.T) {
	s := kdv(t, 20, 256)
	for _, cfl := range []float64{0.5, 0.25, NewIntegratorOptions().CFL} {
		in, err := NewIntegrator(s, IntegratorOptions{CFL: cfl})
		if err != nil {
			t.Fatal(err)
		}
		xs := s.Domain().X()
		u0 := make([]float64, len(xs))
		for i, x := range xs {
			w := 2 * math.Pi * x / 20
			u0[i] = 0.6*math.Cos(w) + 0.3*math.Sin(2*w+1) + 0.2*math.Cos(3*w+0.5) + 0.1*math.Sin(5*w)
		}
		times := []float64{0, 0.25, 0.5, 0.75, 1}
		sol, err := in.Run(u0, times)
		if err != nil {
			t.Fatal(err)
		}
		obs, err := NewObserver(s, in.Grid(), 0)
		if err != nil {
			t.Fatal(err)
		}
		obs.Load(sol.U[:256])
		q0, sc := obs.Conserved()
		drift := make([]float64, len(q0))
		for ti := range times {
			obs.Load(sol.U[ti*256 : (ti+1)*256])
			q, _ := obs.Conserved()
			for c := range q {
				drift[c] = max(drift[c], math.Abs(q[c]-q0[c])/sc[c])
			}
		}
		t.Logf("cfl %g steps %d drift %v (%v)", cfl, sol.Steps, drift, s.Conserved())
		for c, d := range drift {
			if d > 1e-8 {
				t.Errorf("cfl %g: %s drifts by %.3g", cfl, s.Conserved()[c], d)
			}
		}
	}
}

// TestSplitting: the linear terms with constant coefficients go to the
// exponentials, the rest to the Runge–Kutta stages.
func TestSplitting(t *testing.T) {
	cases := []struct {
		sys  *System
		want string
		diag bool
	}{
		{kdv(t, 20, 64), "[-6*u*u_x]", true},
		{sineGordon(t, 64), "[0 -sin(phi)]", false},
		{heisenberg(t, 64), "[S2*S3_xx - S3*S2_xx S3*S1_xx - S1*S3_xx S1*S2_xx - S2*S1_xx]", true},
	}
	for _, c := range cases {
		in, err := NewIntegrator(c.sys, NewIntegratorOptions())
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(in.Nonlinear()); got != c.want || in.diag != c.diag {
			t.Errorf("%v: nonlinear part %s, diagonal %v; want %s, %v", c.sys.Equations(), got, in.diag, c.want, c.diag)
		}
	}
}
