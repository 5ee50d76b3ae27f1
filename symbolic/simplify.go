package symbolic

import "math"

// Simplify returns an equivalent, usually smaller tree. It applies bottom-up
// passes of local rules until the tree no longer changes (at most 8 passes).
// The rules at each node are:
//
//   - constant folding: an operation or function call whose operands are all
//     numbers becomes a number, unless the result would be infinite or NaN;
//   - negation: --x → x, -(c) → the number −c, -(a/b) → (-a)/b, and a minus
//     sign in a product becomes part of its numeric coefficient; a negated
//     sum stays as it is (-(a - b)) unless it is itself a term of a sum;
//   - sums (chains of + and -) are flattened into signed terms: zero terms are
//     dropped, equal terms with opposite signs cancel (x - x → 0), and all
//     numeric terms are added into one, kept where the first of them was;
//     the sum is rebuilt left to right, negative terms written with -;
//   - products (chains of *) are flattened into a numeric coefficient times
//     the other factors in their order: 2*(3*x) → 6*x, x*2 → 2*x,
//     x*0 → 0, x*1 → x, (-1)*x → -x, c*(a/b) → (c*a)/b;
//   - quotients: x/1 → x, 0/x → 0, x/x → 1, (c*x)/(d*x) → c/d, and numeric coefficients of the
//     numerator and denominator are divided when the numerator has one other
//     than ±1 or the denominator's is negative: (2*p)/(2*m) → p/m,
//     (6*x)/3 → 2*x, x/(-m) → -x/m; a quotient by a plain number is otherwise
//     kept (x/3 and -x/3 stay);
//   - powers: x^1 → x, x^0 → 1, 1^x → 1.
//
// Terms are never reordered and no rule expands or factors expressions, so
// the result is predictable. Where the original expression is defined (finite
// operands, no division by zero) the result has the same value up to
// floating-point rounding from regrouping numeric constants. Signed zeros are
// not preserved (x*0 → 0 also for x < 0), which matters only on the branch
// cut of atan2(0, x), x ≤ 0.
func Simplify(n Node) Node {
	// One pass can expose a further simplification to a later one (a
	// coefficient moved out of a quotient makes x/x appear); repeat the pass
	// until the tree is stable, which in practice takes one or two passes.
	for range maxPasses {
		s := Rewrite(n, simplifyNode)
		if Equal(s, n) {
			return s
		}
		n = s
	}
	return n
}

// maxPasses bounds the passes of Simplify.
const maxPasses = 8

// simplifyNode simplifies a node whose children are already simplified.
func simplifyNode(n Node) Node {
	switch n := n.(type) {
	case *Unary:
		return neg(n.X, n.Offset)
	case *Binary:
		switch n.Op {
		case '+', '-':
			return sum(n)
		case '*':
			return mul(n.Left, n.Right, n.Offset)
		case '/':
			return div(n.Left, n.Right, n.Offset)
		case '^':
			return pow(n.Left, n.Right, n.Offset)
		}
	case *Call:
		return call(n)
	}
	return n
}

func finite(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }

func num(n Node) (float64, bool) {
	if c, ok := n.(*Num); ok {
		return c.Value, true
	}
	return 0, false
}

func isNum(n Node, v float64) bool {
	c, ok := num(n)
	return ok && c == v
}

// The constructors below (neg, add, sub, mul, div, pow, call) take simplified
// operands and return a simplified result; Diff builds its output with them.

func neg(x Node, off int) Node {
	switch x := x.(type) {
	case *Num:
		return &Num{Value: -x.Value, Offset: off}
	case *Unary:
		return x.X
	case *Binary:
		switch x.Op {
		case '*':
			return mul(&Num{Value: -1, Offset: off}, x, off)
		case '/':
			return div(neg(x.Left, off), x.Right, x.Offset)
		}
	}
	return &Unary{Op: '-', X: x, Offset: off}
}

func add(a, b Node, off int) Node {
	return sum(&Binary{Op: '+', Left: a, Right: b, Offset: off})
}

func sub(a, b Node, off int) Node {
	return sum(&Binary{Op: '-', Left: a, Right: b, Offset: off})
}

// term is a summand with its sign; n is never a negation.
type term struct {
	minus bool
	n     Node
}

// terms flattens a chain of + and - (and negations) into signed terms.
func terms(n Node, minus bool, out []term) []term {
	switch x := n.(type) {
	case *Binary:
		switch x.Op {
		case '+':
			return terms(x.Right, minus, terms(x.Left, minus, out))
		case '-':
			return terms(x.Right, !minus, terms(x.Left, minus, out))
		}
	case *Unary:
		return terms(x.X, !minus, out)
	}
	s, abs := splitSign(n)
	return append(out, term{minus: minus != s, n: abs})
}

// splitSign writes n as ±abs where abs carries no leading minus sign.
func splitSign(n Node) (bool, Node) {
	switch x := n.(type) {
	case *Num:
		if x.Value < 0 {
			return true, &Num{Value: -x.Value, Offset: x.Offset}
		}
	case *Unary:
		s, abs := splitSign(x.X)
		return !s, abs
	case *Binary:
		switch x.Op {
		case '*':
			if c, fs := flatten(x); c < 0 {
				return true, product(-c, fs, x.Offset)
			}
		case '/':
			if s, abs := splitSign(x.Left); s {
				return true, div(abs, x.Right, x.Offset)
			}
		}
	}
	return false, n
}

// sum simplifies a + or - node with simplified operands.
func sum(n *Binary) Node {
	ts := terms(n, false, nil)
	// Cancel equal terms of opposite signs.
	for i := range ts {
		if ts[i].n == nil {
			continue
		}
		for j := i + 1; j < len(ts); j++ {
			if ts[j].n != nil && ts[i].minus != ts[j].minus && Equal(ts[i].n, ts[j].n) {
				ts[i].n, ts[j].n = nil, nil
				break
			}
		}
	}
	// Add the numeric terms into one, placed where the first of them was.
	c, at := 0.0, -1
	var kept []term
	for _, t := range ts {
		if t.n == nil {
			continue
		}
		if v, ok := num(t.n); ok {
			if t.minus {
				v = -v
			}
			c += v
			if at < 0 {
				at = len(kept)
				kept = append(kept, term{})
			}
			continue
		}
		kept = append(kept, t)
	}
	if !finite(c) {
		return n
	}
	if at >= 0 {
		if c == 0 {
			kept = append(kept[:at], kept[at+1:]...)
		} else {
			kept[at] = term{minus: c < 0, n: &Num{Value: math.Abs(c), Offset: n.Offset}}
		}
	}
	if len(kept) == 0 {
		return &Num{Value: 0, Offset: n.Offset}
	}
	var acc Node
	if kept[0].minus {
		acc = neg(kept[0].n, n.Offset)
	} else {
		acc = kept[0].n
	}
	for _, t := range kept[1:] {
		op := byte('+')
		if t.minus {
			op = '-'
		}
		acc = &Binary{Op: op, Left: acc, Right: t.n, Offset: n.Offset}
	}
	return acc
}

// flatten writes n as c times a product of factors, looking through *,
// negation and numbers, and taking the numeric coefficient out of the
// numerator of a quotient factor ((2*x)/y is 2 times x/y). The factors are
// neither numbers, nor negations, nor products.
func flatten(n Node) (float64, []Node) {
	var fs []Node
	c := 1.0
	var walk func(Node)
	walk = func(n Node) {
		switch x := n.(type) {
		case *Num:
			c *= x.Value
			return
		case *Unary:
			c = -c
			walk(x.X)
			return
		case *Binary:
			switch x.Op {
			case '*':
				walk(x.Left)
				walk(x.Right)
				return
			case '/':
				if cn, fn := flatten(x.Left); cn != 1 && cn != 0 && finite(c*cn) {
					c *= cn
					q := div(product(1, fn, x.Offset), x.Right, x.Offset)
					if d, ok := q.(*Binary); !ok || d.Op != '/' {
						walk(q) // the quotient simplified away (x/x → 1)
						return
					}
					n = q
				}
			}
		}
		fs = append(fs, n)
	}
	walk(n)
	return c, fs
}

// product builds c*f1*f2*..., left-associated with the coefficient first,
// from factors as returned by flatten. A coefficient other than 1 in front of
// a quotient goes into its numerator: c*(x/y)*z is built as (c*x)/y*z.
func product(c float64, fs []Node, off int) Node {
	if len(fs) == 0 || c == 0 {
		return &Num{Value: c, Offset: off}
	}
	var acc Node
	switch d, ok := fs[0].(*Binary); {
	case c == 1:
		acc = fs[0]
	case ok && d.Op == '/':
		_, fn := flatten(d.Left)
		acc = div(product(c, fn, off), d.Right, d.Offset)
	case c == -1:
		// -x*y is (-x)*y, which equals -(x*y) exactly.
		acc = neg(fs[0], off)
	default:
		acc = &Binary{Op: '*', Left: &Num{Value: c, Offset: off}, Right: fs[0], Offset: off}
	}
	for _, f := range fs[1:] {
		acc = &Binary{Op: '*', Left: acc, Right: f, Offset: off}
	}
	return acc
}

func mul(a, b Node, off int) Node {
	ca, fa := flatten(a)
	cb, fb := flatten(b)
	c := ca * cb
	if !finite(c) {
		return &Binary{Op: '*', Left: a, Right: b, Offset: off}
	}
	return product(c, append(fa[:len(fa):len(fa)], fb...), off)
}

func div(a, b Node, off int) Node {
	x, aok := num(a)
	y, bok := num(b)
	switch {
	case aok && bok:
		if finite(x / y) {
			return &Num{Value: x / y, Offset: off}
		}
	case bok && y == 1:
		return a
	case aok && x == 0:
		return &Num{Value: 0, Offset: off}
	case Equal(a, b):
		return &Num{Value: 1, Offset: off}
	}
	orig := &Binary{Op: '/', Left: a, Right: b, Offset: off}
	ca, fa := flatten(a)
	cb, fb := flatten(b)
	r := ca / cb
	if cb == 0 || !finite(r) {
		return orig
	}
	if len(fa) > 0 && Equal(product(1, fa, off), product(1, fb, off)) {
		return &Num{Value: r, Offset: off} // (c*x)/(d*x) → c/d
	}
	if math.Abs(ca) == 1 && cb > 0 {
		return orig
	}
	if len(fb) == 0 {
		return product(r, fa, off)
	}
	return &Binary{Op: '/', Left: product(r, fa, off), Right: product(1, fb, off), Offset: off}
}

func pow(a, b Node, off int) Node {
	x, aok := num(a)
	y, bok := num(b)
	switch {
	case aok && bok:
		if v := math.Pow(x, y); finite(v) {
			return &Num{Value: v, Offset: off}
		}
	case bok && y == 0, aok && x == 1:
		return &Num{Value: 1, Offset: off}
	case bok && y == 1:
		return a
	}
	return &Binary{Op: '^', Left: a, Right: b, Offset: off}
}

// call folds a call whose arguments are all numbers.
func call(n *Call) Node {
	f, ok := functions[n.Func]
	if !ok {
		return n
	}
	var v float64
	switch {
	case f.f1 != nil:
		x, ok := num(n.Args[0])
		if !ok {
			return n
		}
		v = f.f1(x)
	case f.f2 != nil:
		x, ok1 := num(n.Args[0])
		y, ok2 := num(n.Args[1])
		if !ok1 || !ok2 {
			return n
		}
		v = f.f2(x, y)
	}
	if !finite(v) {
		return n
	}
	return &Num{Value: v, Offset: n.Offset}
}

// fn builds a call node of a built-in function.
func fn(name string, off int, args ...Node) Node {
	return call(&Call{Func: name, Args: args, Offset: off})
}
