package symbolic

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestStringRoundTrip(t *testing.T) {
	srcs := []string{
		"p^2/(2*m) + k*q^2/2", "-x^2", "(-x)^2", "2^-x*y", "2^(3^x)", "(2^3)^x",
		"a - (b - c)", "a - (b + c)", "(a - b) - c", "a/(b/c)", "(a/b)/c", "a/(b*c)",
		"a*(b/c)", "-(a + b)", "-(a*b)", "(-a)*b", "a - -b", "a*-b", "a^-b", "-(-a)",
		"sin(x)^2", "-sin(x)^2", "atan2(-y, x - 1)", "pow(x, -1)", "1e-05*x + 1e+21",
		"(-2)^x", "x^(-2)", "-2^x", "x^y^z", "(x^y)^z", "0.1 + 0.2*x", "θ*e - pi",
		"exp(-(x^2 + y^2)/(2*s^2))/(2*pi*s^2)",
	}
	for _, src := range srcs {
		n := mustParse(t, src)
		back, err := Parse(n.String())
		if err != nil {
			t.Errorf("%s printed as %s, which does not parse: %v", src, n, err)
			continue
		}
		if !Equal(n, back) {
			t.Errorf("%s printed as %s, parsed back as %s", src, n, back)
		}
	}
	if got, want := mustParse(t, "p^2/(2*m)+k*q^2/2").String(), "p^2/(2*m) + k*q^2/2"; got != want {
		t.Errorf("String = %s, want %s", got, want)
	}
}

func TestStringRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vars := []string{"x", "y", "z"}
	for range 1000 {
		n := randomTree(rng, vars, 5)
		back, err := Parse(n.String())
		if err != nil {
			t.Fatalf("%s does not parse: %v", n, err)
		}
		if !Equal(n, back) {
			t.Fatalf("%s parsed back as %s", n, back)
		}
	}
}

// Derived trees (from Diff and Simplify) must print to formulas with the same
// values.
func TestStringRoundTripDerived(t *testing.T) {
	vars := []string{"x", "y"}
	for _, src := range diffCases {
		for _, v := range vars {
			d := Diff(mustParse(t, src), v)
			back, err := Parse(d.String())
			if err != nil {
				t.Errorf("d/d%s %s = %s does not parse: %v", v, src, d, err)
				continue
			}
			f, g := mustCompile(t, d, vars), mustCompile(t, back, vars)
			for _, x := range diffPoints {
				a, b := f(x), g(x)
				if !(a == b || math.IsNaN(a) && math.IsNaN(b) || closeTo(a, b, 1e-14)) {
					t.Errorf("%s at %v: %g, reparsed %g", d, x, a, b)
				}
			}
		}
	}
}
