package symbolic

import "fmt"

// Diff returns the derivative of n with respect to the variable name,
// simplified. Subtrees that do not contain name differentiate to the number
// 0, so a derivative that vanishes identically for structural reasons (for
// example ∂²H/∂q∂p of a separable Hamiltonian) is exactly &Num{Value: 0}.
//
// The rules are the usual ones; the less obvious ones are
//
//	u^c, pow(u, c)   c·u^(c-1)·u'                     (c free of name)
//	u^v, pow(u, v)   u^v·(v'·log(u) + v·u'/u)         (v depends on name)
//	abs(u)           u/abs(u)·u'                      (sign(u), undefined at 0)
//	tan(u)           u'/cos(u)^2
//	tanh(u)          u'/cosh(u)^2
//	atan2(y, x)      (x·y' − y·x')/(x^2 + y^2)
//
// The derivative with respect to pi is 0: pi is a constant.
func Diff(n Node, name string) Node {
	return Simplify(diff(Simplify(n), name))
}

func diff(n Node, x string) Node {
	off := n.Pos()
	zero := &Num{Value: 0, Offset: off}
	if x == Pi || !Contains(n, x) {
		return zero
	}
	switch n := n.(type) {
	case *Var:
		return &Num{Value: 1, Offset: off}
	case *Unary:
		return neg(diff(n.X, x), off)
	case *Binary:
		u, v := n.Left, n.Right
		switch n.Op {
		case '+':
			return add(diff(u, x), diff(v, x), off)
		case '-':
			return sub(diff(u, x), diff(v, x), off)
		case '*':
			return add(mul(diff(u, x), v, off), mul(u, diff(v, x), off), off)
		case '/':
			du := div(diff(u, x), v, off)
			if !Contains(v, x) {
				return du
			}
			// (u/v)' = u'/v − u·v'/v^2
			dv := div(mul(u, diff(v, x), off), pow(v, &Num{Value: 2, Offset: off}, off), off)
			return sub(du, dv, off)
		case '^':
			return diffPow(n, u, v, x, off)
		}
	case *Call:
		if n.Func == "pow" {
			return diffPow(n, n.Args[0], n.Args[1], x, off)
		}
		if n.Func == "atan2" {
			y, xx := n.Args[0], n.Args[1]
			two := &Num{Value: 2, Offset: off}
			r2 := add(pow(xx, two, off), pow(y, two, off), off)
			return div(sub(mul(xx, diff(y, x), off), mul(y, diff(xx, x), off), off), r2, off)
		}
		u := n.Args[0]
		return mul(diffCall(n.Func, u, off), diff(u, x), off)
	}
	panic(fmt.Sprintf("symbolic: Diff of unexpected node %T", n))
}

// diffCall returns f'(u) for the one-argument functions.
func diffCall(f string, u Node, off int) Node {
	one := &Num{Value: 1, Offset: off}
	two := &Num{Value: 2, Offset: off}
	switch f {
	case "sin":
		return fn("cos", off, u)
	case "cos":
		return neg(fn("sin", off, u), off)
	case "tan":
		return div(one, pow(fn("cos", off, u), two, off), off)
	case "exp":
		return fn("exp", off, u)
	case "log":
		return div(one, u, off)
	case "sqrt":
		return div(one, mul(two, fn("sqrt", off, u), off), off)
	case "abs":
		return div(u, fn("abs", off, u), off)
	case "tanh":
		return div(one, pow(fn("cosh", off, u), two, off), off)
	case "sinh":
		return fn("cosh", off, u)
	case "cosh":
		return fn("sinh", off, u)
	case "atan":
		return div(one, add(one, pow(u, two, off), off), off)
	}
	panic(fmt.Sprintf("symbolic: Diff of unknown function %q", f))
}

// diffPow differentiates u^v (or pow(u, v), which orig is).
func diffPow(orig, u, v Node, x string, off int) Node {
	du := diff(u, x)
	if !Contains(v, x) {
		// Power rule: v·u^(v-1)·u'. Keep the form of orig (^ or pow).
		vm1 := sub(v, &Num{Value: 1, Offset: off}, off)
		var p Node
		if c, ok := orig.(*Call); ok {
			p = fn("pow", c.Offset, u, vm1)
		} else {
			p = pow(u, vm1, off)
		}
		return mul(mul(v, p, off), du, off)
	}
	// u^v·(v'·log(u) + v·u'/u)
	inner := add(mul(diff(v, x), fn("log", off, u), off), div(mul(v, du, off), u, off), off)
	return mul(orig, inner, off)
}
