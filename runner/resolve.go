package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"

	"ansatz/analyses"
	"ansatz/architectures"
	"ansatz/datasets"
	"ansatz/losses"
	"ansatz/odeint"
	"ansatz/optim"
	"ansatz/registry"
	"ansatz/results"
	"ansatz/spec"
	"ansatz/systems"
)

// Experiment is a spec resolved into components, ready to run.
type Experiment struct {
	Spec     *spec.Spec
	System   systems.System
	State    architectures.State
	Energy   func([]float64) float64
	Data     datasets.Generator
	Model    architectures.Builder
	Losses   []weightedTerm
	Opt      optim.Optimizer
	Schedule optim.Schedule
	Rollout  odeint.Integrator
	// InitFrom is where the initial parameters come from (init_from), or nil.
	InitFrom *initSource
	// RolloutInitial samples the rollouts' initial conditions; nil means the
	// data's sampler.
	RolloutInitial datasets.Sampler
	Analyses       []namedAnalysis
	// Resolved is the spec with every default filled in, as stored in the run.
	Resolved []byte
	// RunID is a short content hash of Resolved without the description and
	// the expectations.
	RunID string
	// Point is the index of this run among the runs its spec file expands
	// to (0 for a spec without a sweep).
	Point int
	// Params are the values the sweep set for this run, in the sweep's
	// order; empty without a sweep.
	Params []results.Param
}

type weightedTerm struct {
	comp   *spec.Component
	name   string
	weight float64
	term   losses.Term
}

type namedAnalysis struct {
	kind string
	a    analyses.Analysis
}

// specError marks errors in the spec itself (exit code 2).
type specError struct{ err error }

func (e specError) Error() string { return e.err.Error() }
func (e specError) Unwrap() error { return e.err }

// isSpecError reports whether err is a spec (usage) error.
func isSpecError(err error) bool {
	var se specError
	return errors.As(err, &se)
}

// Prepare loads a spec that describes a single run (no sweep, or a sweep of
// one point), applies overrides and resolves every component. All problems
// found are returned together as a spec error. PrepareAll handles sweeps.
func Prepare(path string, overrides []string) (*Experiment, error) {
	return prepare(path, overrides, nil)
}

// PrepareAll loads a spec file, expands its sweep (spec.LoadAll) and resolves
// every point, in the order of spec.LoadAll. A point that does not resolve
// makes the whole file a spec error, naming the point and its values.
func PrepareAll(path string, overrides []string) ([]*Experiment, error) {
	specs, err := loadAll(path, overrides)
	if err != nil {
		return nil, specError{err}
	}
	abs, _ := filepath.Abs(path)
	xs := make([]*Experiment, len(specs))
	for i, s := range specs {
		x, err := resolveSpec(s, []string{abs})
		if err != nil {
			if len(specs) > 1 {
				// Still a spec error: isSpecError looks through the wrap.
				err = fmt.Errorf("sweep point %d (%s): %w", i, FormatParams(paramsOf(s)), err)
			}
			return nil, err
		}
		x.Point, x.Params = i, paramsOf(s)
		xs[i] = x
	}
	return xs, nil
}

// prepare is Prepare for a spec reached through the init_from chain seen.
func prepare(path string, overrides []string, seen []string) (*Experiment, error) {
	specs, err := loadAll(path, overrides)
	if err != nil {
		return nil, specError{err}
	}
	if len(specs) != 1 {
		return nil, specError{fmt.Errorf("%s: the sweep expands to %d runs; use ansatz run (or PrepareAll), or name a single run", path, len(specs))}
	}
	abs, _ := filepath.Abs(path)
	x, err := resolveSpec(specs[0], append(seen, abs))
	if err != nil {
		return nil, err
	}
	x.Params = paramsOf(specs[0])
	return x, nil
}

// resolveSpec resolves one loaded spec (one point of a sweep); seen holds the
// absolute paths of the specs being resolved along the init_from chain, this
// one included.
func resolveSpec(s *spec.Spec, seen []string) (*Experiment, error) {
	var err error
	r := &resolver{spec: s}
	x := r.resolve()
	if len(r.errs) == 0 {
		r.resolveInitFrom(x, seen)
	}
	if len(r.errs) > 0 {
		return nil, specError{s.Annotate(r.errs).Sorted()}
	}
	options := func(c *spec.Component) any { return c.Options }
	x.Resolved, err = spec.MarshalResolved(s, options)
	if err != nil {
		return nil, fmt.Errorf("storing the resolved spec: %w", err)
	}
	// The run id hashes what determines the numbers: the resolved spec
	// without its description and expectations, so that rewording a spec or
	// tightening a bound keeps the run where it is.
	computed := *s
	computed.Description, computed.Expect = "", nil
	id, err := spec.MarshalResolved(&computed, options)
	if err != nil {
		return nil, fmt.Errorf("hashing the resolved spec: %w", err)
	}
	if x.InitFrom != nil {
		id = append(id, "\ninit_from_run: "+x.InitFrom.id...)
	}
	sum := sha256.Sum256(id)
	x.RunID = hex.EncodeToString(sum[:6])
	return x, nil
}

type resolver struct {
	spec *spec.Spec
	errs spec.ErrorList
}

// decode resolves one component and checks that it is a T.
func decode[T any](r *resolver, kind registry.Kind, c *spec.Component) (T, bool) {
	var zero T
	v, errs := registry.Decode(kind, c)
	if len(errs) > 0 {
		r.errs = append(r.errs, errs...)
		return zero, false
	}
	t, ok := v.(T)
	if !ok {
		r.fail(c, fmt.Sprintf("%s %q cannot be used here", kind, c.Kind))
		return zero, false
	}
	if p, ok := v.(interface{ Provision() spec.ErrorList }); ok {
		if errs := p.Provision(); len(errs) > 0 {
			r.errs = append(r.errs, errs...)
			return zero, false
		}
	}
	return t, true
}

func (r *resolver) fail(c *spec.Component, msg string) {
	r.errs = append(r.errs, &spec.Error{Pos: c.Pos, Path: c.Path, Msg: msg})
}

func (r *resolver) resolve() *Experiment {
	s := r.spec
	x := &Experiment{Spec: s}
	systemOK := s.System.Kind == ""
	if !systemOK {
		if b, ok := decode[systems.Builder](r, registry.System, &s.System); ok {
			sys, err := b.Build()
			if err != nil {
				r.errs = append(r.errs, s.System.Errors(err)...)
			} else {
				systemOK = true
				x.System = sys
				x.State = architectures.State{Vars: sys.Variables()}
				if h, ok := sys.(interface{ NumCoordinates() int }); ok {
					x.State.NQ = h.NumCoordinates()
				}
				if e, ok := systems.EnergyOf(sys); ok {
					x.Energy = e.Energy
				}
			}
		}
	}
	x.Data, _ = decode[datasets.Generator](r, registry.Data, &s.Data)
	// stateOK says whether the model's inputs are known, so that the model,
	// the losses and the analyses can be checked against them.
	stateOK := false
	if systemOK && x.Data != nil {
		stateOK = r.describe(x)
	}
	x.Model, _ = decode[architectures.Builder](r, registry.Model, &s.Model)
	names := s.LossNames()
	for i := range s.Losses {
		l := &s.Losses[i]
		t, ok := decode[losses.Term](r, registry.Loss, &l.Component)
		if !ok {
			continue
		}
		x.Losses = append(x.Losses, weightedTerm{comp: &l.Component, name: names[i], weight: l.Weight, term: t})
	}
	x.Opt, _ = decode[optim.Optimizer](r, registry.Optimizer, &s.Train.Optimizer)
	x.Schedule = optim.Constant{}
	if s.Train.Schedule != nil {
		x.Schedule, _ = decode[optim.Schedule](r, registry.Schedule, s.Train.Schedule)
	}
	if ro := s.Evaluate.Rollouts; ro != nil {
		x.Rollout, _ = decode[odeint.Integrator](r, registry.Integrator, &ro.Integrator)
		if ro.Initial != nil {
			x.RolloutInitial, _ = decode[datasets.Sampler](r, registry.Sampler, ro.Initial)
		}
	}
	// Analyses say before any work whether the run will give them what they
	// need: a context with the fields set (empty), and an untrained model.
	ctx := &analyses.Context{Energy: x.Energy, System: x.System, Vars: x.State.Vars}
	if s.Evaluate.Rollouts != nil {
		ctx.Rollouts = &analyses.Rollouts{}
	}
	if stateOK && x.Model != nil {
		ctx.Model = r.checkModel(x)
	}
	for i := range s.Analyses {
		c := &s.Analyses[i]
		a, ok := decode[analyses.Analysis](r, registry.Analysis, c)
		if !ok {
			continue
		}
		if ctx.Model != nil {
			if err := a.Requires(ctx); err != nil {
				var fe *spec.FieldError
				if errors.As(err, &fe) {
					r.errs = append(r.errs, c.Errors(err)...)
				} else {
					r.fail(c, fmt.Sprintf("analysis %s %v", c.Kind, err))
				}
				continue
			}
		}
		x.Analyses = append(x.Analyses, namedAnalysis{kind: c.Kind, a: a})
	}
	if stateOK {
		if err := x.Data.Check(x.System, x.State.NQ); err != nil {
			r.errs = append(r.errs, s.Data.Errors(err)...)
		}
	}
	if _, ok := x.System.(systems.Flow); !ok && systemOK && s.Evaluate.Rollouts != nil {
		r.fail(&s.Evaluate.Rollouts.Integrator, "evaluate.rollouts needs a dynamical system (hamiltonian or ode) to integrate")
		x.Rollout = nil
	}
	if stateOK && x.RolloutInitial != nil {
		if err := datasets.CheckSampler(x.RolloutInitial, x.State.Vars); err != nil {
			r.fail(s.Evaluate.Rollouts.Initial, err.Error())
		}
	}
	if stateOK && x.Rollout != nil {
		if err := odeint.Prepare(x.Rollout, x.State.NQ); err != nil {
			r.fail(&s.Evaluate.Rollouts.Integrator, err.Error())
		}
	}
	return x
}

// describe sets the model's inputs from the data kind when it describes
// them (jets, real coordinates, samples), and reports whether they are known.
func (r *resolver) describe(x *Experiment) bool {
	s := r.spec
	d, ok := x.Data.(datasets.Describer)
	if !ok {
		if x.System == nil {
			r.fail(&s.Data, fmt.Sprintf("data kind %s needs a system: add system: to the spec", s.Data.Kind))
			return false
		}
		x.State.System = x.System
		return true
	}
	desc, err := d.Describe(x.System)
	if err != nil {
		r.errs = append(r.errs, s.Data.Errors(err)...)
		return false
	}
	x.State = architectures.State{Vars: desc.Vars, NQ: desc.NQ, Classes: desc.Classes, System: x.System}
	return true
}

// checkModel builds the model once (with a throwaway seed) to find
// mismatches between the model, the system and the loss terms before any
// work, and returns it (nil if it cannot be built).
func (r *resolver) checkModel(x *Experiment) architectures.Model {
	m, err := x.Model.Build(x.State, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		r.errs = append(r.errs, r.spec.Model.Errors(err)...)
		return nil
	}
	_, vf := m.(architectures.VectorField)
	_, fs := m.(architectures.Fields)
	if !vf && !fs && r.spec.Evaluate.Rollouts != nil {
		r.fail(&r.spec.Model, fmt.Sprintf("model %s does not predict ẋ, so evaluate.rollouts cannot integrate it; remove evaluate.rollouts", r.spec.Model.Kind))
	}
	for _, l := range x.Losses {
		if err := l.term.Accepts(m); err != nil {
			r.errs = append(r.errs, l.comp.Errors(err)...)
		}
	}
	return m
}
