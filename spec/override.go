package spec

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Overrides are applied to the node tree before decoding (see Parse for the
// syntax). Nodes that come from an override value carry line -(index+1), so
// that Spec.Annotate can blame the override for errors found in them.

// segment is one step of an override path.
type segment struct {
	key     string
	literal bool // written in brackets: never joined with neighbours
}

func parseOverridePath(p string) ([]segment, error) {
	var segs []segment
	for i := 0; ; {
		if i < len(p) && p[i] == '[' {
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unclosed [ in path %q", p)
			}
			if j == 1 {
				return nil, fmt.Errorf("empty [] in path %q", p)
			}
			segs = append(segs, segment{key: p[i+1 : i+j], literal: true})
			i += j + 1
		} else {
			end := len(p)
			if j := strings.IndexAny(p[i:], ".["); j >= 0 {
				end = i + j
			}
			if end == i {
				return nil, fmt.Errorf("empty key in path %q", p)
			}
			segs = append(segs, segment{key: p[i:end]})
			i = end
		}
		switch {
		case i == len(p):
			return segs, nil
		case p[i] == '.':
			i++
			if i == len(p) {
				return nil, fmt.Errorf("path %q ends with a dot", p)
			}
		case p[i] != '[':
			return nil, fmt.Errorf("expected . or [ after ] in path %q", p)
		}
	}
}

// parseOverrideValue parses the value of an override as YAML and marks its
// nodes with the given line.
func parseOverrideValue(value string, line int) (*yaml.Node, error) {
	if strings.TrimSpace(value) == "" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Line: line}, nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(value))
	if err := safeDecode(dec, &doc); err != nil {
		return nil, fmt.Errorf("invalid value %q: %s", value, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	n := deref(&doc)
	var mark func(n *yaml.Node, depth int)
	mark = func(n *yaml.Node, depth int) {
		if n == nil || depth > maxDepth {
			return
		}
		n.Line, n.Column = line, 0
		for _, c := range n.Content {
			mark(c, depth+1)
		}
	}
	mark(n, 0)
	return n, nil
}

// applyOverride applies one `path=value` override to the mapping root. The
// value's nodes get the given (negative) line.
func applyOverride(root *yaml.Node, override string, line int) error {
	fail := func(path, format string, args ...any) error {
		return ErrorList{{Pos: Pos{File: "--set " + override}, Path: path, Msg: fmt.Sprintf(format, args...)}}
	}
	p, value, ok := strings.Cut(override, "=")
	p = strings.TrimSpace(p)
	if !ok || p == "" {
		return fail("", "expected key.path=value")
	}
	segs, err := parseOverridePath(p)
	if err != nil {
		return fail("", "%v", err)
	}
	val, err := parseOverrideValue(value, line)
	if err != nil {
		return fail("", "%v", err)
	}
	if e := assign(root, segs, val, line, 0); e != nil {
		e.Pos = Pos{File: "--set " + override}
		return ErrorList{e}
	}
	return nil
}

// assign sets the value at the path segs under the mapping root, creating
// missing keys (and mappings on the way) at line:col. It returns an error
// with Path and Msg, and no position, when the path cannot be followed.
func assign(root *yaml.Node, segs []segment, val *yaml.Node, line, col int) *Error {
	fail := func(path, format string, args ...any) *Error {
		return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
	}
	cur, path := root, ""
	for i := 0; i < len(segs); {
		cur = deref(cur)
		last := false
		switch {
		case cur.Kind == yaml.MappingNode:
			// Longest existing key made of the next segments joined by dots.
			j, idx := i+1, -1
			for k := len(segs); k > i; k-- {
				if k > i+1 && anyLiteral(segs[i:k]) {
					continue
				}
				if at := keyIndex(cur, joinSegs(segs[i:k])); at >= 0 {
					j, idx = k, at
					break
				}
			}
			key := joinSegs(segs[i:j])
			path = JoinPath(path, key)
			last = j == len(segs)
			if idx < 0 {
				child := val
				if !last {
					child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line, Column: col}
				}
				cur.Content = append(cur.Content,
					&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: line, Column: col}, child)
				idx = len(cur.Content) - 2
			} else if last {
				cur.Content[idx+1] = val
			}
			i = j
			cur = cur.Content[idx+1]
		case cur.Kind == yaml.SequenceNode:
			n, err := strconv.Atoi(segs[i].key)
			if err != nil || n < 0 {
				return fail(path, "is a list; expected an index (0, 1, …), got %q", segs[i].key)
			}
			if n > len(cur.Content) {
				return fail(path, "index %d out of range: the list has %d element(s)", n, len(cur.Content))
			}
			path += "[" + strconv.Itoa(n) + "]"
			i++
			last = i == len(segs)
			switch {
			case n == len(cur.Content) && last:
				cur.Content = append(cur.Content, val)
			case n == len(cur.Content):
				cur.Content = append(cur.Content, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line, Column: col})
			case last:
				cur.Content[n] = val
			}
			cur = cur.Content[n]
		case isNull(cur):
			// An empty section (`evaluate:`) becomes a mapping.
			*cur = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: cur.Line, Column: cur.Column}
			continue
		case cur.Kind == yaml.ScalarNode && cur.Style == 0 && cur.ShortTag() == "!!str":
			// A component written as a bare name (`model: hnn`) becomes
			// {kind: hnn} so that its options can be set.
			kind := *cur
			*cur = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Line: line, Column: col,
				Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "kind", Line: cur.Line, Column: cur.Column}, &kind}}
			continue
		default:
			return fail(path, "is %s, so it has no key %q", describe(cur), segs[i].key)
		}
		if last {
			return nil
		}
	}
	return nil
}

func anyLiteral(segs []segment) bool {
	for _, s := range segs {
		if s.literal {
			return true
		}
	}
	return false
}

func joinSegs(segs []segment) string {
	keys := make([]string, len(segs))
	for i, s := range segs {
		keys[i] = s.key
	}
	return strings.Join(keys, ".")
}

// keyIndex returns the index in n.Content of the key node named key, or -1.
func keyIndex(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := deref(n.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key && k.ShortTag() != "!!merge" {
			return i
		}
	}
	return -1
}
