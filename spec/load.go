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

// LoadAll reads the spec file at path and parses it with ParseAll: one Spec
// per point of its sweep. A file that cannot be read gives the
// *os.PathError.
func LoadAll(path string, overrides []string) ([]*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseAll(path, data, overrides)
}

// Parse parses a spec that describes one run: it is ParseAll, and a sweep
// that expands to more than one point is an error at the sweep: key (use
// ParseAll or LoadAll for those). A sweep of one point gives that point.
func Parse(file string, data []byte, overrides []string) (*Spec, error) {
	specs, err := parsePoints(file, data, overrides, true)
	if err != nil {
		return nil, err
	}
	return specs[0], nil
}

// ParseAll parses the spec in data (read from file, which names it in
// errors and against which extends: paths are resolved), follows its
// extends: chain, expands its sweep:, applies the overrides to each point,
// and decodes each point strictly over the defaults of NewSpec and validates
// it. It returns one Spec per point (one Spec when there is no sweep).
//
// On failure it returns no Spec and an ErrorList holding every problem
// found, each with file:line:col and the source line: invalid text or YAML
// syntax (one error per file, parsing stops there), an empty file, a top
// level that is not a mapping, a bad extends: chain or sweep:, bad
// overrides, then all field errors of all points together (an error that
// every point shares is reported once).
//
// # Extends
//
// `extends: base.yaml` (or a list of files) composes specs; see the
// comment at the top of extends.go: the bases are deep-merged under the file
// (mappings merge key by key, later files win, anything else is replaced;
// a component whose kind changes is replaced as a whole), and errors point
// into the file that wrote the offending key. A relative init_from written
// in a base is rebased so it stays relative to the base's folder. Spec.Extends
// lists the files read.
//
// # Sweeps
//
//	sweep:
//	  grid: {train.optimizer.lr: [1e-3, 1e-2], model.hidden: [[32], [64]]}
//	  list: [{train.steps: 100}, {train.steps: 200, train.batch: 32}]
//	  random: {count: 4, seed: 7, params: {losses.0.weight: {loguniform: [0.1, 10]}}}
//	  seeds: [0, 1, 2]
//
// The points are the grid's cartesian product (keys in file order, the last
// key varying fastest), then the list's points in order, then the random
// samples in order (each draws its params in file order from a PCG stream
// seeded by random.seed, default the spec's seed: as written in the file,
// not as --set changes it); no grid, list or random is one empty point.
// Then each point is repeated for every seed of seeds: (seeds varying
// fastest), which sets seed:. So grid {a: [1, 2]} with seeds [0, 1] gives
// (a=1, seed=0), (a=1, seed=1), (a=2, seed=0), (a=2, seed=1).
//
// The distributions are uniform: [a, b] and loguniform: [a, b] (floats,
// a < b, loguniform needs a > 0), int: [a, b] (integers, both ends
// included) and choice: [v, …] (one of the values as written).
//
// A swept key is a key path exactly as for --set (below), and its value is
// applied to the point's node tree like an override: new keys are created at
// the sweep key's position, so that a misspelt path is reported there when
// the point is decoded. Spec.Params records the point's (key, value) pairs in
// the order above, seed last. The sweep assignments come first and --set
// overrides after, so --set wins over a swept value; a --set whose path
// starts with sweep. edits the sweep itself before it is expanded
// (--set sweep.seeds=[0]). The decoded specs have no sweep: or extends: key
// and share Name (and so the output folder); their run ids tell them apart.
//
// # Overrides
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
func ParseAll(file string, data []byte, overrides []string) ([]*Spec, error) {
	return parsePoints(file, data, overrides, false)
}

// parsePoints is ParseAll; with one set, a sweep of more than one point is an
// error found before any point is decoded.
func parsePoints(file string, data []byte, overrides []string, one bool) ([]*Spec, error) {
	l := &loader{main: file}
	proto := NewSpec()
	proto.File, proto.Source = file, data
	proto.Overrides = append([]string(nil), overrides...)
	fail := func(errs ErrorList) ([]*Spec, error) {
		proto.sources = l.sources
		return nil, proto.Annotate(errs).Sorted()
	}

	root, errs := l.load(file, data, nil)
	if len(errs) > 0 {
		return fail(errs)
	}
	for _, src := range l.sources[1:] {
		proto.Extends = append(proto.Extends, src.file)
	}
	proto.sources = l.sources

	// Overrides of the sweep apply before it expands; the others to each point.
	var later []int
	for i, o := range overrides {
		switch overrideHead(o) {
		case "sweep":
			if err := applyOverride(root, o, -(i + 1)); err != nil {
				errs = append(errs, AsErrorList(err, Pos{File: "--set " + o})...)
			}
		case "extends":
			errs = append(errs, &Error{Pos: Pos{File: "--set " + o}, Path: "extends", Msg: "extends cannot be set with --set"})
		default:
			later = append(later, i)
		}
	}
	if e := checkAcyclic(file, root); e != nil {
		return fail(append(errs, e))
	}
	var sweep *yaml.Node
	if i := keyIndex(root, "sweep"); i >= 0 {
		sweep = root.Content[i]
		proto.sweepPos = l.pos(sweep)
		sweep = root.Content[i+1]
		root.Content = append(root.Content[:i:i], root.Content[i+2:]...)
	}
	var seed uint64
	if i := keyIndex(root, "seed"); i >= 0 {
		_ = Decode(root.Content[i+1], &seed, "seed", file) // reported when a point is decoded
	}
	points, es := l.expandSweep(sweep, seed)
	if len(es) > 0 || len(errs) > 0 {
		return fail(append(errs, es...))
	}
	if one && len(points) > 1 {
		return fail(ErrorList{{Pos: proto.sweepPos, Path: "sweep",
			Msg: fmt.Sprintf("expands to %d runs; this command reads a spec of one run", len(points))}})
	}

	specs := make([]*Spec, 0, len(points))
	for _, pt := range points {
		tree := root
		if len(points) > 1 || len(pt) > 0 || len(later) > 0 {
			tree = cloneNode(root)
		}
		var perr ErrorList
		for _, a := range pt {
			if e := assign(tree, a.segs, cloneNode(a.val), a.at.Line, a.at.Column); e != nil {
				e.Pos = l.pos(a.at)
				e.Msg = "swept key " + strconv.Quote(a.key) + ": " + e.Path + ": " + e.Msg
				e.Path = "sweep"
				perr = append(perr, e)
			}
		}
		for _, i := range later {
			if err := applyOverride(tree, overrides[i], -(i + 1)); err != nil {
				perr = append(perr, AsErrorList(err, Pos{File: "--set " + overrides[i]})...)
			}
		}
		if e := checkAcyclic(file, tree); e != nil {
			errs = append(errs, append(perr, e)...)
			continue
		}
		s := NewSpec()
		s.File, s.Source, s.Overrides, s.Extends, s.sources, s.sweepPos = proto.File, proto.Source, proto.Overrides, proto.Extends, proto.sources, proto.sweepPos
		s.Params = pt.params()
		perr = append(perr, Decode(tree, s, "", file)...)
		errs = append(errs, perr...)
		specs = append(specs, s)
	}
	if len(errs) > 0 {
		return fail(errs)
	}
	return specs, nil
}

// overrideHead returns the first key of an override's path, or "".
func overrideHead(o string) string {
	p, _, _ := strings.Cut(o, "=")
	segs, err := parseOverridePath(strings.TrimSpace(p))
	if err != nil || len(segs) == 0 {
		return ""
	}
	return segs[0].key
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
