package symbolic

import (
	"ansatz/suggest"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/parser/lexer"
)

// Parse parses an expression. All errors are *Error values located in src.
func Parse(src string) (Node, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errorf(src, 0, "empty expression")
	}
	offsets := runeOffsets(src)
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, fromExprError(src, offsets, err)
	}
	// The parser accepts all of expr; reject, token by token, what is not
	// arithmetic. Tokens point at the construct more precisely than nodes
	// (a ternary's node is located after it).
	tokens, err := lexer.Lex(file.NewSource(src))
	if err != nil {
		return nil, fromExprError(src, offsets, err)
	}
	for _, t := range tokens {
		if msg := unsupported(t); msg != "" {
			return nil, errorf(src, offsets[t.From], "%s", msg)
		}
	}
	c := converter{src: src, offsets: offsets}
	n := c.convert(tree.Node)
	if c.err != nil {
		return nil, c.err
	}
	return n, nil
}

// runeOffsets maps the rune offsets used by expr's lexer to byte offsets;
// the extra last entry is len(src).
func runeOffsets(src string) []int {
	offsets := make([]int, 0, len(src)+1)
	for i := range src {
		offsets = append(offsets, i)
	}
	return append(offsets, len(src))
}

func byteOffset(offsets []int, runeOffset int) int {
	return offsets[min(max(runeOffset, 0), len(offsets)-1)]
}

// fromExprError converts an error of expr's lexer or parser.
func fromExprError(src string, offsets []int, err error) *Error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return errorf(src, 0, "%v", err)
	}
	msg, off := fe.Message, byteOffset(offsets, fe.From)
	if strings.HasSuffix(msg, "token EOF") || strings.HasSuffix(msg, "end of expression") {
		msg, off = "unexpected end of expression", len(src)
	}
	if m := unexpectedToken.FindStringSubmatch(msg); m != nil {
		msg = describeUnexpected(m[1], m[2])
	}
	if strings.HasPrefix(msg, "bad number syntax") {
		msg += " (write a product as 2*x)"
	}
	return &Error{Source: src, Offset: off, Msg: msg}
}

// unexpectedToken matches expr's `unexpected token Kind("value")` messages.
var unexpectedToken = regexp.MustCompile(`^unexpected token (\w+)\("(.*)"\)$`)

// describeUnexpected words an unexpected token for a physicist: what was
// found and, where it is a likely slip, what was probably meant.
func describeUnexpected(kind, value string) string {
	switch kind {
	case "Operator":
		return fmt.Sprintf("unexpected operator %q (an operand is missing before it)", value)
	case "Identifier":
		return fmt.Sprintf("unexpected name %q (missing operator before it? write a product as a*b and a call as f(x))", value)
	case "Number":
		return fmt.Sprintf("unexpected number %s (missing operator before it?)", value)
	case "Bracket":
		return fmt.Sprintf("unexpected %q (unbalanced parentheses?)", value)
	}
	return fmt.Sprintf("unexpected %q", value)
}

// unsupported returns why a token is outside the language, or "".
func unsupported(t lexer.Token) string {
	switch t.Kind {
	case lexer.String, lexer.Bytes:
		return "strings are not supported in equations"
	case lexer.Identifier:
		switch t.Value {
		case "true", "false":
			return "booleans are not supported in equations"
		case "nil":
			return "nil is not supported in equations"
		}
	case lexer.Bracket:
		switch t.Value {
		case "[", "]":
			return "arrays and indexing are not supported in equations"
		case "{", "}":
			return "maps and blocks are not supported in equations"
		}
	case lexer.Operator:
		switch t.Value {
		case "+", "-", "*", "/", "^", "**", ",":
			return ""
		case "%":
			return "operator % is not supported in equations"
		case "==", "!=", "<", ">", "<=", ">=":
			return "comparisons are not supported in equations"
		case "and", "or", "&&", "||", "not", "!":
			return "boolean operators are not supported in equations"
		case "?", ":", "if", "else":
			return "conditional expressions are not supported in equations"
		case ".", "?.":
			return "member access is not supported in equations"
		case "..":
			return "ranges are not supported in equations"
		case "|":
			return "the pipe operator | is not supported in equations; write f(x)"
		case ";":
			return "an equation is a single expression (found ;)"
		case "let":
			return "variable declarations (let) are not supported in equations"
		default:
			return "operator " + t.Value + " is not supported in equations"
		}
	}
	return ""
}

// converter turns expr's AST into ours, recording the first error.
type converter struct {
	src     string
	offsets []int
	err     *Error
}

func (c *converter) fail(loc file.Location, format string, args ...any) Node {
	if c.err == nil {
		c.err = errorf(c.src, byteOffset(c.offsets, loc.From), format, args...)
	}
	return &Num{}
}

func (c *converter) convert(n ast.Node) Node {
	off := byteOffset(c.offsets, n.Location().From)
	switch n := n.(type) {
	case *ast.IntegerNode:
		return &Num{Value: float64(n.Value), Offset: off}
	case *ast.FloatNode:
		return &Num{Value: n.Value, Offset: off}
	case *ast.IdentifierNode:
		return &Var{Name: n.Value, Offset: off}
	case *ast.UnaryNode:
		switch n.Operator {
		case "+":
			return c.convert(n.Node)
		case "-":
			x := c.convert(n.Node)
			if num, ok := x.(*Num); ok {
				return &Num{Value: -num.Value, Offset: off}
			}
			return &Unary{Op: '-', X: x, Offset: off}
		}
		return c.fail(n.Location(), "operator %s is not supported in equations", n.Operator)
	case *ast.BinaryNode:
		var op byte
		switch n.Operator {
		case "+", "-", "*", "/", "^":
			op = n.Operator[0]
		case "**":
			op = '^'
		default:
			return c.fail(n.Location(), "operator %s is not supported in equations", n.Operator)
		}
		return &Binary{Op: op, Left: c.convert(n.Left), Right: c.convert(n.Right), Offset: off}
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok {
			return c.fail(n.Location(), "only calls of built-in functions are supported in equations")
		}
		return c.call(id.Value, n.Arguments, n.Location())
	case *ast.BuiltinNode:
		// expr parses its own built-ins (abs, max, len, ...) as BuiltinNode.
		return c.call(n.Name, n.Arguments, n.Location())
	}
	return c.fail(n.Location(), "expression %s is not supported in equations", n)
}

func (c *converter) call(name string, args []ast.Node, loc file.Location) Node {
	f, ok := functions[name]
	if !ok {
		return c.fail(loc, "unknown function %s%s", name, suggest.NameHint(name, functionNames))
	}
	if len(args) != f.arity() {
		plural := "s"
		if f.arity() == 1 {
			plural = ""
		}
		return c.fail(loc, "%s takes %d argument%s, got %d", name, f.arity(), plural, len(args))
	}
	out := make([]Node, len(args))
	for i, a := range args {
		out[i] = c.convert(a)
	}
	return &Call{Func: name, Args: out, Offset: byteOffset(c.offsets, loc.From)}
}
