package autodiff

import (
	"fmt"
	"math"
)

// This file holds internal fused ops used by backward rules: each does in one
// pass what would otherwise take several ops and temporaries, and has its own
// backward rule written in differentiable ops, so derivatives of any order
// still work.

func checkSame(op string, ts ...*Tensor) {
	for _, t := range ts[1:] {
		if t != nil && !sameShape(t.shape, ts[0].shape) {
			panic(fmt.Sprintf("autodiff: %s: shapes %v and %v differ", op, ts[0].shape, t.shape))
		}
	}
}

// tanhGrad returns up·(1−y²), the backward rule of y = tanh(x).
func tanhGrad(up, y *Tensor) *Tensor {
	checkSame("tanhGrad", up, y)
	n := len(up.data)
	out := newLike(up)
	parallelFor(n, n, func(lo, hi int) {
		d, u, v := out.data[lo:hi], up.data[lo:hi], y.data[lo:hi]
		u, v = u[:len(d)], v[:len(d)]
		for i := range d {
			d[i] = u[i] * (1 - v[i]*v[i])
		}
	})
	return record(out, "tanhGrad", tanhGradVJP, up, y)
}

func tanhGradVJP(_, g *Tensor, in []*Tensor, need []bool) []*Tensor {
	r := make([]*Tensor, 2)
	if need[0] && need[1] && !g.requiresGrad && !in[0].requiresGrad && !in[1].requiresGrad {
		// Nothing is recorded: compute both gradients in one pass (the same
		// arithmetic as the two ops below).
		r[0], r[1] = tanhGradBoth(g, in[0], in[1])
		return r
	}
	if need[0] {
		r[0] = tanhGrad(g, in[1])
	}
	if need[1] {
		r[1] = prod3(g, in[0], in[1], -2)
	}
	return r
}

// tanhGradBoth returns the unrecorded tensors g·(1−y²) and −2·g·u·y.
func tanhGradBoth(g, u, y *Tensor) (*Tensor, *Tensor) {
	n := len(g.data)
	a, b := newLike(g), newLike(g)
	parallelFor(n, 2*n, func(lo, hi int) {
		da, db := a.data[lo:hi], b.data[lo:hi]
		gv, uv, yv := g.data[lo:hi], u.data[lo:hi], y.data[lo:hi]
		db, gv, uv, yv = db[:len(da)], gv[:len(da)], uv[:len(da)], yv[:len(da)]
		for i := range da {
			gi, yi := gv[i], yv[i]
			da[i] = gi * (1 - yi*yi)
			db[i] = -2 * gi * uv[i] * yi
		}
	})
	return a, b
}

// prod3 returns s·a·b·c elementwise for equal shapes; c may be nil (s·a·b).
func prod3(a, b, c *Tensor, s float64) *Tensor {
	checkSame("prod3", a, b, c)
	n := len(a.data)
	out := newLike(a)
	if c == nil {
		parallelFor(n, n, func(lo, hi int) {
			d, x, y := out.data[lo:hi], a.data[lo:hi], b.data[lo:hi]
			x, y = x[:len(d)], y[:len(d)]
			for i := range d {
				d[i] = s * x[i] * y[i]
			}
		})
		return record(out, "prod2", prod2VJP(s), a, b)
	}
	parallelFor(n, n, func(lo, hi int) {
		d, x, y, z := out.data[lo:hi], a.data[lo:hi], b.data[lo:hi], c.data[lo:hi]
		x, y, z = x[:len(d)], y[:len(d)], z[:len(d)]
		for i := range d {
			d[i] = s * x[i] * y[i] * z[i]
		}
	})
	return record(out, "prod3", prod3VJP(s), a, b, c)
}

func prod2VJP(s float64) vjpFunc {
	return func(_, g *Tensor, in []*Tensor, need []bool) []*Tensor {
		r := make([]*Tensor, 2)
		if need[0] {
			r[0] = prod3(g, in[1], nil, s)
		}
		if need[1] {
			r[1] = prod3(g, in[0], nil, s)
		}
		return r
	}
}

func prod3VJP(s float64) vjpFunc {
	return func(_, g *Tensor, in []*Tensor, need []bool) []*Tensor {
		r := make([]*Tensor, 3)
		if need[0] {
			r[0] = prod3(g, in[1], in[2], s)
		}
		if need[1] {
			r[1] = prod3(g, in[0], in[2], s)
		}
		if need[2] {
			r[2] = prod3(g, in[0], in[1], s)
		}
		return r
	}
}

// sigmoidGrad returns up·y·(1−y), the backward rule of y = sigmoid(x).
func sigmoidGrad(up, y *Tensor) *Tensor {
	checkSame("sigmoidGrad", up, y)
	n := len(up.data)
	out := newLike(up)
	parallelFor(n, n, func(lo, hi int) {
		d, u, v := out.data[lo:hi], up.data[lo:hi], y.data[lo:hi]
		u, v = u[:len(d)], v[:len(d)]
		for i := range d {
			d[i] = u[i] * v[i] * (1 - v[i])
		}
	})
	return record(out, "sigmoidGrad", sigmoidGradVJP, up, y)
}

func sigmoidGradVJP(_, g *Tensor, in []*Tensor, need []bool) []*Tensor {
	r := make([]*Tensor, 2)
	if need[0] {
		r[0] = sigmoidGrad(g, in[1])
	}
	if need[1] {
		// ∂/∂y [u·y·(1−y)] = u·(1−2y)
		r[1] = Mul(prod3(g, in[0], nil, 1), AddScalar(Scale(in[1], -2), 1))
	}
	return r
}

// geluDeriv returns Φ(x) + x·φ(x), the derivative of GELU.
func geluDeriv(x *Tensor) *Tensor {
	return unary("geluDeriv", x, costTrans, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			v := src[i]
			dst[i] = 0.5*(1+math.Erf(v/math.Sqrt2)) + v*math.Exp(-0.5*v*v)/math.Sqrt(2*math.Pi)
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		// d/dx [Φ + xφ] = φ·(2 − x²)
		x := in[0]
		sq := Square(x)
		phi := Scale(Exp(Scale(sq, -0.5)), 1/math.Sqrt(2*math.Pi))
		return []*Tensor{Mul(up, Mul(phi, AddScalar(Neg(sq), 2)))}
	})
}
