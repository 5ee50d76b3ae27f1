package losses

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/registry"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "hnn",
		Doc: "Greydanus et al.'s HNN loss ‖∂H/∂p − q̇‖² + ‖∂H/∂q + ṗ‖² (needs a Hamiltonian model)",
		New: func() any { return &HNN{Residual: residual{Norm: "squared"}} },
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "mse",
		Doc: "mean squared (or absolute) error between the model's ẋ and the data's ẋ",
		New: func() any { return &MSE{Residual: residual{Norm: "squared"}} },
	})
}

// Batch is what a loss term sees of the data: states X [B, d], their observed
// time derivatives DX [B, d] and the right-hand side of the equations at the
// states, F = f(X) [B, d] (equal to DX for noise-free states). Data kinds
// without dynamics leave DX and F nil and may provide further per-row
// quantities as named columns ([B, width] each, the same rows as X).
type Batch struct {
	X, DX, F *autodiff.Tensor
	Columns  map[string]*autodiff.Tensor
}

// Column returns the named column of the batch, or an error naming the
// columns the data provides.
func (b Batch) Column(name string) (*autodiff.Tensor, error) {
	if c, ok := b.Columns[name]; ok {
		return c, nil
	}
	have := make([]string, 0, len(b.Columns))
	for n := range b.Columns {
		have = append(have, n)
	}
	slices.Sort(have)
	if len(have) == 0 {
		return nil, fmt.Errorf("the data has no column %q (it provides no columns)", name)
	}
	return nil, fmt.Errorf("the data has no column %q (it provides %s)", name, strings.Join(have, ", "))
}

// Term is a loss term: a scalar function of a model on a batch. With
// createGraph the value can be differentiated with respect to the model's
// parameters.
type Term interface {
	// Accepts reports whether the term can be computed for the model; the
	// error says why not.
	Accepts(m architectures.Model) error
	Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error)
}

// residual is the shared norm option: mean of squared or absolute residuals.
type residual struct {
	Norm string `yaml:"norm" spec:"oneof=squared|absolute" doc:"how residuals are averaged: squared (mean of squares) or absolute (mean of absolute values)"`
}

func (r residual) mean(diff *autodiff.Tensor) *autodiff.Tensor {
	if r.Norm == "absolute" {
		return autodiff.Mean(autodiff.Abs(diff))
	}
	return autodiff.Mean(autodiff.Square(diff))
}

// fieldLoss is the mean residual between the model's vector field and the data.
func (r residual) fieldLoss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	vf, ok := m.(architectures.VectorField)
	if !ok {
		return nil, errNoField
	}
	f, err := vf.Field(b.X, createGraph)
	if err != nil {
		return nil, err
	}
	return r.mean(autodiff.Sub(f, b.DX)), nil
}

// HNN is the Hamiltonian neural network loss: the mean residual between the
// symplectic gradient of the learned H and the observed ẋ.
type HNN struct {
	Residual residual `yaml:",inline"`
}

// Accepts requires a Hamiltonian model.
func (l *HNN) Accepts(m architectures.Model) error {
	if _, ok := m.(architectures.Hamiltonian); !ok {
		return fmt.Errorf("loss hnn needs a model with a learned Hamiltonian (model kind hnn); use loss mse for other models")
	}
	return nil
}

// Loss returns the HNN loss on the batch.
func (l *HNN) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	return l.Residual.fieldLoss(m, b, createGraph)
}

// MSE compares the model's predicted ẋ with the data's, for any model.
type MSE struct {
	Residual residual `yaml:",inline"`
}

// Accepts takes every model that predicts ẋ.
func (l *MSE) Accepts(m architectures.Model) error {
	if _, ok := m.(architectures.VectorField); !ok {
		return errNoField
	}
	return nil
}

var errNoField = errors.New("loss mse needs a model that predicts ẋ (mlp, baseline or hnn)")

// Loss returns the mean residual of the predicted vector field on the batch.
func (l *MSE) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	return l.Residual.fieldLoss(m, b, createGraph)
}
