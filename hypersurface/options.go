package hypersurface

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"ansatz/registry"
	"ansatz/spec"
	"ansatz/symbolic"
	"ansatz/systems"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.System, Name: "hypersurface",
		Doc: "hypersurface p(z) = 0 in projective space (Calabi–Yau by default), p a complex polynomial expression with real or complex parameters",
		New: func() any { return NewOptions() },
	})
}

// Complex is a complex number in a spec: a number (0.5), a two-element list
// [re, im] ([0.5, 0.1]) or a string that strconv.ParseComplex reads
// ("0.5+0.1i").
type Complex complex128

// DecodeYAML reads a number, [re, im] or a complex string.
func (c *Complex) DecodeYAML(n *yaml.Node, file string) spec.ErrorList {
	fail := func(msg string) spec.ErrorList {
		return spec.ErrorList{{Pos: spec.Pos{File: file, Line: n.Line, Col: n.Column}, Msg: msg}}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			*c = Complex(complex(f, 0))
			return nil
		}
		v, err := strconv.ParseComplex(strings.ReplaceAll(n.Value, " ", ""), 128)
		if err != nil {
			return fail(fmt.Sprintf("expected a complex number (0.5, [0.5, 0.1] or \"0.5+0.1i\"), got %q", n.Value))
		}
		*c = Complex(v)
		return nil
	case yaml.SequenceNode:
		if len(n.Content) != 2 {
			return fail(fmt.Sprintf("a complex number as a list is [re, im], got %d elements", len(n.Content)))
		}
		var parts [2]float64
		for k, e := range n.Content {
			f, err := strconv.ParseFloat(e.Value, 64)
			if e.Kind != yaml.ScalarNode || err != nil {
				return fail(fmt.Sprintf("expected a number for the %s part, got %q", [2]string{"real", "imaginary"}[k], e.Value))
			}
			parts[k] = f
		}
		*c = Complex(complex(parts[0], parts[1]))
		return nil
	}
	return fail("expected a complex number (0.5, [0.5, 0.1] or \"0.5+0.1i\")")
}

// MarshalYAML writes a real number as a number, else [re, im].
func (c Complex) MarshalYAML() (any, error) {
	if imag(c) == 0 {
		return real(c), nil
	}
	return []float64{real(c), imag(c)}, nil
}

// String formats the number as strconv does, without parentheses.
func (c Complex) String() string { return FormatComplex(complex128(c)) }

// FormatComplex formats v for names and messages: "0.25" when real, else
// "0.25+0.1i".
func FormatComplex(v complex128) string {
	if imag(v) == 0 {
		return strconv.FormatFloat(real(v), 'g', -1, 64)
	}
	return strings.Trim(strconv.FormatComplex(v, 'g', -1, 128), "()")
}

// Ambient is the ambient space of a hypersurface, the dimensions of its
// projective factors: `ambient: 4` or `ambient: [4]` for P⁴ (products of
// projective spaces are kept possible by the list form; today only one
// factor is supported).
type Ambient []int

// DecodeYAML reads an integer or a list of integers.
func (a *Ambient) DecodeYAML(n *yaml.Node, file string) spec.ErrorList {
	fail := func(msg string) spec.ErrorList {
		return spec.ErrorList{{Pos: spec.Pos{File: file, Line: n.Line, Col: n.Column}, Msg: msg}}
	}
	var items []*yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		items = []*yaml.Node{n}
	case yaml.SequenceNode:
		items = n.Content
	default:
		return fail("expected the dimension of P^n (4) or a list of dimensions ([4])")
	}
	out := Ambient{}
	for _, e := range items {
		v, err := strconv.Atoi(e.Value)
		if e.Kind != yaml.ScalarNode || err != nil {
			return fail(fmt.Sprintf("expected an integer dimension, got %q", e.Value))
		}
		out = append(out, v)
	}
	*a = out
	return nil
}

// MarshalYAML writes a single factor as a number, several as a list.
func (a Ambient) MarshalYAML() (any, error) {
	if len(a) == 1 {
		return a[0], nil
	}
	return []int(a), nil
}

// Options declares a hypersurface system in a spec:
//
//	system:
//	  kind: hypersurface
//	  ambient: 4
//	  polynomial: "z0^5 + z1^5 + z2^5 + z3^5 + z4^5 - 5*psi*z0*z1*z2*z3*z4"
//	  parameters: {psi: 0.5}          # or psi: [0.5, 0.1], psi: "0.5+0.1i"
//
// Options is the registered component of kind system, name hypersurface.
type Options struct {
	Ambient     Ambient            `yaml:"ambient" spec:"required" doc:"dimension n of the ambient P^n (4), or a list of the factors' dimensions ([4]; one factor supported)"`
	Coordinates []string           `yaml:"coordinates" doc:"names of the homogeneous coordinates (default z0..zn)"`
	Polynomial  spec.Expr          `yaml:"polynomial" spec:"required" doc:"the defining polynomial, homogeneous in the coordinates; i is the imaginary unit"`
	Parameters  map[string]Complex `yaml:"parameters" doc:"named real or complex constants of the polynomial (0.5, [re, im] or \"0.5+0.1i\")"`
	CalabiYau   bool               `yaml:"calabi_yau" doc:"require the Calabi–Yau degree n+1"`

	sys *Hypersurface
}

// NewOptions returns the defaults: calabi_yau true.
func NewOptions() *Options { return &Options{CalabiYau: true} }

// Validate builds the hypersurface, so that errors point at the option (or
// into the polynomial).
func (o *Options) Validate() error {
	for _, name := range slices.Sorted(maps.Keys(o.Parameters)) {
		v := complex128(o.Parameters[name])
		if math.IsNaN(real(v)) || math.IsNaN(imag(v)) || math.IsInf(real(v), 0) || math.IsInf(imag(v), 0) {
			return spec.FieldErrorf("parameters."+name, "must be finite, got %v", v)
		}
	}
	params := make(map[string]complex128, len(o.Parameters))
	for k, v := range o.Parameters {
		params[k] = complex128(v)
	}
	h, err := New(o.Ambient, o.Coordinates, o.Polynomial.Text, params, o.CalabiYau)
	if err != nil {
		return o.locate(err)
	}
	o.sys = h
	return nil
}

// locate turns a construction error into a spec error: inside the
// polynomial for expression errors, at the key for the others.
func (o *Options) locate(err error) error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return err
	}
	var se *symbolic.Error
	if fe.Field == "polynomial" && errors.As(fe.Err, &se) {
		e := o.Polynomial.ErrorAt(se.Offset, se.Msg)
		e.Path = "polynomial"
		return e
	}
	return spec.FieldErrorf(fe.Field, "%s", fe.Msg)
}

// Build returns the hypersurface.
func (o *Options) Build() (systems.System, error) {
	if o.sys == nil {
		if err := o.Validate(); err != nil {
			return nil, err
		}
	}
	return o.sys, nil
}
