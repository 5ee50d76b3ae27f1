package autodiff

import "fmt"

// bcastMode says how an operand of a binary op maps onto the [r,c] row view of
// the output.
type bcastMode uint8

const (
	bFull   bcastMode = iota // same shape as the output
	bScalar                  // [1,1]
	bRow                     // [1,c]: one row repeated over the rows
	bCol                     // [r,1] (or [b,1] for rank 3): one value per row
)

// bcast describes a broadcast binary op: the output shape, its [r,c] row view
// (a rank-3 [b,n,m] tensor is viewed as [b, n·m]), and each operand's mode.
type bcast struct {
	shape  []int
	r, c   int
	ma, mb bcastMode
}

func isScalarShape(s []int) bool { return len(s) == 2 && s[0] == 1 && s[1] == 1 }

// broadcast resolves the broadcasting rules of the package (see the package
// documentation) and panics on incompatible shapes.
func broadcast(op string, a, b *Tensor) bcast {
	sa, sb := a.shape, b.shape
	view := func(s []int, ma, mb bcastMode) bcast {
		n := shapeSize(s)
		return bcast{shape: s, r: s[0], c: n / s[0], ma: ma, mb: mb}
	}
	switch {
	case sameShape(sa, sb):
		return view(sa, bFull, bFull)
	case isScalarShape(sb):
		return view(sa, bFull, bScalar)
	case isScalarShape(sa):
		return view(sb, bScalar, bFull)
	case len(sa) == 2 && len(sb) == 2:
		switch {
		case sb[0] == 1 && sb[1] == sa[1]:
			return view(sa, bFull, bRow)
		case sb[1] == 1 && sb[0] == sa[0]:
			return view(sa, bFull, bCol)
		case sa[0] == 1 && sa[1] == sb[1]:
			return view(sb, bRow, bFull)
		case sa[1] == 1 && sa[0] == sb[0]:
			return view(sb, bCol, bFull)
		}
	case len(sa) == 3 && len(sb) == 2 && sb[1] == 1 && sb[0] == sa[0]:
		return view(sa, bFull, bCol)
	case len(sb) == 3 && len(sa) == 2 && sa[1] == 1 && sa[0] == sb[0]:
		return view(sb, bCol, bFull)
	}
	panic(fmt.Sprintf("autodiff: %s: cannot broadcast shapes %v and %v "+
		"(allowed: equal shapes; a [1,1] scalar; a [1,c] row or [r,1] column against [r,c]; "+
		"a [b,1] column against [b,n,m])", op, sa, sb))
}

// binKernel holds the loops of one binary op: vector–vector, vector–scalar and
// scalar–vector.
type binKernel struct {
	vv func(dst, a, b []float64)
	vs func(dst, a []float64, s float64)
	sv func(dst []float64, s float64, b []float64)
}

// apply runs the kernel over the broadcast operands, splitting large work
// across goroutines.
func (k *binKernel) apply(bc bcast, a, b []float64) *Tensor {
	r, c := bc.r, bc.c
	n := r * c
	out := newUninit(bc.shape)
	dst := out.data
	switch {
	case bc.ma == bFull && bc.mb == bFull:
		parallelFor(n, n, func(lo, hi int) { k.vv(dst[lo:hi], a[lo:hi], b[lo:hi]) })
	case bc.ma == bFull && bc.mb == bScalar:
		s := b[0]
		parallelFor(n, n, func(lo, hi int) { k.vs(dst[lo:hi], a[lo:hi], s) })
	case bc.ma == bScalar && bc.mb == bFull:
		s := a[0]
		parallelFor(n, n, func(lo, hi int) { k.sv(dst[lo:hi], s, b[lo:hi]) })
	case bc.ma == bFull && bc.mb == bRow:
		parallelFor(r, n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				k.vv(dst[i*c:(i+1)*c], a[i*c:(i+1)*c], b)
			}
		})
	case bc.ma == bRow && bc.mb == bFull:
		parallelFor(r, n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				k.vv(dst[i*c:(i+1)*c], a, b[i*c:(i+1)*c])
			}
		})
	case bc.ma == bFull && bc.mb == bCol:
		parallelFor(r, n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				k.vs(dst[i*c:(i+1)*c], a[i*c:(i+1)*c], b[i])
			}
		})
	case bc.ma == bCol && bc.mb == bFull:
		parallelFor(r, n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				k.sv(dst[i*c:(i+1)*c], a[i], b[i*c:(i+1)*c])
			}
		})
	default:
		panic(fmt.Sprintf("autodiff: internal error: broadcast modes %d,%d", bc.ma, bc.mb))
	}
	return out
}

var addKernel = binKernel{
	vv: func(dst, a, b []float64) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
	},
	vs: func(dst, a []float64, s float64) {
		a = a[:len(dst)]
		for i := range dst {
			dst[i] = a[i] + s
		}
	},
	sv: func(dst []float64, s float64, b []float64) {
		b = b[:len(dst)]
		for i := range dst {
			dst[i] = s + b[i]
		}
	},
}

var subKernel = binKernel{
	vv: func(dst, a, b []float64) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = a[i] - b[i]
		}
	},
	vs: func(dst, a []float64, s float64) {
		a = a[:len(dst)]
		for i := range dst {
			dst[i] = a[i] - s
		}
	},
	sv: func(dst []float64, s float64, b []float64) {
		b = b[:len(dst)]
		for i := range dst {
			dst[i] = s - b[i]
		}
	},
}

var mulKernel = binKernel{
	vv: func(dst, a, b []float64) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = a[i] * b[i]
		}
	},
	vs: func(dst, a []float64, s float64) {
		a = a[:len(dst)]
		for i := range dst {
			dst[i] = a[i] * s
		}
	},
	sv: func(dst []float64, s float64, b []float64) {
		b = b[:len(dst)]
		for i := range dst {
			dst[i] = s * b[i]
		}
	},
}

var divKernel = binKernel{
	vv: func(dst, a, b []float64) {
		a, b = a[:len(dst)], b[:len(dst)]
		for i := range dst {
			dst[i] = a[i] / b[i]
		}
	},
	vs: func(dst, a []float64, s float64) {
		a = a[:len(dst)]
		for i := range dst {
			dst[i] = a[i] / s
		}
	},
	sv: func(dst []float64, s float64, b []float64) {
		b = b[:len(dst)]
		for i := range dst {
			dst[i] = s / b[i]
		}
	},
}

func binary(op string, k *binKernel, vjp vjpFunc, a, b *Tensor) *Tensor {
	bc := broadcast(op, a, b)
	out := k.apply(bc, a.data, b.data)
	return record(out, op, vjp, a, b)
}

// Add returns a + b elementwise, with broadcasting (see the package documentation).
func Add(a, b *Tensor) *Tensor { return binary("Add", &addKernel, addVJP, a, b) }

func addVJP(_, up *Tensor, in []*Tensor, need []bool) []*Tensor {
	g := make([]*Tensor, 2)
	if need[0] {
		g[0] = reduceTo(up, in[0].shape)
	}
	if need[1] {
		g[1] = reduceTo(up, in[1].shape)
	}
	return g
}

// Sub returns a − b elementwise, with broadcasting.
func Sub(a, b *Tensor) *Tensor { return binary("Sub", &subKernel, subVJP, a, b) }

func subVJP(_, up *Tensor, in []*Tensor, need []bool) []*Tensor {
	g := make([]*Tensor, 2)
	if need[0] {
		g[0] = reduceTo(up, in[0].shape)
	}
	if need[1] {
		g[1] = Neg(reduceTo(up, in[1].shape))
	}
	return g
}

// Mul returns a · b elementwise, with broadcasting.
func Mul(a, b *Tensor) *Tensor { return binary("Mul", &mulKernel, mulVJP, a, b) }

func mulVJP(_, up *Tensor, in []*Tensor, need []bool) []*Tensor {
	g := make([]*Tensor, 2)
	if need[0] {
		g[0] = reduceTo(Mul(up, in[1]), in[0].shape)
	}
	if need[1] {
		g[1] = reduceTo(Mul(up, in[0]), in[1].shape)
	}
	return g
}

// Div returns a / b elementwise, with broadcasting.
func Div(a, b *Tensor) *Tensor { return binary("Div", &divKernel, divVJP, a, b) }

func divVJP(out, up *Tensor, in []*Tensor, need []bool) []*Tensor {
	g := make([]*Tensor, 2)
	if need[0] {
		g[0] = reduceTo(Div(up, in[1]), in[0].shape)
	}
	if need[1] {
		// ∂(a/b)/∂b = −(a/b)/b
		g[1] = Neg(reduceTo(Mul(up, Div(out, in[1])), in[1].shape))
	}
	return g
}
