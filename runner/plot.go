package runner

import "ansatz/plots"

// plot draws the run's figures into <run>/plots/ (plots.Run) from what was
// just flushed. A figure that cannot be drawn is logged, not fatal: the
// numbers are on file.
func (t *trainer) plot() {
	if err := plots.Run(t.run.Dir, t.x.State.Vars, t.metrics, t.trajectories); err != nil {
		t.log.Warn().Err(err).Msg("plots not drawn")
	}
}
