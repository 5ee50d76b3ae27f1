package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// A spec may start from other files: `extends: base.yaml` (a path relative
// to the file that writes it, or a list of paths, later ones winning). The
// bases' mappings are deep-merged under the file's own: mappings merge key by
// key, and everything else (scalars, lists, null) is replaced by the later
// file. A component mapping whose kind differs from the base's replaces the
// base's mapping as a whole, so options of another component never leak in.
// A base may extend further files; a cycle is an error at the extends: value
// that closes it.
//
// Positions: the merged tree mixes nodes of several files, but the decoder
// and the registry know one file name per spec. So the nodes of the k-th file
// read (k = 0 is the spec itself) carry line numbers shifted by k·lineStride,
// and Spec.Annotate (or Spec.Position) maps such a line back to the file
// that wrote it, the way a source map does. Errors therefore point into the
// base file that holds the offending key, with its source line.

// lineStride separates the line numbers of the files of one extends chain.
const lineStride = 1 << 24

// maxExtends bounds the number of files of one extends chain.
const maxExtends = 64

// source is one file of a spec's extends chain; its nodes carry lines
// shifted by its index times lineStride.
type source struct {
	file string
	data []byte
}

// loader reads a spec file and the files it extends.
type loader struct {
	main    string   // the spec's file, the File of every position
	sources []source // sources[0] is the spec itself
}

// pos is the (shifted) position of n, in the spec's file.
func (l *loader) pos(n *yaml.Node) Pos {
	return Pos{File: l.main, Line: n.Line, Col: n.Column}
}

// load parses file (content data) and merges the files it extends under it.
// chain holds the absolute paths of the files extending this one, to report
// cycles. The returned tree has no extends: key.
func (l *loader) load(file string, data []byte, chain []string) (*yaml.Node, ErrorList) {
	k := len(l.sources)
	l.sources = append(l.sources, source{file: file, data: data})
	if e := checkText(file, data); e != nil {
		return nil, ErrorList{e}
	}
	root, e := parseDocument(file, data)
	if e != nil {
		return nil, ErrorList{e}
	}
	if root.Kind != yaml.MappingNode {
		return nil, ErrorList{{Pos: Pos{File: file, Line: root.Line, Col: root.Column},
			Msg: "the top level must be a mapping (name: …, system: …), got " + describe(root)}}
	}
	if e := checkAcyclic(file, root); e != nil {
		return nil, ErrorList{e}
	}
	if k > 0 {
		shiftLines(root, k*lineStride)
		l.rebaseInitFrom(root, file)
	}
	i := keyIndex(root, "extends")
	if i < 0 {
		return root, nil
	}
	val := deref(root.Content[i+1])
	root.Content = slices.Delete(root.Content, i, i+2)

	var paths []*yaml.Node
	switch {
	case val.Kind == yaml.ScalarNode && val.ShortTag() == "!!str" && val.Value != "":
		paths = []*yaml.Node{val}
	case val.Kind == yaml.SequenceNode && len(val.Content) > 0:
		for _, c := range val.Content {
			paths = append(paths, deref(c))
		}
	default:
		return nil, ErrorList{{Pos: l.pos(val), Path: "extends", Msg: "expected a file name or a list of file names, got " + describe(val)}}
	}
	abs, _ := filepath.Abs(file)
	chain = append(slices.Clip(chain), abs)
	var (
		merged *yaml.Node
		errs   ErrorList
	)
	for j, p := range paths {
		path := "extends"
		if val.Kind == yaml.SequenceNode {
			path = fmt.Sprintf("extends[%d]", j)
		}
		if p.Kind != yaml.ScalarNode || p.ShortTag() != "!!str" || p.Value == "" {
			errs = append(errs, &Error{Pos: l.pos(p), Path: path, Msg: "expected a file name, got " + describe(p)})
			continue
		}
		name := p.Value
		if !filepath.IsAbs(name) {
			name = filepath.Join(filepath.Dir(file), name)
		}
		a, _ := filepath.Abs(name)
		if at := slices.Index(chain, a); at >= 0 {
			cycle := make([]string, 0, len(chain)-at+1)
			for _, c := range chain[at:] {
				cycle = append(cycle, filepath.Base(c))
			}
			cycle = append(cycle, filepath.Base(a))
			errs = append(errs, &Error{Pos: l.pos(p), Path: path, Msg: "extends cycle: " + strings.Join(cycle, " → ")})
			continue
		}
		if len(l.sources) >= maxExtends {
			errs = append(errs, &Error{Pos: l.pos(p), Path: path, Msg: fmt.Sprintf("more than %d files in the extends chain", maxExtends)})
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			errs = append(errs, &Error{Pos: l.pos(p), Path: path, Msg: fmt.Sprintf("cannot read %s: %v", p.Value, unwrapPathError(err))})
			continue
		}
		base, es := l.load(name, data, chain)
		if len(es) > 0 {
			errs = append(errs, es...)
			continue
		}
		if merged == nil {
			merged = base
		} else {
			merged = mergeNodes(merged, base)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return mergeNodes(merged, root), nil
}

// unwrapPathError drops the operation and path of an *os.PathError, which
// the message names already.
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// rebaseInitFrom rewrites a relative init_from of a base file so that it
// stays relative to the spec's own folder, as the runner reads it.
func (l *loader) rebaseInitFrom(root *yaml.Node, file string) {
	i := keyIndex(root, "init_from")
	if i < 0 {
		return
	}
	v := deref(root.Content[i+1])
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" || v.Value == "" || filepath.IsAbs(v.Value) {
		return
	}
	target := filepath.Join(filepath.Dir(file), v.Value)
	if rel, err := filepath.Rel(filepath.Dir(l.main), target); err == nil {
		target = rel
	}
	v.Value = target
}

// shiftLines adds offset to the line of every node of the tree n.
func shiftLines(n *yaml.Node, offset int) {
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		if n.Line > 0 {
			n.Line += offset
		}
		walk(n.Alias)
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
}

// mergeNodes deep-merges over onto base and returns the result: mappings
// merge key by key (base's keys first, in base order, then over's new keys),
// anything else in over replaces base. Component mappings with different
// kinds do not merge. The inputs are not modified; unchanged subtrees are
// shared.
func mergeNodes(base, over *yaml.Node) *yaml.Node {
	b, o := deref(base), deref(over)
	if b.Kind != yaml.MappingNode || o.Kind != yaml.MappingNode {
		return over
	}
	if kb, ko := kindOf(b), kindOf(o); kb != "" && ko != "" && kb != ko {
		return over
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: o.Style, Line: o.Line, Column: o.Column}
	used := make([]bool, len(o.Content))
	for i := 0; i+1 < len(b.Content); i += 2 {
		k := deref(b.Content[i])
		j := -1
		if k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" {
			j = keyIndex(o, k.Value)
		}
		if j < 0 {
			out.Content = append(out.Content, b.Content[i], b.Content[i+1])
			continue
		}
		used[j] = true
		out.Content = append(out.Content, o.Content[j], mergeNodes(b.Content[i+1], o.Content[j+1]))
	}
	for j := 0; j+1 < len(o.Content); j += 2 {
		if !used[j] {
			out.Content = append(out.Content, o.Content[j], o.Content[j+1])
		}
	}
	return out
}

// kindOf returns the kind: of a component mapping, or "".
func kindOf(m *yaml.Node) string {
	if i := keyIndex(m, "kind"); i >= 0 {
		if v := deref(m.Content[i+1]); v.Kind == yaml.ScalarNode {
			return v.Value
		}
	}
	return ""
}

// cloneNode deep-copies the tree n, keeping aliases pointing at the copies
// of their anchors.
func cloneNode(n *yaml.Node) *yaml.Node {
	copies := map[*yaml.Node]*yaml.Node{}
	var clone func(n *yaml.Node) *yaml.Node
	clone = func(n *yaml.Node) *yaml.Node {
		if n == nil {
			return nil
		}
		if c, ok := copies[n]; ok {
			return c
		}
		c := &yaml.Node{}
		*c = *n
		copies[n] = c
		c.Alias = clone(n.Alias)
		if n.Content != nil {
			c.Content = make([]*yaml.Node, len(n.Content))
			for i, x := range n.Content {
				c.Content[i] = clone(x)
			}
		}
		return c
	}
	return clone(n)
}

// Position maps a position found in this spec (by the decoder, the registry
// or anything reading its nodes) to the file that wrote it: positions in
// files of the extends chain come out of the decoder with shifted lines (see
// the extends documentation). Other positions are returned unchanged.
func (s *Spec) Position(p Pos) Pos {
	if p.File != s.File || p.Line < lineStride {
		return p
	}
	k := p.Line / lineStride
	if k >= len(s.sources) {
		return p
	}
	return Pos{File: s.sources[k].file, Line: p.Line - k*lineStride, Col: p.Col}
}
