package datasets

import (
	"ansatz/suggest"
	"ansatz/symbolic"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
)

// NamedExpr is one entry of an [Expressions] sampler: a name and the formula
// that gives its value.
type NamedExpr struct {
	Name string
	Expr string
}

// Expressions samples initial conditions from formulas with random draws:
//
//	initial:
//	  kind: expressions
//	  let: {a: "uniform(0.5, 1.5)", b: "uniform(0.5, 1.5)", r: "sqrt(a^2 + b^2)"}
//	  q: "a"
//	  p: "b/r"
//
// The let entries are evaluated in order; each may use the earlier ones. Then
// one value is computed per state variable, in the order of the system's
// variables. A formula may use
//
//   - numbers, + - * /, ^ or ** (power), unary minus and parentheses;
//   - the constant pi;
//   - sin, cos, tan, exp, log, sqrt, abs, tanh, sinh, cosh, atan, atan2(y, x)
//     and pow(x, y) (the functions of the equations' language);
//   - uniform(a, b): a fresh draw from U[a, b) (a ≤ b);
//   - normal(mu, sigma): a fresh draw from N(mu, sigma²) (sigma ≥ 0);
//   - the names of earlier let entries and the system's parameters
//     ([Expressions.Parameters]).
//
// Values cannot refer to each other: shared quantities belong in let.
//
// Draws are taken from the caller's generator in a fixed order: let entries
// in order, then values in the order of the system's variables; within a
// formula, left to right (the arguments of a call before the call itself).
type Expressions struct {
	// Parameters are named constants the formulas may use, typically the
	// system's parameters; set by the caller. A let entry may not share a
	// parameter's name.
	Parameters map[string]float64 `yaml:"-"`

	let, values []entry
}

// entry is a parsed NamedExpr.
type entry struct {
	NamedExpr
	let  bool
	root exprNode
}

func (e *entry) label() string {
	if e.let {
		return fmt.Sprintf("let %s", e.Name)
	}
	return e.Name
}

// ExprError is an error in one formula of an [Expressions] sampler, located
// in its source: Offset is a byte offset into Source (len(Source) means "at
// the end").
type ExprError struct {
	// Entry names the formula: "let r" for a let entry, the variable's name
	// for a value.
	Entry  string
	Source string
	Offset int
	Msg    string
}

// Error renders "Entry: message (column c)" followed by the source line and
// a caret under the column.
func (e *ExprError) Error() string {
	off := min(max(e.Offset, 0), len(e.Source))
	start := strings.LastIndexByte(e.Source[:off], '\n') + 1
	end := strings.IndexByte(e.Source[off:], '\n')
	if end < 0 {
		end = len(e.Source)
	} else {
		end += off
	}
	col := 1 + utf8.RuneCountInString(e.Source[start:off])
	pos := fmt.Sprintf("column %d", col)
	if strings.Contains(e.Source, "\n") {
		pos = fmt.Sprintf("line %d, column %d", 1+strings.Count(e.Source[:off], "\n"), col)
	}
	line := strings.ReplaceAll(e.Source[start:end], "\t", " ")
	return fmt.Sprintf("%s: %s (%s)\n | %s\n | %s^", e.Entry, e.Msg, pos, line, strings.Repeat(" ", col-1))
}

// NewExpressions parses the let entries and the values. Errors name the
// offending entry and point into its formula. Whether the values cover the
// system's variables is checked when sampling, which is when the variables
// are known.
func NewExpressions(let, values []NamedExpr) (*Expressions, error) {
	e := &Expressions{}
	seen := map[string]bool{}
	for _, ne := range let {
		if err := checkLetName(ne.Name); err != nil {
			return nil, fmt.Errorf("let %q: %w", ne.Name, err)
		}
		if seen[ne.Name] {
			return nil, fmt.Errorf("let %s: defined twice", ne.Name)
		}
		ent := entry{NamedExpr: ne, let: true}
		root, err := compileExpr(&ent, e.let)
		if err != nil {
			return nil, err
		}
		ent.root = root
		e.let = append(e.let, ent)
		seen[ne.Name] = true
	}
	seenValue := map[string]bool{}
	for _, ne := range values {
		if ne.Name == "" {
			return nil, errors.New("a value has an empty variable name")
		}
		if seenValue[ne.Name] {
			return nil, fmt.Errorf("%s: value given twice", ne.Name)
		}
		seenValue[ne.Name] = true
		ent := entry{NamedExpr: ne}
		root, err := compileExpr(&ent, e.let)
		if err != nil {
			return nil, err
		}
		ent.root = root
		e.values = append(e.values, ent)
	}
	return e, nil
}

// Let returns a copy of the let entries as given.
func (e *Expressions) Let() []NamedExpr { return namedExprs(e.let) }

// Values returns a copy of the values as given.
func (e *Expressions) Values() []NamedExpr { return namedExprs(e.values) }

func namedExprs(es []entry) []NamedExpr {
	out := make([]NamedExpr, len(es))
	for i, e := range es {
		out[i] = e.NamedExpr
	}
	return out
}

// Sample implements [Sampler].
func (e *Expressions) Sample(rng *rand.Rand, vars []string, x []float64) error {
	if len(x) != len(vars) {
		return fmt.Errorf("state has %d values for %d variables", len(x), len(vars))
	}
	for _, l := range e.let {
		if _, ok := e.Parameters[l.Name]; ok {
			return fmt.Errorf("let %s: the name is also a parameter of the system; rename the let entry", l.Name)
		}
	}
	order := make([]*entry, len(vars))
	for i := range e.values {
		v := &e.values[i]
		j := slices.Index(vars, v.Name)
		if j < 0 {
			return fmt.Errorf("%s: not a variable of the system (variables: %s)%s",
				v.Name, strings.Join(vars, ", "), suggest.NameHint(v.Name, vars))
		}
		order[j] = v
	}
	for j, v := range order {
		if v == nil {
			return fmt.Errorf("no initial value for the variable %s", vars[j])
		}
	}
	env := &evaluation{rng: rng, lets: make([]float64, len(e.let)), params: e.Parameters, vars: vars, letNames: namesOf(e.let)}
	for i := range e.let {
		l := &e.let[i]
		v, err := env.eval(l)
		if err != nil {
			return err
		}
		env.lets[i] = v
	}
	for j, v := range order {
		val, err := env.eval(v)
		if err != nil {
			return err
		}
		x[j] = val
	}
	return nil
}

func namesOf(es []entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name
	}
	return out
}

// evaluation is the state of one Sample call.
type evaluation struct {
	rng      *rand.Rand
	lets     []float64
	letNames []string
	params   map[string]float64
	vars     []string
	cur      *entry // the entry being evaluated, for error messages
}

func (env *evaluation) eval(e *entry) (float64, error) {
	env.cur = e
	v, err := e.root.eval(env)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, &ExprError{Entry: e.label(), Source: e.Expr, Offset: 0,
			Msg: fmt.Sprintf("evaluates to %v", v)}
	}
	return v, nil
}

func (env *evaluation) fail(offset int, format string, args ...any) error {
	return &ExprError{Entry: env.cur.label(), Source: env.cur.Expr, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

// exprNode is a compiled formula.
type exprNode interface {
	eval(env *evaluation) (float64, error)
}

type numNode float64

func (n numNode) eval(*evaluation) (float64, error) { return float64(n), nil }

// letRef is a reference to an earlier let entry.
type letRef int

func (n letRef) eval(env *evaluation) (float64, error) { return env.lets[n], nil }

// paramRef is a name resolved at sampling time: a parameter of the system.
type paramRef struct {
	name   string
	offset int
}

func (n *paramRef) eval(env *evaluation) (float64, error) {
	if v, ok := env.params[n.name]; ok {
		return v, nil
	}
	if slices.Contains(env.vars, n.name) {
		return 0, env.fail(n.offset, "%s is a state variable; initial values cannot refer to each other (compute shared quantities in let)", n.name)
	}
	known := slices.Clone(env.letNames)
	for name := range env.params {
		known = append(known, name)
	}
	slices.Sort(known)
	return 0, env.fail(n.offset, "unknown name %s: not an earlier let entry, a parameter or pi%s", n.name, suggest.NameHint(n.name, known))
}

type negNode struct{ x exprNode }

func (n negNode) eval(env *evaluation) (float64, error) {
	v, err := n.x.eval(env)
	return -v, err
}

type binNode struct {
	op   byte
	l, r exprNode
}

func (n *binNode) eval(env *evaluation) (float64, error) {
	a, err := n.l.eval(env)
	if err != nil {
		return 0, err
	}
	b, err := n.r.eval(env)
	if err != nil {
		return 0, err
	}
	switch n.op {
	case '+':
		return a + b, nil
	case '-':
		return a - b, nil
	case '*':
		return a * b, nil
	case '/':
		return a / b, nil
	default: // '^'
		return math.Pow(a, b), nil
	}
}

type callNode struct {
	name   string
	fn     function
	args   []exprNode
	offset int
}

func (n *callNode) eval(env *evaluation) (float64, error) {
	var a [2]float64
	for i, arg := range n.args {
		v, err := arg.eval(env)
		if err != nil {
			return 0, err
		}
		a[i] = v
	}
	switch {
	case n.fn.f1 != nil:
		return n.fn.f1(a[0]), nil
	case n.fn.f2 != nil:
		return n.fn.f2(a[0], a[1]), nil
	}
	switch n.name {
	case "uniform":
		lo, hi := a[0], a[1]
		if !(lo <= hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
			return 0, env.fail(n.offset, "uniform(a, b) needs finite a ≤ b, got a=%v, b=%v", lo, hi)
		}
		return lo + (hi-lo)*env.rng.Float64(), nil
	default: // "normal"
		mu, sigma := a[0], a[1]
		if !(sigma >= 0) || math.IsInf(sigma, 0) || math.IsNaN(mu) || math.IsInf(mu, 0) {
			return 0, env.fail(n.offset, "normal(mu, sigma) needs a finite mu and sigma ≥ 0, got mu=%v, sigma=%v", mu, sigma)
		}
		return mu + sigma*env.rng.NormFloat64(), nil
	}
}

// function is a built-in: a deterministic function of one or two arguments,
// or (both nil) a random draw of two arguments.
type function struct {
	f1 func(float64) float64
	f2 func(float64, float64) float64
}

// functions are the built-ins: those of the equations' language (package
// symbolic) and the random draws uniform and normal.
var functions = builtins()

func builtins() map[string]function {
	fs := map[string]function{"uniform": {}, "normal": {}}
	for _, name := range symbolic.Functions() {
		f1, f2, _ := symbolic.Builtin(name)
		fs[name] = function{f1: f1, f2: f2}
	}
	return fs
}

func functionNames() []string {
	names := make([]string, 0, len(functions))
	for name := range functions {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func arity(f function) int {
	if f.f1 != nil {
		return 1
	}
	return 2
}

// checkLetName accepts identifiers that are not the constant pi, a function
// name or a word of the syntax.
func checkLetName(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	for i, r := range name {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			return errors.New("a name is a letter or _ followed by letters, digits or _")
		}
	}
	if name == "pi" {
		return errors.New("pi is the constant π and cannot be redefined")
	}
	if _, ok := functions[name]; ok {
		return fmt.Errorf("%s is a function name", name)
	}
	if reservedWords[name] {
		return fmt.Errorf("%s is a word of the expression syntax", name)
	}
	return nil
}

// reservedWords are words that expr's lexer turns into operators or literals.
var reservedWords = map[string]bool{
	"not": true, "in": true, "or": true, "and": true, "matches": true,
	"contains": true, "startsWith": true, "endsWith": true, "let": true,
	"if": true, "else": true, "true": true, "false": true, "nil": true,
}

// compileExpr parses ent.Expr and resolves its names against the earlier
// let entries.
func compileExpr(ent *entry, earlier []entry) (exprNode, error) {
	src := ent.Expr
	if strings.TrimSpace(src) == "" {
		return nil, &ExprError{Entry: ent.label(), Source: src, Msg: "empty formula"}
	}
	c := &exprCompiler{ent: ent, earlier: earlier, offsets: runeOffsets(src)}
	tree, err := parser.Parse(src)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			msg, off := fe.Message, c.byteOffset(fe.From)
			if strings.HasSuffix(msg, "token EOF") {
				msg, off = "unexpected end of formula", len(src)
			}
			return nil, &ExprError{Entry: ent.label(), Source: src, Offset: off, Msg: msg}
		}
		return nil, &ExprError{Entry: ent.label(), Source: src, Msg: err.Error()}
	}
	n := c.compile(tree.Node)
	if c.err != nil {
		return nil, c.err
	}
	return n, nil
}

type exprCompiler struct {
	ent     *entry
	earlier []entry
	offsets []int // byte offset of each rune, plus len(src)
	err     error
}

func runeOffsets(src string) []int {
	offsets := make([]int, 0, len(src)+1)
	for i := range src {
		offsets = append(offsets, i)
	}
	return append(offsets, len(src))
}

func (c *exprCompiler) byteOffset(runeOffset int) int {
	return c.offsets[min(max(runeOffset, 0), len(c.offsets)-1)]
}

func (c *exprCompiler) fail(loc file.Location, format string, args ...any) exprNode {
	if c.err == nil {
		c.err = &ExprError{Entry: c.ent.label(), Source: c.ent.Expr, Offset: c.byteOffset(loc.From), Msg: fmt.Sprintf(format, args...)}
	}
	return numNode(0)
}

func (c *exprCompiler) compile(n ast.Node) exprNode {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return numNode(n.Value)
	case *ast.FloatNode:
		return numNode(n.Value)
	case *ast.IdentifierNode:
		return c.name(n)
	case *ast.UnaryNode:
		switch n.Operator {
		case "+":
			return c.compile(n.Node)
		case "-":
			return negNode{c.compile(n.Node)}
		}
		return c.fail(n.Location(), "operator %s is not supported", n.Operator)
	case *ast.BinaryNode:
		switch n.Operator {
		case "+", "-", "*", "/", "^":
			return &binNode{op: n.Operator[0], l: c.compile(n.Left), r: c.compile(n.Right)}
		case "**":
			return &binNode{op: '^', l: c.compile(n.Left), r: c.compile(n.Right)}
		}
		return c.fail(n.Location(), "operator %s is not supported", n.Operator)
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok {
			return c.fail(n.Location(), "only the built-in functions can be called")
		}
		return c.call(id.Value, n.Arguments, n.Location())
	case *ast.BuiltinNode: // expr's own built-ins (abs, max, ...) parse as BuiltinNode
		return c.call(n.Name, n.Arguments, n.Location())
	}
	return c.fail(n.Location(), "this expression is not supported: use numbers, names, + - * / ^ and function calls")
}

func (c *exprCompiler) name(n *ast.IdentifierNode) exprNode {
	name := n.Value
	if name == "pi" {
		return numNode(math.Pi)
	}
	for i := range c.earlier {
		if c.earlier[i].Name == name {
			return letRef(i)
		}
	}
	if c.ent.let && name == c.ent.Name {
		return c.fail(n.Location(), "let %s refers to itself", name)
	}
	if _, ok := functions[name]; ok {
		return c.fail(n.Location(), "%s is a function: call it as %s(...)", name, name)
	}
	return &paramRef{name: name, offset: c.byteOffset(n.Location().From)}
}

func (c *exprCompiler) call(name string, args []ast.Node, loc file.Location) exprNode {
	fn, ok := functions[name]
	if !ok {
		return c.fail(loc, "unknown function %s%s", name, suggest.NameHint(name, functionNames()))
	}
	if len(args) != arity(fn) {
		plural := "s"
		if arity(fn) == 1 {
			plural = ""
		}
		return c.fail(loc, "%s takes %d argument%s, got %d", name, arity(fn), plural, len(args))
	}
	out := make([]exprNode, len(args))
	for i, a := range args {
		out[i] = c.compile(a)
	}
	return &callNode{name: name, fn: fn, args: out, offset: c.byteOffset(loc.From)}
}
