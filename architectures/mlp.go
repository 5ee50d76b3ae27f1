package architectures

import (
	"fmt"
	"math/rand/v2"

	"ansatz/autodiff"
	"ansatz/nn"
	"ansatz/registry"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "mlp",
		Doc: "multilayer perceptron mapping the state x to its time derivative ẋ",
		New: func() any {
			return &MLP{Network: nn.MLPConfig{Hidden: []int{64, 64}, Activation: "tanh", Init: "glorot", LastBias: true, BiasInit: "uniform"}}
		},
	})
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "baseline",
		Doc: "Greydanus et al.'s baseline: an MLP x → ẋ with the HNN's defaults (200-200 tanh, orthogonal init, no output bias)",
		New: func() any { return &MLP{Network: nn.NewMLPConfig(0, 0)} },
	})
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "hnn",
		Doc: "Hamiltonian neural network: an MLP H(q, p) whose symplectic gradient (∂H/∂p, −∂H/∂q) is the vector field",
		New: func() any { return &HNN{Network: nn.NewMLPConfig(0, 0)} },
	})
}

// MLP options: a network that maps x [B, d] directly to ẋ [B, d].
type MLP struct {
	Network nn.MLPConfig `yaml:",inline"`
}

// Build returns the network for the given phase space.
func (o *MLP) Build(s State, rng *rand.Rand) (Model, error) {
	cfg := o.Network
	cfg.In, cfg.Out = s.Dim(), s.Dim()
	net, err := nn.NewMLP(rng, cfg)
	if err != nil {
		return nil, err
	}
	return &fieldNet{net: net}, nil
}

// fieldNet predicts ẋ directly.
type fieldNet struct{ net *nn.MLP }

func (m *fieldNet) Params() []*autodiff.Tensor { return m.net.Params() }

func (m *fieldNet) Field(x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error) {
	f := m.net.Forward(x)
	if !createGraph {
		return f.Detach(), nil // as Model documents: no graph kept
	}
	return f, nil
}

// HNN options: a scalar network H(q, p).
type HNN struct {
	Network nn.MLPConfig `yaml:",inline"`
}

// Build returns the Hamiltonian network for the given phase space, which must
// be canonical (coordinates then as many momenta).
func (o *HNN) Build(s State, rng *rand.Rand) (Model, error) {
	nq, err := canonical(s)
	if err != nil {
		return nil, fmt.Errorf("hnn: %w", err)
	}
	cfg := o.Network
	cfg.In, cfg.Out = s.Dim(), 1
	net, err := nn.NewMLP(rng, cfg)
	if err != nil {
		return nil, err
	}
	return &hnn{net: net, nq: nq}, nil
}

type hnn struct {
	net *nn.MLP
	nq  int
}

func (m *hnn) Params() []*autodiff.Tensor { return m.net.Params() }

func (m *hnn) Hamiltonian(x *autodiff.Tensor) *autodiff.Tensor { return m.net.Forward(x) }

// Field differentiates H with respect to the input. A constant x is wrapped in
// a fresh leaf to differentiate against; an x that already requires a
// gradient is used as it is, so the field stays differentiable in x.
func (m *hnn) Field(x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error) {
	in := x
	if !x.RequiresGrad() {
		in = autodiff.Variable(x.Data(), x.Shape()...)
	}
	h := m.net.Forward(in)
	var opts []autodiff.GradOption
	if createGraph {
		opts = append(opts, autodiff.CreateGraph())
	}
	g, err := autodiff.Grad(autodiff.Sum(h), []*autodiff.Tensor{in}, opts...)
	if err != nil {
		return nil, fmt.Errorf("hnn: ∂H/∂x: %w", err)
	}
	return symplectic(g[0], m.nq), nil
}

// validateNetwork checks the network options before the phase space (and so
// the input and output widths) is known.
func validateNetwork(c nn.MLPConfig) error {
	c.In, c.Out = 1, 1
	return c.Validate()
}

// Validate checks the network options.
func (o *MLP) Validate() error { return validateNetwork(o.Network) }

// Validate checks the network options.
func (o *HNN) Validate() error { return validateNetwork(o.Network) }
