package losses

import (
	"errors"
	"fmt"
	"math"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/registry"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "cross_entropy",
		Doc: "softmax cross-entropy of a classifier's logits against the class labels (column label), mean over the batch",
		New: func() any { return &CrossEntropy{} },
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "accuracy",
		Doc: "fraction of rows whose largest logit is the labelled class (a measure: use it with weight 0)",
		New: func() any { return &Accuracy{} },
	})
}

// LabelColumn is the batch column holding the class index of each row (as
// a float64), as the labelled data kinds write it.
const LabelColumn = "label"

var errNoClassifier = errors.New("needs a classifier model (model kind classifier)")

// CrossEntropy is the softmax cross-entropy −log softmax(z)_y, averaged
// over the batch, of the classifier's logits z and the labels y. The
// log-sum-exp is shifted by each row's largest logit (a constant of the
// graph, which leaves the value and the gradient unchanged), so large
// logits neither overflow nor lose the small terms.
type CrossEntropy struct{}

// Accepts requires a classifier.
func (CrossEntropy) Accepts(m architectures.Model) error {
	if _, ok := m.(architectures.Classifier); !ok {
		return fmt.Errorf("loss cross_entropy %w", errNoClassifier)
	}
	return nil
}

// Loss returns the mean cross-entropy on the batch.
func (CrossEntropy) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	c, ok := m.(architectures.Classifier)
	if !ok {
		return nil, fmt.Errorf("loss cross_entropy %w", errNoClassifier)
	}
	onehot, err := oneHot(b, c.Classes())
	if err != nil {
		return nil, fmt.Errorf("cross_entropy: %w", err)
	}
	z := c.Logits(b.X, createGraph)
	return CrossEntropyOf(z, onehot), nil
}

// CrossEntropyOf is the mean over rows of log Σ_k exp z_k − Σ_k y_k z_k for
// logits z [B, K] and one-hot (or any probability) rows y [B, K].
func CrossEntropyOf(z, y *autodiff.Tensor) *autodiff.Tensor {
	rows, k := z.Rows(), z.Cols()
	shift := make([]float64, rows)
	zd := z.Data()
	for i := range rows {
		mx := math.Inf(-1)
		for _, v := range zd[i*k : (i+1)*k] {
			mx = math.Max(mx, v)
		}
		shift[i] = mx
	}
	s := autodiff.New(shift, rows, 1)
	lse := autodiff.Add(autodiff.Log(autodiff.SumAxis(autodiff.Exp(autodiff.Sub(z, s)), 1)), s)
	picked := autodiff.SumAxis(autodiff.Mul(z, y), 1)
	return autodiff.Mean(autodiff.Sub(lse, picked))
}

// oneHot turns the batch's label column into one-hot rows [B, classes].
func oneHot(b Batch, classes int) (*autodiff.Tensor, error) {
	lab, err := b.Column(LabelColumn)
	if err != nil {
		return nil, err
	}
	if lab.Cols() != 1 || lab.Rows() != b.X.Rows() {
		return nil, fmt.Errorf("column %s is [%d, %d], want [%d, 1]", LabelColumn, lab.Rows(), lab.Cols(), b.X.Rows())
	}
	out := make([]float64, lab.Rows()*classes)
	for i, v := range lab.Data() {
		c := int(v)
		if float64(c) != v || c < 0 || c >= classes {
			return nil, fmt.Errorf("row %d: label %v is not a class index in [0, %d)", i, v, classes)
		}
		out[i*classes+c] = 1
	}
	return autodiff.New(out, lab.Rows(), classes), nil
}

// Accuracy is the fraction of rows whose largest logit is the labelled
// class. It has no gradient: use it as a measure, with weight 0.
type Accuracy struct{}

// Accepts requires a classifier.
func (Accuracy) Accepts(m architectures.Model) error {
	if _, ok := m.(architectures.Classifier); !ok {
		return fmt.Errorf("loss accuracy %w", errNoClassifier)
	}
	return nil
}

// Loss returns the accuracy on the batch as a constant [1, 1] tensor.
func (Accuracy) Loss(m architectures.Model, b Batch, _ bool) (*autodiff.Tensor, error) {
	c, ok := m.(architectures.Classifier)
	if !ok {
		return nil, fmt.Errorf("loss accuracy %w", errNoClassifier)
	}
	onehot, err := oneHot(b, c.Classes())
	if err != nil {
		return nil, fmt.Errorf("accuracy: %w", err)
	}
	z := c.Logits(b.X, false)
	return autodiff.Scalar(AccuracyOf(z.Data(), onehot.Data(), c.Classes())), nil
}

// AccuracyOf is the fraction of rows of logits z whose largest entry (the
// first, on ties) is where the one-hot row y has its 1.
func AccuracyOf(z, y []float64, classes int) float64 {
	rows := len(z) / classes
	if rows == 0 {
		return 0
	}
	hit := 0
	for i := range rows {
		best := 0
		for k := 1; k < classes; k++ {
			if z[i*classes+k] > z[i*classes+best] {
				best = k
			}
		}
		if y[i*classes+best] == 1 {
			hit++
		}
	}
	return float64(hit) / float64(rows)
}
