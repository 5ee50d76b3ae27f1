package fieldtheory

import (
	"errors"
	"math/rand/v2"

	"ansatz/datasets"
	"ansatz/registry"
	"ansatz/spec"
	"ansatz/systems"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.System, Name: "field",
		Doc: "1+1-dimensional field theory on a periodic line: evolution equations u_t = f(u, u_x, u_xx, …) as expressions, optional constraint and conserved densities",
		New: func() any { return NewFieldOptions() },
	})
	registry.Register(registry.Module{
		Kind: registry.Data, Name: "field_snapshots",
		Doc: "pseudo-spectral solutions of a field system; rows are the jets at grid points of snapshots, DX = ∂_t of the jets from the equation, F = ∂_x of the jets",
		New: func() any { return NewFieldSnapshots() },
	})
}

// FieldOptions declares a field system in a spec:
//
//	system:
//	  kind: field
//	  fields: [u]
//	  domain: {length: 20, points: 256, periodic: true}
//	  equations: {u_t: "-u_xxx - 6*u*u_x"}
//	  conserved: {mass: "u", momentum: "u^2/2", energy: "u_x^2/2 - u^3"}
type FieldOptions struct {
	Fields     []string             `yaml:"fields" spec:"required" doc:"names of the fields, in order (jets are ordered field by field)"`
	Domain     Domain               `yaml:"domain" spec:"required" doc:"the periodic interval and its grid"`
	Parameters map[string]float64   `yaml:"parameters" doc:"named constants the expressions may use"`
	Equations  map[string]spec.Expr `yaml:"equations" spec:"required" doc:"time derivative of each field, keyed <field>_t, in the jets u, u_x, u_xx, … (or u_3x) and the parameters"`
	Constraint spec.Expr            `yaml:"constraint" doc:"optional c(fields) = 0 that the fields satisfy at every point, e.g. S1^2 + S2^2 + S3^2 - 1"`
	Conserved  map[string]spec.Expr `yaml:"conserved" doc:"optional conserved densities by name; their integrals over the domain are checked for drift"`

	sys *System
}

// NewFieldOptions returns the defaults: a periodic domain, nothing else.
func NewFieldOptions() *FieldOptions {
	return &FieldOptions{Domain: Domain{Periodic: true}}
}

// Validate builds the system, so that errors in the expressions point at
// them (file:line:col inside the expression).
func (o *FieldOptions) Validate() error {
	where := map[string]spec.Expr{"constraint": o.Constraint}
	eqs := make(map[string]string, len(o.Equations))
	for k, e := range o.Equations {
		eqs[k] = e.Text
		where["equations."+k] = e
	}
	cons := make(map[string]string, len(o.Conserved))
	for k, e := range o.Conserved {
		cons[k] = e.Text
		where["conserved."+k] = e
	}
	s, err := NewSystem(Definition{Fields: o.Fields, Domain: o.Domain, Parameters: o.Parameters, Equations: eqs, Constraint: o.Constraint.Text, Conserved: cons})
	if err != nil {
		var ee *ExprError
		if errors.As(err, &ee) {
			if e, ok := where[ee.Field]; ok {
				se := e.ErrorAt(ee.Err.Offset, ee.Err.Msg)
				se.Path = ee.Field
				return se
			}
		}
		return err
	}
	s.where = where
	o.sys = s
	return nil
}

// Build returns the field system.
func (o *FieldOptions) Build() (systems.System, error) {
	if o.sys == nil {
		if err := o.Validate(); err != nil {
			return nil, err
		}
	}
	return o.sys, nil
}

// Check verifies that the system is a field system, that the jets'
// derivatives stay within MaxOrder, that the initial values name the fields
// and (with a constraint) that they satisfy it, on one draw from a fixed
// stream.
func (o *FieldSnapshots) Check(sys systems.System, _ int) error {
	p, err := o.prepare(sys)
	if err != nil {
		return err
	}
	if o.Initial.Random == nil && p.sys.constraint != nil {
		if _, err := o.initial(p, rand.New(rand.NewPCG(0, 0))); err != nil {
			return err
		}
	}
	return nil
}

// Generate integrates the initial conditions and assembles the data set.
// A data-quality check above the tolerance is an error that shows every
// check's value.
func (o *FieldSnapshots) Generate(sys systems.System, _ int, rng *rand.Rand) (*datasets.Data, error) {
	s, err := fieldSystem(sys)
	if err != nil {
		return nil, err
	}
	res, err := o.Make(s, rng)
	if err != nil {
		return nil, err
	}
	return res.Data, nil
}

// Sampler returns nil: the data kind has no state sampler (rollouts of a
// field theory are not supported).
func (o *FieldSnapshots) Sampler() datasets.Sampler { return nil }

// Compile-time checks of the interfaces the runner asserts.
var (
	_ systems.Builder    = (*FieldOptions)(nil)
	_ datasets.Generator = (*FieldSnapshots)(nil)
	_ datasets.Describer = (*FieldSnapshots)(nil)
	_ systems.System     = (*System)(nil)
)
