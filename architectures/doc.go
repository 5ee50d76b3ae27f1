// Package architectures holds the networks ansatz trains, built on the
// autodiff engine: a plain MLP vector field, Greydanus et al.'s baseline (an
// MLP that maps a state to its time derivative) and the Hamiltonian neural
// network (an MLP H(q, p) whose symplectic gradient is the vector field),
// and the lax_pair model: two n×n matrix functions L(x), M(x), each an MLP
// or a polynomial in the state variables whose coefficients read as the
// pair's formula (LaxModel, MatrixFunc).
//
// Each architecture is registered under its spec name (kind "model") with an
// options struct that decodes from YAML; Build turns the options into a Model
// for a given system.
package architectures
