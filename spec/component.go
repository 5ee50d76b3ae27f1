package spec

import (
	"errors"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Expr is an expression written in the spec (an equation, a Hamiltonian),
// kept with its source position so that errors found later, when the
// expression is parsed or differentiated, point into the YAML file.
//
// Quoted records how the scalar was written: 0 for a plain scalar, the quote
// character (a double or a single quote) for quoted ones, and '|' or '>' for
// block scalars.
type Expr struct {
	Text   string
	Pos    Pos
	Quoted byte
}

// DecodeYAML decodes an expression from any non-null scalar (numbers are
// expressions too: `p: 1`).
func (e *Expr) DecodeYAML(n *yaml.Node, file string) ErrorList {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return ErrorList{{Pos: Pos{File: file, Line: n.Line, Col: n.Column}, Msg: "expected an expression, got " + describe(n)}}
	}
	*e = Expr{Text: n.Value, Pos: Pos{File: file, Line: n.Line, Col: n.Column}}
	switch n.Style & (yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle) {
	case yaml.DoubleQuotedStyle:
		e.Quoted = '"'
	case yaml.SingleQuotedStyle:
		e.Quoted = '\''
	case yaml.LiteralStyle:
		e.Quoted = '|'
	case yaml.FoldedStyle:
		e.Quoted = '>'
	}
	return nil
}

// String returns the expression text.
func (e Expr) String() string { return e.Text }

// ErrorAt returns an error located at byte offset offset of the expression
// text (e.g. where the expression parser failed), with message msg.
//
// For plain and quoted single-line scalars the column is exact as long as
// the text before offset contains no escape sequences: it is the scalar's
// column plus the number of characters before offset, plus one for the
// opening quote. For literal block scalars (|) the line is exact and the
// column is completed from the source by ErrorList.WithSource (or
// Spec.Annotate), since only the source knows the block's indentation;
// folded scalars (>) and plain scalars spanning several lines are located
// on a best-effort basis. The error's Path is empty; callers may set it.
func (e Expr) ErrorAt(offset int, msg string) *Error {
	offset = max(0, min(offset, len(e.Text)))
	before := e.Text[:offset]
	err := &Error{Pos: e.Pos, Msg: msg}
	if e.Pos.Line <= 0 {
		return err
	}
	switch e.Quoted {
	case '|', '>':
		nl := strings.Count(before, "\n")
		lineStart := strings.LastIndexByte(before, '\n') + 1
		lineEnd := strings.IndexByte(e.Text[lineStart:], '\n')
		textLine := e.Text[lineStart:]
		if lineEnd >= 0 {
			textLine = textLine[:lineEnd]
		}
		err.Pos.Line = e.Pos.Line + 1 + nl
		err.Pos.Col = utf8.RuneCountInString(before[lineStart:]) + 1
		err.blockIndent = true
		err.textIndent = len(textLine) - len(strings.TrimLeft(textLine, " "))
	case '"', '\'':
		if i := strings.LastIndexByte(before, '\n'); i >= 0 {
			err.Pos.Line += strings.Count(before, "\n")
			err.Pos.Col = utf8.RuneCountInString(before[i+1:]) + 1
		} else {
			err.Pos.Col += 1 + utf8.RuneCountInString(before)
		}
	default:
		if i := strings.LastIndexByte(before, '\n'); i >= 0 {
			err.Pos.Line += strings.Count(before, "\n")
			err.Pos.Col = utf8.RuneCountInString(before[i+1:]) + 1
		} else {
			err.Pos.Col += utf8.RuneCountInString(before)
		}
	}
	return err
}

// Component is a `{kind: name, ...options}` mapping, decoded lazily: Kind is
// read here, and the options stay as a YAML node for the registry to decode
// into the component's own options type.
//
// A bare name is accepted as a component without options: `optimizer: adam`
// is the same as `optimizer: {kind: adam}`.
type Component struct {
	// Kind is the registry name of the component, e.g. "hamiltonian".
	Kind string
	// Node is the options mapping without the kind key (and, for a Loss,
	// without weight); nil when the component has no options node (a bare
	// name or a default).
	Node *yaml.Node
	// Pos is the position of the kind value, where an unknown kind is blamed.
	Pos Pos
	// File names the source of Node's positions.
	File string
	// Path is the key path of the component in the spec (e.g.
	// "train.optimizer", "losses[1]"); set by the decoder, it prefixes the
	// paths of option errors and identifies the component in a resolved spec.
	Path string
	// Options holds the component's decoded options (defaults filled in) once
	// the registry has decoded it; MarshalResolved writes them.
	Options any
}

func (c *Component) setPath(p string) { c.Path = p }

// DecodeYAML reads kind and keeps the other keys as the options node.
func (c *Component) DecodeYAML(n *yaml.Node, file string) ErrorList {
	_, errs := c.decode(n, file, nil)
	return errs
}

// decode reads the component from n; the keys in extra are removed from the
// options node too and returned by name (with their value nodes).
func (c *Component) decode(n *yaml.Node, file string, extra []string) (map[string]pair, ErrorList) {
	d := &decoder{file: file}
	pos := d.pos(n)
	*c = Component{File: file, Pos: pos}
	if n.Kind == yaml.ScalarNode && !isNull(n) && n.ShortTag() == "!!str" && n.Value != "" {
		c.Kind = n.Value
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "", "expected a mapping with a kind key (or a name), got %s", describe(n))
		return nil, d.errs
	}
	opts := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: n.Style, Line: n.Line, Column: n.Column}
	found := map[string]pair{}
	for _, p := range d.pairs(n, "") {
		switch {
		case p.key == "kind":
			found["kind"] = p
			v := deref(p.val)
			c.Pos = d.pos(v)
			if v.Kind != yaml.ScalarNode || isNull(v) || v.ShortTag() != "!!str" || v.Value == "" {
				d.errorf(v, "kind", "expected a component name, got %s", describe(v))
				continue
			}
			c.Kind = v.Value
		case contains(extra, p.key):
			found[p.key] = p
		default:
			opts.Content = append(opts.Content, p.keyNode, p.val)
		}
	}
	if _, ok := found["kind"]; !ok {
		d.errorf(n, "", "missing required key \"kind\"")
	}
	c.Node = opts
	return found, d.errs
}

// Loss is one loss term: a component plus its weight in the total loss,
// written in the same mapping: `{kind: hnn, weight: 1.0}`. The weight is
// removed from the options node the registry sees.
type Loss struct {
	Component
	// Weight multiplies the term in the total loss; default 1, must be ≥ 0.
	Weight float64
}

// SetDefaults sets the weight to 1.
func (l *Loss) SetDefaults() { l.Weight = 1 }

// DecodeYAML reads kind and weight and keeps the rest as options.
func (l *Loss) DecodeYAML(n *yaml.Node, file string) ErrorList {
	found, errs := l.Component.decode(n, file, []string{"weight"})
	if p, ok := found["weight"]; ok {
		w := 1.0
		errs = append(errs, Decode(p.val, &w, "weight", file)...)
		if len(errs) == 0 && w < 0 {
			errs = append(errs, &Error{Pos: Pos{File: file, Line: deref(p.val).Line, Col: deref(p.val).Column}, Path: "weight", Msg: "must be ≥ 0, got " + deref(p.val).Value})
		}
		l.Weight = w
	}
	return errs
}

// Ref is a string that refers to something outside the spec (a path), kept
// with its position so that a problem with what it names points at it.
type Ref struct {
	Value string
	Pos   Pos
}

// DecodeYAML reads a non-empty string.
func (r *Ref) DecodeYAML(n *yaml.Node, file string) ErrorList {
	pos := Pos{File: file, Line: n.Line, Col: n.Column}
	if n.Kind != yaml.ScalarNode || isNull(n) || n.Value == "" {
		return ErrorList{{Pos: pos, Msg: "expected a path, got " + describe(n)}}
	}
	*r = Ref{Value: n.Value, Pos: pos}
	return nil
}

// MarshalYAML writes the string.
func (r Ref) MarshalYAML() (any, error) { return r.Value, nil }

// Errors turns an error about the component's options found after decoding
// (a data kind that does not suit the system, a singular parameter) into
// spec errors: a *FieldError is placed at the key it names inside the
// options (a dotted path; the deepest key found), a spec error is kept as it
// is, and anything else is placed at the component's kind.
func (c *Component) Errors(err error) ErrorList {
	var out ErrorList
	for _, e := range flatten(err) {
		var fe *FieldError
		var se *Error
		switch {
		case errors.As(e, &fe):
			pos := c.Pos
			if c.Node != nil {
				cur := c.Node
				for key := range strings.SplitSeq(fe.Field, ".") {
					next := lookupKey(cur, key)
					if next == nil {
						break
					}
					cur = next
				}
				if cur != c.Node {
					pos = Pos{File: c.File, Line: cur.Line, Col: cur.Column}
				}
			}
			out = append(out, &Error{Pos: pos, Path: JoinPath(c.Path, fe.Field), Msg: fe.Msg})
		case errors.As(e, &se):
			out = append(out, se)
		default:
			out = append(out, &Error{Pos: c.Pos, Path: c.Path, Msg: e.Error()})
		}
	}
	return out
}
