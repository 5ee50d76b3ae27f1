package spec

import (
	"ansatz/suggest"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Decoder is implemented by types that decode themselves from a YAML node,
// with positions in their errors. Paths in the returned errors are relative
// to node; the caller prefixes them with the value's key path. The node is
// never an alias (aliases are resolved first) but may be a null scalar.
type Decoder interface {
	DecodeYAML(node *yaml.Node, file string) ErrorList
}

// Validator is implemented by option types that check their values after
// decoding. Return a *FieldError (or several, joined with errors.Join) to
// point the error at a field; any other error is reported at the struct.
type Validator interface {
	Validate() error
}

// Defaulter is implemented by types whose zero value is not their default.
// The decoder calls SetDefaults on every value it allocates itself (list
// elements, mapping values, pointers that were nil) before decoding into it;
// values the caller passes in are expected to hold their defaults already.
type Defaulter interface {
	SetDefaults()
}

var (
	nodeType      = reflect.TypeFor[yaml.Node]()
	nodePtrType   = reflect.TypeFor[*yaml.Node]()
	decoderType   = reflect.TypeFor[Decoder]()
	validatorType = reflect.TypeFor[Validator]()
	defaulterType = reflect.TypeFor[Defaulter]()
)

// Limits that keep hostile inputs (deep nesting, alias bombs) cheap.
const (
	maxDepth  = 200
	maxValues = 1 << 18
)

// Decode decodes node strictly into out, a non-nil pointer to a value that
// already holds its defaults: keys present in the YAML overwrite, absent keys
// keep the defaults. path is the key path of node (used in error messages,
// "" at the top level) and file names the source for positions.
//
// Supported targets: string, bool, signed and unsigned integers, floats,
// slices and arrays (YAML sequences), map[string]T, pointers (allocated when
// the key is present, set to nil by an explicit null), structs (fields with a
// `yaml:"name"` tag, `yaml:",inline"` embedding; see the checks grammar of
// the `spec:"..."` tag below), yaml.Node and *yaml.Node (raw passthrough),
// the empty interface, and any type implementing Decoder. After a struct is
// decoded its Validate method, if any, is called.
//
// Value checks (`spec:"..."`, comma-separated): required; >0, >=0, <1, <=1;
// [lo,hi] or (lo,hi) intervals; oneof=a|b|c; inf and nan to allow
// non-finite floats. Numeric checks apply to each element of a list.
//
// A nil node decodes as an empty mapping (defaults are kept, required keys
// are reported missing, Validate runs). All errors are returned together.
// Decode panics if out is not a non-nil pointer (a programming error).
func Decode(node *yaml.Node, out any, path string, file string) ErrorList {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic(fmt.Sprintf("spec.Decode: out must be a non-nil pointer, got %T", out))
	}
	if node == nil {
		node = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	}
	d := &decoder{file: file}
	d.value(node, v.Elem(), path, checks{})
	return d.errs
}

type decoder struct {
	file   string
	errs   ErrorList
	depth  int
	values int
	capped bool
	// keyOf maps a mapping value to its key, so that a missing required key
	// is blamed on the line that opens the section (`train:`), not on the
	// first key inside it.
	keyOf map[*yaml.Node]*yaml.Node
}

func (d *decoder) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: d.file}
	}
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) *Error {
	e := &Error{Pos: d.pos(n), Path: path, Msg: fmt.Sprintf(format, args...)}
	d.errs = append(d.errs, e)
	return e
}

// deref follows aliases and unwraps documents; a dangling or too long alias
// chain becomes a null scalar.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil; i++ {
		switch {
		case n.Kind == yaml.AliasNode && n.Alias != nil && i < maxDepth:
			n = n.Alias
		case n.Kind == yaml.DocumentNode && len(n.Content) == 1 && i < maxDepth:
			n = n.Content[0]
		case n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode || n.Kind == 0:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
		default:
			return n
		}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe says what a node is, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
	default:
		return "nothing"
	}
	v := n.Value
	if utf8.RuneCountInString(v) > 40 {
		v = string([]rune(v)[:37]) + "..."
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!int", "!!float":
		return "number " + v
	case "!!bool":
		return "boolean " + v
	case "!!timestamp":
		return "date " + v
	}
	return "string " + strconv.Quote(v)
}

// value decodes n into v. chk holds the checks of the enclosing field; they
// apply to scalars and pass through lists, mappings and pointers.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string, chk checks) {
	d.depth++
	defer func() { d.depth-- }()
	d.values++
	if d.depth > maxDepth || d.values > maxValues {
		if !d.capped {
			d.capped = true
			d.errorf(n, path, "too deeply nested or too many values (recursive or exploding aliases?)")
		}
		return
	}
	n = deref(n)
	t := v.Type()

	switch {
	case t == nodeType:
		v.Set(reflect.ValueOf(*n))
		return
	case t == nodePtrType:
		v.Set(reflect.ValueOf(n))
		return
	case v.CanAddr() && v.Addr().Type().Implements(decoderType):
		before := len(d.errs)
		for _, e := range v.Addr().Interface().(Decoder).DecodeYAML(n, d.file) {
			if e == nil {
				continue
			}
			e.Path = JoinPath(path, e.Path)
			if e.Pos == (Pos{}) {
				e.Pos = d.pos(n)
			}
			d.errs = append(d.errs, e)
		}
		if ps, ok := v.Addr().Interface().(pathSetter); ok {
			ps.setPath(path)
		}
		if len(d.errs) == before {
			d.validate(v, n, path, nil, nil, false)
		}
		return
	}

	switch t.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.Set(reflect.Zero(t))
			return
		}
		if v.IsNil() {
			p := reflect.New(t.Elem())
			setDefaults(p.Elem())
			v.Set(p)
		}
		d.value(n, v.Elem(), path, chk)
	case reflect.Struct:
		d.structValue(n, v, path)
	case reflect.Map:
		d.mapValue(n, v, path, chk)
	case reflect.Slice:
		d.sliceValue(n, v, path, chk)
	case reflect.Array:
		d.arrayValue(n, v, path, chk)
	case reflect.Interface:
		if t.NumMethod() != 0 {
			d.errorf(n, path, "internal error: cannot decode into %s", t)
			return
		}
		var x any
		if err := n.Decode(&x); err != nil {
			d.errorf(n, path, "invalid value: %s", strings.TrimPrefix(err.Error(), "yaml: "))
			return
		}
		if x == nil {
			v.Set(reflect.Zero(t))
		} else {
			v.Set(reflect.ValueOf(x))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "expected a string, got %s", describe(n))
			return
		}
		s := n.Value
		if isNull(n) {
			s = ""
		}
		if len(chk.oneof) > 0 && !isNull(n) {
			if !contains(chk.oneof, s) {
				e := d.errorf(n, path, "must be one of %s; got %q", strings.Join(chk.oneof, ", "), s)
				e.Hint = suggest.Key(s, chk.oneof)
				return
			}
		}
		v.SetString(s)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			d.errorf(n, path, "expected true or false, got %s", describe(n))
			return
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			d.errorf(n, path, "expected true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, _, ok := d.integer(n, path, true)
		if !ok {
			return
		}
		if v.OverflowInt(i) {
			d.errorf(n, path, "%s is out of range for this setting", n.Value)
			return
		}
		if d.checkNumber(n, float64(i), path, chk) {
			v.SetInt(i)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		_, u, ok := d.integer(n, path, false)
		if !ok {
			return
		}
		if v.OverflowUint(u) {
			d.errorf(n, path, "%s is out of range for this setting", n.Value)
			return
		}
		if d.checkNumber(n, float64(u), path, chk) {
			v.SetUint(u)
		}
	case reflect.Float32, reflect.Float64:
		f, ok := d.float(n, path, chk)
		if !ok {
			return
		}
		if t.Kind() == reflect.Float32 && !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
			d.errorf(n, path, "%s is out of range for this setting", n.Value)
			return
		}
		if d.checkNumber(n, f, path, chk) {
			v.SetFloat(f)
		}
	default:
		d.errorf(n, path, "internal error: cannot decode into %s", t)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scalar returns the value yaml.v3 resolves a scalar node to. Plain decimal
// numbers take a fast path; everything else asks yaml.v3.
func scalar(n *yaml.Node) (any, bool) {
	if n.Kind != yaml.ScalarNode {
		return nil, false
	}
	switch n.ShortTag() {
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			if i == int64(int(i)) {
				return int(i), true
			}
			return i, true
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !strings.ContainsAny(n.Value, "nNiIxX_") {
			return f, true
		}
	}
	var x any
	if err := n.Decode(&x); err != nil {
		return nil, false
	}
	return x, true
}

// integer reads a signed (i) or unsigned (u) integer; integral floats such
// as 1e4 are accepted.
func (d *decoder) integer(n *yaml.Node, path string, signed bool) (i int64, u uint64, ok bool) {
	want := "an integer"
	if !signed {
		want = "a non-negative integer"
	}
	fail := func() (int64, uint64, bool) {
		d.errorf(n, path, "expected %s, got %s", want, describe(n))
		return 0, 0, false
	}
	if tag := n.ShortTag(); tag != "!!int" && tag != "!!float" {
		return fail()
	}
	x, ok := scalar(n)
	if !ok {
		return fail()
	}
	switch x := x.(type) {
	case int:
		i, u = int64(x), uint64(x)
		if x < 0 && !signed {
			return fail()
		}
	case int64:
		i, u = x, uint64(x)
		if x < 0 && !signed {
			return fail()
		}
	case uint64:
		if signed {
			d.errorf(n, path, "%s is out of range for this setting", n.Value)
			return 0, 0, false
		}
		u = x
	case float64:
		if x != math.Trunc(x) || math.IsInf(x, 0) || x < 0 && !signed {
			return fail()
		}
		if signed && math.Abs(x) >= 1<<63 || !signed && x >= 1<<64 {
			d.errorf(n, path, "%s is out of range for this setting", n.Value)
			return 0, 0, false
		}
		i, u = int64(x), uint64(x)
	default:
		return fail()
	}
	return i, u, true
}

// float reads a number; YAML integers are accepted. Infinities and NaN are
// rejected unless the checks allow them.
func (d *decoder) float(n *yaml.Node, path string, chk checks) (float64, bool) {
	tag := n.ShortTag()
	if tag != "!!int" && tag != "!!float" {
		d.errorf(n, path, "expected a number, got %s", describe(n))
		return 0, false
	}
	x, ok := scalar(n)
	if !ok {
		d.errorf(n, path, "expected a number, got %s", describe(n))
		return 0, false
	}
	var f float64
	switch x := x.(type) {
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case uint64:
		f = float64(x)
	case float64:
		f = x
	default:
		d.errorf(n, path, "expected a number, got %s", describe(n))
		return 0, false
	}
	if math.IsInf(f, 0) && !chk.inf {
		d.errorf(n, path, "must be finite, got %s", n.Value)
		return 0, false
	}
	if math.IsNaN(f) && !chk.nan {
		d.errorf(n, path, "must be a number, got %s", n.Value)
		return 0, false
	}
	return f, true
}

// checkNumber applies the numeric bounds; it reports whether x passed.
func (d *decoder) checkNumber(n *yaml.Node, x float64, path string, chk checks) bool {
	for _, b := range chk.bounds {
		if !b.ok(x) {
			d.errorf(n, path, "must be %s, got %s", b, n.Value)
			return false
		}
	}
	return true
}

func setDefaults(v reflect.Value) {
	if v.CanAddr() && v.Addr().Type().Implements(defaulterType) {
		v.Addr().Interface().(Defaulter).SetDefaults()
	}
}

// pair is one key/value entry of a mapping.
type pair struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

// pairs lists the entries of mapping n in order, reporting non-string and
// duplicate keys and expanding YAML merge keys (<<: *base); explicit keys win
// over merged ones.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	var out []pair
	first := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "keys must be names, got %s", describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			merges = append(merges, val)
			continue
		}
		if prev, dup := first[k.Value]; dup {
			d.errorf(k, JoinPath(path, k.Value), "duplicate key (first set at line %d)", prev.Line)
			continue
		}
		first[k.Value] = k
		out = append(out, pair{key: k.Value, keyNode: k, val: val})
		if d.keyOf == nil {
			d.keyOf = map[*yaml.Node]*yaml.Node{}
		}
		d.keyOf[deref(val)] = k
	}
	if len(merges) == 0 {
		return out
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		return out
	}
	for _, m := range merges {
		m = deref(m)
		var sources []*yaml.Node
		switch m.Kind {
		case yaml.MappingNode:
			sources = []*yaml.Node{m}
		case yaml.SequenceNode:
			for _, s := range m.Content {
				s = deref(s)
				if s.Kind != yaml.MappingNode {
					d.errorf(s, path, "a merge (<<) list must hold mappings, got %s", describe(s))
					continue
				}
				sources = append(sources, s)
			}
		default:
			d.errorf(m, path, "a merge (<<) needs a mapping or a list of mappings, got %s", describe(m))
		}
		for _, s := range sources {
			for _, p := range d.pairs(s, path) {
				if _, ok := first[p.key]; ok {
					continue
				}
				first[p.key] = p.keyNode
				out = append(out, p)
			}
		}
	}
	return out
}

func (d *decoder) structValue(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode && !isNull(n) {
		d.errorf(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	fields, err := structFields(v.Type())
	if err != nil {
		d.errorf(n, path, "internal error: %v", err)
		return
	}
	byName := make(map[string]int, len(fields))
	names := make([]string, len(fields))
	for i, f := range fields {
		byName[f.name] = i
		names[i] = f.name
	}
	seen := map[string]*yaml.Node{}
	failed := map[string]bool{}
	before := len(d.errs)
	var ps []pair
	if n.Kind == yaml.MappingNode {
		ps = d.pairs(n, path)
	}
	for _, p := range ps {
		i, ok := byName[p.key]
		if !ok {
			e := d.errorf(p.keyNode, path, "unknown key %q", p.key)
			if e.Hint = suggest.Key(p.key, names); e.Hint == "" {
				e.Msg += "; valid keys: " + strings.Join(names, ", ")
			}
			continue
		}
		f := fields[i]
		mark := len(d.errs)
		fv := v.FieldByIndex(f.index)
		d.value(p.val, fv, JoinPath(path, f.name), f.chk)
		seen[f.name] = deref(p.val)
		if len(d.errs) > mark {
			failed[f.name] = true
			continue
		}
		if f.chk.required && isEmpty(fv) {
			d.errorf(seen[f.name], JoinPath(path, f.name), "must not be empty")
			failed[f.name] = true
		}
	}
	var missing []string
	for _, f := range fields {
		if f.chk.required && seen[f.name] == nil {
			missing = append(missing, strconv.Quote(f.name))
			failed[f.name] = true
		}
	}
	if len(missing) > 0 {
		at := n
		if k := d.keyOf[n]; k != nil {
			at = k
		}
		if len(missing) == 1 {
			d.errorf(at, path, "missing required key %s", missing[0])
		} else {
			d.errorf(at, path, "missing required keys %s", strings.Join(missing, ", "))
		}
	}
	d.validate(v, n, path, seen, failed, len(d.errs) > before)
}

// isEmpty reports whether a required value is empty: an empty string, list
// or mapping, or a nil pointer.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// validate calls v's Validate method, if any, and reports its errors at the
// fields they name. Field errors on fields that already failed are dropped,
// and so are struct-level errors when anything in the struct failed, because
// they would only repeat the same problem.
func (d *decoder) validate(v reflect.Value, n *yaml.Node, path string, seen map[string]*yaml.Node, failed map[string]bool, anyFailed bool) {
	if !v.CanAddr() || !v.Addr().Type().Implements(validatorType) {
		return
	}
	err := v.Addr().Interface().(Validator).Validate()
	for _, e := range flatten(err) {
		var fe *FieldError
		var se *Error
		switch {
		case errors.As(e, &fe):
			head, _, _ := strings.Cut(fe.Field, ".")
			if failed[head] {
				continue
			}
			d.errs = append(d.errs, &Error{Pos: d.pos(locate(n, seen, fe.Field)), Path: JoinPath(path, fe.Field), Msg: fe.Msg})
		case errors.As(e, &se):
			if head, _, _ := strings.Cut(se.Path, "."); failed[head] {
				continue
			}
			c := *se
			c.Path = JoinPath(path, se.Path)
			if c.Pos == (Pos{}) {
				c.Pos = d.pos(n)
			}
			d.errs = append(d.errs, &c)
		default:
			if !anyFailed {
				d.errorf(n, path, "%s", e.Error())
			}
		}
	}
}

// flatten splits joined errors (and ErrorLists) into their leaves.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if l, ok := err.(ErrorList); ok {
		out := make([]error, 0, len(l))
		for _, e := range l {
			out = append(out, e)
		}
		return out
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// locate finds the value node of a dotted field path inside the struct's
// mapping n, falling back to the deepest node found.
func locate(n *yaml.Node, seen map[string]*yaml.Node, field string) *yaml.Node {
	head, rest, more := strings.Cut(field, ".")
	cur := seen[head]
	if cur == nil {
		return n
	}
	for more {
		head, rest, more = strings.Cut(rest, ".")
		next := lookupKey(cur, head)
		if next == nil {
			break
		}
		cur = next
	}
	return cur
}

// lookupKey returns the value of key in mapping n, or nil.
func lookupKey(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := deref(n.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

func (d *decoder) mapValue(n *yaml.Node, v reflect.Value, path string, chk checks) {
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		d.errorf(n, path, "internal error: cannot decode into %s (keys must be strings)", t)
		return
	}
	if isNull(n) {
		v.Set(reflect.Zero(t))
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	m := reflect.MakeMap(t)
	for _, p := range d.pairs(n, path) {
		ev := reflect.New(t.Elem()).Elem()
		setDefaults(ev)
		d.value(p.val, ev, JoinPath(path, p.key), chk)
		m.SetMapIndex(reflect.ValueOf(p.key).Convert(t.Key()), ev)
	}
	v.Set(m)
}

func (d *decoder) sliceValue(n *yaml.Node, v reflect.Value, path string, chk checks) {
	t := v.Type()
	if isNull(n) {
		v.Set(reflect.Zero(t))
		return
	}
	if n.Kind != yaml.SequenceNode {
		e := d.errorf(n, path, "expected a list, got %s", describe(n))
		if n.Kind == yaml.ScalarNode {
			e.Msg += fmt.Sprintf(" (write [%s] for a list of one)", n.Value)
		}
		return
	}
	s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
	for i, c := range n.Content {
		ev := s.Index(i)
		setDefaults(ev)
		d.value(c, ev, path+"["+strconv.Itoa(i)+"]", chk)
	}
	v.Set(s)
}

func (d *decoder) arrayValue(n *yaml.Node, v reflect.Value, path string, chk checks) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "expected a list of %d values, got %s", v.Len(), describe(n))
		return
	}
	if len(n.Content) != v.Len() {
		d.errorf(n, path, "expected a list of %d values, got %d", v.Len(), len(n.Content))
		return
	}
	for i, c := range n.Content {
		d.value(c, v.Index(i), path+"["+strconv.Itoa(i)+"]", chk)
	}
}

// pathSetter is implemented by Component so it learns its key path.
type pathSetter interface {
	setPath(string)
}
