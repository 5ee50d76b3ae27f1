package fieldtheory

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"ansatz/spec"
	"ansatz/suggest"
	"ansatz/symbolic"
)

// Domain is the periodic interval [0, Length) sampled at Points equally
// spaced points x_i = i·Length/Points.
type Domain struct {
	Length   float64 `yaml:"length" spec:"required" doc:"length L of the periodic interval [0, L)"`
	Points   int     `yaml:"points" spec:"required" doc:"number of grid points (even; a power of 2 is fastest)"`
	Periodic bool    `yaml:"periodic" doc:"periodic boundary conditions; the spectral integrator needs true"`
}

// Validate checks the domain; errors name the field by its yaml name.
func (d Domain) Validate() error {
	var errs []error
	if !(d.Length > 0) || math.IsInf(d.Length, 0) {
		errs = append(errs, &FieldError{Field: "length", Msg: fmt.Sprintf("must be a finite number > 0, got %v", d.Length)})
	}
	if d.Points < 8 || d.Points%2 != 0 {
		errs = append(errs, &FieldError{Field: "points", Msg: fmt.Sprintf("must be an even number ≥ 8, got %d", d.Points)})
	}
	if !d.Periodic {
		errs = append(errs, &FieldError{Field: "periodic", Msg: "the pseudo-spectral integrator needs a periodic domain (periodic: true)"})
	}
	return errors.Join(errs...)
}

// X returns the grid points.
func (d Domain) X() []float64 {
	x := make([]float64, d.Points)
	for i := range x {
		x[i] = float64(i) * d.Length / float64(d.Points)
	}
	return x
}

// Definition is what a field system is built from (see [NewSystem]).
type Definition struct {
	// Fields names the fields, in order.
	Fields []string
	// Domain is the periodic grid.
	Domain Domain
	// Parameters are named constants, substituted into the expressions.
	Parameters map[string]float64
	// Equations maps "<field>_t" to the expression of its time derivative
	// in the jets of the fields and the parameters.
	Equations map[string]string
	// Constraint is an optional expression c(fields) that must vanish ("" if
	// none), e.g. "S1^2 + S2^2 + S3^2 - 1".
	Constraint string
	// Conserved maps names to densities (expressions in the jets) whose
	// integrals over the domain are conserved (optional).
	Conserved map[string]string
}

// ExprError is an error inside one expression of a field system. Field is
// the spec key ("equations.u_t", "constraint", "conserved.energy"); Err
// locates it in the expression.
type ExprError struct {
	Field string
	Err   *symbolic.Error
}

// Error returns "field: message (column N)" with the expression and a caret.
func (e *ExprError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the *symbolic.Error.
func (e *ExprError) Unwrap() error { return e.Err }

// FieldError is an error in a non-expression value of a field system or of
// the data options; Field is its key path ("fields[1]", "domain.points").
// It is spec.FieldError, so that a Validate method can return it as is.
type FieldError = spec.FieldError

// namedNode is a named expression over canonical jets.
type namedNode struct {
	name string
	node symbolic.Node
	src  string
}

// System is a field theory u_t = f(J) on a periodic line: the value of the
// system kind `field`. It is immutable after NewSystem.
type System struct {
	fields     []string
	domain     Domain
	params     map[string]float64
	rhs        []namedNode // one per field, key "<field>_t"
	order      int         // highest jet order in the equations
	constraint symbolic.Node
	conserved  []namedNode // sorted by name

	// where locates the expressions in a spec ("equations.u_t"), when the
	// system was built from one; for errors found later (by the data kind).
	where map[string]spec.Expr
}

// NewSystem checks and parses a definition.
//
// Errors: a *FieldError for invalid or duplicate field names, a bad domain
// (Field "domain.<key>"), a bad parameter ("parameters.<name>"), an equation
// key that is not "<field>_t" or a field without an equation ("equations");
// an *ExprError for an expression that does not parse, uses unknown names,
// uses derivatives above MaxOrder, or (constraint) uses derivatives at all.
func NewSystem(def Definition) (*System, error) {
	if len(def.Fields) == 0 {
		return nil, &FieldError{Field: "fields", Msg: "no fields given"}
	}
	for i, f := range def.Fields {
		path := fmt.Sprintf("fields[%d]", i)
		if err := symbolic.CheckName(f); err != nil {
			return nil, &FieldError{Field: path, Msg: err.Error()}
		}
		if slices.Contains(def.Fields[:i], f) {
			return nil, &FieldError{Field: path, Msg: f + " is declared twice"}
		}
		if g, k, ok := ParseJet(f, slices.Concat(def.Fields[:i], def.Fields[i+1:])); ok {
			return nil, &FieldError{Field: path, Msg: fmt.Sprintf("%s reads as the derivative of order %d of field %s; choose another name", f, k, g)}
		}
	}
	if err := def.Domain.Validate(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return nil, &FieldError{Field: "domain." + fe.Field, Msg: fe.Msg}
		}
		return nil, err
	}
	s := &System{fields: slices.Clone(def.Fields), domain: def.Domain, params: map[string]float64{}}
	paramNames := make([]string, 0, len(def.Parameters))
	for name := range def.Parameters {
		paramNames = append(paramNames, name)
	}
	slices.Sort(paramNames)
	for _, name := range paramNames {
		path := "parameters." + name
		v := def.Parameters[name]
		if err := symbolic.CheckName(name); err != nil {
			return nil, &FieldError{Field: path, Msg: err.Error()}
		}
		if _, _, ok := ParseJet(name, s.fields); ok {
			return nil, &FieldError{Field: path, Msg: name + " is the name of a field or of a derivative of one"}
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, &FieldError{Field: path, Msg: fmt.Sprintf("must be finite, got %v", v)}
		}
		s.params[name] = v
	}
	keys := make([]string, 0, len(def.Equations))
	for k := range def.Equations {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := make([]string, len(s.fields))
	for i, f := range s.fields {
		want[i] = f + "_t"
	}
	for _, k := range keys {
		if !slices.Contains(want, k) {
			hint := ""
			if sg := suggest.Name(k, want); sg != "" {
				hint = "; did you mean " + sg + "?"
			}
			return nil, &FieldError{Field: "equations." + k, Msg: fmt.Sprintf("%s is not the time derivative of a field (keys are %s)%s", k, strings.Join(want, ", "), hint)}
		}
	}
	for _, key := range want {
		src, ok := def.Equations[key]
		if !ok {
			return nil, &FieldError{Field: "equations", Msg: "no equation for " + key}
		}
		n, err := s.parse("equations."+key, src)
		if err != nil {
			return nil, err
		}
		s.rhs = append(s.rhs, namedNode{name: key, node: n, src: src})
		if o, _ := orderOf(n, s.fields); o > s.order {
			s.order = o
		}
	}
	if def.Constraint != "" {
		n, err := s.parse("constraint", def.Constraint)
		if err != nil {
			return nil, err
		}
		if o, off := orderOf(n, s.fields); o > 0 {
			return nil, &ExprError{Field: "constraint", Err: &symbolic.Error{Source: def.Constraint, Offset: off, Msg: "a constraint is a function of the fields only, without derivatives"}}
		}
		s.constraint = n
	}
	names := make([]string, 0, len(def.Conserved))
	for k := range def.Conserved {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := symbolic.CheckName(name); err != nil {
			return nil, &FieldError{Field: "conserved." + name, Msg: err.Error()}
		}
		n, err := s.parse("conserved."+name, def.Conserved[name])
		if err != nil {
			return nil, err
		}
		s.conserved = append(s.conserved, namedNode{name: name, node: n, src: def.Conserved[name]})
	}
	return s, nil
}

// parse parses an expression in the jets and parameters, with canonical
// jet names and the parameters substituted.
func (s *System) parse(field, src string) (symbolic.Node, error) {
	located := func(err error) error {
		var e *symbolic.Error
		if errors.As(err, &e) {
			c := *e
			c.Source = src
			return &ExprError{Field: field, Err: &c}
		}
		return fmt.Errorf("%s: %w", field, err)
	}
	n, err := symbolic.Parse(src)
	if err != nil {
		return nil, located(err)
	}
	if n, err = canonical(n, s.fields); err != nil {
		return nil, located(err)
	}
	known := jets(s.fields, MaxOrder)
	for name := range s.params {
		known = append(known, name)
	}
	slices.Sort(known) // deterministic "did you mean" hints
	if err := symbolic.CheckNames(n, known); err != nil {
		return nil, located(err)
	}
	return symbolic.Substitute(n, s.params), nil
}

// Variables returns the field names (the system's declared names).
func (s *System) Variables() []string { return slices.Clone(s.fields) }

// Fields returns the field names in declaration order.
func (s *System) Fields() []string { return slices.Clone(s.fields) }

// Domain returns the periodic grid.
func (s *System) Domain() Domain { return s.domain }

// Parameters returns a copy of the parameters.
func (s *System) Parameters() map[string]float64 {
	out := make(map[string]float64, len(s.params))
	for k, v := range s.params {
		out[k] = v
	}
	return out
}

// Jets returns the canonical jet names of all fields up to order, field by
// field (see the package documentation).
func (s *System) Jets(order int) []string { return jets(s.fields, order) }

// EquationOrder returns the highest derivative order in the equations
// (3 for KdV, 2 for sine-Gordon).
func (s *System) EquationOrder() int { return s.order }

// Equations returns the equations with parameters substituted, one per
// field ("u_t = -u_xxx - 6*u*u_x"), for docs and logs.
func (s *System) Equations() []string {
	out := make([]string, len(s.rhs))
	for i, r := range s.rhs {
		out[i] = r.name + " = " + r.node.String()
	}
	return out
}

// RHS returns the right-hand side of field i's equation over canonical jets.
func (s *System) RHS(i int) symbolic.Node { return s.rhs[i].node }

// Constraint returns the constraint expression, or nil without one.
func (s *System) Constraint() symbolic.Node { return s.constraint }

// Conserved returns the names of the declared conserved quantities, sorted.
func (s *System) Conserved() []string {
	out := make([]string, len(s.conserved))
	for i, c := range s.conserved {
		out[i] = c.name
	}
	return out
}

// ConservedDensity returns the density of the named conserved quantity over
// canonical jets, or nil if there is none of that name.
func (s *System) ConservedDensity(name string) symbolic.Node {
	for _, c := range s.conserved {
		if c.name == name {
			return c.node
		}
	}
	return nil
}

// highestOrder is the highest jet order in the equations and densities.
func (s *System) highestOrder() int {
	o := s.order
	for _, c := range s.conserved {
		if k, _ := orderOf(c.node, s.fields); k > o {
			o = k
		}
	}
	return o
}
