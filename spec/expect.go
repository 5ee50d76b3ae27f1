package spec

import (
	"errors"
	"math"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Expectation bounds one final metric of a run; `ansatz check` fails the run
// when a bound is missed. In YAML, under expect:
//
//	test.loss: {max: 0.045}
//	energy_mse: {min: 0, max: 1e-3}
//	trace_l2: {value: 1.0, rtol: 0.1}
//
// Value needs a tolerance: |v − value| ≤ atol + rtol·|value| (the numpy.isclose
// rule, with rtol relative to the expected value).
type Expectation struct {
	Metric                      string
	Max, Min, Value, RTol, ATol *float64
	// Pos is the position of the metric's key in the file.
	Pos Pos
}

// Expectations is the expect: section, in file order.
type Expectations []Expectation

// expectBounds is the YAML form of one expectation's bounds.
type expectBounds struct {
	Max   *float64 `yaml:"max" doc:"upper bound (inclusive)"`
	Min   *float64 `yaml:"min" doc:"lower bound (inclusive)"`
	Value *float64 `yaml:"value" doc:"expected value; needs rtol or atol"`
	RTol  *float64 `yaml:"rtol" spec:">=0" doc:"tolerance relative to |value|"`
	ATol  *float64 `yaml:"atol" spec:">=0" doc:"absolute tolerance"`
}

// Validate checks that the bounds make sense together.
func (b *expectBounds) Validate() error {
	if b.Max == nil && b.Min == nil && b.Value == nil {
		return errors.New("needs at least one bound: max, min or value")
	}
	var errs []error
	if b.Value != nil && b.RTol == nil && b.ATol == nil {
		errs = append(errs, FieldErrorf("value", "needs a tolerance: add rtol or atol"))
	}
	if b.Value == nil {
		if b.RTol != nil {
			errs = append(errs, FieldErrorf("rtol", "is a tolerance around value, which is missing"))
		}
		if b.ATol != nil {
			errs = append(errs, FieldErrorf("atol", "is a tolerance around value, which is missing"))
		}
	}
	if b.Min != nil && b.Max != nil && *b.Min > *b.Max {
		errs = append(errs, FieldErrorf("min", "must not exceed max (%s), got %s", formatFloat(*b.Max), formatFloat(*b.Min)))
	}
	return errors.Join(errs...)
}

// DecodeYAML reads a mapping of metric names to bounds, keeping file order.
func (x *Expectations) DecodeYAML(n *yaml.Node, file string) ErrorList {
	*x = nil
	if isNull(n) {
		return nil
	}
	d := &decoder{file: file}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "", "expected a mapping of metric names to bounds, got %s", describe(n))
		return d.errs
	}
	for _, p := range d.pairs(n, "") {
		if p.key == "" {
			d.errorf(p.keyNode, "", "empty metric name")
			continue
		}
		var b expectBounds
		v := deref(p.val)
		if v.Kind != yaml.MappingNode {
			d.errorf(v, p.key, "expected bounds such as {max: 0.1}, got %s", describe(v))
			continue
		}
		d.value(v, reflect.ValueOf(&b).Elem(), p.key, checks{})
		*x = append(*x, Expectation{
			Metric: p.key, Max: b.Max, Min: b.Min, Value: b.Value, RTol: b.RTol, ATol: b.ATol,
			Pos: d.pos(p.keyNode),
		})
	}
	return d.errs
}

// Check reports whether v satisfies the expectation, and the bound in human
// form, e.g. "≤ 0.045", "in [0, 1]" or "1 ± 0.1 (rtol)". NaN never passes.
func (e Expectation) Check(v float64) (ok bool, bound string) {
	ok = !math.IsNaN(v)
	var parts []string
	switch {
	case e.Min != nil && e.Max != nil:
		parts = append(parts, "in ["+formatFloat(*e.Min)+", "+formatFloat(*e.Max)+"]")
	case e.Max != nil:
		parts = append(parts, "≤ "+formatFloat(*e.Max))
	case e.Min != nil:
		parts = append(parts, "≥ "+formatFloat(*e.Min))
	}
	if e.Max != nil && !(v <= *e.Max) {
		ok = false
	}
	if e.Min != nil && !(v >= *e.Min) {
		ok = false
	}
	if e.Value != nil {
		var rtol, atol float64
		var tol []string
		if e.RTol != nil {
			rtol = *e.RTol
			tol = append(tol, formatFloat(rtol)+" (rtol)")
		}
		if e.ATol != nil {
			atol = *e.ATol
			tol = append(tol, formatFloat(atol)+" (atol)")
		}
		if !(math.Abs(v-*e.Value) <= atol+rtol*math.Abs(*e.Value)) {
			ok = false
		}
		parts = append(parts, formatFloat(*e.Value)+" ± "+strings.Join(tol, " + "))
	}
	return ok, strings.Join(parts, " and ")
}
