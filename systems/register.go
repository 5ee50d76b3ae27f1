package systems

import (
	"errors"

	"ansatz/registry"
	"ansatz/spec"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.System, Name: "hamiltonian",
		Doc: "Hamiltonian system: H(q, p) as an expression; q̇ = ∂H/∂p, ṗ = −∂H/∂q derived symbolically",
		New: func() any { return &HamiltonianOptions{} },
	})
	registry.Register(registry.Module{
		Kind: registry.System, Name: "ode",
		Doc: "autonomous ODE system ẋ = f(x): one right-hand side per variable, optionally a conserved energy",
		New: func() any { return &ODEOptions{} },
	})
}

// Builder is implemented by the options of every registered system.
type Builder interface {
	// Build returns the system; its options were checked when decoded.
	Build() (System, error)
}

// HamiltonianOptions declares a Hamiltonian system in a spec.
type HamiltonianOptions struct {
	Coordinates []string           `yaml:"coordinates" spec:"required" doc:"names of the canonical coordinates q"`
	Momenta     []string           `yaml:"momenta" spec:"required" doc:"names of the conjugate momenta p, in the order of the coordinates"`
	Parameters  map[string]float64 `yaml:"parameters" doc:"named constants the expression may use"`
	Hamiltonian spec.Expr          `yaml:"hamiltonian" spec:"required" doc:"H(q, p) as an expression, e.g. p^2/(2*m) + k*q^2/2"`

	sys *Hamiltonian
}

// Validate builds the system, so that errors in the expression point at it.
func (o *HamiltonianOptions) Validate() error {
	h, err := NewHamiltonian(o.Coordinates, o.Momenta, o.Parameters, o.Hamiltonian.Text)
	if err != nil {
		return locate(err, map[string]spec.Expr{"hamiltonian": o.Hamiltonian})
	}
	o.sys = h
	return nil
}

// Build returns the Hamiltonian system.
func (o *HamiltonianOptions) Build() (System, error) {
	if o.sys == nil {
		if err := o.Validate(); err != nil {
			return nil, err
		}
	}
	return o.sys, nil
}

// ODEOptions declares an ODE system in a spec.
type ODEOptions struct {
	Variables  []string             `yaml:"variables" spec:"required" doc:"names of the state variables"`
	Parameters map[string]float64   `yaml:"parameters" doc:"named constants the expressions may use"`
	Equations  map[string]spec.Expr `yaml:"equations" spec:"required" doc:"right-hand side of each variable's equation, keyed by variable"`
	Energy     spec.Expr            `yaml:"energy" doc:"a conserved energy as an expression, used by energy analyses (optional)"`

	sys *ODE
}

// Validate builds the system, so that errors in the expressions point at them.
func (o *ODEOptions) Validate() error {
	eqs := make(map[string]string, len(o.Equations))
	where := map[string]spec.Expr{"energy": o.Energy}
	for k, e := range o.Equations {
		eqs[k] = e.Text
		where["equations."+k] = e
	}
	s, err := NewODE(o.Variables, o.Parameters, eqs, o.Energy.Text)
	if err != nil {
		return locate(err, where)
	}
	o.sys = s
	return nil
}

// Build returns the ODE system.
func (o *ODEOptions) Build() (System, error) {
	if o.sys == nil {
		if err := o.Validate(); err != nil {
			return nil, err
		}
	}
	return o.sys, nil
}

// locate turns a construction error into a spec error at the right place:
// inside the expression for expression errors, at the value for the others.
func locate(err error, exprs map[string]spec.Expr) error {
	var ee *ExprError
	if errors.As(err, &ee) {
		if e, ok := exprs[ee.Field]; ok {
			se := e.ErrorAt(ee.Err.Offset, ee.Err.Msg)
			se.Path = ee.Field
			return se
		}
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return &spec.FieldError{Field: fe.Field, Msg: fe.Msg}
	}
	return err
}
