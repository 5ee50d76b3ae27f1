package spec

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// checks are the value checks of one field, parsed from its `spec:"..."` tag.
//
// Tag grammar (comma-separated, commas inside brackets do not split):
//
//	required        the key must be present (and a string, list or mapping
//	                must not be empty)
//	>0 >=0 <1 <=1   numeric bounds (also applied to each element of a list or
//	                mapping of numbers)
//	[0,1] (0,1]     numeric interval, closed with brackets, open with parentheses
//	oneof=a|b|c     the string must be one of the listed words
//	inf, nan        allow .inf / .nan for a float (rejected by default)
type checks struct {
	required bool
	bounds   []bound
	oneof    []string
	inf, nan bool
}

// bound is one numeric constraint: x op val, or an interval.
type bound struct {
	op       string // ">", ">=", "<", "<=", or "in" for an interval
	val      float64
	lo, hi   float64
	lop, hop bool // open ends of the interval
}

func (b bound) ok(x float64) bool {
	switch b.op {
	case ">":
		return x > b.val
	case ">=":
		return x >= b.val
	case "<":
		return x < b.val
	case "<=":
		return x <= b.val
	}
	if x < b.lo || b.lop && x == b.lo {
		return false
	}
	return !(x > b.hi || b.hop && x == b.hi)
}

func (b bound) String() string {
	switch b.op {
	case ">", "<":
		return b.op + " " + formatFloat(b.val)
	case ">=":
		return "≥ " + formatFloat(b.val)
	case "<=":
		return "≤ " + formatFloat(b.val)
	}
	l, r := "[", "]"
	if b.lop {
		l = "("
	}
	if b.hop {
		r = ")"
	}
	return "in " + l + formatFloat(b.lo) + ", " + formatFloat(b.hi) + r
}

// formatFloat renders x in the shortest form that reads back exactly.
func formatFloat(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return ".inf"
	case math.IsInf(x, -1):
		return "-.inf"
	case math.IsNaN(x):
		return ".nan"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// String renders the checks the way `ansatz list` shows them.
func (c checks) String() string {
	var parts []string
	if c.required {
		parts = append(parts, "required")
	}
	for _, b := range c.bounds {
		parts = append(parts, b.String())
	}
	if len(c.oneof) > 0 {
		parts = append(parts, "one of "+strings.Join(c.oneof, "|"))
	}
	if c.inf {
		parts = append(parts, "may be infinite")
	}
	if c.nan {
		parts = append(parts, "may be NaN")
	}
	return strings.Join(parts, ", ")
}

// parseChecks parses a `spec:"..."` tag.
func parseChecks(tag string) (checks, error) {
	var c checks
	for _, part := range splitTag(tag) {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
		case part == "required":
			c.required = true
		case part == "inf":
			c.inf = true
		case part == "nan":
			c.nan = true
		case strings.HasPrefix(part, "oneof="):
			words := strings.Split(strings.TrimPrefix(part, "oneof="), "|")
			for i, w := range words {
				words[i] = strings.TrimSpace(w)
				if words[i] == "" {
					return c, fmt.Errorf("empty word in %q", part)
				}
			}
			c.oneof = words
		case part[0] == '[' || part[0] == '(':
			b, err := parseInterval(part)
			if err != nil {
				return c, err
			}
			c.bounds = append(c.bounds, b)
		case part[0] == '>' || part[0] == '<':
			op := part[:1]
			if len(part) > 1 && part[1] == '=' {
				op = part[:2]
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(part[len(op):]), 64)
			if err != nil {
				return c, fmt.Errorf("bad bound %q: %w", part, err)
			}
			c.bounds = append(c.bounds, bound{op: op, val: v})
		default:
			return c, fmt.Errorf("unknown check %q", part)
		}
	}
	return c, nil
}

func parseInterval(s string) (bound, error) {
	b := bound{op: "in", lop: s[0] == '(', hop: strings.HasSuffix(s, ")")}
	if !strings.HasSuffix(s, "]") && !b.hop {
		return b, fmt.Errorf("bad interval %q", s)
	}
	lo, hi, ok := strings.Cut(s[1:len(s)-1], ",")
	if !ok {
		return b, fmt.Errorf("bad interval %q: want [lo,hi]", s)
	}
	var err1, err2 error
	b.lo, err1 = strconv.ParseFloat(strings.TrimSpace(lo), 64)
	b.hi, err2 = strconv.ParseFloat(strings.TrimSpace(hi), 64)
	if err1 != nil || err2 != nil || b.lo > b.hi {
		return b, fmt.Errorf("bad interval %q", s)
	}
	return b, nil
}

// splitTag splits at commas that are not inside brackets or parentheses.
func splitTag(tag string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(tag); i++ {
		switch tag[i] {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, tag[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, tag[start:])
}

// fieldInfo describes one decodable struct field.
type fieldInfo struct {
	name      string // yaml key
	index     []int  // path through inline structs
	typ       reflect.Type
	doc       string
	omitEmpty bool
	chk       checks
}

// structFields lists the yaml-tagged fields of struct type t in declaration
// order, flattening `yaml:",inline"` structs. Errors are programming errors
// in the tags.
func structFields(t reflect.Type) ([]fieldInfo, error) {
	var out []fieldInfo
	seen := map[string]bool{}
	var walk func(t reflect.Type, prefix []int) error
	walk = func(t reflect.Type, prefix []int) error {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag, ok := sf.Tag.Lookup("yaml")
			if !ok || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			index := append(append([]int(nil), prefix...), i)
			inline, omitEmpty := false, false
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "inline":
					inline = true
				case "omitempty":
					omitEmpty = true
				case "", "flow":
				default:
					return fmt.Errorf("field %s: unknown yaml tag option %q", sf.Name, o)
				}
			}
			if !sf.IsExported() && !(sf.Anonymous && inline) {
				return fmt.Errorf("field %s: yaml-tagged field must be exported", sf.Name)
			}
			if inline {
				if sf.Type.Kind() != reflect.Struct {
					return fmt.Errorf("field %s: inline needs a struct, got %s", sf.Name, sf.Type)
				}
				if err := walk(sf.Type, index); err != nil {
					return err
				}
				continue
			}
			if name == "" {
				return fmt.Errorf("field %s: yaml tag needs a name", sf.Name)
			}
			if seen[name] {
				return fmt.Errorf("field %s: duplicate yaml key %q", sf.Name, name)
			}
			seen[name] = true
			chk, err := parseChecks(sf.Tag.Get("spec"))
			if err != nil {
				return fmt.Errorf("field %s: spec tag: %w", sf.Name, err)
			}
			out = append(out, fieldInfo{
				name: name, index: index, typ: sf.Type, doc: sf.Tag.Get("doc"),
				omitEmpty: omitEmpty, chk: chk,
			})
		}
		return nil
	}
	if err := walk(t, nil); err != nil {
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	return out, nil
}

// CheckType reports programming errors in the yaml and spec tags of the type
// of v (a value or pointer), recursing into nested structs, pointers, slices
// and maps. The registry calls it when a component registers, so bad tags
// fail at start-up instead of when a user's spec is decoded.
func CheckType(v any) error {
	t := reflect.TypeOf(v)
	if t == nil {
		return fmt.Errorf("spec.CheckType: nil value")
	}
	return checkType(t, map[reflect.Type]bool{})
}

func checkType(t reflect.Type, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	if t == nodeType || reflect.PointerTo(t).Implements(decoderType) {
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return checkType(t.Elem(), seen)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("%s: map keys must be strings", t)
		}
		return checkType(t.Elem(), seen)
	case reflect.Struct:
		fields, err := structFields(t)
		if err != nil {
			return err
		}
		for _, f := range fields {
			if err := checkType(f.typ, seen); err != nil {
				return err
			}
		}
		return nil
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return fmt.Errorf("%s: only the empty interface can be decoded", t)
		}
		return nil
	case reflect.String, reflect.Bool, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return nil
	}
	return fmt.Errorf("%s: cannot be decoded from YAML", t)
}

// Field describes one YAML field of an options struct, as Decode sees it.
type Field struct {
	// Name is the YAML key.
	Name string
	// Index is the path to the field through inline structs, for
	// reflect.Value.FieldByIndex.
	Index []int
	// Type is the Go type of the field.
	Type reflect.Type
	// Doc is the field's `doc:"..."` tag.
	Doc string
	// Required is set by `spec:"required"`.
	Required bool
	// Check describes the field's value checks, e.g. "required, > 0".
	Check string
}

// Fields lists the YAML fields of struct type t in declaration order, with
// `yaml:",inline"` structs flattened, as Decode sees them. It fails on tag
// errors (a programming error). The registry uses it to list options.
func Fields(t reflect.Type) ([]Field, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s is not a struct", t)
	}
	fs, err := structFields(t)
	if err != nil {
		return nil, err
	}
	out := make([]Field, len(fs))
	for i, f := range fs {
		out[i] = Field{Name: f.name, Index: f.index, Type: f.typ, Doc: f.doc, Required: f.chk.required, Check: f.chk.String()}
	}
	return out, nil
}
