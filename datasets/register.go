package datasets

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"gopkg.in/yaml.v3"

	"ansatz/odeint"
	"ansatz/registry"
	"ansatz/spec"
	"ansatz/systems"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Data, Name: "trajectories",
		Doc: "trajectories integrated from sampled initial conditions; inputs are noisy states, targets the exact ẋ",
		New: func() any {
			return &Trajectories{TrajectoryOptions: NewTrajectoryOptions(), Integrator: spec.Component{Kind: "dopri5"}}
		},
	})
	registry.Register(registry.Module{Kind: registry.Sampler, Name: "radius",
		Doc: "a uniformly random direction in phase space times a radius r ~ U[min, max] (Greydanus et al.)",
		New: func() any { return NewRadius() }})
	registry.Register(registry.Module{Kind: registry.Sampler, Name: "box",
		Doc: "uniform in the box [low, high] (one number for all variables or one per variable)",
		New: func() any { return NewBox() }})
	registry.Register(registry.Module{Kind: registry.Sampler, Name: "expressions",
		Doc: "one formula per variable with random draws uniform(a, b) and normal(mu, sigma); shared draws go in let",
		New: func() any { return &ExpressionsOptions{} }})
}

// Generator is implemented by the options of every registered data kind.
type Generator interface {
	// Check reports whether the data can be generated for the spec's system
	// (nil when the spec declares none), nq of whose variables are canonical
	// coordinates (0 if it has no canonical structure).
	Check(sys systems.System, nq int) error
	// Generate makes the data set.
	Generate(sys systems.System, nq int, rng *rand.Rand) (*Data, error)
	// Sampler draws initial conditions, also for evaluation rollouts; nil
	// for data kinds without one.
	Sampler() Sampler
}

// Describer is implemented by data kinds whose rows X are not the system's
// states (jets of a field, real coordinates of projective points, samples
// of a function): it names the model's inputs before any data is generated.
type Describer interface {
	Describe(sys systems.System) (Description, error)
}

// Description is what a [Describer] tells the model about its rows.
type Description struct {
	// Vars names the columns of X, the model's inputs.
	Vars []string
	// NQ is how many of Vars are canonical coordinates (0 if none).
	NQ int
	// Classes is the number of classes of labelled data (0 otherwise).
	Classes int
}

// Resampler is implemented by data kinds that can draw a fresh training set
// during training.
type Resampler interface {
	// ResampleEvery is the number of optimiser steps between fresh training
	// sets; 0 means never.
	ResampleEvery() int
	// Resample draws a fresh training set.
	Resample(sys systems.System, rng *rand.Rand) (*Set, error)
}

// flow returns sys as a dynamical system, or an error saying that data kind
// needs one.
func flow(sys systems.System, kind string) (System, error) {
	if sys == nil {
		return nil, fmt.Errorf("data kind %s needs a dynamical system (hamiltonian or ode); the spec declares none", kind)
	}
	f, ok := sys.(System)
	if !ok {
		return nil, fmt.Errorf("data kind %s needs a dynamical system (hamiltonian or ode), not a %T", kind, sys)
	}
	return f, nil
}

// Trajectories is the spec of the trajectories data kind.
type Trajectories struct {
	TrajectoryOptions `yaml:",inline"`
	Initial           spec.Component `yaml:"initial" spec:"required" doc:"initial-condition sampler: radius, box or expressions"`
	Integrator        spec.Component `yaml:"integrator" doc:"integrator of the true trajectories: dopri5, rk4, leapfrog or yoshida4"`

	sampler Sampler
	integ   odeint.Integrator
}

// Provision decodes the nested sampler and integrator.
func (t *Trajectories) Provision() spec.ErrorList {
	var errs spec.ErrorList
	if v, e := registry.Decode(registry.Sampler, &t.Initial); len(e) > 0 {
		errs = append(errs, e...)
	} else {
		t.sampler = v.(Sampler)
	}
	if v, e := registry.Decode(registry.Integrator, &t.Integrator); len(e) > 0 {
		errs = append(errs, e...)
	} else {
		t.integ = v.(odeint.Integrator)
	}
	return errs
}

// Check verifies that the system is dynamical and that the sampler and the
// integrator suit it.
func (t *Trajectories) Check(sys systems.System, nq int) error {
	if _, err := flow(sys, "trajectories"); err != nil {
		return err
	}
	if err := CheckSampler(t.sampler, sys.Variables()); err != nil {
		return &spec.Error{Pos: t.Initial.Pos, Path: t.Initial.Path, Msg: err.Error()}
	}
	if err := odeint.Prepare(t.integ, nq); err != nil {
		return &spec.Error{Pos: t.Integrator.Pos, Path: t.Integrator.Path, Msg: err.Error()}
	}
	return nil
}

// Generate integrates the trajectories of sys.
func (t *Trajectories) Generate(sys systems.System, nq int, rng *rand.Rand) (*Data, error) {
	f, err := flow(sys, "trajectories")
	if err != nil {
		return nil, err
	}
	if err := odeint.Prepare(t.integ, nq); err != nil {
		return nil, err
	}
	return Generate(f, t.sampler, t.integ, t.TrajectoryOptions, rng)
}

// Sampler returns the initial-condition sampler.
func (t *Trajectories) Sampler() Sampler { return t.sampler }

// ExpressionsOptions is the spec of the expressions sampler:
//
//	initial:
//	  kind: expressions
//	  let: {a: "uniform(0.5, 1.5)", r: "2*a"}   # evaluated in order
//	  values: {q: "r*cos(a)", p: "r*sin(a)"}   # one per state variable
type ExpressionsOptions struct {
	Let    NamedExprs `yaml:"let" doc:"named intermediate draws and formulas, evaluated in order"`
	Values NamedExprs `yaml:"values" spec:"required" doc:"one formula per state variable"`

	*Expressions
}

// NamedExprs is an ordered mapping of names to expressions.
type NamedExprs []NamedSpecExpr

// NamedSpecExpr is one entry of NamedExprs, with its source position.
type NamedSpecExpr struct {
	Name string
	Expr spec.Expr
}

// DecodeYAML reads a mapping, keeping its order.
func (n *NamedExprs) DecodeYAML(node *yaml.Node, file string) spec.ErrorList {
	if node.Kind != yaml.MappingNode {
		return spec.ErrorList{{Pos: spec.Pos{File: file, Line: node.Line, Col: node.Column}, Msg: "expected a mapping of names to expressions"}}
	}
	var errs spec.ErrorList
	*n = nil
	for i := 0; i+1 < len(node.Content); i += 2 {
		var e spec.Expr
		errs = append(errs, e.DecodeYAML(node.Content[i+1], file)...)
		*n = append(*n, NamedSpecExpr{Name: node.Content[i].Value, Expr: e})
	}
	return errs
}

// MarshalYAML writes the mapping in its order, so that the resolved spec
// (and with it the run id) carries every formula.
func (n NamedExprs) MarshalYAML() (any, error) {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, e := range n {
		m.Content = append(m.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.Name},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.Expr.Text, Style: yaml.DoubleQuotedStyle})
	}
	return m, nil
}

func (n NamedExprs) plain() []NamedExpr {
	out := make([]NamedExpr, len(n))
	for i, e := range n {
		out[i] = NamedExpr{Name: e.Name, Expr: e.Expr.Text}
	}
	return out
}

// Validate parses the formulas; errors point into them.
func (o *ExpressionsOptions) Validate() error {
	e, err := NewExpressions(o.Let.plain(), o.Values.plain())
	if err != nil {
		var ee *ExprError
		if errors.As(err, &ee) {
			list, key := o.Values, "values."+ee.Entry
			name := ee.Entry
			if l, ok := strings.CutPrefix(ee.Entry, "let "); ok {
				list, key, name = o.Let, "let."+l, l
			}
			for _, ne := range list {
				if ne.Name == name {
					se := ne.Expr.ErrorAt(ee.Offset, ee.Msg)
					se.Path = key
					return se
				}
			}
		}
		return err
	}
	o.Expressions = e
	return nil
}

// CheckSampler reports whether a sampler can draw states with these
// variables: an expressions sampler needs one formula per variable.
func CheckSampler(s Sampler, vars []string) error {
	if e, ok := s.(*ExpressionsOptions); ok {
		return e.check(vars)
	}
	return nil
}

// check verifies that there is a formula for every state variable.
func (o *ExpressionsOptions) check(vars []string) error {
	have := map[string]bool{}
	for _, v := range o.Values {
		have[v.Name] = true
	}
	var missing []string
	for _, v := range vars {
		if !have[v] {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("values: no formula for %s", strings.Join(missing, ", "))
	}
	return nil
}
