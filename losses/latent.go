package losses

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/registry"
	"ansatz/spec"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "latent_separation",
		Doc: "pushes the classes apart in a hidden layer of a classifier: within-class spread / (within + between-class distance), in [0, 1] and scale free (needs a classifier and a label column)",
		New: func() any { return NewLatentSeparation() },
	})
}

// LatentSeparation is the latent-space loss of Betzler & Krippendorf
// (arXiv:2002.05169) in a bounded, scale-free form: in the hidden layer
// named by Layer, with class means μ_c and within-class spreads
// tr Σ_c = ⟨‖h − μ_c‖²⟩_c over the batch rows of class c,
//
//	L = (S_w + ε) / (S_w + S_b + ε),
//	S_w = (2/K) Σ_c tr Σ_c,             (= tr Σ0 + tr Σ1 for two classes)
//	S_b = mean over pairs a < b of ‖μ_a − μ_b‖²   (= ‖μ1 − μ0‖² for two)
//
// over the K classes present in the batch. L lies in [0, 1]: it is 1 when
// the class means coincide (or the layer is constant) and tends to 0 as the
// classes become points far apart relative to their spread. It is a
// ratio of squared lengths, so scaling the layer's activations by s leaves
// it unchanged (up to ε, which only matters for a layer that has collapsed
// to a point, and then gives L = 1, the worst value, rather than 0/0): it
// cannot be lowered by inflating the layer, only by separating the classes
// relative to their spread. Bounded, its gradient does not swamp the
// cross-entropy's as −log(S_b/S_w) would near perfect separation (it
// diverges there). Equivalently L = 1/(1 + F) with F = S_b/S_w a Fisher
// ratio.
//
// A batch with fewer than two classes present gives L = 1 without a graph
// (no information, no gradient). Labels come from the batch's label column
// (class indices as float64).
//
//	losses:
//	  - {kind: cross_entropy}
//	  - {kind: latent_separation, weight: 0.5, layer: embedding}
type LatentSeparation struct {
	Layer   string  `yaml:"layer" doc:"hidden layer of the classifier: embedding (the default) or hidden1 … hiddenK"`
	Epsilon float64 `yaml:"epsilon" doc:"ε > 0 added to numerator and denominator, so a collapsed layer scores 1 rather than 0/0"`
}

// NewLatentSeparation returns the defaults: the embedding layer, ε = 1e-8.
func NewLatentSeparation() *LatentSeparation {
	return &LatentSeparation{Layer: architectures.EmbeddingLayer, Epsilon: 1e-8}
}

// Validate checks the layer name's form (embedding or hiddenN, N ≥ 1) and ε.
func (l *LatentSeparation) Validate() error {
	var errs []error
	if l.Layer != architectures.EmbeddingLayer {
		n, ok := strings.CutPrefix(l.Layer, "hidden")
		if k, err := strconv.Atoi(n); !ok || err != nil || k < 1 || strconv.Itoa(k) != n {
			errs = append(errs, spec.FieldErrorf("layer", "must be %s or hiddenN (N ≥ 1, the input side first), got %q", architectures.EmbeddingLayer, l.Layer))
		}
	}
	if !(l.Epsilon > 0) || math.IsInf(l.Epsilon, 0) {
		errs = append(errs, spec.FieldErrorf("epsilon", "must be a finite number > 0, got %v", l.Epsilon))
	}
	return errors.Join(errs...)
}

// Accepts requires a classifier with the named hidden layer.
func (l *LatentSeparation) Accepts(m architectures.Model) error {
	c, ok := m.(architectures.Classifier)
	if !ok {
		return errors.New("loss latent_separation needs a classifier model (model kind classifier)")
	}
	if err := hasLayer(c, l.Layer); err != nil {
		return spec.FieldErrorf("layer", "%v", err)
	}
	return nil
}

// hasLayer reports whether the classifier has the named hidden layer, by
// asking for its activations on one zero input (the input width is the
// number of rows of the first parameter, the first layer's weights).
func hasLayer(c architectures.Classifier, name string) error {
	ps := c.Params()
	if len(ps) == 0 || ps[0].Rank() != 2 {
		return nil // cannot probe; Loss reports a missing layer
	}
	in := ps[0].Rows()
	if _, ok := c.Layer(autodiff.Zeros(1, in), name, false); !ok {
		return fmt.Errorf("the classifier has no hidden layer %q", name)
	}
	return nil
}

// Loss returns the separation loss of the batch in the chosen layer.
func (l *LatentSeparation) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	c, ok := m.(architectures.Classifier)
	if !ok {
		return nil, errors.New("loss latent_separation needs a classifier model (model kind classifier)")
	}
	col, err := b.Column(LabelColumn)
	if err != nil {
		return nil, fmt.Errorf("latent_separation: %w", err)
	}
	labels, err := ClassLabels(col, c.Classes())
	if err != nil {
		return nil, fmt.Errorf("latent_separation: %w", err)
	}
	h, ok := c.Layer(b.X, l.Layer, createGraph)
	if !ok {
		return nil, fmt.Errorf("latent_separation: the classifier has no hidden layer %q", l.Layer)
	}
	return Separation(h, labels, l.Epsilon), nil
}

// ClassLabels reads a label column [B, 1] of class indices stored as float64
// and checks that each is an integer in [0, classes).
func ClassLabels(col *autodiff.Tensor, classes int) ([]int, error) {
	if col.Cols() != 1 {
		return nil, fmt.Errorf("the label column has width %d, want 1", col.Cols())
	}
	out := make([]int, col.Rows())
	for i, v := range col.Data() {
		k := int(v)
		if float64(k) != v || k < 0 || k >= classes {
			return nil, fmt.Errorf("row %d has label %v, want a class index in 0 … %d", i, v, classes-1)
		}
		out[i] = k
	}
	return out, nil
}

// Separation is the loss of [LatentSeparation] for activations h [B, W]
// with class labels[i] ≥ 0 for row i. The result is a [1, 1] tensor in
// [0, 1], differentiable with respect to h when h is in a graph. It panics
// if len(labels) is not the number of rows of h or a label is negative
// (programmer errors).
func Separation(h *autodiff.Tensor, labels []int, eps float64) *autodiff.Tensor {
	if h.Rank() != 2 || h.Rows() != len(labels) {
		panic(fmt.Sprintf("losses: Separation: %d labels for activations of shape %v", len(labels), h.Shape()))
	}
	b := len(labels)
	// Rows per class, and the slot of each class present (in index order).
	n := make([]int, maxLabel(labels)+1)
	for _, c := range labels {
		if c < 0 {
			panic(fmt.Sprintf("losses: Separation: negative label %d", c))
		}
		n[c]++
	}
	slot := make([]int, len(n))
	var count []int
	for c, nc := range n {
		slot[c] = len(count)
		if nc > 0 {
			count = append(count, nc)
		}
	}
	k := len(count)
	if k < 2 {
		return autodiff.Scalar(1)
	}
	// avg [K, B]: row c averages the rows of class c; onehot [B, K].
	avg := make([]float64, k*b)
	onehot := make([]float64, b*k)
	for i, c := range labels {
		s := slot[c]
		avg[s*b+i] = 1 / float64(count[s])
		onehot[i*k+s] = 1
	}
	avgT := autodiff.New(avg, k, b)
	means := autodiff.MatMul(avgT, h) // [K, W]
	centred := autodiff.Sub(h, autodiff.MatMul(autodiff.New(onehot, b, k), means))
	rowSq := autodiff.SumAxis(autodiff.Square(centred), 1)                             // [B, 1]
	within := autodiff.Scale(autodiff.Sum(autodiff.MatMul(avgT, rowSq)), 2/float64(k)) // (2/K) Σ_c tr Σ_c
	// Mean pairwise ‖μ_a − μ_b‖² = 2/(K−1) Σ_c ‖μ_c − μ̄‖².
	centre := make([]float64, k*k)
	for i := range k {
		for j := range k {
			centre[i*k+j] = -1 / float64(k)
		}
		centre[i*k+i] += 1
	}
	dm := autodiff.MatMul(autodiff.New(centre, k, k), means)
	between := autodiff.Scale(autodiff.Sum(autodiff.Square(dm)), 2/float64(k-1))
	num := autodiff.AddScalar(within, eps)
	return autodiff.Div(num, autodiff.Add(num, between))
}

// maxLabel is the largest label.
func maxLabel(labels []int) int {
	m := 0
	for _, c := range labels {
		m = max(m, c)
	}
	return m
}
