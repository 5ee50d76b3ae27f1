package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"ansatz/results"
)

// Options configure a batch of runs.
type Options struct {
	// Out is the output folder; a run writes <Out>/<name>/<run-id>/.
	Out string
	// Overrides are --set key.path=value assignments applied to every spec.
	Overrides []string
	// LogFormat is "console" or "json".
	LogFormat string
	// Verbose enables debug logging.
	Verbose bool
	// Check prints the expectation table of every run (ansatz check).
	Check bool
	// Jobs is how many runs go at once (-j); 0 or 1 runs them one by one.
	Jobs int
	// Force runs again a run that already finished (the old folder is moved
	// aside); without it such a run is skipped.
	Force bool
	// FailFast starts no new run after the first failure.
	FailFast bool
	// Logger receives progress and diagnostics.
	Logger zerolog.Logger

	// afterStep, when set, is called after every optimiser step of every
	// run (tests interrupt runs with it).
	afterStep func(step int)
}

// Version is the tool's version as recorded in the build.
func Version() string {
	v, rev, modified := results.BuildInfo()
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " (" + rev
		if modified {
			v += ", modified"
		}
		v += ")"
	}
	return v
}

// NewLogger returns a zerolog logger on w in the given format.
func NewLogger(w io.Writer, format string, verbose bool) (zerolog.Logger, error) {
	level := zerolog.InfoLevel
	if verbose {
		level = zerolog.DebugLevel
	}
	switch format {
	case "json":
		return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
	case "console", "":
		cw := zerolog.ConsoleWriter{
			Out: w, TimeFormat: time.TimeOnly, NoColor: !isTerminal(w), FormatFieldValue: consoleValue,
			// Read in this order, not alphabetically: "step=100 of=400 loss=…".
			FieldsOrder: []string{"step", "of", "loss", "rate", "eta", "train", "test", "status", "took", "dir", "spec", "run"},
		}
		return zerolog.New(cw).Level(level).With().Timestamp().Logger(), nil
	}
	return zerolog.Nop(), fmt.Errorf("--log-format must be console or json, got %q", format)
}

// consoleValue renders a field value of a console log line: numbers with a
// fraction get 4 significant digits (loss=0.005779, not
// loss=0.005778660921637011); the JSON format keeps full precision.
func consoleValue(v any) string {
	if n, ok := v.(json.Number); ok && strings.ContainsAny(string(n), ".eE") {
		if f, err := n.Float64(); err == nil {
			return strconv.FormatFloat(f, 'g', 4, 64)
		}
	}
	return fmt.Sprint(v)
}

// lockedWriter serialises writes to a writer shared by concurrent runs.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// SyncWriter returns a writer that passes each Write to w under a lock, so
// that the log lines and reports of runs going at once (-j) never
// interleave. The command wraps stderr in it before making the logger.
func SyncWriter(w io.Writer) io.Writer {
	if _, ok := w.(*lockedWriter); ok {
		return w
	}
	return &lockedWriter{w: w}
}

// isTerminal reports whether w (or the writer a SyncWriter wraps) is a
// character device (a terminal).
func isTerminal(w io.Writer) bool {
	if l, ok := w.(*lockedWriter); ok {
		w = l.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// FindSpecs expands the paths given on the command line: a file is taken as
// is, a folder contributes its *.yaml and *.yml files (not recursively) in
// name order.
func FindSpecs(paths []string) ([]string, error) {
	var specs []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("spec %s: %w", p, unwrapPathError(err))
		}
		if !st.IsDir() {
			specs = append(specs, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("reading folder %s: %w", p, err)
		}
		var found []string
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
				found = append(found, filepath.Join(p, e.Name()))
			}
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("folder %s holds no .yaml specs", p)
		}
		sort.Strings(found)
		specs = append(specs, found...)
	}
	return specs, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// List prints the registered components of one kind (or all kinds) with
// their one-line docs and options.
func List(w io.Writer, kind string) error {
	return listComponents(w, strings.TrimSpace(kind))
}
