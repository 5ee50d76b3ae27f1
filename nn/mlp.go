package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"ansatz/autodiff"
)

// Linear is an affine layer x·W + B with W [fanIn, fanOut] and B [1, fanOut]
// (broadcast over the rows of x), or x·W when B is nil.
type Linear struct {
	W, B *autodiff.Tensor
}

// NewLinear returns a layer with weights filled by init and, if bias is set,
// a zero bias. Both are Variables. It panics if fanIn or fanOut is not
// positive (a programming error).
func NewLinear(rng *rand.Rand, fanIn, fanOut int, init InitFunc, bias bool) *Linear {
	w := make([]float64, fanIn*fanOut)
	init(rng, fanIn, fanOut, w)
	l := &Linear{W: autodiff.Variable(w, fanIn, fanOut)}
	if bias {
		l.B = autodiff.Variable(make([]float64, fanOut), 1, fanOut)
	}
	return l
}

// Forward maps x [B, fanIn] to x·W + B [B, fanOut] (one fused engine op).
func (l *Linear) Forward(x *autodiff.Tensor) *autodiff.Tensor {
	return autodiff.Linear(x, l.W, l.B)
}

// MLPConfig configures a multilayer perceptron. In and Out are set by the
// model that owns the network (from the data), the rest from YAML.
//
// NewMLPConfig gives the defaults of the HNN reference code. In the zero
// value an empty Activation means tanh, an empty Init means orthogonal and a
// nil Hidden means no hidden layer (a single affine map).
type MLPConfig struct {
	In         int    `yaml:"-"`
	Hidden     []int  `yaml:"hidden" doc:"widths of the hidden layers, input side first"`
	Out        int    `yaml:"-"`
	Activation string `yaml:"activation" doc:"activation after each hidden layer: tanh, sigmoid, softplus, gelu, relu, sin or identity"`
	Init       string `yaml:"init" doc:"weight initialiser: orthogonal, glorot, he or zeros (biases start at zero)"`
	LastBias   bool   `yaml:"last_bias" doc:"give the output layer a bias"`
	BiasInit   string `yaml:"bias_init" spec:"oneof=uniform|zeros" doc:"bias initialisation: uniform (U(−1/√fan_in, 1/√fan_in), PyTorch's default) or zeros"`
}

// NewMLPConfig returns the configuration of the HNN reference network for the
// given input and output widths: two hidden layers of 200, tanh, orthogonal
// initialisation, no bias on the output layer.
func NewMLPConfig(in, out int) MLPConfig {
	return MLPConfig{In: in, Hidden: []int{200, 200}, Out: out, Activation: "tanh", Init: "orthogonal", BiasInit: "uniform"}
}

// Validate checks the widths and names.
func (c *MLPConfig) Validate() error {
	if c.In < 1 {
		return fmt.Errorf("nn: mlp: in must be ≥ 1, got %d", c.In)
	}
	if c.Out < 1 {
		return fmt.Errorf("nn: mlp: out must be ≥ 1, got %d", c.Out)
	}
	for i, h := range c.Hidden {
		if h < 1 {
			return fmt.Errorf("nn: mlp: hidden[%d] must be ≥ 1, got %d", i, h)
		}
	}
	if _, err := Activation(c.actName()); err != nil {
		return fmt.Errorf("nn: mlp: activation %q is not one of %s", c.Activation, strings.Join(ActivationNames(), ", "))
	}
	if _, err := Initializer(c.initName()); err != nil {
		return fmt.Errorf("nn: mlp: init %q is not one of %s", c.Init, strings.Join(InitNames(), ", "))
	}
	return nil
}

// actName returns the activation name with the zero-value default.
func (c *MLPConfig) actName() string {
	if c.Activation == "" {
		return "tanh"
	}
	return c.Activation
}

// initName returns the initialiser name with the zero-value default.
func (c *MLPConfig) initName() string {
	if c.Init == "" {
		return "orthogonal"
	}
	return c.Init
}

// uniformBias reports whether biases start uniform (the default) or at zero.
func (c *MLPConfig) uniformBias() bool { return c.BiasInit != "zeros" }

// MLP is a multilayer perceptron: affine layers with an activation after
// every layer except the last.
type MLP struct {
	// Layers are the affine layers, input side first.
	Layers []*Linear
	act    ActivationFunc
}

// NewMLP builds the network described by cfg, initialising the weights from
// rng in layer order (so the same seed gives the same network): each layer's
// weights, then its bias. Biases are drawn from U(−1/√fan_in, 1/√fan_in) as
// PyTorch's nn.Linear does, or start at zero with BiasInit "zeros".
//
// Zero biases with an odd activation (tanh, sin) and no output bias make the
// initial network an odd function of its input; a Hamiltonian network then
// starts unable to represent an even H such as q² + p², which measurably
// hurts HNN training (the Greydanus setups rely on PyTorch's uniform biases).
func NewMLP(rng *rand.Rand, cfg MLPConfig) (*MLP, error) {
	if rng == nil {
		return nil, errors.New("nn: mlp: nil random generator")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	act, _ := Activation(cfg.actName()) // names checked by Validate
	initFn, _ := Initializer(cfg.initName())
	widths := append(append([]int{cfg.In}, cfg.Hidden...), cfg.Out)
	m := &MLP{act: act}
	for i := range len(widths) - 1 {
		last := i == len(widths)-2
		l := NewLinear(rng, widths[i], widths[i+1], initFn, !last || cfg.LastBias)
		if l.B != nil && cfg.uniformBias() {
			bound := 1 / math.Sqrt(float64(widths[i]))
			for j := range l.B.Data() {
				l.B.Data()[j] = bound * (2*rng.Float64() - 1)
			}
		}
		m.Layers = append(m.Layers, l)
	}
	return m, nil
}

// Forward maps x [B, In] to the network output [B, Out].
func (m *MLP) Forward(x *autodiff.Tensor) *autodiff.Tensor {
	return m.Layers[len(m.Layers)-1].Forward(m.Embedding(x))
}

// Embedding returns the output of the last hidden layer (after its
// activation) for x [B, In]: the features the output layer combines. With no
// hidden layer it returns x.
func (m *MLP) Embedding(x *autodiff.Tensor) *autodiff.Tensor {
	h := x
	for _, l := range m.Layers[:len(m.Layers)-1] {
		h = m.act(l.Forward(h))
	}
	return h
}

// Params returns the trainable tensors in a stable order: W0, B0, W1, B1, …,
// with the last layer's bias only if it has one.
func (m *MLP) Params() []*autodiff.Tensor {
	var ps []*autodiff.Tensor
	for _, l := range m.Layers {
		ps = append(ps, l.W)
		if l.B != nil {
			ps = append(ps, l.B)
		}
	}
	return ps
}
