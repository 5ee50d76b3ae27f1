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
//
// Many runs: a spec file expands into one run per point of its sweep
// (PrepareAll). RunAll runs the runs of many specs in a stable order with a
// pool of Options.Jobs workers, going on past failures (unless FailFast). A
// run whose folder holds a finished run is skipped (unless Force); an
// unfinished one with a checkpoint.bin resumes from it and ends with the
// numbers of an uninterrupted run. For clusters, Plan lists the runs
// (plan.jsonl), RunPlan runs one entry of it in a job-array task, and
// EmitSlurm / EmitKubernetes print the job files.
package runner
