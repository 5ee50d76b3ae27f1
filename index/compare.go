package index

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"ansatz/results"
	"ansatz/spec"
)

// missing is how Compare shows a key or metric a run does not have.
const missing = "-"

// Compare prints two tables about the runs in runDirs (run folders), one
// column per run headed by its run id:
//
//   - the status of each run, then every spec key whose value is not the same
//     in all runs: the resolved spec (spec.yaml, else the manifest's copy)
//     flattened to dotted keys as --set writes them (train.optimizer.lr,
//     losses[0].weight), in the order of first appearance, plus swept
//     parameters that are not spec keys;
//   - every final metric (see [FinalMetrics]), in the index's order.
//
// A key or metric a run lacks shows as "-". Metrics print with 6 significant
// digits.
func Compare(w io.Writer, runDirs []string) error {
	if len(runDirs) == 0 {
		return errors.New("compare: no runs given")
	}
	runs := make([]*Run, len(runDirs))
	flat := make([]map[string]string, len(runDirs))
	var keys []string
	for i, dir := range runDirs {
		r, err := ReadRun(dir)
		if err != nil {
			return fmt.Errorf("compare: %w", err)
		}
		runs[i] = r
		src, err := os.ReadFile(filepath.Join(dir, results.SpecFile))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			src = []byte(r.Manifest.Spec)
		case err != nil:
			return fmt.Errorf("compare: %w", err)
		}
		kv, err := flatten(src)
		if err != nil {
			return fmt.Errorf("compare: %s: %w", dir, err)
		}
		// A run that failed before writing spec.yaml has neither; the
		// manifest knows its name and seed.
		kv = append([][2]string{{"name", r.Manifest.Name}, {"seed", strconv.FormatUint(r.Manifest.Seed, 10)}}, kv...)
		flat[i] = map[string]string{}
		for _, e := range kv {
			flat[i][e[0]] = e[1]
			if !slices.Contains(keys, e[0]) {
				keys = append(keys, e[0])
			}
		}
		for _, p := range r.Params {
			if inSpec(kv, p.Key) {
				continue
			}
			flat[i][p.Key] = fmt.Sprint(p.Value)
			if !slices.Contains(keys, p.Key) {
				keys = append(keys, p.Key)
			}
		}
	}

	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	row := func(label string, cells []string) {
		fmt.Fprintln(tw, label+"\t"+strings.Join(cells, "\t"))
	}
	ids := make([]string, len(runs))
	status := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.Manifest.RunID
		status[i] = string(r.Manifest.Status)
	}
	row("parameter", ids)
	row("status", status)
	for _, k := range keys {
		cells := make([]string, len(runs))
		for i := range runs {
			v, ok := flat[i][k]
			if !ok {
				v = missing
			}
			cells[i] = v
		}
		if slices.ContainsFunc(cells, func(c string) bool { return c != cells[0] }) {
			row(k, cells)
		}
	}

	var finals []Final
	for _, r := range runs {
		for _, f := range r.Final {
			if !slices.ContainsFunc(finals, func(g Final) bool { return g.Split == f.Split && g.Metric == f.Metric }) {
				finals = append(finals, f)
			}
		}
	}
	slices.SortStableFunc(finals, compareFinal)
	row("", make([]string, len(runs))) // keeps the columns of both tables aligned
	row("metric", ids)
	for _, f := range finals {
		cells := make([]string, len(runs))
		for i, r := range runs {
			cells[i] = missing
			for _, g := range r.Final {
				if g.Split == f.Split && g.Metric == f.Metric {
					cells[i] = strconv.FormatFloat(g.Value, 'g', 6, 64)
				}
			}
		}
		row(f.Name(), cells)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	var text strings.Builder
	for line := range strings.Lines(buf.String()) {
		text.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	if _, err := io.WriteString(w, text.String()); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	return nil
}

// flatten lists the scalar leaves of a YAML document as (dotted key, value)
// pairs in document order; lists are indexed as key[i], and an empty list or
// mapping is a leaf written [] or {}.
func flatten(src []byte) ([][2]string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	var out [][2]string
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			if len(n.Content) == 0 && path != "" {
				out = append(out, [2]string{path, "{}"})
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], spec.JoinPath(path, n.Content[i].Value))
			}
		case yaml.SequenceNode:
			if len(n.Content) == 0 {
				out = append(out, [2]string{path, "[]"})
			}
			for i, c := range n.Content {
				walk(c, path+"["+strconv.Itoa(i)+"]")
			}
		case yaml.ScalarNode:
			out = append(out, [2]string{path, n.Value})
		}
	}
	walk(&doc, "")
	return out, nil
}

// inSpec tells whether key is a leaf of the flattened spec kv or the key of a
// list or mapping in it.
func inSpec(kv [][2]string, key string) bool {
	return slices.ContainsFunc(kv, func(e [2]string) bool {
		k := e[0]
		return k == key || strings.HasPrefix(k, key+".") || strings.HasPrefix(k, key+"[")
	})
}
