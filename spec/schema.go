package spec

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
)

// ComponentSchema describes one registered component to Schema: what a spec
// writes as its kind, a one-line description, and its options.
type ComponentSchema struct {
	// Name is the component's kind value, e.g. "hnn".
	Name string
	// Doc is its one-line description.
	Doc string
	// Options is a pointer to its options struct holding the defaults (what
	// the registry's New returns); nil for a component without options.
	Options any
}

// ComponentKinds are the registry kinds a spec's components belong to, in
// the order Schema lists them.
var componentKinds = []string{"system", "data", "model", "loss", "optimizer", "schedule", "integrator", "sampler", "analysis"}

// nestedKinds maps the yaml name of a Component field inside options to its
// registry kind, when the name is not itself a kind. A field may also say
// its kind with a `kind:"sampler"` tag.
var nestedKinds = map[string]string{"initial": "sampler"}

// Schema writes a JSON Schema (draft-07, which yaml-language-server and most
// editors support) of the spec format to w, generated from the Spec types:
// yaml tags name the properties, doc tags describe them, spec tags give
// required keys, bounds and enums, and defaults come from NewSpec and from
// each component's Options.
//
// components returns the registered components of a registry kind ("system",
// "data", "model", "loss", "optimizer", "schedule", "integrator", "sampler",
// "analysis"); each component mapping is then checked against the options of
// the component its kind names (an enum of the names, with one if/then per
// name). A nil func, or a kind without components, accepts any kind name and
// any options. The package cannot import the registry (which imports it), so
// the caller passes its content, e.g.
//
//	spec.Schema(os.Stdout, func(kind string) []spec.ComponentSchema {
//		var out []spec.ComponentSchema
//		for _, m := range registry.Modules(registry.Kind(kind)) {
//			out = append(out, spec.ComponentSchema{Name: m.Name, Doc: m.Doc, Options: m.New()})
//		}
//		return out
//	})
//
// Required keys are enforced only in a file without extends: (a file that
// extends another may leave them to its base). The output is deterministic.
func Schema(w io.Writer, components func(kind string) []ComponentSchema) error {
	b := &schemaBuilder{components: components, defs: map[string]any{}, comps: map[string][]ComponentSchema{}}
	full, err := b.spec(false)
	if err != nil {
		return err
	}
	partial, err := b.spec(true)
	if err != nil {
		return err
	}
	b.defs["spec"] = full
	root := map[string]any{
		"$schema":     "http://json-schema.org/draft-07/schema#",
		"title":       "ansatz experiment spec",
		"description": "An ansatz experiment: a physical system, data, a network, losses, training, analyses and expectations.",
		"if":          map[string]any{"not": map[string]any{"required": []string{"extends"}}},
		"then":        ref("spec"),
		"definitions": b.defs,
	}
	for k, v := range partial {
		root[k] = v
	}
	out, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return fmt.Errorf("spec schema: %w", err)
	}
	if _, err := w.Write(append(out, '\n')); err != nil {
		return fmt.Errorf("spec schema: %w", err)
	}
	return nil
}

// schemaBuilder builds the schema's definitions.
type schemaBuilder struct {
	components func(kind string) []ComponentSchema
	comps      map[string][]ComponentSchema // cache of components by kind
	defs       map[string]any
	partial    bool                  // leave out required keys (a file with extends:)
	building   map[reflect.Type]bool // struct types being built, against recursion
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/definitions/" + name} }

// defName names a definition in the current mode.
func (b *schemaBuilder) defName(name string) string {
	if b.partial {
		return "partial." + name
	}
	return name
}

// spec returns the schema of the top-level mapping.
func (b *schemaBuilder) spec(partial bool) (map[string]any, error) {
	b.partial, b.building = partial, map[reflect.Type]bool{}
	s, err := b.structSchema(reflect.ValueOf(NewSpec()).Elem())
	if err != nil {
		return nil, err
	}
	props := s["properties"].(map[string]any)
	props["extends"] = map[string]any{
		"description": "a spec file (path relative to this file), or a list of them, deep-merged under this one: mappings merge key by key, later files win",
		"anyOf": []any{
			map[string]any{"type": "string", "minLength": 1},
			map[string]any{"type": "array", "minItems": 1, "items": map[string]any{"type": "string", "minLength": 1}},
		},
	}
	props["sweep"] = sweepSchema()
	return s, nil
}

// sweepSchema is the schema of sweep:.
func sweepSchema() map[string]any {
	pair := func(typ string) map[string]any {
		return map[string]any{"type": "array", "minItems": 2, "maxItems": 2, "items": map[string]any{"type": typ}}
	}
	dist := func(name, typ, doc string) map[string]any {
		var arg map[string]any
		if typ == "" {
			arg = map[string]any{"type": "array", "minItems": 1}
		} else {
			arg = pair(typ)
		}
		return map[string]any{"type": "object", "description": doc, "required": []string{name},
			"additionalProperties": false, "properties": map[string]any{name: arg}}
	}
	return map[string]any{
		"description":          "run a grid, a list and random samples of values (key paths as for --set), each for every seed",
		"type":                 "object",
		"additionalProperties": false,
		"properties": map[string]any{
			"grid": map[string]any{
				"description":          "cartesian product: key.path → list of values (the last key varies fastest)",
				"type":                 "object",
				"additionalProperties": map[string]any{"type": "array", "minItems": 1},
			},
			"list": map[string]any{
				"description": "explicit points: a list of {key.path: value, …}",
				"type":        "array", "minItems": 1,
				"items": map[string]any{"type": "object", "minProperties": 1},
			},
			"random": map[string]any{
				"description":          "count samples drawn from distributions, reproducible from seed",
				"type":                 "object",
				"additionalProperties": false,
				"required":             []string{"count", "params"},
				"properties": map[string]any{
					"count": map[string]any{"type": "integer", "minimum": 1, "description": "number of samples"},
					"seed":  map[string]any{"type": "integer", "minimum": 0, "description": "seed of the samples; default: the spec's seed"},
					"params": map[string]any{
						"description":   "key.path → distribution",
						"type":          "object",
						"minProperties": 1,
						"additionalProperties": map[string]any{"oneOf": []any{
							dist("uniform", "number", "uniform in [a, b)"),
							dist("loguniform", "number", "log-uniform in [a, b), 0 < a < b"),
							dist("int", "integer", "an integer in [a, b]"),
							dist("choice", "", "one of the values"),
						}},
					},
				},
			},
			"seeds": map[string]any{
				"description": "run every point once per seed (sets seed:)",
				"type":        "array", "minItems": 1,
				"items": map[string]any{"type": "integer", "minimum": 0},
			},
		},
	}
}

// structSchema returns the schema of the struct v (holding its defaults).
func (b *schemaBuilder) structSchema(v reflect.Value) (map[string]any, error) {
	t := v.Type()
	if b.building[t] {
		return map[string]any{"type": "object"}, nil
	}
	b.building[t] = true
	defer delete(b.building, t)
	fields, err := structFields(t)
	if err != nil {
		return nil, fmt.Errorf("spec schema: %w", err)
	}
	props := map[string]any{}
	var required []string
	for _, f := range fields {
		fs, err := b.valueSchema(v.FieldByIndex(f.index), f.chk, fieldKind(t, f))
		if err != nil {
			return nil, err
		}
		if f.doc != "" {
			if _, isRef := fs["$ref"]; isRef {
				fs = map[string]any{"allOf": []any{fs}}
			}
			fs["description"] = f.doc
		}
		props[f.name] = fs
		if f.chk.required {
			required = append(required, f.name)
		}
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 && !b.partial {
		s["required"] = required
	}
	return s, nil
}

// fieldKind is the registry kind of a Component field f of struct type t,
// or "": its `kind:"..."` tag, else its name when that is a kind (or a
// plural of one, or a name in nestedKinds).
func fieldKind(t reflect.Type, f fieldInfo) string {
	et := f.typ
	for et.Kind() == reflect.Pointer || et.Kind() == reflect.Slice {
		et = et.Elem()
	}
	if et != componentType {
		return ""
	}
	if k := t.FieldByIndex(f.index).Tag.Get("kind"); k != "" {
		return k
	}
	switch {
	case slices.Contains(componentKinds, f.name):
		return f.name
	case f.name == "analyses":
		return "analysis"
	}
	return nestedKinds[f.name]
}

// valueSchema returns the schema of the value v (holding its default) with
// the checks of its field; kind is the registry kind of components in it.
func (b *schemaBuilder) valueSchema(v reflect.Value, chk checks, kind string) (map[string]any, error) {
	t := v.Type()
	switch t {
	case componentType:
		return b.component(kind, false), nil
	case lossType:
		return b.component("loss", true), nil
	case exprType:
		return map[string]any{"type": []string{"string", "number"}}, nil
	case reflect.TypeFor[Ref]():
		return map[string]any{"type": "string", "minLength": 1}, nil
	case reflect.TypeFor[Batch]():
		def, _ := Batch(v.Int()).MarshalYAML()
		return map[string]any{"anyOf": []any{map[string]any{"const": "full"}, map[string]any{"type": "integer", "minimum": 1}}, "default": def}, nil
	case expectationsType:
		bounds, err := b.structSchema(reflect.ValueOf(&expectBounds{}).Elem())
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "object", "additionalProperties": bounds}, nil
	case nodeType, nodePtrType:
		return map[string]any{}, nil
	}
	if v.CanAddr() && v.Addr().Type().Implements(decoderType) {
		return map[string]any{}, nil // decodes itself: any YAML
	}
	s := map[string]any{}
	switch t.Kind() {
	case reflect.Pointer:
		e := reflect.New(t.Elem()).Elem()
		if !v.IsNil() {
			e = v.Elem()
		} else {
			setDefaults(e)
		}
		inner, err := b.valueSchema(e, chk, kind)
		if err != nil {
			return nil, err
		}
		if !v.IsNil() {
			return inner, nil
		}
		delete(inner, "default")
		return inner, nil
	case reflect.Struct:
		return b.structSchema(v)
	case reflect.String:
		s["type"] = "string"
		if len(chk.oneof) > 0 {
			s["enum"] = chk.oneof
		}
		if v.String() != "" {
			s["default"] = v.String()
		}
	case reflect.Bool:
		s["type"] = "boolean"
		s["default"] = v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s["type"] = "integer"
		s["default"] = v.Int()
		addBounds(s, chk)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		s["type"] = "integer"
		s["minimum"] = 0
		s["default"] = v.Uint()
		addBounds(s, chk)
	case reflect.Float32, reflect.Float64:
		s["type"] = "number"
		if f := v.Float(); f == f && f-f == 0 {
			s["default"] = f
		}
		addBounds(s, chk)
	case reflect.Slice, reflect.Array:
		e := reflect.New(t.Elem()).Elem()
		setDefaults(e)
		items, err := b.valueSchema(e, chk, kind)
		if err != nil {
			return nil, err
		}
		delete(items, "default")
		s["type"] = "array"
		s["items"] = items
		if t.Kind() == reflect.Array {
			s["minItems"], s["maxItems"] = t.Len(), t.Len()
		} else if chk.required && !b.partial {
			s["minItems"] = 1
		}
		if leafKind(t.Elem()) && v.Len() > 0 {
			s["default"] = v.Interface()
		}
	case reflect.Map:
		e := reflect.New(t.Elem()).Elem()
		setDefaults(e)
		items, err := b.valueSchema(e, chk, kind)
		if err != nil {
			return nil, err
		}
		delete(items, "default")
		s["type"] = "object"
		s["additionalProperties"] = items
	}
	return s, nil
}

// leafKind reports whether values of t are plain JSON scalars.
func leafKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// addBounds adds the numeric checks of chk to the schema s.
func addBounds(s map[string]any, chk checks) {
	for _, bd := range chk.bounds {
		switch bd.op {
		case ">":
			s["exclusiveMinimum"] = bd.val
		case ">=":
			s["minimum"] = bd.val
		case "<":
			s["exclusiveMaximum"] = bd.val
		case "<=":
			s["maximum"] = bd.val
		default:
			if bd.lop {
				s["exclusiveMinimum"] = bd.lo
			} else {
				s["minimum"] = bd.lo
			}
			if bd.hop {
				s["exclusiveMaximum"] = bd.hi
			} else {
				s["maximum"] = bd.hi
			}
		}
	}
}

// component returns a reference to the schema of a component of the given
// registry kind ("" for any kind), defining it on first use.
func (b *schemaBuilder) component(kind string, weight bool) map[string]any {
	name := "component"
	if kind != "" {
		name = "component." + kind
	}
	name = b.defName(name)
	if _, ok := b.defs[name]; ok {
		return ref(name)
	}
	b.defs[name] = map[string]any{} // placeholder against recursion
	comps := b.componentsOf(kind)
	names := make([]string, len(comps))
	for i, c := range comps {
		names[i] = c.Name
	}
	kindSchema := map[string]any{"type": "string", "minLength": 1, "description": "the component's name"}
	if len(names) > 0 {
		kindSchema["enum"] = names
	}
	obj := map[string]any{
		"type":       "object",
		"properties": map[string]any{"kind": kindSchema},
	}
	if weight {
		obj["properties"].(map[string]any)["weight"] = map[string]any{"type": "number", "minimum": 0, "default": 1, "description": "weight of the term in the total loss"}
	}
	if !b.partial {
		obj["required"] = []string{"kind"}
	}
	var branches []any
	for _, c := range comps {
		opts := map[string]any{"type": "object", "properties": map[string]any{}, "additionalProperties": false}
		if c.Options != nil {
			if v := reflect.ValueOf(c.Options); v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
				if s, err := b.structSchema(v.Elem()); err == nil {
					opts = s
				}
			}
		}
		props := opts["properties"].(map[string]any)
		props["kind"] = map[string]any{"const": c.Name, "description": c.Doc}
		if weight {
			props["weight"] = map[string]any{}
		}
		if req, ok := opts["required"].([]string); ok {
			opts["required"] = slices.DeleteFunc(slices.Clone(req), func(s string) bool { return s == "kind" })
		}
		def := b.defName(kind + "." + c.Name)
		opts["description"] = c.Doc
		b.defs[def] = opts
		branches = append(branches, map[string]any{
			"if":   map[string]any{"required": []string{"kind"}, "properties": map[string]any{"kind": map[string]any{"const": c.Name}}},
			"then": ref(def),
		})
	}
	if len(branches) > 0 {
		obj["allOf"] = branches
	}
	bare := map[string]any{"type": "string", "minLength": 1, "description": "a component without options, by name"}
	if len(names) > 0 {
		bare["enum"] = names
	}
	b.defs[name] = map[string]any{
		"description": fmt.Sprintf("a %s component: {kind: name, …options} or a bare name", cmp.Or(kind, "registered")),
		"anyOf":       []any{bare, obj},
	}
	return ref(name)
}

// componentsOf returns the components of a kind, sorted by name.
func (b *schemaBuilder) componentsOf(kind string) []ComponentSchema {
	if kind == "" || b.components == nil {
		return nil
	}
	if c, ok := b.comps[kind]; ok {
		return c
	}
	c := slices.Clone(b.components(kind))
	slices.SortStableFunc(c, func(x, y ComponentSchema) int { return cmp.Compare(x.Name, y.Name) })
	b.comps[kind] = c
	return c
}
