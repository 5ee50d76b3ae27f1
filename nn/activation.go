package nn

import (
	"fmt"
	"strings"

	"ansatz/autodiff"
)

// ActivationFunc is an elementwise activation on tensors.
type ActivationFunc = func(*autodiff.Tensor) *autodiff.Tensor

// ActivationNames returns the names Activation accepts, sorted.
func ActivationNames() []string {
	return []string{"gelu", "identity", "relu", "sigmoid", "sin", "softplus", "tanh"}
}

// Activation returns the activation called name: tanh, sigmoid, softplus
// (log(1+eˣ)), gelu (exact erf form), relu, sin or identity.
func Activation(name string) (ActivationFunc, error) {
	switch name {
	case "tanh":
		return autodiff.Tanh, nil
	case "sigmoid":
		return autodiff.Sigmoid, nil
	case "softplus":
		return autodiff.Softplus, nil
	case "gelu":
		return autodiff.GELU, nil
	case "relu":
		return autodiff.ReLU, nil
	case "sin":
		return autodiff.Sin, nil
	case "identity":
		return identity, nil
	}
	return nil, fmt.Errorf("nn: unknown activation %q (valid: %s)", name, strings.Join(ActivationNames(), ", "))
}

// identity returns its argument.
func identity(x *autodiff.Tensor) *autodiff.Tensor { return x }
