// Package analyses holds what a run concludes after training: for vector-field
// models, rollouts beside the true ones, energy errors and energy drift
// (energy_drift, rollout); for Lax pairs, the held-out residual of
// L̇ = [L, M] (lax_residual), L and M read out as formulas (lax_readout), the
// conserved traces tr Lᵏ along true trajectories (conserved_traces) and the
// read-out pair re-checked with exact derivatives (lax_verify).
// Each analysis is registered under its spec name (kind "analysis") and
// returns rows for analysis.parquet and, where useful, final metrics.
package analyses
