package autodiff

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// one wraps a single-output function of the inputs.
func one(f func(xs []*Tensor) *Tensor) func([]*Tensor) []*Tensor {
	return func(xs []*Tensor) []*Tensor { return []*Tensor{f(xs)} }
}

func un(f func(*Tensor) *Tensor) func([]*Tensor) []*Tensor {
	return one(func(xs []*Tensor) *Tensor { return f(xs[0]) })
}

func bin(f func(a, b *Tensor) *Tensor) func([]*Tensor) []*Tensor {
	return one(func(xs []*Tensor) *Tensor { return f(xs[0], xs[1]) })
}

// awayFromZero moves inputs out of (−0.2, 0.2), for ops with a kink or pole at 0.
func awayFromZero(_ *rand.Rand, _ int, x []float64) {
	for i, v := range x {
		if v >= 0 && v < 0.2 {
			x[i] += 0.2
		} else if v < 0 && v > -0.2 {
			x[i] -= 0.2
		}
	}
}

func TestElementwiseBinaryFD(t *testing.T) {
	shapes := [][2][]int{
		{{3, 4}, {3, 4}},
		{{3, 4}, {1, 4}},
		{{1, 4}, {3, 4}},
		{{3, 4}, {3, 1}},
		{{3, 1}, {3, 4}},
		{{3, 4}, {1, 1}},
		{{1, 1}, {3, 4}},
		{{2, 3, 3}, {2, 3, 3}},
		{{2, 3, 3}, {1, 1}},
		{{1, 1}, {2, 3, 2}},
		{{2, 3, 3}, {2, 1}},
		{{2, 1}, {2, 2, 3}},
	}
	ops := []struct {
		name string
		f    func(a, b *Tensor) *Tensor
	}{{"Add", Add}, {"Sub", Sub}, {"Mul", Mul}, {"Div", Div}}
	for _, op := range ops {
		for _, s := range shapes {
			c := fdCase{name: fmt.Sprintf("%s%v%v", op.name, s[0], s[1]), shapes: s[:], f: bin(op.f)}
			if op.name == "Div" {
				c.lo, c.hi = 0.5, 2
			}
			t.Run(c.name, func(t *testing.T) { runFD(t, c) })
		}
	}
}

func TestUnaryFD(t *testing.T) {
	cases := []fdCase{
		{name: "Neg", f: un(Neg)},
		{name: "Scale", f: un(func(a *Tensor) *Tensor { return Scale(a, -2.5) })},
		{name: "AddScalar", f: un(func(a *Tensor) *Tensor { return AddScalar(a, 1.5) })},
		{name: "Pow3", f: un(func(a *Tensor) *Tensor { return Pow(a, 3) })},
		{name: "Pow2", f: un(func(a *Tensor) *Tensor { return Pow(a, 2) })},
		{name: "Pow1", f: un(func(a *Tensor) *Tensor { return Pow(a, 1) })},
		{name: "Pow0", f: un(func(a *Tensor) *Tensor { return Pow(a, 0) })},
		{name: "PowHalf", lo: 0.5, hi: 2, f: un(func(a *Tensor) *Tensor { return Pow(a, 0.5) })},
		{name: "PowNeg", lo: 0.5, hi: 2, f: un(func(a *Tensor) *Tensor { return Pow(a, -1.5) })},
		{name: "Square", f: un(Square)},
		{name: "Sqrt", lo: 0.5, hi: 2, f: un(Sqrt)},
		{name: "Abs", init: awayFromZero, f: un(Abs)},
		{name: "Exp", f: un(Exp)},
		{name: "Log", lo: 0.5, hi: 2, f: un(Log)},
		{name: "Tanh", lo: -2, hi: 2, f: un(Tanh)},
		{name: "Sin", lo: -3, hi: 3, f: un(Sin)},
		{name: "Cos", lo: -3, hi: 3, f: un(Cos)},
		{name: "Sigmoid", lo: -3, hi: 3, f: un(Sigmoid)},
		{name: "Softplus", lo: -3, hi: 3, f: un(Softplus)},
		{name: "Erf", lo: -2, hi: 2, f: un(Erf)},
		{name: "GELU", lo: -3, hi: 3, f: un(GELU)},
		{name: "ReLU", init: awayFromZero, f: un(ReLU)},
	}
	for _, c := range cases {
		for _, shape := range [][]int{{3, 4}, {2, 2, 3}} {
			c := c
			c.shapes = [][]int{shape}
			t.Run(fmt.Sprintf("%s%v", c.name, shape), func(t *testing.T) { runFD(t, c) })
		}
	}
}

func TestFusedFD(t *testing.T) {
	cases := []fdCase{
		{name: "tanhGrad", shapes: [][]int{{3, 4}, {3, 4}}, f: bin(tanhGrad)},
		{name: "sigmoidGrad", shapes: [][]int{{3, 4}, {3, 4}}, f: bin(sigmoidGrad)},
		{name: "prod2", shapes: [][]int{{3, 4}, {3, 4}}, f: bin(func(a, b *Tensor) *Tensor { return prod3(a, b, nil, -1.5) })},
		{name: "prod3", shapes: [][]int{{3, 4}, {3, 4}, {3, 4}}, f: one(func(xs []*Tensor) *Tensor { return prod3(xs[0], xs[1], xs[2], 0.5) })},
		{name: "geluDeriv", shapes: [][]int{{3, 4}}, lo: -3, hi: 3, f: un(geluDeriv)},
		{name: "expandScalar", shapes: [][]int{{1, 1}}, f: un(func(a *Tensor) *Tensor { return expand(a, []int{3, 2}) })},
		{name: "expandRow", shapes: [][]int{{1, 3}}, f: un(func(a *Tensor) *Tensor { return expand(a, []int{4, 3}) })},
		{name: "expandCol", shapes: [][]int{{4, 1}}, f: un(func(a *Tensor) *Tensor { return expand(a, []int{4, 3}) })},
		{name: "expandBatch", shapes: [][]int{{2, 1}}, f: un(func(a *Tensor) *Tensor { return expand(a, []int{2, 3, 3}) })},
		{name: "scatter", shapes: [][]int{{3, 3}}, f: un(func(a *Tensor) *Tensor { return scatter(a, []int{4, 0, 4}, 5) })},
		{name: "clone", shapes: [][]int{{3, 2}}, f: un(func(a *Tensor) *Tensor { return Square(clone(a)) })},
		{name: "diagEmbed", shapes: [][]int{{3, 1}}, f: un(func(a *Tensor) *Tensor { return diagEmbed(a, 3) })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runFD(t, c) })
	}
}

func TestMatrixFD(t *testing.T) {
	// The products are bilinear, so the second-order check compares the
	// cross derivatives; tanh in front makes them non-trivial.
	th := func(f func(a, b *Tensor) *Tensor) func([]*Tensor) []*Tensor {
		return bin(func(a, b *Tensor) *Tensor { return Tanh(f(a, b)) })
	}
	cases := []fdCase{
		{name: "MatMul", shapes: [][]int{{3, 4}, {4, 2}}, f: th(MatMul)},
		{name: "MatMulT_TN", shapes: [][]int{{4, 3}, {4, 2}}, f: th(func(a, b *Tensor) *Tensor { return MatMulT(a, b, true, false) })},
		{name: "MatMulT_NT", shapes: [][]int{{3, 4}, {2, 4}}, f: th(func(a, b *Tensor) *Tensor { return MatMulT(a, b, false, true) })},
		{name: "MatMulT_TT", shapes: [][]int{{4, 3}, {2, 4}}, f: th(func(a, b *Tensor) *Tensor { return MatMulT(a, b, true, true) })},
		{name: "MatMulOuter", shapes: [][]int{{5, 1}, {1, 3}}, f: bin(MatMul)},
		{name: "Linear", shapes: [][]int{{5, 3}, {3, 4}, {1, 4}}, f: one(func(xs []*Tensor) *Tensor { return Tanh(Linear(xs[0], xs[1], xs[2])) })},
		{name: "LinearTanh", shapes: [][]int{{5, 3}, {3, 4}, {1, 4}}, f: one(func(xs []*Tensor) *Tensor { return LinearTanh(xs[0], xs[1], xs[2]) })},
		{name: "LinearTanhNoBias", shapes: [][]int{{5, 3}, {3, 4}}, f: one(func(xs []*Tensor) *Tensor { return LinearTanh(xs[0], xs[1], nil) })},
		{name: "LinearTanhBig", shapes: [][]int{{70, 3}, {3, 64}, {1, 64}}, order: 1, f: one(func(xs []*Tensor) *Tensor { return Square(LinearTanh(xs[0], xs[1], xs[2])) })},
		{name: "LinearNoBias", shapes: [][]int{{5, 3}, {3, 4}}, f: one(func(xs []*Tensor) *Tensor { return Tanh(Linear(xs[0], xs[1], nil)) })},
		{name: "BatchMatMul", shapes: [][]int{{2, 3, 4}, {2, 4, 2}}, f: th(BatchMatMul)},
		{name: "BatchMatMulT_TN", shapes: [][]int{{2, 4, 3}, {2, 4, 2}}, f: th(func(a, b *Tensor) *Tensor { return BatchMatMulT(a, b, true, false) })},
		{name: "BatchMatMulT_NT", shapes: [][]int{{2, 3, 4}, {2, 2, 4}}, f: th(func(a, b *Tensor) *Tensor { return BatchMatMulT(a, b, false, true) })},
		{name: "BatchMatMulT_TT", shapes: [][]int{{2, 4, 3}, {2, 2, 4}}, f: th(func(a, b *Tensor) *Tensor { return BatchMatMulT(a, b, true, true) })},
		{name: "Trace", shapes: [][]int{{3, 3, 3}}, f: un(func(a *Tensor) *Tensor { return Square(Trace(a)) })},
		{name: "Commutator", shapes: [][]int{{2, 3, 3}, {2, 3, 3}}, f: bin(Commutator)},
		{name: "Det1", shapes: [][]int{{3, 1, 1}}, f: un(Det)},
		{name: "Det2", shapes: [][]int{{3, 2, 2}}, f: un(Det)},
		{name: "Det3", shapes: [][]int{{3, 3, 3}}, f: un(Det)},
		{name: "Det4", shapes: [][]int{{3, 4, 4}}, f: un(Det)},
		{name: "LogAbsDet3", shapes: [][]int{{3, 3, 3}}, init: diagDominant, f: un(LogAbsDet)},
		{name: "Transpose2", shapes: [][]int{{3, 4}}, f: un(func(a *Tensor) *Tensor { return Square(Transpose(a)) })},
		{name: "Transpose3", shapes: [][]int{{2, 3, 4}}, f: un(func(a *Tensor) *Tensor { return Square(Transpose(a)) })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runFD(t, c) })
	}
}

// diagDominant adds 3 to the diagonal of square matrices in a rank-3 input
// (so determinants stay away from zero).
func diagDominant(_ *rand.Rand, _ int, x []float64) {
	for _, n := range []int{4, 3, 2} {
		if len(x)%(n*n) == 0 {
			for q := 0; q < len(x)/(n*n); q++ {
				for i := range n {
					x[q*n*n+i*n+i] += 3
				}
			}
			return
		}
	}
}

func TestReduceShapeFD(t *testing.T) {
	sq := func(f func(*Tensor) *Tensor) func([]*Tensor) []*Tensor {
		return un(func(a *Tensor) *Tensor { return Square(f(a)) })
	}
	cases := []fdCase{
		{name: "Sum", shapes: [][]int{{3, 4}}, f: sq(Sum)},
		{name: "Sum3", shapes: [][]int{{2, 3, 4}}, f: sq(Sum)},
		{name: "Mean", shapes: [][]int{{3, 4}}, f: sq(Mean)},
		{name: "SumAxis0", shapes: [][]int{{3, 4}}, f: sq(func(a *Tensor) *Tensor { return SumAxis(a, 0) })},
		{name: "SumAxis1", shapes: [][]int{{3, 4}}, f: sq(func(a *Tensor) *Tensor { return SumAxis(a, 1) })},
		{name: "MeanAxis0", shapes: [][]int{{3, 4}}, f: sq(func(a *Tensor) *Tensor { return MeanAxis(a, 0) })},
		{name: "MeanAxis1", shapes: [][]int{{3, 4}}, f: sq(func(a *Tensor) *Tensor { return MeanAxis(a, 1) })},
		{name: "Slice", shapes: [][]int{{3, 5}}, f: sq(func(a *Tensor) *Tensor { return Slice(a, 1, 4) })},
		{name: "Col", shapes: [][]int{{3, 5}}, f: sq(func(a *Tensor) *Tensor { return Col(a, 2) })},
		{name: "Select", shapes: [][]int{{3, 5}}, f: sq(func(a *Tensor) *Tensor { return Select(a, []int{4, 0, 4, 2}) })},
		{name: "Concat", shapes: [][]int{{3, 2}, {3, 1}, {3, 3}}, f: one(func(xs []*Tensor) *Tensor { return Square(Concat(xs...)) })},
		{name: "ConcatSame", shapes: [][]int{{3, 2}}, f: one(func(xs []*Tensor) *Tensor { return Square(Concat(xs[0], xs[0])) })},
		{name: "Reshape", shapes: [][]int{{3, 4}}, f: sq(func(a *Tensor) *Tensor { return Reshape(a, 3, 2, 2) })},
		{name: "ReshapeBack", shapes: [][]int{{3, 2, 2}}, f: sq(func(a *Tensor) *Tensor { return Reshape(a, 3, 4) })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runFD(t, c) })
	}
}

func TestComplexFD(t *testing.T) {
	cx := func(xs []*Tensor, i int) Complex { return Complex{xs[2*i], xs[2*i+1]} }
	out := func(c Complex) []*Tensor { return []*Tensor{c.Re, c.Im} }
	cases := []fdCase{
		{name: "CMul", shapes: [][]int{{3, 2}, {3, 2}, {3, 2}, {3, 2}}, f: func(xs []*Tensor) []*Tensor { return out(CMul(cx(xs, 0), cx(xs, 1))) }},
		{name: "CMulBroadcast", shapes: [][]int{{2, 2, 2}, {2, 2, 2}, {2, 1}, {2, 1}}, f: func(xs []*Tensor) []*Tensor { return out(CMul(cx(xs, 0), cx(xs, 1))) }},
		{name: "CAddSub", shapes: [][]int{{3, 2}, {3, 2}, {1, 2}, {1, 2}}, f: func(xs []*Tensor) []*Tensor {
			return out(CMul(CAdd(cx(xs, 0), cx(xs, 1)), CSub(cx(xs, 0), cx(xs, 1))))
		}},
		{name: "CConj", shapes: [][]int{{3, 2}, {3, 2}}, f: func(xs []*Tensor) []*Tensor { return out(CMul(CConj(cx(xs, 0)), cx(xs, 0))) }},
		{name: "CAbs2", shapes: [][]int{{3, 2}, {3, 2}}, f: func(xs []*Tensor) []*Tensor { return []*Tensor{CAbs2(cx(xs, 0))} }},
		{name: "CConjTranspose", shapes: [][]int{{2, 2, 3}, {2, 2, 3}}, f: func(xs []*Tensor) []*Tensor {
			return out(CBatchMatMul(CConjTranspose(cx(xs, 0)), cx(xs, 0)))
		}},
		{name: "CBatchMatMul", shapes: [][]int{{2, 2, 3}, {2, 2, 3}, {2, 3, 2}, {2, 3, 2}}, f: func(xs []*Tensor) []*Tensor {
			return out(CBatchMatMul(cx(xs, 0), cx(xs, 1)))
		}},
		{name: "CDet2", shapes: [][]int{{2, 2, 2}, {2, 2, 2}}, f: func(xs []*Tensor) []*Tensor { return out(CDet(cx(xs, 0))) }},
		{name: "CDet3", shapes: [][]int{{2, 3, 3}, {2, 3, 3}}, f: func(xs []*Tensor) []*Tensor { return out(CDet(cx(xs, 0))) }},
		{name: "CDet4", shapes: [][]int{{2, 4, 4}, {2, 4, 4}}, f: func(xs []*Tensor) []*Tensor { return out(CDet(cx(xs, 0))) }},
		{name: "CLogAbsDet3", shapes: [][]int{{2, 3, 3}, {2, 3, 3}}, init: func(rng *rand.Rand, i int, x []float64) {
			if i == 0 {
				diagDominant(rng, i, x)
			}
		}, f: func(xs []*Tensor) []*Tensor { return []*Tensor{CLogAbsDet(cx(xs, 0))} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runFD(t, c) })
	}
}
