package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"ansatz/results"
)

// Outcome is the result of one run (or of a spec file that did not load).
type Outcome struct {
	Spec string
	// Point is the run's index among the runs its spec expands to, and
	// Params the values its sweep set.
	Point  int
	Params []results.Param
	Name   string
	RunID  string
	Dir    string
	Status results.Status
	// Reused tells that a finished run was found and not run again; its
	// Status is then skipped, or expectation-failed when the stored metrics
	// miss the spec's current expect: bounds.
	Reused bool
	// Resumed is the step a resumed run went on from (0 when it started
	// afresh).
	Resumed int
	// Err is the reason of a failure; SpecErr marks errors in the spec
	// itself (exit code 2).
	Err     error
	SpecErr bool
	Checks  []results.Expectation
}

// ExitCode maps outcomes to the command's exit code: 2 if any spec was bad,
// else 1 if any run failed, was interrupted or missed an expectation, else 0.
// Skipped runs (already finished) count as successes.
func ExitCode(outcomes []Outcome) int {
	code := 0
	for _, o := range outcomes {
		switch {
		case o.SpecErr:
			return 2
		case o.Status != results.StatusOK && o.Status != results.StatusSkipped:
			code = 1
		}
	}
	return code
}

// ValidateAll parses and resolves each spec (every point of its sweep) and
// reports its errors on stderr.
func ValidateAll(stdout, stderr io.Writer, specs []string, opts Options) []Outcome {
	var out []Outcome
	for _, path := range specs {
		xs, err := PrepareAll(path, opts.Overrides)
		if err != nil {
			fmt.Fprintln(stderr, err)
			out = append(out, Outcome{Spec: path, Err: err, SpecErr: true, Status: results.StatusFailed})
			continue
		}
		for _, x := range xs {
			if len(xs) == 1 {
				fmt.Fprintf(stdout, "%s: ok (%s, run id %s)\n", path, x.Spec.Name, x.RunID)
			} else {
				fmt.Fprintf(stdout, "%s[%d]: ok (%s, run id %s, %s)\n", path, x.Point, x.Spec.Name, x.RunID, FormatParams(x.Params))
			}
			out = append(out, Outcome{Spec: path, Point: x.Point, Params: x.Params, Name: x.Spec.Name, RunID: x.RunID, Status: results.StatusOK})
		}
	}
	return out
}

// report tells the user why a run did not end well. Spec errors are printed
// as they are (they carry file:line:col and the offending line); a failed or
// interrupted run is one plain line naming the spec, followed by the folder
// that holds what was computed. With --log-format json a run failure is a log
// record instead, so that stderr stays machine-readable.
func report(stderr io.Writer, opts Options, o Outcome) {
	switch {
	case o.Err == nil:
	case o.SpecErr:
		fmt.Fprintln(stderr, o.Err)
	case opts.LogFormat == "json":
		opts.Logger.Error().Str("spec", o.Spec).Str("status", string(o.Status)).Str("dir", o.Dir).Msg(o.Err.Error())
	default:
		name := o.Spec
		if len(o.Params) > 0 {
			name = fmt.Sprintf("%s[%d] (%s)", o.Spec, o.Point, FormatParams(o.Params))
		}
		fmt.Fprintf(stderr, "%s: %v\n", name, o.Err)
		if o.Dir != "" {
			fmt.Fprintf(stderr, "  results so far: %s\n", o.Dir)
		}
	}
}

// runOne prepares and runs one spec that describes a single run.
func runOne(ctx context.Context, path string, opts Options) Outcome {
	x, err := Prepare(path, opts.Overrides)
	if err != nil {
		return Outcome{Spec: path, Status: results.StatusFailed, Err: err, SpecErr: isSpecError(err)}
	}
	return runExperiment(ctx, path, x, opts)
}

// runState is what a run folder holds before a run starts.
type runState int

const (
	stateNone     runState = iota // no folder
	stateFinished                 // a finished run with all its files
	stateResume                   // an unfinished run with a usable checkpoint
	stateStale                    // anything else: moved aside, run afresh
)

// completeFiles are the files a finished run folder must hold to be reused.
var completeFiles = []string{results.ManifestFile, results.SpecFile, results.MetricsFile,
	results.TrajectoriesFile, results.AnalysisFile, ParamsFile}

// inspect tells what the folder of x's run holds: a finished run to reuse
// (with its manifest), an unfinished one to resume (with its checkpoint and
// metric rows), or something stale.
func inspect(x *Experiment, dir string, log zerolog.Logger) (runState, *results.Manifest, *checkpoint, []results.Metric) {
	if _, err := os.Stat(dir); err != nil {
		return stateNone, nil, nil, nil
	}
	m, err := results.ReadManifest(filepath.Join(dir, results.ManifestFile))
	if err != nil {
		return stateStale, nil, nil, nil
	}
	if finished(m.Status) {
		for _, f := range completeFiles {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				log.Warn().Str("missing", f).Msg("the finished run is incomplete; running it again")
				return stateStale, nil, nil, nil
			}
		}
		return stateFinished, m, nil, nil
	}
	c, rows, why := resumable(dir, x.RunID, x.Spec.Train.EvalEvery, x.Spec.Train.Steps)
	if c == nil {
		if why != "" {
			log.Warn().Str("reason", why).Msg("the checkpoint cannot be used; running afresh")
		}
		return stateStale, nil, nil, nil
	}
	return stateResume, m, c, rows
}

// reuse reports a finished run without running it: skipped, with its
// expectations checked again from the stored metrics against the spec's
// current bounds (expect: is not part of the run id).
func reuse(x *Experiment, o Outcome) Outcome {
	o.Status, o.Reused = results.StatusSkipped, true
	rows, err := results.ReadMetrics(filepath.Join(o.Dir, results.MetricsFile))
	if err != nil {
		o.Status, o.Err = results.StatusFailed, fmt.Errorf("reading the finished run: %w", err)
		return o
	}
	o.Checks = checkExpectations(x, finalValues(rows))
	if missed := describeMisses(o.Checks); missed != "" {
		o.Status, o.Err = results.StatusExpectationFailed, errors.New("expectations not met: "+missed)
	}
	return o
}

// runExperiment runs one resolved point: it skips a finished run (unless
// opts.Force), resumes an unfinished one from its checkpoint, or starts
// afresh, moving any other folder of the same run id aside.
func runExperiment(ctx context.Context, path string, x *Experiment, opts Options) Outcome {
	o := Outcome{Spec: path, Point: x.Point, Params: x.Params, Name: x.Spec.Name, RunID: x.RunID, Status: results.StatusFailed}
	log := opts.Logger.With().Str("run", x.Spec.Name+"/"+x.RunID).Logger()
	dir := results.Dir(opts.Out, x.Spec.Name, x.RunID)
	state, old, resume, rows := inspect(x, dir, log)
	if opts.Force && state != stateNone {
		state = stateStale
	}
	if state == stateFinished {
		o.Dir = dir
		log.Info().Str("dir", dir).Msg("already finished; skipped (--force runs it again)")
		return reuse(x, o)
	}
	var err error
	var initial string
	if x.InitFrom != nil {
		if initial, err = initialParams(ctx, x.InitFrom, opts); err != nil {
			o.Err = fmt.Errorf("%s: %w", path, err)
			return o
		}
	}
	start := time.Now()

	// Everything that can fail on the user's input runs before the run folder
	// exists, so a bad spec or data leaves nothing behind.
	data, err := x.generate()
	if err != nil {
		o.Err = fmt.Errorf("generating data: %w", err)
		return o
	}
	if ctx.Err() != nil {
		// Interrupted while generating: there is nothing worth a run folder.
		o.Status, o.Err = results.StatusInterrupted, errors.New("interrupted while generating the data")
		return o
	}
	log.Info().Int("train", data.Train.N).Int("test", data.Test.N).Str("took", since(start)).Msg("data generated")

	if state == stateStale {
		if err := preserveOld(opts.Out, x.Spec.Name, x.RunID); err != nil {
			o.Err = err
			return o
		}
	}
	run, err := results.Create(opts.Out, x.Spec.Name, x.RunID)
	if err != nil {
		o.Err = err
		return o
	}
	o.Dir = run.Dir
	m := &results.Manifest{
		RunID: x.RunID, Name: x.Spec.Name, SpecFile: path, Seed: x.Spec.Seed,
		Status: results.StatusRunning, Started: start.UTC(), Overrides: x.Spec.Overrides,
		Params: x.Params, Extends: x.Spec.Extends, Spec: string(x.Resolved),
	}
	if state == stateResume {
		m.Started = old.Started
	}
	m.SetBuildInfo()
	if err := run.WriteSpec(x.Resolved); err != nil {
		o.Err = err
		return o
	}
	if err := run.WriteManifest(m); err != nil {
		o.Err = err
		return o
	}
	tr := &trainer{x: x, data: data, run: run, log: log, start: start, initial: initial, afterStep: opts.afterStep}
	if state == stateResume {
		tr.resume, tr.metrics, o.Resumed = resume, rows, resume.Step
		log.Info().Str("dir", run.Dir).Int("step", resume.Step).Msg("run resumed")
	} else {
		log.Info().Str("dir", run.Dir).Msg("run started")
	}

	runErr := tr.trainRestarts(ctx)
	if runErr == nil {
		runErr = saveParams(run, tr.model.Params())
	}
	if runErr == nil {
		runErr = tr.evaluate()
	}
	o.Status = results.StatusOK
	switch {
	case errors.Is(runErr, context.Canceled):
		o.Status = results.StatusInterrupted
		m.Reason = fmt.Sprintf("interrupted at step %d of %d", tr.step, x.Spec.Train.Steps)
		o.Err = errors.New(m.Reason)
	case runErr != nil:
		o.Status = results.StatusFailed
		m.Reason = runErr.Error()
		o.Err = runErr
	default:
		o.Checks = checkExpectations(x, tr.finalMetrics())
		if missed := describeMisses(o.Checks); missed != "" {
			o.Status = results.StatusExpectationFailed
			m.Reason = "expectations not met: " + missed
		}
	}
	// What was computed is kept whatever happened.
	if err := tr.flush(); err != nil && o.Err == nil {
		o.Status, o.Err, m.Reason = results.StatusFailed, err, err.Error()
	}
	switch {
	case o.Status == results.StatusInterrupted && tr.model != nil && tr.pcg != nil && tr.checkpoints():
		// The metrics are on file: the checkpoint lets a rerun go on from
		// this very step.
		if err := tr.saveCheckpoint(); err != nil {
			log.Warn().Err(err).Msg("no checkpoint written")
		}
	case finished(o.Status):
		if err := os.Remove(run.Path(CheckpointFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			log.Warn().Err(err).Msg("removing the checkpoint")
		}
	}
	m.Status, m.Ended, m.Expectations = o.Status, time.Now().UTC(), o.Checks
	if err := run.WriteManifest(m); err != nil && o.Err == nil {
		o.Status, o.Err = results.StatusFailed, err
	}
	if finished(o.Status) {
		tr.plot()
	}
	log.Info().Str("status", string(o.Status)).Str("took", since(start)).Msg("run finished")
	return o
}

// since renders the time elapsed since start for the log, with its unit
// ("1.27s", "97ms"): zerolog's Dur writes a bare number of milliseconds.
func since(start time.Time) string {
	return time.Since(start).Round(time.Millisecond).String()
}

// preserveOld moves an earlier run with the same id aside instead of
// overwriting it, so nothing a user had is lost.
func preserveOld(out, name, runID string) error {
	dir := results.Dir(out, name, runID)
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	aside := fmt.Sprintf("%s.replaced-%s", dir, time.Now().UTC().Format("20060102T150405.000"))
	if err := os.Rename(dir, aside); err != nil {
		return fmt.Errorf("moving the earlier run %s aside: %w", dir, err)
	}
	return nil
}

// streams returns the random stream with the given purpose, seeded from the
// spec's seed.
func streams(seed uint64, purpose uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, purpose))
}

// Random stream purposes.
const (
	streamData uint64 = iota + 1
	streamInit
	streamBatches
	streamRollouts
	streamAnalyses
	streamFit
	streamResample
)
