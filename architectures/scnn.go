package architectures

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"

	"ansatz/autodiff"
	"ansatz/nn"
	"ansatz/registry"
	"ansatz/spec"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "scnn",
		Doc: "symmetry control network: a learned canonical transformation T(q, p) → (Q, P) whose first n momenta are conserved, and a Hamiltonian H(Q, P) that does not depend on their partners",
		New: func() any { return NewSCNNConfig() },
	})
}

// SCNNConfig is the options of the scnn model (Krippendorf & Syvaeri,
// arXiv 2104.14444): a transformation network T(q, p) → (Q, P), the
// residual x + MLP(x) so that it starts near the identity, and a
// Hamiltonian network H on the new variables.
//
// The first Conserved new momenta P_1…P_n are meant to be conserved: H takes
// them as inputs but not their partners Q_1…Q_n, so ∂H/∂Q_i = 0 and Ṗ_i = 0
// by construction of the (Q, P) dynamics; the loss terms poisson and hqp make
// T canonical and the data obey these dynamics.
//
// Angle partners. The partner of an angular momentum is an angle, which is
// not a single-valued function on data that contains whole rotations. For
// the first Angles conserved momenta T therefore outputs a point (c, s) of
// the plane instead of Q, and Q = atan2(s, c) is never formed: only its
// gradient is, ∇Q = (c ∇s − s ∇c)/(c² + s²), which is single valued (the
// winding of Q is invisible to it). Canonicity {Q, P} = 1 then reads
// c{s, P} − s{c, P} = c² + s², and every bracket with Q uses this ∇Q (see
// SCNN.Jacobian). The radius √(c² + s²) is free: it may be any function of
// the state. Each circle starts as the plane of (q_i, q_{i+n/2}) for angle
// slot i (the polar angle of a body when the coordinates list all x's, then
// all y's, as the repository's systems do).
type SCNNConfig struct {
	Transform   Subnetwork `yaml:"transform" doc:"the network of T: x ↦ x + MLP(x) (its input and output widths follow from the system)"`
	LastScale   float64    `yaml:"last_scale" doc:"factor applied to the transform's initial output layer, so that T starts near the identity"`
	Linear      bool       `yaml:"linear" doc:"add a trainable linear map to the residual, T(x) = x + A x + MLP(x) with A = 0 at the start (linear canonical maps such as total momenta are then one matrix away)"`
	Hamiltonian Subnetwork `yaml:"hamiltonian" doc:"the network H(Q, P) on the new variables (without the partners of the conserved momenta)"`
	Conserved   int        `yaml:"conserved" doc:"n: the first n new momenta P_1…P_n are conserved (their partners are cyclic)"`
	Angles      int        `yaml:"angles" doc:"how many of the conserved momenta (the first ones) have an angle as partner, represented on a circle (c, s)"`
	Epsilon     float64    `yaml:"epsilon" doc:"floor added to c² + s² in the gradient of an angle"`
	Circles     []Circle   `yaml:"circles" doc:"the initial circle of each angle slot, one entry per angle (default: the plane of q_i and q_{i+n/2})"`
}

// Circle is the initial plane of an angle slot: c and s start as linear
// combinations of the state variables, e.g. c = x1 − x2, s = y1 − y2 for the
// direction from body 2 to body 1 ({x1: 1, x2: -1} and {y1: 1, y2: -1}).
type Circle struct {
	C map[string]float64 `yaml:"c" doc:"coefficients of c: state variable name → coefficient"`
	S map[string]float64 `yaml:"s" doc:"coefficients of s: state variable name → coefficient"`
}

// Subnetwork is the options of one network of a composite model; its input
// and output widths follow from the system.
type Subnetwork struct {
	Network nn.MLPConfig `yaml:",inline"`
}

// Validate checks the network options.
func (s *Subnetwork) Validate() error { return validateNetwork(s.Network) }

// NewSCNNConfig returns the defaults: both networks two hidden layers of 64,
// tanh, Glorot weights, uniform biases; the transform's output layer scaled
// by 0.1 at the start; one conserved momentum, no angle.
func NewSCNNConfig() *SCNNConfig {
	net := Subnetwork{nn.MLPConfig{Hidden: []int{64, 64}, Activation: "tanh", Init: "glorot", LastBias: true, BiasInit: "uniform"}}
	return &SCNNConfig{Transform: net, LastScale: 0.1, Hamiltonian: net, Conserved: 1, Epsilon: 1e-6}
}

// Validate checks the counts and the network options.
func (c *SCNNConfig) Validate() error {
	if c.Conserved < 0 {
		return spec.FieldErrorf("conserved", "must be ≥ 0, got %d", c.Conserved)
	}
	if c.Angles < 0 || c.Angles > c.Conserved {
		return spec.FieldErrorf("angles", "must be between 0 and conserved (%d), got %d", c.Conserved, c.Angles)
	}
	if c.LastScale < 0 {
		return spec.FieldErrorf("last_scale", "must be ≥ 0, got %g", c.LastScale)
	}
	if c.Epsilon < 0 {
		return spec.FieldErrorf("epsilon", "must be ≥ 0, got %g", c.Epsilon)
	}
	if len(c.Circles) > 0 && len(c.Circles) != c.Angles {
		return spec.FieldErrorf("circles", "needs one entry per angle (%d), got %d", c.Angles, len(c.Circles))
	}
	return nil
}

// Build returns the SCNN for a Hamiltonian phase space: the transform's
// weights are drawn from rng first, then H's. It fails when the system
// declares no canonical coordinates, or when more momenta are to be
// conserved than there are degrees of freedom.
func (c *SCNNConfig) Build(s State, rng *rand.Rand) (Model, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("scnn: %w", err)
	}
	if s.NQ == 0 {
		return nil, errors.New("scnn: the system is not Hamiltonian (it declares no coordinates and momenta); the canonical transformation needs a Hamiltonian system")
	}
	n, err := canonical(s)
	if err != nil {
		return nil, fmt.Errorf("scnn: %w", err)
	}
	if c.Conserved > n {
		return nil, spec.FieldErrorf("conserved", "at most %d momenta can be conserved in %d degrees of freedom, got %d", n, n, c.Conserved)
	}
	tc := c.Transform.Network
	tc.In, tc.Out = 2*n, 2*n+c.Angles
	t, err := nn.NewMLP(rng, tc)
	if err != nil {
		return nil, fmt.Errorf("scnn: transform: %w", err)
	}
	last := t.Layers[len(t.Layers)-1]
	for _, p := range []*autodiff.Tensor{last.W, last.B} {
		if p != nil {
			for i := range p.Data() {
				p.Data()[i] *= c.LastScale
			}
		}
	}
	hc := c.Hamiltonian.Network
	hc.In, hc.Out = 2*n-c.Conserved, 1
	h, err := nn.NewMLP(rng, hc)
	if err != nil {
		return nil, fmt.Errorf("scnn: hamiltonian: %w", err)
	}
	// The residual: y = x·R + MLP(x), R the identity on the 2n slots, and the
	// sine of angle slot i starts as q_{(i + n/2) mod n}.
	r := make([]float64, 2*n*(2*n+c.Angles))
	w := 2*n + c.Angles
	for i := range 2 * n {
		r[i*w+i] = 1
	}
	for i := range c.Angles {
		if len(c.Circles) > 0 {
			r[i*w+i] = 0
			for _, part := range []struct {
				coef map[string]float64
				col  int
				key  string
			}{{c.Circles[i].C, i, "c"}, {c.Circles[i].S, 2*n + i, "s"}} {
				for name, v := range part.coef {
					k := slices.Index(s.Vars, name)
					if k < 0 {
						return nil, fmt.Errorf("scnn: circles[%d].%s: %q is not a state variable (%s)", i, part.key, name, strings.Join(s.Vars, ", "))
					}
					r[k*w+part.col] = v
				}
			}
			continue
		}
		if n > 1 {
			r[((i+n/2)%n)*w+2*n+i] = 1
		}
	}
	m := &SCNN{t: t, h: h, n: n, nc: c.Conserved, na: c.Angles, eps: c.Epsilon, res: autodiff.New(r, 2*n, w)}
	if c.Linear {
		m.lin = autodiff.Variable(make([]float64, 2*n*w), 2*n, w)
	}
	return m, nil
}

// SCNN is a built scnn model. It is a Hamiltonian vector field (the
// symplectic gradient of H∘T in the original variables), a
// ConservedQuantities (the conserved new momenta) and has two named fields
// for rollouts: "scnn" and "hnn" (see Fields).
type SCNN struct {
	t, h      *nn.MLP
	n, nc, na int
	eps       float64
	res       *autodiff.Tensor // [2n, 2n+na] residual map
	lin       *autodiff.Tensor // option linear: trainable [2n, 2n+na], or nil

	// The last Evaluate, reused while x, createGraph and every parameter
	// value are the same (loss terms poisson and hqp share it in one step).
	mu    sync.Mutex
	cache struct {
		x           *autodiff.Tensor
		createGraph bool
		params      []float64
		ev          *SCNNEval
	}
}

// paramSnapshot appends every parameter value to dst[:0].
func (m *SCNN) paramSnapshot(dst []float64) []float64 {
	dst = dst[:0]
	for _, p := range m.Params() {
		dst = append(dst, p.Data()...)
	}
	return dst
}

// Params returns the transform's parameters (the linear part first, with
// option linear), then H's.
func (m *SCNN) Params() []*autodiff.Tensor {
	var ps []*autodiff.Tensor
	if m.lin != nil {
		ps = append(ps, m.lin)
	}
	ps = append(ps, m.t.Params()...)
	return append(ps, m.h.Params()...)
}

// DOF is the number of degrees of freedom n (the state has 2n variables).
func (m *SCNN) DOF() int { return m.n }

// NumConserved is the number of conserved momenta.
func (m *SCNN) NumConserved() int { return m.nc }

// NumAngles is how many conserved momenta have an angle as partner.
func (m *SCNN) NumAngles() int { return m.na }

// Transform returns T's raw outputs y [B, 2n + angles] for x [B, 2n]: the
// new coordinates Q_1…Q_n (for an angle slot, the cosine-like c), the new
// momenta P_1…P_n, then the sine-like s of each angle slot.
func (m *SCNN) Transform(x *autodiff.Tensor) *autodiff.Tensor {
	y := autodiff.Add(autodiff.MatMul(x, m.res), m.t.Forward(x))
	if m.lin != nil {
		y = autodiff.Add(y, autodiff.MatMul(x, m.lin))
	}
	return y
}

// hInput selects H's inputs from T's outputs: the non-conserved Q's, then
// every P.
func (m *SCNN) hInput(y *autodiff.Tensor) *autodiff.Tensor {
	p := autodiff.Slice(y, m.n, 2*m.n)
	if m.nc == m.n {
		return p
	}
	return autodiff.Concat(autodiff.Slice(y, m.nc, m.n), p)
}

// Hamiltonian returns H(T(x)) [B, 1].
func (m *SCNN) Hamiltonian(x *autodiff.Tensor) *autodiff.Tensor {
	return m.h.Forward(m.hInput(m.Transform(x)))
}

// Conserved returns the conserved momenta P_1…P_n [B, n].
func (m *SCNN) Conserved(x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error) {
	p := autodiff.Slice(m.Transform(x), m.n, m.n+m.nc)
	if !createGraph {
		return p.Detach(), nil
	}
	return p, nil
}

// Field is the "hnn" field: the symplectic gradient of H∘T in the original
// variables, ẋ = Ω ∇_x(H∘T) = Ω (∂T/∂x)ᵀ ∇_{(Q,P)}H. When T is canonical
// this equals the "scnn" field; it needs no linear solve, so it is the one
// training differentiates.
func (m *SCNN) Field(x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error) {
	in := x
	if !x.RequiresGrad() {
		in = autodiff.Variable(x.Data(), x.Shape()...)
	}
	var opts []autodiff.GradOption
	if createGraph {
		opts = append(opts, autodiff.CreateGraph())
	}
	g, err := autodiff.Grad(autodiff.Sum(m.Hamiltonian(in)), []*autodiff.Tensor{in}, opts...)
	if err != nil {
		return nil, fmt.Errorf("scnn: ∂(H∘T)/∂x: %w", err)
	}
	return symplectic(g[0], m.n), nil
}

// SCNNEval is T and H evaluated on a batch: what the scnn loss terms use.
type SCNNEval struct {
	// Y is T's raw output [B, 2n + angles] (see SCNN.Transform).
	Y *autodiff.Tensor
	// Jacobian is ∂(Q, P)/∂x [B, 2n, 2n]; the row of an angle Q is
	// (c ∇s − s ∇c)/(c² + s² + ε).
	Jacobian *autodiff.Tensor
	// GradH is ∇_{(Q,P)}H [B, 2n] at T(x): zero in the conserved Q slots.
	GradH *autodiff.Tensor
}

// Evaluate evaluates T, its Jacobian and ∇H at x [B, 2n]. With createGraph
// everything can be differentiated with respect to the parameters. A second
// call with the same x tensor, the same createGraph and unchanged parameters
// returns the same result (the terms of one training step share it).
func (m *SCNN) Evaluate(x *autodiff.Tensor, createGraph bool) (*SCNNEval, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	snap := m.paramSnapshot(nil)
	if c := &m.cache; c.ev != nil && c.x == x && c.createGraph == createGraph && slices.Equal(c.params, snap) {
		return c.ev, nil
	}
	ev, err := m.evaluate(x, createGraph)
	if err != nil {
		return nil, err
	}
	m.cache.x, m.cache.createGraph, m.cache.params, m.cache.ev = x, createGraph, snap, ev
	return ev, nil
}

func (m *SCNN) evaluate(x *autodiff.Tensor, createGraph bool) (*SCNNEval, error) {
	in := x
	if !x.RequiresGrad() {
		in = autodiff.Variable(x.Data(), x.Shape()...)
	}
	y := m.Transform(in)
	raw, err := InputJacobian(y, in, createGraph)
	if err != nil {
		return nil, fmt.Errorf("scnn: ∂T/∂x: %w", err)
	}
	rows := JacobianRows(raw)
	n := m.n
	for i := range m.na {
		c, s := autodiff.Col(y, i), autodiff.Col(y, 2*n+i)
		if !createGraph {
			c, s = c.Detach(), s.Detach()
		}
		r2 := autodiff.AddScalar(autodiff.Add(autodiff.Square(c), autodiff.Square(s)), m.eps)
		num := autodiff.Sub(autodiff.Mul(rows[2*n+i], c), autodiff.Mul(rows[i], s))
		rows[i] = autodiff.Div(num, r2)
	}
	jac := StackRows(rows[:2*n])

	z := m.hInput(y)
	if !createGraph {
		z = autodiff.Variable(z.Data(), z.Shape()...)
	}
	var opts []autodiff.GradOption
	if createGraph {
		opts = append(opts, autodiff.CreateGraph())
	}
	g, err := autodiff.Grad(autodiff.Sum(m.h.Forward(z)), []*autodiff.Tensor{z}, opts...)
	if err != nil {
		return nil, fmt.Errorf("scnn: ∂H/∂(Q, P): %w", err)
	}
	gh := g[0]
	if m.nc > 0 {
		gh = autodiff.Concat(autodiff.Zeros(x.Rows(), m.nc), gh)
	}
	if !createGraph {
		y, jac, gh = y.Detach(), jac.Detach(), gh.Detach()
	}
	return &SCNNEval{Y: y, Jacobian: jac, GradH: gh}, nil
}

// SCNNField is the "scnn" field: the (Q, P) dynamics Q̇ = ∂H/∂P, Ṗ = −∂H/∂Q
// (Ṗ_i = 0 for the conserved momenta) mapped back to the original variables
// with the inverse Jacobian, ẋ = (∂(Q,P)/∂x)⁻¹ (Q̇, Ṗ), one small LU solve per
// sample. It does not assume that T is canonical (that is what distinguishes
// it from the "hnn" field) and keeps no graph: it is for rollouts.
func (m *SCNN) SCNNField(x *autodiff.Tensor) (*autodiff.Tensor, error) {
	ev, err := m.Evaluate(x, false)
	if err != nil {
		return nil, err
	}
	rhs := symplectic(ev.GradH, m.n).Data()
	jd := ev.Jacobian.Data()
	d := 2 * m.n
	out := make([]float64, x.Rows()*d)
	var a mat.Dense
	var v mat.VecDense
	for b := range x.Rows() {
		a.ReuseAs(d, d)
		a.Copy(mat.NewDense(d, d, jd[b*d*d:(b+1)*d*d]))
		if err := v.SolveVec(&a, mat.NewVecDense(d, rhs[b*d:(b+1)*d])); err != nil {
			return nil, fmt.Errorf("scnn: ∂T/∂x is singular at sample %d: %w", b, err)
		}
		copy(out[b*d:(b+1)*d], v.RawVector().Data)
		a.Reset()
		v.Reset()
	}
	return autodiff.New(out, x.Rows(), d), nil
}

// HNNField is the "hnn" field without a graph (see Field).
func (m *SCNN) HNNField(x *autodiff.Tensor) (*autodiff.Tensor, error) {
	return m.Field(x, false)
}

// Fields returns the two fields rollouts integrate: "scnn", the (Q, P)
// dynamics mapped back with the inverse Jacobian (SCNNField), first, so that
// rollout_mse and energy_mse measure it; then "hnn", the symplectic gradient
// of H∘T (HNNField). They agree where T is canonical.
func (m *SCNN) Fields() []NamedField {
	return []NamedField{{Name: "scnn", Field: m.SCNNField}, {Name: "hnn", Field: m.HNNField}}
}
