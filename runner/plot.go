package runner

// plot writes the run's figures into its folder. A plot that cannot be drawn
// is logged, not fatal: the numbers are on file.
//
// TODO(runner): call plots.Run once the plots package lands.
func (t *trainer) plot() {}
