package autodiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// This file holds the reusable finite-difference checker: every op's test is a
// row of an fdCase table.

// fdCase describes a function of some input tensors to some output tensors,
// checked against central differences.
type fdCase struct {
	name   string
	shapes [][]int                                  // input shapes
	lo, hi float64                                  // inputs are uniform in [lo,hi) (default [-1,1))
	f      func(xs []*Tensor) []*Tensor             // the function under test
	order  int                                      // 1: first derivatives; 2: also second (default 2)
	rtol   float64                                  // relative tolerance (default 1e-6)
	atol   float64                                  // absolute tolerance (default 1e-8)
	h      float64                                  // FD step (default 1e-5)
	init   func(rng *rand.Rand, i int, x []float64) // optional custom input values
}

func (c fdCase) defaults() fdCase {
	if c.lo == 0 && c.hi == 0 {
		c.lo, c.hi = -1, 1
	}
	if c.order == 0 {
		c.order = 2
	}
	if c.rtol == 0 {
		c.rtol = 1e-6
	}
	if c.atol == 0 {
		c.atol = 1e-8
	}
	if c.h == 0 {
		c.h = 1e-5
	}
	return c
}

// randTensor returns a constant of the given shape with entries uniform in [lo,hi).
func randTensor(rng *rand.Rand, lo, hi float64, shape ...int) *Tensor {
	t := Zeros(shape...)
	for i := range t.data {
		t.data[i] = lo + (hi-lo)*rng.Float64()
	}
	return t
}

// project returns Σ_k Σ ys[k]⊙rs[k], a scalar that weighs every output element
// with a fixed random weight.
func project(ys, rs []*Tensor) *Tensor {
	var s *Tensor
	for k, y := range ys {
		p := Sum(Mul(y, rs[k]))
		if s == nil {
			s = p
		} else {
			s = Add(s, p)
		}
	}
	return s
}

func randLike(rng *rand.Rand, ts []*Tensor) []*Tensor {
	rs := make([]*Tensor, len(ts))
	for i, t := range ts {
		rs[i] = randTensor(rng, -1, 1, t.shape...)
	}
	return rs
}

func variables(xs []*Tensor) []*Tensor {
	vs := make([]*Tensor, len(xs))
	for i, x := range xs {
		vs[i] = Variable(append([]float64(nil), x.data...), x.shape...)
	}
	return vs
}

// numGrad returns central-difference gradients of the scalar function v at xs.
func numGrad(v func(xs []*Tensor) float64, xs []*Tensor, h float64) [][]float64 {
	res := make([][]float64, len(xs))
	for i, x := range xs {
		res[i] = make([]float64, len(x.data))
		for j := range x.data {
			old := x.data[j]
			x.data[j] = old + h
			fp := v(xs)
			x.data[j] = old - h
			fm := v(xs)
			x.data[j] = old
			res[i][j] = (fp - fm) / (2 * h)
		}
	}
	return res
}

// closeEnough reports |a−b| ≤ atol + rtol·max(|a|,|b|).
func closeEnough(a, b, atol, rtol float64) bool {
	return math.Abs(a-b) <= atol+rtol*max(math.Abs(a), math.Abs(b))
}

// compareGrads fails t where got differs from want beyond tolerance.
func compareGrads(t *testing.T, what string, got []*Tensor, want [][]float64, atol, rtol float64) {
	t.Helper()
	bad := 0
	for i := range want {
		if len(got[i].data) != len(want[i]) {
			t.Fatalf("%s: input %d: gradient has shape %v, want %d values", what, i, got[i].shape, len(want[i]))
		}
		for j, w := range want[i] {
			g := got[i].data[j]
			if math.IsNaN(g) || !closeEnough(g, w, atol, rtol) {
				if bad < 5 {
					t.Errorf("%s: input %d element %d: analytic %.12g, finite difference %.12g", what, i, j, g, w)
				}
				bad++
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d mismatches in all", what, bad)
	}
}

// runFD checks the first (and, if c.order ≥ 2, second) derivatives of c.f.
func runFD(t *testing.T, c fdCase) {
	t.Helper()
	c = c.defaults()
	rng := rand.New(rand.NewPCG(7, uint64(len(c.name))))
	xs := make([]*Tensor, len(c.shapes))
	for i, s := range c.shapes {
		xs[i] = randTensor(rng, c.lo, c.hi, s...)
		if c.init != nil {
			c.init(rng, i, xs[i].data)
		}
	}
	ys := c.f(xs)
	rs := randLike(rng, ys)
	loss := func(xs []*Tensor) *Tensor { return project(c.f(xs), rs) }

	// First order: Grad of the projected output against central differences.
	vars := variables(xs)
	l := loss(vars)
	g, err := Grad(l, vars)
	if err != nil {
		t.Fatalf("Grad: %v", err)
	}
	for i, gi := range g {
		if gi.requiresGrad {
			t.Errorf("first-order gradient %d requires grad although CreateGraph was not set", i)
		}
	}
	fd := numGrad(func(xs []*Tensor) float64 { return loss(xs).Item() }, xs, c.h)
	compareGrads(t, "first order", g, fd, c.atol, c.rtol)
	if c.order < 2 {
		return
	}

	// Second order: the gradient of ⟨∇L, r2⟩ with ∇L recorded (CreateGraph),
	// against central differences of the (detached) analytic gradient.
	r2 := randLike(rng, xs)
	vars = variables(xs)
	g1, err := Grad(loss(vars), vars, CreateGraph())
	if err != nil {
		t.Fatalf("Grad with CreateGraph: %v", err)
	}
	g2, err := Grad(project(g1, r2), vars)
	if err != nil {
		t.Fatalf("second Grad: %v", err)
	}
	fd2 := numGrad(func(xs []*Tensor) float64 {
		vs := variables(xs)
		g, err := Grad(loss(vs), vs)
		if err != nil {
			panic(fmt.Sprintf("Grad: %v", err))
		}
		return project(g, r2).Item()
	}, xs, c.h)
	compareGrads(t, "second order", g2, fd2, c.atol, c.rtol)
}
