package spec

import (
	"bytes"
	"cmp"
	"fmt"
	"reflect"
	"slices"

	"gopkg.in/yaml.v3"
)

// MarshalResolved writes s back as YAML with every default filled in: the
// document the runner stores with a run (and hashes into its run id).
//
// Keys come in declaration order of the Go types, each component's mapping
// starts with kind (then weight, for a loss), and map keys are sorted, so the
// same spec always gives the same bytes. For the options of each component,
// resolve is called: it returns the component's decoded options (typically
// the pointer the registry decoded, defaults filled), which are written field
// by field in declaration order; components nested in options are resolved
// the same way. When resolve is nil or returns nil, the options are written
// as they appear in the file. The *Component passed to resolve points into
// s itself (&s.Model, &s.Losses[1].Component, …) or into the options that
// resolve returned, so resolvers may key by pointer; c.Path ("model",
// "losses[1]", "model.L") identifies a component as well.
//
// Fields tagged `yaml:"-"`, nil pointers and components without a kind are
// left out.
func MarshalResolved(s *Spec, resolve func(c *Component) any) ([]byte, error) {
	e := &encoder{resolve: resolve, budget: maxValues}
	root, err := e.encode(reflect.ValueOf(s).Elem())
	if err != nil {
		return nil, fmt.Errorf("resolved spec: %w", err)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("resolved spec: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("resolved spec: %w", err)
	}
	return buf.Bytes(), nil
}

type encoder struct {
	resolve func(c *Component) any
	depth   int
	budget  int // nodes expand may still create
}

var (
	componentType    = reflect.TypeFor[Component]()
	lossType         = reflect.TypeFor[Loss]()
	exprType         = reflect.TypeFor[Expr]()
	expectationsType = reflect.TypeFor[Expectations]()
	marshalerType    = reflect.TypeFor[yaml.Marshaler]()
)

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func scalarNode(v any) (*yaml.Node, error) {
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	return n, nil
}

func addPair(m *yaml.Node, key string, val *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, val)
}

// encode turns v into a node; a nil node means "leave out".
func (e *encoder) encode(v reflect.Value) (*yaml.Node, error) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxDepth {
		return nil, fmt.Errorf("value nested too deeply")
	}
	if !v.IsValid() {
		return nil, nil
	}
	t := v.Type()
	switch t {
	case nodeType:
		n := v.Interface().(yaml.Node)
		return e.expand(&n, 0), nil
	case nodePtrType:
		if v.IsNil() {
			return nil, nil
		}
		return e.expand(v.Interface().(*yaml.Node), 0), nil
	case componentType, lossType:
		// Pass the component's own address when there is one: resolvers
		// may key their decoded options by *Component.
		if !v.CanAddr() {
			c := reflect.New(t).Elem()
			c.Set(v)
			v = c
		}
		if t == lossType {
			l := v.Addr().Interface().(*Loss)
			return e.component(&l.Component, &l.Weight)
		}
		return e.component(v.Addr().Interface().(*Component), nil)
	case exprType:
		return scalarNode(v.Interface().(Expr).Text)
	case expectationsType:
		return e.expectations(v.Interface().(Expectations))
	}
	if t.Implements(marshalerType) && (t.Kind() != reflect.Pointer || !v.IsNil()) {
		x, err := v.Interface().(yaml.Marshaler).MarshalYAML()
		if err != nil {
			return nil, err
		}
		return scalarNode(x)
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return e.encode(v.Elem())
	case reflect.Struct:
		fields, err := structFields(t)
		if err != nil {
			return nil, err
		}
		m := mapping()
		for _, f := range fields {
			fv := v.FieldByIndex(f.index)
			if f.omitEmpty && fv.IsZero() {
				continue
			}
			n, err := e.encode(fv)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.name, err)
			}
			if n != nil {
				addPair(m, f.name, n)
			}
		}
		return m, nil
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			return cmp.Compare(a.String(), b.String())
		})
		m := mapping()
		for _, k := range keys {
			n, err := e.encode(v.MapIndex(k))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k.String(), err)
			}
			if n == nil {
				n = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
			}
			addPair(m, k.String(), n)
		}
		return m, nil
	case reflect.Slice, reflect.Array:
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for i := range v.Len() {
			n, err := e.encode(v.Index(i))
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if n == nil {
				n = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
			}
			if n.Kind != yaml.ScalarNode {
				seq.Style = 0
			}
			seq.Content = append(seq.Content, n)
		}
		return seq, nil
	}
	return scalarNode(v.Interface())
}

// component writes kind, the weight if given, then the options.
func (e *encoder) component(c *Component, weight *float64) (*yaml.Node, error) {
	if c.Kind == "" {
		return nil, nil
	}
	m := mapping()
	addPair(m, "kind", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c.Kind})
	if weight != nil {
		w, err := scalarNode(*weight)
		if err != nil {
			return nil, err
		}
		addPair(m, "weight", w)
	}
	var opts any
	if e.resolve != nil {
		opts = e.resolve(c)
	}
	var on *yaml.Node
	if opts != nil {
		var err error
		if on, err = e.encode(reflect.ValueOf(opts)); err != nil {
			return nil, fmt.Errorf("options of %s: %w", c.Kind, err)
		}
	} else if c.Node != nil {
		on = e.expand(c.Node, 0)
	}
	if on == nil {
		return m, nil
	}
	if on.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("options of %s must be a mapping, got %s", c.Kind, describe(on))
	}
	for i := 0; i+1 < len(on.Content); i += 2 {
		if k := on.Content[i].Value; k == "kind" || weight != nil && k == "weight" {
			continue
		}
		m.Content = append(m.Content, on.Content[i], on.Content[i+1])
	}
	return m, nil
}

func (e *encoder) expectations(x Expectations) (*yaml.Node, error) {
	m := mapping()
	for _, ex := range x {
		b := mapping()
		b.Style = yaml.FlowStyle
		for _, kv := range []struct {
			key string
			val *float64
		}{{"max", ex.Max}, {"min", ex.Min}, {"value", ex.Value}, {"rtol", ex.RTol}, {"atol", ex.ATol}} {
			if kv.val == nil {
				continue
			}
			n, err := scalarNode(*kv.val)
			if err != nil {
				return nil, err
			}
			addPair(b, kv.key, n)
		}
		addPair(m, ex.Metric, b)
	}
	return m, nil
}

// expand deep-copies n with aliases replaced by copies of their targets,
// without anchors, comments or positions. Past the depth or size limits
// (hostile alias trees) it writes null.
func (e *encoder) expand(n *yaml.Node, depth int) *yaml.Node {
	n = deref(n)
	e.budget--
	if depth > maxDepth || e.budget < 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	c := &yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value}
	for _, ch := range n.Content {
		c.Content = append(c.Content, e.expand(ch, depth+1))
	}
	return c
}
