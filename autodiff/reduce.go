package autodiff

import "fmt"

// sumBlock is the block size of Sum's partial sums. The blocks are fixed, so the
// result does not depend on the number of goroutines.
const sumBlock = 4096

// Sum returns the sum of all elements as a [1,1] tensor.
func Sum(a *Tensor) *Tensor {
	out := newTensor([]int{1, 1})
	out.data[0] = sumAll(a.data)
	return record(out, "Sum", func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{expand(up, in[0].shape)}
	}, a)
}

func sumAll(x []float64) float64 {
	nb := (len(x) + sumBlock - 1) / sumBlock
	part := make([]float64, nb)
	parallelFor(nb, len(x), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			var s float64
			for _, v := range x[k*sumBlock : min((k+1)*sumBlock, len(x))] {
				s += v
			}
			part[k] = s
		}
	})
	var s float64
	for _, v := range part {
		s += v
	}
	return s
}

// Mean returns the mean of all elements as a [1,1] tensor.
func Mean(a *Tensor) *Tensor {
	out := newTensor([]int{1, 1})
	n := float64(len(a.data))
	out.data[0] = sumAll(a.data) / n
	return record(out, "Mean", func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{expand(Scale(up, 1/n), in[0].shape)}
	}, a)
}

// SumAxis sums a rank-2 tensor [r,c] over axis 0 (the rows, giving [1,c]) or
// axis 1 (the columns, giving [r,1]).
func SumAxis(a *Tensor, axis int) *Tensor {
	return sumAxis("SumAxis", a, axis, 1)
}

// MeanAxis averages a rank-2 tensor over axis 0 (→ [1,c]) or axis 1 (→ [r,1]).
func MeanAxis(a *Tensor, axis int) *Tensor {
	if len(a.shape) != 2 {
		panic(fmt.Sprintf("autodiff: MeanAxis: want a rank-2 tensor, got shape %v", a.shape))
	}
	n := a.shape[0]
	if axis == 1 {
		n = a.shape[1]
	}
	return sumAxis("MeanAxis", a, axis, 1/float64(n))
}

// sumAxis returns s·(sum over axis).
func sumAxis(op string, a *Tensor, axis int, s float64) *Tensor {
	if len(a.shape) != 2 {
		panic(fmt.Sprintf("autodiff: %s: want a rank-2 tensor, got shape %v", op, a.shape))
	}
	r, c := a.shape[0], a.shape[1]
	var out *Tensor
	switch axis {
	case 0:
		out = newTensor([]int{1, c})
		// Split over columns: each part walks all rows in order, so the result
		// does not depend on the split.
		parallelFor(c, r*c, func(lo, hi int) {
			d := out.data[lo:hi]
			for i := range r {
				row := a.data[i*c+lo : i*c+hi]
				row = row[:len(d)]
				for j := range d {
					d[j] += row[j]
				}
			}
			if s != 1 {
				for j := range d {
					d[j] *= s
				}
			}
		})
	case 1:
		out = newTensor([]int{r, 1})
		parallelFor(r, r*c, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				var t float64
				for _, v := range a.data[i*c : (i+1)*c] {
					t += v
				}
				out.data[i] = s * t
			}
		})
	default:
		panic(fmt.Sprintf("autodiff: %s: axis must be 0 or 1, got %d", op, axis))
	}
	return record(out, op, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		if s != 1 {
			up = Scale(up, s)
		}
		return []*Tensor{expand(up, in[0].shape)}
	}, a)
}

// expand broadcasts a ([1,1], [1,c], [r,1], or [b,1] for a rank-3 shape) to shape.
func expand(a *Tensor, shape []int) *Tensor {
	if sameShape(a.shape, shape) {
		return a
	}
	bc := broadcast("expand", &Tensor{shape: shape}, a)
	if !sameShape(bc.shape, shape) {
		panic(fmt.Sprintf("autodiff: expand: cannot broadcast %v to %v", a.shape, shape))
	}
	r, c := bc.r, bc.c
	out := newUninit(shape)
	d := out.data
	switch bc.mb {
	case bScalar:
		v := a.data[0]
		for i := range d {
			d[i] = v
		}
	case bRow:
		for i := range r {
			copy(d[i*c:(i+1)*c], a.data)
		}
	case bCol:
		for i := range r {
			v := a.data[i]
			row := d[i*c : (i+1)*c]
			for j := range row {
				row[j] = v
			}
		}
	}
	return record(out, "expand", func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{reduceTo(up, in[0].shape)}
	}, a)
}

// reduceTo sums g down to shape, undoing a broadcast (the backward rule of
// broadcasting).
func reduceTo(g *Tensor, shape []int) *Tensor {
	gs := g.shape
	switch {
	case sameShape(gs, shape):
		return g
	case isScalarShape(shape):
		return Sum(g)
	case len(gs) == 2 && len(shape) == 2 && shape[0] == 1 && shape[1] == gs[1]:
		return SumAxis(g, 0)
	case len(gs) == 2 && len(shape) == 2 && shape[1] == 1 && shape[0] == gs[0]:
		return SumAxis(g, 1)
	case len(gs) == 3 && len(shape) == 2 && shape[1] == 1 && shape[0] == gs[0]:
		return SumAxis(Reshape(g, gs[0], gs[1]*gs[2]), 1)
	}
	panic(fmt.Sprintf("autodiff: internal error: cannot reduce %v to %v", gs, shape))
}
