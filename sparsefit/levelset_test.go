package sparsefit_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"ansatz/sparsefit"
)

// TestDictionaryGradient compares the monomials' gradients with central
// differences for the cubic monomials of three variables.
func TestDictionaryGradient(t *testing.T) {
	d, err := sparsefit.NewDictionary([]string{"a", "b", "c"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	x := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
	got := make([]float64, d.Len()*3)
	d.Gradient(x, got)
	const h = 1e-6
	lo, hi := make([]float64, d.Len()), make([]float64, d.Len())
	for v := range 3 {
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		xp[v] += h
		xm[v] -= h
		d.Eval(xp, hi)
		d.Eval(xm, lo)
		for k := range d.Len() {
			fd := (hi[k] - lo[k]) / (2 * h)
			if math.Abs(got[k*3+v]-fd) > 1e-8*(1+math.Abs(fd)) {
				t.Errorf("∂%s/∂x%d = %v, central difference %v", d.Names()[k], v, got[k*3+v], fd)
			}
		}
	}
}

// levelData draws n states in [−1, 1]^4 and the gradient of F there.
func levelData(n int, grad func(x, g []float64)) (xs, gs []float64) {
	rng := rand.New(rand.NewPCG(2, 3))
	x, g := make([]float64, 4), make([]float64, 4)
	for range n {
		for i := range x {
			x[i] = 2*rng.Float64() - 1
		}
		grad(x, g)
		xs = append(xs, x...)
		gs = append(gs, g...)
	}
	return xs, gs
}

func TestFitLevelSets(t *testing.T) {
	d, err := sparsefit.NewDictionary([]string{"x", "y", "p_x", "p_y"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		grad    func(x, g []float64)
		formula string // "" when F has no polynomial level sets
		alo     float64
		ahi     float64
	}{
		{"tanh(3 L)", func(x, g []float64) {
			l := x[0]*x[3] - x[1]*x[2]
			s := 3 / math.Pow(math.Cosh(3*l), 2)
			g[0], g[1], g[2], g[3] = s*x[3], -s*x[2], -s*x[1], s*x[0]
		}, "x*p_y - y*p_x", 1 - 1e-12, 1},
		{"exp(r²)", func(x, g []float64) {
			s := 2 * math.Exp(x[0]*x[0]+x[1]*x[1])
			g[0], g[1], g[2], g[3] = s*x[0], s*x[1], 0, 0
		}, "x^2 + y^2", 1 - 1e-12, 1},
		{"(p_x − 2y)³", func(x, g []float64) {
			s := 3 * (x[2] - 2*x[1]) * (x[2] - 2*x[1])
			g[0], g[1], g[2], g[3] = 0, -2*s, s, 0
		}, "y - 0.5*p_x", 1 - 1e-12, 1},
		{"sin(3x) + p_y", func(x, g []float64) {
			g[0], g[1], g[2], g[3] = 3*math.Cos(3*x[0]), 0, 0, 1
		}, "", 0, 0.99},
	}
	for _, tc := range tests {
		xs, gs := levelData(300, tc.grad)
		p, align, err := d.FitLevelSets(xs, gs, 300, sparsefit.DefaultOptions())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Logf("%s: P = %s, alignment %.10f", tc.name, p.Format(4), align)
		if !(align >= tc.alo && align <= tc.ahi) {
			t.Errorf("%s: alignment %v, want in [%v, %v]", tc.name, align, tc.alo, tc.ahi)
		}
		if tc.formula != "" {
			if got := p.Format(4); got != tc.formula {
				t.Errorf("%s: P = %q, want %q", tc.name, got, tc.formula)
			}
		}
	}

	xs, gs := levelData(10, func(_, g []float64) { clear(g) })
	if _, _, err := d.FitLevelSets(xs, gs, 10, sparsefit.DefaultOptions()); err == nil || !strings.Contains(err.Error(), "gradient vanishes at every state") {
		t.Errorf("zero gradients: %v", err)
	}
	if _, _, err := d.FitLevelSets(xs, gs[:4], 10, sparsefit.DefaultOptions()); err == nil || !strings.Contains(err.Error(), "need 40 values") {
		t.Errorf("short gradients: %v", err)
	}
}
