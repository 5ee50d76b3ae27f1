package registry

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"ansatz/spec"
)

// Option describes one option of a module, for `ansatz list`.
type Option struct {
	// Name is the YAML key; options of nested structs are dotted ("t.stop").
	Name string
	// Type is a short type name: int, float, string, bool, []int,
	// map[string]float, component, expression, …
	Type string
	// Default is the default value formatted as YAML ("" when there is none).
	Default string
	// Doc is the field's `doc:"..."` tag.
	Doc string
	// Check describes the value checks of the `spec:"..."` tag, e.g.
	// "required, > 0".
	Check string
}

var (
	componentType = reflect.TypeFor[spec.Component]()
	exprType      = reflect.TypeFor[spec.Expr]()
	nodeType      = reflect.TypeFor[yaml.Node]()
	decoderType   = reflect.TypeFor[spec.Decoder]()
	defaulterType = reflect.TypeFor[spec.Defaulter]()
	stringerType  = reflect.TypeFor[fmt.Stringer]()
)

// Options lists the options of m in declaration order, walking the struct
// that m.New returns: nested structs (and pointers to structs) are
// flattened into dotted names, inline structs into their parent.
func Options(m Module) []Option {
	if m.New == nil {
		return nil
	}
	var out []Option
	walkOptions(reflect.ValueOf(m.New()), "", &out, 0)
	return out
}

// leaf reports whether t is listed as one option rather than walked into.
func leaf(t reflect.Type) bool {
	return t.Kind() != reflect.Struct || t == componentType || t == exprType || t == nodeType ||
		reflect.PointerTo(t).Implements(decoderType)
}

func walkOptions(v reflect.Value, prefix string, out *[]Option, depth int) {
	if depth > 16 {
		return
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v = reflect.New(v.Type().Elem())
			if v.Type().Implements(defaulterType) {
				v.Interface().(spec.Defaulter).SetDefaults()
			}
		}
		v = v.Elem()
	}
	fields, err := spec.Fields(v.Type())
	if err != nil {
		return
	}
	for _, f := range fields {
		fv := v.FieldByIndex(f.Index)
		name := prefix + f.Name
		t := f.Type
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if !leaf(t) {
			walkOptions(fv, name+".", out, depth+1)
			continue
		}
		*out = append(*out, Option{
			Name:    name,
			Type:    typeName(f.Type),
			Default: formatDefault(fv, f.Required),
			Doc:     f.Doc,
			Check:   f.Check,
		})
	}
}

// typeName gives a short, user-facing name of a Go type.
func typeName(t reflect.Type) string {
	switch {
	case t == componentType:
		return "component"
	case t == exprType:
		return "expression"
	case t == nodeType:
		return "any"
	case reflect.PointerTo(t).Implements(decoderType):
		return strings.ToLower(t.Name())
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "int"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "uint"
	case reflect.Float32, reflect.Float64:
		return "float"
	case reflect.Slice:
		return "[]" + typeName(t.Elem())
	case reflect.Array:
		return "[" + strconv.Itoa(t.Len()) + "]" + typeName(t.Elem())
	case reflect.Map:
		return "map[string]" + typeName(t.Elem())
	case reflect.Interface:
		return "any"
	case reflect.Struct:
		return strings.ToLower(t.Name())
	}
	return t.String()
}

// formatDefault renders a default value the way it would be written in YAML;
// zero values of required options and empty values render as "".
func formatDefault(v reflect.Value, required bool) string {
	if required && v.IsZero() {
		return ""
	}
	return format(v, 0)
}

func format(v reflect.Value, depth int) string {
	if depth > 8 || !v.IsValid() {
		return ""
	}
	t := v.Type()
	switch {
	case t == componentType:
		c := v.Interface().(spec.Component)
		if c.Kind == "" {
			return ""
		}
		return "{kind: " + c.Kind + "}"
	case t == exprType:
		return v.Interface().(spec.Expr).Text
	case t == nodeType:
		return ""
	case t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && t.Implements(stringerType):
		return v.Interface().(fmt.Stringer).String()
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return format(v.Elem(), depth+1)
	case reflect.String:
		s := v.String()
		if s == "" {
			return ""
		}
		if strings.ContainsAny(s, ",:{}[]#&*!|>'\"%@`") || strings.TrimSpace(s) != s {
			return strconv.Quote(s)
		}
		return s
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			return ""
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = format(v.Index(i), depth+1)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		if v.Len() == 0 {
			return ""
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k.String() + ": " + format(v.MapIndex(k), depth+1)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.Struct:
		fields, err := spec.Fields(t)
		if err != nil {
			return ""
		}
		var parts []string
		for _, f := range fields {
			if s := format(v.FieldByIndex(f.Index), depth+1); s != "" {
				parts = append(parts, f.Name+": "+s)
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v.Interface())
}
