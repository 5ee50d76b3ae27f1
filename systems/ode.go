package systems

import (
	"ansatz/suggest"
	"fmt"
	"math"
	"slices"

	"ansatz/symbolic"
)

// ODE is an autonomous system ẋ = f(x) given by one expression per variable,
// optionally with a conserved energy.
type ODE struct {
	sys    compiled
	energy symbolic.Func // nil without an energy expression
}

// NewODE builds the system whose equations map each variable to the
// expression of its time derivative; energy is an optional conserved
// quantity ("" if none). Parameters are substituted as constants.
//
// Errors: a *FieldError for empty, invalid or duplicate variables, for a
// parameter named like a variable or with a non-finite value, for a key of
// equations that is not a variable (Field "equations.<key>", with a "did you
// mean" hint) and for a variable without an equation (Field "equations");
// an *ExprError with Field "equations.<variable>" or "energy" for an
// expression.
func NewODE(variables []string, parameters map[string]float64, equations map[string]string, energy string) (*ODE, error) {
	if err := checkVariables(namedList{"variables", variables}); err != nil {
		return nil, err
	}
	paramNames, err := checkParameters(parameters, variables)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(equations))
	for k := range equations {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(variables, k) {
			hint := ""
			if s := suggest.Name(k, variables); s != "" {
				hint = "; did you mean " + s + "?"
			}
			return nil, fieldErrorf("equations."+k, "%s is not a variable%s", k, hint)
		}
	}
	vars := slices.Clone(variables)
	field := make([]symbolic.Node, len(vars))
	for i, v := range vars {
		src, ok := equations[v]
		if !ok {
			return nil, fieldErrorf("equations", "no equation for variable %s", v)
		}
		if field[i], err = parseExpr("equations."+v, src, vars, paramNames, parameters); err != nil {
			return nil, err
		}
	}
	sys, err := compileSystem(vars, field)
	if err != nil {
		return nil, fmt.Errorf("equations: %w", err)
	}
	o := &ODE{sys: sys}
	if energy != "" {
		e, err := parseExpr("energy", energy, vars, paramNames, parameters)
		if err != nil {
			return nil, err
		}
		if o.energy, err = symbolic.Compile(e, vars); err != nil {
			return nil, fmt.Errorf("energy: %w", err)
		}
	}
	return o, nil
}

// Variables returns the state variable names in declaration order.
func (o *ODE) Variables() []string { return slices.Clone(o.sys.vars) }

// Field writes f(x) into dx.
func (o *ODE) Field(x, dx []float64) { o.sys.fieldFn(x, dx) }

// Jacobian writes the d×d Jacobian ∂f_i/∂x_j at x into jac, row-major
// (jac[i*d+j]), from symbolic derivatives.
func (o *ODE) Jacobian(x, jac []float64) { o.sys.jacFn(x, jac) }

// HasEnergy reports whether the ODE was given an energy expression.
func (o *ODE) HasEnergy() bool { return o.energy != nil }

// Energy returns the energy at x, or NaN if the ODE has no energy
// expression (see HasEnergy and EnergyOf).
func (o *ODE) Energy(x []float64) float64 {
	if o.energy == nil {
		return math.NaN()
	}
	return o.energy(x)
}

// Equations returns the equations with parameters substituted and
// simplified, one per variable ("x' = v"), for docs and logs.
func (o *ODE) Equations() []string { return o.sys.equations() }
