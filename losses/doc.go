// Package losses holds the loss terms of the talk, each a function of a model
// and a batch that returns a scalar node of the autodiff graph. Terms are
// registered under their spec names (kind "loss"); the spec gives each its
// weight, and the runner logs each term as its own metric.
package losses
