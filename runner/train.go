package runner

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/datasets"
	"ansatz/losses"
	"ansatz/optim"
	"ansatz/registry"
	"ansatz/results"
)

// evalChunk bounds the rows evaluated at once on a full data set.
const evalChunk = 4096

// trainer holds one run's state from training to its files.
type trainer struct {
	x     *Experiment
	data  *datasets.Data
	run   *results.Run
	log   zerolog.Logger
	start time.Time

	// initial is the parameter file that starts the model (init_from), or "".
	initial string

	// resume is the checkpoint to go on from, or nil; metrics then holds
	// the rows up to its step.
	resume *checkpoint
	// afterStep, when set, is called after every optimiser step (tests use
	// it to interrupt a run at a given step).
	afterStep func(step int)

	model architectures.Model
	// pcg is the minibatch stream's source and perm the sample permutation
	// it shuffles; both are part of a checkpoint.
	pcg     *rand.PCG
	perm    []int
	step    int
	metrics []results.Metric
	// written is when metrics.parquet was last rewritten.
	written time.Time
	// trajectories and analysis rows, written by flush.
	trajectories []results.Trajectory
	analysis     []results.Analysis
	// seed seeds the model's initial weights, the minibatches, the fresh
	// training sets and the fit: the spec's seed, or a restart's.
	seed uint64
	// restart numbers the restart being trained (train.restarts); it is 0
	// without restarts.
	restart int
}

// checkpoints reports whether the run keeps checkpoints: not with restarts,
// which a rerun starts over.
func (t *trainer) checkpoints() bool { return t.x.Spec.Train.Restarts <= 1 }

// seedOf returns the seed of a restart: the spec's seed for the first, and
// seeds spread over the 64-bit range for the others.
func seedOf(seed uint64, restart int) uint64 {
	return seed + uint64(restart)*0x9e3779b97f4a7c15
}

// generate makes the run's data set from the data stream.
func (x *Experiment) generate() (*datasets.Data, error) {
	return x.Data.Generate(x.System, x.State.NQ, streams(x.Spec.Seed, streamData))
}

// train runs the optimisation loop, evaluating the losses on the full train
// and test sets every eval_every steps (and before the first and after the
// last step) and rewriting metrics.parquet each time.
func (t *trainer) train(ctx context.Context) error {
	x := t.x
	model, err := x.Model.Build(x.State, streams(t.seed, streamInit))
	if err != nil {
		return fmt.Errorf("building the model: %w", err)
	}
	t.model = model
	if t.initial != "" {
		if err := loadParams(t.initial, model.Params()); err != nil {
			return err
		}
		t.log.Info().Str("from", t.initial).Msg("parameters loaded (init_from)")
	}
	if f, ok := model.(architectures.Fitter); ok && t.resume == nil {
		start := time.Now()
		if err := f.Fit(&t.data.Train, streams(t.seed, streamFit)); err != nil {
			return fmt.Errorf("fitting the model: %w", err)
		}
		t.log.Info().Str("took", since(start)).Msg("model fitted")
	}
	params := model.Params()
	train := x.Spec.Train
	steps := train.Steps
	batchSize := train.Batch.Size(t.data.Train.N)
	t.pcg = rand.NewPCG(t.seed, streamBatches)
	rng := rand.New(t.pcg)
	baseLR := x.Opt.LR()
	idx := make([]int, t.data.Train.N)
	for i := range idx {
		idx[i] = i
	}
	t.perm = idx
	if t.resume != nil {
		if err := t.restore(t.resume); err != nil {
			return err
		}
		t.log.Info().Int("step", t.step).Msg("resumed from the checkpoint")
	} else {
		for _, c := range t.data.Checks {
			t.addMetric(0, "data", c.Name, c.Value, 0)
		}
		if err := t.evaluateLosses(0); err != nil {
			return err
		}
	}
	resampler, resampleEvery := t.resampler()
	if resampleEvery > 0 && t.step >= resampleEvery {
		// The training set the run had at this step.
		if err := t.resample(resampler, t.step/resampleEvery*resampleEvery); err != nil {
			return err
		}
	}
	full := tensors(&t.data.Train, nil)
	prog := newProgress(t.log, steps, train.LogEvery)
	for t.step < steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if resampleEvery > 0 && t.step > 0 && t.step%resampleEvery == 0 {
			if err := t.resample(resampler, t.step); err != nil {
				return err
			}
			full = tensors(&t.data.Train, nil)
		}
		b := full
		if batchSize < t.data.Train.N {
			// A fresh random subset each step, as torch.randperm(N)[:batch].
			for i := 0; i < batchSize; i++ {
				j := i + rng.IntN(len(idx)-i)
				idx[i], idx[j] = idx[j], idx[i]
			}
			b = tensors(&t.data.Train, idx[:batchSize])
		}
		total, parts, err := t.loss(b, true)
		if err != nil {
			return fmt.Errorf("step %d: %w", t.step+1, err)
		}
		if v := total.Item(); math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("step %d: the loss is %v (%s); try a smaller learning rate or check the data", t.step+1, v, describeParts(x, parts))
		}
		grads, err := autodiff.Grad(total, params)
		if err != nil {
			return fmt.Errorf("step %d: gradient: %w", t.step+1, err)
		}
		if train.GradClip > 0 {
			optim.ClipGlobalNorm(grads, train.GradClip)
		}
		x.Opt.SetLR(x.Schedule.LR(baseLR, t.step, steps))
		if err := x.Opt.Step(params, grads); err != nil {
			return fmt.Errorf("step %d: optimiser: %w", t.step+1, err)
		}
		t.step++
		prog.update(t.step, total.Item())
		if t.step%train.EvalEvery == 0 || t.step == steps {
			if err := t.evaluateLosses(t.step); err != nil {
				return err
			}
		}
		if t.afterStep != nil {
			t.afterStep(t.step)
		}
	}
	if train.Polish != nil && t.step == steps {
		return t.polish(ctx, *train.Polish)
	}
	return nil
}

// resampler returns the data kind as a Resampler and how often it draws a
// fresh training set (0: never).
func (t *trainer) resampler() (datasets.Resampler, int) {
	r, ok := t.x.Data.(datasets.Resampler)
	if !ok {
		return nil, 0
	}
	return r, r.ResampleEvery()
}

// resample replaces the training set by the fresh one of a step, drawn from
// a stream keyed by the step so that a resumed run sees the same sets.
func (t *trainer) resample(r datasets.Resampler, step int) error {
	set, err := r.Resample(t.x.System, rand.New(rand.NewPCG(t.seed, streamResample<<56^uint64(step))))
	if err != nil {
		return fmt.Errorf("fresh training set at step %d: %w", step, err)
	}
	if set.N != t.data.Train.N || set.D != t.data.Train.D {
		return fmt.Errorf("fresh training set at step %d has %d×%d values, the first had %d×%d", step, set.N, set.D, t.data.Train.N, t.data.Train.D)
	}
	t.data.Train = *set
	return nil
}

// tensors returns the rows idx (all when nil) of a data set as constants:
// the states, their derivatives (when the data has them) and every column.
func tensors(s *datasets.Set, idx []int) losses.Batch {
	rows := func(src []float64, width int) *autodiff.Tensor {
		if src == nil {
			return nil
		}
		if idx == nil {
			return autodiff.New(src, s.N, width)
		}
		dst := make([]float64, len(idx)*width)
		for i, j := range idx {
			copy(dst[i*width:(i+1)*width], src[j*width:(j+1)*width])
		}
		return autodiff.New(dst, len(idx), width)
	}
	b := losses.Batch{X: rows(s.X, s.D), DX: rows(s.DX, s.D), F: rows(s.F, s.D)}
	if len(s.Columns) > 0 {
		b.Columns = make(map[string]*autodiff.Tensor, len(s.Columns))
		for _, c := range s.Columns {
			b.Columns[c.Name] = rows(c.Data, c.Width)
		}
	}
	return b
}

// loss returns the weighted total and each term's value on a batch. Terms of
// weight 0 are measures: computed for evaluations, skipped (NaN in parts)
// when a graph is created for an optimiser step.
func (t *trainer) loss(b losses.Batch, createGraph bool) (*autodiff.Tensor, []float64, error) {
	var total *autodiff.Tensor
	parts := make([]float64, len(t.x.Losses))
	for i, l := range t.x.Losses {
		if createGraph && l.weight == 0 {
			parts[i] = math.NaN()
			continue
		}
		v, err := l.term.Loss(t.model, b, createGraph)
		if err != nil {
			return nil, nil, fmt.Errorf("loss %s: %w", l.name, err)
		}
		parts[i] = v.Item()
		w := autodiff.Scale(v, l.weight)
		if total == nil {
			total = w
		} else {
			total = autodiff.Add(total, w)
		}
	}
	if total == nil {
		return nil, nil, fmt.Errorf("every loss term has weight 0: nothing to train on")
	}
	return total, parts, nil
}

func describeParts(x *Experiment, parts []float64) string {
	var b strings.Builder
	for i, l := range x.Losses {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = %g", l.name, parts[i])
	}
	return b.String()
}

// metricsInterval bounds how often metrics.parquet is rewritten during
// training, so that frequent evaluations do not cost a file each.
const metricsInterval = time.Second

// evaluateLosses records the loss and each term on the full train and test
// sets at a step, then rewrites metrics.parquet unless it was rewritten less
// than metricsInterval ago (flush writes the rest). Sets are evaluated in chunks
// and the chunk values averaged with their sizes as weights, which is exact
// for terms that are means over samples.
func (t *trainer) evaluateLosses(step int) error {
	elapsed := time.Since(t.start).Seconds()
	for _, split := range []struct {
		name string
		set  *datasets.Set
	}{{"train", &t.data.Train}, {"test", &t.data.Test}} {
		if split.set.N == 0 {
			continue
		}
		total, parts, err := t.fullLoss(split.set)
		if err != nil {
			return fmt.Errorf("evaluating the %s loss at step %d: %w", split.name, step, err)
		}
		t.addMetric(step, split.name, "loss", total, elapsed)
		for i, l := range t.x.Losses {
			t.addMetric(step, split.name, "loss."+l.name, parts[i], elapsed)
		}
	}
	if time.Since(t.written) < metricsInterval {
		return nil
	}
	t.written = time.Now()
	if err := t.run.WriteMetrics(t.metrics); err != nil {
		return err
	}
	if step == 0 || !t.checkpoints() {
		return nil
	}
	// The checkpoint follows the metrics it continues from.
	return t.saveCheckpoint()
}

func (t *trainer) fullLoss(s *datasets.Set) (float64, []float64, error) {
	var total float64
	parts := make([]float64, len(t.x.Losses))
	idx := make([]int, 0, evalChunk)
	for lo := 0; lo < s.N; lo += evalChunk {
		hi := min(lo+evalChunk, s.N)
		idx = idx[:0]
		for i := lo; i < hi; i++ {
			idx = append(idx, i)
		}
		b := tensors(s, idx)
		if lo == 0 && hi == s.N {
			b = tensors(s, nil)
		}
		v, p, err := t.loss(b, false)
		if err != nil {
			return 0, nil, err
		}
		w := float64(hi-lo) / float64(s.N)
		total += w * v.Item()
		for i := range parts {
			parts[i] += w * p[i]
		}
	}
	return total, parts, nil
}

func (t *trainer) addMetric(step int, split, name string, v, elapsed float64) {
	t.metrics = append(t.metrics, results.Metric{Step: int64(step), Split: split, Metric: name, Value: v, ElapsedS: elapsed})
}

// finalMetrics maps expectation names to the values of the last step (see
// finalValues).
func (t *trainer) finalMetrics() map[string]float64 {
	return finalValues(t.metrics)
}

// finalValues maps expectation names to the values of the last step:
// "<split>.<metric>" for train and test rows, the bare metric name for eval;
// and the data's quality figures (logged at step 0) as "data.<metric>".
func finalValues(rows []results.Metric) map[string]float64 {
	var last int64
	for _, m := range rows {
		last = max(last, m.Step)
	}
	out := map[string]float64{}
	for _, m := range rows {
		if m.Step != last && m.Split != "data" {
			continue
		}
		if m.Split == "eval" {
			out[m.Metric] = m.Value
		} else {
			out[m.Split+"."+m.Metric] = m.Value
		}
	}
	return out
}

// flush writes the tables computed so far.
func (t *trainer) flush() error {
	if err := t.run.WriteMetrics(t.metrics); err != nil {
		return err
	}
	withEnergy := t.x.Energy != nil
	if err := t.run.WriteTrajectories(t.x.State.Vars, withEnergy, t.trajectories); err != nil {
		return err
	}
	return t.run.WriteAnalysis(t.analysis)
}

// progress logs training progress at a bounded rate.
type progress struct {
	log      zerolog.Logger
	total    int
	every    int
	start    time.Time
	last     time.Time
	interval time.Duration
}

func newProgress(log zerolog.Logger, total, every int) *progress {
	now := time.Now()
	return &progress{log: log, total: total, every: every, start: now, last: now, interval: 5 * time.Second}
}

func (p *progress) update(step int, loss float64) {
	now := time.Now()
	due := step == p.total || step == 1
	if p.every > 0 {
		due = due || step%p.every == 0
	} else {
		due = due || now.Sub(p.last) >= p.interval
	}
	if !due {
		return
	}
	p.last = now
	rate := float64(step) / now.Sub(p.start).Seconds()
	eta := time.Duration(float64(p.total-step) / rate * float64(time.Second))
	p.log.Info().Int("step", step).Int("of", p.total).Float64("loss", loss).
		Str("rate", fmt.Sprintf("%.1f steps/s", rate)).Str("eta", eta.Round(time.Second).String()).Msg("training")
}

// trainRestarts trains once, or train.restarts times from different seeds,
// keeping the restart whose train.select metric is lowest: its model, its
// metrics and its step. Each restart's outcome is a row of analysis.parquet
// (analysis "restarts"). A restart that fails (a diverging loss) is recorded
// and skipped; the run fails only when every restart does.
func (t *trainer) trainRestarts(ctx context.Context) error {
	x := t.x
	n := max(1, x.Spec.Train.Restarts)
	t.seed = x.Spec.Seed
	if n == 1 {
		return t.train(ctx)
	}
	metric := selectMetric(x)
	type outcome struct {
		model   architectures.Model
		metrics []results.Metric
		step    int
		value   float64
		restart int
	}
	var best *outcome
	base := t.log
	// Every restart starts from the generated training set (a data kind
	// that draws fresh sets replaces it during training).
	first := t.data.Train
	var lastErr error
	for r := range n {
		t.restart, t.seed = r, seedOf(x.Spec.Seed, r)
		t.model, t.metrics, t.step, t.data.Train = nil, nil, 0, first
		t.log = base.With().Int("restart", r).Logger()
		opt, errs := registry.Decode(registry.Optimizer, &x.Spec.Train.Optimizer)
		if len(errs) > 0 {
			return fmt.Errorf("restart %d: optimiser: %w", r, errs)
		}
		x.Opt = opt.(optim.Optimizer)
		err := t.train(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		row := results.Analysis{Analysis: "restarts", Name: fmt.Sprintf("restart %d", r)}
		if err != nil {
			lastErr = err
			text := "failed: " + err.Error()
			row.Text = &text
			t.analysis = append(t.analysis, row)
			t.log.Warn().Err(err).Msg("restart failed")
			continue
		}
		v, ok := finalValues(t.metrics)[metric]
		if !ok || math.IsNaN(v) {
			v = math.Inf(1)
		}
		text := fmt.Sprintf("seed %d: %s = %.6g", t.seed, metric, v)
		row.Value, row.Text = &v, &text
		t.analysis = append(t.analysis, row)
		t.log.Info().Float64(metric, v).Msg("restart finished")
		if best == nil || v < best.value {
			best = &outcome{model: t.model, metrics: t.metrics, step: t.step, value: v, restart: r}
		}
	}
	t.log = base
	if best == nil {
		return fmt.Errorf("all %d restarts failed; the last: %w", n, lastErr)
	}
	t.model, t.metrics, t.step, t.restart = best.model, best.metrics, best.step, best.restart
	b := float64(best.restart)
	text := fmt.Sprintf("restart %d of %d: %s = %.6g", best.restart, n, metric, best.value)
	t.analysis = append(t.analysis, results.Analysis{Analysis: "restarts", Name: "best", Value: &b, Text: &text})
	t.log.Info().Int("best", best.restart).Float64(metric, best.value).Msg("restarts done")
	return t.run.WriteMetrics(t.metrics)
}

// selectMetric is the metric that picks the best restart: train.select, or
// the total loss on the test split (the training split without one).
func selectMetric(x *Experiment) string {
	if s := x.Spec.Train.Select; s != "" {
		return s
	}
	return "test.loss"
}
