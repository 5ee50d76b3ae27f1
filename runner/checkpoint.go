package runner

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"ansatz/nn"
	"ansatz/results"
)

// CheckpointFile is the name of the file in a run folder that holds the
// training state of an unfinished run. It is written atomically at
// evaluations (at most once a second, right after metrics.parquet) and when a
// run is interrupted, and removed when the run finishes.
const CheckpointFile = "checkpoint.bin"

// checkpointMagic starts every checkpoint, with the format version.
const checkpointMagic = "ansatz-checkpoint-1"

// checkpoint is the training state after Step optimiser steps: with the data
// (regenerated from the seed) and the metrics rows up to Step it determines
// the rest of the run exactly.
type checkpoint struct {
	Magic string
	RunID string
	Step  int
	// ElapsedS is the training wall time so far, so that elapsed_s goes on
	// from where it stopped.
	ElapsedS float64
	// Params are the model parameters (nn.SaveParams format).
	Params []byte
	// Optimizer is the optimiser state (optim.Optimizer.State).
	Optimizer []byte
	// RNG is the minibatch stream's PCG state (MarshalBinary).
	RNG []byte
	// Perm is the index permutation the minibatch sampler shuffles in place.
	Perm []int
}

// saveCheckpoint writes the trainer's state to checkpoint.bin atomically.
func (t *trainer) saveCheckpoint() error {
	c := checkpoint{Magic: checkpointMagic, RunID: t.x.RunID, Step: t.step,
		ElapsedS: time.Since(t.start).Seconds(), Perm: t.perm}
	var params bytes.Buffer
	if err := nn.SaveParams(&params, t.model.Params()); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	c.Params = params.Bytes()
	var err error
	if c.Optimizer, err = t.x.Opt.State(); err != nil {
		return fmt.Errorf("checkpoint: optimiser state: %w", err)
	}
	if c.RNG, err = t.pcg.MarshalBinary(); err != nil {
		return fmt.Errorf("checkpoint: random state: %w", err)
	}
	return results.AtomicWrite(t.run.Path(CheckpointFile), func(w io.Writer) error {
		return gob.NewEncoder(w).Encode(&c)
	})
}

// readCheckpoint reads the checkpoint of a run folder; it returns
// fs.ErrNotExist (wrapped) when there is none.
func readCheckpoint(dir, runID string) (*checkpoint, error) {
	f, err := os.Open(filepath.Join(dir, CheckpointFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var c checkpoint
	if err := gob.NewDecoder(f).Decode(&c); err != nil {
		return nil, fmt.Errorf("reading %s: %w", f.Name(), err)
	}
	switch {
	case c.Magic != checkpointMagic:
		return nil, fmt.Errorf("%s: not a checkpoint of this ansatz version", f.Name())
	case c.RunID != runID:
		return nil, fmt.Errorf("%s: checkpoint of run %s, not %s", f.Name(), c.RunID, runID)
	}
	return &c, nil
}

// restore loads the parameters, optimiser state and random state of c into
// the trainer (model built, stream created).
func (t *trainer) restore(c *checkpoint) error {
	if err := nn.LoadParams(bytes.NewReader(c.Params), t.model.Params()); err != nil {
		return fmt.Errorf("resuming: %w", err)
	}
	if err := t.x.Opt.LoadState(c.Optimizer); err != nil {
		return fmt.Errorf("resuming: optimiser state: %w", err)
	}
	if err := t.pcg.UnmarshalBinary(c.RNG); err != nil {
		return fmt.Errorf("resuming: random state: %w", err)
	}
	if len(c.Perm) != len(t.perm) {
		return fmt.Errorf("resuming: the checkpoint permutes %d samples, the data has %d", len(c.Perm), len(t.perm))
	}
	copy(t.perm, c.Perm)
	t.step = c.Step
	t.start = time.Now().Add(-time.Duration(c.ElapsedS * float64(time.Second)))
	return nil
}

// resumable returns the checkpoint of an unfinished run folder and the
// metric rows up to its step, or nil when the run cannot be resumed (no
// checkpoint, or one that does not match the metrics). The reason is
// returned for the log when a checkpoint exists but is not used.
func resumable(dir, runID string, evalEvery, steps int) (*checkpoint, []results.Metric, string) {
	c, err := readCheckpoint(dir, runID)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, ""
	}
	if err != nil {
		return nil, nil, err.Error()
	}
	if c.Step > steps {
		return nil, nil, fmt.Sprintf("checkpoint at step %d, beyond train.steps %d", c.Step, steps)
	}
	rows, err := results.ReadMetrics(filepath.Join(dir, results.MetricsFile))
	if err != nil {
		return nil, nil, err.Error()
	}
	// The last evaluation at or before the checkpoint must be on file:
	// metrics.parquet is written before the checkpoint.
	lastEval := c.Step / evalEvery * evalEvery
	found := false
	kept := rows[:0]
	for _, r := range rows {
		// Evaluation rows come after training; a resumed run recomputes them.
		if int(r.Step) <= c.Step && r.Split != "eval" {
			kept = append(kept, r)
			found = found || int(r.Step) == lastEval
		}
	}
	if !found {
		return nil, nil, fmt.Sprintf("metrics.parquet lacks the evaluation at step %d", lastEval)
	}
	return c, kept, ""
}
