package symbolic

import (
	"math"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// keplerH is the two-body Kepler Hamiltonian in the plane (G = m1 = m2 = 1
// after substitution).
const keplerH = "(px1^2 + py1^2)/(2*m1) + (px2^2 + py2^2)/(2*m2) - G*m1*m2/sqrt((x1 - x2)^2 + (y1 - y2)^2)"

var keplerVars = []string{"x1", "y1", "x2", "y2", "px1", "py1", "px2", "py2"}

// keplerGradient returns the simplified gradient of keplerH.
func keplerGradient(b testing.TB) []Node {
	h := Substitute(mustParse(b, keplerH), map[string]float64{"m1": 1, "m2": 1, "G": 1})
	grad := make([]Node, len(keplerVars))
	for i, v := range keplerVars {
		grad[i] = Diff(h, v)
	}
	return grad
}

// BenchmarkCompiledHamiltonianGradient evaluates the 8-component gradient of
// the Kepler Hamiltonian, compiled by this package ("symbolic") and by expr's
// compiler and VM from the same formulas ("expr").
func BenchmarkCompiledHamiltonianGradient(b *testing.B) {
	grad := keplerGradient(b)
	state := []float64{1, 0.2, -0.9, -0.1, 0.1, 0.6, -0.1, -0.6}

	b.Run("symbolic", func(b *testing.B) {
		f, err := CompileVector(grad, keplerVars)
		if err != nil {
			b.Fatal(err)
		}
		dst := make([]float64, len(grad))
		b.ReportAllocs()
		for b.Loop() {
			f(state, dst)
		}
	})

	b.Run("expr", func(b *testing.B) {
		env := map[string]any{}
		for i, v := range keplerVars {
			env[v] = state[i]
		}
		sqrt := expr.Function("sqrt", func(p ...any) (any, error) { return math.Sqrt(p[0].(float64)), nil },
			new(func(float64) float64))
		programs := make([]*vm.Program, len(grad))
		for i, g := range grad {
			p, err := expr.Compile(g.String(), expr.Env(env), sqrt, expr.AsFloat64())
			if err != nil {
				b.Fatalf("expr.Compile(%s): %v", g, err)
			}
			programs[i] = p
		}
		dst := make([]float64, len(grad))
		var machine vm.VM
		b.ReportAllocs()
		for b.Loop() {
			for i, p := range programs {
				out, err := machine.Run(p, env)
				if err != nil {
					b.Fatal(err)
				}
				dst[i] = out.(float64)
			}
		}
	})
}

// TestBenchmarkFormulasAgree checks that expr computes the same gradient as
// the compiled closures, so the benchmark compares like with like.
func TestBenchmarkFormulasAgree(t *testing.T) {
	grad := keplerGradient(t)
	state := []float64{1, 0.2, -0.9, -0.1, 0.1, 0.6, -0.1, -0.6}
	env := map[string]any{"sqrt": math.Sqrt}
	for i, v := range keplerVars {
		env[v] = state[i]
	}
	f, err := CompileVector(grad, keplerVars)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float64, len(grad))
	f(state, dst)
	for i, g := range grad {
		out, err := expr.Eval(g.String(), env)
		if err != nil {
			t.Fatalf("expr.Eval(%s): %v", g, err)
		}
		if v, ok := out.(float64); !ok || !closeTo(v, dst[i], 1e-14) {
			t.Errorf("∂H/∂%s = %s: expr %v, compiled %v", keplerVars[i], g, out, dst[i])
		}
	}
}
