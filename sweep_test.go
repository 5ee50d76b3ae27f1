package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"ansatz/plots"
	"ansatz/results"
	"ansatz/runner"
)

// sweepSpec is the sweep of 8 small runs (2 learning rates × 4 seeds).
const sweepSpec = "testdata/sweep/seeds.yaml"

// TestKillAndResume kills a run with SIGKILL once it has written a
// checkpoint, runs the command again, and checks that the resumed run ends
// with exactly the metric values of an uninterrupted run; a third command
// skips the finished run.
func TestKillAndResume(t *testing.T) {
	long := []string{"--set", "train.steps=200000", "--set", "train.eval_every=2000", "--set", "sweep.seeds=[1]",
		"--set", "sweep.grid={train.optimizer.lr: [1e-3]}"}
	ref := t.TempDir()
	if got := ansatz(t, append([]string{"run", sweepSpec, "--out", ref}, long...)...); got.code != exitOK {
		t.Fatalf("uninterrupted run: exit %d\n%s", got.code, got.stderr)
	}
	want := metricValues(t, onlyRunDir(t, ref))

	out := t.TempDir()
	var stderr bytes.Buffer
	cmd := exec.Command(binary, append([]string{"run", sweepSpec, "--out", out}, long...)...)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case <-exited:
			t.Fatalf("the run ended before writing a checkpoint; stderr:\n%s", stderr.String())
		default:
		}
		if dirs := runDirs(t, out); len(dirs) == 1 {
			if _, err := os.Stat(filepath.Join(dirs[0], runner.CheckpointFile)); err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint within a minute; stderr:\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	if code := cmd.ProcessState.ExitCode(); code != -1 {
		t.Fatalf("exit code %d, want death by SIGKILL", code)
	}
	dir := onlyRunDir(t, out)
	if m, _ := assertConsistentRun(t, dir); m.Status != results.StatusRunning {
		t.Fatalf("status after SIGKILL %q, want running", m.Status)
	}

	got := ansatz(t, append([]string{"run", sweepSpec, "--out", out}, long...)...)
	if got.code != exitOK || !strings.Contains(got.stderr, "run resumed") {
		t.Fatalf("rerun: exit %d, want a resumed run\n%s", got.code, got.stderr)
	}
	if d := firstDiff(want, metricValues(t, onlyRunDir(t, out))); d != "" {
		t.Errorf("resumed after SIGKILL, the metrics differ from an uninterrupted run: %s", d)
	}
	if _, err := os.Stat(filepath.Join(dir, runner.CheckpointFile)); err == nil {
		t.Error("checkpoint left after the run finished")
	}
	got = ansatz(t, append([]string{"run", sweepSpec, "--out", out}, long...)...)
	if got.code != exitOK || !strings.Contains(got.stderr, "skipped") {
		t.Errorf("third run: exit %d, want skipped\n%s", got.code, got.stderr)
	}
}

// TestPlanAsJobArray makes a plan of the 8-run sweep, runs it as 8 separate
// processes with SLURM_ARRAY_TASK_ID=0…7 (as a Slurm job array would), and
// checks the results are those of `ansatz run -j 2`. It also checks the
// emitted sbatch script and Kubernetes Job.
func TestPlanAsJobArray(t *testing.T) {
	dir := t.TempDir()
	got := ansatz(t, "plan", sweepSpec)
	if got.code != exitOK {
		t.Fatalf("plan: exit %d\n%s", got.code, got.stderr)
	}
	lines := strings.Split(strings.TrimSpace(got.stdout), "\n")
	if len(lines) != 8 {
		t.Fatalf("plan has %d lines, want 8:\n%s", len(lines), got.stdout)
	}
	planFile := writeFile(t, dir, "plan.jsonl", got.stdout)
	if again := ansatz(t, "plan", sweepSpec); again.stdout != got.stdout {
		t.Error("two plans of the same spec differ")
	}

	cluster := filepath.Join(dir, "cluster")
	for i := range 8 {
		cmd := exec.Command(binary, "run", "--plan", planFile, "--out", cluster)
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", runner.EnvSlurmIndex, i))
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("task %d: %v\n%s", i, err, b)
		}
	}
	local := filepath.Join(dir, "local")
	if got := ansatz(t, "run", sweepSpec, "-j", "2", "--out", local); got.code != exitOK ||
		!strings.Contains(got.stdout, "8 ok, 0 failed, 0 skipped") {
		t.Fatalf("-j 2: exit %d\n%s\n%s", got.code, got.stdout, got.stderr)
	}
	plan, err := runner.ReadPlan(planFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range plan {
		a, b := results.Dir(cluster, e.Name, e.RunID), results.Dir(local, e.Name, e.RunID)
		if d := firstDiff(metricValues(t, a), metricValues(t, b)); d != "" {
			t.Errorf("entry %d: job array and -j 2 differ: %s", e.Index, d)
		}
		if d := firstDiff(trajectoryValues(t, a), trajectoryValues(t, b)); d != "" {
			t.Errorf("entry %d: trajectories differ: %s", e.Index, d)
		}
	}
	if dirs := runDirs(t, cluster); len(dirs) != 8 {
		t.Errorf("%d run folders from the job array, want 8", len(dirs))
	}
	checkIndexAndCompare(t, local, plan)
	if got := ansatz(t, "run", "--plan", planFile, "--index", "8", "--out", cluster); got.code != exitUsage ||
		!strings.Contains(got.stderr, "--index=8 is out of range: the plan has 8 runs") {
		t.Errorf("index out of range: exit %d\n%s", got.code, got.stderr)
	}

	got = ansatz(t, "emit", "slurm", "--plan", planFile, "--out", cluster)
	if got.code != exitOK || !strings.Contains(got.stdout, "#SBATCH --array=0-7\n") ||
		!strings.Contains(got.stdout, "exec ansatz run --plan "+planFile+" --out "+cluster+"\n") {
		t.Errorf("emit slurm: exit %d\n%s%s", got.code, got.stdout, got.stderr)
	}
	if sh, err := exec.LookPath("bash"); err == nil {
		script := writeFile(t, dir, "job.sh", got.stdout)
		if b, err := exec.Command(sh, "-n", script).CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v\n%s", err, b)
		}
	}
	got = ansatz(t, "emit", "k8s", "--plan", planFile, "--parallelism", "2")
	var job map[string]any
	if err := yaml.Unmarshal([]byte(got.stdout), &job); err != nil || got.code != exitOK {
		t.Fatalf("emit k8s: exit %d, YAML: %v\n%s", got.code, err, got.stdout)
	}
	spec, _ := job["spec"].(map[string]any)
	if job["kind"] != "Job" || spec["completionMode"] != "Indexed" || spec["completions"] != 8 || spec["parallelism"] != 2 {
		t.Errorf("Job: %v", job)
	}
}

// checkIndexAndCompare runs `ansatz runs` and `ansatz compare` on the output
// of a sweep, and checks the plots of its runs are PNG files.
func checkIndexAndCompare(t *testing.T, out string, plan []runner.PlanEntry) {
	t.Helper()
	got := ansatz(t, "runs", out)
	if got.code != exitOK {
		t.Fatalf("runs: exit %d\n%s", got.code, got.stderr)
	}
	tab := readParquet(t, filepath.Join(out, "index.parquet"))
	if len(tab.rows) != 8 || !slices.Contains(tab.columns, "train.optimizer.lr") || !slices.Contains(tab.columns, "test.loss") {
		t.Errorf("index.parquet: %d rows, columns %v", len(tab.rows), tab.columns)
	}
	a, b := results.Dir(out, plan[0].Name, plan[0].RunID), results.Dir(out, plan[5].Name, plan[5].RunID)
	got = ansatz(t, "compare", a, b)
	if got.code != exitOK || !strings.Contains(got.stdout, "train.optimizer.lr") || !strings.Contains(got.stdout, "test.loss") {
		t.Errorf("compare: exit %d\n%s%s", got.code, got.stdout, got.stderr)
	}
	pngs, _ := filepath.Glob(filepath.Join(a, plots.Dir, "*.png"))
	if len(pngs) < 3 {
		t.Errorf("plots of %s: %v, want losses, phase and energy", a, pngs)
	}
	for _, p := range pngs {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	got = ansatz(t, "schema")
	var schema map[string]any
	if err := json.Unmarshal([]byte(got.stdout), &schema); err != nil || got.code != exitOK || schema["properties"] == nil {
		t.Errorf("schema: exit %d, %v\n%.200s", got.code, err, got.stdout)
	}
}
