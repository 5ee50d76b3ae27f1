// Package architectures holds the networks ansatz trains, built on the
// autodiff engine: a plain MLP vector field, Greydanus et al.'s baseline (an
// MLP that maps a state to its time derivative) and the Hamiltonian neural
// network (an MLP H(q, p) whose symplectic gradient is the vector field),
// and the lax_pair model: two n×n matrix functions L(x), M(x), each an MLP
// or a polynomial in the state variables whose coefficients read as the
// pair's formula (LaxModel, MatrixFunc).
//
// For conserved quantities: scnn, Krippendorf & Syvaeri's symmetry control
// network (a near-identity map T(q, p) → (Q, P) and a Hamiltonian H(Q, P)
// whose first momenta are meant to be conserved, with angle-valued partners
// represented on a circle), and conserved, k functions F_i(x) searched
// directly with Ḟ_i = ∇F_i·ẋ = 0 (both ConservedQuantities); Poisson
// brackets of network outputs (PoissonBrackets, Brackets). For symmetries
// and dual frames: classifier, an MLP with named hidden layers and an
// embedding layer (Classifier). For field theories: lax_connection, the
// matrices A_x, A_t of a zero-curvature pair as functions of the jets.
//
// Each architecture is registered under its spec name (kind "model") with an
// options struct that decodes from YAML; Build turns the options into a Model
// for a given system.
package architectures
