package runner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"ansatz/results"
)

// sweepSpec is the runner's tiny spec with minibatches (so the random
// stream matters), more steps, and a sweep of 2 learning rates × 2 seeds.
var sweepSpec = strings.Replace(strings.Replace(tinySpec,
	"  steps: 5\n  eval_every: 5\n", "  steps: 30\n  eval_every: 5\n  batch: 4\n", 1),
	"expect:", "sweep:\n  grid: {train.optimizer.lr: [1e-3, 3e-3]}\n  seeds: [1, 2]\nexpect:", 1)

// metricRows renders metrics.parquet of a run folder without the wall time.
func metricRows(t *testing.T, dir string) []string {
	t.Helper()
	rows, err := results.ReadMetrics(filepath.Join(dir, results.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%d %s %s %v", r.Step, r.Split, r.Metric, r.Value)
	}
	return out
}

func statuses(outcomes []Outcome) []results.Status {
	var out []results.Status
	for _, o := range outcomes {
		out = append(out, o.Status)
	}
	return out
}

func TestSweepRunsAndReuse(t *testing.T) {
	dir := t.TempDir()
	path := writeSpec(t, dir, "sweep.yaml", sweepSpec)
	out := filepath.Join(dir, "runs")
	opts := quietOptions(out)
	opts.Jobs = 2
	var stdout, stderr bytes.Buffer
	first := RunAll(t.Context(), &stdout, &stderr, []string{path}, opts)
	if got := statuses(first); !slices.Equal(got, []results.Status{"ok", "ok", "ok", "ok"}) {
		t.Fatalf("first batch: %v\nstderr:\n%s", got, stderr.String())
	}
	wantParams := []string{
		"train.optimizer.lr=0.001 seed=1", "train.optimizer.lr=0.001 seed=2",
		"train.optimizer.lr=0.003 seed=1", "train.optimizer.lr=0.003 seed=2",
	}
	ids := map[string]bool{}
	for i, o := range first {
		if got := FormatParams(o.Params); got != wantParams[i] || o.Point != i {
			t.Errorf("run %d: point %d, params %q; want %d, %q", i, o.Point, got, i, wantParams[i])
		}
		ids[o.RunID] = true
		m, err := results.ReadManifest(filepath.Join(o.Dir, results.ManifestFile))
		if err != nil {
			t.Fatal(err)
		}
		if FormatParams(m.Params) != wantParams[i] {
			t.Errorf("manifest params %v, want %s", m.Params, wantParams[i])
		}
		if _, err := os.Stat(filepath.Join(o.Dir, CheckpointFile)); err == nil {
			t.Errorf("%s: checkpoint left after the run finished", o.Dir)
		}
	}
	if len(ids) != 4 {
		t.Errorf("%d distinct run ids, want 4", len(ids))
	}
	if !strings.Contains(stdout.String(), "4 ok, 0 failed, 0 skipped") {
		t.Errorf("summary:\n%s", stdout.String())
	}

	// A second batch skips every run.
	stdout.Reset()
	second := RunAll(t.Context(), &stdout, &stderr, []string{path}, opts)
	if got := statuses(second); !slices.Equal(got, []results.Status{"skipped", "skipped", "skipped", "skipped"}) || ExitCode(second) != 0 {
		t.Fatalf("second batch: %v, exit %d", got, ExitCode(second))
	}
	if !strings.Contains(stdout.String(), "0 ok, 0 failed, 4 skipped") {
		t.Errorf("summary:\n%s", stdout.String())
	}

	// Deleting one result reruns only that run, with the same numbers.
	before := metricRows(t, first[2].Dir)
	if err := os.Remove(filepath.Join(first[2].Dir, results.MetricsFile)); err != nil {
		t.Fatal(err)
	}
	third := RunAll(t.Context(), &stdout, &stderr, []string{path}, opts)
	if got := statuses(third); !slices.Equal(got, []results.Status{"skipped", "skipped", "ok", "skipped"}) {
		t.Fatalf("after deleting one result: %v", got)
	}
	if d := firstDifference(before, metricRows(t, third[2].Dir)); d != "" {
		t.Errorf("rerun differs: %s", d)
	}

	// A tighter bound is checked against the stored metrics.
	stdout.Reset()
	opts.Check = true
	opts.Overrides = []string{"expect.test.loss.max=1e-12"}
	fourth := RunAll(t.Context(), &stdout, &stderr, []string{path}, opts)
	for _, o := range fourth {
		if o.Status != results.StatusExpectationFailed || !o.Reused {
			t.Errorf("reused run with a missed bound: status %s, reused %v", o.Status, o.Reused)
		}
	}
	if !strings.Contains(stdout.String(), "MISS") || !strings.Contains(stdout.String(), "expectation-failed (reused)") {
		t.Errorf("check output:\n%s", stdout.String())
	}

	// --force runs everything again, moving the old folders aside.
	opts.Check, opts.Overrides, opts.Force = false, nil, true
	forced := RunAll(t.Context(), &stdout, &stderr, []string{path}, opts)
	if got := statuses(forced); !slices.Equal(got, []results.Status{"ok", "ok", "ok", "ok"}) {
		t.Fatalf("forced batch: %v", got)
	}
	aside, _ := filepath.Glob(filepath.Join(out, "tiny", "*.replaced-*"))
	if len(aside) != 5 { // 4 forced, and the incomplete run before
		t.Errorf("%d folders moved aside, want 5", len(aside))
	}
}

func firstDifference(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("row %d: %s vs %s", i, a[i], b[i])
		}
	}
	if len(a) != len(b) {
		return fmt.Sprintf("%d rows vs %d", len(a), len(b))
	}
	return ""
}

// TestResumeBitIdentical interrupts a run at several steps (on and between
// evaluations, including a second interruption of the resumed run) and
// checks that resuming ends with exactly the numbers of an uninterrupted
// run: every metric value, the trajectories and the final parameters.
func TestResumeBitIdentical(t *testing.T) {
	dir := t.TempDir()
	spec := strings.Replace(sweepSpec, "  seeds: [1, 2]\n", "", 1)
	spec = strings.Replace(spec, "[1e-3, 3e-3]", "[3e-3]", 1)
	path := writeSpec(t, dir, "one.yaml", spec)
	ref := RunAll(t.Context(), &bytes.Buffer{}, &bytes.Buffer{}, []string{path}, quietOptions(filepath.Join(dir, "ref")))
	if ref[0].Status != results.StatusOK {
		t.Fatalf("reference run: %+v", ref[0])
	}
	want := metricRows(t, ref[0].Dir)
	wantParams, err := os.ReadFile(filepath.Join(ref[0].Dir, ParamsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, stops := range [][]int{{1}, {10}, {13}, {7, 22}, {30}} {
		t.Run(fmt.Sprint(stops), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "runs")
			var o Outcome
			for _, stop := range stops {
				ctx, cancel := context.WithCancel(t.Context())
				opts := quietOptions(out)
				opts.afterStep = func(step int) {
					if step == stop {
						cancel()
					}
				}
				o = RunAll(ctx, &bytes.Buffer{}, &bytes.Buffer{}, []string{path}, opts)[0]
				cancel()
				if stop == 30 {
					// Cancelled after the last step: the loop is over, the
					// run finishes.
					break
				}
				if o.Status != results.StatusInterrupted {
					t.Fatalf("stop at %d: status %s (%v)", stop, o.Status, o.Err)
				}
				if _, err := os.Stat(filepath.Join(o.Dir, CheckpointFile)); err != nil {
					t.Fatalf("no checkpoint after the interruption: %v", err)
				}
			}
			o = RunAll(t.Context(), &bytes.Buffer{}, &bytes.Buffer{}, []string{path}, quietOptions(out))[0]
			if o.Status != results.StatusOK && o.Status != results.StatusSkipped {
				t.Fatalf("resumed run: %s (%v)", o.Status, o.Err)
			}
			if last := stops[len(stops)-1]; last < 30 && o.Resumed != last {
				t.Errorf("resumed at step %d, want %d", o.Resumed, last)
			}
			if d := firstDifference(want, metricRows(t, o.Dir)); d != "" {
				t.Errorf("resumed run differs from the uninterrupted one: %s", d)
			}
			got, err := os.ReadFile(filepath.Join(o.Dir, ParamsFile))
			if err != nil || !bytes.Equal(got, wantParams) {
				t.Errorf("final parameters differ from the uninterrupted run (%v)", err)
			}
			if dirs, _ := filepath.Glob(filepath.Join(out, "tiny", "*")); len(dirs) != 1 {
				t.Errorf("run folders %v, want one (resumed in place)", dirs)
			}
		})
	}
}

// TestResumeIgnoresBadCheckpoint: a checkpoint that does not fit is not
// used; the run starts afresh (the old folder moved aside) and is correct.
func TestResumeIgnoresBadCheckpoint(t *testing.T) {
	dir := t.TempDir()
	path := writeSpec(t, dir, "one.yaml", tinySpec)
	out := filepath.Join(dir, "runs")
	ctx, cancel := context.WithCancel(t.Context())
	opts := quietOptions(out)
	opts.afterStep = func(step int) {
		if step == 3 {
			cancel()
		}
	}
	o := RunAll(ctx, &bytes.Buffer{}, &bytes.Buffer{}, []string{path}, opts)[0]
	if o.Status != results.StatusInterrupted {
		t.Fatalf("status %s", o.Status)
	}
	if err := os.WriteFile(filepath.Join(o.Dir, CheckpointFile), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	o = RunAll(t.Context(), &bytes.Buffer{}, &bytes.Buffer{}, []string{path}, quietOptions(out))[0]
	if o.Status != results.StatusOK || o.Resumed != 0 {
		t.Fatalf("status %s, resumed %d; want a fresh ok run", o.Status, o.Resumed)
	}
	if aside, _ := filepath.Glob(filepath.Join(out, "tiny", "*.replaced-*")); len(aside) != 1 {
		t.Errorf("folders moved aside: %v, want one", aside)
	}
}

func TestFailFast(t *testing.T) {
	dir := t.TempDir()
	// The first point diverges (the loss overflows), the others are fine.
	spec := strings.Replace(tinySpec, "expect:", "sweep:\n  list: [{train.optimizer: {kind: sgd, lr: 1e30}, model.activation: identity}, {seed: 2}, {seed: 3}]\nexpect:", 1)
	path := writeSpec(t, dir, "ff.yaml", spec)
	for _, tc := range []struct {
		failFast bool
		want     []results.Status
	}{
		{false, []results.Status{"failed", "ok", "ok"}},
		{true, []results.Status{"failed", "interrupted", "interrupted"}},
	} {
		opts := quietOptions(filepath.Join(t.TempDir(), "runs"))
		opts.FailFast = tc.failFast
		var stdout bytes.Buffer
		got := RunAll(t.Context(), &stdout, &bytes.Buffer{}, []string{path}, opts)
		if !slices.Equal(statuses(got), tc.want) || ExitCode(got) != 1 {
			t.Errorf("fail-fast %v: %v (exit %d), want %v\n%s", tc.failFast, statuses(got), ExitCode(got), tc.want, stdout.String())
		}
	}
}

func TestPlan(t *testing.T) {
	dir := t.TempDir()
	path := writeSpec(t, dir, "sweep.yaml", sweepSpec)
	plan, err := Plan([]string{path}, []string{"train.steps=10"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 4 {
		t.Fatalf("%d entries, want 4", len(plan))
	}
	var buf bytes.Buffer
	if err := WritePlan(&buf, plan); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], `{"index":1,"spec":"`) ||
		!strings.Contains(lines[1], `"overrides":["train.steps=10"],"point":1,"params":[{"key":"train.optimizer.lr","value":0.001},{"key":"seed","value":2}],"name":"tiny","run_id":"`) {
		t.Errorf("plan.jsonl:\n%s", buf.String())
	}
	file := writeSpec(t, dir, "plan.jsonl", buf.String())
	read, err := ReadPlan(file)
	if err != nil {
		t.Fatal(err)
	}
	for i := range plan {
		if fmt.Sprint(read[i]) != fmt.Sprint(plan[i]) {
			t.Errorf("entry %d read back as %+v, want %+v", i, read[i], plan[i])
		}
	}
	again, _ := Plan([]string{path}, []string{"train.steps=10"})
	if fmt.Sprint(again) != fmt.Sprint(plan) {
		t.Error("two plans of the same spec differ")
	}

	// Each entry run on its own gives what RunAll gives.
	out := filepath.Join(dir, "runs")
	for _, e := range read {
		o := RunPlan(t.Context(), &bytes.Buffer{}, &bytes.Buffer{}, e, quietOptions(out))
		if len(o) != 1 || o[0].Status != results.StatusOK || o[0].RunID != e.RunID {
			t.Fatalf("entry %d: %+v", e.Index, o)
		}
	}
	opts := quietOptions(filepath.Join(dir, "local"), "train.steps=10")
	opts.Jobs = 2
	local := RunAll(t.Context(), &bytes.Buffer{}, &bytes.Buffer{}, []string{path}, opts)
	for i, o := range local {
		if o.RunID != plan[i].RunID {
			t.Fatalf("run %d: id %s, plan says %s", i, o.RunID, plan[i].RunID)
		}
		if d := firstDifference(metricRows(t, o.Dir), metricRows(t, results.Dir(out, "tiny", o.RunID))); d != "" {
			t.Errorf("run %d: plan and -j 2 differ: %s", i, d)
		}
	}

	// A spec changed after planning is refused.
	writeSpec(t, dir, "sweep.yaml", strings.Replace(sweepSpec, "hidden: [4]", "hidden: [5]", 1))
	o := RunPlan(t.Context(), &bytes.Buffer{}, &bytes.Buffer{}, read[0], quietOptions(out))
	if !o[0].SpecErr || !strings.Contains(o[0].Err.Error(), "make the plan again") {
		t.Errorf("changed spec: %+v", o[0])
	}
}

func TestReadPlanErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ content, want string }{
		{"", "holds no runs"},
		{"{not json\n", "plan.jsonl:1: not a plan entry"},
		{`{"index":1}` + "\n", "plan.jsonl:1: entry has index 1, want 0"},
	} {
		_, err := ReadPlan(writeSpec(t, dir, "plan.jsonl", tc.content))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.content, err, tc.want)
		}
	}
}

func TestPlanIndex(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	for _, tc := range []struct {
		name string
		flag string
		env  map[string]string
		want int
		err  string
	}{
		{name: "flag", flag: "3", env: map[string]string{EnvSlurmIndex: "1"}, want: 3},
		{name: "slurm", env: map[string]string{EnvSlurmIndex: "2", EnvK8sIndex: "5"}, want: 2},
		{name: "kubernetes", env: map[string]string{EnvK8sIndex: "7"}, want: 7},
		{name: "none", err: "no run index"},
		{name: "out of range", env: map[string]string{EnvSlurmIndex: "8"}, err: "$SLURM_ARRAY_TASK_ID=8 is out of range: the plan has 8 runs (0 to 7)"},
		{name: "negative", flag: "-1", err: "--index=-1 is out of range"},
		{name: "not a number", env: map[string]string{EnvK8sIndex: "x"}, err: `$JOB_COMPLETION_INDEX="x" is not an integer`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PlanIndex(tc.flag, env(tc.env), 8)
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
			case err != nil || got != tc.want:
				t.Errorf("got %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestEmit(t *testing.T) {
	o := EmitOptions{Plan: "plan.jsonl", Out: "runs", Parallelism: 3, Workdir: "/scratch/me/exp"}
	var slurm bytes.Buffer
	if err := EmitSlurm(&slurm, 8, o); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#!/bin/bash\n", "#SBATCH --array=0-7%3\n", "#SBATCH --chdir=/scratch/me/exp\n",
		"\nexec ansatz run --plan plan.jsonl --out runs\n"} {
		if !strings.Contains(slurm.String(), want) {
			t.Errorf("sbatch script lacks %q:\n%s", want, slurm.String())
		}
	}

	var k8s bytes.Buffer
	o.Workdir = ""
	if err := EmitKubernetes(&k8s, 8, o); err != nil {
		t.Fatal(err)
	}
	var job struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Spec       struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Parallelism    int    `yaml:"parallelism"`
			Template       struct {
				Spec struct {
					RestartPolicy string `yaml:"restartPolicy"`
					Containers    []struct {
						Command    []string `yaml:"command"`
						WorkingDir string   `yaml:"workingDir"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	dec := yaml.NewDecoder(&k8s)
	dec.KnownFields(false)
	if err := dec.Decode(&job); err != nil {
		t.Fatalf("the Job does not parse as YAML: %v", err)
	}
	s := job.Spec
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || s.CompletionMode != "Indexed" || s.Completions != 8 || s.Parallelism != 3 ||
		s.Template.Spec.RestartPolicy != "Never" || len(s.Template.Spec.Containers) != 1 ||
		strings.Join(s.Template.Spec.Containers[0].Command, " ") != "ansatz run --plan plan.jsonl --out runs" ||
		s.Template.Spec.Containers[0].WorkingDir != "/work" {
		t.Errorf("Job: %+v", job)
	}

	for _, bad := range []EmitOptions{{}, {Plan: "p", Name: "Bad_Name"}, {Plan: "p", Parallelism: -1}} {
		if err := EmitSlurm(&bytes.Buffer{}, 8, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	if err := EmitKubernetes(&bytes.Buffer{}, 0, o); err == nil {
		t.Error("empty plan: no error")
	}
}
