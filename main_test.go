package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"ansatz/plots"
	"ansatz/results"
	"ansatz/runner"
)

// binary is the ansatz command built once by TestMain, for the tests that
// need a process to signal.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ansatz-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ansatz")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the ansatz command:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tinySpec is the fixture every run test starts from: an HNN on the spring
// that trains in well under a second.
const tinySpec = "testdata/tiny.yaml"

// outcome is what one command invocation produced.
type outcome struct {
	code           int
	stdout, stderr string
}

// ansatz runs the command in-process, failing the test on a panic.
func ansatz(t *testing.T, args ...string) (o outcome) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("ansatz %s panicked: %v\nstderr:\n%s", strings.Join(args, " "), r, stderr.String())
		}
	}()
	code := run(t.Context(), args, &stdout, &stderr)
	return outcome{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// variant writes a copy of the tiny spec to dir/name with each old→new
// replacement applied; every old text must occur exactly once, so that a
// change to the fixture cannot silently turn a test into a no-op.
func variant(t *testing.T, dir, name string, replace ...string) string {
	t.Helper()
	src, err := os.ReadFile(tinySpec)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for i := 0; i+1 < len(replace); i += 2 {
		if n := strings.Count(s, replace[i]); n != 1 {
			t.Fatalf("%s: %q occurs %d times in %s, want once", name, replace[i], n, tinySpec)
		}
		s = strings.Replace(s, replace[i], replace[i+1], 1)
	}
	return writeFile(t, dir, name, s)
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// position returns "path:line:col" of the first occurrence of marker in the
// file, with the column counted in characters as the spec errors do. A "»"
// in the marker moves the position to the text after it: "steps: »-3" is
// the position of -3 on the line "steps: -3".
func position(t *testing.T, path, marker string) string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, after, found := strings.Cut(marker, "»")
	if !found {
		before, after = "", marker
	}
	for i, line := range strings.Split(string(src), "\n") {
		if j := strings.Index(line, before+after); j >= 0 {
			return fmt.Sprintf("%s:%d:%d", path, i+1, utf8.RuneCountInString(line[:j+len(before)])+1)
		}
	}
	t.Fatalf("%q not found in %s", marker, path)
	return ""
}

// assertNoCrash fails if stderr shows a panic or a goroutine dump.
func assertNoCrash(t *testing.T, stderr string) {
	t.Helper()
	for _, bad := range []string{"panic:", "goroutine ", "runtime error"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr shows a crash (%q):\n%s", bad, stderr)
		}
	}
}

// assertNothingWritten checks the rule for bad input found before a run
// starts: the --out folder was never created, so no run folder exists.
func assertNothingWritten(t *testing.T, out string) {
	t.Helper()
	if _, err := os.Lstat(out); !errors.Is(err, fs.ErrNotExist) {
		var found []string
		filepath.WalkDir(out, func(p string, _ fs.DirEntry, _ error) error {
			found = append(found, p)
			return nil
		})
		t.Errorf("--out folder %s was created (%v); a failed start must leave nothing behind", out, found)
	}
}

// runDirs returns the run folders <out>/<name>/<run-id> (earlier runs moved
// aside included).
func runDirs(t *testing.T, out string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(out, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// onlyRunDir returns the one run folder under out.
func onlyRunDir(t *testing.T, out string) string {
	t.Helper()
	dirs := runDirs(t, out)
	if len(dirs) != 1 {
		t.Fatalf("run folders under %s: %v, want exactly one", out, dirs)
	}
	return dirs[0]
}

// finalNames are the files a run folder may hold under their final names.
var finalNames = map[string]bool{
	results.ManifestFile: true, results.SpecFile: true, results.MetricsFile: true,
	results.TrajectoriesFile: true, results.AnalysisFile: true, runner.ParamsFile: true,
	runner.CheckpointFile: true, plots.Dir: true,
}

// tempName matches the temporary files of results.AtomicWrite: hidden, and
// ending in .tmp, so that no glob for *.parquet or *.json picks them up.
var tempName = regexp.MustCompile(`^\..+\.tmp$`)

// assertConsistentRun checks a run folder however the run ended: every file
// has a final name or a hidden temporary name, the manifest is valid JSON,
// and every Parquet file opens and reads to the end. It returns the manifest
// and the number of temporary files found.
func assertConsistentRun(t *testing.T, dir string) (*results.Manifest, int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	temps := 0
	for _, e := range entries {
		switch name := e.Name(); {
		case tempName.MatchString(name):
			temps++
		case !finalNames[name]:
			t.Errorf("unexpected file %s in run folder %s", name, dir)
		case strings.HasSuffix(name, ".parquet"):
			readParquet(t, filepath.Join(dir, name))
		}
	}
	m, err := results.ReadManifest(filepath.Join(dir, results.ManifestFile))
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return m, temps
}

// table is the content of a Parquet file: column names and rows.
type table struct {
	columns []string
	rows    [][]parquet.Value
}

// readParquet opens a Parquet file and reads every value of every row group,
// failing the test on a truncated or corrupt file.
func readParquet(t *testing.T, path string) table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("%s does not open as Parquet (%d bytes): %v", path, st.Size(), err)
	}
	var tab table
	for _, c := range pf.Schema().Columns() {
		tab.columns = append(tab.columns, strings.Join(c, "."))
	}
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		buf := make([]parquet.Row, 64)
		for {
			n, err := rows.ReadRows(buf)
			for _, r := range buf[:n] {
				tab.rows = append(tab.rows, r.Clone())
			}
			if err != nil {
				rows.Close()
				if !errors.Is(err, io.EOF) {
					t.Fatalf("%s: reading rows: %v", path, err)
				}
				break
			}
		}
	}
	if int64(len(tab.rows)) != pf.NumRows() {
		t.Fatalf("%s: read %d rows, the footer says %d", path, len(tab.rows), pf.NumRows())
	}
	return tab
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notAFolder := writeFile(t, dir, "not-a-folder", "a regular file\n")
	tests := []struct {
		name string
		// spec writes the spec to dir and returns its path.
		spec func(t *testing.T) string
		// args are the command's arguments; "SPEC" is replaced by the spec.
		args []string
		code int
		// at, when set, marks the text the error must be located at: stderr
		// must contain "path:line:col: " of its first occurrence.
		at   string
		want []string
	}{
		{
			name: "spec file missing",
			spec: func(t *testing.T) string { return filepath.Join(dir, "no-such-spec.yaml") },
			code: exitUsage,
			want: []string{"no-such-spec.yaml", "no such file or directory"},
		},
		{
			name: "not YAML",
			spec: func(t *testing.T) string {
				return writeFile(t, dir, "not-yaml.yaml", "name: tiny\nsystem:\n  kind: hamiltonian\n   hamiltonian: \"p^2\"\n")
			},
			code: exitUsage,
			want: []string{"not-yaml.yaml:4:", "invalid YAML"},
		},
		{
			name: "not a mapping",
			spec: func(t *testing.T) string { return writeFile(t, dir, "prose.yaml", "just some prose\n") },
			code: exitUsage,
			at:   "just",
			want: []string{"the top level must be a mapping"},
		},
		{
			name: "unknown key",
			spec: func(t *testing.T) string {
				return variant(t, dir, "unknown-key.yaml", "  coordinates: [q]\n", "  coordinates: [q]\n  coordnates: [x]\n")
			},
			code: exitUsage,
			at:   "coordnates",
			want: []string{`unknown key "coordnates"`, `did you mean "coordinates"?`},
		},
		{
			name: "misspelled component kind",
			spec: func(t *testing.T) string {
				return variant(t, dir, "kind.yaml", "kind: hamiltonian", "kind: hamiltonain")
			},
			code: exitUsage,
			at:   "hamiltonain",
			want: []string{"system.kind", `did you mean "hamiltonian"?`},
		},
		{
			name: "wrong type",
			spec: func(t *testing.T) string { return variant(t, dir, "type.yaml", "steps: 20", "steps: abc") },
			code: exitUsage,
			at:   "steps: »abc",
			want: []string{"train.steps", "expected an integer"},
		},
		{
			name: "missing required field",
			spec: func(t *testing.T) string {
				return variant(t, dir, "missing.yaml", "  hamiltonian: \"p^2/(2*m) + k*q^2/2\"\n", "")
			},
			code: exitUsage,
			want: []string{"missing.yaml:", `missing required key "hamiltonian"`},
		},
		{
			name: "negative steps",
			spec: func(t *testing.T) string { return variant(t, dir, "negative-steps.yaml", "steps: 20", "steps: -3") },
			code: exitUsage,
			at:   "steps: »-3",
			want: []string{"train.steps", "got -3"},
		},
		{
			name: "zero trajectories",
			spec: func(t *testing.T) string { return variant(t, dir, "zero-count.yaml", "count: 6", "count: 0") },
			code: exitUsage,
			want: []string{"zero-count.yaml:13:10: data.count: must be ≥ 1, got 0"},
		},
		{
			name: "expression syntax error",
			spec: func(t *testing.T) string {
				return variant(t, dir, "syntax.yaml", `"p^2/(2*m) + k*q^2/2"`, `"p^2 +* q"`)
			},
			code: exitUsage,
			at:   "* q",
			want: []string{"system.hamiltonian"},
		},
		{
			name: "unknown variable in an expression",
			spec: func(t *testing.T) string {
				return variant(t, dir, "unknown-var.yaml", `k*q^2/2"`, `k*q2^2/2"`)
			},
			code: exitUsage,
			at:   "q2",
			want: []string{"system.hamiltonian", "unknown name q2", "did you mean q?"},
		},
		{
			name: "NaN during data generation",
			spec: func(t *testing.T) string {
				return variant(t, dir, "nan.yaml", `"p^2/(2*m) + k*q^2/2"`, `"p^2 + log(q - 10)"`)
			},
			code: exitFailed,
			want: []string{"nan.yaml: generating data: trajectory 0", "NaN", "log of a negative number"},
		},
		{
			name: "division by zero during data generation",
			spec: func(t *testing.T) string {
				return variant(t, dir, "div-zero.yaml", `"p^2/(2*m) + k*q^2/2"`, `"p^2/(2*m) + k*q^2/2 + 1/(p - p)"`)
			},
			code: exitFailed,
			want: []string{"div-zero.yaml: generating data: trajectory 0", "divide by zero"},
		},
		{
			name: "output folder is a file",
			spec: func(t *testing.T) string { return tinySpec },
			args: []string{"run", "SPEC", "--out", notAFolder},
			code: exitUsage,
			want: []string{"--out " + notAFolder + " is a file, not a folder"},
		},
		{
			name: "empty output folder",
			spec: func(t *testing.T) string { return tinySpec },
			args: []string{"run", "SPEC", "--out", ""},
			code: exitUsage,
			want: []string{"--out is empty"},
		},
		{
			name: "output folder below a file",
			spec: func(t *testing.T) string { return tinySpec },
			args: []string{"run", "SPEC", "--out", filepath.Join(notAFolder, "runs")},
			code: exitUsage,
			want: []string{"cannot be used as the output folder: not a directory"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.spec(t)
			out := filepath.Join(t.TempDir(), "runs")
			args := tc.args
			if args == nil {
				args = []string{"run", "SPEC", "--out", out}
			}
			args = append([]string(nil), args...)
			for i, a := range args {
				if a == "SPEC" {
					args[i] = path
				}
			}
			got := ansatz(t, args...)
			if got.code != tc.code {
				t.Errorf("exit code %d, want %d\nstderr:\n%s", got.code, tc.code, got.stderr)
			}
			want := tc.want
			if tc.at != "" {
				want = append(want, position(t, path, tc.at)+": ")
			}
			for _, w := range want {
				if !strings.Contains(got.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, got.stderr)
				}
			}
			assertNoCrash(t, got.stderr)
			assertNothingWritten(t, out)
			if b, err := os.ReadFile(notAFolder); err != nil || string(b) != "a regular file\n" {
				t.Errorf("the file given as --out was changed: %q, %v", b, err)
			}
		})
	}
}

// TestSpecErrorShowsLine checks the whole rendering of one spec error: the
// position, the key path, the hint, the offending line and a caret under the
// offending text.
func TestSpecErrorShowsLine(t *testing.T) {
	path := variant(t, t.TempDir(), "kind.yaml", "kind: hamiltonian", "kind: hamiltonain")
	got := ansatz(t, "validate", path)
	want := position(t, path, "hamiltonain") + `: system.kind: unknown system "hamiltonain" (did you mean "hamiltonian"?)
   6 |   kind: hamiltonain
     |         ^
`
	if got.code != exitUsage || got.stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and:\n%s", got.code, got.stderr, want)
	}
}

// TestRunFailureKeepsConsistentFolder: a run that fails while training (the
// loss overflows) keeps a complete folder: a manifest saying why, and
// readable tables of what was computed; the error is printed once, plainly.
func TestRunFailureKeepsConsistentFolder(t *testing.T) {
	out := t.TempDir()
	got := ansatz(t, "run", tinySpec, "--out", out,
		"--set", "model.activation=identity", "--set", "train.optimizer={kind: sgd, lr: 1e30}")
	if got.code != exitFailed {
		t.Fatalf("exit code %d, want 1\nstderr:\n%s", got.code, got.stderr)
	}
	dir := onlyRunDir(t, out)
	m, temps := assertConsistentRun(t, dir)
	if temps != 0 {
		t.Errorf("%d temporary files left in %s", temps, dir)
	}
	if m.Status != results.StatusFailed || !regexp.MustCompile(`^step \d+: the loss is \+Inf`).MatchString(m.Reason) {
		t.Errorf("manifest status %q, reason %q; want failed, step N: the loss is +Inf", m.Status, m.Reason)
	}
	wantErr := tinySpec + ": " + m.Reason + "\n  results so far: " + dir + "\n"
	if !strings.Contains(got.stderr, wantErr) {
		t.Errorf("stderr lacks %q:\n%s", wantErr, got.stderr)
	}
	if n := strings.Count(got.stderr, "the loss is"); n != 1 {
		t.Errorf("the error appears %d times on stderr, want once:\n%s", n, got.stderr)
	}
	assertNoCrash(t, got.stderr)
}

// start runs the built binary on the tiny spec with many steps, and waits
// until metrics.parquet has been rewritten at least once after the step-0
// evaluation, so that the run is in the middle of training.
func start(t *testing.T, out string) (*exec.Cmd, *bytes.Buffer, string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(binary, "run", tinySpec, "--out", out, "--set", "train.steps=1000000")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	var first int64
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		dirs := runDirs(t, out)
		if len(dirs) == 1 {
			if st, err := os.Stat(filepath.Join(dirs[0], results.MetricsFile)); err == nil {
				if first == 0 {
					first = st.Size()
				} else if st.Size() != first {
					return cmd, &stderr, dirs[0]
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no growing metrics.parquet under %s within a minute; stderr:\n%s", out, stderr.String())
	return nil, nil, ""
}

// wait waits for the process to end (a minute at most) and returns its
// exit code, or -1 when a signal ended it.
func wait(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode()
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatal("the process did not end within a minute of the signal")
	}
	return 0
}

func TestSIGKILLLeavesNoTruncatedFile(t *testing.T) {
	out := t.TempDir()
	cmd, stderr, dir := start(t, out)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code := wait(t, cmd); code != -1 {
		t.Fatalf("exit code %d, want death by SIGKILL; stderr:\n%s", code, stderr)
	}
	m, temps := assertConsistentRun(t, dir)
	if m.Status != results.StatusRunning {
		t.Errorf("manifest status %q, want %q (the run had no chance to record its end)", m.Status, results.StatusRunning)
	}
	rows, err := results.ReadMetrics(filepath.Join(dir, results.MetricsFile))
	if err != nil || len(rows) == 0 {
		t.Errorf("metrics after SIGKILL: %d rows, %v", len(rows), err)
	}
	t.Logf("killed with %d metric rows and %d temporary files", len(rows), temps)
}

func TestSIGINTStopsCleanly(t *testing.T) {
	out := t.TempDir()
	cmd, stderr, dir := start(t, out)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := wait(t, cmd); code != exitFailed {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr)
	}
	assertNoCrash(t, stderr.String())
	m, temps := assertConsistentRun(t, dir)
	if temps != 0 {
		t.Errorf("%d temporary files left after a clean stop", temps)
	}
	if m.Status != results.StatusInterrupted {
		t.Errorf("manifest status %q, want interrupted", m.Status)
	}
	match := regexp.MustCompile(`^interrupted at step (\d+) of 1000000$`).FindStringSubmatch(m.Reason)
	if match == nil {
		t.Fatalf("manifest reason %q, want \"interrupted at step N of 1000000\"", m.Reason)
	}
	stopped, _ := strconv.ParseInt(match[1], 10, 64)
	if !strings.Contains(stderr.String(), tinySpec+": "+m.Reason) {
		t.Errorf("stderr does not say %q:\n%s", m.Reason, stderr)
	}

	rows, err := results.ReadMetrics(filepath.Join(dir, results.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	// Losses are recorded at step 0 and every eval_every = 10 steps, each
	// time for both splits; the table ends at the last evaluation before
	// the interruption.
	perStep := map[int64]int{}
	var last int64
	for _, r := range rows {
		if r.Step%10 != 0 || r.Step > stopped || r.Split == "eval" {
			t.Errorf("unexpected row %+v (stopped at step %d)", r, stopped)
		}
		perStep[r.Step]++
		last = max(last, r.Step)
	}
	if last < 10 || stopped-last >= 10 {
		t.Errorf("last recorded step %d, stopped at %d: want the evaluation just before the stop", last, stopped)
	}
	for s := int64(0); s <= last; s += 10 {
		if perStep[s] != 4 { // {train, test} × {loss, loss.hnn}
			t.Errorf("step %d has %d rows, want 4", s, perStep[s])
		}
	}
}

// metricValues returns the rows of metrics.parquet without the wall time.
func metricValues(t *testing.T, dir string) []string {
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

// trajectoryValues returns every value of trajectories.parquet, row by row.
func trajectoryValues(t *testing.T, dir string) []string {
	t.Helper()
	tab := readParquet(t, filepath.Join(dir, results.TrajectoriesFile))
	out := make([]string, len(tab.rows))
	for i, r := range tab.rows {
		out[i] = fmt.Sprint(r)
	}
	return out
}

func TestReproducible(t *testing.T) {
	runIn := func(out string, extra ...string) string {
		t.Helper()
		got := ansatz(t, append([]string{"run", tinySpec, "--out", out}, extra...)...)
		if got.code != exitOK {
			t.Fatalf("exit code %d\nstderr:\n%s", got.code, got.stderr)
		}
		return onlyRunDir(t, out)
	}
	a := runIn(t.TempDir())
	b := runIn(t.TempDir())
	c := runIn(t.TempDir(), "--set", "seed=2")

	ma, mb, mc := metricValues(t, a), metricValues(t, b), metricValues(t, c)
	if len(ma) < 8 {
		t.Fatalf("only %d metric rows", len(ma))
	}
	if d := firstDiff(ma, mb); d != "" {
		t.Errorf("same spec and seed, different metrics: %s", d)
	}
	ta, tb, tc := trajectoryValues(t, a), trajectoryValues(t, b), trajectoryValues(t, c)
	if len(ta) != 2*2*20 { // {truth, model} × 2 rollouts × 20 times
		t.Errorf("%d trajectory rows, want 80", len(ta))
	}
	if d := firstDiff(ta, tb); d != "" {
		t.Errorf("same spec and seed, different trajectories: %s", d)
	}
	if firstDiff(ma, mc) == "" {
		t.Error("seed 2 gives the same metrics as seed 1")
	}
	if firstDiff(ta, tc) == "" {
		t.Error("seed 2 gives the same trajectories as seed 1")
	}
}

// firstDiff describes the first difference between two lists, or returns "".
func firstDiff(a, b []string) string {
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

func TestCommands(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStdout bool
	}{
		{name: "validate experiments", args: []string{"validate", "experiments/"}, code: exitOK,
			stdout: []string{"experiments/spring-hnn.yaml: ok (spring-hnn, run id ", "experiments/two-body-hnn.yaml: ok ("}},
		{name: "validate folder", args: []string{"validate", "testdata/"}, code: exitOK,
			stdout: []string{"testdata/tiny.yaml: ok (tiny, run id "}},
		{name: "validate quickstart", args: []string{"validate", "experiments/quickstart.yaml"}, code: exitOK,
			stdout: []string{"experiments/quickstart.yaml: ok (quickstart, run id "}},
		{name: "list", args: []string{"list"}, code: exitOK,
			stdout: []string{"system:\n", "  hamiltonian ", "loss:\n", "  hnn ", "  mse ", "optimizer:\n", "  adam ", "analysis:\n", "energy_drift"}},
		{name: "list loss", args: []string{"list", "loss"}, code: exitOK,
			stdout: []string{"loss:\n", "  hnn ", "  mse ", "norm "}},
		{name: "list unknown kind", args: []string{"list", "nosuchkind"}, code: exitUsage, noStdout: true,
			stderr: []string{`unknown kind "nosuchkind"`, "kinds: system, data, model, loss"}},
		{name: "list plural kind", args: []string{"list", "losses"}, code: exitUsage, noStdout: true,
			stderr: []string{`unknown kind "losses" (did you mean "loss"?)`}},
		{name: "version", args: []string{"--version"}, code: exitOK, stdout: []string{"ansatz "}},
		{name: "help", args: []string{"--help"}, code: exitOK, stdout: []string{"Usage:", "ansatz run SPEC|DIR", "-out"}},
		{name: "no arguments", args: nil, code: exitUsage, noStdout: true, stderr: []string{"Usage:", "-set"}},
		{name: "unknown command", args: []string{"frobnicate"}, code: exitUsage, noStdout: true,
			stderr: []string{`unknown command "frobnicate"`, "ansatz --help"}},
		{name: "misspelled command", args: []string{"rnu", tinySpec}, code: exitUsage, noStdout: true,
			stderr: []string{`unknown command "rnu" (did you mean "run"?)`}},
		{name: "run without spec", args: []string{"run"}, code: exitUsage, noStdout: true,
			stderr: []string{"no spec given"}},
		{name: "unknown flag", args: []string{"run", tinySpec, "--outt", "x"}, code: exitUsage, noStdout: true,
			stderr: []string{"-outt"}},
		{name: "bad log format", args: []string{"validate", tinySpec, "--log-format", "xml"}, code: exitUsage, noStdout: true,
			stderr: []string{"--log-format must be console or json"}},
		{name: "folder without specs", args: []string{"validate", "runner"}, code: exitUsage, noStdout: true,
			stderr: []string{"folder runner holds no .yaml specs"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ansatz(t, tc.args...)
			if got.code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", got.code, tc.code, got.stdout, got.stderr)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(got.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, got.stdout)
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(got.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, got.stderr)
				}
			}
			if tc.noStdout && got.stdout != "" {
				t.Errorf("stdout should be empty:\n%s", got.stdout)
			}
			assertNoCrash(t, got.stderr)
		})
	}
}

func TestCheckMissedExpectation(t *testing.T) {
	out := t.TempDir()
	got := ansatz(t, "check", tinySpec, "--out", out, "--set", "expect.test.loss.max=1e-9")
	if got.code != exitFailed {
		t.Fatalf("exit code %d, want 1\nstderr:\n%s", got.code, got.stderr)
	}
	row := regexp.MustCompile(`(?m)^  test\.loss +≤ 1e-09 +[0-9.e+-]+ +MISS$`)
	if !row.MatchString(got.stdout) {
		t.Errorf("stdout has no MISS row for test.loss:\n%s", got.stdout)
	}
	if !strings.Contains(got.stdout, "0 ok, 0 failed, 0 skipped, 0 interrupted, 1 expectation-failed, 0 spec errors") {
		t.Errorf("stdout lacks the summary:\n%s", got.stdout)
	}
	m, _ := assertConsistentRun(t, onlyRunDir(t, out))
	if m.Status != results.StatusExpectationFailed {
		t.Errorf("manifest status %q, want expectation-failed", m.Status)
	}
	if len(m.Expectations) != 1 || m.Expectations[0].OK || m.Expectations[0].Metric != "test.loss" {
		t.Errorf("manifest expectations %+v, want one missed test.loss", m.Expectations)
	}
	if !regexp.MustCompile(`^expectations not met: test\.loss = [0-9.e+-]+, want ≤ 1e-09$`).MatchString(m.Reason) {
		t.Errorf("manifest reason %q", m.Reason)
	}

	// The same spec with its own, generous bound passes.
	got = ansatz(t, "check", tinySpec, "--out", out)
	if got.code != exitOK || !regexp.MustCompile(`(?m)^  test\.loss +≤ 10 +[0-9.e+-]+ +ok$`).MatchString(got.stdout) {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
	}
}

// TestManifestJSON checks that manifest.json is plain JSON a script can read
// without ansatz: status, run id and the resolved spec.
func TestManifestJSON(t *testing.T) {
	out := t.TempDir()
	if got := ansatz(t, "run", tinySpec, "--out", out); got.code != exitOK {
		t.Fatalf("exit %d: %s", got.code, got.stderr)
	}
	dir := onlyRunDir(t, out)
	b, err := os.ReadFile(filepath.Join(dir, results.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["status"] != "ok" || m["run_id"] != filepath.Base(dir) || !strings.Contains(fmt.Sprint(m["spec"]), "name: tiny") {
		t.Errorf("manifest: status %v, run_id %v (folder %s), spec %.40q", m["status"], m["run_id"], filepath.Base(dir), m["spec"])
	}
	// Running again skips the finished run; --force runs it again and moves
	// the earlier run aside rather than overwriting it.
	if got := ansatz(t, "run", tinySpec, "--out", out); got.code != exitOK || !strings.Contains(got.stderr, "skipped") {
		t.Fatalf("second run: exit %d: %s", got.code, got.stderr)
	}
	if dirs := runDirs(t, out); len(dirs) != 1 {
		t.Errorf("after a second run: %v, want the one run", dirs)
	}
	if got := ansatz(t, "run", tinySpec, "--out", out, "--force"); got.code != exitOK {
		t.Fatalf("forced run: exit %d: %s", got.code, got.stderr)
	}
	if dirs := runDirs(t, out); len(dirs) != 2 {
		t.Errorf("after a forced run: %v, want the run and the earlier one moved aside", dirs)
	}
}
