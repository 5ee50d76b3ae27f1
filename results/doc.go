// Package results writes what a run produces to its output folder and reads it
// back.
//
// Every run lives in <out>/<name>/<run-id>/ (see [Dir] and [Create]) and holds:
//
//   - manifest.json: who ran what, with which tool version, and how it ended
//     ([Manifest], [Run.WriteManifest]);
//   - spec.yaml: the resolved spec ([Run.WriteSpec]);
//   - metrics.parquet: the long, tidy table of losses and measures
//     ([Metric], [Run.WriteMetrics], [ReadMetrics]);
//   - trajectories.parquet: true and model trajectories, one column per state
//     variable in the order the spec declares them ([Run.WriteTrajectories]);
//   - analysis.parquet: conclusions drawn after training ([Run.WriteAnalysis]).
//
// Plots (plots/*.png) will live in the same folder.
//
// Every file is written with [AtomicWrite]: to a temporary file in the same
// folder, flushed, synced and renamed over the final name, so a killed run
// leaves either the previous complete version of a file or the new one, never
// a truncated file. The Parquet tables are zstd-compressed, their string
// columns carry the STRING (UTF8) annotation so pandas reads them as str, and
// the files of many runs can be read in one call, for example
// read_parquet('runs/**/metrics.parquet') in DuckDB.
package results
