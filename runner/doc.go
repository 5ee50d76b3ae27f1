// Package runner executes experiments: it loads and resolves a spec, seeds
// every random stream from the spec's seed, generates the data, trains the
// model, evaluates and analyses it, checks the spec's expectations and writes
// the run's files through package results.
//
// Random streams: the data, the initial weights, the minibatches and the
// evaluation rollouts each draw from their own PCG stream seeded with the
// spec's seed, so changing the batch size does not change the data.
//
// Metric names: loss metrics are rows with split "train" or "test" and are
// addressed as "<split>.<metric>" (train.loss, test.loss.hnn); evaluation
// figures (energy_mse, rollout_mse, energy_drift) have split "eval" and are
// addressed by their name alone.
package runner
