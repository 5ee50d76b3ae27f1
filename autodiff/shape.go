package autodiff

import "fmt"

func want2(op string, a *Tensor) {
	if len(a.shape) != 2 {
		panic(fmt.Sprintf("autodiff: %s: want a rank-2 tensor, got shape %v", op, a.shape))
	}
}

// Slice returns columns [from,to) of a rank-2 tensor.
func Slice(a *Tensor, from, to int) *Tensor {
	want2("Slice", a)
	if from < 0 || to > a.shape[1] || from >= to {
		panic(fmt.Sprintf("autodiff: Slice: columns [%d,%d) out of range for shape %v", from, to, a.shape))
	}
	cols := make([]int, to-from)
	for i := range cols {
		cols[i] = from + i
	}
	return gather("Slice", a, cols)
}

// Col returns column j of a rank-2 tensor as [r,1].
func Col(a *Tensor, j int) *Tensor {
	want2("Col", a)
	if j < 0 || j >= a.shape[1] {
		panic(fmt.Sprintf("autodiff: Col: column %d out of range for shape %v", j, a.shape))
	}
	return gather("Col", a, []int{j})
}

// Select gathers the given columns (repeats allowed) of a rank-2 tensor.
func Select(a *Tensor, cols []int) *Tensor {
	want2("Select", a)
	if len(cols) == 0 {
		panic("autodiff: Select: no columns")
	}
	for _, j := range cols {
		if j < 0 || j >= a.shape[1] {
			panic(fmt.Sprintf("autodiff: Select: column %d out of range for shape %v", j, a.shape))
		}
	}
	return gather("Select", a, append([]int(nil), cols...))
}

// gather copies columns cols of a; cols is owned by the op.
func gather(op string, a *Tensor, cols []int) *Tensor {
	r, c, k := a.shape[0], a.shape[1], len(cols)
	out := newUninit([]int{r, k})
	contiguous := true
	for i := 1; i < k; i++ {
		if cols[i] != cols[0]+i {
			contiguous = false
			break
		}
	}
	for i := range r {
		src, dst := a.data[i*c:(i+1)*c], out.data[i*k:(i+1)*k]
		if contiguous {
			copy(dst, src[cols[0]:])
			continue
		}
		for q, j := range cols {
			dst[q] = src[j]
		}
	}
	return record(out, op, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{scatter(up, cols, in[0].shape[1])}
	}, a)
}

// scatter returns the [r,c] tensor whose columns cols hold (accumulate) the
// columns of g: the backward rule of gather.
func scatter(g *Tensor, cols []int, c int) *Tensor {
	r, k := g.shape[0], g.shape[1]
	out := newTensor([]int{r, c})
	for i := range r {
		src, dst := g.data[i*k:(i+1)*k], out.data[i*c:(i+1)*c]
		for q, j := range cols {
			dst[j] += src[q]
		}
	}
	return record(out, "scatter", func(_, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{gather("gather", up, cols)}
	}, g)
}

// Concat concatenates rank-2 tensors with equal row counts along the columns.
func Concat(ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("autodiff: Concat: no tensors")
	}
	if len(ts) == 1 {
		return ts[0]
	}
	r := ts[0].shape[0]
	c := 0
	for _, t := range ts {
		want2("Concat", t)
		if t.shape[0] != r {
			panic(fmt.Sprintf("autodiff: Concat: row counts differ: %v and %v", ts[0].shape, t.shape))
		}
		c += t.shape[1]
	}
	out := newUninit([]int{r, c})
	off := 0
	for _, t := range ts {
		k := t.shape[1]
		for i := range r {
			copy(out.data[i*c+off:i*c+off+k], t.data[i*k:(i+1)*k])
		}
		off += k
	}
	inputs := append([]*Tensor(nil), ts...)
	return record(out, "Concat", func(_, up *Tensor, in []*Tensor, need []bool) []*Tensor {
		g := make([]*Tensor, len(in))
		off := 0
		for i, t := range in {
			k := t.shape[1]
			if need[i] {
				g[i] = Slice(up, off, off+k)
			}
			off += k
		}
		return g
	}, inputs...)
}

// Reshape returns a tensor with the same data (shared, not copied) and a new
// shape of the same size, e.g. [b, n·n] ↔ [b, n, n].
func Reshape(a *Tensor, shape ...int) *Tensor {
	checkShape(shape)
	if shapeSize(shape) != len(a.data) {
		panic(fmt.Sprintf("autodiff: Reshape: cannot reshape %v to %v", a.shape, shape))
	}
	out := &Tensor{data: a.data, shape: append([]int(nil), shape...)}
	return record(out, "Reshape", func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Reshape(up, in[0].shape...)}
	}, a)
}

// Transpose returns the matrix transpose of a rank-2 tensor, or the transpose of
// each matrix of a rank-3 batch ([b,n,m] → [b,m,n]).
func Transpose(a *Tensor) *Tensor {
	var out *Tensor
	switch len(a.shape) {
	case 2:
		r, c := a.shape[0], a.shape[1]
		out = newUninit([]int{c, r})
		transposeInto(out.data, a.data, r, c)
	case 3:
		b, n, m := a.shape[0], a.shape[1], a.shape[2]
		out = newUninit([]int{b, m, n})
		for k := range b {
			transposeInto(out.data[k*n*m:(k+1)*n*m], a.data[k*n*m:(k+1)*n*m], n, m)
		}
	}
	return record(out, "Transpose", func(_, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Transpose(up)}
	}, a)
}

// transposeInto writes the transpose of the r×c matrix src into dst (c×r).
func transposeInto(dst, src []float64, r, c int) {
	for i := range r {
		row := src[i*c : (i+1)*c]
		for j, v := range row {
			dst[j*r+i] = v
		}
	}
}
