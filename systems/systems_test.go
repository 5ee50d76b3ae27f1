package systems

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"ansatz/symbolic"
)

var (
	_ System = (*Hamiltonian)(nil)
	_ System = (*ODE)(nil)
	_ Energy = (*Hamiltonian)(nil)
	_ Energy = (*ODE)(nil)
)

func closeTo(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

func mustHamiltonian(t *testing.T, q, p []string, params map[string]float64, h string) *Hamiltonian {
	t.Helper()
	s, err := NewHamiltonian(q, p, params, h)
	if err != nil {
		t.Fatalf("NewHamiltonian(%q): %v", h, err)
	}
	return s
}

// checkField compares s.Field with want at random states drawn by draw.
func checkField(t *testing.T, s Flow, want func(x, dx []float64), draw func(*rand.Rand) []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	d := len(s.Variables())
	got, exp := make([]float64, d), make([]float64, d)
	for range 50 {
		x := draw(rng)
		s.Field(x, got)
		want(x, exp)
		for i := range d {
			if !closeTo(got[i], exp[i], 1e-13) {
				t.Errorf("f_%s(%v) = %.17g, want %.17g", s.Variables()[i], x, got[i], exp[i])
			}
		}
	}
}

func uniform(d int, lo, hi float64) func(*rand.Rand) []float64 {
	return func(rng *rand.Rand) []float64 {
		x := make([]float64, d)
		for i := range x {
			x[i] = lo + (hi-lo)*rng.Float64()
		}
		return x
	}
}

// checkJacobian compares Jacobian with central finite differences of Field.
func checkJacobian(t *testing.T, s Flow, jacobian func(x, jac []float64), draw func(*rand.Rand) []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(2, 2))
	d := len(s.Variables())
	jac := make([]float64, d*d)
	fp, fm := make([]float64, d), make([]float64, d)
	for range 10 {
		x := draw(rng)
		jacobian(x, jac)
		for j := range d {
			h := 1e-6 * math.Max(1, math.Abs(x[j]))
			xp, xm := slices.Clone(x), slices.Clone(x)
			xp[j] += h
			xm[j] -= h
			s.Field(xp, fp)
			s.Field(xm, fm)
			for i := range d {
				if fd := (fp[i] - fm[i]) / (2 * h); !closeTo(jac[i*d+j], fd, 1e-6) {
					t.Errorf("∂f_%d/∂x_%d at %v = %g, finite difference %g", i, j, x, jac[i*d+j], fd)
				}
			}
		}
	}
}

func TestSpring(t *testing.T) {
	s := mustHamiltonian(t, []string{"q"}, []string{"p"}, nil, "q^2 + p^2")
	if got := s.Equations(); !slices.Equal(got, []string{"q' = 2*p", "p' = -2*q"}) {
		t.Errorf("Equations = %q", got)
	}
	checkField(t, s, func(x, dx []float64) { dx[0], dx[1] = 2*x[1], -2*x[0] }, uniform(2, -3, 3))
	if !s.Separable() || s.NumCoordinates() != 1 {
		t.Errorf("Separable = %v, NumCoordinates = %d", s.Separable(), s.NumCoordinates())
	}
	if e := s.Energy([]float64{3, 4}); e != 25 {
		t.Errorf("Energy = %g, want 25", e)
	}
	jac := make([]float64, 4)
	s.Jacobian([]float64{0.3, 0.7}, jac)
	if !slices.Equal(jac, []float64{0, 2, -2, 0}) {
		t.Errorf("Jacobian = %v, want [0 2 -2 0]", jac)
	}
}

func TestPendulum(t *testing.T) {
	s := mustHamiltonian(t, []string{"q"}, []string{"p"}, nil, "3*(1 - cos(q)) + p^2")
	if got := s.Equations(); !slices.Equal(got, []string{"q' = 2*p", "p' = -3*sin(q)"}) {
		t.Errorf("Equations = %q", got)
	}
	checkField(t, s, func(x, dx []float64) { dx[0], dx[1] = 2*x[1], -3*math.Sin(x[0]) }, uniform(2, -4, 4))
	checkJacobian(t, s, s.Jacobian, uniform(2, -4, 4))
	if !s.Separable() {
		t.Error("pendulum not separable")
	}
	// The same pendulum with parameters: H = p²/(2ml²) + mgl(1 − cos q).
	params := map[string]float64{"m": 2, "g": 9.81, "l": 0.5}
	s = mustHamiltonian(t, []string{"q"}, []string{"p"}, params, "p^2/(2*m*l^2) + m*g*l*(1 - cos(q))")
	checkField(t, s, func(x, dx []float64) {
		dx[0], dx[1] = x[1]/(2*0.25), -2*9.81*0.5*math.Sin(x[0])
	}, uniform(2, -4, 4))
	if !s.Separable() {
		t.Errorf("parametrised pendulum not separable: %q", s.Equations())
	}
}

const kepler = "(px1^2 + py1^2)/(2*m1) + (px2^2 + py2^2)/(2*m2) - G*m1*m2/sqrt((x1 - x2)^2 + (y1 - y2)^2)"

var (
	keplerQ = []string{"x1", "y1", "x2", "y2"}
	keplerP = []string{"px1", "py1", "px2", "py2"}
)

// keplerField is the two-body field written by hand.
func keplerField(m1, m2, G float64) func(x, dx []float64) {
	return func(s, dx []float64) {
		x1, y1, x2, y2 := s[0], s[1], s[2], s[3]
		px1, py1, px2, py2 := s[4], s[5], s[6], s[7]
		rx, ry := x1-x2, y1-y2
		r := math.Sqrt(rx*rx + ry*ry)
		k := G * m1 * m2 / (r * r * r)
		dx[0], dx[1], dx[2], dx[3] = px1/m1, py1/m1, px2/m2, py2/m2
		dx[4], dx[5], dx[6], dx[7] = -k*rx, -k*ry, k*rx, k*ry
	}
}

func TestKepler(t *testing.T) {
	draw := func(rng *rand.Rand) []float64 {
		x := uniform(8, -1, 1)(rng)
		x[0] += 2 // keep the bodies apart
		return x
	}
	for _, c := range []struct{ m1, m2, G float64 }{{1, 1, 1}, {2, 0.5, 1.5}} {
		params := map[string]float64{"m1": c.m1, "m2": c.m2, "G": c.G}
		s := mustHamiltonian(t, keplerQ, keplerP, params, kepler)
		if got := s.Variables(); !slices.Equal(got, append(slices.Clone(keplerQ), keplerP...)) {
			t.Errorf("Variables = %v", got)
		}
		checkField(t, s, keplerField(c.m1, c.m2, c.G), draw)
		checkJacobian(t, s, s.Jacobian, draw)
		if !s.Separable() || s.NumCoordinates() != 4 {
			t.Errorf("Separable = %v, NumCoordinates = %d", s.Separable(), s.NumCoordinates())
		}
		x := []float64{1, 0, -1, 0, 0, 0.5, 0, -0.5}
		want := (0.25)/(2*c.m1) + 0.25/(2*c.m2) - c.G*c.m1*c.m2/2
		if e := s.Energy(x); !closeTo(e, want, 1e-15) {
			t.Errorf("Energy = %g, want %g", e, want)
		}
	}
}

func TestNotSeparable(t *testing.T) {
	s := mustHamiltonian(t, []string{"q"}, []string{"p"}, nil, "q*p")
	if s.Separable() {
		t.Error("H = q*p reported separable")
	}
	checkField(t, s, func(x, dx []float64) { dx[0], dx[1] = x[0], -x[1] }, uniform(2, -2, 2))
	s = mustHamiltonian(t, []string{"q1", "q2"}, []string{"p1", "p2"}, nil, "p1^2 + p2^2 + q1^2 + q2*p1")
	if s.Separable() {
		t.Error("H with q2*p1 reported separable")
	}
	checkJacobian(t, s, s.Jacobian, uniform(4, -2, 2))
}

func TestODE(t *testing.T) {
	params := map[string]float64{"sigma": 10, "rho": 28, "beta": 8.0 / 3}
	lorenz, err := NewODE([]string{"x", "y", "z"}, params, map[string]string{
		"x": "sigma*(y - x)",
		"y": "x*(rho - z) - y",
		"z": "x*y - beta*z",
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	checkField(t, lorenz, func(s, dx []float64) {
		x, y, z := s[0], s[1], s[2]
		dx[0], dx[1], dx[2] = 10*(y-x), x*(28-z)-y, x*y-8.0/3*z
	}, uniform(3, -20, 20))
	checkJacobian(t, lorenz, lorenz.Jacobian, uniform(3, -20, 20))
	if _, ok := EnergyOf(lorenz); ok || lorenz.HasEnergy() || !math.IsNaN(lorenz.Energy([]float64{1, 2, 3})) {
		t.Error("Lorenz system has an energy")
	}

	vdp, err := NewODE([]string{"x", "v"}, map[string]float64{"mu": 1.5}, map[string]string{
		"x": "v", "v": "mu*(1 - x^2)*v - x",
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	checkJacobian(t, vdp, vdp.Jacobian, uniform(2, -3, 3))

	osc, err := NewODE([]string{"x", "v"}, map[string]float64{"w": 2}, map[string]string{
		"x": "v", "v": "-w^2*x",
	}, "(v^2 + w^2*x^2)/2")
	if err != nil {
		t.Fatal(err)
	}
	if got := osc.Equations(); !slices.Equal(got, []string{"x' = v", "v' = -4*x"}) {
		t.Errorf("Equations = %q", got)
	}
	e, ok := EnergyOf(osc)
	if !ok {
		t.Fatal("oscillator has no energy")
	}
	if got := e.Energy([]float64{1, 3}); got != 6.5 {
		t.Errorf("Energy = %g, want 6.5", got)
	}
	if _, ok := EnergyOf(mustHamiltonian(t, []string{"q"}, []string{"p"}, nil, "p^2")); !ok {
		t.Error("EnergyOf(Hamiltonian) = false")
	}
}

func TestFieldNaN(t *testing.T) {
	s := mustHamiltonian(t, []string{"q"}, []string{"p"}, nil, "p^2 + sqrt(q)")
	dx := make([]float64, 2)
	s.Field([]float64{-1, 0}, dx)
	if !math.IsNaN(dx[1]) {
		t.Errorf("ṗ at q = -1 is %g, want NaN", dx[1])
	}
}

func TestExprErrors(t *testing.T) {
	tests := []struct {
		name   string
		build  func() error
		field  string
		offset int
		msg    string
	}{
		{"unknown name", func() error {
			_, err := NewHamiltonian([]string{"q1"}, []string{"p1"}, nil, "p1^2 + q2^2")
			return err
		}, "hamiltonian", 7, "unknown name q2; did you mean q1?"},
		{"unknown parameter", func() error {
			_, err := NewHamiltonian([]string{"q"}, []string{"p"}, map[string]float64{"omega": 2}, "p^2 + omgea^2*q^2")
			return err
		}, "hamiltonian", 6, "unknown name omgea; did you mean omega?"},
		{"syntax", func() error {
			_, err := NewHamiltonian([]string{"q"}, []string{"p"}, nil, "p^2 + (q")
			return err
		}, "hamiltonian", 8, "unexpected end of expression"},
		{"unknown function", func() error {
			_, err := NewODE([]string{"x", "v"}, nil, map[string]string{"x": "v", "v": "-sine(x)"}, "")
			return err
		}, "equations.v", 1, "unknown function sine; did you mean sin?"},
		{"energy", func() error {
			_, err := NewODE([]string{"x", "v"}, nil, map[string]string{"x": "v", "v": "-x"}, "v^2 + x % 2")
			return err
		}, "energy", 8, "operator % is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.build()
			var e *ExprError
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want *ExprError", err)
			}
			var se *symbolic.Error
			if !errors.As(err, &se) || se != e.Err {
				t.Error("ExprError does not unwrap to its *symbolic.Error")
			}
			if e.Field != tt.field || e.Err.Offset != tt.offset || !strings.Contains(e.Err.Msg, tt.msg) || e.Err.Source == "" {
				t.Errorf("got field %q offset %d msg %q source %q; want %q %d %q",
					e.Field, e.Err.Offset, e.Err.Msg, e.Err.Source, tt.field, tt.offset, tt.msg)
			}
		})
	}
	_, err := NewHamiltonian([]string{"q1"}, []string{"p1"}, nil, "p1^2 + q2^2")
	want := "hamiltonian: unknown name q2; did you mean q1? (column 8)\n | p1^2 + q2^2\n |        ^"
	if err.Error() != want {
		t.Errorf("rendered\n%s\nwant\n%s", err, want)
	}
}

func TestFieldErrors(t *testing.T) {
	q, p := []string{"q"}, []string{"p"}
	tests := []struct {
		name  string
		build func() error
		field string
		msg   string
	}{
		{"no coordinates", func() error { _, err := NewHamiltonian(nil, nil, nil, "1"); return err }, "coordinates", "no names"},
		{"empty name", func() error { _, err := NewHamiltonian([]string{""}, p, nil, "p"); return err }, "coordinates[0]", "empty"},
		{"invalid name", func() error { _, err := NewHamiltonian(q, []string{"p x"}, nil, "q"); return err }, "momenta[0]", "not a valid name"},
		{"duplicate", func() error { _, err := NewHamiltonian([]string{"q", "p"}, []string{"p", "r"}, nil, "q"); return err }, "momenta[0]", "already declared as coordinates[1]"},
		{"lengths", func() error { _, err := NewHamiltonian([]string{"q1", "q2"}, p, nil, "p"); return err }, "momenta", "1 momenta for 2 coordinates"},
		{"parameter named like a variable", func() error {
			_, err := NewHamiltonian(q, p, map[string]float64{"q": 1}, "p^2")
			return err
		}, "parameters.q", "name of a variable"},
		{"parameter pi", func() error {
			_, err := NewHamiltonian(q, p, map[string]float64{"pi": 3}, "p^2")
			return err
		}, "parameters.pi", "built-in constant"},
		{"NaN parameter", func() error {
			_, err := NewHamiltonian(q, p, map[string]float64{"m": math.NaN()}, "p^2/m")
			return err
		}, "parameters.m", "finite"},
		{"variable named like a function", func() error {
			_, err := NewODE([]string{"exp"}, nil, map[string]string{"exp": "1"}, "")
			return err
		}, "variables[0]", "built-in function"},
		{"extra equation", func() error {
			_, err := NewODE([]string{"x", "v"}, nil, map[string]string{"x": "v", "vv": "-x"}, "")
			return err
		}, "equations.vv", "vv is not a variable; did you mean v?"},
		{"missing equation", func() error {
			_, err := NewODE([]string{"x", "v"}, nil, map[string]string{"x": "v"}, "")
			return err
		}, "equations", "no equation for variable v"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.build()
			var e *FieldError
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want *FieldError", err)
			}
			if e.Field != tt.field || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got %q %q, want %q containing %q", e.Field, e.Msg, tt.field, tt.msg)
			}
		})
	}
}
