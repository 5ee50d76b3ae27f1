package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"ansatz/results"
)

// Outcome is the result of one spec.
type Outcome struct {
	Spec   string
	Name   string
	RunID  string
	Dir    string
	Status results.Status
	// Err is the reason of a failure; SpecErr marks errors in the spec
	// itself (exit code 2).
	Err     error
	SpecErr bool
	Checks  []results.Expectation
}

// ExitCode maps outcomes to the command's exit code: 2 if any spec was bad,
// else 1 if any run failed or missed an expectation, else 0.
func ExitCode(outcomes []Outcome) int {
	code := 0
	for _, o := range outcomes {
		switch {
		case o.SpecErr:
			return 2
		case o.Status != results.StatusOK:
			code = 1
		}
	}
	return code
}

// ValidateAll parses and resolves each spec and reports its errors on stderr.
func ValidateAll(stdout, stderr io.Writer, specs []string, opts Options) []Outcome {
	var out []Outcome
	for _, path := range specs {
		x, err := Prepare(path, opts.Overrides)
		if err != nil {
			fmt.Fprintln(stderr, err)
			out = append(out, Outcome{Spec: path, Err: err, SpecErr: true, Status: results.StatusFailed})
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%s, run id %s)\n", path, x.Spec.Name, x.RunID)
		out = append(out, Outcome{Spec: path, Name: x.Spec.Name, RunID: x.RunID, Status: results.StatusOK})
	}
	return out
}

// RunAll runs each spec in turn, going on past failures, and prints a summary
// (and, with opts.Check, each run's expectation table) on stdout.
func RunAll(ctx context.Context, stdout, stderr io.Writer, specs []string, opts Options) []Outcome {
	var out []Outcome
	for _, path := range specs {
		if ctx.Err() != nil {
			// Specs not started still count, so that an interrupted batch
			// never exits 0.
			out = append(out, Outcome{Spec: path, Status: results.StatusInterrupted, Err: errors.New("not started: interrupted")})
			continue
		}
		o := runOne(ctx, path, opts)
		report(stderr, opts, o)
		if opts.Check && len(o.Checks) > 0 {
			printChecks(stdout, o)
		}
		out = append(out, o)
	}
	if len(specs) > 1 || opts.Check {
		printSummary(stdout, out)
	}
	return out
}

// report tells the user why a spec did not end well. Spec errors are printed
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
		fmt.Fprintf(stderr, "%s: %v\n", o.Spec, o.Err)
		if o.Dir != "" {
			fmt.Fprintf(stderr, "  results so far: %s\n", o.Dir)
		}
	}
}

// runOne prepares and runs one spec.
func runOne(ctx context.Context, path string, opts Options) Outcome {
	o := Outcome{Spec: path, Status: results.StatusFailed}
	x, err := Prepare(path, opts.Overrides)
	if err != nil {
		o.Err, o.SpecErr = err, isSpecError(err)
		return o
	}
	o.Name, o.RunID = x.Spec.Name, x.RunID
	log := opts.Logger.With().Str("run", x.Spec.Name+"/"+x.RunID).Logger()
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

	if err := preserveOld(opts.Out, x.Spec.Name, x.RunID); err != nil {
		o.Err = err
		return o
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
		Spec: string(x.Resolved),
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
	log.Info().Str("dir", run.Dir).Msg("run started")

	tr := &trainer{x: x, data: data, run: run, log: log, start: start, initial: initial}
	runErr := tr.train(ctx)
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
	m.Status, m.Ended, m.Expectations = o.Status, time.Now().UTC(), o.Checks
	if err := run.WriteManifest(m); err != nil && o.Err == nil {
		o.Status, o.Err = results.StatusFailed, err
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
)
