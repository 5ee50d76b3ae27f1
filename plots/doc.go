// Package plots draws the PNG figures ansatz writes beside a run's tables and
// beside a sweep's runs.
//
// [Run] writes <run>/plots/: losses.png (every train/test loss against the
// step, log scale), phase.png (true and model trajectories in phase space) and
// energy.png (energy against time). [Sweep] writes one figure per numeric swept
// parameter and metric, <out>/<name>/sweep-<param>-<metric>.png. A figure whose
// data is absent is not drawn, and that is not an error.
//
// Every file is written with results.AtomicWrite, so a reader never sees a
// half-written PNG, and the figures depend only on their data: the same run
// gives the same bytes.
package plots
