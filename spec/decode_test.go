package spec

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// testInner is a nested options struct with a cross-field check.
type testInner struct {
	Lo float64 `yaml:"lo"`
	Hi float64 `yaml:"hi"`
}

func (t *testInner) Validate() error {
	if t.Hi < t.Lo {
		return FieldErrorf("hi", "must be ≥ lo (%g), got %g", t.Lo, t.Hi)
	}
	return nil
}

type testShared struct {
	Norm string `yaml:"norm" spec:"oneof=squared|absolute"`
}

type testOptions struct {
	Name       string             `yaml:"name" spec:"required"`
	Steps      int                `yaml:"steps" spec:">0"`
	Rate       float64            `yaml:"rate" spec:"[0,1]"`
	Scale      float64            `yaml:"scale"`
	Limit      float64            `yaml:"limit" spec:"inf"`
	Seed       uint64             `yaml:"seed"`
	Small      int8               `yaml:"small"`
	On         bool               `yaml:"on"`
	Hidden     []int              `yaml:"hidden" spec:">0"`
	Params     map[string]float64 `yaml:"params"`
	Inner      testInner          `yaml:"inner"`
	Opt        *testInner         `yaml:"opt"`
	Raw        yaml.Node          `yaml:"raw"`
	RawPtr     *yaml.Node         `yaml:"raw_ptr"`
	Any        any                `yaml:"any"`
	Expr       Expr               `yaml:"expr"`
	Pair       [2]float64         `yaml:"pair"`
	Untagged   int
	Skipped    int `yaml:"-"`
	testShared `yaml:",inline"`
}

func defaultTestOptions() *testOptions {
	return &testOptions{Steps: 10, Rate: 0.5, Scale: 2, Hidden: []int{8, 8}, Inner: testInner{Lo: 0, Hi: 1}, testShared: testShared{Norm: "squared"}}
}

func node(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatalf("bad test YAML: %v", err)
	}
	return &n
}

func TestDecodeValuesAndDefaults(t *testing.T) {
	src := `
name: x
rate: 1e-3
scale: 1E5
limit: .inf
seed: 18446744073709551615
small: -128
on: true
hidden: [16, 32, 64]
params: {k: 2, m: 0.5}
inner: {hi: 3}
opt: {lo: 1, hi: 2}
raw: {anything: [goes, here]}
raw_ptr: [1, 2]
any: {a: [1, 2]}
expr: "p^2/2"
pair: [1, 2.5]
norm: absolute
`
	o := defaultTestOptions()
	if errs := Decode(node(t, src), o, "", "f.yaml"); len(errs) > 0 {
		t.Fatalf("unexpected errors:\n%v", errs)
	}
	if o.Steps != 10 {
		t.Errorf("steps: absent key must keep default 10, got %d", o.Steps)
	}
	if o.Rate != 1e-3 || o.Scale != 1e5 {
		t.Errorf("rate, scale = %g, %g; want 1e-3, 1e5", o.Rate, o.Scale)
	}
	if !math.IsInf(o.Limit, 1) {
		t.Errorf("limit = %g, want +Inf (allowed by the inf check)", o.Limit)
	}
	if o.Seed != math.MaxUint64 || o.Small != -128 || !o.On {
		t.Errorf("seed, small, on = %d, %d, %v", o.Seed, o.Small, o.On)
	}
	if len(o.Hidden) != 3 || o.Hidden[2] != 64 {
		t.Errorf("hidden = %v", o.Hidden)
	}
	if o.Params["k"] != 2 || o.Params["m"] != 0.5 {
		t.Errorf("params = %v", o.Params)
	}
	if o.Inner.Lo != 0 || o.Inner.Hi != 3 {
		t.Errorf("inner = %+v: lo must keep its default", o.Inner)
	}
	if o.Opt == nil || o.Opt.Lo != 1 || o.Opt.Hi != 2 {
		t.Errorf("opt = %+v", o.Opt)
	}
	if o.Raw.Kind != yaml.MappingNode || o.RawPtr == nil || o.RawPtr.Kind != yaml.SequenceNode {
		t.Errorf("raw nodes not passed through: %v %v", o.Raw.Kind, o.RawPtr)
	}
	if m, ok := o.Any.(map[string]any); !ok || len(m["a"].([]any)) != 2 {
		t.Errorf("any = %#v", o.Any)
	}
	if o.Expr.Text != "p^2/2" || o.Expr.Quoted != '"' || o.Expr.Pos.Line != 16 || o.Expr.Pos.Col != 7 {
		t.Errorf("expr = %+v", o.Expr)
	}
	if o.Pair != [2]float64{1, 2.5} {
		t.Errorf("pair = %v", o.Pair)
	}
	if o.Norm != "absolute" {
		t.Errorf("inline norm = %q", o.Norm)
	}
}

func TestDecodeNullAndIntegralFloat(t *testing.T) {
	o := defaultTestOptions()
	o.Opt = &testInner{Hi: 1}
	errs := Decode(node(t, "name: x\nsteps: 1e4\nopt: null\nhidden: ~\ninner:\n"), o, "", "f.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if o.Steps != 10000 {
		t.Errorf("steps: 1e4 must decode as 10000, got %d", o.Steps)
	}
	if o.Opt != nil || o.Hidden != nil {
		t.Errorf("null must clear pointers and lists: opt=%v hidden=%v", o.Opt, o.Hidden)
	}
	if o.Inner.Hi != 1 {
		t.Errorf("an empty mapping must keep defaults, got %+v", o.Inner)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // substrings of the rendered errors, in order
	}{
		{"unknown key with hint", "name: x\nstpes: 3", []string{`f.yaml:2:1: opts: unknown key "stpes" (did you mean "steps"?)`}},
		{"unknown key lists keys", "name: x\nzzzzzz: 3", []string{`unknown key "zzzzzz"; valid keys: name, steps, rate`}},
		{"wrong type string", "name: x\nsteps: abc", []string{`f.yaml:2:8: opts.steps: expected an integer, got string "abc"`}},
		{"wrong type float", "name: x\nrate: [1]", []string{`opts.rate: expected a number, got a list`}},
		{"fractional int", "name: x\nsteps: 1.5", []string{`opts.steps: expected an integer, got number 1.5`}},
		{"negative uint", "name: x\nseed: -1", []string{`opts.seed: expected a non-negative integer, got number -1`}},
		{"overflow", "name: x\nsmall: 300", []string{`opts.small: 300 is out of range`}},
		{"bool", "name: x\non: yes", []string{`opts.on: expected true or false, got string "yes"`}},
		{"scalar for list", "name: x\nhidden: 64", []string{`opts.hidden: expected a list, got number 64 (write [64] for a list of one)`}},
		{"list element", "name: x\nhidden: [8, -1]", []string{`f.yaml:2:13: opts.hidden[1]: must be > 0, got -1`}},
		{"missing required", "steps: 3", []string{`f.yaml:1:1: opts: missing required key "name"`}},
		{"empty required", "name: ''", []string{`f.yaml:1:7: opts.name: must not be empty`}},
		{"out of range", "name: x\nsteps: -3", []string{`f.yaml:2:8: opts.steps: must be > 0, got -3`}},
		{"interval", "name: x\nrate: 1.5", []string{`opts.rate: must be in [0, 1], got 1.5`}},
		{"inf rejected", "name: x\nscale: .inf", []string{`opts.scale: must be finite, got .inf`}},
		{"nan rejected", "name: x\nscale: .nan", []string{`opts.scale: must be a number, got .nan`}},
		{"oneof", "name: x\nnorm: sqared", []string{`opts.norm: must be one of squared, absolute; got "sqared" (did you mean "squared"?)`}},
		{"duplicate key", "name: x\nsteps: 1\nsteps: 2", []string{`f.yaml:3:1: opts.steps: duplicate key (first set at line 2)`}},
		{"validate field error", "name: x\ninner: {lo: 2, hi: 1}", []string{`f.yaml:2:20: opts.inner.hi: must be ≥ lo (2), got 1`}},
		{"struct wants mapping", "name: x\ninner: 3", []string{`opts.inner: expected a mapping, got number 3`}},
		{"array length", "name: x\npair: [1]", []string{`opts.pair: expected a list of 2 values, got 1`}},
		{"untagged is unknown", "name: x\nUntagged: 1", []string{`unknown key "Untagged"`}},
		{"all at once", "stpes: 3\nrate: 2\nhidden: x", []string{
			`1:1: opts: missing required key "name"`,
			`1:1: opts: unknown key "stpes"`,
			`2:7: opts.rate: must be in [0, 1], got 2`,
			`3:9: opts.hidden: expected a list`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := Decode(node(t, c.src), defaultTestOptions(), "opts", "f.yaml")
			got := errs.Error()
			if len(errs) != len(c.want) {
				t.Errorf("got %d errors, want %d:\n%s", len(errs), len(c.want), got)
			}
			rest := got
			for _, w := range c.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing %q in:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestDecodeMergeKeys(t *testing.T) {
	src := `
base: &base {name: x, steps: 5, rate: 0.1}
opts:
  <<: *base
  steps: 7
`
	var wrapper struct {
		Base yaml.Node   `yaml:"base"`
		Opts testOptions `yaml:"opts"`
	}
	wrapper.Opts = *defaultTestOptions()
	if errs := Decode(node(t, src), &wrapper, "", "f.yaml"); len(errs) > 0 {
		t.Fatal(errs)
	}
	if o := wrapper.Opts; o.Name != "x" || o.Steps != 7 || o.Rate != 0.1 {
		t.Errorf("merge: got name=%q steps=%d rate=%g; want x, 7 (explicit wins), 0.1", o.Name, o.Steps, o.Rate)
	}
}

func TestDecodeValidateStructError(t *testing.T) {
	var g TimeGrid
	errs := Decode(node(t, "{start: 2, stop: 1, points: 1}"), &g, "t", "f.yaml")
	got := errs.Error()
	for _, w := range []string{`f.yaml:1:18: t.stop: must be greater than start (2), got 1`, `f.yaml:1:29: t.points: must be ≥ 2, got 1`} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	// A field that failed to decode is not blamed again by Validate.
	errs = Decode(node(t, "{stop: x, points: 3}"), &g, "t", "f.yaml")
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "expected a number") {
		t.Errorf("want only the type error, got:\n%v", errs)
	}
}

func TestDecodeHostileAliases(t *testing.T) {
	// a1 holds 10 copies of a0, a2 10 copies of a1, …: 10^9 values once
	// expanded. Decoding must stop at the value budget, not hang.
	var b strings.Builder
	b.WriteString("a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	var deep [][][][][][][][][]int
	errs := Decode(lookupKey(node(t, b.String()).Content[0], "a8"), &deep, "", "f.yaml")
	if len(errs) != 1 || !strings.Contains(errs.Error(), "too many values") {
		t.Fatalf("expected the value budget to stop an exploding alias tree, got %v", errs)
	}
}

func TestDecodeInternalErrors(t *testing.T) {
	type bad struct {
		C chan int `yaml:"c"`
	}
	errs := Decode(node(t, "c: 1"), &bad{}, "", "f.yaml")
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "internal error") {
		t.Errorf("want an internal error, got %v", errs)
	}
	if err := CheckType(&bad{}); err == nil {
		t.Errorf("CheckType must reject chan fields")
	}
	type badTag struct {
		X int `yaml:"x" spec:">>0"`
	}
	if err := CheckType(badTag{}); err == nil {
		t.Errorf("CheckType must reject a malformed spec tag")
	}
	if err := CheckType(defaultTestOptions()); err != nil {
		t.Errorf("CheckType(testOptions) = %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("Decode into a non-pointer must panic")
		}
	}()
	Decode(node(t, "a: 1"), testOptions{}, "", "f.yaml")
}

func TestFieldErrorJoined(t *testing.T) {
	err := errors.Join(FieldErrorf("a", "bad"), &FieldError{Field: "b", Msg: "worse"})
	if got := len(flatten(err)); got != 2 {
		t.Errorf("flatten(join of 2) = %d errors", got)
	}
}

func TestSpecTagParsing(t *testing.T) {
	c, err := parseChecks("required,>0,[0,1],(0,2),oneof=a|b,inf")
	if err != nil {
		t.Fatal(err)
	}
	if !c.required || len(c.bounds) != 3 || len(c.oneof) != 2 || !c.inf {
		t.Errorf("parsed %+v", c)
	}
	checksOK := []struct {
		x  float64
		ok bool
	}{{0.5, true}, {0, false}, {1, true}, {1.5, false}}
	for _, k := range checksOK {
		ok := true
		for _, b := range c.bounds {
			ok = ok && b.ok(k.x)
		}
		if ok != k.ok {
			t.Errorf("x=%g: ok=%v, want %v", k.x, ok, k.ok)
		}
	}
	if got := c.String(); got != "required, > 0, in [0, 1], in (0, 2), one of a|b, may be infinite" {
		t.Errorf("String() = %q", got)
	}
	for _, bad := range []string{"big", ">x", "[1,0]", "[0;1]", "oneof=a||b"} {
		if _, err := parseChecks(bad); err == nil {
			t.Errorf("parseChecks(%q) accepted", bad)
		}
	}
}
