package kahler

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/nn"
)

// Metric is a model of a Hermitian metric on a hypersurface X ⊂ P^n: it
// gives the metric pulled back to X in the points' local coordinates.
type Metric interface {
	architectures.Model
	// Metric returns g_{ab̄} [B, n−1, n−1] at the points, built from engine
	// ops on the parameters, so that it can be differentiated with respect
	// to them (to any order). The network models also build it from X with
	// engine ops; the algebraic ones evaluate the sections of X in plain Go.
	Metric(p Points) (autodiff.Complex, error)
	// UsesPsi reports whether the metric depends on the modulus ψ (then
	// Points.Psi must be set).
	UsesPsi() bool
}

// AmbientMetric is a Metric that is the pull-back of a metric on the
// ambient space (in the affine chart of each point's patch); the kahler loss
// differentiates it.
type AmbientMetric interface {
	Metric
	// Ambient returns g_{ij̄} [B, m, m] at x [B, 2m] (psi [B, 2] or nil).
	Ambient(x, psi *autodiff.Tensor) (autodiff.Complex, error)
}

// Network holds the options shared by the network metric models.
type Network struct {
	Net    nn.MLPConfig `yaml:",inline"`
	Moduli bool         `yaml:"moduli" doc:"feed (Re ψ, Im ψ) as two extra network inputs, for one metric over a range of the modulus ψ"`
}

// defaultNetwork is cymetric's network: 3×64 GELU.
func defaultNetwork() Network {
	return Network{Net: nn.MLPConfig{Hidden: []int{64, 64, 64}, Activation: "gelu", Init: "glorot", LastBias: true, BiasInit: "uniform"}}
}

// Validate checks the network options before the widths are known.
func (o *Network) Validate() error {
	c := o.Net
	c.In, c.Out = 1, 1
	if err := c.Validate(); err != nil {
		return err
	}
	return nil
}

// Freezer is a Metric that can give a copy of itself whose parameters are
// detached: evaluating it records no graph (the losses use it when no
// gradient is wanted, which saves the memory of the recorded graph).
type Freezer interface {
	Frozen() Metric
}

// frozen returns m's frozen copy when it has one and no graph is wanted.
func frozen(m Metric, createGraph bool) Metric {
	if f, ok := m.(Freezer); ok && !createGraph {
		return f.Frozen()
	}
	return m
}

// activationName applies nn's default (tanh) to an empty name.
func activationName(name string) string {
	if name == "" {
		return "tanh"
	}
	return name
}

// detachedMLP returns an MLP sharing net's weights, detached. Its Forward
// must not be called (the activation is not exported): use mlpForward.
func detachedMLP(net *nn.MLP) *nn.MLP {
	c := &nn.MLP{Layers: make([]*nn.Linear, len(net.Layers))}
	for i, l := range net.Layers {
		d := &nn.Linear{W: l.W.Detach()}
		if l.B != nil {
			d.B = l.B.Detach()
		}
		c.Layers[i] = d
	}
	return c
}

// mlpForward is nn.MLP.Forward with the activation given.
func mlpForward(net *nn.MLP, act nn.ActivationFunc, x *autodiff.Tensor) *autodiff.Tensor {
	h := x
	last := len(net.Layers) - 1
	for _, l := range net.Layers[:last] {
		h = act(l.Forward(h))
	}
	return net.Layers[last].Forward(h)
}

// coords returns m, the number of homogeneous coordinates, from the
// model's inputs (2m real columns: Re z then Im z).
func coords(s architectures.State) (int, error) {
	d := s.Dim()
	if d < 6 || d%2 != 0 {
		return 0, fmt.Errorf("a metric model needs the real and imaginary parts of at least 3 homogeneous coordinates as inputs (data kind hypersurface_points), got %d inputs", d)
	}
	return d / 2, nil
}

// build makes the network with in = 2m (+2 for ψ) inputs and out outputs.
func (o *Network) build(m, out int, rng *rand.Rand) (*nn.MLP, error) {
	cfg := o.Net
	cfg.In, cfg.Out = 2*m, out
	if o.Moduli {
		cfg.In += 2
	}
	return nn.NewMLP(rng, cfg)
}

// input is the network input: x, or (x, ψ) with moduli.
func input(x, psi *autodiff.Tensor, moduli bool) (*autodiff.Tensor, error) {
	if !moduli {
		return x, nil
	}
	if psi == nil {
		return nil, errors.New("the model takes ψ as an input (moduli: true) but the batch has no psi column")
	}
	return autodiff.Concat(x, psi), nil
}

// PhiFS is the φ-model: g = g_FS + ∂∂̄φ with φ a network, Kähler by
// construction and in the Fubini–Study class.
type PhiFS struct {
	Network `yaml:",inline"`
}

// NewPhiFS returns the options with cymetric's network.
func NewPhiFS() *PhiFS { return &PhiFS{Network: defaultNetwork()} }

// Validate checks the network options; the activation needs two derivatives.
func (o *PhiFS) Validate() error {
	if err := o.Network.Validate(); err != nil {
		return err
	}
	if _, err := smoothActivation(o.Net.Activation); err != nil {
		return err
	}
	return nil
}

// Build returns the φ-model for the data's coordinates.
func (o *PhiFS) Build(s architectures.State, rng *rand.Rand) (architectures.Model, error) {
	m, err := coords(s)
	if err != nil {
		return nil, fmt.Errorf("phi_fs: %w", err)
	}
	act, err := smoothActivation(o.Net.Activation)
	if err != nil {
		return nil, fmt.Errorf("phi_fs: %w", err)
	}
	net, err := o.build(m, 1, rng)
	if err != nil {
		return nil, fmt.Errorf("phi_fs: %w", err)
	}
	return &PhiModel{Net: net, act: act, moduli: o.Moduli, m: m}, nil
}

// PhiModel is a built φ-model: g = g_FS + ∂∂̄φ_NN.
type PhiModel struct {
	// Net is φ, a scalar network of x (and ψ).
	Net    *nn.MLP
	act    activation
	moduli bool
	m      int
}

// Params returns the network's parameters.
func (p *PhiModel) Params() []*autodiff.Tensor { return p.Net.Params() }

// UsesPsi reports whether ψ is a network input.
func (p *PhiModel) UsesPsi() bool { return p.moduli }

// Phi returns φ [B, 1] at x (and ψ).
func (p *PhiModel) Phi(x, psi *autodiff.Tensor) (*autodiff.Tensor, error) {
	in, err := input(x, psi, p.moduli)
	if err != nil {
		return nil, err
	}
	return mlpForward(p.Net, p.act.plain, in), nil
}

// Frozen returns the model with detached parameters (same values, no
// graph recorded), for evaluation.
func (p *PhiModel) Frozen() Metric {
	c := *p
	c.Net = detachedMLP(p.Net)
	return &c
}

// Metric returns J(g_FS + ∂∂̄φ)J†, the ∂∂̄φ part computed directly along the
// 2(n−1) real directions of J by forward-mode second derivatives.
func (p *PhiModel) Metric(pts Points) (autodiff.Complex, error) {
	in, err := input(pts.X, pts.Psi, p.moduli)
	if err != nil {
		return autodiff.Complex{}, err
	}
	fs := PullBack(FubiniStudy(pts.X, 1), pts.Pullback)
	return autodiff.CAdd(fs, complexHessianAlong(p.Net, p.act, in, pts.Pullback)), nil
}

// Ambient returns g_FS + ∂∂̄φ [B, m, m].
func (p *PhiModel) Ambient(x, psi *autodiff.Tensor) (autodiff.Complex, error) {
	in, err := input(x, psi, p.moduli)
	if err != nil {
		return autodiff.Complex{}, err
	}
	b := x.Rows()
	id := autodiff.Complex{Re: identity(b, p.m), Im: autodiff.Zeros(b, p.m, p.m)}
	return autodiff.CAdd(FubiniStudy(x, 1), complexHessianAlong(p.Net, p.act, in, id)), nil
}

// Ansatz names how a network's Hermitian matrix h enters the metric.
type Ansatz int

// The ansätze of cymetric, on the ambient metric.
const (
	// Multiplicative is g = g_FS + g_FS ⊙ h (entrywise).
	Multiplicative Ansatz = iota
	// Additive is g = g_FS + h.
	Additive
	// Free is g = h.
	Free
)

// HermitianFS is the options of the models whose network outputs the m² real
// numbers of an ambient Hermitian matrix h (cymetric's to_hermitian): mult_fs,
// add_fs and free.
type HermitianFS struct {
	Network `yaml:",inline"`
	ansatz  Ansatz
}

// NewHermitianFS returns the options of the given ansatz with cymetric's
// network.
func NewHermitianFS(a Ansatz) *HermitianFS { return &HermitianFS{Network: defaultNetwork(), ansatz: a} }

// Build returns the model for the data's coordinates.
func (o *HermitianFS) Build(s architectures.State, rng *rand.Rand) (architectures.Model, error) {
	m, err := coords(s)
	if err != nil {
		return nil, err
	}
	net, err := o.build(m, m*m, rng)
	if err != nil {
		return nil, err
	}
	act, err := nn.Activation(activationName(o.Net.Activation))
	if err != nil {
		return nil, err
	}
	return &HermitianModel{Net: net, Ansatz: o.ansatz, moduli: o.Moduli, m: m, act: act}, nil
}

// HermitianModel is a built mult_fs, add_fs or free model.
type HermitianModel struct {
	// Net maps x (and ψ) to the m² reals of h.
	Net *nn.MLP
	// Ansatz says how h enters the metric.
	Ansatz Ansatz
	moduli bool
	m      int
	act    nn.ActivationFunc
}

// Frozen returns the model with detached parameters (same values, no
// graph recorded), for evaluation.
func (h *HermitianModel) Frozen() Metric {
	c := *h
	c.Net = detachedMLP(h.Net)
	return &c
}

// Params returns the network's parameters.
func (h *HermitianModel) Params() []*autodiff.Tensor { return h.Net.Params() }

// UsesPsi reports whether ψ is a network input.
func (h *HermitianModel) UsesPsi() bool { return h.moduli }

// Ambient returns the ambient metric [B, m, m].
func (h *HermitianModel) Ambient(x, psi *autodiff.Tensor) (autodiff.Complex, error) {
	in, err := input(x, psi, h.moduli)
	if err != nil {
		return autodiff.Complex{}, err
	}
	nn := ToHermitian(mlpForward(h.Net, h.act, in), h.m)
	switch h.Ansatz {
	case Multiplicative:
		fs := FubiniStudy(x, 1)
		return autodiff.CAdd(fs, autodiff.CMul(fs, nn)), nil
	case Additive:
		return autodiff.CAdd(FubiniStudy(x, 1), nn), nil
	default:
		return nn, nil
	}
}

// Metric returns the pulled-back ambient metric.
func (h *HermitianModel) Metric(p Points) (autodiff.Complex, error) {
	g, err := h.Ambient(p.X, p.Psi)
	if err != nil {
		return autodiff.Complex{}, err
	}
	return PullBack(g, p.Pullback), nil
}

// FS is the Fubini–Study metric as a Metric without parameters (the
// reference the analyses compare with).
type FS struct{}

// Params returns none.
func (FS) Params() []*autodiff.Tensor { return nil }

// UsesPsi is false.
func (FS) UsesPsi() bool { return false }

// Ambient returns g_FS.
func (FS) Ambient(x, _ *autodiff.Tensor) (autodiff.Complex, error) { return FubiniStudy(x, 1), nil }

// Metric returns the pulled-back g_FS.
func (FS) Metric(p Points) (autodiff.Complex, error) {
	return PullBack(FubiniStudy(p.X, 1), p.Pullback), nil
}
