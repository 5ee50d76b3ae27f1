// Package analyses holds what a run concludes after training: for vector-field
// models, rollouts beside the true ones, energy errors and energy drift
// (energy_drift, rollout); for Lax pairs, the held-out residual of
// L̇ = [L, M] (lax_residual), L and M read out as formulas (lax_readout), the
// conserved traces tr Lᵏ along true trajectories (conserved_traces) and the
// read-out pair re-checked with exact derivatives (lax_verify); for
// conserved-quantity models, each learned quantity as a sparse polynomial
// with its variation along true trajectories and duplicates marked
// (conserved_quantities); for classifiers, the generators of a symmetry read
// from the embedding and verified by finite transformations
// (symmetry_generators); for Lax connections, held-out and off-shell
// residuals, the algebra the values span and a genuine/spurious verdict
// (connection_verify). Training with restarts adds rows of its own
// (analysis restarts).
// Each analysis is registered under its spec name (kind "analysis") and
// returns rows for analysis.parquet and, where useful, final metrics.
package analyses
