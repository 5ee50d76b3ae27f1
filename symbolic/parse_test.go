package symbolic

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src    string
		offset int // bytes
		column int // runes, 1-based
		msg    string
	}{
		{"", 0, 1, "empty expression"},
		{"sine(q)", 0, 1, "unknown function sine; did you mean sin?"},
		{"q + cso(q)", 4, 5, "unknown function cso; did you mean cos?"},
		{"max(x, y)", 0, 1, "unknown function max"},
		{"θ + sinn(θ)", 5, 5, "unknown function sinn; did you mean sin?"},
		{"sin(x, y)", 0, 1, "sin takes 1 argument, got 2"},
		{"1 + atan2(x)", 4, 5, "atan2 takes 2 arguments, got 1"},
		{"x % 2", 2, 3, "operator % is not supported"},
		{"a ? b : c", 2, 3, "conditional expressions are not supported"},
		{"if a { b } else { c }", 0, 1, "conditional expressions are not supported"},
		{"x +", 3, 4, "unexpected end of expression"},
		{"(x + 1", 6, 7, "unexpected end of expression"},
		{"2x", 1, 2, "bad number syntax"},
		{"sin q", 4, 5, "unexpected name"},
		{"x @ y", 2, 3, "unrecognized character"},
		{"true + x", 0, 1, "booleans are not supported"},
		{"x == y", 2, 3, "comparisons are not supported"},
		{"x and y", 2, 3, "boolean operators are not supported"},
		{"!x", 0, 1, "boolean operators are not supported"},
		{"a.b", 1, 2, "member access is not supported"},
		{"x | sin()", 2, 3, "pipe operator"},
		{"[1, 2]", 0, 1, "arrays"},
		{"x[0]", 1, 2, "arrays"},
		{"x; y", 1, 2, "single expression"},
		{"let a = 1; a", 0, 1, "let"},
		{"1..3", 1, 2, "ranges are not supported"},
		{"x ?? y", 2, 3, "not supported"},
		{`"s" + x`, 0, 1, "strings are not supported"},
		{"x + nil", 4, 5, "nil is not supported"},
		{"x +\n  sinn(y)", 6, 3, "unknown function sinn"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Parse(tt.src)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error = %v, want *Error", tt.src, err)
			}
			if e.Offset != tt.offset || e.Column() != tt.column || !strings.Contains(e.Msg, tt.msg) || e.Source != tt.src {
				t.Errorf("Parse(%q) = offset %d column %d %q, want offset %d column %d containing %q",
					tt.src, e.Offset, e.Column(), e.Msg, tt.offset, tt.column, tt.msg)
			}
		})
	}
}

func TestErrorRendering(t *testing.T) {
	_, err := Parse("p^2 + sine(q)")
	want := "unknown function sine; did you mean sin? (column 7)\n | p^2 + sine(q)\n |       ^"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	_, err = Parse("θ^2 +\n\tcso(θ)")
	want = "unknown function cso; did you mean cos? (line 2, column 2)\n |  cso(θ)\n |  ^"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	e := &Error{Offset: 4, Msg: "unknown name q2"}
	if got, want := e.Error(), "unknown name q2 (column 5)"; got != want {
		t.Errorf("without source: got %q, want %q", got, want)
	}
	e = &Error{Source: "x +", Offset: 3, Msg: "m"}
	if got, want := e.Error(), "m (column 4)\n | x +\n |    ^"; got != want {
		t.Errorf("at end: got %q, want %q", got, want)
	}
}

func TestParseTrees(t *testing.T) {
	x, y := &Var{Name: "x"}, &Var{Name: "y"}
	num := func(v float64) Node { return &Num{Value: v} }
	bin := func(op byte, a, b Node) Node { return &Binary{Op: op, Left: a, Right: b} }
	tests := []struct {
		src  string
		want Node
	}{
		{"-x^2", &Unary{Op: '-', X: bin('^', x, num(2))}},
		{"x**2", bin('^', x, num(2))},
		{"2^3^x", bin('^', num(2), bin('^', num(3), x))},
		{"2**3**x", bin('^', num(2), bin('^', num(3), x))},
		{"2^-x*y", bin('*', bin('^', num(2), &Unary{Op: '-', X: x}), y)},
		{"-2", num(-2)},
		{"+x", x},
		{"x - y - 1", bin('-', bin('-', x, y), num(1))},
		{"x / y / 2", bin('/', bin('/', x, y), num(2))},
		{"1.5e-3 * x // a comment", bin('*', num(1.5e-3), x)},
		{"0x10", num(16)},
		{"abs(x)", &Call{Func: "abs", Args: []Node{x}}},
		{"pow(x, y)", &Call{Func: "pow", Args: []Node{x, y}}},
		{"e*pi", bin('*', &Var{Name: "e"}, &Var{Name: "pi"})},
	}
	for _, tt := range tests {
		got, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if !Equal(got, tt.want) {
			t.Errorf("Parse(%q) = %s, want %s", tt.src, got, tt.want)
		}
	}
}

func TestParsePositions(t *testing.T) {
	n, err := Parse("a + sin(θ*b)")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	Walk(n, func(n Node) bool {
		got = append(got, n.String()+"@"+strconv.Itoa(n.Pos()))
		return true
	})
	want := "a + sin(θ*b)@2 a@0 sin(θ*b)@4 θ*b@10 θ@8 b@11"
	if strings.Join(got, " ") != want {
		t.Errorf("positions = %s, want %s", strings.Join(got, " "), want)
	}
}

func TestNames(t *testing.T) {
	n, err := Parse("b*a + c*a - sin(pi*d) + e")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(Names(n), " "), "b a c d e"; got != want {
		t.Errorf("Names = %s, want %s", got, want)
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"q", "q1", "p_x", "θ", "_a", "e", "m2"} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "1q", "q-1", "q 1", "pi", "sin", "and", "true", "in", "a$"} {
		if err := CheckName(bad); err == nil {
			t.Errorf("CheckName(%q) = nil, want an error", bad)
		}
	}
}

// FuzzParse checks that no input makes the pipeline panic, and that whatever
// parses prints to a formula that parses back to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"p^2/(2*m) + k*q^2/2", "sin(x)*-y^2", "atan2(y, x)", "θ + 1e-3", "x % 2", "a ? b : c", "pow(x, y)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		n, err := Parse(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(src) {
				t.Fatalf("Parse(%q) = %v", src, err)
			}
			_ = e.Error()
			return
		}
		back, err := Parse(n.String())
		if err != nil || !Equal(n, back) {
			t.Fatalf("Parse(%q) = %s, which reparses as %v (%v)", src, n, back, err)
		}
		names := Names(n)
		s := Simplify(n)
		for _, v := range names {
			_ = Diff(s, v)
		}
		if _, err := Compile(s, names); err != nil {
			t.Fatalf("Compile(%s, %v): %v", s, names, err)
		}
	})
}
