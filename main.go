// Command ansatz runs physics-informed machine-learning experiments declared in
// YAML: a physical system given by its equations, the data to generate from it,
// a network, the loss terms, training, analyses and expected results.
//
//	ansatz run SPEC|DIR ... [--set key.path=value ...] [--out runs]
//	ansatz check SPEC|DIR ...      run, then compare with each spec's expect:
//	ansatz validate SPEC|DIR ...   parse and resolve only
//	ansatz list [KIND]             registered components and their options
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
	"syscall"

	"ansatz/gemm"
	"ansatz/runner"
)

// Exit codes of the ansatz command.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	usageHeader = `ansatz runs physics-informed machine-learning experiments declared in YAML.

Usage:
  ansatz run SPEC|DIR ...       run experiments, write results under --out
  ansatz check SPEC|DIR ...     run, then compare final metrics with each spec's expect:
  ansatz validate SPEC|DIR ...  parse and resolve specs without running them
  ansatz list [KIND]            list registered components and their options
  ansatz --version

Flags (run, check, validate):
`
)

func main() {
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
	case "run", "check", "validate":
	default:
		fmt.Fprintf(stderr, "ansatz: unknown command %q%s; see ansatz --help\n", args[0], suggestCommand(args[0]))
		return exitUsage
	}

	cmd := args[0]
	var opts runner.Options
	fs := newFlags(stderr, &opts)
	paths, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(paths) == 0 {
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
	specs, err := runner.FindSpecs(paths)
	if err != nil {
		fmt.Fprintf(stderr, "ansatz %s: %v\n", cmd, err)
		return exitUsage
	}
	switch cmd {
	case "validate":
		return runner.ExitCode(runner.ValidateAll(stdout, stderr, specs, opts))
	case "check":
		opts.Check = true
	}
	if err := checkOut(opts.Out); err != nil {
		fmt.Fprintf(stderr, "ansatz %s: %v\n", cmd, err)
		return exitUsage
	}
	return runner.ExitCode(runner.RunAll(ctx, stdout, stderr, specs, opts))
}

// newFlags declares the flags shared by run, check and validate.
func newFlags(out io.Writer, opts *runner.Options) *flag.FlagSet {
	fs := flag.NewFlagSet("ansatz", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Var((*stringList)(&opts.Overrides), "set", "override a spec value: `key.path=value` (repeatable)")
	fs.StringVar(&opts.Out, "out", "runs", "output `folder`; each run writes <out>/<name>/<run-id>/")
	fs.StringVar(&opts.LogFormat, "log-format", "console", "log format on stderr: console or json")
	fs.BoolVar(&opts.Verbose, "v", false, "verbose (debug) logging")
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
	if s := suggest.Key(cmd, []string{"run", "check", "validate", "list"}); s != "" {
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
