package results

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

// Status is how a run stands or ended, as recorded in manifest.json.
type Status string

// The statuses a manifest can carry.
const (
	// StatusRunning: the run has started and not finished (or was killed
	// without a chance to record it).
	StatusRunning Status = "running"
	// StatusOK: the run finished and met every expectation.
	StatusOK Status = "ok"
	// StatusFailed: the run stopped on an error; Reason says which.
	StatusFailed Status = "failed"
	// StatusInterrupted: the run was cancelled (for example by Ctrl-C).
	StatusInterrupted Status = "interrupted"
	// StatusExpectationFailed: the run finished but missed an expect: bound.
	StatusExpectationFailed Status = "expectation-failed"
	// StatusSkipped: the run was not run again because a finished run with
	// the same id was found. The runner reports it; a manifest never holds
	// it.
	StatusSkipped Status = "skipped"
)

// Manifest is the content of manifest.json: what was run, with which tool, and
// how it ended. Times are written in RFC 3339 (Go's JSON form of time.Time).
type Manifest struct {
	// RunID identifies the run (a short hash of the resolved spec and seed).
	RunID string `json:"run_id"`
	// Name is the spec name.
	Name string `json:"name"`
	// SpecFile is the path of the spec file as given on the command line.
	SpecFile string `json:"spec_file"`
	// Seed is the seed every random stream of the run derives from.
	Seed uint64 `json:"seed"`
	// Status is how the run stands or ended.
	Status Status `json:"status"`
	// Reason explains a failed, interrupted or expectation-failed run.
	Reason string `json:"reason,omitempty"`
	// ToolVersion is the ansatz version ("dev" for a local build).
	ToolVersion string `json:"tool_version"`
	// VCSRevision is the commit ansatz was built from, when known.
	VCSRevision string `json:"vcs_revision"`
	// VCSModified tells whether the working tree had uncommitted changes.
	VCSModified bool `json:"vcs_modified"`
	// GoVersion is the Go toolchain ansatz was built with.
	GoVersion string `json:"go_version"`
	// Started is when the run began.
	Started time.Time `json:"started"`
	// Ended is when the run finished; omitted while it runs.
	Ended time.Time `json:"ended,omitzero"`
	// Overrides are the --set key=value arguments, in the order given.
	Overrides []string `json:"overrides"`
	// Extends are the files the spec extends (extends:), depth first.
	Extends []string `json:"extends,omitempty"`
	// Params are the values a sweep set for this run (swept key, value), in
	// the sweep's order; empty for a run that is not part of a sweep.
	Params []Param `json:"params,omitempty"`
	// Spec is the resolved spec (defaults applied, overrides merged) as YAML.
	Spec string `json:"spec"`
	// Expectations are the checked expect: bounds, in spec order.
	Expectations []Expectation `json:"expectations"`
}

// Expectation is the outcome of one expect: bound of the spec.
type Expectation struct {
	// Metric is the metric the bound applies to, e.g. "test.loss".
	Metric string `json:"metric"`
	// Bound is the bound as a reader should see it, e.g. "<= 0.045".
	Bound string `json:"bound"`
	// Value is the value the run reached; NaN when the metric is missing.
	// Non-finite values are written as the JSON strings "NaN", "+Inf" and
	// "-Inf", since JSON numbers cannot hold them.
	Value float64 `json:"value"`
	// OK tells whether Value is within Bound.
	OK bool `json:"ok"`
}

// expectationJSON is the wire form of Expectation; Value is a number or, when
// not finite, a string.
type expectationJSON struct {
	Metric string          `json:"metric"`
	Bound  string          `json:"bound"`
	Value  json.RawMessage `json:"value"`
	OK     bool            `json:"ok"`
}

// MarshalJSON writes e with a non-finite Value as a string.
func (e Expectation) MarshalJSON() ([]byte, error) {
	var v []byte
	switch {
	case math.IsNaN(e.Value):
		v = []byte(`"NaN"`)
	case math.IsInf(e.Value, 1):
		v = []byte(`"+Inf"`)
	case math.IsInf(e.Value, -1):
		v = []byte(`"-Inf"`)
	default:
		v = strconv.AppendFloat(nil, e.Value, 'g', -1, 64)
	}
	return json.Marshal(expectationJSON{Metric: e.Metric, Bound: e.Bound, Value: v, OK: e.OK})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Expectation) UnmarshalJSON(b []byte) error {
	var w expectationJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	value := math.NaN()
	if len(w.Value) > 0 && string(w.Value) != "null" {
		if err := json.Unmarshal(w.Value, &value); err != nil {
			var s string
			if json.Unmarshal(w.Value, &s) != nil {
				return fmt.Errorf("expectation %q: value %s is neither a number nor a string", w.Metric, w.Value)
			}
			if value, err = strconv.ParseFloat(s, 64); err != nil {
				return fmt.Errorf("expectation %q: value: %w", w.Metric, err)
			}
		}
	}
	*e = Expectation{Metric: w.Metric, Bound: w.Bound, Value: value, OK: w.OK}
	return nil
}

// BuildInfo returns the version and VCS revision ansatz was built from, and
// whether the working tree was modified. A local build ("(devel)" or no
// version) reports version "dev"; revision is empty when unknown.
func BuildInfo() (version, revision string, modified bool) {
	version = "dev"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version, "", false
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		version = v
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	return version, revision, modified
}

// SetBuildInfo fills ToolVersion, VCSRevision, VCSModified and GoVersion from
// the running binary.
func (m *Manifest) SetBuildInfo() {
	m.ToolVersion, m.VCSRevision, m.VCSModified = BuildInfo()
	m.GoVersion = runtime.Version()
}

// WriteManifest writes m to manifest.json as indented JSON, atomically. The
// runner calls it when the run starts (status running) and again when it ends.
// Nil Overrides and Expectations are written as empty lists.
func (r *Run) WriteManifest(m *Manifest) error {
	c := *m
	if c.Overrides == nil {
		c.Overrides = []string{}
	}
	if c.Expectations == nil {
		c.Expectations = []Expectation{}
	}
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest of run %s: %w", r.RunID, err)
	}
	b = append(b, '\n')
	return AtomicWrite(r.Path(ManifestFile), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// ReadManifest reads a manifest.json, for example to decide whether a run
// with the same id already finished.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", path, err)
	}
	return &m, nil
}

// Param is one swept value of a run: a dotted spec key and the value (a
// number, string or bool, or a list/map for structured values).
type Param struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}
