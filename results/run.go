package results

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// File names inside a run folder.
const (
	ManifestFile     = "manifest.json"
	SpecFile         = "spec.yaml"
	MetricsFile      = "metrics.parquet"
	TrajectoriesFile = "trajectories.parquet"
	AnalysisFile     = "analysis.parquet"
)

// Run is the output folder of one run, <out>/<name>/<run-id>/.
type Run struct {
	// Dir is the run folder.
	Dir string
	// Name is the spec name, the middle path element.
	Name string
	// RunID identifies the run; it fills the run_id column of every table.
	RunID string
}

// Dir returns the folder of a run: <outDir>/<name>/<runID>.
func Dir(outDir, name, runID string) string {
	return filepath.Join(outDir, name, runID)
}

// Create makes the run folder <outDir>/<name>/<runID>/ (and its parents) and
// checks that a file can be created in it, so that a run does not train for an
// hour before finding out it cannot save anything. Name and runID must each be
// a single path element.
func Create(outDir, name, runID string) (*Run, error) {
	if err := checkElement("run name", name); err != nil {
		return nil, err
	}
	if err := checkElement("run id", runID); err != nil {
		return nil, err
	}
	dir := Dir(outDir, name, runID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder %s is not writable: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".probe-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("output folder %s is not writable: %w", dir, err)
	}
	closeErr := probe.Close()
	removeErr := os.Remove(probe.Name())
	if err := errors.Join(closeErr, removeErr); err != nil {
		return nil, fmt.Errorf("output folder %s is not writable: %w", dir, err)
	}
	return &Run{Dir: dir, Name: name, RunID: runID}, nil
}

// checkElement rejects names that would not make exactly one folder level
// below the output folder.
func checkElement(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is empty", what)
	case s == "." || s == "..":
		return fmt.Errorf("%s %q is not a valid folder name", what, s)
	case strings.ContainsAny(s, `/\`+"\x00"):
		return fmt.Errorf("%s %q contains a path separator or NUL", what, s)
	}
	return nil
}

// Path returns the path of a file in the run folder, for example
// r.Path(MetricsFile).
func (r *Run) Path(file string) string {
	return filepath.Join(r.Dir, file)
}

// Remove deletes the run folder and everything in it. The caller uses it when a
// run fails before writing anything worth keeping. The <out>/<name> folder is
// left in place, since other runs of the same spec may be using it.
func (r *Run) Remove() error {
	if err := os.RemoveAll(r.Dir); err != nil {
		return fmt.Errorf("remove run folder %s: %w", r.Dir, err)
	}
	return nil
}

// WriteSpec writes the resolved spec to spec.yaml, atomically.
func (r *Run) WriteSpec(yaml []byte) error {
	return AtomicWrite(r.Path(SpecFile), func(w io.Writer) error {
		_, err := w.Write(yaml)
		return err
	})
}
