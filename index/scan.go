package index

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ansatz/results"
)

// Run is one run folder as the index sees it.
type Run struct {
	// Dir is the run folder, <out>/<name>/<run-id>.
	Dir string
	// Manifest is the run's manifest.json.
	Manifest *results.Manifest
	// Params are the swept values, as in the manifest but with numbers kept
	// as json.Number, so that 64 and 0.001 can be told apart as integer and
	// floating point.
	Params []results.Param
	// Final are the run's final metrics (see [FinalMetrics]).
	Final []Final
}

// Final is the last value of one metric of a run.
type Final struct {
	// Split is the metric's split ("train", "test", "eval", ...).
	Split string
	// Metric is the metric's name within the split ("loss", "energy_mse").
	Metric string
	// Step is the step the value was recorded at.
	Step int64
	// Value is the value.
	Value float64
}

// Name is how expectations name the metric: "<split>.<metric>" for train and
// test (and any other split), the bare metric for eval.
func (f Final) Name() string {
	if f.Split == "eval" {
		return f.Metric
	}
	return f.Split + "." + f.Metric
}

// compareFinal orders metrics: train, then test, then eval, then other splits
// by name; within a split the total "loss" first, then by name.
func compareFinal(a, b Final) int {
	rank := func(s string) int {
		switch s {
		case "train":
			return 0
		case "test":
			return 1
		case "eval":
			return 2
		}
		return 3
	}
	if c := cmp.Compare(rank(a.Split), rank(b.Split)); c != 0 {
		return c
	}
	if c := strings.Compare(a.Split, b.Split); c != 0 {
		return c
	}
	if (a.Metric == "loss") != (b.Metric == "loss") {
		if a.Metric == "loss" {
			return -1
		}
		return 1
	}
	return strings.Compare(a.Metric, b.Metric)
}

// FinalMetrics returns the last value of every (split, metric) of a run: the
// row with the largest step, the later row on a tie. For a complete run
// these are the rows of its last step. The result is in the order of
// compareFinal: train, test, eval, other splits; "loss" first in each.
func FinalMetrics(rows []results.Metric) []Final {
	idx := map[[2]string]int{}
	var out []Final
	for _, m := range rows {
		k := [2]string{m.Split, m.Metric}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, Final{Split: m.Split, Metric: m.Metric, Step: m.Step, Value: m.Value})
			continue
		}
		if m.Step >= out[i].Step {
			out[i].Step, out[i].Value = m.Step, m.Value
		}
	}
	slices.SortFunc(out, compareFinal)
	return out
}

// Scan reads every run folder <out>/<name>/<run-id>/ that holds a
// manifest.json, skipping folders set aside by a rerun (*.replaced-*) and
// hidden ones. A run without metrics.parquet (one that failed early) has no
// final metrics. Runs are ordered by name, start time and run id.
func Scan(out string) ([]Run, error) {
	matches, err := filepath.Glob(filepath.Join(globEscape(out), "*", "*", results.ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", out, err)
	}
	var runs []Run
	for _, path := range matches {
		dir := filepath.Dir(path)
		if skipped(filepath.Base(dir)) || skipped(filepath.Base(filepath.Dir(dir))) {
			continue
		}
		r, err := ReadRun(dir)
		if err != nil {
			return nil, err
		}
		runs = append(runs, *r)
	}
	slices.SortStableFunc(runs, func(a, b Run) int {
		if c := strings.Compare(a.Manifest.Name, b.Manifest.Name); c != 0 {
			return c
		}
		if c := a.Manifest.Started.Compare(b.Manifest.Started); c != 0 {
			return c
		}
		if c := strings.Compare(a.Manifest.RunID, b.Manifest.RunID); c != 0 {
			return c
		}
		return strings.Compare(a.Dir, b.Dir)
	})
	return runs, nil
}

// skipped tells whether a folder name is one Scan leaves out.
func skipped(name string) bool {
	return strings.HasPrefix(name, ".") || strings.Contains(name, ".replaced-")
}

// globEscape escapes the glob metacharacters of a literal path.
func globEscape(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ReadRun reads the manifest and final metrics of one run folder.
func ReadRun(dir string) (*Run, error) {
	path := filepath.Join(dir, results.ManifestFile)
	m, err := results.ReadManifest(path)
	if err != nil {
		return nil, err
	}
	params, err := readParams(path)
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, Manifest: m, Params: params}
	rows, err := results.ReadMetrics(filepath.Join(dir, results.MetricsFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		r.Final = FinalMetrics(rows)
	}
	return r, nil
}

// readParams reads the params of a manifest.json with numbers as
// json.Number.
func readParams(path string) ([]results.Param, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m struct {
		Params []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		} `json:"params"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", path, err)
	}
	out := make([]results.Param, len(m.Params))
	for i, p := range m.Params {
		var v any
		if len(p.Value) > 0 {
			d := json.NewDecoder(bytes.NewReader(p.Value))
			d.UseNumber()
			if err := d.Decode(&v); err != nil {
				return nil, fmt.Errorf("read manifest %s: param %s: %w", path, p.Key, err)
			}
		}
		out[i] = results.Param{Key: p.Key, Value: v}
	}
	return out, nil
}
