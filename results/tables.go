package results

import (
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// writerOptions are the options every table is written with: zstd
// compression, version-1 data pages (the form every Parquet reader supports,
// and pyarrow's default), and the tool version in the created_by field.
func writerOptions(extra ...parquet.WriterOption) []parquet.WriterOption {
	version, revision, _ := BuildInfo()
	return append([]parquet.WriterOption{
		parquet.Compression(&parquet.Zstd),
		parquet.DataPageVersion(1),
		parquet.CreatedBy("ansatz", version, revision),
	}, extra...)
}

// writeTable writes rows of type T to path atomically, as one Parquet file.
func writeTable[T any](path string, rows []T) error {
	return AtomicWrite(path, func(w io.Writer) error {
		pw := parquet.NewGenericWriter[T](w, writerOptions()...)
		if _, err := pw.Write(rows); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		if err := pw.Close(); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		return nil
	})
}

// Metric is one row of metrics.parquet: the value of one metric on one split
// at one training step. Each loss term appears under its own metric name, plus
// "loss" for the weighted total.
type Metric struct {
	// RunID is the run the row belongs to; WriteMetrics fills it.
	RunID string `parquet:"run_id,dict"`
	// Step is the training step (0 before the first update).
	Step int64 `parquet:"step"`
	// Split is the data split, e.g. "train" or "test".
	Split string `parquet:"split,dict"`
	// Metric is the metric name, e.g. "loss" or "hnn".
	Metric string `parquet:"metric,dict"`
	// Value is the metric's value; NaN and ±Inf are kept as they are.
	Value float64 `parquet:"value"`
	// ElapsedS is the wall time since training started, in seconds.
	ElapsedS float64 `parquet:"elapsed_s"`
}

// WriteMetrics writes all metric rows to metrics.parquet, replacing the file
// atomically, so a run killed between two evaluations keeps the last complete
// table. The run_id column is r.RunID whatever the rows' RunID fields hold;
// rows is not modified.
func (r *Run) WriteMetrics(rows []Metric) error {
	out := make([]Metric, len(rows))
	for i, m := range rows {
		m.RunID = r.RunID
		out[i] = m
	}
	return writeTable(r.Path(MetricsFile), out)
}

// ReadMetrics reads a metrics.parquet file. Columns are matched by name.
func ReadMetrics(path string) ([]Metric, error) {
	rows, err := parquet.ReadFile[Metric](path)
	if err != nil {
		return nil, fmt.Errorf("read metrics %s: %w", path, err)
	}
	return rows, nil
}

// Analysis is one row of analysis.parquet: one named result of an analysis,
// a number, a text (e.g. a formula read out of a network), or both.
type Analysis struct {
	// Analysis is the kind of analysis that produced the row, e.g.
	// "energy_drift".
	Analysis string
	// Name names the result within the analysis.
	Name string
	// Value is the numeric result, or nil.
	Value *float64
	// Text is the textual result, or nil.
	Text *string
}

// ReadAnalysis reads an analysis.parquet file.
func ReadAnalysis(path string) ([]Analysis, error) {
	rows, err := parquet.ReadFile[analysisRow](path)
	if err != nil {
		return nil, fmt.Errorf("read analysis %s: %w", path, err)
	}
	out := make([]Analysis, len(rows))
	for i, r := range rows {
		out[i] = Analysis{Analysis: r.Analysis, Name: r.Name, Value: r.Value, Text: r.Text}
	}
	return out, nil
}

// analysisRow is the on-disk form of Analysis.
type analysisRow struct {
	RunID    string   `parquet:"run_id,dict"`
	Analysis string   `parquet:"analysis,dict"`
	Name     string   `parquet:"name,dict"`
	Value    *float64 `parquet:"value"`
	Text     *string  `parquet:"text,dict"`
}

// WriteAnalysis writes analysis.parquet, atomically. The file is written even
// when rows is empty (zero rows, full schema), so that tables of many runs
// can be read together.
func (r *Run) WriteAnalysis(rows []Analysis) error {
	out := make([]analysisRow, len(rows))
	for i, a := range rows {
		out[i] = analysisRow{RunID: r.RunID, Analysis: a.Analysis, Name: a.Name, Value: a.Value, Text: a.Text}
	}
	return writeTable(r.Path(AnalysisFile), out)
}
