package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// CheckSchema validates doc (a YAML document decoded into any) against the
// JSON Schema root and returns the violations. It is a small draft-07
// validator covering the keywords Schema emits; exported for the external
// test that checks the shipped experiments against the registry's schema.
func CheckSchema(root map[string]any, doc any) []string {
	v := &schemaChecker{root: root}
	v.check(root, doc, "")
	return v.errs
}

type schemaChecker struct {
	root map[string]any
	errs []string
}

func (v *schemaChecker) resolve(s map[string]any) map[string]any {
	for i := 0; i < 100; i++ {
		r, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name := strings.TrimPrefix(r, "#/definitions/")
		s = v.root["definitions"].(map[string]any)[name].(map[string]any)
	}
	return s
}

// valid reports whether x fits s without recording errors.
func (v *schemaChecker) valid(s any, x any) bool {
	sub := &schemaChecker{root: v.root}
	sub.check(s, x, "")
	return len(sub.errs) == 0
}

func number(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func jsonType(x any) []string {
	switch x.(type) {
	case nil:
		return []string{"null"}
	case bool:
		return []string{"boolean"}
	case string:
		return []string{"string"}
	case []any:
		return []string{"array"}
	case map[string]any:
		return []string{"object"}
	}
	if f, ok := number(x); ok {
		if f == math.Trunc(f) {
			return []string{"number", "integer"}
		}
		return []string{"number"}
	}
	return []string{fmt.Sprintf("%T", x)}
}

func (v *schemaChecker) check(sa any, x any, path string) {
	if b, ok := sa.(bool); ok {
		if !b {
			v.errs = append(v.errs, path+": not allowed")
		}
		return
	}
	s := v.resolve(sa.(map[string]any))
	fail := func(format string, args ...any) { v.errs = append(v.errs, path+": "+fmt.Sprintf(format, args...)) }
	if t, ok := s["type"]; ok {
		var want []string
		switch t := t.(type) {
		case string:
			want = []string{t}
		case []any:
			for _, w := range t {
				want = append(want, w.(string))
			}
		}
		if !slices.ContainsFunc(jsonType(x), func(g string) bool { return slices.Contains(want, g) }) {
			fail("type %v, want %v", jsonType(x), want)
			return
		}
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(w any) bool { return reflect.DeepEqual(w, x) }) {
		fail("%v not in enum %v", x, e)
	}
	if c, ok := s["const"]; ok && !reflect.DeepEqual(c, x) {
		fail("%v is not %v", x, c)
	}
	if f, ok := number(x); ok {
		if m, ok := s["minimum"].(float64); ok && f < m {
			fail("%v < minimum %v", f, m)
		}
		if m, ok := s["maximum"].(float64); ok && f > m {
			fail("%v > maximum %v", f, m)
		}
		if m, ok := s["exclusiveMinimum"].(float64); ok && f <= m {
			fail("%v ≤ exclusiveMinimum %v", f, m)
		}
		if m, ok := s["exclusiveMaximum"].(float64); ok && f >= m {
			fail("%v ≥ exclusiveMaximum %v", f, m)
		}
	}
	if str, ok := x.(string); ok {
		if m, ok := s["minLength"].(float64); ok && float64(len(str)) < m {
			fail("shorter than %v", m)
		}
	}
	if arr, ok := x.([]any); ok {
		if m, ok := s["minItems"].(float64); ok && float64(len(arr)) < m {
			fail("fewer than %v items", m)
		}
		if m, ok := s["maxItems"].(float64); ok && float64(len(arr)) > m {
			fail("more than %v items", m)
		}
		if it, ok := s["items"]; ok {
			for i, e := range arr {
				v.check(it, e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	if obj, ok := x.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := obj[r.(string)]; !ok {
					fail("missing required %q", r)
				}
			}
		}
		if m, ok := s["minProperties"].(float64); ok && float64(len(obj)) < m {
			fail("fewer than %v properties", m)
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if ps, ok := props[k]; ok {
				v.check(ps, obj[k], JoinPath(path, k))
			} else if ap, ok := s["additionalProperties"]; ok {
				if b, isBool := ap.(bool); isBool && !b {
					fail("unknown key %q", k)
				} else if !isBool {
					v.check(ap, obj[k], JoinPath(path, k))
				}
			}
		}
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, a := range all {
			v.check(a, x, path)
		}
	}
	if anyOf, ok := s["anyOf"].([]any); ok && !slices.ContainsFunc(anyOf, func(a any) bool { return v.valid(a, x) }) {
		// Report the branch of the right type, for a readable message.
		for _, a := range anyOf {
			if t, ok := v.resolve(a.(map[string]any))["type"].(string); ok && slices.Contains(jsonType(x), t) {
				v.check(a, x, path)
				return
			}
		}
		fail("fits no anyOf branch")
	}
	if oneOf, ok := s["oneOf"].([]any); ok {
		n := 0
		for _, a := range oneOf {
			if v.valid(a, x) {
				n++
			}
		}
		if n != 1 {
			fail("fits %d oneOf branches, want 1", n)
		}
	}
	if not, ok := s["not"]; ok && v.valid(not, x) {
		fail("matches not")
	}
	if cond, ok := s["if"]; ok {
		if v.valid(cond, x) {
			if th, ok := s["then"]; ok {
				v.check(th, x, path)
			}
		} else if el, ok := s["else"]; ok {
			v.check(el, x, path)
		}
	}
}

// schemaOf generates the schema and decodes it as generic JSON.
func schemaOf(t *testing.T, components func(string) []ComponentSchema) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := Schema(&buf, components); err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(buf.Bytes(), &root); err != nil {
		t.Fatalf("schema is not valid JSON: %v", err)
	}
	return root
}

// yamlDoc decodes YAML into generic values as a schema validator sees them.
func yamlDoc(t *testing.T, src string) any {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

type fakeHNN struct {
	Hidden     []int  `yaml:"hidden" spec:"required,>0" doc:"widths"`
	Activation string `yaml:"activation" spec:"oneof=tanh|relu" doc:"nonlinearity"`
}

type fakeSystem struct {
	Hamiltonian Expr      `yaml:"hamiltonian" spec:"required" doc:"H"`
	Initial     Component `yaml:"initial" doc:"sampler"`
}

func fakeComponents(kind string) []ComponentSchema {
	switch kind {
	case "model":
		return []ComponentSchema{{Name: "mlp", Doc: "a plain MLP"}, {Name: "hnn", Doc: "Hamiltonian NN", Options: &fakeHNN{Hidden: []int{200}, Activation: "tanh"}}}
	case "system":
		return []ComponentSchema{{Name: "hamiltonian", Doc: "H(q, p)", Options: &fakeSystem{}}}
	case "sampler":
		return []ComponentSchema{{Name: "radius", Doc: "ring"}}
	}
	return nil
}

func TestSchemaStructure(t *testing.T) {
	root := schemaOf(t, fakeComponents)
	if root["$schema"] != "http://json-schema.org/draft-07/schema#" {
		t.Errorf("$schema = %v", root["$schema"])
	}
	props := root["properties"].(map[string]any)
	for _, k := range []string{"name", "description", "seed", "init_from", "system", "data", "model", "losses", "train", "evaluate", "analyses", "expect", "extends", "sweep"} {
		if _, ok := props[k]; !ok {
			t.Errorf("top-level property %q missing", k)
		}
	}
	if len(props) != 14 {
		t.Errorf("%d top-level properties, want 14", len(props))
	}
	defs := root["definitions"].(map[string]any)
	full := defs["spec"].(map[string]any)
	if got := fmt.Sprint(full["required"]); got != "[name data model losses train]" {
		t.Errorf("required = %s", got)
	}
	if _, ok := root["required"]; ok {
		t.Errorf("the root (a file may extend another) must not require keys")
	}
	model := defs["component.model"].(map[string]any)
	if got := fmt.Sprint(model["anyOf"].([]any)[0].(map[string]any)["enum"]); got != "[hnn mlp]" {
		t.Errorf("model kind enum = %s", got)
	}
	hnn := defs["model.hnn"].(map[string]any)
	hp := hnn["properties"].(map[string]any)
	if fmt.Sprint(hp["hidden"].(map[string]any)["default"]) != "[200]" || fmt.Sprint(hp["activation"].(map[string]any)["enum"]) != "[tanh relu]" || hnn["additionalProperties"] != false {
		t.Errorf("hnn options: %v", hnn)
	}
	train := full["properties"].(map[string]any)["train"].(map[string]any)["properties"].(map[string]any)
	if steps := train["steps"].(map[string]any); steps["type"] != "integer" || steps["minimum"] != 0.0 || !strings.HasPrefix(steps["description"].(string), "number of optimisation steps") {
		t.Errorf("train.steps: %v", steps)
	}
	if _, ok := defs["component.sampler"]; !ok {
		t.Errorf("nested initial: should be a sampler component")
	}
	// Deterministic output.
	var a, b bytes.Buffer
	_ = Schema(&a, fakeComponents)
	_ = Schema(&b, fakeComponents)
	if a.String() != b.String() {
		t.Errorf("Schema output differs between calls")
	}
}

func TestSchemaValidates(t *testing.T) {
	root := schemaOf(t, fakeComponents)
	base := `name: s
system: {kind: hamiltonian, hamiltonian: "p^2/2", initial: radius}
data: {kind: trajectories}
model: {kind: hnn, hidden: [64, 64]}
losses: [{kind: hnn, weight: 2}]
train: {steps: 100, batch: full}
`
	cases := []struct {
		name string
		src  string
		want string // substring of a violation; "" for valid
	}{
		{"valid", base, ""},
		{"bare model", strings.Replace(base, "{kind: hnn, hidden: [64, 64]}", "mlp", 1), ""},
		{"unknown top-level key", base + "analysis: []\n", `unknown key "analysis"`},
		{"missing required", strings.Replace(base, "name: s\n", "", 1), `missing required "name"`},
		{"extends lifts required", "extends: base.yaml\nseed: 1\n", ""},
		{"unknown model", strings.Replace(base, "kind: hnn, hidden", "kind: hnm, hidden", 1), "not in enum"},
		{"unknown option", strings.Replace(base, "hidden: [64, 64]", "hiden: [64]", 1), `unknown key "hiden"`},
		{"bad enum option", strings.Replace(base, "hidden: [64, 64]", "hidden: [3], activation: elu", 1), "not in enum"},
		{"range", strings.Replace(base, "steps: 100", "steps: -1", 1), "minimum"},
		{"batch", strings.Replace(base, "batch: full", "batch: ful", 1), "train.batch"},
		{"sweep", base + "sweep: {grid: {train.steps: [1, 2]}, seeds: [0, 1], random: {count: 2, params: {x: {uniform: [0, 1]}}}}\n", ""},
		{"bad sweep", base + "sweep: {grid: {train.steps: []}}\n", "fewer than 1 items"},
		{"bad distribution", base + "sweep: {random: {count: 2, params: {x: {unifrom: [0, 1]}}}}\n", "oneOf"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			errs := CheckSchema(root, yamlDoc(t, tt.src))
			msg := strings.Join(errs, "\n")
			if tt.want == "" && len(errs) > 0 || tt.want != "" && !strings.Contains(msg, tt.want) {
				t.Errorf("violations:\n%s\nwant %q", msg, tt.want)
			}
		})
	}
}

func TestSchemaFitsShippedExperiments(t *testing.T) {
	root := schemaOf(t, nil)
	files, _ := filepath.Glob("../experiments/*.yaml")
	files = append(files, "testdata/spring.yaml", "testdata/lax.yaml")
	if len(files) < 3 {
		t.Fatalf("found %d experiments", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if errs := CheckSchema(root, yamlDoc(t, string(src))); len(errs) > 0 {
			t.Errorf("%s does not fit the schema:\n%s", f, strings.Join(errs, "\n"))
		}
	}
}
