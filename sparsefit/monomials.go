package sparsefit

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// MaxDegree is the largest total degree a [Dictionary] accepts.
const MaxDegree = 8

// Monomials returns the exponent vectors of all monomials in d variables of
// total degree ≤ degree: the constant, then by degree, and within a degree
// with the first variable's exponent highest first (q², q·p, p²).
func Monomials(d, degree int) [][]int {
	out := [][]int{make([]int, d)}
	var rec func(e []int, v, left int)
	rec = func(e []int, v, left int) {
		if v == d-1 {
			e[v] = left
			out = append(out, slices.Clone(e))
			e[v] = 0
			return
		}
		for k := left; k >= 0; k-- {
			e[v] = k
			rec(e, v+1, left-k)
		}
		e[v] = 0
	}
	for deg := 1; deg <= degree && d > 0; deg++ {
		rec(make([]int, d), 0, deg)
	}
	return out
}

// MonomialName writes a monomial as a product of variables: "1", "q",
// "q^2*p".
func MonomialName(e []int, vars []string) string {
	var parts []string
	for v, k := range e {
		switch {
		case k == 1:
			parts = append(parts, vars[v])
		case k > 1:
			parts = append(parts, vars[v]+"^"+strconv.Itoa(k))
		}
	}
	if len(parts) == 0 {
		return "1"
	}
	return strings.Join(parts, "*")
}

// MonomialValues writes the value of each monomial at x into dst
// (len(exps) values).
func MonomialValues(exps [][]int, x []float64, dst []float64) {
	for k, e := range exps {
		v := 1.0
		for i, p := range e {
			for range p {
				v *= x[i]
			}
		}
		dst[k] = v
	}
}

// Dictionary is the set of monomials of named variables up to a total
// degree, in the order of [Monomials]: Exps[0] is the constant.
type Dictionary struct {
	Vars []string
	Exps [][]int
}

// NewDictionary returns the monomials of vars of total degree ≤ degree.
// It needs at least one variable, distinct non-empty names and a degree in
// [0, MaxDegree].
func NewDictionary(vars []string, degree int) (*Dictionary, error) {
	if len(vars) == 0 {
		return nil, fmt.Errorf("a dictionary needs at least one variable")
	}
	for i, v := range vars {
		if v == "" {
			return nil, fmt.Errorf("variable %d has no name", i)
		}
		if slices.Contains(vars[:i], v) {
			return nil, fmt.Errorf("variable %q is named twice", v)
		}
	}
	if degree < 0 || degree > MaxDegree {
		return nil, fmt.Errorf("degree must be in [0, %d], got %d", MaxDegree, degree)
	}
	return &Dictionary{Vars: slices.Clone(vars), Exps: Monomials(len(vars), degree)}, nil
}

// Len is the number of monomials, the constant included.
func (d *Dictionary) Len() int { return len(d.Exps) }

// Names returns the name of every monomial ("1", "x", "x*p_y", "x^2").
func (d *Dictionary) Names() []string {
	names := make([]string, len(d.Exps))
	for k, e := range d.Exps {
		names[k] = MonomialName(e, d.Vars)
	}
	return names
}

// Eval writes the value of every monomial at the state x into dst.
func (d *Dictionary) Eval(x, dst []float64) { MonomialValues(d.Exps, x, dst) }

// Design returns the n×Len matrix of the monomials at the n states xs (n
// rows of len(Vars) values). Non-finite values are an error naming the
// state.
func (d *Dictionary) Design(xs []float64, n int) (*mat.Dense, error) {
	nv := len(d.Vars)
	if n < 1 || len(xs) != n*nv {
		return nil, fmt.Errorf("%d states of the variables %v need %d values, got %d", n, d.Vars, n*nv, len(xs))
	}
	out := mat.NewDense(n, len(d.Exps), nil)
	row := make([]float64, len(d.Exps))
	for j := range n {
		x := xs[j*nv : (j+1)*nv]
		d.Eval(x, row)
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("state %d %v: a monomial is %v", j, x, v)
			}
		}
		out.SetRow(j, row)
	}
	return out, nil
}

// Gradient writes the gradient of every monomial at the state x into dst,
// Len rows of len(Vars) values: dst[k·len(Vars) + a] = ∂(monomial k)/∂x_a.
func (d *Dictionary) Gradient(x, dst []float64) {
	nv := len(d.Vars)
	clear(dst[:len(d.Exps)*nv])
	for k, e := range d.Exps {
		for a, ea := range e {
			if ea == 0 {
				continue
			}
			g := float64(ea)
			for v, ev := range e {
				pw := ev
				if v == a {
					pw--
				}
				for range pw {
					g *= x[v]
				}
			}
			dst[k*nv+a] = g
		}
	}
}
