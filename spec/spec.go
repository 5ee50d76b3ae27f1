package spec

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"ansatz/suggest"

	"gopkg.in/yaml.v3"
)

// Spec is one experiment file. Every field below is set from the YAML key in
// its tag; NewSpec gives the defaults. Components (system, data, model,
// losses, optimizer, …) keep their options as YAML nodes until the registry
// decodes them.
type Spec struct {
	// Name names the output folder: lower-case letters, digits, '_' and '-'.
	Name string `yaml:"name" spec:"required" doc:"experiment name, [a-z0-9_-]+; names the output folder"`
	// Description is free text.
	Description string `yaml:"description" doc:"free text"`
	// Seed seeds all randomness of the run.
	Seed uint64 `yaml:"seed" doc:"seed of all randomness in the run"`
	// InitFrom names a spec (a path relative to this file) or a run folder
	// whose final parameters start this run.
	InitFrom *Ref `yaml:"init_from" doc:"start from the final parameters of another spec's run (path relative to this file) or of a run folder"`
	// System is the physical system (registry kind "system"); its Kind is
	// empty when the spec declares none (data kinds that describe their own
	// variables, such as samples of a function, need none).
	System Component `yaml:"system" doc:"the physical system (optional for data kinds that declare their own variables)"`
	// Data generates the data set (registry kind "data").
	Data Component `yaml:"data" spec:"required" doc:"the data generator"`
	// Model is the network (registry kind "model").
	Model Component `yaml:"model" spec:"required" doc:"the network"`
	// Losses are the weighted loss terms (registry kind "loss").
	Losses []Loss `yaml:"losses" spec:"required" doc:"weighted loss terms"`
	// Train says how to train.
	Train Train `yaml:"train" spec:"required" doc:"training settings"`
	// Evaluate says how to evaluate the trained model.
	Evaluate Evaluate `yaml:"evaluate" doc:"evaluation after training"`
	// Analyses run after training (registry kind "analysis").
	Analyses []Component `yaml:"analyses" doc:"analyses run after training"`
	// Expect holds the bounds that `ansatz check` enforces, in file order.
	Expect Expectations `yaml:"expect" doc:"bounds on final metrics"`

	// File is the path the spec was read from (not from YAML).
	File string `yaml:"-"`
	// Source is the file's content, for error snippets.
	Source []byte `yaml:"-"`
	// Overrides are the --set overrides applied, in order.
	Overrides []string `yaml:"-"`
	// Extends lists the files this spec extends (see LoadAll), in the order
	// they were read: its own extends: first, depth first.
	Extends []string `yaml:"-"`
	// Params are the values this spec's sweep point set (swept key as
	// written, decoded value), in the sweep's order; empty without a sweep.
	Params []Param `yaml:"-"`

	// sources are the files of the extends chain, sources[0] the spec's
	// own; positions in the others carry shifted lines (see Position).
	sources []source
	// sweepPos is the position of the sweep: key, if any.
	sweepPos Pos
}

// NewSpec returns a Spec holding the defaults.
func NewSpec() *Spec {
	s := &Spec{}
	s.SetDefaults()
	return s
}

// SetDefaults sets every field to its default.
func (s *Spec) SetDefaults() {
	*s = Spec{}
	s.Train.SetDefaults()
}

var namePattern = regexp.MustCompile(`^[a-z0-9_-]+$`)

// Validate checks the name pattern and that train.select names a metric
// the training logs.
func (s *Spec) Validate() error {
	if !namePattern.MatchString(s.Name) {
		return FieldErrorf("name", "must match [a-z0-9_-]+ (lower-case letters, digits, _ and -), got %q", s.Name)
	}
	if sel := s.Train.Select; sel != "" {
		names := s.LossMetrics()
		if !slices.Contains(names, sel) {
			return FieldErrorf("train.select", "%q is not a metric the training logs (%s)%s", sel, strings.Join(names, ", "), suggest.NameHint(sel, names))
		}
	}
	return nil
}

// LossNames are the names the losses are logged under: each term's kind,
// with _2, _3, … for repeated kinds, in spec order.
func (s *Spec) LossNames() []string {
	seen := map[string]int{}
	out := make([]string, len(s.Losses))
	for i, l := range s.Losses {
		out[i] = l.Kind
		if seen[l.Kind]++; seen[l.Kind] > 1 {
			out[i] = fmt.Sprintf("%s_%d", l.Kind, seen[l.Kind])
		}
	}
	return out
}

// LossMetrics are the metrics evaluations log on both splits: the total
// loss and every term's.
func (s *Spec) LossMetrics() []string {
	var out []string
	for _, split := range []string{"train", "test"} {
		out = append(out, split+".loss")
		for _, n := range s.LossNames() {
			out = append(out, split+".loss."+n)
		}
	}
	return out
}

// Components lists every component of the spec with its registry kind name
// ("system", "data", "model", "loss", "optimizer", "schedule", "integrator",
// "analysis"), in file order. Components nested in other components' options
// are not included: their owners decode them.
func (s *Spec) Components() []KindComponent {
	var out []KindComponent
	if s.System.Kind != "" {
		out = append(out, KindComponent{"system", &s.System})
	}
	out = append(out, KindComponent{"data", &s.Data}, KindComponent{"model", &s.Model})
	for i := range s.Losses {
		out = append(out, KindComponent{"loss", &s.Losses[i].Component})
	}
	out = append(out, KindComponent{"optimizer", &s.Train.Optimizer})
	if s.Train.Schedule != nil {
		out = append(out, KindComponent{"schedule", s.Train.Schedule})
	}
	if r := s.Evaluate.Rollouts; r != nil {
		out = append(out, KindComponent{"integrator", &r.Integrator})
	}
	for i := range s.Analyses {
		out = append(out, KindComponent{"analysis", &s.Analyses[i]})
	}
	return out
}

// KindComponent is a component of a spec with the registry kind it belongs to.
type KindComponent struct {
	Kind      string
	Component *Component
}

// Annotate completes errors about this spec: it fills in source snippets
// and block-scalar columns (ErrorList.WithSource), maps positions in files
// of the extends chain to those files (see Position), maps positions inside
// --set override values to the override that produced them, and names the
// spec's file in errors without one (about defaults). Call it on the errors
// of registry decoding too, before showing them.
func (s *Spec) Annotate(errs ErrorList) ErrorList {
	for _, e := range errs {
		switch {
		case e == nil:
		case e.Pos.File == s.File && e.Pos.Line >= lineStride:
			e.Pos = s.Position(e.Pos)
		case e.Pos.Line < 0 && -e.Pos.Line <= len(s.Overrides):
			e.Pos = Pos{File: "--set " + s.Overrides[-e.Pos.Line-1]}
		case e.Pos.File == "":
			// Errors in defaults (a component nobody wrote) belong to the spec.
			e.Pos.File = s.File
		}
	}
	errs = errs.WithSource(s.File, s.Source)
	for _, src := range s.sources[min(1, len(s.sources)):] {
		errs = errs.WithSource(src.file, src.data)
	}
	return errs
}

// Train says how to train.
type Train struct {
	Optimizer Component  `yaml:"optimizer" doc:"optimizer component; default {kind: adam}"`
	Schedule  *Component `yaml:"schedule" doc:"learning-rate schedule component (optional)"`
	Steps     int        `yaml:"steps" spec:"required,>=0" doc:"number of optimisation steps (0: a model fitted without gradients, or evaluation only)"`
	Batch     Batch      `yaml:"batch" doc:"batch size: full or a positive integer"`
	EvalEvery int        `yaml:"eval_every" spec:">0" doc:"evaluate on the test split every N steps"`
	LogEvery  int        `yaml:"log_every" spec:">=0" doc:"log every N steps; 0 = automatic"`
	GradClip  float64    `yaml:"grad_clip" spec:">=0" doc:"clip the gradient norm to this value; 0 = off"`
	Restarts  int        `yaml:"restarts,omitempty" spec:">=0" doc:"train this many times from different seeds and keep the best by select; 0 or 1 = once"`
	Select    string     `yaml:"select,omitempty" doc:"the final metric that picks the best restart, lowest wins (default test.loss, or train.loss without a test split)"`
	Polish    *Polish    `yaml:"polish,omitempty" doc:"L-BFGS on the full training loss after the optimiser steps (optional)"`
}

// Polish asks for L-BFGS iterations (gonum/optimize) on the full training
// loss after the first-order optimiser: the last digits that Adam's noise
// floor keeps out of reach.
type Polish struct {
	Steps int `yaml:"steps" spec:"required,>0" doc:"the largest number of L-BFGS iterations"`
	// GradTol stops the iterations when the gradient's infinity norm falls
	// below it.
	GradTol float64 `yaml:"grad_tol" spec:">=0" doc:"stop when the gradient's largest component is below this; 0 = only the iteration limit and convergence in the loss"`
}

// SetDefaults sets the training defaults: adam, full batch, eval every 100.
func (t *Train) SetDefaults() {
	*t = Train{
		Optimizer: Component{Kind: "adam"},
		Batch:     FullBatch,
		EvalEvery: 100,
	}
}

// Batch is a batch size; FullBatch (0) means the whole training set. In YAML
// it is `full` or a positive integer.
type Batch int

// FullBatch means one batch holding the whole training set.
const FullBatch Batch = 0

// IsFull reports whether b means the whole training set.
func (b Batch) IsFull() bool { return b == FullBatch }

// Size returns the batch size for a training set of n samples.
func (b Batch) Size(n int) int {
	if b.IsFull() || int(b) > n {
		return n
	}
	return int(b)
}

// String returns "full" or the size.
func (b Batch) String() string {
	if b.IsFull() {
		return "full"
	}
	return strconv.Itoa(int(b))
}

// DecodeYAML accepts `full` or a positive integer.
func (b *Batch) DecodeYAML(n *yaml.Node, file string) ErrorList {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Value == "full" {
		*b = FullBatch
		return nil
	}
	var size int
	errs := Decode(n, &size, "", file)
	if len(errs) > 0 || size <= 0 {
		e := &Error{Pos: Pos{File: file, Line: n.Line, Col: n.Column}, Msg: "expected full or a positive integer, got " + describe(n)}
		if n.ShortTag() == "!!str" {
			e.Hint = suggest.Key(n.Value, []string{"full"})
		}
		return ErrorList{e}
	}
	*b = Batch(size)
	return nil
}

// MarshalYAML writes `full` or the size.
func (b Batch) MarshalYAML() (any, error) {
	if b.IsFull() {
		return "full", nil
	}
	return int(b), nil
}

// Evaluate says how to evaluate the trained model.
type Evaluate struct {
	Rollouts *Rollouts `yaml:"rollouts" doc:"roll out the learned dynamics from test initial conditions"`
}

// Rollouts integrates the learned dynamics and the true dynamics from the
// same initial conditions (fresh draws from the data's sampler unless Initial
// names another sampler) and compares them.
type Rollouts struct {
	Count      int        `yaml:"count" spec:">0" doc:"number of trajectories"`
	T          TimeGrid   `yaml:"t" spec:"required" doc:"time grid of each rollout"`
	Integrator Component  `yaml:"integrator" doc:"integrator component; default {kind: dopri5}"`
	Initial    *Component `yaml:"initial" doc:"sampler of the initial conditions (e.g. {kind: expressions, values: {q: 1, p: 0}}); default: fresh draws from the data's sampler"`
}

// SetDefaults sets 10 rollouts integrated with dopri5.
func (r *Rollouts) SetDefaults() {
	*r = Rollouts{Count: 10, Integrator: Component{Kind: "dopri5"}}
}

// TimeGrid is an evenly spaced time grid from Start to Stop inclusive.
type TimeGrid struct {
	Start  float64 `yaml:"start" doc:"first time"`
	Stop   float64 `yaml:"stop" spec:"required" doc:"last time"`
	Points int     `yaml:"points" spec:"required" doc:"number of times, ≥ 2, ends included"`
}

// Validate checks stop > start and points ≥ 2.
func (g *TimeGrid) Validate() error {
	var errs []error
	if !(g.Stop > g.Start) {
		errs = append(errs, FieldErrorf("stop", "must be greater than start (%s), got %s", formatFloat(g.Start), formatFloat(g.Stop)))
	}
	if g.Points < 2 {
		errs = append(errs, FieldErrorf("points", "must be ≥ 2, got %d", g.Points))
	}
	return errors.Join(errs...)
}

// Times returns the grid's times; the first is Start and the last is Stop
// exactly.
func (g TimeGrid) Times() []float64 {
	if g.Points < 2 {
		return nil
	}
	ts := make([]float64, g.Points)
	step := (g.Stop - g.Start) / float64(g.Points-1)
	for i := range ts {
		ts[i] = g.Start + float64(i)*step
	}
	ts[len(ts)-1] = g.Stop
	return ts
}

// Dt returns the spacing of the grid.
func (g TimeGrid) Dt() float64 {
	if g.Points < 2 {
		return 0
	}
	return (g.Stop - g.Start) / float64(g.Points-1)
}

// String renders the grid as start:stop:points.
func (g TimeGrid) String() string {
	return fmt.Sprintf("%s..%s (%d points)", formatFloat(g.Start), formatFloat(g.Stop), g.Points)
}
