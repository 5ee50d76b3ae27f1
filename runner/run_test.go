package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"ansatz/results"
)

// tinySpec trains an HNN on the spring in a few milliseconds.
const tinySpec = `name: tiny
seed: 1
system:
  kind: hamiltonian
  coordinates: [q]
  momenta: [p]
  parameters: {k: 2.0, m: 0.5}
  hamiltonian: "p^2/(2*m) + k*q^2/2"
data:
  kind: trajectories
  count: 4
  t: {start: 0, stop: 1, points: 8}
  initial: {kind: radius, min: 0.1, max: 1.0}
  split: {test: 0.25}
model:
  kind: hnn
  hidden: [4]
losses:
  - {kind: hnn}
train:
  optimizer: {kind: adam, lr: 3e-3}
  steps: 5
  eval_every: 5
evaluate:
  rollouts: {count: 2, t: {start: 0, stop: 0.5, points: 5}, integrator: {kind: rk4, dt: 0.05}}
analyses:
  - {kind: energy_drift}
expect:
  test.loss: {max: 100}
  energy_drift: {max: 100}
`

func writeSpec(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func quietOptions(out string, overrides ...string) Options {
	return Options{Out: out, Overrides: overrides, Logger: zerolog.Nop()}
}

func TestExitCode(t *testing.T) {
	ok := Outcome{Status: results.StatusOK}
	tests := []struct {
		name     string
		outcomes []Outcome
		want     int
	}{
		{"nothing", nil, 0},
		{"all ok", []Outcome{ok, ok}, 0},
		{"one failed", []Outcome{ok, {Status: results.StatusFailed}}, 1},
		{"interrupted", []Outcome{{Status: results.StatusInterrupted}}, 1},
		{"expectation missed", []Outcome{{Status: results.StatusExpectationFailed}, ok}, 1},
		{"spec error wins", []Outcome{{Status: results.StatusFailed}, {Status: results.StatusFailed, SpecErr: true}}, 2},
	}
	for _, tc := range tests {
		if got := ExitCode(tc.outcomes); got != tc.want {
			t.Errorf("%s: ExitCode = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestFindSpecs(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.yaml", "a.yml", "notes.txt"} {
		writeSpec(t, dir, name, "name: x\n")
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o755); err != nil { // a folder, skipped
		t.Fatal(err)
	}
	writeSpec(t, filepath.Join(dir, "sub.yaml"), "deep.yaml", "name: x\n") // not recursive
	empty := t.TempDir()

	got, err := FindSpecs([]string{dir, filepath.Join(dir, "notes.txt")})
	want := []string{filepath.Join(dir, "a.yml"), filepath.Join(dir, "b.yaml"), filepath.Join(dir, "notes.txt")}
	if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("FindSpecs = %v, %v; want %v", got, err, want)
	}
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.yaml"), "missing.yaml: no such file or directory"},
		{empty, "holds no .yaml specs"},
	} {
		if _, err := FindSpecs([]string{tc.path}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FindSpecs(%s) error %v, want one containing %q", tc.path, err, tc.want)
		}
	}
}

func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	path := writeSpec(t, dir, "tiny.yaml", tinySpec)
	a, err := Prepare(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Prepare(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Prepare(path, []string{"seed=2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.RunID) != 12 || a.RunID != b.RunID || a.RunID == c.RunID {
		t.Errorf("run ids %q, %q (same spec), %q (seed 2): want 12 hex digits, equal for the same spec", a.RunID, b.RunID, c.RunID)
	}
	if !bytes.Contains(a.Resolved, []byte("activation: tanh")) {
		t.Errorf("the resolved spec lacks the model's defaults:\n%s", a.Resolved)
	}

	bad := writeSpec(t, dir, "bad.yaml", strings.Replace(tinySpec, "steps: 5", "steps: -1", 1))
	_, err = Prepare(bad, nil)
	if err == nil || !isSpecError(err) || !strings.Contains(err.Error(), "bad.yaml:22:10: train.steps") {
		t.Errorf("Prepare(bad) = %v (spec error %v), want a located spec error", err, isSpecError(err))
	}
}

// TestRunAllOK runs the tiny spec as `ansatz check` does and checks the
// outcome, the folder and the printed table.
func TestRunAllOK(t *testing.T) {
	dir := t.TempDir()
	path := writeSpec(t, dir, "tiny.yaml", tinySpec)
	out := filepath.Join(dir, "runs")
	opts := quietOptions(out)
	opts.Check = true
	var stdout, stderr bytes.Buffer
	outcomes := RunAll(t.Context(), &stdout, &stderr, []string{path}, opts)
	if len(outcomes) != 1 {
		t.Fatalf("%d outcomes", len(outcomes))
	}
	o := outcomes[0]
	if o.Status != results.StatusOK || o.Err != nil || ExitCode(outcomes) != 0 {
		t.Fatalf("outcome %+v; stderr:\n%s", o, stderr.String())
	}
	if o.Dir != results.Dir(out, "tiny", o.RunID) {
		t.Errorf("run folder %s", o.Dir)
	}
	if len(o.Checks) != 2 || !o.Checks[0].OK || !o.Checks[1].OK {
		t.Errorf("checks %+v, want test.loss and energy_drift met", o.Checks)
	}
	for _, f := range []string{results.ManifestFile, results.SpecFile, results.MetricsFile, results.TrajectoriesFile, results.AnalysisFile} {
		if _, err := os.Stat(filepath.Join(o.Dir, f)); err != nil {
			t.Error(err)
		}
	}
	for _, want := range []string{"test.loss     ≤ 100", "energy_drift  ≤ 100", "1 ok, 0 failed"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr of a good run: %s", stderr.String())
	}
}

// TestRunAllInterruptedBeforeStart: specs not started because of Ctrl-C are
// reported as interrupted (exit 1), and nothing is written.
func TestRunAllInterruptedBeforeStart(t *testing.T) {
	dir := t.TempDir()
	a := writeSpec(t, dir, "a.yaml", tinySpec)
	b := writeSpec(t, dir, "b.yaml", strings.Replace(tinySpec, "seed: 1", "seed: 2", 1))
	out := filepath.Join(dir, "runs")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	outcomes := RunAll(ctx, &stdout, &stderr, []string{a, b}, quietOptions(out))
	if len(outcomes) != 2 || ExitCode(outcomes) != 1 {
		t.Fatalf("outcomes %+v, exit %d; want 2 interrupted, exit 1", outcomes, ExitCode(outcomes))
	}
	for _, o := range outcomes {
		if o.Status != results.StatusInterrupted || o.Dir != "" {
			t.Errorf("outcome %+v, want interrupted without a folder", o)
		}
	}
	if !strings.Contains(stdout.String(), "0 ok, 0 failed, 0 skipped, 2 interrupted") {
		t.Errorf("summary:\n%s", stdout.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was created", out)
	}
}

// TestRunOneInterruptedDuringData: a run whose context ends while the data
// is generated creates no folder.
func TestRunOneInterruptedDuringData(t *testing.T) {
	dir := t.TempDir()
	path := writeSpec(t, dir, "tiny.yaml", tinySpec)
	out := filepath.Join(dir, "runs")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	o := runOne(ctx, path, quietOptions(out))
	if o.Status != results.StatusInterrupted || o.Dir != "" || o.Err == nil {
		t.Errorf("outcome %+v, want interrupted without a folder", o)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was created", out)
	}
}

func TestReport(t *testing.T) {
	specErr := specError{errors.New("tiny.yaml:3:1: system: missing required key")}
	tests := []struct {
		name   string
		json   bool
		o      Outcome
		want   string
		asJSON map[string]string
	}{
		{name: "ok", o: Outcome{Spec: "tiny.yaml", Status: results.StatusOK}, want: ""},
		{name: "spec error", o: Outcome{Spec: "tiny.yaml", Err: specErr, SpecErr: true},
			want: "tiny.yaml:3:1: system: missing required key\n"},
		{name: "failed before the folder", o: Outcome{Spec: "tiny.yaml", Status: results.StatusFailed, Err: errors.New("generating data: NaN")},
			want: "tiny.yaml: generating data: NaN\n"},
		{name: "failed in training", o: Outcome{Spec: "tiny.yaml", Status: results.StatusFailed, Dir: "runs/tiny/abc", Err: errors.New("step 3: the loss is +Inf")},
			want: "tiny.yaml: step 3: the loss is +Inf\n  results so far: runs/tiny/abc\n"},
		{name: "json", json: true, o: Outcome{Spec: "tiny.yaml", Status: results.StatusInterrupted, Dir: "runs/tiny/abc", Err: errors.New("interrupted at step 7 of 10")},
			asJSON: map[string]string{"level": "error", "spec": "tiny.yaml", "status": "interrupted", "dir": "runs/tiny/abc", "message": "interrupted at step 7 of 10"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			opts := Options{LogFormat: "console"}
			if tc.json {
				opts.LogFormat = "json"
				var err error
				if opts.Logger, err = NewLogger(&stderr, "json", false); err != nil {
					t.Fatal(err)
				}
			}
			report(&stderr, opts, tc.o)
			if tc.asJSON == nil {
				if stderr.String() != tc.want {
					t.Errorf("got %q, want %q", stderr.String(), tc.want)
				}
				return
			}
			var rec map[string]any
			if err := json.Unmarshal(stderr.Bytes(), &rec); err != nil {
				t.Fatalf("%v: %s", err, stderr.String())
			}
			for k, v := range tc.asJSON {
				if rec[k] != v {
					t.Errorf("%s = %v, want %q", k, rec[k], v)
				}
			}
		})
	}
}

func TestDescribeMisses(t *testing.T) {
	checks := []results.Expectation{
		{Metric: "test.loss", Bound: "≤ 1e-09", Value: 0.99956, OK: false},
		{Metric: "train.loss", Bound: "≤ 1", Value: 0.5, OK: true},
		{Metric: "energy_mse", Bound: "≤ 0.01", Value: math.NaN(), OK: false},
	}
	want := "test.loss = 0.9996, want ≤ 1e-09; energy_mse is NaN or was not computed, want ≤ 0.01"
	if got := describeMisses(checks); got != want {
		t.Errorf("describeMisses = %q, want %q", got, want)
	}
	if got := describeMisses(checks[1:2]); got != "" {
		t.Errorf("describeMisses(all met) = %q, want \"\"", got)
	}
}

// TestCheckExpectations: a metric the run did not produce is a miss with
// value NaN; final metrics are addressed as split.metric, eval ones bare.
func TestCheckExpectations(t *testing.T) {
	dir := t.TempDir()
	path := writeSpec(t, dir, "tiny.yaml", strings.Replace(tinySpec, "energy_drift: {max: 100}", "energy_drift: {max: 100}\n  test.los: {max: 1}", 1))
	x, err := Prepare(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &trainer{x: x, step: 5, metrics: []results.Metric{
		{Step: 0, Split: "test", Metric: "loss", Value: 7},
		{Step: 5, Split: "test", Metric: "loss", Value: 0.5},
		{Step: 5, Split: "eval", Metric: "energy_drift", Value: 200},
	}}
	got := checkExpectations(x, tr.finalMetrics())
	if len(got) != 3 {
		t.Fatalf("%d checks", len(got))
	}
	if c := got[0]; c.Metric != "test.loss" || c.Value != 0.5 || !c.OK {
		t.Errorf("test.loss check %+v, want 0.5 (step 5), ok", c)
	}
	if c := got[1]; c.Metric != "energy_drift" || c.Value != 200 || c.OK {
		t.Errorf("energy_drift check %+v, want 200, missed", c)
	}
	if c := got[2]; c.Metric != "test.los" || !math.IsNaN(c.Value) || c.OK {
		t.Errorf("test.los check %+v, want NaN, missed", c)
	}
}

func TestNewLogger(t *testing.T) {
	var b bytes.Buffer
	for _, f := range []string{"", "console", "json"} {
		if _, err := NewLogger(&b, f, true); err != nil {
			t.Errorf("NewLogger(%q): %v", f, err)
		}
	}
	if _, err := NewLogger(&b, "xml", false); err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("NewLogger(xml) error %v", err)
	}
}

// TestConsoleLog: the console shows fields in reading order, with 4
// significant digits; JSON keeps every digit.
func TestConsoleLog(t *testing.T) {
	log := func(format string) string {
		var b bytes.Buffer
		l, err := NewLogger(&b, format, false)
		if err != nil {
			t.Fatal(err)
		}
		l.Info().Str("run", "tiny/abc").Int("step", 30).Int("of", 400).Float64("loss", 0.005778660921637011).
			Str("eta", "2s").Msg("training")
		return b.String()
	}
	if got, want := log("console"), " INF training step=30 of=400 loss=0.005779 eta=2s run=tiny/abc\n"; !strings.HasSuffix(got, want) {
		t.Errorf("console line %q, want it to end with %q", got, want)
	}
	if got := log("json"); !strings.Contains(got, `"loss":0.005778660921637011`) {
		t.Errorf("json line %q lacks the full-precision loss", got)
	}
}

func TestList(t *testing.T) {
	var b bytes.Buffer
	if err := List(&b, " loss "); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "loss:\n  ") || !strings.Contains(b.String(), "\n  hnn ") || strings.Contains(b.String(), "system:") {
		t.Errorf("List(loss):\n%s", b.String())
	}
	// Types read as YAML, and the columns line up over the whole kind.
	b.Reset()
	if err := List(&b, "system"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"      coordinates  [string, …]         names of the canonical coordinates q\n",
		"      equations    {name: expression}  right-hand side",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("List(system) lacks %q:\n%s", want, b.String())
		}
	}
	err := List(&b, "optimiser")
	if err == nil || !strings.Contains(err.Error(), `(did you mean "optimizer"?)`) {
		t.Errorf("List(optimiser) error %v", err)
	}
}

func TestYAMLType(t *testing.T) {
	for in, want := range map[string]string{
		"int": "int", "[]float": "[float, …]", "map[string]float": "{name: float}",
		"[][]int": "[[int, …], …]", "map[string][]string": "{name: [string, …]}",
	} {
		if got := yamlType(in); got != want {
			t.Errorf("yamlType(%q) = %q, want %q", in, got, want)
		}
	}
}
