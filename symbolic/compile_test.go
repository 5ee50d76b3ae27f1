package symbolic

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestCompileMatchesGo(t *testing.T) {
	vars := []string{"x", "y", "z"}
	tests := []struct {
		src string
		f   func(x, y, z float64) float64
	}{
		{"x", func(x, y, z float64) float64 { return x }},
		{"2.5", func(x, y, z float64) float64 { return 2.5 }},
		{"pi", func(x, y, z float64) float64 { return math.Pi }},
		{"-x", func(x, y, z float64) float64 { return -x }},
		{"-sin(x)", func(x, y, z float64) float64 { return -math.Sin(x) }},
		{"x + y", func(x, y, z float64) float64 { return x + y }},
		{"x + 2", func(x, y, z float64) float64 { return x + 2 }},
		{"2 + x", func(x, y, z float64) float64 { return 2 + x }},
		{"x + y*z", func(x, y, z float64) float64 { return x + y*z }},
		{"y*z + x", func(x, y, z float64) float64 { return y*z + x }},
		{"y*z + 3", func(x, y, z float64) float64 { return y*z + 3 }},
		{"y*z + x*x", func(x, y, z float64) float64 { return y*z + x*x }},
		{"x - y", func(x, y, z float64) float64 { return x - y }},
		{"x - 2", func(x, y, z float64) float64 { return x - 2 }},
		{"2 - x", func(x, y, z float64) float64 { return 2 - x }},
		{"2 - x*y", func(x, y, z float64) float64 { return 2 - x*y }},
		{"x - y*z", func(x, y, z float64) float64 { return x - y*z }},
		{"y*z - x", func(x, y, z float64) float64 { return y*z - x }},
		{"y*z - 2", func(x, y, z float64) float64 { return y*z - 2 }},
		{"y*z - x*x", func(x, y, z float64) float64 { return y*z - x*x }},
		{"x*y", func(x, y, z float64) float64 { return x * y }},
		{"3*x", func(x, y, z float64) float64 { return 3 * x }},
		{"x*3", func(x, y, z float64) float64 { return x * 3 }},
		{"x*sin(y)", func(x, y, z float64) float64 { return x * math.Sin(y) }},
		{"sin(y)*3", func(x, y, z float64) float64 { return math.Sin(y) * 3 }},
		{"sin(y)*cos(z)", func(x, y, z float64) float64 { return math.Sin(y) * math.Cos(z) }},
		{"x/y", func(x, y, z float64) float64 { return x / y }},
		{"x/2", func(x, y, z float64) float64 { return x / 2 }},
		{"2/x", func(x, y, z float64) float64 { return 2 / x }},
		{"2/(x + y)", func(x, y, z float64) float64 { return 2 / (x + y) }},
		{"x/(y + z)", func(x, y, z float64) float64 { return x / (y + z) }},
		{"(y + z)/x", func(x, y, z float64) float64 { return (y + z) / x }},
		{"(y + z)/4", func(x, y, z float64) float64 { return (y + z) / 4 }},
		{"(y + z)/(x - 1)", func(x, y, z float64) float64 { return (y + z) / (x - 1) }},
		{"x^2", func(x, y, z float64) float64 { return x * x }},
		{"(x + y)^2", func(x, y, z float64) float64 { return (x + y) * (x + y) }},
		{"x^3", func(x, y, z float64) float64 { return x * x * x }},
		{"x^1", func(x, y, z float64) float64 { return x }},
		{"x^0", func(x, y, z float64) float64 { return 1 }},
		{"x^-1", func(x, y, z float64) float64 { return 1 / x }},
		{"x^-2", func(x, y, z float64) float64 { return 1 / (x * x) }},
		{"x^5", func(x, y, z float64) float64 { return math.Pow(x, 5) }},
		{"x^-7", func(x, y, z float64) float64 { return math.Pow(x, -7) }},
		{"y^0.5", func(x, y, z float64) float64 { return math.Pow(y, 0.5) }},
		{"x^y", func(x, y, z float64) float64 { return math.Pow(x, y) }},
		{"2^x", func(x, y, z float64) float64 { return math.Pow(2, x) }},
		{"2^3", func(x, y, z float64) float64 { return 8 }},
		{"pow(x, 3)", func(x, y, z float64) float64 { return math.Pow(x, 3) }},
		{"pow(y, z)", func(x, y, z float64) float64 { return math.Pow(y, z) }},
		{"atan2(x, y)", func(x, y, z float64) float64 { return math.Atan2(x, y) }},
		{"sin(x) + cos(y) + tan(z)", func(x, y, z float64) float64 { return math.Sin(x) + math.Cos(y) + math.Tan(z) }},
		{"exp(x) + log(y) + sqrt(y)", func(x, y, z float64) float64 { return math.Exp(x) + math.Log(y) + math.Sqrt(y) }},
		{"abs(x) + tanh(y) + sinh(z)", func(x, y, z float64) float64 { return math.Abs(x) + math.Tanh(y) + math.Sinh(z) }},
		{"cosh(x) + atan(y)", func(x, y, z float64) float64 { return math.Cosh(x) + math.Atan(y) }},
		{"p^2/(2*m) + k*q^2/2", nil}, // checked separately below
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tt := range tests[:len(tests)-1] {
		f := mustCompile(t, mustParse(t, tt.src), vars)
		for range 20 {
			x := []float64{rng.Float64()*4 - 2, rng.Float64()*3 + 0.1, rng.Float64()*4 - 2}
			got, want := f(x), tt.f(x[0], x[1], x[2])
			if !(got == want || closeTo(got, want, 1e-14) || math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("%s at %v = %.17g, want %.17g", tt.src, x, got, want)
			}
		}
	}
	h := mustCompile(t, mustParse(t, "p^2/(2*m) + k*q^2/2"), []string{"q", "p", "m", "k"})
	if got, want := h([]float64{0.3, -1.2, 2, 5}), 1.2*1.2/4+5*0.09/2; !closeTo(got, want, 1e-15) {
		t.Errorf("harmonic oscillator H = %g, want %g", got, want)
	}
}

func TestCompileRandomAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	vars := []string{"a", "b", "c"}
	for range 300 {
		n := randomTree(rng, vars, 4)
		f := mustCompile(t, n, vars)
		for range 4 {
			x := []float64{rng.Float64()*4 - 2, rng.Float64()*4 - 2, rng.Float64()*4 - 2}
			sameValue(t, n, f, vars, x, "compiled")
		}
	}
}

func TestCompileErrors(t *testing.T) {
	n := mustParse(t, "p1^2/2 + q2^2")
	_, err := Compile(n, []string{"q1", "p1"})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Compile error = %v, want *Error", err)
	}
	if e.Offset != 9 || e.Msg != "unknown name q2; did you mean q1?" {
		t.Errorf("Compile error = offset %d %q", e.Offset, e.Msg)
	}
	e.Source = "p1^2/2 + q2^2"
	if want := "unknown name q2; did you mean q1? (column 10)\n | p1^2/2 + q2^2\n |          ^"; e.Error() != want {
		t.Errorf("rendered:\n%s\nwant\n%s", e, want)
	}
	for _, tt := range []struct {
		src  string
		vars []string
		msg  string
	}{
		{"sin*x", []string{"x"}, "unknown name sin; sin is a function, write sin(...)"},
		{"e*x", []string{"x"}, "unknown name e (for Euler's number write exp(1))"},
		{"e*x", []string{"x", "e1"}, "unknown name e; did you mean e1?"},
	} {
		_, err := Compile(mustParse(t, tt.src), tt.vars)
		if !errors.As(err, &e) || e.Msg != tt.msg || e.Offset != 0 {
			t.Errorf("Compile(%s, %v) error = %v, want %q at 0", tt.src, tt.vars, err, tt.msg)
		}
	}
	if _, err := Compile(n, []string{"p1", "q2", "p1"}); err == nil {
		t.Error("duplicate variables accepted")
	}
	if _, err := Compile(mustParse(t, "pi*x"), []string{"x", "pi"}); err == nil {
		t.Error("pi accepted as a variable")
	}
	if _, err := CompileVector([]Node{mustParse(t, "x"), mustParse(t, "y")}, []string{"x"}); err == nil {
		t.Error("CompileVector accepted an unknown name")
	}
}

func TestCompileVector(t *testing.T) {
	ns := []Node{mustParse(t, "x*y"), mustParse(t, "x - y"), mustParse(t, "pi")}
	f, err := CompileVector(ns, []string{"x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float64, 3)
	f([]float64{3, 4}, dst)
	if dst[0] != 12 || dst[1] != -1 || dst[2] != math.Pi {
		t.Errorf("CompileVector = %v", dst)
	}
	empty, err := CompileVector(nil, []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	empty([]float64{1}, nil)
}

func TestCompiledDoesNotAllocate(t *testing.T) {
	n := mustParse(t, "exp(-(x^2 + y^2)/2)*atan2(y, x) + pow(x, y)^3 - sqrt(abs(x*y))")
	vars := []string{"x", "y"}
	f := mustCompile(t, n, vars)
	g, err := CompileVector([]Node{Diff(n, "x"), Diff(n, "y")}, vars)
	if err != nil {
		t.Fatal(err)
	}
	x, dst := []float64{0.4, 0.9}, make([]float64, 2)
	if a := testing.AllocsPerRun(100, func() { f(x); g(x, dst) }); a != 0 {
		t.Errorf("evaluation allocates %v times", a)
	}
}

func TestPowInt(t *testing.T) {
	for _, v := range []float64{0, -0.0, 1, -1, 0.5, -1.7, 3, math.Inf(1), math.Inf(-1)} {
		for n := -maxIntPower; n <= maxIntPower; n++ {
			got, want := powInt(v, n), math.Pow(v, float64(n))
			if !(got == want || closeTo(got, want, 1e-13) || math.IsInf(want, 0) && got == want) {
				t.Errorf("powInt(%g, %d) = %g, want %g", v, n, got, want)
			}
		}
	}
}
