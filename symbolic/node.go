package symbolic

// Node is a node of an expression tree. The concrete types are *Num, *Var,
// *Unary, *Binary and *Call; the interface is sealed.
type Node interface {
	// Pos is the byte offset in the source of the token that produced the
	// node: the first byte of a number, name or function name, or the
	// operator of a unary or binary expression. Nodes created by Diff and
	// Simplify inherit the offset of the node they were derived from.
	Pos() int
	// String renders the node as a formula with minimal parentheses that
	// Parse reads back into the same tree (up to the folding of a minus sign
	// into a number literal).
	String() string
	node()
}

// Num is a numeric constant.
type Num struct {
	Value  float64
	Offset int
}

// Var is a name: a variable, a parameter not yet substituted, or the
// built-in constant pi.
type Var struct {
	Name   string
	Offset int
}

// Unary is a prefix operation; the only operator is '-'.
type Unary struct {
	Op     byte
	X      Node
	Offset int
}

// Binary is an infix operation; Op is one of '+', '-', '*', '/', '^'.
type Binary struct {
	Op          byte
	Left, Right Node
	Offset      int
}

// Call is a call of one of the built-in functions listed in the package
// documentation, with the number of arguments that function takes.
type Call struct {
	Func   string
	Args   []Node
	Offset int
}

// Pos returns the byte offset of the literal.
func (n *Num) Pos() int { return n.Offset }

// Pos returns the byte offset of the name.
func (n *Var) Pos() int { return n.Offset }

// Pos returns the byte offset of the operator.
func (n *Unary) Pos() int { return n.Offset }

// Pos returns the byte offset of the operator.
func (n *Binary) Pos() int { return n.Offset }

// Pos returns the byte offset of the function name.
func (n *Call) Pos() int { return n.Offset }

func (*Num) node()    {}
func (*Var) node()    {}
func (*Unary) node()  {}
func (*Binary) node() {}
func (*Call) node()   {}

// Pi is the name of the built-in constant π.
const Pi = "pi"

// Walk calls visit for n and then, if visit returns true, walks the children
// of n from left to right (pre-order, which is source order for names).
func Walk(n Node, visit func(Node) bool) {
	if !visit(n) {
		return
	}
	switch n := n.(type) {
	case *Unary:
		Walk(n.X, visit)
	case *Binary:
		Walk(n.Left, visit)
		Walk(n.Right, visit)
	case *Call:
		for _, a := range n.Args {
			Walk(a, visit)
		}
	}
}

// Rewrite rebuilds n bottom-up: the children of every node are rewritten
// first, then fn is applied to a copy of the node holding the rewritten
// children, and its result replaces the node. The input tree is not modified.
func Rewrite(n Node, fn func(Node) Node) Node {
	switch n := n.(type) {
	case *Unary:
		return fn(&Unary{Op: n.Op, X: Rewrite(n.X, fn), Offset: n.Offset})
	case *Binary:
		return fn(&Binary{Op: n.Op, Left: Rewrite(n.Left, fn), Right: Rewrite(n.Right, fn), Offset: n.Offset})
	case *Call:
		args := make([]Node, len(n.Args))
		for i, a := range n.Args {
			args[i] = Rewrite(a, fn)
		}
		return fn(&Call{Func: n.Func, Args: args, Offset: n.Offset})
	default:
		return fn(n)
	}
}

// Equal reports whether a and b are the same tree, ignoring offsets.
// Numbers are compared with ==, so a tree holding NaN is not equal to itself.
func Equal(a, b Node) bool {
	switch a := a.(type) {
	case *Num:
		b, ok := b.(*Num)
		return ok && a.Value == b.Value
	case *Var:
		b, ok := b.(*Var)
		return ok && a.Name == b.Name
	case *Unary:
		b, ok := b.(*Unary)
		return ok && a.Op == b.Op && Equal(a.X, b.X)
	case *Binary:
		b, ok := b.(*Binary)
		return ok && a.Op == b.Op && Equal(a.Left, b.Left) && Equal(a.Right, b.Right)
	case *Call:
		b, ok := b.(*Call)
		if !ok || a.Func != b.Func || len(a.Args) != len(b.Args) {
			return false
		}
		for i := range a.Args {
			if !Equal(a.Args[i], b.Args[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// Names returns the free names of n (variables and parameters, not pi and not
// function names) in order of first appearance in the source.
func Names(n Node) []string {
	var names []string
	seen := map[string]bool{}
	Walk(n, func(n Node) bool {
		if v, ok := n.(*Var); ok && v.Name != Pi && !seen[v.Name] {
			seen[v.Name] = true
			names = append(names, v.Name)
		}
		return true
	})
	return names
}

// Contains reports whether the name occurs in n.
func Contains(n Node, name string) bool {
	found := false
	Walk(n, func(n Node) bool {
		if v, ok := n.(*Var); ok && v.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// Substitute replaces the names in values by numbers (typically parameters
// by their values) and simplifies the result. The constant pi is not
// substitutable; a "pi" key is ignored.
func Substitute(n Node, values map[string]float64) Node {
	return Simplify(Rewrite(n, func(n Node) Node {
		if v, ok := n.(*Var); ok && v.Name != Pi {
			if x, ok := values[v.Name]; ok {
				return &Num{Value: x, Offset: v.Offset}
			}
		}
		return n
	}))
}
