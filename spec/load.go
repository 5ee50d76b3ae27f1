package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Load reads the spec file at path and parses it with Parse. A file that
// cannot be read gives the *os.PathError ("open spec.yaml: no such file or
// directory"); everything else is as for Parse.
func Load(path string, overrides []string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, overrides)
}

// Parse parses the spec in data (read from file, which names it in errors),
// applies the overrides, decodes it strictly over the defaults of NewSpec and
// validates it.
//
// On failure it returns a nil Spec and an ErrorList holding every problem
// found, each with file:line:col and the source line: invalid text or YAML
// syntax (one error, parsing stops there), an empty file, a top level that is
// not a mapping, bad overrides, then all field errors together.
//
// An override (--set on the command line) is `key.path=value`, applied to
// the YAML node tree before decoding so that the result is checked exactly
// like the file:
//
//   - path segments are separated by dots and name mapping keys (missing keys
//     are created) or list indices (losses.0.weight, also losses[0].weight);
//     an index equal to the list's length appends an element;
//   - a key that itself contains dots is matched when it exists
//     (expect.test.loss.max finds the key "test.loss"), or can be written in
//     brackets: expect[test.loss].max;
//   - a component written as a bare name (model: hnn) is turned into
//     {kind: hnn} when a path goes through it (model.hidden=[64]);
//   - the value is YAML: 0.01, [64, 64], {kind: sgd}, tanh, "quoted text";
//     an empty value is the empty string.
//
// Errors in an override, or in the values it sets, name the override
// ("--set train.steps=-3: train.steps: must be > 0, got -3"). The overrides
// are recorded in Spec.Overrides.
func Parse(file string, data []byte, overrides []string) (*Spec, error) {
	s := NewSpec()
	s.File, s.Source = file, data
	s.Overrides = append([]string(nil), overrides...)
	fail := func(errs ErrorList) (*Spec, error) {
		return nil, s.Annotate(errs).Sorted()
	}

	if e := checkText(file, data); e != nil {
		return fail(ErrorList{e})
	}
	root, e := parseDocument(file, data)
	if e != nil {
		return fail(ErrorList{e})
	}
	if root.Kind != yaml.MappingNode {
		return fail(ErrorList{{Pos: Pos{File: file, Line: root.Line, Col: root.Column},
			Msg: "the top level must be a mapping (name: …, system: …), got " + describe(root)}})
	}
	var errs ErrorList
	for i, o := range overrides {
		if err := applyOverride(root, o, -(i + 1)); err != nil {
			errs = append(errs, AsErrorList(err, Pos{File: "--set " + o})...)
		}
	}
	if e := checkAcyclic(file, root); e != nil {
		return fail(append(errs, e))
	}
	errs = append(errs, Decode(root, s, "", file)...)
	if len(errs) > 0 {
		return fail(errs)
	}
	return s, nil
}

// checkText rejects what YAML cannot hold, with an exact position: invalid
// UTF-8 and control characters.
func checkText(file string, data []byte) *Error {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		var msg string
		switch {
		case r == utf8.RuneError && size <= 1:
			msg = fmt.Sprintf("invalid UTF-8 (byte 0x%02x); spec files must be UTF-8 text", data[i])
		case r == '\n':
			line, col = line+1, 0
		case r == '\t' || r == '\r' || r == 0x85:
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0xd800 && r <= 0xdfff || r == 0xfffe || r == 0xffff:
			msg = fmt.Sprintf("control character %U is not allowed in YAML", r)
		}
		if msg != "" {
			return &Error{Pos: Pos{File: file, Line: line, Col: col}, Msg: msg}
		}
		i += size
		col++
	}
	return nil
}

var (
	yamlLineErr   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// syntaxError turns a yaml.v3 error into an Error at the line it names. yaml.v3
// gives no column, so the error points at the first character of that line;
// for errors inside a collection the line is where the collection starts.
func syntaxError(file string, data []byte, err error) *Error {
	msg := err.Error()
	line := 1
	if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if isParserError(msg) {
			// yaml.v3 reports parser (not scanner) errors with a 0-based line.
			line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
			if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
				line = 1 + bytes.Count(data[:i], []byte("\n"))
				start := bytes.LastIndexByte(data[:i], '\n') + 1
				return &Error{Pos: Pos{File: file, Line: line, Col: 1 + utf8.RuneCount(data[start:i])}, Msg: "invalid YAML: " + msg}
			}
		}
	}
	lines := bytes.Split(data, []byte("\n"))
	line = max(1, min(line, len(lines)))
	text := lines[line-1]
	col := 1 + utf8.RuneCount(text) - utf8.RuneCount(bytes.TrimLeft(text, " "))
	if len(bytes.TrimSpace(text)) == 0 {
		col = 1
	}
	return &Error{Pos: Pos{File: file, Line: line, Col: col}, Msg: "invalid YAML: " + msg}
}

// parserErrors are the messages of yaml.v3's parser (as opposed to its
// scanner), whose line numbers are off by one.
var parserErrors = []string{
	"did not find expected ',' or",
	"did not find expected key",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"found duplicate %",
	"found incompatible YAML document",
	"found undefined tag handle",
}

func isParserError(msg string) bool {
	for _, p := range parserErrors {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// parseDocument parses the single YAML document of data and returns its root
// node. Empty files and files with several documents are errors.
func parseDocument(file string, data []byte) (*yaml.Node, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := safeDecode(dec, &doc)
	empty := &Error{Pos: Pos{File: file, Line: 1, Col: 1},
		Msg: "empty spec: expected a mapping with name, system, data, model, losses and train"}
	switch {
	case errors.Is(err, io.EOF):
		return nil, empty
	case err != nil:
		return nil, syntaxError(file, data, err)
	}
	var next yaml.Node
	switch err := safeDecode(dec, &next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(file, data, err)
	default:
		return nil, &Error{Pos: Pos{File: file, Line: max(1, next.Line), Col: max(1, next.Column)},
			Msg: "a spec file holds one YAML document; found another here"}
	}
	root := deref(&doc)
	if isNull(root) && root.Kind == yaml.ScalarNode && root.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		return nil, empty
	}
	return root, nil
}

// safeDecode decodes one document, turning a panic inside yaml.v3 into an
// error: malformed input must never crash the tool.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse this input (%v)", r)
		}
	}()
	return dec.Decode(n)
}

// checkAcyclic reports an alias that refers to a node containing it, which
// would otherwise send every walker of the tree into an endless loop.
func checkAcyclic(file string, root *yaml.Node) *Error {
	const (
		active = 1
		done   = 2
	)
	state := map[*yaml.Node]int{}
	var walk func(n *yaml.Node) *Error
	walk = func(n *yaml.Node) *Error {
		if n == nil || state[n] == done {
			return nil
		}
		if state[n] == active {
			return &Error{Pos: Pos{File: file, Line: n.Line, Col: n.Column}, Msg: "recursive alias: this node contains an alias to itself"}
		}
		state[n] = active
		if n.Kind == yaml.AliasNode {
			if state[n.Alias] == active {
				return &Error{Pos: Pos{File: file, Line: n.Line, Col: n.Column},
					Msg: fmt.Sprintf("recursive alias: *%s refers to a node that contains it", n.Value)}
			}
			if e := walk(n.Alias); e != nil {
				return e
			}
		}
		for _, c := range n.Content {
			if e := walk(c); e != nil {
				return e
			}
		}
		state[n] = done
		return nil
	}
	return walk(root)
}
