package symbolic

import (
	"math"
	"testing"
)

// strictEval evaluates n directly (a reference independent of Compile). It
// reports ok=false where the expression is not defined: a non-finite
// intermediate value, a division by zero, or atan2 on its branch cut
// (y = 0, x ≤ 0), where only the sign of a zero decides the value; and, as
// hopelessly ill-conditioned, sin, cos and tan of arguments beyond 1e4.
func strictEval(n Node, env map[string]float64) (v float64, ok bool) {
	defer func() {
		if ok && !finite(v) {
			ok = false
		}
	}()
	switch n := n.(type) {
	case *Num:
		return n.Value, true
	case *Var:
		if n.Name == Pi {
			return math.Pi, true
		}
		v, ok := env[n.Name]
		return v, ok
	case *Unary:
		x, ok := strictEval(n.X, env)
		return -x, ok
	case *Binary:
		a, ok1 := strictEval(n.Left, env)
		b, ok2 := strictEval(n.Right, env)
		if !ok1 || !ok2 {
			return 0, false
		}
		switch n.Op {
		case '+':
			return a + b, true
		case '-':
			return a - b, true
		case '*':
			return a * b, true
		case '/':
			return a / b, b != 0
		case '^':
			return math.Pow(a, b), true
		}
	case *Call:
		args := make([]float64, len(n.Args))
		for i, a := range n.Args {
			var ok bool
			if args[i], ok = strictEval(a, env); !ok {
				return 0, false
			}
		}
		f := functions[n.Func]
		switch n.Func {
		case "atan2":
			if args[0] == 0 && args[1] <= 0 {
				return 0, false
			}
		case "sin", "cos", "tan":
			// Rounding of a huge argument changes the value entirely.
			if math.Abs(args[0]) > 1e4 {
				return 0, false
			}
		}
		if f.f2 != nil {
			return f.f2(args[0], args[1]), true
		}
		return f.f1(args[0]), true
	}
	return 0, false
}

// sameValue checks that g agrees with the reference n at x (where n is
// defined and not too ill-conditioned), allowing for rounding amplified by
// the conditioning of n: the tolerance grows with max_i |x_i ∂n/∂x_i|,
// estimated by finite differences.
func sameValue(t *testing.T, n Node, g Func, vars []string, x []float64, what string) {
	t.Helper()
	env := make(map[string]float64, len(vars))
	for i, v := range vars {
		env[v] = x[i]
	}
	want, ok := strictEval(n, env)
	if !ok || math.Abs(want) > 1e6 {
		return
	}
	sens := 0.0
	for i, v := range vars {
		env[v] = x[i] * (1 + 1e-8)
		if w, ok := strictEval(n, env); ok {
			sens = math.Max(sens, math.Abs(w-want)/1e-8)
		} else {
			sens = math.Inf(1)
		}
		env[v] = x[i]
	}
	if sens > 1e6 {
		return
	}
	got := g(x)
	if math.Abs(got-want) > 1e-9*(1+math.Abs(want))+1e-10*sens {
		t.Errorf("%s: %s = %.17g at %v, got %.17g", what, n, want, x, got)
	}
}
