package symbolic

import (
	"math"
	"strconv"
	"strings"
)

// Precedence levels used for printing, from loosest to tightest. They mirror
// expr's grammar: + - < * / < unary minus < ^ < atoms.
const (
	precSum = iota + 1
	precProduct
	precUnary
	precPower
	precAtom
)

func precedence(n Node) int {
	switch n := n.(type) {
	case *Num:
		if n.Value < 0 || math.Signbit(n.Value) {
			return precUnary
		}
	case *Unary:
		return precUnary
	case *Binary:
		switch n.Op {
		case '+', '-':
			return precSum
		case '*', '/':
			return precProduct
		case '^':
			return precPower
		}
	}
	return precAtom
}

// String formats the number in the shortest form that reads back exactly
// (strconv 'g' format). Infinities and NaN print as +Inf, -Inf and NaN, which
// Parse does not read back.
func (n *Num) String() string { return strconv.FormatFloat(n.Value, 'g', -1, 64) }

// String returns the name.
func (n *Var) String() string { return n.Name }

// String formats the negation, parenthesising anything looser than ^.
func (n *Unary) String() string {
	var b strings.Builder
	b.WriteByte(n.Op)
	writeOperand(&b, n.X, precedence(n.X) < precPower)
	return b.String()
}

// String formats the operation with spaces around + and - and none around
// * / ^, and parentheses only where the grammar needs them to reproduce the
// same tree: + - * / associate to the left, ^ to the right.
func (n *Binary) String() string {
	var b strings.Builder
	p := precedence(n)
	lp, rp := precedence(n.Left), precedence(n.Right)
	if n.Op == '^' {
		writeOperand(&b, n.Left, lp <= p)
	} else {
		writeOperand(&b, n.Left, lp < p)
	}
	if p == precSum {
		b.WriteString(" " + string(n.Op) + " ")
	} else {
		b.WriteByte(n.Op)
	}
	if n.Op == '^' {
		writeOperand(&b, n.Right, rp < p)
	} else {
		writeOperand(&b, n.Right, rp <= p)
	}
	return b.String()
}

// String formats the call as name(arg, arg).
func (n *Call) String() string {
	var b strings.Builder
	b.WriteString(n.Func)
	b.WriteByte('(')
	for i, a := range n.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.String())
	}
	b.WriteByte(')')
	return b.String()
}

func writeOperand(b *strings.Builder, n Node, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	b.WriteString(n.String())
	if paren {
		b.WriteByte(')')
	}
}
