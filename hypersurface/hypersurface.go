package hypersurface

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Hypersurface is a hypersurface {p = 0} in a product of projective spaces;
// today only a single P^n is supported (Ambient() has one entry). It
// implements systems.System: Variables are the coordinate names. It is
// immutable; WithParameters returns a copy at other parameter values.
type Hypersurface struct {
	ambient   []int
	coords    []string
	expr      string
	params    map[string]complex128
	poly      *Polynomial
	calabiYau bool
}

// New builds the hypersurface p = 0 in P^ambient[0] from the expression expr
// in the coordinates coords (nil: z0..zn) with the parameters params. The
// polynomial must be homogeneous and, when calabiYau is set, of degree n+1.
//
// Errors: a *FieldError for the ambient space, the coordinates and the
// degree; a *symbolic.Error (inside a *FieldError with Field "polynomial")
// for the expression.
func New(ambient []int, coords []string, expr string, params map[string]complex128, calabiYau bool) (*Hypersurface, error) {
	if len(ambient) != 1 {
		return nil, &FieldError{Field: "ambient", Msg: fmt.Sprintf("only a single projective space is supported, got %d factors", len(ambient))}
	}
	n := ambient[0]
	if n < 2 || n > 16 {
		return nil, &FieldError{Field: "ambient", Msg: fmt.Sprintf("dimension of P^n must be in [2, 16], got %d", n)}
	}
	if coords == nil {
		coords = DefaultCoordinates(n)
	}
	if len(coords) != n+1 {
		return nil, &FieldError{Field: "coordinates", Msg: fmt.Sprintf("P^%d needs %d coordinates, got %d", n, n+1, len(coords))}
	}
	seen := map[string]bool{}
	for k, c := range coords {
		if c == "" || seen[c] {
			return nil, &FieldError{Field: "coordinates[" + strconv.Itoa(k) + "]", Msg: fmt.Sprintf("empty or duplicate name %q", c)}
		}
		seen[c] = true
		if _, ok := params[c]; ok {
			return nil, &FieldError{Field: "parameters." + c, Msg: "a parameter has the name of a coordinate"}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		v := params[name]
		if !finite(v) {
			return nil, &FieldError{Field: "parameters." + name, Msg: fmt.Sprintf("must be finite, got %v", v)}
		}
	}
	p, err := ParsePolynomial(expr, coords, params)
	if err != nil {
		return nil, &FieldError{Field: "polynomial", Msg: err.Error(), Err: err}
	}
	if err := p.CheckHomogeneous(); err != nil {
		return nil, &FieldError{Field: "polynomial", Msg: err.Error(), Err: err}
	}
	if calabiYau && p.Degree() != n+1 {
		return nil, &FieldError{Field: "polynomial", Msg: fmt.Sprintf("degree %d does not give a Calabi–Yau in P^%d (needs degree %d; set calabi_yau: false for other hypersurfaces)", p.Degree(), n, n+1)}
	}
	return &Hypersurface{ambient: []int{n}, coords: slices.Clone(coords), expr: expr, params: maps.Clone(params), poly: p, calabiYau: calabiYau}, nil
}

// DefaultCoordinates returns z0..zn.
func DefaultCoordinates(n int) []string {
	c := make([]string, n+1)
	for i := range c {
		c[i] = "z" + strconv.Itoa(i)
	}
	return c
}

// Variables returns the coordinate names z_0..z_n.
func (h *Hypersurface) Variables() []string { return slices.Clone(h.coords) }

// Ambient returns the dimensions of the projective factors ([n] for P^n).
func (h *Hypersurface) Ambient() []int { return slices.Clone(h.ambient) }

// N returns n, the dimension of the ambient P^n.
func (h *Hypersurface) N() int { return h.ambient[0] }

// Dim returns the complex dimension n−1 of the hypersurface (3 for the
// quintic), the number of local coordinates.
func (h *Hypersurface) Dim() int { return h.ambient[0] - 1 }

// Degree returns the degree d of the polynomial.
func (h *Hypersurface) Degree() int { return h.poly.Degree() }

// CalabiYau reports whether the spec declared the hypersurface Calabi–Yau.
func (h *Hypersurface) CalabiYau() bool { return h.calabiYau }

// IntersectionNumber returns ∫_X H^{n−1} = d, the volume of X in the
// Fubini–Study class with t = 1 in cymetric's normalisation (5 on the
// quintic).
func (h *Hypersurface) IntersectionNumber() float64 { return float64(h.poly.Degree()) }

// Polynomial returns the expanded polynomial (do not modify it).
func (h *Hypersurface) Polynomial() *Polynomial { return h.poly }

// Expression returns the source expression of the polynomial.
func (h *Hypersurface) Expression() string { return h.expr }

// Parameters returns a copy of the parameter values.
func (h *Hypersurface) Parameters() map[string]complex128 { return maps.Clone(h.params) }

// Parameter returns the value of the named parameter and whether it exists.
func (h *Hypersurface) Parameter(name string) (complex128, bool) {
	v, ok := h.params[name]
	return v, ok
}

// WithParameters returns the hypersurface with some parameters set to new
// values (the others unchanged), re-expanding the polynomial. Setting a
// name that is not a parameter of h is an error.
func (h *Hypersurface) WithParameters(values map[string]complex128) (*Hypersurface, error) {
	params := maps.Clone(h.params)
	if params == nil {
		params = map[string]complex128{}
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if _, ok := params[k]; !ok {
			return nil, fmt.Errorf("hypersurface: %q is not a parameter of the polynomial", k)
		}
		params[k] = values[k]
	}
	return New(h.ambient, h.coords, h.expr, params, h.calabiYau)
}

// FieldError is an error in one option of the hypersurface system: Field is
// its yaml path ("polynomial", "parameters.psi"). For an error inside the
// polynomial expression Err is the *symbolic.Error with the byte offset.
type FieldError struct {
	Field string
	Msg   string
	Err   error
}

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap returns the underlying error (a *symbolic.Error for expressions).
func (e *FieldError) Unwrap() error { return e.Err }
