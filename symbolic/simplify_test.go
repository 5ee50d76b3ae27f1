package symbolic

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSimplify(t *testing.T) {
	tests := []struct{ src, want string }{
		{"x + 0", "x"},
		{"0 + x", "x"},
		{"x - 0", "x"},
		{"0 - x", "-x"},
		{"x*1", "x"},
		{"1*x", "x"},
		{"x*0", "0"},
		{"0*sin(x)", "0"},
		{"0/x", "0"},
		{"x/1", "x"},
		{"x/x", "1"},
		{"x^1", "x"},
		{"x^0", "1"},
		{"1^x", "1"},
		{"--x", "x"},
		{"-(-2)", "2"},
		{"x - x", "0"},
		{"x + y - x", "y"},
		{"2*(3*x)", "6*x"},
		{"(2*x)*3", "6*x"},
		{"x*2", "2*x"},
		{"2*x*3*y", "6*x*y"},
		{"-1*x", "-x"},
		{"x*(-y)", "-x*y"},
		{"-2*(-x)", "2*x"},
		{"(2*p)/(2*m)", "p/m"},
		{"(6*x)/3", "2*x"},
		{"x/3", "x/3"},
		{"x/(2*m)", "x/(2*m)"},
		{"x/(-m)", "-x/m"},
		{"-(x/m)", "-x/m"},
		{"2*(x/m)", "2*x/m"},
		{"2*3 + 4", "10"},
		{"3 - 5", "-2"},
		{"1 + x + 2", "3 + x"},
		{"x - 3 - 5", "x - 8"},
		{"1 - cos(q)", "1 - cos(q)"},
		{"a - (b - c)", "a - b + c"},
		{"a + -2*b", "a - 2*b"},
		{"a - -b", "a + b"},
		{"-(a - b)", "-(a - b)"},
		{"c - (a - b)", "c - a + b"},
		{"-x/3", "-x/3"},
		{"-(2*x)/3", "-0.6666666666666666*x"},
		{"2^3", "8"},
		{"sin(0)", "0"},
		{"atan2(0, 1)", "0"},
		{"pow(x, 1)", "pow(x, 1)"},
		{"1/0", "1/0"},
		{"log(-1)", "log(-1)"},
		{"sqrt(4)*x", "2*x"},
		{"pi*2", "2*pi"},
		{"p^2/(2*1) + 0*q", "p^2/2"},
	}
	for _, tt := range tests {
		n := mustParse(t, tt.src)
		s := Simplify(n)
		if got := s.String(); got != tt.want {
			t.Errorf("Simplify(%s) = %s, want %s", tt.src, got, tt.want)
		}
		if again := Simplify(s); !Equal(again, s) {
			t.Errorf("Simplify not idempotent on %s: %s then %s", tt.src, s, again)
		}
	}
}

func TestSimplifyPreservesValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vars := []string{"a", "b", "c"}
	for range 400 {
		n := randomTree(rng, vars, 4)
		s := Simplify(n)
		g := mustCompile(t, s, vars)
		for range 5 {
			x := []float64{rng.Float64()*4 - 2, rng.Float64()*4 - 2, rng.Float64()*4 - 2}
			sameValue(t, n, g, vars, x, "Simplify gives "+s.String())
		}
		if again := Simplify(s); !Equal(again, s) {
			t.Errorf("Simplify not idempotent on %s: %s then %s", n, s, again)
		}
	}
}

func TestSubstitute(t *testing.T) {
	n := mustParse(t, "p^2/(2*m) + k*q^2/2 + 0*pi")
	got := Substitute(n, map[string]float64{"m": 0.5, "k": 4, "pi": 3})
	if want := "p^2 + 2*q^2"; got.String() != want {
		t.Errorf("Substitute = %s, want %s", got, want)
	}
	if got := Substitute(mustParse(t, "pi*r^2"), map[string]float64{"pi": 3, "r": 2}); got.String() != "4*pi" {
		t.Errorf("Substitute must not replace pi: %s", got)
	}
}

// randomTree returns a random expression over vars with at most depth
// levels. Numbers are never wrapped in a negation (Parse folds -2 into a
// number), so printing and parsing the tree gives it back exactly.
func randomTree(rng *rand.Rand, vars []string, depth int) Node {
	if depth == 0 || rng.IntN(4) == 0 {
		switch rng.IntN(5) {
		case 0:
			return &Num{Value: float64(rng.IntN(7) - 3)}
		case 1:
			return &Num{Value: math.Round(rng.Float64()*1000) / 100}
		case 2:
			return &Var{Name: Pi}
		default:
			return &Var{Name: vars[rng.IntN(len(vars))]}
		}
	}
	switch k := rng.IntN(10); {
	case k < 6:
		op := "+-*/^"[rng.IntN(5)]
		r := randomTree(rng, vars, depth-1)
		if op == '^' { // keep powers tame: small integer or simple exponents
			r = &Num{Value: float64(rng.IntN(5) - 2)}
			if rng.IntN(3) == 0 {
				r = &Num{Value: 0.5}
			}
		}
		return &Binary{Op: op, Left: randomTree(rng, vars, depth-1), Right: r}
	case k < 7:
		x := randomTree(rng, vars, depth-1)
		if _, ok := x.(*Num); ok {
			return x
		}
		return &Unary{Op: '-', X: x}
	default:
		name := functionNames[rng.IntN(len(functionNames))]
		args := []Node{randomTree(rng, vars, depth-1)}
		if functions[name].arity() == 2 {
			args = append(args, randomTree(rng, vars, depth-1))
			if name == "pow" {
				args[1] = &Num{Value: float64(rng.IntN(4))}
			}
		}
		return &Call{Func: name, Args: args}
	}
}
