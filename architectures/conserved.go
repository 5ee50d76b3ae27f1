package architectures

import (
	"fmt"
	"math/rand/v2"

	"ansatz/autodiff"
	"ansatz/nn"
	"ansatz/registry"
	"ansatz/spec"
)

// ConservedQuantities is a Model that learns k functions F_i(x) of the state
// meant to be conserved along the flow (Ḟ_i = ∇F_i·ẋ = 0). The analysis
// conserved_quantities reads them out as formulas.
type ConservedQuantities interface {
	Model
	// NumConserved is k.
	NumConserved() int
	// Conserved returns F [B, k] for states x [B, d] (no graph kept when
	// createGraph is false).
	Conserved(x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error)
}

func init() {
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "conserved",
		Doc: "k functions F_1…F_k of the state (MLPs, or polynomials in the state variables) searched for as conserved quantities (loss conserved: Ḟ_i = ∇F_i·ẋ = 0)",
		New: func() any { return NewConservedConfig() },
	})
}

// ConservedConfig is the options of the conserved model: k separate
// functions of the original state variables, each an MLP x → F_i(x) or a
// polynomial Σ_α c_α x^α (ansatz polynomial: every F_i is then a formula in
// the monomials up to degree, which the readout recovers exactly).
type ConservedConfig struct {
	Count   int          `yaml:"count" doc:"k: how many functions to search for (at most 2·dof − 1 for a flow of dimension 2·dof)"`
	Ansatz  string       `yaml:"ansatz" spec:"oneof=mlp|polynomial" doc:"mlp (one network per function) or polynomial (coefficients of the monomials up to degree)"`
	Degree  int          `yaml:"degree" doc:"polynomial: the highest total degree of the monomials"`
	Network nn.MLPConfig `yaml:",inline"`
}

// NewConservedConfig returns the defaults: one MLP with two hidden layers
// of 32, tanh, Glorot weights, uniform biases and an output bias (degree 2
// for ansatz polynomial).
func NewConservedConfig() *ConservedConfig {
	return &ConservedConfig{
		Count: 1, Ansatz: "mlp", Degree: 2,
		Network: nn.MLPConfig{Hidden: []int{32, 32}, Activation: "tanh", Init: "glorot", LastBias: true, BiasInit: "uniform"},
	}
}

// Validate checks the count, the degree and, for ansatz mlp, the network.
func (c *ConservedConfig) Validate() error {
	if c.Count < 1 {
		return spec.FieldErrorf("count", "must be ≥ 1, got %d", c.Count)
	}
	if c.Ansatz == "polynomial" && c.Degree < 1 {
		return spec.FieldErrorf("degree", "must be ≥ 1 (a constant is conserved trivially), got %d", c.Degree)
	}
	if c.Ansatz == "mlp" {
		return validateNetwork(c.Network)
	}
	return nil
}

// Build returns the k functions for the phase space, drawn from rng in
// order. A flow of dimension d has at most d − 1 independent conserved
// quantities (time-independent ones), so count must not exceed that.
func (c *ConservedConfig) Build(s State, rng *rand.Rand) (Model, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("conserved: %w", err)
	}
	d := s.Dim()
	if c.Count > d-1 {
		return nil, spec.FieldErrorf("count", "a flow in %d variables has at most %d independent conserved quantities, got %d", d, d-1, c.Count)
	}
	m := &ConservedModel{k: c.Count}
	switch c.Ansatz {
	case "mlp":
		cfg := c.Network
		cfg.In, cfg.Out = d, 1
		for i := range c.Count {
			net, err := nn.NewMLP(rng, cfg)
			if err != nil {
				return nil, fmt.Errorf("conserved: F_%d: %w", i+1, err)
			}
			m.nets = append(m.nets, net)
		}
	case "polynomial":
		exps := monomials(d, c.Degree)
		m.poly = &MatrixFunc{kind: "polynomial", n: 1, d: d, exps: exps, names: monomialNames(exps, s.Vars)}
		w := make([]float64, len(exps)*c.Count)
		for i := range w {
			w[i] = PolynomialInitScale * rng.NormFloat64()
		}
		m.poly.coef = autodiff.Variable(w, len(exps), c.Count)
		m.polyDerivatives(s, c.Degree)
	default:
		return nil, fmt.Errorf("conserved: ansatz %q is not mlp or polynomial", c.Ansatz)
	}
	return m, nil
}

// ConservedGradients is a ConservedQuantities model that gives the
// gradients of its quantities with respect to the state directly, without
// reverse passes (the conserved loss uses it when present).
type ConservedGradients interface {
	ConservedQuantities
	// ConservedGrad returns ∇F [B, k, d] at x [B, d]; with createGraph it can
	// be differentiated with respect to the parameters.
	ConservedGrad(x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error)
}

// ConservedModel is a built conserved model.
type ConservedModel struct {
	k    int
	nets []*nn.MLP
	poly *MatrixFunc // ansatz polynomial: coef [K, k]
	// Polynomial gradients: ∂Φ/∂x_j = Φ_low·E_j, with Φ_low the monomials
	// of degree ≤ degree − 1 and E_j [K_low, K] constant.
	low   *MatrixFunc
	deriv []*autodiff.Tensor
}

// polyDerivatives sets up the derivative matrices of a polynomial model.
func (m *ConservedModel) polyDerivatives(s State, degree int) {
	d := s.Dim()
	lowExps := monomials(d, degree-1)
	m.low = &MatrixFunc{kind: "polynomial", n: 1, d: d, exps: lowExps}
	index := make(map[string]int, len(lowExps))
	for i, e := range lowExps {
		index[expKey(e)] = i
	}
	kk := len(m.poly.exps)
	for j := range d {
		e := make([]float64, len(lowExps)*kk)
		for a, ex := range m.poly.exps {
			if ex[j] == 0 {
				continue
			}
			lower := append([]int(nil), ex...)
			lower[j]--
			e[index[expKey(lower)]*kk+a] = float64(ex[j])
		}
		m.deriv = append(m.deriv, autodiff.New(e, len(lowExps), kk))
	}
}

// ConservedGrad returns ∇F [B, k, d]. A polynomial's gradient is a product
// of monomial features with constant matrices (no reverse pass); a
// network's is taken with the engine's Jacobian.
func (m *ConservedModel) ConservedGrad(x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error) {
	if m.poly == nil {
		in := autodiff.Variable(x.Data(), x.Shape()...)
		f, err := m.Conserved(in, true)
		if err != nil {
			return nil, err
		}
		return InputJacobian(f, in, createGraph)
	}
	phi := m.low.Features(x)
	b, d := x.Rows(), len(m.deriv)
	cols := make([]*autodiff.Tensor, d)
	for j, e := range m.deriv {
		cols[j] = autodiff.MatMul(autodiff.MatMul(phi, e), m.poly.coef) // [B, k]
	}
	g := autodiff.Transpose(autodiff.Reshape(autodiff.Concat(cols...), b, d, m.k))
	if !createGraph {
		return g.Detach(), nil
	}
	return g, nil
}

// Params returns each network's parameters in order, or the coefficient
// matrix [K, k] of a polynomial.
func (m *ConservedModel) Params() []*autodiff.Tensor {
	if m.poly != nil {
		return []*autodiff.Tensor{m.poly.coef}
	}
	var ps []*autodiff.Tensor
	for _, n := range m.nets {
		ps = append(ps, n.Params()...)
	}
	return ps
}

// NumConserved is k.
func (m *ConservedModel) NumConserved() int { return m.k }

// Monomials names the monomials of a polynomial model (the rows of its
// coefficient matrix); nil for networks.
func (m *ConservedModel) Monomials() []string {
	if m.poly == nil {
		return nil
	}
	return m.poly.names
}

// Conserved returns F [B, k] for x [B, d].
func (m *ConservedModel) Conserved(x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error) {
	var f *autodiff.Tensor
	if m.poly != nil {
		f = autodiff.MatMul(m.poly.Features(x), m.poly.coef)
	} else {
		cols := make([]*autodiff.Tensor, len(m.nets))
		for i, n := range m.nets {
			cols[i] = n.Forward(x)
		}
		f = cols[0]
		if len(cols) > 1 {
			f = autodiff.Concat(cols...)
		}
	}
	if !createGraph {
		return f.Detach(), nil
	}
	return f, nil
}
