package autodiff

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// matDims returns the rows and columns of op(a) for a rank-2 tensor.
func matDims(op string, a *Tensor, t bool) (int, int) {
	if len(a.shape) != 2 {
		panic(fmt.Sprintf("autodiff: %s: want a rank-2 tensor, got shape %v", op, a.shape))
	}
	if t {
		return a.shape[1], a.shape[0]
	}
	return a.shape[0], a.shape[1]
}

// gemm computes c = alpha·op(a)·op(b) + beta·c through blas64 (so an
// implementation installed with blas64.Use is used), with op a transpose flag:
// no copies are made.
func gemm(ta, tb bool, alpha float64, a, b *Tensor, beta float64, c []float64, m, n int) {
	blas64.Gemm(trans(ta), trans(tb), alpha,
		blas64.General{Rows: a.shape[0], Cols: a.shape[1], Data: a.data, Stride: a.shape[1]},
		blas64.General{Rows: b.shape[0], Cols: b.shape[1], Data: b.data, Stride: b.shape[1]},
		beta,
		blas64.General{Rows: m, Cols: n, Data: c, Stride: n})
}

// MatMul returns the matrix product a·b of rank-2 tensors [r,k]·[k,c] → [r,c].
func MatMul(a, b *Tensor) *Tensor { return MatMulT(a, b, false, false) }

// MatMulT returns op(a)·op(b), where op transposes when the flag is set. The
// transposes are passed to GEMM as flags, never materialised.
func MatMulT(a, b *Tensor, transA, transB bool) *Tensor {
	m, k := matDims("MatMulT", a, transA)
	k2, n := matDims("MatMulT", b, transB)
	if k != k2 {
		panic(fmt.Sprintf("autodiff: MatMulT: inner dimensions differ: %v (trans %v) · %v (trans %v)", a.shape, transA, b.shape, transB))
	}
	out := newUninit([]int{m, n})
	gemm(transA, transB, 1, a, b, 0, out.data, m, n)
	return record(out, "MatMulT", matMulVJP(transA, transB), a, b)
}

// matMulVJP is the backward rule of C = op(A)·op(B):
// ∂A = G·op(B)ᵀ (or its transpose), ∂B = op(A)ᵀ·G (or its transpose).
func matMulVJP(ta, tb bool) vjpFunc {
	return func(_, g *Tensor, in []*Tensor, need []bool) []*Tensor {
		a, b := in[0], in[1]
		r := make([]*Tensor, 2)
		if need[0] {
			if ta {
				r[0] = MatMulT(b, g, tb, true)
			} else {
				r[0] = MatMulT(g, b, false, !tb)
			}
		}
		if need[1] {
			if tb {
				r[1] = MatMulT(g, a, true, ta)
			} else {
				r[1] = MatMulT(a, g, !ta, false)
			}
		}
		return r
	}
}

// Linear returns x·w + b for x [r,k], w [k,c] and a bias row b [1,c] (b may be
// nil). It is one fused op: the bias is written into the output and GEMM
// accumulates onto it.
func Linear(x, w, b *Tensor) *Tensor {
	if b == nil {
		return MatMul(x, w)
	}
	out := linearInto("Linear", x, w, b)
	return record(out, "Linear", linearVJP, x, w, b)
}

// linearInto returns the unrecorded x·w + b for a bias row b.
func linearInto(op string, x, w, b *Tensor) *Tensor {
	m, k := matDims(op, x, false)
	k2, n := matDims(op, w, false)
	if k != k2 {
		panic(fmt.Sprintf("autodiff: %s: inner dimensions differ: %v · %v", op, x.shape, w.shape))
	}
	if len(b.shape) != 2 || b.shape[0] != 1 || b.shape[1] != n {
		panic(fmt.Sprintf("autodiff: %s: bias shape %v, want [1,%d]", op, b.shape, n))
	}
	out := newUninit([]int{m, n})
	for i := range m {
		copy(out.data[i*n:(i+1)*n], b.data)
	}
	gemm(false, false, 1, x, w, 1, out.data, m, n)
	return out
}

// linearVJP is the backward rule of Linear (and, with two inputs, of an
// unbiased product).
func linearVJP(_, g *Tensor, in []*Tensor, need []bool) []*Tensor {
	r := make([]*Tensor, 3)
	if need[0] {
		r[0] = MatMulT(g, in[1], false, true)
	}
	if need[1] {
		r[1] = MatMulT(in[0], g, true, false)
	}
	if len(in) > 2 && need[2] {
		r[2] = SumAxis(g, 0)
	}
	return r
}

// LinearTanh returns tanh(x·w + b), the hidden layer of a tanh MLP, as one
// fused op: the pre-activation is never stored (tanh is applied in place on
// the GEMM output) and the backward rule works from the output alone. b may be
// nil. It equals Tanh(Linear(x, w, b)) and saves one buffer per layer and call.
func LinearTanh(x, w, b *Tensor) *Tensor {
	var out *Tensor
	if b == nil {
		m, k := matDims("LinearTanh", x, false)
		k2, n := matDims("LinearTanh", w, false)
		if k != k2 {
			panic(fmt.Sprintf("autodiff: LinearTanh: inner dimensions differ: %v · %v", x.shape, w.shape))
		}
		out = newUninit([]int{m, n})
		gemm(false, false, 1, x, w, 0, out.data, m, n)
	} else {
		out = linearInto("LinearTanh", x, w, b)
	}
	n := len(out.data)
	parallelFor(n, n*costTrans, func(lo, hi int) { tanhSlice(out.data[lo:hi], out.data[lo:hi]) })
	if b == nil {
		return record(out, "LinearTanh", linearTanhVJP, x, w)
	}
	return record(out, "LinearTanh", linearTanhVJP, x, w, b)
}

// linearTanhVJP back-propagates through y = tanh(x·w + b): with the
// pre-activation gradient gz = g·(1−y²), ∂x = gz·wᵀ, ∂w = xᵀ·gz, ∂b = Σ_rows gz.
func linearTanhVJP(out, g *Tensor, in []*Tensor, need []bool) []*Tensor {
	gz := tanhGrad(g, out)
	r := linearVJP(nil, gz, in, need)[:len(in)]
	for _, ri := range r {
		if ri != nil && ri.requiresGrad {
			return r // gz is part of a recorded graph
		}
	}
	// gz is a temporary: no recorded op refers to it and the results do not
	// alias it.
	putBuf(gz.data)
	return r
}
