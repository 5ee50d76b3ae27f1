package sparsefit

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Polynomial is Σ_k Coef[k] Π_v Vars[v]^Exps[k][v].
type Polynomial struct {
	Vars []string
	Exps [][]int
	Coef []float64
}

// Fit fits y, sampled at the n states xs (n rows of len(Vars) values), to
// a sparse polynomial in the dictionary's monomials by [STLSQ]; the
// constant monomial carries the intercept. It returns the polynomial and
// the fit's R².
func (d *Dictionary) Fit(xs []float64, n int, y []float64, opts Options) (*Polynomial, float64, error) {
	a, err := d.Design(xs, n)
	if err != nil {
		return nil, 0, err
	}
	fit, err := STLSQ(a, y, opts)
	if err != nil {
		return nil, 0, err
	}
	return d.Polynomial(fit), fit.R2, nil
}

// Polynomial turns a fit of [STLSQ] on the dictionary's [Dictionary.Design]
// into a polynomial: the coefficients of the monomials, the intercept added
// to the constant's. It panics if the fit has another number of columns.
func (d *Dictionary) Polynomial(fit *Fit) *Polynomial {
	if len(fit.Coef) != len(d.Exps) {
		panic(fmt.Sprintf("sparsefit: a fit of %d columns for a dictionary of %d monomials", len(fit.Coef), len(d.Exps)))
	}
	p := &Polynomial{Vars: slices.Clone(d.Vars), Exps: d.Exps, Coef: slices.Clone(fit.Coef)}
	for k, e := range d.Exps {
		if isConstant(e) {
			p.Coef[k] += fit.Intercept
			break
		}
	}
	return p
}

func isConstant(e []int) bool {
	for _, k := range e {
		if k != 0 {
			return false
		}
	}
	return true
}

// Eval returns the polynomial's value at x.
func (p *Polynomial) Eval(x []float64) float64 {
	var s float64
	for k, e := range p.Exps {
		c := p.Coef[k]
		if c == 0 {
			continue
		}
		v := c
		for i, pw := range e {
			for range pw {
				v *= x[i]
			}
		}
		s += v
	}
	return s
}

// Values returns the polynomial at each of the n states xs.
func (p *Polynomial) Values(xs []float64, n int) []float64 {
	d := len(p.Vars)
	out := make([]float64, n)
	for j := range n {
		out[j] = p.Eval(xs[j*d : (j+1)*d])
	}
	return out
}

// Rounded returns a copy with every coefficient rounded to digits
// significant digits (see [Round]).
func (p *Polynomial) Rounded(digits int) *Polynomial {
	q := &Polynomial{Vars: p.Vars, Exps: p.Exps, Coef: make([]float64, len(p.Coef))}
	for k, c := range p.Coef {
		q.Coef[k] = Round(c, digits)
	}
	return q
}

// Terms returns the names of the monomials with a nonzero coefficient, in
// the dictionary's order.
func (p *Polynomial) Terms() []string {
	var out []string
	for k, e := range p.Exps {
		if p.Coef[k] != 0 {
			out = append(out, MonomialName(e, p.Vars))
		}
	}
	return out
}

// Format writes the polynomial with digits significant digits per
// coefficient, the constant last: "3*x - 2*x*y + 0.5". It parses with
// symbolic.Parse.
func (p *Polynomial) Format(digits int) string {
	var names []string
	var coefs []float64
	constant := 0.0
	for k, e := range p.Exps {
		if isConstant(e) {
			constant += p.Coef[k]
			continue
		}
		names = append(names, MonomialName(e, p.Vars))
		coefs = append(coefs, p.Coef[k])
	}
	return FormatTerms(append(coefs, constant), append(names, "1"), digits)
}

// String formats the polynomial with 6 significant digits.
func (p *Polynomial) String() string { return p.Format(6) }

// Round rounds v to digits significant digits (1 to 17).
func Round(v float64, digits int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	if err != nil {
		panic(fmt.Sprintf("sparsefit.Round(%v, %d): %v", v, digits, err))
	}
	return r
}

// FormatTerms writes Σ coefs[k]·names[k] in the given order with digits
// significant digits per coefficient, skipping zero coefficients: "1.3*q -
// 0.5*p^2 + 2". A term named "1" is written as its number, a coefficient
// that formats as 1 is left out ("q", "-q"); no terms give "0".
func FormatTerms(coefs []float64, names []string, digits int) string {
	var b strings.Builder
	for k, v := range coefs {
		if v == 0 {
			continue
		}
		switch {
		case b.Len() == 0 && v < 0:
			b.WriteString("-")
		case b.Len() == 0:
		case v < 0:
			b.WriteString(" - ")
		default:
			b.WriteString(" + ")
		}
		num := strconv.FormatFloat(math.Abs(v), 'g', digits, 64)
		switch name := names[k]; {
		case name == "1":
			b.WriteString(num)
		case num == "1":
			b.WriteString(name)
		default:
			b.WriteString(num + "*" + name)
		}
	}
	if b.Len() == 0 {
		return "0"
	}
	return b.String()
}
