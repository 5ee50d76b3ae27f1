package runner

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/nn"
	"ansatz/results"
	"ansatz/spec"
)

// ParamsFile is the name of the file in a run folder that holds the model's
// final parameters (nn.SaveParams format); init_from reads it.
const ParamsFile = "model.params"

// initSource is where a run's initial parameters come from: the run of
// another spec (run first if it has no finished run yet) or a run folder.
type initSource struct {
	// exp is the referenced spec, resolved; nil for a run folder.
	exp *Experiment
	// dir is the run folder, for a run folder reference.
	dir string
	// id identifies the source in this run's id: the referenced run id, or
	// the folder's.
	id string
}

// resolveInitFrom resolves init_from: a spec path (relative to the spec) or a
// run folder. seen holds the specs being resolved, to report cycles.
func (r *resolver) resolveInitFrom(x *Experiment, seen []string) {
	ref := r.spec.InitFrom
	if ref == nil || x.Model == nil {
		return
	}
	fail := func(format string, args ...any) {
		r.errs = append(r.errs, &spec.Error{Pos: ref.Pos, Path: "init_from", Msg: fmt.Sprintf(format, args...)})
	}
	path := ref.Value
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(r.spec.File), path)
	}
	st, err := os.Stat(path)
	if err != nil {
		fail("%s: no such spec or run folder", ref.Value)
		return
	}
	mine := r.modelShapes(x)
	if st.IsDir() {
		params, err := readParamShapes(filepath.Join(path, ParamsFile))
		if err != nil {
			fail("%s is not a finished run folder: %v", ref.Value, err)
			return
		}
		if mine != nil && !slices.EqualFunc(params, mine, slices.Equal) {
			fail("the parameters in %s (shapes %v) do not fit this model (shapes %v)", ref.Value, params, mine)
			return
		}
		m, err := results.ReadManifest(filepath.Join(path, results.ManifestFile))
		if err != nil {
			fail("%s: %v", ref.Value, err)
			return
		}
		x.InitFrom = &initSource{dir: path, id: m.RunID}
		return
	}
	abs, _ := filepath.Abs(path)
	if slices.Contains(seen, abs) {
		fail("cycle: %s is already being resolved", ref.Value)
		return
	}
	other, err := prepare(path, nil, seen)
	if err != nil {
		fail("%s: %v", ref.Value, err)
		return
	}
	if theirs := r.modelShapes(other); mine != nil && !slices.EqualFunc(theirs, mine, slices.Equal) {
		fail("the model of %s (parameter shapes %v) does not fit this model (shapes %v)", ref.Value, theirs, mine)
		return
	}
	x.InitFrom = &initSource{exp: other, id: other.RunID}
}

// modelShapes builds an untrained model of x to list its parameter shapes.
func (r *resolver) modelShapes(x *Experiment) [][]int {
	if x.Model == nil || len(x.State.Vars) == 0 {
		return nil
	}
	m, err := x.Model.Build(x.State, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil
	}
	return shapes(m)
}

func shapes(m architectures.Model) [][]int {
	var out [][]int
	for _, p := range m.Params() {
		out = append(out, p.Shape())
	}
	return out
}

// readParamShapes reads a parameter file and returns the shapes it holds.
func readParamShapes(path string) ([][]int, error) {
	ps, err := readParams(path)
	if err != nil {
		return nil, err
	}
	out := make([][]int, len(ps))
	for i, p := range ps {
		out[i] = p.Shape()
	}
	return out, nil
}

// readParams reads a parameter file into fresh tensors.
func readParams(path string) ([]*autodiff.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return nn.ReadParams(f)
}

// initialParams returns the file with this run's initial parameters, running
// the referenced spec first when it has no finished run in the output folder.
func initialParams(ctx context.Context, src *initSource, opts Options) (string, error) {
	if src.exp == nil {
		return filepath.Join(src.dir, ParamsFile), nil
	}
	x := src.exp
	dir := results.Dir(opts.Out, x.Spec.Name, x.RunID)
	file := filepath.Join(dir, ParamsFile)
	if m, err := results.ReadManifest(filepath.Join(dir, results.ManifestFile)); err == nil && finished(m.Status) {
		if _, err := os.Stat(file); err == nil {
			return file, nil
		}
	}
	opts.Logger.Info().Str("spec", x.Spec.File).Msg("init_from: no finished run yet, running it first")
	o := runOne(ctx, x.Spec.File, Options{Out: opts.Out, LogFormat: opts.LogFormat, Logger: opts.Logger})
	if !finished(o.Status) {
		return "", fmt.Errorf("init_from %s: its run did not finish (%s): %v", x.Spec.File, o.Status, o.Err)
	}
	return file, nil
}

// finished reports whether a run trained to the end.
func finished(s results.Status) bool {
	return s == results.StatusOK || s == results.StatusExpectationFailed
}

// loadParams copies the parameters stored in file into params.
func loadParams(file string, params []*autodiff.Tensor) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("init_from: %w", err)
	}
	defer f.Close()
	if err := nn.LoadParams(f, params); err != nil {
		return fmt.Errorf("init_from %s: %w", file, err)
	}
	return nil
}

// saveParams writes the model's final parameters into the run folder.
func saveParams(run *results.Run, params []*autodiff.Tensor) error {
	return results.AtomicWrite(run.Path(ParamsFile), func(w io.Writer) error { return nn.SaveParams(w, params) })
}
