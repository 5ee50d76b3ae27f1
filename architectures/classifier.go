package architectures

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"ansatz/autodiff"
	"ansatz/nn"
	"ansatz/registry"
	"ansatz/spec"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "classifier",
		Doc: "MLP classifier: inputs → class logits through hidden layers hidden1…hiddenK, one of them named the embedding (default the last)",
		New: func() any { return NewClassifierOptions() },
	})
}

// EmbeddingLayer is the alias of the hidden layer a [Classifier] calls its
// embedding.
const EmbeddingLayer = "embedding"

// Classifier is a Model that maps inputs to class logits through named hidden layers.
type Classifier interface {
	Model
	// Logits returns [B, classes] for x [B, d].
	Logits(x *autodiff.Tensor, createGraph bool) *autodiff.Tensor
	// Layer returns the activations [B, width] of the named hidden layer
	// ("embedding", or "hidden1"… ) for x, and false if there is no such layer.
	Layer(x *autodiff.Tensor, name string, createGraph bool) (*autodiff.Tensor, bool)
	// Classes is the number of classes (the width of the logits).
	Classes() int
}

// ClassifierOptions are the options of the model kind classifier:
//
//	model:
//	  kind: classifier
//	  hidden: [32, 32]
//	  activation: tanh
//	  embedding: hidden2     # the default: the last hidden layer
//
// The hidden layers are named hidden1 (input side) … hiddenK; the name
// "embedding" is an alias of the one chosen by the embedding option. Every
// hidden layer is an affine map followed by the activation; the output layer
// is affine and gives one logit per class.
type ClassifierOptions struct {
	Network   nn.MLPConfig `yaml:",inline"`
	Embedding string       `yaml:"embedding" doc:"the hidden layer called the embedding: hidden1 … hiddenK (empty: the last hidden layer)"`
}

// NewClassifierOptions returns the defaults: hidden [32, 32], tanh, Glorot
// weights, uniform biases, an output bias, the embedding the last hidden
// layer.
func NewClassifierOptions() *ClassifierOptions {
	return &ClassifierOptions{Network: nn.MLPConfig{Hidden: []int{32, 32}, Activation: "tanh", Init: "glorot", LastBias: true, BiasInit: "uniform"}}
}

// Validate checks the network and that the embedding layer exists.
func (o *ClassifierOptions) Validate() error {
	if err := validateNetwork(o.Network); err != nil {
		return err
	}
	if len(o.Network.Hidden) == 0 {
		return spec.FieldErrorf("hidden", "a classifier needs at least one hidden layer (its embedding)")
	}
	if _, err := o.embeddingIndex(); err != nil {
		return spec.FieldErrorf("embedding", "%v", err)
	}
	return nil
}

// embeddingIndex returns the 0-based index of the embedding layer.
func (o *ClassifierOptions) embeddingIndex() (int, error) {
	k := len(o.Network.Hidden)
	if o.Embedding == "" || o.Embedding == EmbeddingLayer {
		return k - 1, nil
	}
	if i, ok := hiddenIndex(o.Embedding, k); ok {
		return i, nil
	}
	names := make([]string, k)
	for i := range names {
		names[i] = "hidden" + strconv.Itoa(i+1)
	}
	return 0, fmt.Errorf("no hidden layer %q: the network has %s", o.Embedding, strings.Join(names, ", "))
}

// hiddenIndex parses "hiddenN" (1 ≤ N ≤ k) into N−1.
func hiddenIndex(name string, k int) (int, bool) {
	s, ok := strings.CutPrefix(name, "hidden")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > k || strconv.Itoa(n) != s {
		return 0, false
	}
	return n - 1, true
}

// Build returns the classifier for the data's inputs and classes.
func (o *ClassifierOptions) Build(s State, rng *rand.Rand) (Model, error) {
	return NewClassifier(o, s.Dim(), s.Classes, rng)
}

// NewClassifier builds a classifier network with in inputs and classes
// outputs, drawing the weights from rng (layer by layer as [nn.NewMLP]).
func NewClassifier(o *ClassifierOptions, in, classes int, rng *rand.Rand) (Classifier, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if classes < 2 {
		return nil, fmt.Errorf("classifier: needs labelled data with at least 2 classes, the data has %d (use a data kind with labels, e.g. invariant_samples)", classes)
	}
	cfg := o.Network
	cfg.In, cfg.Out = in, classes
	net, err := nn.NewMLP(rng, cfg)
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	name := cfg.Activation
	if name == "" {
		name = "tanh"
	}
	act, err := nn.Activation(name)
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	emb, _ := o.embeddingIndex() // checked by Validate
	return &classifier{net: net, act: act, embedding: emb, classes: classes}, nil
}

// classifier is an MLP whose hidden layers can be read by name.
type classifier struct {
	net       *nn.MLP
	act       nn.ActivationFunc
	embedding int // index of the embedding among the hidden layers
	classes   int
}

func (c *classifier) Params() []*autodiff.Tensor { return c.net.Params() }

func (c *classifier) Classes() int { return c.classes }

// hidden returns the activations of hidden layer k (0-based).
func (c *classifier) hidden(x *autodiff.Tensor, k int) *autodiff.Tensor {
	h := x
	for _, l := range c.net.Layers[:k+1] {
		h = c.act(l.Forward(h))
	}
	return h
}

func (c *classifier) Logits(x *autodiff.Tensor, createGraph bool) *autodiff.Tensor {
	z := c.net.Forward(x)
	if !createGraph {
		return z.Detach()
	}
	return z
}

func (c *classifier) Layer(x *autodiff.Tensor, name string, createGraph bool) (*autodiff.Tensor, bool) {
	k := c.embedding
	if name != EmbeddingLayer {
		var ok bool
		if k, ok = hiddenIndex(name, len(c.net.Layers)-1); !ok {
			return nil, false
		}
	}
	h := c.hidden(x, k)
	if !createGraph {
		return h.Detach(), true
	}
	return h, true
}
