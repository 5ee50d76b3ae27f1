package index

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"ansatz/results"
)

// fakeRun is a run folder to write for a test.
type fakeRun struct {
	name    string
	id      string
	status  results.Status
	seed    uint64
	params  []results.Param
	spec    string
	metrics []results.Metric
	expect  []results.Expectation
}

// write creates the run folder under out.
func (f fakeRun) write(t *testing.T, out string, started time.Time) string {
	t.Helper()
	r, err := results.Create(out, f.name, f.id)
	if err != nil {
		t.Fatal(err)
	}
	m := &results.Manifest{RunID: f.id, Name: f.name, Seed: f.seed, Status: f.status, Params: f.params,
		Started: started, Ended: started.Add(90 * time.Second), Spec: f.spec, Expectations: f.expect,
		ToolVersion: "dev", VCSRevision: "abc123"}
	if f.status == results.StatusRunning {
		m.Ended = time.Time{}
	}
	if f.status == results.StatusFailed {
		m.Reason = "diverged"
	}
	if err := r.WriteManifest(m); err != nil {
		t.Fatal(err)
	}
	if f.spec != "" {
		if err := r.WriteSpec([]byte(f.spec)); err != nil {
			t.Fatal(err)
		}
	}
	if f.metrics != nil {
		if err := r.WriteMetrics(f.metrics); err != nil {
			t.Fatal(err)
		}
	}
	return r.Dir
}

// sweepSpec is a resolved spec of the synthetic sweep.
func sweepSpec(lr float64, hidden int, kind string, seed uint64) string {
	return fmt.Sprintf(`name: spring
seed: %d
model:
  kind: hnn
  hidden: [%d, %d]
losses:
  - {kind: hnn, weight: 1}
train:
  optimizer: {kind: %s, lr: %g}
  steps: 100
`, seed, hidden, hidden, kind, lr)
}

// lossCurve is a run's metrics: train and test losses at steps 0, 50, 100
// ending at final, and an eval metric.
func lossCurve(final float64) []results.Metric {
	var rows []results.Metric
	for _, step := range []int64{0, 50, 100} {
		v := final * float64(1+100-step)
		for _, split := range []string{"test", "train"} {
			rows = append(rows, results.Metric{Step: step, Split: split, Metric: "loss", Value: v},
				results.Metric{Step: step, Split: split, Metric: "loss.hnn", Value: v})
		}
	}
	return append(rows, results.Metric{Step: 100, Split: "eval", Metric: "energy_mse", Value: final / 10})
}

// sweepRuns writes the synthetic sweep lr × hidden × optimizer (8 runs), a
// run of another spec without params, a failed run without metrics, and a
// folder set aside by a rerun. It returns the output folder.
func sweepRuns(t *testing.T) string {
	out := t.TempDir()
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	i := 0
	for _, lr := range []float64{1e-3, 1e-2} {
		for _, hidden := range []int{32, 64} {
			for _, kind := range []string{"adam", "sgd"} {
				f := fakeRun{name: "spring", id: fmt.Sprintf("run%02d", i), status: results.StatusOK, seed: 7,
					params: []results.Param{{Key: "train.optimizer.lr", Value: lr}, {Key: "model.hidden", Value: hidden},
						{Key: "train.optimizer.kind", Value: kind}},
					spec:    sweepSpec(lr, hidden, kind, 7),
					metrics: lossCurve(lr * float64(hidden)),
					expect:  []results.Expectation{{Metric: "energy_mse", Bound: "<= 1", Value: 0, OK: true}}}
				f.write(t, out, start.Add(time.Duration(i)*time.Minute))
				i++
			}
		}
	}
	fakeRun{name: "other", id: "plain", status: results.StatusOK, seed: 1, spec: "name: other\n",
		metrics: []results.Metric{{Step: 10, Split: "eval", Metric: "rollout_mse", Value: 0.5}}}.write(t, out, start)
	fakeRun{name: "spring", id: "failed", status: results.StatusFailed, seed: 7,
		params: []results.Param{{Key: "train.optimizer.lr", Value: 1.0}, {Key: "extra", Value: true}}}.write(t, out, start.Add(time.Hour))
	fakeRun{name: "spring", id: "run00.replaced-20250301T120000", status: results.StatusOK}.write(t, out, start)
	return out
}

// indexRow reads the index with the columns the test knows.
type indexRow struct {
	RunID       string     `parquet:"run_id"`
	Name        string     `parquet:"name"`
	Status      string     `parquet:"status"`
	Reason      *string    `parquet:"reason"`
	Seed        int64      `parquet:"seed"`
	VCSRevision string     `parquet:"vcs_revision"`
	Started     time.Time  `parquet:"started,timestamp(microsecond:utc)"`
	Ended       *time.Time `parquet:"ended,timestamp(microsecond:utc)"`
	Dir         string     `parquet:"dir"`
	LR          *float64   `parquet:"train.optimizer.lr"`
	Hidden      *int64     `parquet:"model.hidden"`
	Kind        *string    `parquet:"train.optimizer.kind"`
	Extra       *bool      `parquet:"extra"`
	TrainLoss   *float64   `parquet:"train.loss"`
	TestLoss    *float64   `parquet:"test.loss"`
	EnergyMSE   *float64   `parquet:"energy_mse"`
	RolloutMSE  *float64   `parquet:"rollout_mse"`
}

func TestBuildSchema(t *testing.T) {
	out := sweepRuns(t)
	path, err := Build(out)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(out, File) {
		t.Errorf("path %s", path)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if n := pf.NumRows(); n != 10 {
		t.Errorf("%d rows, want 10 (8 sweep runs, 1 plain, 1 failed; the replaced folder skipped)", n)
	}
	type col struct {
		name, typ string
		optional  bool
	}
	want := []col{
		{"run_id", "BYTE_ARRAY STRING", false},
		{"name", "BYTE_ARRAY STRING", false},
		{"status", "BYTE_ARRAY STRING", false},
		{"reason", "BYTE_ARRAY STRING", true},
		{"seed", "INT64 INT(64,true)", false},
		{"vcs_revision", "BYTE_ARRAY STRING", false},
		{"vcs_modified", "BOOLEAN", false},
		{"tool_version", "BYTE_ARRAY STRING", false},
		{"started", "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", false},
		{"ended", "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", true},
		{"dir", "BYTE_ARRAY STRING", false},
		{"train.optimizer.lr", "DOUBLE", true},
		{"model.hidden", "INT64 INT(64,true)", true},
		{"train.optimizer.kind", "BYTE_ARRAY STRING", true},
		{"extra", "BOOLEAN", true},
		{"train.loss", "DOUBLE", true},
		{"train.loss.hnn", "DOUBLE", true},
		{"test.loss", "DOUBLE", true},
		{"test.loss.hnn", "DOUBLE", true},
		{"energy_mse", "DOUBLE", true},
		{"rollout_mse", "DOUBLE", true},
	}
	var got []col
	for _, fld := range pf.Schema().Fields() {
		typ := fld.Type().Kind().String()
		if lt := fld.Type().LogicalType(); lt != nil && lt.String() != "" {
			typ += " " + lt.String()
		}
		got = append(got, col{fld.Name(), typ, fld.Optional()})
	}
	if !slices.Equal(got, want) {
		t.Errorf("columns\n got %v\nwant %v", got, want)
	}
}

func TestBuildValues(t *testing.T) {
	out := sweepRuns(t)
	path, err := Build(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := parquet.ReadFile[indexRow](path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.RunID)
	}
	wantIDs := []string{"plain", "run00", "run01", "run02", "run03", "run04", "run05", "run06", "run07", "failed"}
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("rows %v, want %v (by name, then start time)", ids, wantIDs)
	}
	// run05: lr 1e-2, hidden 32, sgd; final loss = lr·hidden = 0.32.
	r := rows[6]
	if r.LR == nil || *r.LR != 1e-2 || r.Hidden == nil || *r.Hidden != 32 || r.Kind == nil || *r.Kind != "sgd" {
		t.Errorf("run05 params lr=%v hidden=%v kind=%v", deref(r.LR), deref(r.Hidden), deref(r.Kind))
	}
	if r.TestLoss == nil || math.Abs(*r.TestLoss-0.32) > 1e-12 || r.TrainLoss == nil || math.Abs(*r.TrainLoss-0.32) > 1e-12 {
		t.Errorf("run05 final losses train=%v test=%v, want 0.32 (the step-100 rows)", deref(r.TrainLoss), deref(r.TestLoss))
	}
	if r.EnergyMSE == nil || math.Abs(*r.EnergyMSE-0.032) > 1e-12 || r.RolloutMSE != nil || r.Extra != nil {
		t.Errorf("run05 energy_mse=%v rollout_mse=%v extra=%v", deref(r.EnergyMSE), deref(r.RolloutMSE), deref(r.Extra))
	}
	if r.Seed != 7 || r.Name != "spring" || r.Status != "ok" || r.Reason != nil || r.VCSRevision != "abc123" || r.Dir != "spring/run05" {
		t.Errorf("run05 fixed columns %+v", r)
	}
	wantStart := time.Date(2025, 3, 1, 12, 5, 0, 0, time.UTC)
	if !r.Started.Equal(wantStart) || r.Ended == nil || !r.Ended.Equal(wantStart.Add(90*time.Second)) {
		t.Errorf("run05 started %v ended %v", r.Started, deref(r.Ended))
	}
	plain := rows[0]
	if plain.LR != nil || plain.Hidden != nil || plain.Kind != nil || plain.TestLoss != nil || deref(plain.RolloutMSE) != 0.5 {
		t.Errorf("plain run: %+v", plain)
	}
	failed := rows[9]
	if deref(failed.Reason) != "diverged" || deref(failed.LR) != 1 || !deref(failed.Extra) || failed.Hidden != nil || failed.TestLoss != nil {
		t.Errorf("failed run: %+v", failed)
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func TestBuildSweepFigures(t *testing.T) {
	out := sweepRuns(t)
	if _, err := Build(out); err != nil {
		t.Fatal(err)
	}
	got, _ := filepath.Glob(filepath.Join(out, "spring", "sweep-*.png"))
	want := []string{
		"sweep-model.hidden-energy_mse.png", "sweep-model.hidden-test.loss.png",
		"sweep-train.optimizer.lr-energy_mse.png", "sweep-train.optimizer.lr-test.loss.png",
	}
	var names []string
	for _, g := range got {
		names = append(names, filepath.Base(g))
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s: %v", g, err)
		}
	}
	if !slices.Equal(names, want) {
		t.Errorf("figures %v, want %v", names, want)
	}
}

func TestBuildEmpty(t *testing.T) {
	out := t.TempDir()
	path, err := Build(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := parquet.ReadFile[indexRow](path)
	if err != nil || len(rows) != 0 {
		t.Fatalf("empty index: %d rows, %v", len(rows), err)
	}
}

func TestKindOf(t *testing.T) {
	n := func(s string) any { return json.Number(s) }
	tests := []struct {
		values []any
		want   colKind
	}{
		{[]any{n("32"), n("64"), nil}, kindInt},
		{[]any{n("32"), n("0.5")}, kindDouble},
		{[]any{n("1e-3"), n("1e-2")}, kindDouble},
		{[]any{true, false}, kindBool},
		{[]any{"adam", "sgd"}, kindString},
		{[]any{"adam", n("3")}, kindString},
		{[]any{[]any{n("1"), n("2")}}, kindString},
		{[]any{n("99999999999999999999")}, kindDouble},
		{[]any{nil}, kindString},
	}
	for _, tt := range tests {
		if got := kindOf(tt.values); got != tt.want {
			t.Errorf("kindOf(%v) = %v, want %v", tt.values, got, tt.want)
		}
	}
}

func TestUniqueName(t *testing.T) {
	taken := map[string]bool{"seed": true, "name": true}
	for _, tc := range []struct{ in, prefix, want string }{
		{"seed", "param.", "param.seed"},
		{"Name", "param.", "param.Name"},
		{"a,b", "param.", "a_b"},
		{"A_B", "metric.", "metric.A_B"},
		{"metric.A_B", "metric.", "metric.metric.A_B"},
	} {
		if got := uniqueName(tc.in, tc.prefix, taken); got != tc.want {
			t.Errorf("uniqueName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFinalMetrics(t *testing.T) {
	rows := []results.Metric{
		{Step: 0, Split: "test", Metric: "loss", Value: 3},
		{Step: 10, Split: "eval", Metric: "energy_mse", Value: 0.1},
		{Step: 10, Split: "test", Metric: "loss", Value: 2},
		{Step: 5, Split: "train", Metric: "loss.hnn", Value: 4},
		{Step: 10, Split: "train", Metric: "loss", Value: 1},
		{Step: 10, Split: "train", Metric: "loss", Value: 0.5}, // a repeated step: the later row wins
	}
	var got []string
	for _, f := range FinalMetrics(rows) {
		got = append(got, fmt.Sprintf("%s@%d=%g", f.Name(), f.Step, f.Value))
	}
	want := []string{"train.loss@10=0.5", "train.loss.hnn@5=4", "test.loss@10=2", "energy_mse@10=0.1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("FinalMetrics = %v, want %v", got, want)
	}
}
