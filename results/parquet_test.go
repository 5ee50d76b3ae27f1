package results

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// column describes one leaf column as the file's footer declares it.
type column struct {
	Name       string
	Physical   string // BYTE_ARRAY, INT64, DOUBLE
	Repetition string // REQUIRED, OPTIONAL
	IsString   bool   // logical STRING and converted UTF8: pandas reads str
}

func (c column) describe() string {
	s := fmt.Sprintf("%s %s %s", c.Name, c.Physical, c.Repetition)
	if c.IsString {
		s += " STRING"
	}
	return s
}

// openTable opens a Parquet file and fails the test if it cannot.
func openTable(t *testing.T, path string) *parquet.File {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	st, err := fh.Stat()
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(fh, st.Size())
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return f
}

// columnsOf lists the leaf columns of f in file order. It also checks that
// every column chunk is zstd-compressed and that the named string columns are
// dictionary-encoded.
func columnsOf(t *testing.T, f *parquet.File, dict ...string) []string {
	t.Helper()
	md := f.Metadata()
	var cols []string
	for _, el := range md.Schema[1:] { // [0] is the root
		if el.NumChildren.Valid && el.NumChildren.V > 0 {
			t.Fatalf("unexpected group %q", el.Name)
		}
		c := column{Name: el.Name, Physical: el.Type.V.String(), Repetition: el.RepetitionType.V.String()}
		_, logicalString := el.LogicalType.Value.(*format.StringType)
		convertedUTF8 := el.ConvertedType.Valid && el.ConvertedType.V == deprecated.UTF8
		if logicalString != convertedUTF8 {
			t.Errorf("column %s: logical STRING %v but converted UTF8 %v", el.Name, logicalString, convertedUTF8)
		}
		c.IsString = logicalString
		cols = append(cols, c.describe())
	}
	for _, rg := range md.RowGroups {
		for _, cc := range rg.Columns {
			name := strings.Join(cc.MetaData.PathInSchema, ".")
			if cc.MetaData.Codec != format.Zstd {
				t.Errorf("column %s: codec %v, want ZSTD", name, cc.MetaData.Codec)
			}
			if slices.Contains(dict, name) && !slices.Contains(cc.MetaData.Encoding, format.RLEDictionary) {
				t.Errorf("column %s: encodings %v, want RLE_DICTIONARY among them", name, cc.MetaData.Encoding)
			}
		}
	}
	return cols
}

func newRun(t *testing.T) *Run {
	t.Helper()
	r, err := Create(filepath.Join(t.TempDir(), "runs"), "spring-hnn", "0123abcd")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMetricsRoundTrip(t *testing.T) {
	r := newRun(t)
	var rows []Metric
	for step := int64(0); step <= 2000; step += 100 {
		for _, split := range []string{"train", "test"} {
			for _, m := range []string{"loss", "hnn"} {
				rows = append(rows, Metric{RunID: "ignored", Step: step, Split: split, Metric: m,
					Value: 1 / float64(step+1), ElapsedS: float64(step) * 0.01})
			}
		}
	}
	rows = append(rows,
		Metric{Step: 2001, Split: "test", Metric: "diverged", Value: math.NaN()},
		Metric{Step: 2001, Split: "test", Metric: "blowup", Value: math.Inf(1)})
	if err := r.WriteMetrics(rows); err != nil {
		t.Fatal(err)
	}
	if rows[0].RunID != "ignored" {
		t.Error("WriteMetrics modified its argument")
	}

	f := openTable(t, r.Path(MetricsFile))
	want := []string{
		"run_id BYTE_ARRAY REQUIRED STRING",
		"step INT64 REQUIRED",
		"split BYTE_ARRAY REQUIRED STRING",
		"metric BYTE_ARRAY REQUIRED STRING",
		"value DOUBLE REQUIRED",
		"elapsed_s DOUBLE REQUIRED",
	}
	if got := columnsOf(t, f, "run_id", "split", "metric"); !slices.Equal(got, want) {
		t.Errorf("columns:\n got %q\nwant %q", got, want)
	}
	if n := f.NumRows(); n != int64(len(rows)) || n != 21*4+2 {
		t.Errorf("NumRows = %d, want %d", n, len(rows))
	}

	got, err := ReadMetrics(r.Path(MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, want %d", len(got), len(rows))
	}
	for i, g := range got {
		w := rows[i]
		w.RunID = r.RunID
		if w.Metric == "diverged" {
			if !math.IsNaN(g.Value) {
				t.Errorf("row %d: value %v, want NaN", i, g.Value)
			}
			g.Value, w.Value = 0, 0
		}
		if g != w {
			t.Errorf("row %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestMetricsRewriteReplaces(t *testing.T) {
	r := newRun(t)
	long := make([]Metric, 50)
	for i := range long {
		long[i] = Metric{Step: int64(i), Split: "train", Metric: "loss", Value: float64(i)}
	}
	if err := r.WriteMetrics(long); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMetrics(long[:3]); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMetrics(r.Path(MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Errorf("after rewrite: %d rows, want 3", len(got))
	}
	assertNoTemp(t, r.Dir)
}

func TestZeroRowTables(t *testing.T) {
	r := newRun(t)
	if err := r.WriteMetrics(nil); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteAnalysis(nil); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteTrajectories([]string{"q", "p"}, true, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file string
		cols int
	}{
		{MetricsFile, 6},
		{AnalysisFile, 5},
		{TrajectoriesFile, 7},
	}
	for _, tc := range tests {
		f := openTable(t, r.Path(tc.file))
		if n := f.NumRows(); n != 0 {
			t.Errorf("%s: %d rows, want 0", tc.file, n)
		}
		if cols := columnsOf(t, f); len(cols) != tc.cols {
			t.Errorf("%s: columns %q, want %d of them", tc.file, cols, tc.cols)
		}
	}
	got, err := ReadMetrics(r.Path(MetricsFile))
	if err != nil || len(got) != 0 {
		t.Errorf("ReadMetrics of empty table = %v, %v", got, err)
	}
}

func TestReadMetricsErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadMetrics(filepath.Join(dir, "missing.parquet")); err == nil {
		t.Error("missing file: no error")
	}
	junk := filepath.Join(dir, "junk.parquet")
	if err := os.WriteFile(junk, []byte("not parquet at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMetrics(junk); err == nil || !strings.Contains(err.Error(), junk) {
		t.Errorf("junk file: error %v, want one naming %s", err, junk)
	}
}

func ptr[T any](v T) *T { return &v }

func TestAnalysisRoundTrip(t *testing.T) {
	r := newRun(t)
	rows := []Analysis{
		{Analysis: "energy_drift", Name: "max_rel_drift", Value: ptr(1.5e-4)},
		{Analysis: "conserved", Name: "H", Value: ptr(0.999), Text: ptr("p^2/2 + q^2")},
		{Analysis: "lax_readout", Name: "L11", Text: ptr("0.5*p")},
		{Analysis: "empty", Name: "nothing"},
	}
	if err := r.WriteAnalysis(rows); err != nil {
		t.Fatal(err)
	}
	f := openTable(t, r.Path(AnalysisFile))
	want := []string{
		"run_id BYTE_ARRAY REQUIRED STRING",
		"analysis BYTE_ARRAY REQUIRED STRING",
		"name BYTE_ARRAY REQUIRED STRING",
		"value DOUBLE OPTIONAL",
		"text BYTE_ARRAY OPTIONAL STRING",
	}
	if got := columnsOf(t, f, "run_id", "analysis", "name", "text"); !slices.Equal(got, want) {
		t.Errorf("columns:\n got %q\nwant %q", got, want)
	}
	got, err := parquet.ReadFile[analysisRow](r.Path(AnalysisFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, want %d", len(got), len(rows))
	}
	for i, g := range got {
		w := rows[i]
		if g.RunID != r.RunID || g.Analysis != w.Analysis || g.Name != w.Name ||
			!equalPtr(g.Value, w.Value) || !equalPtr(g.Text, w.Text) {
			t.Errorf("row %d: got %+v", i, g)
		}
	}
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func TestTrajectoriesColumnOrder(t *testing.T) {
	tests := []struct {
		name       string
		vars       []string
		withEnergy bool
		want       []string // column names after the fixed four
	}{
		{"spring", []string{"q", "p"}, true, []string{"q", "p", "energy"}},
		{"not sorted", []string{"q1", "q2", "q10", "p1", "p2", "p10"}, false, []string{"q1", "q2", "q10", "p1", "p2", "p10"}},
		{"reverse alphabet", []string{"z", "y", "x"}, true, []string{"z", "y", "x", "energy"}},
		{"energy as a state without an energy column", []string{"energy", "a"}, false, []string{"energy", "a"}},
		{"unicode and punctuation", []string{"θ", "ω", "x.y", `quo"te`}, false, []string{"θ", "ω", "x.y", `quo"te`}},
		{"no state", nil, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t)
			// 2500 rows cross the writer's batch boundary twice.
			const ntraj, npts = 5, 500
			var rows []Trajectory
			for k := range ntraj {
				for i := range npts {
					state := make([]float64, len(tc.vars))
					for j := range state {
						state[j] = float64(k*1000000 + i*100 + j)
					}
					src := "truth"
					if i%2 == 1 {
						src = "model"
					}
					rows = append(rows, Trajectory{Trajectory: int64(k), T: float64(i) * 0.1, Source: src,
						State: state, Energy: -float64(i)})
				}
			}
			if err := r.WriteTrajectories(tc.vars, tc.withEnergy, rows); err != nil {
				t.Fatal(err)
			}
			f := openTable(t, r.Path(TrajectoriesFile))
			want := []string{
				"run_id BYTE_ARRAY REQUIRED STRING",
				"trajectory INT64 REQUIRED",
				"t DOUBLE REQUIRED",
				"source BYTE_ARRAY REQUIRED STRING",
			}
			for _, v := range tc.want {
				want = append(want, v+" DOUBLE REQUIRED")
			}
			if got := columnsOf(t, f, "run_id", "source"); !slices.Equal(got, want) {
				t.Errorf("columns:\n got %q\nwant %q", got, want)
			}
			if n := f.NumRows(); n != ntraj*npts {
				t.Errorf("NumRows = %d, want %d", n, ntraj*npts)
			}

			// Read every row back as generic parquet rows, by column index.
			rd := parquet.NewReader(f)
			defer rd.Close()
			buf := make([]parquet.Row, 300)
			i := 0
			for {
				n, err := rd.ReadRows(buf)
				for _, row := range buf[:n] {
					checkTrajectoryRow(t, i, row, r.RunID, rows[i], tc.withEnergy)
					i++
				}
				if err != nil {
					break
				}
			}
			if i != len(rows) {
				t.Errorf("read %d rows, want %d", i, len(rows))
			}
		})
	}
}

func checkTrajectoryRow(t *testing.T, i int, row parquet.Row, runID string, w Trajectory, withEnergy bool) {
	t.Helper()
	want := 4 + len(w.State)
	if withEnergy {
		want++
	}
	if len(row) != want {
		t.Fatalf("row %d: %d values, want %d", i, len(row), want)
	}
	ok := row[0].String() == runID && row[1].Int64() == w.Trajectory && row[2].Double() == w.T &&
		row[3].String() == w.Source
	for j, x := range w.State {
		ok = ok && row[4+j].Double() == x
	}
	if withEnergy {
		ok = ok && row[4+len(w.State)].Double() == w.Energy
	}
	if !ok {
		t.Fatalf("row %d: got %v, want %+v", i, row, w)
	}
}

func TestTrajectoriesInvalid(t *testing.T) {
	tests := []struct {
		name       string
		vars       []string
		withEnergy bool
		rows       []Trajectory
		wantErr    string
	}{
		{"empty name", []string{"q", ""}, false, nil, "empty name"},
		{"duplicate", []string{"q", "p", "q"}, false, nil, `"q" appears twice`},
		{"clash t", []string{"t", "x"}, false, nil, `"t" clashes`},
		{"clash run_id", []string{"run_id"}, false, nil, `"run_id" clashes`},
		{"clash source", []string{"source"}, false, nil, `"source" clashes`},
		{"clash trajectory", []string{"trajectory"}, false, nil, `"trajectory" clashes`},
		{"clash energy", []string{"q", "energy"}, true, nil, `"energy" clashes`},
		{"case clash with t", []string{"q", "T"}, false, nil, `"T" clashes with column "t": DuckDB`},
		{"case clash with energy", []string{"Energy"}, true, nil, `"Energy" clashes with column "energy"`},
		{"case duplicate", []string{"q", "Q"}, false, nil, `"Q" clashes with column "q"`},
		{"comma", []string{"a,b"}, false, nil, "comma"},
		{"control", []string{"a\nb"}, false, nil, "control"},
		{"dash", []string{"-"}, false, nil, "not a valid column name"},
		{"short state", []string{"q", "p"}, false, []Trajectory{{State: []float64{1, 2}}, {State: []float64{1}}},
			"row 1 has 1 state values for 2 variables"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t)
			err := r.WriteTrajectories(tc.vars, tc.withEnergy, tc.rows)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if _, err := os.Stat(r.Path(TrajectoriesFile)); !os.IsNotExist(err) {
				t.Errorf("a file was written despite the error (stat: %v)", err)
			}
			assertNoTemp(t, r.Dir)
		})
	}
}
