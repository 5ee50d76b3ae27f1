package spec

import (
	"math"
	"strings"
	"testing"
)

func TestExprErrorAt(t *testing.T) {
	src := `exprs:
  plain: p^2/2 + q
  dq: "p^2/2 + q"
  sq: 'p^2/2 + q'
  block: |
    p^2/2
      + bad
  num: 1
`
	var x struct {
		Exprs map[string]Expr `yaml:"exprs"`
	}
	if errs := Decode(node(t, src), &x, "", "e.yaml"); len(errs) > 0 {
		t.Fatal(errs)
	}
	cases := []struct {
		key    string
		quoted byte
		find   string // the error is at the first occurrence of find in Text
		line   int
		col    int
	}{
		{"plain", 0, "q", 2, 18},
		{"dq", '"', "q", 3, 16},
		{"sq", '\'', "q", 4, 16},
		{"block", '|', "bad", 7, 9},
		{"num", 0, "1", 8, 8},
	}
	for _, c := range cases {
		e := x.Exprs[c.key]
		if e.Quoted != c.quoted {
			t.Errorf("%s: Quoted = %q, want %q", c.key, e.Quoted, c.quoted)
		}
		err := e.ErrorAt(strings.Index(e.Text, c.find), "unknown name")
		ErrorList{err}.WithSource("e.yaml", []byte(src))
		if err.Pos.Line != c.line || err.Pos.Col != c.col {
			t.Errorf("%s: error at %d:%d, want %d:%d\n%v", c.key, err.Pos.Line, err.Pos.Col, c.line, c.col, err)
		}
		line := strings.Split(src, "\n")[c.line-1]
		if got := []rune(line)[c.col-1:]; !strings.HasPrefix(string(got), c.find) {
			t.Errorf("%s: column %d of %q is not %q", c.key, c.col, line, c.find)
		}
	}
	// Offsets beyond the text are clamped.
	if err := x.Exprs["plain"].ErrorAt(1000, "x"); err.Pos.Col != 10+len("p^2/2 + q") {
		t.Errorf("clamped offset: col %d", err.Pos.Col)
	}
	var bad struct {
		E Expr `yaml:"e"`
	}
	errs := Decode(node(t, "e: [1]"), &bad, "", "e.yaml")
	if len(errs) != 1 || errs[0].Msg != "expected an expression, got a list" || errs[0].Path != "e" {
		t.Errorf("non-scalar expression: %v", errs)
	}
}

func TestComponentDecode(t *testing.T) {
	var x struct {
		A Component   `yaml:"a"`
		B Component   `yaml:"b"`
		C *Component  `yaml:"c"`
		L []Loss      `yaml:"l"`
		D []Component `yaml:"d"`
	}
	src := "a: {kind: mlp, hidden: [3]}\nb: adam\nc: {kind: cosine}\nl: [{weight: 0.5, kind: mse, norm: abs}]\nd: [{kind: [x]}, {kind: ''}, 3]\n"
	errs := Decode(node(t, src), &x, "", "c.yaml")
	if x.A.Kind != "mlp" || x.A.Path != "a" || x.A.Pos != (Pos{"c.yaml", 1, 11}) || len(x.A.Node.Content) != 2 {
		t.Errorf("a = %+v", x.A)
	}
	if x.B.Kind != "adam" || x.B.Node != nil || x.B.Pos != (Pos{"c.yaml", 2, 4}) {
		t.Errorf("b = %+v", x.B)
	}
	if x.C == nil || x.C.Kind != "cosine" || x.C.Path != "c" {
		t.Errorf("c = %+v", x.C)
	}
	if len(x.L) != 1 || x.L[0].Kind != "mse" || x.L[0].Weight != 0.5 || len(x.L[0].Node.Content) != 2 || x.L[0].Node.Content[0].Value != "norm" || x.L[0].Path != "l[0]" {
		t.Errorf("l = %+v", x.L)
	}
	want := []string{
		"c.yaml:5:12: d[0].kind: expected a component name, got a list",
		`c.yaml:5:25: d[1].kind: expected a component name, got string ""`,
		"c.yaml:5:30: d[2]: expected a mapping with a kind key (or a name), got number 3",
	}
	got := errs.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("got %d errors, want %d:\n%s", len(errs), len(want), got)
	}
}

func f64(x float64) *float64 { return &x }

func TestExpectationCheck(t *testing.T) {
	cases := []struct {
		e     Expectation
		v     float64
		ok    bool
		bound string
	}{
		{Expectation{Max: f64(0.045)}, 0.01, true, "≤ 0.045"},
		{Expectation{Max: f64(0.045)}, 0.045, true, "≤ 0.045"},
		{Expectation{Max: f64(0.045)}, 0.05, false, "≤ 0.045"},
		{Expectation{Min: f64(1e-3)}, 1e-4, false, "≥ 0.001"},
		{Expectation{Min: f64(0), Max: f64(1)}, 0.5, true, "in [0, 1]"},
		{Expectation{Min: f64(0), Max: f64(1)}, -0.5, false, "in [0, 1]"},
		{Expectation{Value: f64(1), RTol: f64(0.1)}, 1.09, true, "1 ± 0.1 (rtol)"},
		{Expectation{Value: f64(1), RTol: f64(0.1)}, 1.11, false, "1 ± 0.1 (rtol)"},
		{Expectation{Value: f64(-2), RTol: f64(0.1)}, -2.19, true, "-2 ± 0.1 (rtol)"},
		{Expectation{Value: f64(0), ATol: f64(1e-3)}, -9e-4, true, "0 ± 0.001 (atol)"},
		{Expectation{Value: f64(10), RTol: f64(0.1), ATol: f64(0.5)}, 11.5, true, "10 ± 0.1 (rtol) + 0.5 (atol)"},
		{Expectation{Value: f64(10), RTol: f64(0.1), ATol: f64(0.5)}, 11.51, false, "10 ± 0.1 (rtol) + 0.5 (atol)"},
		{Expectation{Max: f64(1), Value: f64(0.5), ATol: f64(1)}, 1.2, false, "≤ 1 and 0.5 ± 1 (atol)"},
		{Expectation{Max: f64(1)}, math.NaN(), false, "≤ 1"},
		{Expectation{Max: f64(1)}, math.Inf(-1), true, "≤ 1"},
	}
	for _, c := range cases {
		ok, bound := c.e.Check(c.v)
		if ok != c.ok || bound != c.bound {
			t.Errorf("Check(%g) = %v, %q; want %v, %q", c.v, ok, bound, c.ok, c.bound)
		}
	}
}

func TestExpectationsDecode(t *testing.T) {
	src := "z.loss: {max: 0.1}\na: {min: 1, max: 2}\nm: {value: 3, rtol: 0.1, atol: 0}\n"
	var x Expectations
	if errs := Decode(node(t, src), &x, "expect", "x.yaml"); len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(x) != 3 || x[0].Metric != "z.loss" || x[1].Metric != "a" || x[2].Metric != "m" {
		t.Fatalf("order not kept: %+v", x)
	}
	if x[0].Pos != (Pos{"x.yaml", 1, 1}) || *x[2].ATol != 0 || *x[2].RTol != 0.1 {
		t.Errorf("decoded %+v", x)
	}
	bad := "a: {}\nb: {rtol: 1, max: 1}\nc: {min: 2, max: 1}\nd: {max: 1, atol: -1, value: 0}\n"
	errs := Decode(node(t, bad), &x, "expect", "x.yaml")
	want := []string{
		"x.yaml:1:4: expect.a: needs at least one bound: max, min or value",
		"x.yaml:2:11: expect.b.rtol: is a tolerance around value, which is missing",
		"x.yaml:3:10: expect.c.min: must not exceed max (1), got 2",
		"x.yaml:4:19: expect.d.atol: must be ≥ 0, got -1",
	}
	got := errs.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("got %d errors, want %d:\n%s", len(errs), len(want), got)
	}
}

func TestTimeGrid(t *testing.T) {
	g := TimeGrid{Start: 0, Stop: 0.3, Points: 4}
	ts := g.Times()
	if len(ts) != 4 || ts[0] != 0 || ts[3] != 0.3 || math.Abs(ts[1]-0.1) > 1e-15 || math.Abs(g.Dt()-0.1) > 1e-15 {
		t.Errorf("Times() = %v, Dt() = %g", ts, g.Dt())
	}
	if (TimeGrid{Points: 1}).Times() != nil {
		t.Errorf("a grid of one point has no times")
	}
}
