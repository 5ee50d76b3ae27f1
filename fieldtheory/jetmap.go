package fieldtheory

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"ansatz/symbolic"
)

// JetMap evaluates, for jets of a given order, their time and x-derivatives
// from jets of a higher order: the map J ↦ (X, DX, F) of the data (see the
// package documentation), usable on and off shell.
type JetMap struct {
	sys     *System
	order   int
	inOrder int
	inputs  []string
	dtNodes []symbolic.Node // ∂_t of each jet of Jets(order), over Jets(inOrder)
	dt      symbolic.VecFunc
	// constraint: c and D_x^k c for k = 0..inOrder over Jets(inOrder), and ∇c
	cons []symbolic.Func
	grad symbolic.VecFunc
}

// JetMap returns the map for the jets up to order. Its input is the jets
// up to InputOrder() = order + max(EquationOrder(), 1), the orders that
// ∂_t J_order = D_x^order(f) and ∂_x J_order = J_{order+1} need. An order
// below 0 or an input order above MaxOrder is an error.
func (s *System) JetMap(order int) (*JetMap, error) {
	if order < 0 {
		return nil, fmt.Errorf("jet order %d is negative", order)
	}
	in := order + max(s.order, 1)
	if in > MaxOrder {
		return nil, fmt.Errorf("jets of order %d need derivatives up to order %d (equation order %d), above the highest order %d", order, in, s.order, MaxOrder)
	}
	m := &JetMap{sys: s, order: order, inOrder: in, inputs: s.Jets(in)}
	nf := len(s.fields)
	m.dtNodes = make([]symbolic.Node, 0, nf*(order+1))
	for i := range s.fields {
		d := s.rhs[i].node
		for k := 0; k <= order; k++ {
			if k > 0 {
				d = TotalDerivative(d, s.fields)
			}
			m.dtNodes = append(m.dtNodes, d)
		}
	}
	var err error
	if m.dt, err = symbolic.CompileVector(m.dtNodes, m.inputs); err != nil {
		return nil, fmt.Errorf("compiling the time derivatives of the jets: %w", err)
	}
	if c := s.constraint; c != nil {
		d := c
		for k := 0; k <= in; k++ {
			if k > 0 {
				d = TotalDerivative(d, s.fields)
			}
			f, err := symbolic.Compile(d, m.inputs)
			if err != nil {
				return nil, fmt.Errorf("compiling the derivatives of the constraint: %w", err)
			}
			m.cons = append(m.cons, f)
		}
		grad := make([]symbolic.Node, nf)
		for i, f := range s.fields {
			grad[i] = symbolic.Simplify(symbolic.Diff(c, f))
		}
		if m.grad, err = symbolic.CompileVector(grad, m.inputs); err != nil {
			return nil, fmt.Errorf("compiling the gradient of the constraint: %w", err)
		}
	}
	return m, nil
}

// Order returns the order of the output jets.
func (m *JetMap) Order() int { return m.order }

// InputOrder returns the order of the input jets.
func (m *JetMap) InputOrder() int { return m.inOrder }

// Inputs returns the names of the input jets, Jets(InputOrder()).
func (m *JetMap) Inputs() []string { return m.sys.Jets(m.inOrder) }

// Outputs returns the names of the output jets, Jets(Order()).
func (m *JetMap) Outputs() []string { return m.sys.Jets(m.order) }

// TimeDerivatives returns ∂_t of each output jet as a formula in the input
// jets, D_x^k(f) (in the order of Outputs).
func (m *JetMap) TimeDerivatives() []symbolic.Node { return append([]symbolic.Node(nil), m.dtNodes...) }

// Eval writes, for one point with input jets in (len(Inputs())), the
// output jets x, their time derivatives dx and their x-derivatives f (each
// of len(Outputs())).
func (m *JetMap) Eval(in, x, dx, f []float64) {
	o, io := m.order, m.inOrder
	for fi := range m.sys.fields {
		for k := 0; k <= o; k++ {
			x[jetIndex(fi, k, o)] = in[jetIndex(fi, k, io)]
			f[jetIndex(fi, k, o)] = in[jetIndex(fi, k+1, io)]
		}
	}
	m.dt(in, dx)
}

// RandomJets draws n points of random jets far from any solution and
// returns their rows x, dx, f (each n·len(Jets(order)) long, row-major, as
// the data's X, DX, F). The input jets up to order + max(EquationOrder, 1)
// are independent normal numbers with standard deviation scale; with a
// constraint they are then moved onto the constraint surface and its
// derivatives (see the package documentation). Errors: as [System.JetMap],
// a scale that is not a positive finite number, or a constraint that
// Newton's method cannot satisfy at a drawn point.
func (s *System) RandomJets(rng *rand.Rand, n, order int, scale float64) (x, dx, f []float64, err error) {
	if !(scale > 0) || math.IsInf(scale, 0) {
		return nil, nil, nil, fmt.Errorf("random jets: scale must be a positive finite number, got %v", scale)
	}
	m, err := s.JetMap(order)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("random jets: %w", err)
	}
	w := len(s.fields) * (order + 1)
	x, dx, f = make([]float64, n*w), make([]float64, n*w), make([]float64, n*w)
	in := make([]float64, len(m.inputs))
	for i := range n {
		for j := range in {
			in[j] = scale * rng.NormFloat64()
		}
		if err := m.project(in); err != nil {
			return nil, nil, nil, fmt.Errorf("random jets: point %d: %w", i, err)
		}
		m.Eval(in, x[i*w:(i+1)*w], dx[i*w:(i+1)*w], f[i*w:(i+1)*w])
	}
	return x, dx, f, nil
}

// errProjection is returned when Newton's method does not reach the
// constraint surface.
var errProjection = errors.New("the constraint could not be satisfied (Newton's method did not converge, or its gradient vanishes)")

// project moves the input jets onto the constraint surface c = 0 and makes
// D_x^k c = 0 for every k ≤ InputOrder. Without a constraint it does
// nothing.
func (m *JetMap) project(in []float64) error {
	if m.cons == nil {
		return nil
	}
	nf, io := len(m.sys.fields), m.inOrder
	g := make([]float64, nf)
	step := func(k int) (float64, error) {
		r := m.cons[k](in)
		m.grad(in, g)
		var g2 float64
		for _, v := range g {
			g2 += v * v
		}
		if !(g2 > 0) || math.IsNaN(r) || math.IsInf(g2, 0) {
			return 0, errProjection
		}
		for fi := range nf {
			in[jetIndex(fi, k, io)] -= r * g[fi] / g2
		}
		return r, nil
	}
	converged := false
	for range 100 {
		r, err := step(0)
		if err != nil {
			return err
		}
		if math.Abs(r) < 1e-13 {
			converged = true
			break
		}
	}
	if !converged {
		return errProjection
	}
	for k := 1; k <= io; k++ {
		if _, err := step(k); err != nil {
			return err
		}
	}
	return nil
}

// projectFields moves the field values vals (one per field, order 0) onto
// the constraint surface by Newton steps along ∇c.
func (m *JetMap) projectFields(vals []float64) error {
	if m.cons == nil {
		return nil
	}
	in := make([]float64, len(m.inputs))
	for f, v := range vals {
		in[jetIndex(f, 0, m.inOrder)] = v
	}
	if err := m.project(in); err != nil {
		return err
	}
	for f := range vals {
		vals[f] = in[jetIndex(f, 0, m.inOrder)]
	}
	return nil
}

// constraintAt returns c at the field values vals (0 without a constraint).
func (m *JetMap) constraintAt(vals []float64) float64 {
	if m.cons == nil {
		return 0
	}
	in := make([]float64, len(m.inputs))
	for f, v := range vals {
		in[jetIndex(f, 0, m.inOrder)] = v
	}
	return m.cons[0](in)
}
