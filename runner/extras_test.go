package runner

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/datasets"
	"ansatz/losses"
	"ansatz/registry"
	"ansatz/results"
	"ansatz/systems"
)

// Components that exercise the runner's extras: a data kind that needs no
// system, describes its inputs, carries a label column and draws fresh
// training sets; a model fitted without gradients; a loss reading a column;
// a model with two vector fields.
func init() {
	registry.Register(registry.Module{Kind: registry.Data, Name: "test_labels",
		Doc: "test: rows (a, b) with a label column", New: func() any { return &labelData{Count: 20} }})
	registry.Register(registry.Module{Kind: registry.Model, Name: "test_fitted",
		Doc: "test: one number, fitted to the mean label", New: func() any { return &fittedOptions{} }})
	registry.Register(registry.Module{Kind: registry.Loss, Name: "test_label_mean",
		Doc: "test: (model number − mean label)²", New: func() any { return &labelMeanLoss{} }})
	registry.Register(registry.Module{Kind: registry.Model, Name: "test_fields",
		Doc: "test: ẋ = w·x, rolled out also as ẋ = 0", New: func() any { return &fieldsOptions{} }})
}

type labelData struct {
	Count int `yaml:"count" doc:"rows per split"`
	Every int `yaml:"every" doc:"fresh training set every this many steps"`

	resampled []int // the sizes of fresh sets drawn, in order
}

func (d *labelData) Check(systems.System, int) error { return nil }
func (d *labelData) Sampler() datasets.Sampler       { return nil }
func (d *labelData) Describe(systems.System) (datasets.Description, error) {
	return datasets.Description{Vars: []string{"a", "b"}, Classes: 2}, nil
}
func (d *labelData) set(rng *rand.Rand) datasets.Set {
	s := datasets.Set{N: d.Count, D: 2, X: make([]float64, 2*d.Count)}
	label := make([]float64, d.Count)
	for i := range d.Count {
		s.X[2*i], s.X[2*i+1] = rng.NormFloat64(), rng.NormFloat64()
		label[i] = float64(rng.IntN(2))
	}
	s.Columns = []datasets.Column{{Name: "label", Width: 1, Data: label}}
	return s
}
func (d *labelData) Generate(_ systems.System, _ int, rng *rand.Rand) (*datasets.Data, error) {
	return &datasets.Data{Vars: []string{"a", "b"}, Train: d.set(rng), Test: d.set(rng)}, nil
}
func (d *labelData) ResampleEvery() int { return d.Every }
func (d *labelData) Resample(_ systems.System, rng *rand.Rand) (*datasets.Set, error) {
	s := d.set(rng)
	d.resampled = append(d.resampled, s.N)
	return &s, nil
}

type fittedOptions struct{}

func (fittedOptions) Build(s architectures.State, _ *rand.Rand) (architectures.Model, error) {
	return &fitted{c: autodiff.Variable([]float64{0}, 1, 1), classes: s.Classes}, nil
}

type fitted struct {
	c       *autodiff.Tensor
	classes int
}

func (m *fitted) Params() []*autodiff.Tensor { return []*autodiff.Tensor{m.c} }
func (m *fitted) Fit(train *datasets.Set, _ *rand.Rand) error {
	var s float64
	for _, v := range train.Column("label").Data {
		s += v
	}
	m.c.Data()[0] = s / float64(train.N)
	return nil
}

type labelMeanLoss struct{}

func (labelMeanLoss) Accepts(architectures.Model) error { return nil }
func (labelMeanLoss) Loss(m architectures.Model, b losses.Batch, _ bool) (*autodiff.Tensor, error) {
	label, err := b.Column("label")
	if err != nil {
		return nil, err
	}
	c := m.Params()[0]
	return autodiff.Square(autodiff.Sub(c, autodiff.Mean(label))), nil
}

type fieldsOptions struct{}

func (fieldsOptions) Build(architectures.State, *rand.Rand) (architectures.Model, error) {
	return &twoFields{w: autodiff.Variable([]float64{-0.5}, 1, 1)}, nil
}

type twoFields struct{ w *autodiff.Tensor }

func (m *twoFields) Params() []*autodiff.Tensor { return []*autodiff.Tensor{m.w} }
func (m *twoFields) Field(x *autodiff.Tensor, _ bool) (*autodiff.Tensor, error) {
	return autodiff.Mul(x, m.w), nil
}
func (m *twoFields) Fields() []architectures.NamedField {
	return []architectures.NamedField{
		{Name: "scaled", Field: func(x *autodiff.Tensor) (*autodiff.Tensor, error) { return m.Field(x, false) }},
		{Name: "still", Field: func(x *autodiff.Tensor) (*autodiff.Tensor, error) { return autodiff.Zeros(x.Shape()...), nil }},
	}
}

const labelSpec = `name: labels
data: {kind: test_labels, count: 20}
model: {kind: test_fitted}
losses: [{kind: test_label_mean}]
train: {steps: 0}
`

// TestNoSystemDescribedFitted: a spec without a system takes its inputs from
// the data kind; a Fitter model is fitted before (here: instead of) the
// optimiser; a loss reads the label column.
func TestNoSystemDescribedFitted(t *testing.T) {
	dir := t.TempDir()
	path := writeSpec(t, dir, "labels.yaml", labelSpec)
	x, err := Prepare(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x.State.Vars, []string{"a", "b"}) || x.State.Classes != 2 || x.System != nil {
		t.Fatalf("state %+v", x.State)
	}
	o := runExperiment(t.Context(), path, x, quietOptions(filepath.Join(dir, "runs")))
	if o.Err != nil || o.Status != results.StatusOK {
		t.Fatalf("outcome %+v", o)
	}
	final := finalValues(readMetrics(t, o.Dir))
	if v := final["train.loss.test_label_mean"]; v > 1e-30 {
		t.Errorf("train loss %g after the fit, want 0", v)
	}
	if v := final["test.loss.test_label_mean"]; !(v > 0) {
		t.Errorf("test loss %g, want > 0 (a different sample)", v)
	}
}

func TestNoSystemErrors(t *testing.T) {
	// Without its system, the tiny spec's data and rollouts are refused.
	src := tinySpec[:strings.Index(tinySpec, "system:")] + tinySpec[strings.Index(tinySpec, "data:"):]
	path := writeSpec(t, t.TempDir(), "s.yaml", src)
	_, err := Prepare(path, nil)
	for _, want := range []string{"s.yaml:4:9: data: data kind trajectories needs a system: add system: to the spec",
		"s.yaml:19:80: evaluate.rollouts.integrator: evaluate.rollouts needs a dynamical system"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant %s", err, want)
		}
	}
}

func TestResampled(t *testing.T) {
	dir := t.TempDir()
	spec := strings.Replace(strings.Replace(labelSpec, "count: 20}", "count: 20, every: 3}", 1), "steps: 0", "steps: 10", 1)
	path := writeSpec(t, dir, "labels.yaml", spec)
	x, _ := prepareAndRun(t, dir, path)
	// Fresh sets before steps 4, 7 and 10 (after 3, 6 and 9 steps).
	if got := x.Data.(*labelData).resampled; len(got) != 3 {
		t.Errorf("%d fresh sets, want 3", len(got))
	}
}

func TestRestartsKeepTheBest(t *testing.T) {
	dir := t.TempDir()
	spec := strings.Replace(tinySpec, "  steps: 5\n", "  steps: 5\n  restarts: 3\n  select: train.loss\n", 1)
	path := writeSpec(t, dir, "tiny.yaml", spec)
	_, o := prepareAndRun(t, dir, path)
	rows, err := results.ReadAnalysis(filepath.Join(o.Dir, results.AnalysisFile))
	if err != nil {
		t.Fatal(err)
	}
	var values []float64
	var best *results.Analysis
	for i, r := range rows {
		switch {
		case r.Analysis == "restarts" && r.Name == "best":
			best = &rows[i]
		case r.Analysis == "restarts":
			values = append(values, *r.Value)
		}
	}
	if len(values) != 3 || best == nil {
		t.Fatalf("restart rows %+v", rows)
	}
	if values[0] == values[1] || values[1] == values[2] {
		t.Errorf("restarts gave equal losses %v: not different seeds", values)
	}
	i := slices.Index(values, slices.Min(values))
	if int(*best.Value) != i {
		t.Errorf("best restart %v, want %d (losses %v)", *best.Value, i, values)
	}
	if got := finalValues(readMetrics(t, o.Dir))["train.loss"]; got != values[i] {
		t.Errorf("final train.loss %g, want the best restart's %g", got, values[i])
	}
}

func TestPolishLowersTheLoss(t *testing.T) {
	dir := t.TempDir()
	spec := strings.Replace(tinySpec, "  steps: 5\n", "  steps: 5\n  polish: {steps: 30}\n", 1)
	path := writeSpec(t, dir, "tiny.yaml", spec)
	_, o := prepareAndRun(t, dir, path)
	var before, after float64
	var last int64
	for _, m := range readMetrics(t, o.Dir) {
		if m.Split == "train" && m.Metric == "loss" {
			if m.Step == 5 {
				before = m.Value
			}
			if m.Step > last {
				last, after = m.Step, m.Value
			}
		}
	}
	if last <= 5 || !(after < 0.5*before) {
		t.Errorf("train loss %g at step 5, %g at step %d after L-BFGS; want at least halved", before, after, last)
	}
}

// TestWeightZeroIsMeasured: a weight-0 term is logged but changes nothing.
func TestWeightZeroIsMeasured(t *testing.T) {
	dir := t.TempDir()
	run := func(name, spec string) map[string]float64 {
		path := writeSpec(t, dir, name, spec)
		_, o := prepareAndRun(t, dir, path)
		return finalValues(readMetrics(t, o.Dir))
	}
	plain := run("a.yaml", tinySpec)
	measured := run("b.yaml", strings.Replace(tinySpec, "  - {kind: hnn}\n", "  - {kind: hnn}\n  - {kind: mse, weight: 0}\n", 1))
	if plain["test.loss.hnn"] != measured["test.loss.hnn"] {
		t.Errorf("hnn loss %g with a weight-0 term, %g without", measured["test.loss.hnn"], plain["test.loss.hnn"])
	}
	if v, ok := measured["test.loss.mse"]; !ok || !(v > 0) || math.Abs(v-measured["test.loss.hnn"]) > 1e-12 {
		t.Errorf("weight-0 mse logged as %g (%v); for an HNN it equals the hnn loss %g", v, ok, measured["test.loss.hnn"])
	}
}

// TestSeveralFields: each of a model's fields is rolled out under its name.
func TestSeveralFields(t *testing.T) {
	dir := t.TempDir()
	spec := strings.Replace(tinySpec, "model:\n  kind: hnn\n  hidden: [4]\n", "model: {kind: test_fields}\n", 1)
	spec = strings.Replace(spec, "{kind: hnn}", "{kind: mse}", 1)
	path := writeSpec(t, dir, "fields.yaml", spec)
	_, o := prepareAndRun(t, dir, path)
	type row struct {
		Source string  `parquet:"source"`
		T      float64 `parquet:"t"`
		Q      float64 `parquet:"q"`
	}
	rows, err := parquet.ReadFile[row](filepath.Join(o.Dir, results.TrajectoriesFile))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range rows {
		count[r.Source]++
		if r.Source == "still" && r.T > 0 {
			for _, s := range rows {
				if s.Source == "still" && s.T == 0 && math.Abs(s.Q-r.Q) < 1e-300 {
					goto ok
				}
			}
			t.Errorf("the still field moved: q = %g at t = %g", r.Q, r.T)
		ok:
		}
	}
	if count["truth"] != 10 || count["scaled"] != 10 || count["still"] != 10 || len(count) != 3 {
		t.Errorf("rows per source %v, want 10 each of truth, scaled, still", count)
	}
}

// prepareAndRun resolves the spec at path and runs it into dir/runs,
// failing the test on any error.
func prepareAndRun(t *testing.T, dir, path string) (*Experiment, Outcome) {
	t.Helper()
	x, err := Prepare(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := runExperiment(t.Context(), path, x, quietOptions(filepath.Join(dir, "runs")))
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	return x, o
}

func readMetrics(t *testing.T, dir string) []results.Metric {
	t.Helper()
	rows, err := results.ReadMetrics(filepath.Join(dir, results.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestFinalValuesKeepDataChecks(t *testing.T) {
	rows := []results.Metric{
		{Step: 0, Split: "data", Metric: "drift.mass", Value: 1e-12},
		{Step: 0, Split: "train", Metric: "loss", Value: 3},
		{Step: 10, Split: "train", Metric: "loss", Value: 1},
		{Step: 10, Split: "eval", Metric: "energy_drift", Value: 0.5},
	}
	got := finalValues(rows)
	want := map[string]float64{"data.drift.mass": 1e-12, "train.loss": 1, "energy_drift": 0.5}
	if len(got) != len(want) {
		t.Errorf("final values %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %g, want %g", k, got[k], v)
		}
	}
}

// TestRunIDFollowsFormulas: the resolved spec carries the expressions
// sampler's formulas, so changing one changes the run id.
func TestRunIDFollowsFormulas(t *testing.T) {
	dir := t.TempDir()
	base := strings.Replace(tinySpec, "initial: {kind: radius, min: 0.1, max: 1.0}",
		"initial: {kind: expressions, let: {a: 'uniform(0, 6.28)'}, values: {q: '0.5*cos(a)', p: '0.5*sin(a)'}}", 1)
	x1, err := Prepare(writeSpec(t, dir, "a.yaml", base), nil)
	if err != nil {
		t.Fatal(err)
	}
	x2, err := Prepare(writeSpec(t, dir, "b.yaml", strings.Replace(base, "0.5*sin(a)", "0.7*sin(a)", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if x1.RunID == x2.RunID {
		t.Errorf("run id %s for two different formulas", x1.RunID)
	}
	for _, want := range []string{`a: "uniform(0, 6.28)"`, `q: "0.5*cos(a)"`, `p: "0.5*sin(a)"`} {
		if !strings.Contains(string(x1.Resolved), want) {
			t.Errorf("resolved spec lacks %s:\n%s", want, x1.Resolved)
		}
	}
}
