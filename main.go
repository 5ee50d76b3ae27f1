// Command ansatz runs physics-informed machine-learning experiments declared in
// YAML: a physical system given by its equations, the data to generate from it,
// a network, the loss terms, training, analyses and expected results.
//
//	ansatz run SPEC|DIR ... [--set key.path=value ...] [--out runs] [-j N] [--force] [--fail-fast]
//	ansatz run --plan plan.jsonl [--index N] [--out runs]
//	ansatz check SPEC|DIR ...      run, then compare with each spec's expect:
//	ansatz validate SPEC|DIR ...   parse and resolve only
//	ansatz plan SPEC|DIR ...       print the runs as JSON lines (plan.jsonl)
//	ansatz emit slurm|k8s --plan plan.jsonl
//	                               print an sbatch array script / an Indexed Job
//	ansatz list [KIND]             registered components and their options
//	ansatz runs [DIR]              write DIR/index.parquet (default runs), one row per run
//	ansatz compare RUN...          the spec keys that differ and the final metrics, side by side
//	ansatz schema                  print a JSON Schema of the spec format (for editors)
//
// A spec with a sweep: expands into several runs, each with its own run id.
// A run that already finished is skipped (--force runs it again); an
// interrupted or killed run resumes from its last checkpoint.
//
// Exit codes: 0 success; 1 a run failed, was interrupted or an expectation was
// not met; 2 bad usage or a bad spec.
//
// Ctrl-C (or SIGTERM) stops a run cleanly: the tables computed so far are
// written and manifest.json records status "interrupted" and the step; a
// second Ctrl-C ends the process at once. Every file is written under a
// temporary name and renamed, so even a killed run leaves no truncated file.
package main

import (
	"ansatz/suggest"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"ansatz/gemm"
	"ansatz/index"
	_ "ansatz/modules" // every component kind
	"ansatz/runner"
)

// Exit codes of the ansatz command.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	usageHeader = `ansatz runs physics-informed machine-learning experiments declared in YAML.

Usage:
  ansatz run SPEC|DIR ...       run experiments (every point of a sweep), write results under --out;
                                finished runs are skipped, interrupted ones resume
  ansatz run --plan FILE        run one entry of a plan (--index N, $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)
  ansatz check SPEC|DIR ...     run, then compare final metrics with each spec's expect:
  ansatz validate SPEC|DIR ...  parse and resolve specs without running them
  ansatz plan SPEC|DIR ...      print the runs, one JSON object per line (> plan.jsonl)
  ansatz emit slurm|k8s --plan FILE
                                print an sbatch job-array script or a Kubernetes Indexed Job
  ansatz list [KIND]            list registered components and their options
  ansatz runs [DIR]             write DIR/index.parquet (default runs): one row per run, swept
                                parameters and final metrics as typed columns
  ansatz compare RUN...         print the spec keys that differ and the final metrics side by side
  ansatz schema                 print a JSON Schema of the spec format (for yaml-language-server)
  ansatz --version

Flags (run, check, validate, plan):
`
)

// gcPercent is the garbage collector's target when $GOGC is not set. A
// training step allocates many short-lived tensors over a small live heap,
// so the default (100) collects very often: 400 took 25–30% less CPU time
// on a sweep of small runs, and 1000 let two concurrent runs (-j 2) scale
// 1.6–1.9× instead of 1.5× (8 runs of testdata/sweep/seeds.yaml). The heap
// may then grow to about 11× the live data, which is small for the networks
// here. Set GOGC to choose otherwise.
const gcPercent = 1000

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first Ctrl-C stops the run cleanly (its results are kept);
		// restoring the default handling lets a second one end the process
		// at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// stringList is a repeatable string flag (--set a=b --set c=d).
type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// run is main without the process: it parses args, dispatches the subcommand
// and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// Runs going at once (-j) share stderr.
	stderr = runner.SyncWriter(stderr)
	if len(args) == 0 {
		fmt.Fprint(stderr, usageHeader)
		newFlags(stderr, &runner.Options{}).PrintDefaults()
		return exitUsage
	}
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, "ansatz", runner.Version())
		return exitOK
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usageHeader)
		newFlags(stdout, &runner.Options{}).PrintDefaults()
		return exitOK
	case "list":
		kind := ""
		if len(args) > 2 {
			fmt.Fprintln(stderr, "ansatz list: at most one KIND")
			return exitUsage
		}
		if len(args) == 2 {
			kind = args[1]
		}
		if err := runner.List(stdout, kind); err != nil {
			fmt.Fprintln(stderr, "ansatz list:", err)
			return exitUsage
		}
		return exitOK
	case "emit":
		return emit(args[1:], stdout, stderr)
	case "schema":
		if len(args) > 1 {
			fmt.Fprintln(stderr, "ansatz schema: no arguments (ansatz schema > ansatz.schema.json)")
			return exitUsage
		}
		if err := runner.Schema(stdout); err != nil {
			fmt.Fprintln(stderr, "ansatz schema:", err)
			return exitFailed
		}
		return exitOK
	case "runs":
		if len(args) > 2 {
			fmt.Fprintln(stderr, "ansatz runs: at most one folder")
			return exitUsage
		}
		out := "runs"
		if len(args) == 2 {
			out = args[1]
		}
		path, err := index.Build(out)
		if err != nil {
			fmt.Fprintln(stderr, "ansatz runs:", err)
			return exitFailed
		}
		fmt.Fprintln(stdout, path)
		return exitOK
	case "compare":
		if len(args) < 2 {
			fmt.Fprintln(stderr, "ansatz compare: give run folders (runs/<name>/<run-id>)")
			return exitUsage
		}
		if err := index.Compare(stdout, args[1:]); err != nil {
			fmt.Fprintln(stderr, "ansatz compare:", err)
			return exitFailed
		}
		return exitOK
	case "run", "check", "validate", "plan":
	default:
		fmt.Fprintf(stderr, "ansatz: unknown command %q%s; see ansatz --help\n", args[0], suggestCommand(args[0]))
		return exitUsage
	}

	cmd := args[0]
	var opts runner.Options
	fs := newFlags(stderr, &opts)
	var planFile, index string
	fs.StringVar(&planFile, "plan", "", "run one entry of this plan `file` (from ansatz plan) instead of specs")
	fs.StringVar(&index, "index", "", "the plan entry to run, from 0 (default $"+runner.EnvSlurmIndex+", then $"+runner.EnvK8sIndex+")")
	paths, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if planFile != "" || index != "" {
		if cmd != "run" && cmd != "check" {
			fmt.Fprintf(stderr, "ansatz %s: --plan and --index belong to ansatz run\n", cmd)
			return exitUsage
		}
		if planFile == "" || len(paths) > 0 {
			fmt.Fprintf(stderr, "ansatz %s: give either specs or --plan FILE (with --index)\n", cmd)
			return exitUsage
		}
	}
	if opts.Jobs < 0 {
		fmt.Fprintf(stderr, "ansatz %s: -j must be ≥ 1, got %d\n", cmd, opts.Jobs)
		return exitUsage
	}
	if len(paths) == 0 && planFile == "" {
		fmt.Fprintf(stderr, "ansatz %s: no spec given (a YAML file or a folder of them)\n", cmd)
		return exitUsage
	}
	log, err := runner.NewLogger(stderr, opts.LogFormat, opts.Verbose)
	if err != nil {
		fmt.Fprintf(stderr, "ansatz %s: %v\n", cmd, err)
		return exitUsage
	}
	opts.Logger = log
	// Matrix products go through blas64; install the fastest kernel this
	// machine and build have.
	gemm.Use()
	log.Debug().Str("kernel", gemm.Kernel()).Msg("matrix multiply")
	if cmd == "check" {
		opts.Check = true
	}
	if planFile != "" {
		return runPlanEntry(ctx, stdout, stderr, cmd, planFile, index, opts)
	}
	specs, err := runner.FindSpecs(paths)
	if err != nil {
		fmt.Fprintf(stderr, "ansatz %s: %v\n", cmd, err)
		return exitUsage
	}
	switch cmd {
	case "validate":
		return runner.ExitCode(runner.ValidateAll(stdout, stderr, specs, opts))
	case "plan":
		plan, err := runner.Plan(specs, opts.Overrides)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
		if err := runner.WritePlan(stdout, plan); err != nil {
			fmt.Fprintf(stderr, "ansatz plan: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	if err := checkOut(opts.Out); err != nil {
		fmt.Fprintf(stderr, "ansatz %s: %v\n", cmd, err)
		return exitUsage
	}
	return runner.ExitCode(runner.RunAll(ctx, stdout, stderr, specs, opts))
}

// runPlanEntry runs the entry of a plan file that --index or the job array's
// environment names.
func runPlanEntry(ctx context.Context, stdout, stderr io.Writer, cmd, planFile, index string, opts runner.Options) int {
	plan, err := runner.ReadPlan(planFile)
	if err != nil {
		fmt.Fprintf(stderr, "ansatz %s: %v\n", cmd, err)
		return exitUsage
	}
	i, err := runner.PlanIndex(index, os.Getenv, len(plan))
	if err != nil {
		fmt.Fprintf(stderr, "ansatz %s --plan %s: %v\n", cmd, planFile, err)
		return exitUsage
	}
	if err := checkOut(opts.Out); err != nil {
		fmt.Fprintf(stderr, "ansatz %s: %v\n", cmd, err)
		return exitUsage
	}
	return runner.ExitCode(runner.RunPlan(ctx, stdout, stderr, plan[i], opts))
}

// emit prints the job file of a plan for a cluster scheduler.
func emit(args []string, stdout, stderr io.Writer) int {
	var o runner.EmitOptions
	fs := flag.NewFlagSet("ansatz emit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Plan, "plan", "", "the plan `file` (ansatz plan SPEC... > plan.jsonl), as the jobs see it from their working folder")
	fs.StringVar(&o.Out, "out", "runs", "output `folder` of the runs")
	fs.StringVar(&o.Name, "name", "ansatz", "job `name`")
	fs.IntVar(&o.Parallelism, "parallelism", 0, "at most `N` runs at once (0: Slurm unbounded, Kubernetes all)")
	fs.StringVar(&o.Bin, "bin", "ansatz", "the ansatz `command` the jobs start")
	fs.StringVar(&o.Workdir, "workdir", "", "working `folder` of the jobs (Slurm --chdir; Kubernetes default /work)")
	fs.StringVar(&o.Image, "image", "ansatz:latest", "container `image` (k8s)")
	fs.StringVar(&o.Claim, "claim", "ansatz-work", "PersistentVolumeClaim `name` mounted at the working folder (k8s)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) != 1 || (pos[0] != "slurm" && pos[0] != "k8s" && pos[0] != "kubernetes") {
		fmt.Fprintln(stderr, "ansatz emit: say slurm or k8s: ansatz emit slurm|k8s --plan plan.jsonl")
		return exitUsage
	}
	if o.Plan == "" {
		fmt.Fprintln(stderr, "ansatz emit: --plan is required (ansatz plan SPEC... > plan.jsonl)")
		return exitUsage
	}
	plan, err := runner.ReadPlan(o.Plan)
	if err != nil {
		fmt.Fprintf(stderr, "ansatz emit: %v\n", err)
		return exitUsage
	}
	if pos[0] == "slurm" {
		err = runner.EmitSlurm(stdout, len(plan), o)
	} else {
		err = runner.EmitKubernetes(stdout, len(plan), o)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ansatz emit: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// newFlags declares the flags shared by run, check and validate.
func newFlags(out io.Writer, opts *runner.Options) *flag.FlagSet {
	fs := flag.NewFlagSet("ansatz", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Var((*stringList)(&opts.Overrides), "set", "override a spec value: `key.path=value` (repeatable)")
	fs.StringVar(&opts.Out, "out", "runs", "output `folder`; each run writes <out>/<name>/<run-id>/")
	fs.StringVar(&opts.LogFormat, "log-format", "console", "log format on stderr: console or json")
	fs.BoolVar(&opts.Verbose, "v", false, "verbose (debug) logging")
	fs.IntVar(&opts.Jobs, "j", 1, "run up to `N` runs at once")
	fs.BoolVar(&opts.Force, "force", false, "run again runs that already finished (the old folder is moved aside)")
	fs.BoolVar(&opts.FailFast, "fail-fast", false, "start no new run after the first failure")
	return fs
}

// parseInterspersed parses flags that may appear before, between or after the
// positional arguments, and returns the positional ones in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// suggestCommand returns a "did you mean" hint for a mistyped subcommand.
func suggestCommand(cmd string) string {
	if s := suggest.Key(cmd, []string{"run", "check", "validate", "plan", "emit", "list", "runs", "compare", "schema"}); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// checkOut rejects an --out that cannot be a folder before anything runs. A
// folder that does not exist yet is fine: the first run creates it.
func checkOut(out string) error {
	if out == "" {
		return errors.New("--out is empty; give a folder, e.g. --out runs")
	}
	st, err := os.Stat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("--out %s cannot be used as the output folder: %w", out, err)
	case !st.IsDir():
		return fmt.Errorf("--out %s is a file, not a folder", out)
	}
	return nil
}
