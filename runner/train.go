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
	model, err := x.Model.Build(x.State, streams(x.Spec.Seed, streamInit))
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
	params := model.Params()
	train := x.Spec.Train
	steps := train.Steps
	batchSize := train.Batch.Size(t.data.Train.N)
	t.pcg = rand.NewPCG(x.Spec.Seed, streamBatches)
	rng := rand.New(t.pcg)
	baseLR := x.Opt.LR()
	full := tensors(&t.data.Train, nil)
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
	} else if err := t.evaluateLosses(0); err != nil {
		return err
	}
	prog := newProgress(t.log, steps, train.LogEvery)
	for t.step < steps {
		if err := ctx.Err(); err != nil {
			return err
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
	return nil
}

// tensors returns the rows idx (all when nil) of a data set as constants.
func tensors(s *datasets.Set, idx []int) losses.Batch {
	if idx == nil {
		return losses.Batch{X: autodiff.New(s.X, s.N, s.D), DX: autodiff.New(s.DX, s.N, s.D), F: autodiff.New(s.F, s.N, s.D)}
	}
	rows := func(src []float64) *autodiff.Tensor {
		dst := make([]float64, len(idx)*s.D)
		for i, j := range idx {
			copy(dst[i*s.D:(i+1)*s.D], src[j*s.D:(j+1)*s.D])
		}
		return autodiff.New(dst, len(idx), s.D)
	}
	return losses.Batch{X: rows(s.X), DX: rows(s.DX), F: rows(s.F)}
}

// loss returns the weighted total and each term's value on a batch.
func (t *trainer) loss(b losses.Batch, createGraph bool) (*autodiff.Tensor, []float64, error) {
	var total *autodiff.Tensor
	parts := make([]float64, len(t.x.Losses))
	for i, l := range t.x.Losses {
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
	if step == 0 {
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
// "<split>.<metric>" for train and test rows, the bare metric name for eval.
func finalValues(rows []results.Metric) map[string]float64 {
	var last int64
	for _, m := range rows {
		last = max(last, m.Step)
	}
	out := map[string]float64{}
	for _, m := range rows {
		if m.Step != last {
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
