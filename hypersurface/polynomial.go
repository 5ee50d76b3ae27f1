package hypersurface

import (
	"cmp"
	"fmt"
	"math"
	"math/cmplx"
	"slices"
	"strconv"
	"strings"

	"ansatz/symbolic"
)

// Monomial is one term c·Π z_i^{Exp[i]} of a Polynomial.
type Monomial struct {
	Coeff complex128
	Exp   []int
	// Offset is the byte offset in the source expression of the (leftmost)
	// term that produced the monomial, for error messages; −1 if unknown.
	Offset int
}

// Degree returns the total degree Σ Exp[i].
func (m Monomial) Degree() int {
	d := 0
	for _, e := range m.Exp {
		d += e
	}
	return d
}

// Polynomial is a polynomial in complex coordinates with complex
// coefficients, expanded into monomials. Terms are in a fixed order
// (decreasing lexicographic order of the exponents, z_0 first), with no two
// terms sharing an exponent and no zero coefficient.
type Polynomial struct {
	// Vars are the coordinate names, in order.
	Vars []string
	// Terms are the monomials.
	Terms []Monomial
	// Source is the expression the polynomial was parsed from ("" if built
	// directly).
	Source string
}

// NewPolynomial returns the polynomial with these terms in the coordinates
// vars: equal exponents are merged, zero coefficients dropped and the terms
// sorted. It panics if an exponent vector has the wrong length or a negative
// entry (a programming error).
func NewPolynomial(vars []string, terms []Monomial) *Polynomial {
	acc := map[string]int{}
	var out []Monomial
	for _, t := range terms {
		if len(t.Exp) != len(vars) {
			panic(fmt.Sprintf("hypersurface: monomial with %d exponents for %d coordinates", len(t.Exp), len(vars)))
		}
		for _, e := range t.Exp {
			if e < 0 {
				panic("hypersurface: negative exponent")
			}
		}
		k := expKey(t.Exp)
		if i, ok := acc[k]; ok {
			out[i].Coeff += t.Coeff
			if t.Offset >= 0 && (out[i].Offset < 0 || t.Offset < out[i].Offset) {
				out[i].Offset = t.Offset
			}
			continue
		}
		acc[k] = len(out)
		out = append(out, Monomial{Coeff: t.Coeff, Exp: slices.Clone(t.Exp), Offset: t.Offset})
	}
	out = slices.DeleteFunc(out, func(m Monomial) bool { return m.Coeff == 0 })
	slices.SortStableFunc(out, func(a, b Monomial) int { return -slices.Compare(a.Exp, b.Exp) })
	return &Polynomial{Vars: slices.Clone(vars), Terms: out}
}

func expKey(e []int) string {
	var b strings.Builder
	for _, v := range e {
		b.WriteString(strconv.Itoa(v))
		b.WriteByte(',')
	}
	return b.String()
}

// NumVars returns the number of coordinates.
func (p *Polynomial) NumVars() int { return len(p.Vars) }

// Degree returns the largest total degree of a term (0 for the zero
// polynomial).
func (p *Polynomial) Degree() int {
	d := 0
	for _, t := range p.Terms {
		d = max(d, t.Degree())
	}
	return d
}

// CheckHomogeneous returns nil if every term has the same total degree, else
// an error naming the first term whose degree differs from the first term's,
// e.g. "not homogeneous: term z0^4 has degree 4, z1^5 has degree 5". With a
// source, the error is a *symbolic.Error at that term.
func (p *Polynomial) CheckHomogeneous() error {
	if len(p.Terms) == 0 {
		return p.errorAt(0, "the polynomial is zero")
	}
	// Report in source order: the first term written fixes the degree.
	terms := slices.Clone(p.Terms)
	slices.SortStableFunc(terms, func(a, b Monomial) int { return cmp.Compare(a.Offset, b.Offset) })
	first := terms[0]
	for _, t := range terms[1:] {
		if t.Degree() != first.Degree() {
			return p.errorAt(t.Offset, fmt.Sprintf("not homogeneous: term %s has degree %d, %s has degree %d",
				p.monomialString(first), first.Degree(), p.monomialString(t), t.Degree()))
		}
	}
	return nil
}

func (p *Polynomial) errorAt(offset int, msg string) error {
	if p.Source == "" {
		return fmt.Errorf("%s", msg)
	}
	return &symbolic.Error{Source: p.Source, Offset: max(offset, 0), Msg: msg}
}

// monomialString renders the variable part of a monomial ("z0^4", "z0*z1"; "1"
// for a constant).
func (p *Polynomial) monomialString(m Monomial) string {
	var parts []string
	for i, e := range m.Exp {
		switch {
		case e == 1:
			parts = append(parts, p.Vars[i])
		case e > 1:
			parts = append(parts, p.Vars[i]+"^"+strconv.Itoa(e))
		}
	}
	if len(parts) == 0 {
		return "1"
	}
	return strings.Join(parts, "*")
}

// String renders the polynomial, e.g. "z0^5 + z1^5 + (-2.5+0i)*z0*z1*...".
func (p *Polynomial) String() string {
	if len(p.Terms) == 0 {
		return "0"
	}
	var b strings.Builder
	for k, t := range p.Terms {
		if k > 0 {
			b.WriteString(" + ")
		}
		mono := p.monomialString(t)
		switch {
		case t.Coeff == 1 && mono != "1":
			b.WriteString(mono)
		case imag(t.Coeff) == 0:
			b.WriteString(strconv.FormatFloat(real(t.Coeff), 'g', -1, 64))
			if mono != "1" {
				b.WriteString("*" + mono)
			}
		default:
			b.WriteString(strconv.FormatComplex(t.Coeff, 'g', -1, 128))
			if mono != "1" {
				b.WriteString("*" + mono)
			}
		}
	}
	return b.String()
}

// Eval returns p(z). It panics if len(z) != NumVars().
func (p *Polynomial) Eval(z []complex128) complex128 {
	p.checkLen(z)
	var s complex128
	for _, t := range p.Terms {
		s += t.Coeff * monomial(z, t.Exp)
	}
	return s
}

// Scale returns Σ |c_k m_k(z)| over the terms, the size of the terms that
// cancel at a zero of p: |p(z)|/Scale(z) is the relative residual.
func (p *Polynomial) Scale(z []complex128) float64 {
	p.checkLen(z)
	s := 0.0
	for _, t := range p.Terms {
		s += cmplx.Abs(t.Coeff * monomial(z, t.Exp))
	}
	return s
}

// Gradient writes ∂p/∂z_i into grad (len NumVars()) and returns p(z). The
// derivative is exact: each monomial is differentiated analytically.
func (p *Polynomial) Gradient(z, grad []complex128) complex128 {
	p.checkLen(z)
	clear(grad[:len(z)])
	var s complex128
	for _, t := range p.Terms {
		s += t.Coeff * monomial(z, t.Exp)
		for i, e := range t.Exp {
			if e == 0 {
				continue
			}
			// c·e·z_i^{e−1}·Π_{k≠i} z_k^{e_k}
			v := t.Coeff * complex(float64(e), 0) * ipow(z[i], e-1)
			for k, ek := range t.Exp {
				if k != i && ek != 0 {
					v *= ipow(z[k], ek)
				}
			}
			grad[i] += v
		}
	}
	return s
}

// Derivative returns ∂p/∂z_i as a polynomial.
func (p *Polynomial) Derivative(i int) *Polynomial {
	var terms []Monomial
	for _, t := range p.Terms {
		if t.Exp[i] == 0 {
			continue
		}
		e := slices.Clone(t.Exp)
		e[i]--
		terms = append(terms, Monomial{Coeff: t.Coeff * complex(float64(t.Exp[i]), 0), Exp: e, Offset: t.Offset})
	}
	q := NewPolynomial(p.Vars, terms)
	q.Source = p.Source
	return q
}

func (p *Polynomial) checkLen(z []complex128) {
	if len(z) != len(p.Vars) {
		panic(fmt.Sprintf("hypersurface: point with %d coordinates for a polynomial in %d", len(z), len(p.Vars)))
	}
}

// monomial returns Π z_i^{e_i}.
func monomial(z []complex128, e []int) complex128 {
	v := complex(1, 0)
	for i, k := range e {
		if k != 0 {
			v *= ipow(z[i], k)
		}
	}
	return v
}

// ipow returns x^k for k ≥ 0 by repeated squaring.
func ipow(x complex128, k int) complex128 {
	r := complex(1, 0)
	for k > 0 {
		if k&1 == 1 {
			r *= x
		}
		x *= x
		k >>= 1
	}
	return r
}

// ParsePolynomial parses expr, a polynomial in the coordinates vars with the
// named (complex) parameters, and expands it into monomials. The language is
// symbolic's (numbers, names, + - * /, ^ with a non-negative integer
// exponent, parentheses); a function call is allowed on constants only
// (sqrt(2)); division only by a constant. The name i is the imaginary unit
// unless vars or params use it; pi is π.
//
// Errors are *symbolic.Error values with the byte offset of the offending
// token (Source set to expr).
func ParsePolynomial(expr string, vars []string, params map[string]complex128) (*Polynomial, error) {
	n, err := symbolic.Parse(expr)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, v := range vars {
		index[v] = i
	}
	e := &expander{src: expr, vars: vars, index: index, params: params}
	terms, err := e.expand(n)
	if err != nil {
		return nil, err
	}
	p := NewPolynomial(vars, terms)
	p.Source = expr
	return p, nil
}

type expander struct {
	src    string
	vars   []string
	index  map[string]int
	params map[string]complex128
}

func (e *expander) fail(off int, format string, args ...any) error {
	return &symbolic.Error{Source: e.src, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// leftmost returns the smallest offset in the subtree of n.
func leftmost(n symbolic.Node) int {
	off := n.Pos()
	symbolic.Walk(n, func(m symbolic.Node) bool {
		off = min(off, m.Pos())
		return true
	})
	return off
}

func (e *expander) constant(terms []Monomial) (complex128, bool) {
	switch len(terms) {
	case 0:
		return 0, true
	case 1:
		for _, k := range terms[0].Exp {
			if k != 0 {
				return 0, false
			}
		}
		return terms[0].Coeff, true
	}
	return 0, false
}

func (e *expander) num(c complex128, off int) []Monomial {
	return []Monomial{{Coeff: c, Exp: make([]int, len(e.vars)), Offset: off}}
}

func (e *expander) expand(n symbolic.Node) ([]Monomial, error) {
	switch n := n.(type) {
	case *symbolic.Num:
		return e.num(complex(n.Value, 0), n.Offset), nil
	case *symbolic.Var:
		if i, ok := e.index[n.Name]; ok {
			m := e.num(1, n.Offset)
			m[0].Exp[i] = 1
			return m, nil
		}
		if v, ok := e.params[n.Name]; ok {
			return e.num(v, n.Offset), nil
		}
		switch n.Name {
		case "i":
			return e.num(1i, n.Offset), nil
		case "pi":
			return e.num(math.Pi, n.Offset), nil
		}
		return nil, e.fail(n.Offset, "unknown name %s (coordinates: %s)", n.Name, strings.Join(e.vars, ", "))
	case *symbolic.Unary:
		x, err := e.expand(n.X)
		if err != nil {
			return nil, err
		}
		for k := range x {
			x[k].Coeff = -x[k].Coeff
			x[k].Offset = min(x[k].Offset, n.Offset)
		}
		return x, nil
	case *symbolic.Binary:
		a, err := e.expand(n.Left)
		if err != nil {
			return nil, err
		}
		b, err := e.expand(n.Right)
		if err != nil {
			return nil, err
		}
		switch n.Op {
		case '+':
			return append(a, b...), nil
		case '-':
			for k := range b {
				b[k].Coeff = -b[k].Coeff
			}
			return append(a, b...), nil
		case '*':
			return e.mul(a, b), nil
		case '/':
			c, ok := e.constant(b)
			if !ok {
				return nil, e.fail(n.Offset, "division by a non-constant: a polynomial may only be divided by a number")
			}
			if c == 0 {
				return nil, e.fail(n.Offset, "division by zero")
			}
			for k := range a {
				a[k].Coeff /= c
			}
			return a, nil
		case '^':
			c, ok := e.constant(b)
			k := int(real(c))
			if !ok || imag(c) != 0 || real(c) != float64(k) || k < 0 {
				return nil, e.fail(n.Offset, "exponent must be a non-negative integer constant, got %s", n.Right.String())
			}
			if k > 64 {
				return nil, e.fail(n.Offset, "exponent %d is too large (at most 64)", k)
			}
			r := e.num(1, leftmost(n))
			for range k {
				r = e.mul(r, a)
				r = NewPolynomial(e.vars, r).Terms
			}
			return r, nil
		}
		return nil, e.fail(n.Offset, "operator %c is not supported in a polynomial", n.Op)
	case *symbolic.Call:
		var args []float64
		for _, a := range n.Args {
			t, err := e.expand(a)
			if err != nil {
				return nil, err
			}
			c, ok := e.constant(t)
			if !ok || imag(c) != 0 {
				return nil, e.fail(n.Offset, "%s: a function may only be applied to a real constant inside a polynomial", n.Func)
			}
			args = append(args, real(c))
		}
		f1, f2, ok := symbolic.Builtin(n.Func)
		switch {
		case ok && f1 != nil && len(args) == 1:
			return e.num(complex(f1(args[0]), 0), n.Offset), nil
		case ok && f2 != nil && len(args) == 2:
			return e.num(complex(f2(args[0], args[1]), 0), n.Offset), nil
		}
		return nil, e.fail(n.Offset, "unknown function %s", n.Func)
	}
	return nil, e.fail(n.Pos(), "unsupported expression %s", n.String())
}

func (e *expander) mul(a, b []Monomial) []Monomial {
	out := make([]Monomial, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			exp := make([]int, len(e.vars))
			for i := range exp {
				exp[i] = x.Exp[i] + y.Exp[i]
			}
			out = append(out, Monomial{Coeff: x.Coeff * y.Coeff, Exp: exp, Offset: min(x.Offset, y.Offset)})
		}
	}
	return out
}
