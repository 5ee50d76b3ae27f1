package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"ansatz/results"
)

// job is one run of a batch: a resolved sweep point, or a spec file that did
// not load (err set).
type job struct {
	path string
	x    *Experiment
	err  error
}

// expand resolves every spec file into its runs, in the order of the files
// and, within a file, of its sweep.
func expand(specs []string, overrides []string) []job {
	var jobs []job
	for _, path := range specs {
		xs, err := PrepareAll(path, overrides)
		if err != nil {
			jobs = append(jobs, job{path: path, err: err})
			continue
		}
		for _, x := range xs {
			jobs = append(jobs, job{path: path, x: x})
		}
	}
	return jobs
}

// RunAll runs every run of the specs (each spec file expanded by its
// sweep), up to opts.Jobs at once, going on past failures unless
// opts.FailFast. Runs already finished are skipped unless opts.Force. It
// prints each failure on stderr as it happens and, at the end, the
// expectation tables (with opts.Check) and a summary on stdout. The outcomes
// are in the order of the runs, whatever order they finished in.
func RunAll(ctx context.Context, stdout, stderr io.Writer, specs []string, opts Options) []Outcome {
	return runJobs(ctx, stdout, stderr, expand(specs, opts.Overrides), opts)
}

// runJobs runs a batch of jobs with a pool of opts.Jobs workers.
func runJobs(ctx context.Context, stdout, stderr io.Writer, jobs []job, opts Options) []Outcome {
	out := make([]Outcome, len(jobs))
	var mu sync.Mutex // serialises reports on stderr
	var failed atomic.Bool
	todo := make([]int, 0, len(jobs))
	firstOf := map[string]int{}
	for i, j := range jobs {
		switch {
		case j.err != nil:
			out[i] = Outcome{Spec: j.path, Status: results.StatusFailed, Err: j.err, SpecErr: isSpecError(j.err)}
			report(stderr, opts, out[i])
			failed.Store(true)
		case hasKey(firstOf, j.x.RunID):
			// Two points that resolve to the same spec are one run.
			k := firstOf[j.x.RunID]
			out[i] = Outcome{Spec: j.path, Point: j.x.Point, Params: j.x.Params, Name: j.x.Spec.Name, RunID: j.x.RunID,
				Dir: results.Dir(opts.Out, j.x.Spec.Name, j.x.RunID), Status: results.StatusSkipped, Reused: true}
			opts.Logger.Warn().Str("run", j.x.Spec.Name+"/"+j.x.RunID).Int("point", j.x.Point).Int("same_as", jobs[k].x.Point).
				Msg("two sweep points give the same run; it runs once")
		default:
			firstOf[j.x.RunID] = i
			todo = append(todo, i)
		}
	}
	if failed.Load() && opts.FailFast {
		todo = notStarted(out, jobs, todo, "not started: --fail-fast after a spec error")
	}
	// Specs that init_from refers to run first, one by one, so that
	// concurrent runs never race to create the same run; the runs whose
	// prerequisite did not finish fail without starting.
	prereq := map[string]error{}
	ready := todo[:0]
	for _, i := range todo {
		src := jobs[i].x.InitFrom
		if src == nil || src.exp == nil || ctx.Err() != nil {
			ready = append(ready, i)
			continue
		}
		err, done := prereq[src.id]
		if !done {
			_, err = initialParams(ctx, src, opts)
			prereq[src.id] = err
		}
		if err != nil {
			j := jobs[i]
			out[i] = Outcome{Spec: j.path, Point: j.x.Point, Params: j.x.Params, Name: j.x.Spec.Name, RunID: j.x.RunID,
				Status: results.StatusFailed, Err: fmt.Errorf("%s: %w", j.path, err)}
			report(stderr, opts, out[i])
			failed.Store(true)
			continue
		}
		ready = append(ready, i)
	}
	todo = ready

	workers := max(1, min(opts.Jobs, len(todo)))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				if ctx.Err() != nil || (opts.FailFast && failed.Load()) {
					reason := "not started: interrupted"
					if ctx.Err() == nil {
						reason = "not started: --fail-fast after a failure"
					}
					out[i] = notStartedOutcome(j, reason)
					continue
				}
				o := runExperiment(ctx, j.path, j.x, opts)
				if o.Status == results.StatusFailed {
					failed.Store(true)
				}
				mu.Lock()
				report(stderr, opts, o)
				mu.Unlock()
				out[i] = o
			}
		}()
	}
	for _, i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()

	if opts.Check {
		for _, o := range out {
			if len(o.Checks) > 0 {
				printChecks(stdout, o)
			}
		}
	}
	if len(out) > 1 || opts.Check {
		printSummary(stdout, out)
	}
	return out
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

// notStartedOutcome is the outcome of a run that was never started. It
// counts as interrupted, so that a batch cut short never exits 0.
func notStartedOutcome(j job, reason string) Outcome {
	return Outcome{Spec: j.path, Point: j.x.Point, Params: j.x.Params, Name: j.x.Spec.Name, RunID: j.x.RunID,
		Status: results.StatusInterrupted, Err: errors.New(reason)}
}

// notStarted marks every job in todo as not started and returns nothing left
// to do.
func notStarted(out []Outcome, jobs []job, todo []int, reason string) []int {
	for _, i := range todo {
		out[i] = notStartedOutcome(jobs[i], reason)
	}
	return nil
}
