// Package analyses holds what a run concludes after training: rollouts of the
// learned vector field beside the true ones, energy errors and energy drift.
// Each analysis is registered under its spec name (kind "analysis") and
// returns rows for analysis.parquet and, where useful, final metrics.
package analyses
