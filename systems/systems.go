package systems

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"ansatz/symbolic"
)

// System is a declared physical system: what every system kind has is its
// named variables. What else it offers depends on its kind: a [Flow] has
// equations of motion; other kinds (a hypersurface, a field theory) export
// their own types, which the data kinds and models that need them assert.
type System interface {
	// Variables returns the variable names, in the order the spec declares
	// them.
	Variables() []string
}

// Flow is an autonomous first-order system ẋ = f(x): the hamiltonian and
// ode kinds.
type Flow interface {
	System
	// Field writes f(x) into dx, x[i] being the value of Variables()[i]
	// (NaN/Inf may result; callers check).
	Field(x, dx []float64)
}

// Energy is implemented by systems with a conserved energy (Hamiltonian, or
// an ODE with an `energy:` expression).
type Energy interface {
	Energy(x []float64) float64
}

// EnergyOf returns the conserved energy of s, if it has one. Prefer it to a
// type assertion: every *ODE has an Energy method, but only an ODE built with
// an energy expression has an energy.
func EnergyOf(s System) (Energy, bool) {
	if h, ok := s.(interface{ HasEnergy() bool }); ok && !h.HasEnergy() {
		return nil, false
	}
	e, ok := s.(Energy)
	return e, ok
}

// ExprError is an error in one expression of a system's spec. Field names the
// spec value ("hamiltonian", "equations.p", "energy"); Err locates the error
// inside the expression (its Offset is a byte offset into Err.Source).
type ExprError struct {
	Field string
	Err   *symbolic.Error
}

// Error returns "field: message (column N)" followed by the expression with a
// caret under the column.
func (e *ExprError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the *symbolic.Error.
func (e *ExprError) Unwrap() error { return e.Err }

// FieldError is an error in a spec value that is not an expression: a name
// list, a parameter, a key of the equations map. Field is the path of the
// value ("coordinates[1]", "parameters.m", "equations.vv").
type FieldError struct {
	Field string
	Msg   string
}

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErrorf(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// checkVariables checks that the names of each list are valid and that no
// name occurs twice across all lists.
func checkVariables(lists ...namedList) error {
	seen := map[string]string{}
	for _, l := range lists {
		if len(l.names) == 0 {
			return fieldErrorf(l.field, "no names given")
		}
		for i, name := range l.names {
			path := fmt.Sprintf("%s[%d]", l.field, i)
			if err := symbolic.CheckName(name); err != nil {
				return fieldErrorf(path, "%v", err)
			}
			if prev, dup := seen[name]; dup {
				return fieldErrorf(path, "%s is already declared as %s", name, prev)
			}
			seen[name] = path
		}
	}
	return nil
}

type namedList struct {
	field string
	names []string
}

// checkParameters checks parameter names and values against the variables.
// It returns the parameter names, sorted.
func checkParameters(parameters map[string]float64, variables []string) ([]string, error) {
	names := make([]string, 0, len(parameters))
	for name := range parameters {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		path := "parameters." + name
		if err := symbolic.CheckName(name); err != nil {
			return nil, fieldErrorf(path, "%v", err)
		}
		if slices.Contains(variables, name) {
			return nil, fieldErrorf(path, "parameter %s has the name of a variable", name)
		}
		if v := parameters[name]; math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fieldErrorf(path, "parameter %s is %v; it must be finite", name, v)
		}
	}
	return names, nil
}

// parseExpr parses the expression of a spec field, checks that its names are
// variables or parameters and substitutes the parameters.
func parseExpr(field, src string, variables, paramNames []string, parameters map[string]float64) (symbolic.Node, error) {
	n, err := symbolic.Parse(src)
	if err != nil {
		return nil, exprError(field, src, err)
	}
	if err := symbolic.CheckNames(n, append(slices.Clip(variables), paramNames...)); err != nil {
		return nil, exprError(field, src, err)
	}
	return symbolic.Substitute(n, parameters), nil
}

func exprError(field, src string, err error) error {
	var e *symbolic.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%s: %w", field, err)
	}
	located := *e
	located.Source = src
	return &ExprError{Field: field, Err: &located}
}

// compiled holds the compiled field and Jacobian shared by both kinds of
// system.
type compiled struct {
	vars     []string
	field    []symbolic.Node
	jacobian []symbolic.Node // row-major d×d
	fieldFn  symbolic.VecFunc
	jacFn    symbolic.VecFunc
}

func compileSystem(vars []string, field []symbolic.Node) (compiled, error) {
	d := len(vars)
	jac := make([]symbolic.Node, 0, d*d)
	for _, f := range field {
		for _, v := range vars {
			jac = append(jac, symbolic.Diff(f, v))
		}
	}
	fieldFn, err := symbolic.CompileVector(field, vars)
	if err != nil {
		return compiled{}, fmt.Errorf("compiling the field: %w", err)
	}
	jacFn, err := symbolic.CompileVector(jac, vars)
	if err != nil {
		return compiled{}, fmt.Errorf("compiling the Jacobian: %w", err)
	}
	return compiled{vars: vars, field: field, jacobian: jac, fieldFn: fieldFn, jacFn: jacFn}, nil
}

// equations formats the field as formulas "q' = 2*p".
func (c *compiled) equations() []string {
	eqs := make([]string, len(c.vars))
	for i, v := range c.vars {
		eqs[i] = v + "' = " + c.field[i].String()
	}
	return eqs
}
