package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"ansatz/results"
)

// PlanEntry is one run of a plan (one line of plan.jsonl): enough to find
// the run again in another process, on another machine, and to check that
// the spec has not changed since the plan was made.
type PlanEntry struct {
	// Index is the entry's line number from 0; a job array task runs the
	// entry whose index is its task id.
	Index int `json:"index"`
	// Spec is the spec file as given to ansatz plan.
	Spec string `json:"spec"`
	// Overrides are the --set arguments given to ansatz plan.
	Overrides []string `json:"overrides"`
	// Point is the run's index among the runs Spec expands to.
	Point int `json:"point"`
	// Params are the values the sweep set for this run.
	Params []results.Param `json:"params"`
	// Name is the spec name and RunID the run id: the run writes
	// <out>/<name>/<run_id>/.
	Name  string `json:"name"`
	RunID string `json:"run_id"`
}

// Plan expands the spec files into the plan of their runs, in the order
// ansatz run would run them. Points that give the same run id appear once.
func Plan(specs []string, overrides []string) ([]PlanEntry, error) {
	var plan []PlanEntry
	seen := map[string]bool{}
	for _, j := range expand(specs, overrides) {
		if j.err != nil {
			return nil, j.err
		}
		if seen[j.x.RunID] {
			continue
		}
		seen[j.x.RunID] = true
		params := j.x.Params
		if params == nil {
			params = []results.Param{}
		}
		ov := append([]string{}, overrides...)
		plan = append(plan, PlanEntry{Index: len(plan), Spec: j.path, Overrides: ov, Point: j.x.Point,
			Params: params, Name: j.x.Spec.Name, RunID: j.x.RunID})
	}
	return plan, nil
}

// WritePlan writes a plan as JSON lines, one entry per line.
func WritePlan(w io.Writer, plan []PlanEntry) error {
	enc := json.NewEncoder(w)
	for _, e := range plan {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("writing the plan: %w", err)
		}
	}
	return nil
}

// ReadPlan reads a plan written by WritePlan. Every line must be an entry
// whose index is its line number from 0.
func ReadPlan(path string) ([]PlanEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	defer f.Close()
	var plan []PlanEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e PlanEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: not a plan entry: %w", path, line, err)
		}
		if e.Index != len(plan) {
			return nil, fmt.Errorf("%s:%d: entry has index %d, want %d (make the plan again with ansatz plan)", path, line, e.Index, len(plan))
		}
		plan = append(plan, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(plan) == 0 {
		return nil, fmt.Errorf("%s holds no runs", path)
	}
	return plan, nil
}

// Environment variables that carry a task's index in a job array.
const (
	EnvSlurmIndex = "SLURM_ARRAY_TASK_ID"
	EnvK8sIndex   = "JOB_COMPLETION_INDEX"
)

// PlanIndex returns the plan entry a process runs: flag when given (not
// ""), else $SLURM_ARRAY_TASK_ID, else $JOB_COMPLETION_INDEX (read with
// getenv). It must lie in [0, n).
func PlanIndex(flag string, getenv func(string) string, n int) (int, error) {
	src, v := "--index", flag
	if v == "" {
		for _, env := range []string{EnvSlurmIndex, EnvK8sIndex} {
			if v = getenv(env); v != "" {
				src = "$" + env
				break
			}
		}
	}
	if v == "" {
		return 0, fmt.Errorf("no run index: give --index N or set $%s or $%s", EnvSlurmIndex, EnvK8sIndex)
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not an integer", src, v)
	}
	if i < 0 || i >= n {
		return 0, fmt.Errorf("%s=%d is out of range: the plan has %d runs (0 to %d)", src, i, n, n-1)
	}
	return i, nil
}

// RunPlan runs one entry of a plan as RunAll would run it. The spec is
// resolved again; if its run id differs from the plan's (the spec changed
// since the plan was made), nothing runs and the outcome is a spec error.
func RunPlan(ctx context.Context, stdout, stderr io.Writer, e PlanEntry, opts Options) []Outcome {
	xs, err := PrepareAll(e.Spec, e.Overrides)
	switch {
	case err != nil:
	case e.Point < 0 || e.Point >= len(xs):
		err = specError{fmt.Errorf("plan entry %d: %s expands to %d runs, not point %d; make the plan again", e.Index, e.Spec, len(xs), e.Point)}
	case xs[e.Point].RunID != e.RunID:
		err = specError{fmt.Errorf("plan entry %d: %s point %d now has run id %s, the plan says %s: the spec changed since the plan was made; make the plan again",
			e.Index, e.Spec, e.Point, xs[e.Point].RunID, e.RunID)}
	}
	if err != nil {
		o := Outcome{Spec: e.Spec, Point: e.Point, Params: e.Params, Name: e.Name, RunID: e.RunID,
			Status: results.StatusFailed, Err: err, SpecErr: isSpecError(err)}
		report(stderr, opts, o)
		return []Outcome{o}
	}
	return runJobs(ctx, stdout, stderr, []job{{path: e.Spec, x: xs[e.Point]}}, opts)
}
