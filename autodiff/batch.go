package autodiff

import (
	"fmt"
	"math/bits"
)

func want3(op string, a *Tensor) {
	if len(a.shape) != 3 {
		panic(fmt.Sprintf("autodiff: %s: want a rank-3 tensor [b,n,m], got shape %v", op, a.shape))
	}
}

func wantSquare(op string, a *Tensor) int {
	want3(op, a)
	if a.shape[1] != a.shape[2] {
		panic(fmt.Sprintf("autodiff: %s: want square matrices, got shape %v", op, a.shape))
	}
	return a.shape[1]
}

// BatchMatMul returns the per-element matrix products [b,n,k]·[b,k,m] → [b,n,m].
func BatchMatMul(a, b *Tensor) *Tensor { return BatchMatMulT(a, b, false, false) }

// BatchMatMulT returns op(a)·op(b) for each element of the batch, where op
// transposes each matrix when its flag is set (no copies are made). The
// matrices are small (n ≲ 10), so the products are direct loops rather than
// one GEMM call per matrix.
func BatchMatMulT(a, b *Tensor, transA, transB bool) *Tensor {
	want3("BatchMatMulT", a)
	want3("BatchMatMulT", b)
	nb := a.shape[0]
	n, k := a.shape[1], a.shape[2]
	if transA {
		n, k = k, n
	}
	k2, m := b.shape[1], b.shape[2]
	if transB {
		k2, m = m, k2
	}
	if b.shape[0] != nb || k != k2 {
		panic(fmt.Sprintf("autodiff: BatchMatMulT: shapes %v (trans %v) and %v (trans %v) do not match", a.shape, transA, b.shape, transB))
	}
	// Strides of op(A)[i][p] and op(B)[p][j] within one matrix.
	ai, ap := a.shape[2], 1
	if transA {
		ai, ap = 1, a.shape[2]
	}
	bp, bj := b.shape[2], 1
	if transB {
		bp, bj = 1, b.shape[2]
	}
	sa, sb := a.shape[1]*a.shape[2], b.shape[1]*b.shape[2]
	out := newUninit([]int{nb, n, m})
	parallelFor(nb, nb*n*m*k, func(lo, hi int) {
		for q := lo; q < hi; q++ {
			A, B := a.data[q*sa:(q+1)*sa], b.data[q*sb:(q+1)*sb]
			C := out.data[q*n*m : (q+1)*n*m]
			for i := range n {
				for j := range m {
					var s float64
					for p := range k {
						s += A[i*ai+p*ap] * B[p*bp+j*bj]
					}
					C[i*m+j] = s
				}
			}
		}
	})
	return record(out, "BatchMatMulT", batchMatMulVJP(transA, transB), a, b)
}

func batchMatMulVJP(ta, tb bool) vjpFunc {
	return func(_, g *Tensor, in []*Tensor, need []bool) []*Tensor {
		a, b := in[0], in[1]
		r := make([]*Tensor, 2)
		if need[0] {
			if ta {
				r[0] = BatchMatMulT(b, g, tb, true)
			} else {
				r[0] = BatchMatMulT(g, b, false, !tb)
			}
		}
		if need[1] {
			if tb {
				r[1] = BatchMatMulT(g, a, true, ta)
			} else {
				r[1] = BatchMatMulT(a, g, !ta, false)
			}
		}
		return r
	}
}

// Trace returns the trace of each matrix: [b,n,n] → [b,1].
func Trace(a *Tensor) *Tensor {
	n := wantSquare("Trace", a)
	nb := a.shape[0]
	out := newTensor([]int{nb, 1})
	for q := range nb {
		m := a.data[q*n*n : (q+1)*n*n]
		var s float64
		for i := range n {
			s += m[i*n+i]
		}
		out.data[q] = s
	}
	return record(out, "Trace", func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{diagEmbed(up, in[0].shape[1])}
	}, a)
}

// diagEmbed returns the [b,n,n] batch of matrices d[q]·I for d [b,1]: the
// backward rule of Trace.
func diagEmbed(d *Tensor, n int) *Tensor {
	nb := d.shape[0]
	out := newTensor([]int{nb, n, n})
	for q := range nb {
		for i := range n {
			out.data[q*n*n+i*n+i] = d.data[q]
		}
	}
	return record(out, "diagEmbed", func(_, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Trace(up)}
	}, d)
}

// Commutator returns [A,B] = AB − BA for each element of the batch.
func Commutator(a, b *Tensor) *Tensor {
	return Sub(BatchMatMul(a, b), BatchMatMul(b, a))
}

// maxDet is the largest matrix size supported by Det and CDet.
const maxDet = 4

// Det returns the determinant of each matrix: [b,n,n] → [b,1], for n ≤ 4. It is
// a Laplace expansion written in the package's ops on [b,1] columns, with the
// minors shared, so derivatives of any order work.
func Det(a *Tensor) *Tensor {
	n := wantSquare("Det", a)
	if n > maxDet {
		panic(fmt.Sprintf("autodiff: Det: matrices of size %d; at most %d supported", n, maxDet))
	}
	flat := Reshape(a, a.shape[0], n*n)
	entries := make([]*Tensor, n*n)
	entry := func(i, j int) *Tensor {
		if entries[i*n+j] == nil {
			entries[i*n+j] = Col(flat, i*n+j)
		}
		return entries[i*n+j]
	}
	return laplace(n, func(i, j int, minor *Tensor, negative bool, acc *Tensor) *Tensor {
		t := entry(i, j)
		if minor != nil {
			t = Mul(t, minor)
		}
		switch {
		case acc == nil && negative:
			return Neg(t)
		case acc == nil:
			return t
		case negative:
			return Sub(acc, t)
		default:
			return Add(acc, t)
		}
	})
}

// laplace expands the determinant of an n×n matrix along its rows, sharing the
// minors of the bottom rows (indexed by their column set). term folds
// ±a[i][j]·minor into the running sum acc (nil at the start); minor is nil for
// the last row.
func laplace[T comparable](n int, term func(i, j int, minor T, negative bool, acc T) T) T {
	var zero T
	memo := map[uint]T{}
	var det func(cols uint) T
	det = func(cols uint) T {
		if v, ok := memo[cols]; ok {
			return v
		}
		row := n - bits.OnesCount(cols)
		acc := zero
		pos := 0
		for j := range n {
			if cols&(1<<j) == 0 {
				continue
			}
			minor := zero
			if rest := cols &^ (1 << j); rest != 0 {
				minor = det(rest)
			}
			acc = term(row, j, minor, pos%2 == 1, acc)
			pos++
		}
		memo[cols] = acc
		return acc
	}
	return det(1<<n - 1)
}
