// Package index turns the run folders under an output folder into one table
// to compare them, and compares a few runs side by side.
//
// [Build] scans <out>/<name>/<run-id>/manifest.json and metrics.parquet and
// writes <out>/index.parquet: one row per run with its id, spec name, status,
// seed, code revision and times, one typed column per swept parameter and one
// column per final metric, so that
//
//	pd.read_parquet("runs/index.parquet")
//	SELECT * FROM 'runs/index.parquet' ORDER BY "test.loss"
//
// is the comparison table of a sweep. It also draws each sweep's figures
// (a metric against each swept parameter, see plots.Sweep).
//
// [Compare] prints the spec keys that differ between a few runs and their final
// metrics side by side.
package index
