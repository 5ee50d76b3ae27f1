// Package symbolic is the equations layer of ansatz: a small compiler for the
// expression strings that users write in their specs (Hamiltonians, ODE
// right-hand sides, energies).
//
// The pipeline has four stages, each a small function over the AST of this
// package:
//
//	Parse     text → Node          (expr-lang/expr's parser, converted to our AST)
//	Diff      Node → Node          (symbolic derivative)
//	Simplify  Node → Node          (constant folding, 0/1 identities, numeric factors)
//	Compile   Node → Func          (a tree of specialised Go closures over []float64)
//
// The language is the arithmetic subset of expr: numbers, names, unary minus,
// the binary operators + - * / and ^ (** is accepted as a synonym of ^; both
// are right-associative and bind tighter than unary minus, so -x^2 is -(x^2)),
// parentheses, comments (// and /* */) and calls of the functions
//
//	sin cos tan exp log sqrt abs tanh sinh cosh atan  (one argument)
//	atan2(y, x) pow(x, y)                             (two arguments)
//
// The name pi is the built-in constant π. It is kept as a name (so printed
// formulas stay readable), is never a free variable (Names omits it, Diff
// treats it as a constant, Compile uses math.Pi) and cannot be used as a
// variable or parameter name. The name e is not reserved: physicists use it
// as a parameter (a charge, an eccentricity); write exp(1) for Euler's number.
//
// Everything else that expr understands (strings, booleans, comparisons,
// member access, ranges, ternaries, %, pipes, ...) is rejected with an *Error
// that carries the byte offset of the offending token and renders the source
// with a caret under it.
//
// Nodes are immutable by convention: every pass builds new nodes and may
// share unchanged subtrees between its input and its output.
package symbolic
