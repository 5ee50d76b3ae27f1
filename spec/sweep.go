package spec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"ansatz/suggest"

	"gopkg.in/yaml.v3"
)

// Param is one value a sweep point set: the swept key as written in the
// sweep (e.g. "train.optimizer.lr", or "seed" for seeds:) and its value as
// YAML decodes it (int, float64, string, bool, []any or map[string]any).
type Param struct {
	Key   string
	Value any
}

// maxPoints bounds the number of runs one sweep may expand to.
const maxPoints = 100_000

// sweepSeedStream is the PCG stream of random sweep samples, apart from the
// run streams (1–4, see docs/design.md).
const sweepSeedStream = 0x5377656570 // "Sweep"

// assignment sets one swept key of a point.
type assignment struct {
	key  string     // the key path as written
	segs []segment  // the parsed path
	at   *yaml.Node // the sweep's key node: where new keys are created and errors blamed
	val  *yaml.Node // the value (a node of the file, or generated at the key's position)
}

// point is one combination of swept values (before seeds).
type point []assignment

// sweepKeys are the keys of a sweep: mapping, in the order they expand.
var sweepKeys = []string{"grid", "list", "random", "seeds"}

// expandSweep reads the sweep: mapping n (nil for none) and returns its
// points, in the order LoadAll documents. seed is the spec's seed, the
// default seed of random samples.
func (l *loader) expandSweep(n *yaml.Node, seed uint64) ([]point, ErrorList) {
	if n == nil || isNull(deref(n)) {
		return []point{nil}, nil
	}
	d := &decoder{file: l.main}
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "sweep", "expected a mapping with grid, list, random or seeds, got %s", describe(n))
		return nil, d.errs
	}
	var (
		points   []point
		seeds    []*yaml.Node
		seedsKey *yaml.Node
		swept    bool
	)
	for _, p := range d.pairs(n, "sweep") {
		path := JoinPath("sweep", p.key)
		val := deref(p.val)
		switch p.key {
		case "grid":
			swept = true
			points = append(points, l.grid(d, val, path)...)
		case "list":
			swept = true
			points = append(points, l.list(d, val, path)...)
		case "random":
			swept = true
			points = append(points, l.random(d, val, path, seed)...)
		case "seeds":
			seedsKey = p.keyNode
			if val.Kind != yaml.SequenceNode || len(val.Content) == 0 {
				d.errorf(val, path, "expected a non-empty list of seeds, got %s", describe(val))
				continue
			}
			for i, c := range val.Content {
				var s uint64
				if es := Decode(c, &s, fmt.Sprintf("%s[%d]", path, i), l.main); len(es) > 0 {
					d.errs = append(d.errs, es...)
					continue
				}
				seeds = append(seeds, deref(c))
			}
		default:
			e := d.errorf(p.keyNode, "sweep", "unknown key %q", p.key)
			if e.Hint = suggest.Key(p.key, sweepKeys); e.Hint == "" {
				e.Msg += "; valid keys: " + strings.Join(sweepKeys, ", ")
			}
		}
	}
	if !swept {
		points = []point{nil}
	}
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	if seeds != nil {
		for _, pt := range points {
			for _, a := range pt {
				if a.key == "seed" {
					d.errorf(a.at, "sweep", "seed is swept by seeds: too; sweep it in one place")
					return nil, d.errs
				}
			}
		}
		if len(points)*len(seeds) > maxPoints {
			d.errorf(n, "sweep", "expands to %d runs, more than %d", len(points)*len(seeds), maxPoints)
			return nil, d.errs
		}
		out := make([]point, 0, len(points)*len(seeds))
		for _, pt := range points {
			for _, s := range seeds {
				out = append(out, append(pt[:len(pt):len(pt)], assignment{key: "seed", segs: []segment{{key: "seed"}}, at: seedsKey, val: s}))
			}
		}
		points = out
	}
	if len(points) > maxPoints {
		d.errorf(n, "sweep", "expands to %d runs, more than %d", len(points), maxPoints)
		return nil, d.errs
	}
	return points, nil
}

// axis reads one swept key path; ok is false (and an error recorded) when
// the path is malformed.
func (l *loader) axis(d *decoder, keyNode *yaml.Node, key, path string) ([]segment, bool) {
	segs, err := parseOverridePath(key)
	if err != nil {
		d.errorf(keyNode, path, "%v", err)
		return nil, false
	}
	if segs[0].key == "sweep" || segs[0].key == "extends" || segs[0].key == "name" {
		d.errorf(keyNode, path, "%s cannot be swept", segs[0].key)
		return nil, false
	}
	return segs, true
}

// grid expands `grid: {key: [values…], …}` into its cartesian product, the
// last key varying fastest.
func (l *loader) grid(d *decoder, n *yaml.Node, path string) []point {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		d.errorf(n, path, "expected a mapping of key paths to lists of values, got %s", describe(n))
		return nil
	}
	type axis struct {
		key  string
		segs []segment
		at   *yaml.Node
		vals []*yaml.Node
	}
	var axes []axis
	total := 1
	for _, p := range d.pairs(n, path) {
		segs, ok := l.axis(d, p.keyNode, p.key, path)
		val := deref(p.val)
		if val.Kind != yaml.SequenceNode || len(val.Content) == 0 {
			d.errorf(val, JoinPath(path, "["+p.key+"]"), "expected a non-empty list of values, got %s", describe(val))
			continue
		}
		if !ok {
			continue
		}
		axes = append(axes, axis{p.key, segs, p.keyNode, val.Content})
		total *= len(val.Content)
		if total > maxPoints {
			d.errorf(n, path, "expands to more than %d runs", maxPoints)
			return nil
		}
	}
	if len(d.errs) > 0 {
		return nil
	}
	points := make([]point, total)
	for i := range points {
		pt := make(point, len(axes))
		rest := i
		for j := len(axes) - 1; j >= 0; j-- {
			a := axes[j]
			pt[j] = assignment{key: a.key, segs: a.segs, at: a.at, val: a.vals[rest%len(a.vals)]}
			rest /= len(a.vals)
		}
		points[i] = pt
	}
	return points
}

// list reads `list: [{key: value, …}, …]`, one point per element.
func (l *loader) list(d *decoder, n *yaml.Node, path string) []point {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		d.errorf(n, path, "expected a non-empty list of mappings {key.path: value}, got %s", describe(n))
		return nil
	}
	var points []point
	for i, c := range n.Content {
		c = deref(c)
		ip := fmt.Sprintf("%s[%d]", path, i)
		if c.Kind != yaml.MappingNode || len(c.Content) == 0 {
			d.errorf(c, ip, "expected a non-empty mapping {key.path: value}, got %s", describe(c))
			continue
		}
		var pt point
		for _, p := range d.pairs(c, ip) {
			if segs, ok := l.axis(d, p.keyNode, p.key, ip); ok {
				pt = append(pt, assignment{key: p.key, segs: segs, at: p.keyNode, val: p.val})
			}
		}
		points = append(points, pt)
	}
	return points
}

// distributions are the keys of a random parameter.
var distributions = []string{"uniform", "loguniform", "int", "choice"}

// random draws `random: {count, seed, params}` samples; each sample draws
// its parameters in file order from one PCG stream seeded by seed.
func (l *loader) random(d *decoder, n *yaml.Node, path string, seed uint64) []point {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping with count, seed and params, got %s", describe(n))
		return nil
	}
	type param struct {
		key  string
		segs []segment
		at   *yaml.Node
		dist string
		lo   float64
		hi   float64
		ilo  int64
		ihi  int64
		opts []*yaml.Node
	}
	var (
		count  int
		params []param
		seen   = map[string]bool{}
	)
	for _, p := range d.pairs(n, path) {
		pp := JoinPath(path, p.key)
		seen[p.key] = true
		switch p.key {
		case "count":
			if es := Decode(p.val, &count, pp, l.main); len(es) > 0 {
				d.errs = append(d.errs, es...)
			} else if count <= 0 || count > maxPoints {
				d.errorf(deref(p.val), pp, "must be in [1, %d], got %d", maxPoints, count)
			}
		case "seed":
			d.errs = append(d.errs, Decode(p.val, &seed, pp, l.main)...)
		case "params":
			m := deref(p.val)
			if m.Kind != yaml.MappingNode || len(m.Content) == 0 {
				d.errorf(m, pp, "expected a mapping of key paths to distributions, got %s", describe(m))
				continue
			}
			for _, q := range d.pairs(m, pp) {
				qp := JoinPath(pp, "["+q.key+"]")
				segs, ok := l.axis(d, q.keyNode, q.key, pp)
				dn := deref(q.val)
				if dn.Kind != yaml.MappingNode || len(dn.Content) != 2 {
					d.errorf(dn, qp, "expected one distribution: {uniform: [a, b]}, {loguniform: [a, b]}, {int: [a, b]} or {choice: [v, …]}, got %s", describe(dn))
					continue
				}
				name := deref(dn.Content[0]).Value
				args := deref(dn.Content[1])
				ap := JoinPath(qp, name)
				pr := param{key: q.key, segs: segs, at: q.keyNode, dist: name}
				switch name {
				case "uniform", "loguniform":
					var ab [2]float64
					if es := Decode(args, &ab, ap, l.main); len(es) > 0 {
						d.errs = append(d.errs, es...)
						continue
					}
					pr.lo, pr.hi = ab[0], ab[1]
					switch {
					case !(pr.lo < pr.hi):
						d.errorf(args, ap, "needs a < b, got [%s, %s]", formatFloat(pr.lo), formatFloat(pr.hi))
						continue
					case name == "loguniform" && !(pr.lo > 0):
						d.errorf(args, ap, "needs 0 < a < b, got [%s, %s]", formatFloat(pr.lo), formatFloat(pr.hi))
						continue
					}
				case "int":
					var ab [2]int64
					if es := Decode(args, &ab, ap, l.main); len(es) > 0 {
						d.errs = append(d.errs, es...)
						continue
					}
					pr.ilo, pr.ihi = ab[0], ab[1]
					if pr.ilo > pr.ihi || pr.ihi-pr.ilo < 0 || pr.ihi-pr.ilo == math.MaxInt64 {
						d.errorf(args, ap, "needs a ≤ b, got [%d, %d]", pr.ilo, pr.ihi)
						continue
					}
				case "choice":
					if args.Kind != yaml.SequenceNode || len(args.Content) == 0 {
						d.errorf(args, ap, "expected a non-empty list of values, got %s", describe(args))
						continue
					}
					pr.opts = args.Content
				default:
					e := d.errorf(dn.Content[0], qp, "unknown distribution %q", name)
					if e.Hint = suggest.Key(name, distributions); e.Hint == "" {
						e.Msg += "; expected one of " + strings.Join(distributions, ", ")
					}
					continue
				}
				if ok {
					params = append(params, pr)
				}
			}
		default:
			e := d.errorf(p.keyNode, path, "unknown key %q", p.key)
			e.Hint = suggest.Key(p.key, []string{"count", "seed", "params"})
		}
	}
	if !seen["count"] || !seen["params"] {
		d.errorf(n, path, "needs count and params")
	}
	if len(d.errs) > 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, sweepSeedStream))
	points := make([]point, count)
	for i := range points {
		pt := make(point, len(params))
		for j, p := range params {
			var v *yaml.Node
			switch p.dist {
			case "uniform":
				v = floatNode(p.lo+(p.hi-p.lo)*r.Float64(), p.at)
			case "loguniform":
				a, b := math.Log(p.lo), math.Log(p.hi)
				v = floatNode(math.Exp(a+(b-a)*r.Float64()), p.at)
			case "int":
				x := p.ilo + r.Int64N(p.ihi-p.ilo+1)
				v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(x, 10), Line: p.at.Line, Column: p.at.Column}
			case "choice":
				v = p.opts[r.IntN(len(p.opts))]
			}
			pt[j] = assignment{key: p.key, segs: p.segs, at: p.at, val: v}
		}
		points[i] = pt
	}
	return points
}

// floatNode is a float scalar at the position of at.
func floatNode(x float64, at *yaml.Node) *yaml.Node {
	s := strconv.FormatFloat(x, 'g', -1, 64)
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: s, Line: at.Line, Column: at.Column}
}

// params returns the Params of a point.
func (pt point) params() []Param {
	if len(pt) == 0 {
		return nil
	}
	out := make([]Param, len(pt))
	for i, a := range pt {
		var v any
		if err := deref(a.val).Decode(&v); err != nil {
			v = deref(a.val).Value
		}
		out[i] = Param{Key: a.key, Value: v}
	}
	return out
}
