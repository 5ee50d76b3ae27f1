package symbolic

import (
	"ansatz/suggest"
	"fmt"
	"math"
)

// Func evaluates a compiled expression at x, where x[i] is the value of the
// i-th variable given to Compile. It does not allocate. x must have at least
// as many elements as there were variables (Func panics otherwise, as an
// out-of-range index would).
type Func func(x []float64) float64

// VecFunc evaluates compiled expressions at x and writes the i-th value to
// dst[i]. It does not allocate.
type VecFunc func(x, dst []float64)

// CheckNames returns an *Error (with an empty Source) for the free name of n
// that is not in known and comes first in the source, with a "did you mean"
// hint among known; it returns nil if every free name is known.
func CheckNames(n Node, known []string) error {
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[k] = true
	}
	var bad *Var
	Walk(n, func(n Node) bool {
		if v, ok := n.(*Var); ok && v.Name != Pi && !set[v.Name] {
			if bad == nil || v.Offset < bad.Offset {
				bad = v
			}
		}
		return true
	})
	if bad == nil {
		return nil
	}
	hint := suggest.NameHint(bad.Name, known)
	if _, isFunc := functions[bad.Name]; isFunc && hint == "" {
		hint = fmt.Sprintf("; %s is a function, write %s(...)", bad.Name, bad.Name)
	} else if bad.Name == "e" && hint == "" {
		hint = " (for Euler's number write exp(1))"
	}
	return &Error{Offset: bad.Offset, Msg: fmt.Sprintf("unknown name %s%s", bad.Name, hint)}
}

// Compile turns n into a Func over the variables vars (x[i] is the value of
// vars[i]). A free name of n that is not in vars is an *Error located at the
// name (with an empty Source; see Error). The tree is compiled as it is:
// Simplify (or Substitute) it first for speed.
//
// The result is a tree of closures specialised by node type and operands
// (a variable or a number as operand is read directly; x^n with a small
// integer n is computed by multiplications, x^2 as x*x), so evaluation does
// no map look-ups and no allocation.
func Compile(n Node, vars []string) (Func, error) {
	index, err := indexVars(vars)
	if err != nil {
		return nil, err
	}
	if err := CheckNames(n, vars); err != nil {
		return nil, err
	}
	return compile(n, index), nil
}

// CompileVector compiles several expressions over the same variables into
// one VecFunc; dst[i] receives the value of ns[i].
func CompileVector(ns []Node, vars []string) (VecFunc, error) {
	index, err := indexVars(vars)
	if err != nil {
		return nil, err
	}
	fs := make([]Func, len(ns))
	for i, n := range ns {
		if err := CheckNames(n, vars); err != nil {
			return nil, err
		}
		fs[i] = compile(n, index)
	}
	return func(x, dst []float64) {
		for i, f := range fs {
			dst[i] = f(x)
		}
	}, nil
}

func indexVars(vars []string) (map[string]int, error) {
	index := make(map[string]int, len(vars))
	for i, v := range vars {
		if v == Pi {
			return nil, fmt.Errorf("compile: %s is the built-in constant π, not a variable", Pi)
		}
		if _, dup := index[v]; dup {
			return nil, fmt.Errorf("compile: variable %s listed twice", v)
		}
		index[v] = i
	}
	return index, nil
}

// leaf classifies an operand for specialisation.
type leaf struct {
	kind int // leafNum, leafVar or leafGen
	c    float64
	i    int
	f    Func
}

const (
	leafNum = iota
	leafVar
	leafGen
)

func classify(n Node, index map[string]int) leaf {
	switch n := n.(type) {
	case *Num:
		return leaf{kind: leafNum, c: n.Value}
	case *Var:
		if n.Name == Pi {
			return leaf{kind: leafNum, c: math.Pi}
		}
		return leaf{kind: leafVar, i: index[n.Name]}
	}
	return leaf{kind: leafGen, f: compile(n, index)}
}

func constant(c float64) Func { return func([]float64) float64 { return c } }

func compile(n Node, index map[string]int) Func {
	switch n := n.(type) {
	case *Num:
		return constant(n.Value)
	case *Var:
		if n.Name == Pi {
			return constant(math.Pi)
		}
		i := index[n.Name]
		return func(x []float64) float64 { return x[i] }
	case *Unary:
		a := classify(n.X, index)
		switch a.kind {
		case leafNum:
			return constant(-a.c)
		case leafVar:
			i := a.i
			return func(x []float64) float64 { return -x[i] }
		}
		f := a.f
		return func(x []float64) float64 { return -f(x) }
	case *Binary:
		a, b := classify(n.Left, index), classify(n.Right, index)
		switch n.Op {
		case '+':
			return compileAdd(a, b)
		case '-':
			return compileSub(a, b)
		case '*':
			return compileMul(a, b)
		case '/':
			return compileDiv(a, b)
		case '^':
			return compilePow(a, b)
		}
	case *Call:
		if n.Func == "pow" {
			return compilePow(classify(n.Args[0], index), classify(n.Args[1], index))
		}
		if n.Func == "atan2" {
			f, g := compile(n.Args[0], index), compile(n.Args[1], index)
			return func(x []float64) float64 { return math.Atan2(f(x), g(x)) }
		}
		return compileCall(n.Func, compile(n.Args[0], index))
	}
	panic(fmt.Sprintf("symbolic: cannot compile %T", n))
}

// general returns the operand as a Func whatever its kind.
func (l leaf) general() Func {
	switch l.kind {
	case leafNum:
		return constant(l.c)
	case leafVar:
		i := l.i
		return func(x []float64) float64 { return x[i] }
	}
	return l.f
}

// + and * are commutative in IEEE arithmetic, so numbers are moved right and
// variables left to halve the number of cases.
func commute(a, b leaf) (leaf, leaf) {
	if a.kind == leafNum || (a.kind == leafGen && b.kind == leafVar) {
		return b, a
	}
	return a, b
}

func compileAdd(a, b leaf) Func {
	a, b = commute(a, b)
	switch {
	case a.kind == leafNum: // both numbers
		return constant(a.c + b.c)
	case a.kind == leafVar && b.kind == leafVar:
		i, j := a.i, b.i
		return func(x []float64) float64 { return x[i] + x[j] }
	case a.kind == leafVar && b.kind == leafNum:
		i, c := a.i, b.c
		return func(x []float64) float64 { return x[i] + c }
	case a.kind == leafVar:
		i, g := a.i, b.f
		return func(x []float64) float64 { return x[i] + g(x) }
	case b.kind == leafNum:
		f, c := a.f, b.c
		return func(x []float64) float64 { return f(x) + c }
	}
	f, g := a.f, b.f
	return func(x []float64) float64 { return f(x) + g(x) }
}

func compileMul(a, b leaf) Func {
	a, b = commute(a, b)
	switch {
	case a.kind == leafNum:
		return constant(a.c * b.c)
	case a.kind == leafVar && b.kind == leafVar:
		i, j := a.i, b.i
		return func(x []float64) float64 { return x[i] * x[j] }
	case a.kind == leafVar && b.kind == leafNum:
		i, c := a.i, b.c
		return func(x []float64) float64 { return x[i] * c }
	case a.kind == leafVar:
		i, g := a.i, b.f
		return func(x []float64) float64 { return x[i] * g(x) }
	case b.kind == leafNum:
		f, c := a.f, b.c
		return func(x []float64) float64 { return f(x) * c }
	}
	f, g := a.f, b.f
	return func(x []float64) float64 { return f(x) * g(x) }
}

func compileSub(a, b leaf) Func {
	switch {
	case a.kind == leafNum && b.kind == leafNum:
		return constant(a.c - b.c)
	case a.kind == leafNum && b.kind == leafVar:
		c, j := a.c, b.i
		return func(x []float64) float64 { return c - x[j] }
	case a.kind == leafNum:
		c, g := a.c, b.f
		return func(x []float64) float64 { return c - g(x) }
	case a.kind == leafVar && b.kind == leafNum:
		i, c := a.i, b.c
		return func(x []float64) float64 { return x[i] - c }
	case a.kind == leafVar && b.kind == leafVar:
		i, j := a.i, b.i
		return func(x []float64) float64 { return x[i] - x[j] }
	case a.kind == leafVar:
		i, g := a.i, b.f
		return func(x []float64) float64 { return x[i] - g(x) }
	case b.kind == leafNum:
		f, c := a.f, b.c
		return func(x []float64) float64 { return f(x) - c }
	case b.kind == leafVar:
		f, j := a.f, b.i
		return func(x []float64) float64 { return f(x) - x[j] }
	}
	f, g := a.f, b.f
	return func(x []float64) float64 { return f(x) - g(x) }
}

func compileDiv(a, b leaf) Func {
	switch {
	case a.kind == leafNum && b.kind == leafNum:
		return constant(a.c / b.c)
	case a.kind == leafNum && b.kind == leafVar:
		c, j := a.c, b.i
		return func(x []float64) float64 { return c / x[j] }
	case a.kind == leafNum:
		c, g := a.c, b.f
		return func(x []float64) float64 { return c / g(x) }
	case a.kind == leafVar && b.kind == leafNum:
		i, c := a.i, b.c
		return func(x []float64) float64 { return x[i] / c }
	case a.kind == leafVar && b.kind == leafVar:
		i, j := a.i, b.i
		return func(x []float64) float64 { return x[i] / x[j] }
	case a.kind == leafVar:
		i, g := a.i, b.f
		return func(x []float64) float64 { return x[i] / g(x) }
	case b.kind == leafNum:
		f, c := a.f, b.c
		return func(x []float64) float64 { return f(x) / c }
	case b.kind == leafVar:
		f, j := a.f, b.i
		return func(x []float64) float64 { return f(x) / x[j] }
	}
	f, g := a.f, b.f
	return func(x []float64) float64 { return f(x) / g(x) }
}

// maxIntPower bounds the integer exponents computed by multiplication.
const maxIntPower = 64

func compilePow(a, b leaf) Func {
	if a.kind == leafNum && b.kind == leafNum {
		return constant(math.Pow(a.c, b.c))
	}
	if b.kind == leafNum && b.c == math.Trunc(b.c) && math.Abs(b.c) <= maxIntPower {
		n := int(b.c)
		switch {
		case n == 2 && a.kind == leafVar:
			i := a.i
			return func(x []float64) float64 { return x[i] * x[i] }
		case n == 2:
			f := a.f
			return func(x []float64) float64 { v := f(x); return v * v }
		case n == 3:
			f := a.general()
			return func(x []float64) float64 { v := f(x); return v * v * v }
		case n == 1:
			return a.general()
		case n == 0:
			return constant(1)
		case n == -1:
			f := a.general()
			return func(x []float64) float64 { return 1 / f(x) }
		case n == -2:
			f := a.general()
			return func(x []float64) float64 { v := f(x); return 1 / (v * v) }
		}
		f := a.general()
		return func(x []float64) float64 { return powInt(f(x), n) }
	}
	f, g := a.general(), b.general()
	return func(x []float64) float64 { return math.Pow(f(x), g(x)) }
}

// powInt computes v^n by binary exponentiation.
func powInt(v float64, n int) float64 {
	inv := n < 0
	if inv {
		n = -n
	}
	r := 1.0
	for n > 0 {
		if n&1 == 1 {
			r *= v
		}
		v *= v
		n >>= 1
	}
	if inv {
		return 1 / r
	}
	return r
}

func compileCall(name string, f Func) Func {
	switch name {
	case "sin":
		return func(x []float64) float64 { return math.Sin(f(x)) }
	case "cos":
		return func(x []float64) float64 { return math.Cos(f(x)) }
	case "tan":
		return func(x []float64) float64 { return math.Tan(f(x)) }
	case "exp":
		return func(x []float64) float64 { return math.Exp(f(x)) }
	case "log":
		return func(x []float64) float64 { return math.Log(f(x)) }
	case "sqrt":
		return func(x []float64) float64 { return math.Sqrt(f(x)) }
	case "abs":
		return func(x []float64) float64 { return math.Abs(f(x)) }
	case "tanh":
		return func(x []float64) float64 { return math.Tanh(f(x)) }
	case "sinh":
		return func(x []float64) float64 { return math.Sinh(f(x)) }
	case "cosh":
		return func(x []float64) float64 { return math.Cosh(f(x)) }
	case "atan":
		return func(x []float64) float64 { return math.Atan(f(x)) }
	}
	panic(fmt.Sprintf("symbolic: cannot compile function %q", name))
}
