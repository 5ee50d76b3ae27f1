package fieldtheory

import (
	"fmt"

	"ansatz/symbolic"
)

// Observer evaluates functions of the jets on grid states: the conserved
// integrals, the constraint, the equations' right-hand sides and the jets
// themselves. It keeps work buffers and is not safe for concurrent use.
type Observer struct {
	sys        *System
	grid       *Grid
	order      int // jet order computed on the grid
	vars       []string
	conserved  []symbolic.Func
	constraint symbolic.Func
	rhs        symbolic.VecFunc
	jets       [][]float64
	pt         []float64
}

// NewObserver prepares an observer computing jets up to order (at least
// the order of the equations and the conserved densities).
func NewObserver(sys *System, grid *Grid, order int) (*Observer, error) {
	order = max(order, sys.highestOrder())
	if order > MaxOrder {
		return nil, fmt.Errorf("jets of order %d are above the highest order %d", order, MaxOrder)
	}
	o := &Observer{sys: sys, grid: grid, order: order, vars: sys.Jets(order)}
	for _, c := range sys.conserved {
		f, err := symbolic.Compile(c.node, o.vars)
		if err != nil {
			return nil, fmt.Errorf("conserved %s: %w", c.name, err)
		}
		o.conserved = append(o.conserved, f)
	}
	if sys.constraint != nil {
		f, err := symbolic.Compile(sys.constraint, o.vars)
		if err != nil {
			return nil, fmt.Errorf("constraint: %w", err)
		}
		o.constraint = f
	}
	rhs := make([]symbolic.Node, len(sys.rhs))
	for i, r := range sys.rhs {
		rhs[i] = r.node
	}
	var err error
	if o.rhs, err = symbolic.CompileVector(rhs, o.vars); err != nil {
		return nil, fmt.Errorf("equations: %w", err)
	}
	o.jets = make([][]float64, len(o.vars))
	for j := range o.jets {
		o.jets[j] = make([]float64, grid.Points())
	}
	o.pt = make([]float64, len(o.vars))
	return o, nil
}

// Order returns the jet order the observer computes.
func (o *Observer) Order() int { return o.order }

// Load computes the jets of the state u (nf·N values, field-major) on the
// grid; the other methods read them.
func (o *Observer) Load(u []float64) {
	n := o.grid.Points()
	for f := range o.sys.fields {
		o.grid.Jets(u[f*n:(f+1)*n], o.order, o.jets[jetIndex(f, 0, o.order):jetIndex(f, o.order, o.order)+1])
	}
}

// Jet returns the grid values of jet j of Jets(Order()) of the loaded state
// (the observer's buffer: copy it to keep it).
func (o *Observer) Jet(j int) []float64 { return o.jets[j] }

// point loads the jets of grid point i into o.pt.
func (o *Observer) point(i int) []float64 {
	for j, col := range o.jets {
		o.pt[j] = col[i]
	}
	return o.pt
}

// Conserved returns the integrals ∫ density dx over the domain of the
// declared conserved densities of the loaded state (in the order of
// System.Conserved), and the integrals of their absolute values (a scale
// for relative drifts).
func (o *Observer) Conserved() (q, scale []float64) {
	q, scale = make([]float64, len(o.conserved)), make([]float64, len(o.conserved))
	n := o.grid.Points()
	dx := o.grid.length / float64(n)
	for i := range n {
		pt := o.point(i)
		for c, f := range o.conserved {
			v := f(pt)
			q[c] += v * dx
			scale[c] += abs(v) * dx
		}
	}
	return q, scale
}

// ConstraintMax returns max over the grid of |c| for the loaded state (0
// without a constraint).
func (o *Observer) ConstraintMax() float64 {
	if o.constraint == nil {
		return 0
	}
	var m float64
	for i := range o.grid.Points() {
		m = max(m, abs(o.constraint(o.point(i))))
	}
	return m
}

// TimeDerivative writes the equations' u_t at every grid point of the
// loaded state into dst (nf·N values, field-major), evaluated pointwise
// from the spectral jets (no dealiasing).
func (o *Observer) TimeDerivative(dst []float64) {
	n, nf := o.grid.Points(), len(o.sys.fields)
	out := make([]float64, nf)
	for i := range n {
		o.rhs(o.point(i), out)
		for f := range nf {
			dst[f*n+i] = out[f]
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
