package architectures

import "ansatz/autodiff"

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
