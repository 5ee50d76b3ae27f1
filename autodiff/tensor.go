package autodiff

import (
	"fmt"
	"strings"
)

// Tensor is a dense row-major float64 array of rank 2 [rows, cols] or rank 3
// [batch, n, m] (a batch of small matrices), plus its place in the computation
// graph. Tensors are immutable once created, except that the values of a leaf
// (a Variable) may be updated in place through Data by an optimiser between
// graph constructions, and that Grad releases the values a Grad with
// CreateGraph recorded internally once they are used (see Grad).
type Tensor struct {
	data         []float64
	shape        []int
	requiresGrad bool
	node         *node

	ownsBuf  bool // data was allocated for this tensor (not user data or a view)
	private  bool // made by a backward rule in a Grad with CreateGraph and not returned: reachable only through the graph
	keepBuf  bool // private, but a returned gradient views its buffer
	released bool // a Grad without RetainGraph recycled it (see Grad)
}

// node records how a tensor was computed: its inputs and the rule that maps an
// upstream gradient to gradients of the inputs.
type node struct {
	inputs []*Tensor
	vjp    vjpFunc
	op     string
}

// vjpFunc is a backward rule. Given the op's output, the upstream gradient
// (same shape as out) and the op's inputs, it returns one gradient per input
// (nil means zero). Only entries with need[i] set have to be computed. A rule
// must use only its arguments (never tensors captured at forward time), and
// must be written in the package's differentiable ops, so that running it on
// recorded operands records the backward pass for higher-order derivatives.
type vjpFunc func(out, up *Tensor, in []*Tensor, need []bool) []*Tensor

func checkShape(shape []int) {
	if len(shape) != 2 && len(shape) != 3 {
		panic(fmt.Sprintf("autodiff: tensor rank must be 2 or 3, got shape %v", shape))
	}
	for _, d := range shape {
		if d <= 0 {
			panic(fmt.Sprintf("autodiff: tensor dimensions must be positive, got shape %v", shape))
		}
	}
}

func shapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// New returns a constant tensor (not differentiated) holding data with the given
// shape. data is used, not copied. It panics if len(data) does not match the shape.
func New(data []float64, shape ...int) *Tensor {
	checkShape(shape)
	if n := shapeSize(shape); len(data) != n {
		panic(fmt.Sprintf("autodiff: New: %d values for shape %v (want %d)", len(data), shape, n))
	}
	return &Tensor{data: data, shape: append([]int(nil), shape...)}
}

// Zeros returns a constant tensor of zeros.
func Zeros(shape ...int) *Tensor {
	checkShape(shape)
	return newTensor(append([]int(nil), shape...))
}

// Full returns a constant tensor with every element equal to v.
func Full(v float64, shape ...int) *Tensor {
	t := Zeros(shape...)
	if v != 0 {
		for i := range t.data {
			t.data[i] = v
		}
	}
	return t
}

// Scalar returns a constant [1,1] tensor holding v.
func Scalar(v float64) *Tensor {
	return &Tensor{data: []float64{v}, shape: []int{1, 1}}
}

// Variable returns a leaf tensor that requires grad: a parameter or an input we
// differentiate with respect to. data is used, not copied.
func Variable(data []float64, shape ...int) *Tensor {
	t := New(data, shape...)
	t.requiresGrad = true
	return t
}

// Shape returns a copy of the tensor's shape.
func (t *Tensor) Shape() []int { return append([]int(nil), t.shape...) }

// Rank returns 2 or 3.
func (t *Tensor) Rank() int { return len(t.shape) }

// Rows returns the number of rows of a rank-2 tensor, or the batch size of a
// rank-3 tensor.
func (t *Tensor) Rows() int { return t.shape[0] }

// Cols returns the number of columns of a rank-2 tensor. For a rank-3 tensor
// [b,n,m] it returns n·m, the columns of its [b, n·m] row view.
func (t *Tensor) Cols() int { return len(t.data) / t.shape[0] }

// Len returns the number of elements.
func (t *Tensor) Len() int { return len(t.data) }

// Data returns the values (row-major, not a copy). Optimisers update leaves in
// place through it; changing the values of a non-leaf tensor invalidates the
// gradients of graphs that use it.
func (t *Tensor) Data() []float64 { return t.data }

// At returns the element at the given index; the number of indices must equal
// the rank.
func (t *Tensor) At(idx ...int) float64 {
	if len(idx) != len(t.shape) {
		panic(fmt.Sprintf("autodiff: At: %d indices for shape %v", len(idx), t.shape))
	}
	off := 0
	for k, i := range idx {
		if i < 0 || i >= t.shape[k] {
			panic(fmt.Sprintf("autodiff: At: index %v out of range for shape %v", idx, t.shape))
		}
		off = off*t.shape[k] + i
	}
	return t.data[off]
}

// Item returns the value of a one-element tensor.
func (t *Tensor) Item() float64 {
	if len(t.data) != 1 {
		panic(fmt.Sprintf("autodiff: Item on tensor of shape %v", t.shape))
	}
	return t.data[0]
}

// RequiresGrad reports whether the tensor is a Variable or was computed from one
// (so gradients can flow to it).
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// Detach returns a tensor with the same values (shared, not copied) and no graph.
func (t *Tensor) Detach() *Tensor {
	return &Tensor{data: t.data, shape: t.shape}
}

// String formats the shape and up to 64 values.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v", t.shape)
	if t.requiresGrad {
		b.WriteString("(grad)")
	}
	b.WriteString("[")
	const maxShown = 64
	cols := t.shape[len(t.shape)-1]
	for i, v := range t.data {
		if i == maxShown {
			fmt.Fprintf(&b, " … (%d more)", len(t.data)-maxShown)
			break
		}
		if i > 0 {
			if i%cols == 0 {
				b.WriteString("; ")
			} else {
				b.WriteString(" ")
			}
		}
		fmt.Fprintf(&b, "%.6g", v)
	}
	b.WriteString("]")
	return b.String()
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// record attaches a graph node to out if any input requires grad.
func record(out *Tensor, op string, vjp vjpFunc, inputs ...*Tensor) *Tensor {
	for _, in := range inputs {
		if in.requiresGrad {
			out.requiresGrad = true
			out.node = &node{inputs: inputs, vjp: vjp, op: op}
			return out
		}
	}
	return out
}
