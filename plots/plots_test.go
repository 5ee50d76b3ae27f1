package plots

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/plot/plotter"

	"ansatz/results"
)

// decodePNG checks that path holds a PNG of the expected pixel size.
func decodePNG(t *testing.T, path string, wantW, wantH int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got := img.Bounds(); got.Dx() != wantW || got.Dy() != wantH {
		t.Errorf("%s: %dx%d pixels, want %dx%d", filepath.Base(path), got.Dx(), got.Dy(), wantW, wantH)
	}
}

// lossRows makes train/test loss rows decaying like exp(-step/100).
func lossRows() []results.Metric {
	var rows []results.Metric
	for step := int64(0); step <= 400; step += 100 {
		for _, split := range []string{"train", "test"} {
			v := math.Exp(-float64(step) / 100)
			rows = append(rows,
				results.Metric{Step: step, Split: split, Metric: "loss", Value: v},
				results.Metric{Step: step, Split: split, Metric: "loss.hnn", Value: v / 2})
		}
	}
	return append(rows, results.Metric{Step: 400, Split: "eval", Metric: "energy_mse", Value: 1e-3})
}

// springRows makes truth and model trajectories of a unit oscillator, with
// energy when withEnergy is set.
func springRows(n int, withEnergy bool) []results.Trajectory {
	var rows []results.Trajectory
	for _, src := range []string{"truth", "model"} {
		for j := range n {
			r := 0.2 + 0.1*float64(j)
			for i := range 50 {
				tm := 0.1 * float64(i)
				q, p := r*math.Cos(tm), -r*math.Sin(tm)
				if src == "model" {
					q *= 1.01
				}
				row := results.Trajectory{Trajectory: int64(j), T: tm, Source: src, State: []float64{q, p}}
				if withEnergy {
					row.Energy = (q*q + p*p) / 2
				}
				rows = append(rows, row)
			}
		}
	}
	return rows
}

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		vars    []string
		metrics []results.Metric
		traj    []results.Trajectory
		want    []string
	}{
		{"all", []string{"q", "p"}, lossRows(), springRows(6, true), []string{EnergyFile, LossesFile, PhaseFile}},
		{"no energy", []string{"q", "p"}, lossRows(), springRows(2, false), []string{LossesFile, PhaseFile}},
		{"no trajectories", []string{"q", "p"}, lossRows(), nil, []string{LossesFile}},
		{"eval only", []string{"q", "p"}, lossRows()[20:], nil, nil},
		{"nothing", nil, nil, nil, nil},
		{"non-positive losses", nil, []results.Metric{{Split: "train", Metric: "loss", Value: 0}, {Split: "train", Metric: "loss", Step: 1, Value: math.NaN()}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Run(dir, tt.vars, tt.metrics, tt.traj); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(filepath.Join(dir, Dir))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("files %v, want %v", got, tt.want)
			}
			for _, f := range got {
				w, h := 576, 384
				if f == PhaseFile {
					w, h = 384, 384
				}
				decodePNG(t, filepath.Join(dir, Dir, f), w, h)
			}
		})
	}
}

func TestRunDeterministic(t *testing.T) {
	var files [2][]byte
	for i := range files {
		dir := t.TempDir()
		if err := Run(dir, []string{"q", "p"}, lossRows(), springRows(3, true)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, Dir, LossesFile))
		if err != nil {
			t.Fatal(err)
		}
		files[i] = b
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("two renderings of the same data differ")
	}
}

func TestRunRejectsShortStates(t *testing.T) {
	err := Run(t.TempDir(), []string{"q", "p", "r"}, nil, springRows(1, false))
	if err == nil {
		t.Fatal("want an error for rows with 2 states and 3 variables")
	}
}

func TestPhasePairs(t *testing.T) {
	tests := []struct {
		vars []string
		want [][2]int
	}{
		{[]string{"q", "p"}, [][2]int{{0, 1}}},
		{[]string{"q1", "q2", "p1", "p2"}, [][2]int{{0, 2}, {1, 3}}},
		{[]string{"x", "y", "px", "py"}, [][2]int{{0, 2}, {1, 3}}},
		{[]string{"theta", "p_theta"}, [][2]int{{0, 1}}},
		{[]string{"x", "y", "z"}, [][2]int{{0, 1}}},
		{[]string{"x"}, nil},
		{[]string{"q1", "q2", "q3", "q4", "q5", "p1", "p2", "p3", "p4", "p5"}, [][2]int{{0, 5}, {1, 6}, {2, 7}, {3, 8}}},
	}
	for _, tt := range tests {
		if got := phasePairs(tt.vars); !slices.Equal(got, tt.want) {
			t.Errorf("phasePairs(%v) = %v, want %v", tt.vars, got, tt.want)
		}
	}
}

func TestPhaseTiles(t *testing.T) {
	dir := t.TempDir()
	var rows []results.Trajectory
	for _, src := range []string{"truth", "model"} {
		for i := range 20 {
			tm := 0.1 * float64(i)
			rows = append(rows, results.Trajectory{T: tm, Source: src,
				State: []float64{math.Cos(tm), math.Sin(tm), -math.Sin(tm), math.Cos(tm)}})
		}
	}
	if err := Run(dir, []string{"q1", "q2", "p1", "p2"}, nil, rows); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, filepath.Join(dir, Dir, PhaseFile), 2*384, 384)
}

func TestSweep(t *testing.T) {
	var runs []SweepRun
	for _, lr := range []float64{1e-4, 1e-3, 1e-2} {
		for _, width := range []int{32, 64} {
			for seed := range 2 {
				runs = append(runs, SweepRun{
					Params: []results.Param{{Key: "train.optimizer.lr", Value: lr}, {Key: "model.hidden[0]", Value: width},
						{Key: "train.optimizer.kind", Value: "adam"}, {Key: "seed", Value: seed}},
					Metrics: map[string]float64{"test.loss": lr * float64(width) * float64(1+seed)},
				})
			}
		}
	}
	out := t.TempDir()
	got, err := Sweep(out, "spring", runs, []string{"test.loss", "missing"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(out, "spring", "sweep-train.optimizer.lr-test.loss.png"),
		filepath.Join(out, "spring", "sweep-model.hidden_0_-test.loss.png"),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("wrote %v, want %v", got, want)
	}
	for _, f := range got {
		decodePNG(t, f, 576, 384)
	}
}

func TestSweepNothing(t *testing.T) {
	runs := []SweepRun{
		{Params: []results.Param{{Key: "lr", Value: 0.1}}, Metrics: map[string]float64{"test.loss": 1}},
		{Params: []results.Param{{Key: "lr", Value: 0.1}}, Metrics: map[string]float64{"test.loss": 2}},
	}
	out := t.TempDir()
	got, err := Sweep(out, "x", runs, []string{"test.loss"})
	if err != nil || len(got) != 0 {
		t.Fatalf("Sweep = %v, %v; want nothing for a single value", got, err)
	}
	if _, err := os.Stat(filepath.Join(out, "x")); !os.IsNotExist(err) {
		t.Errorf("folder created for no figure: %v", err)
	}
}

func TestMeans(t *testing.T) {
	got := means(plotter.XYs{{X: 2, Y: 1}, {X: 1, Y: 3}, {X: 2, Y: 3}, {X: 1, Y: 5}})
	want := plotter.XYs{{X: 1, Y: 4}, {X: 2, Y: 2}}
	if len(got) != len(want) {
		t.Fatalf("means = %v", got)
	}
	for i := range want {
		if got[i].X != want[i].X || math.Abs(got[i].Y-want[i].Y) > 1e-15 {
			t.Errorf("means[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestRunSingleLoss: one evaluation (a model fitted without training) gives
// a loss figure, not a log axis without a range.
func TestRunSingleLoss(t *testing.T) {
	dir := t.TempDir()
	m := []results.Metric{{Step: 0, Split: "train", Metric: "loss", Value: 0.25}}
	if err := Run(dir, nil, m, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, Dir, LossesFile)); err != nil {
		t.Error(err)
	}
}
