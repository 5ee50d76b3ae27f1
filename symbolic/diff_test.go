package symbolic

import (
	"math"
	"testing"
)

// mustParse parses src or fails the test.
func mustParse(t testing.TB, src string) Node {
	t.Helper()
	n, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return n
}

// mustCompile compiles n over vars or fails the test.
func mustCompile(t testing.TB, n Node, vars []string) Func {
	t.Helper()
	f, err := Compile(n, vars)
	if err != nil {
		t.Fatalf("Compile(%s): %v", n, err)
	}
	return f
}

// centralDiff is the central finite difference of f along coordinate i.
func centralDiff(f Func, x []float64, i int) float64 {
	h := 1e-6 * math.Max(1, math.Abs(x[i]))
	xp := append([]float64(nil), x...)
	xm := append([]float64(nil), x...)
	xp[i] += h
	xm[i] -= h
	return (f(xp) - f(xm)) / (2 * h)
}

// closeTo reports |a-b| <= tol·(1+|b|).
func closeTo(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*(1+math.Abs(b))
}

var diffCases = []string{
	// every function
	"sin(x)", "cos(x)", "tan(x)", "exp(x)", "log(x)", "sqrt(x)", "abs(x)",
	"abs(x - y)", "tanh(x)", "sinh(x)", "cosh(x)", "atan(x)", "atan2(y, x)",
	"pow(x, y)", "pow(x, 3)", "pow(2, x)",
	// powers
	"x^2", "x^3", "x^-2", "x^2.5", "x^y", "2^x", "x^x", "y^pi", "(x*y)^(1/3)",
	// chain, product and quotient rules, and compositions
	"sin(x^2)*exp(-y)", "x*y/(1 + x^2)", "sqrt(x^2 + y^2)", "log(cosh(x*y))",
	"atan2(y^2, x*y)", "-(x - y)^3/(x + 2)", "tan(x)/cos(y)", "pi*x^2",
	"pow(x, y)^2", "abs(x - y)*x", "exp(sin(x)*cos(y))/sqrt(1 + x*y)",
	"1/(x^2 + y^2)^(3/2)", "tanh(sinh(x) - y)", "atan(x/y) + atan2(x, y)",
	"x/y/(x - y)", "3*(1 - cos(x)) + y^2/2", "x*y*x*y",
}

// diffPoints avoid the kinks and branch points of the cases (x > 0, x != y).
var diffPoints = [][]float64{{0.7, 1.3}, {1.9, 0.4}, {1.2, -0.8}, {0.35, 2.2}}

func TestDiffAgainstFiniteDifferences(t *testing.T) {
	vars := []string{"x", "y"}
	for _, src := range diffCases {
		n := mustParse(t, src)
		f := mustCompile(t, n, vars)
		for i, v := range vars {
			d := Diff(n, v)
			df := mustCompile(t, d, vars)
			for j, w := range vars {
				d2 := Diff(d, w)
				d2f := mustCompile(t, d2, vars)
				for _, x := range diffPoints {
					if math.IsNaN(f(x)) {
						continue // outside the domain (log, sqrt, x^y of a negative y)
					}
					if j == 0 {
						if got, want := df(x), centralDiff(f, x, i); !closeTo(got, want, 1e-6) {
							t.Errorf("d/d%s %s at %v = %g (%s), finite difference %g", v, src, x, got, d, want)
						}
					}
					if got, want := d2f(x), centralDiff(df, x, j); !closeTo(got, want, 1e-6) {
						t.Errorf("d²/d%sd%s %s at %v = %g (%s), finite difference %g", v, w, src, x, got, d2, want)
					}
				}
			}
		}
	}
}

func TestDiffForms(t *testing.T) {
	tests := []struct{ src, name, want string }{
		{"q^2 + p^2", "q", "2*q"},
		{"q^2 + p^2", "p", "2*p"},
		{"p^2/(2*m) + k*q^2/2", "p", "p/m"},
		{"p^2/(2*m) + k*q^2/2", "q", "k*q"},
		{"3*(1 - cos(q)) + p^2", "q", "3*sin(q)"},
		{"x*y", "z", "0"},
		{"pi*x", "pi", "0"},
		{"sin(x)", "x", "cos(x)"},
		{"cos(x)", "x", "-sin(x)"},
		{"exp(2*x)", "x", "2*exp(2*x)"},
		{"log(x)", "x", "1/x"},
		{"x^k", "x", "k*x^(k - 1)"},
		{"pow(x, 3)", "x", "3*pow(x, 2)"},
		{"2^x", "x", "0.6931471805599453*2^x"},
		{"atan2(y, x)", "y", "x/(x^2 + y^2)"},
		{"atan2(y, x)", "x", "-y/(x^2 + y^2)"},
		{"abs(x)", "x", "x/abs(x)"},
	}
	for _, tt := range tests {
		if got := Diff(mustParse(t, tt.src), tt.name).String(); got != tt.want {
			t.Errorf("Diff(%s, %s) = %s, want %s", tt.src, tt.name, got, tt.want)
		}
	}
	// A separable Hamiltonian's mixed derivative is exactly the number 0.
	h := mustParse(t, "p^2/(2*m) + m*g*l*(1 - cos(q))")
	if mixed, ok := Diff(Diff(h, "q"), "p").(*Num); !ok || mixed.Value != 0 {
		t.Errorf("∂²H/∂q∂p = %v, want the number 0", Diff(Diff(h, "q"), "p"))
	}
}
