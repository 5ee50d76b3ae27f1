package systems

import (
	"fmt"
	"slices"

	"ansatz/symbolic"
)

// Hamiltonian is a Hamiltonian system: the state is the coordinates followed
// by the momenta, and the equations of motion q̇_i = ∂H/∂p_i,
// ṗ_i = −∂H/∂q_i are derived symbolically and simplified.
type Hamiltonian struct {
	sys       compiled
	n         int
	h         symbolic.Node
	energy    symbolic.Func
	separable bool
}

// NewHamiltonian builds the system with Hamiltonian hamiltonian (an
// expression in the coordinates, the momenta and the parameters; the
// parameters are substituted as constants).
//
// Errors: a *FieldError for empty, invalid or duplicate names, for
// len(coordinates) != len(momenta) and for a parameter named like a variable
// or with a non-finite value; an *ExprError with Field "hamiltonian" for the
// expression (syntax, unknown function or name).
func NewHamiltonian(coordinates, momenta []string, parameters map[string]float64, hamiltonian string) (*Hamiltonian, error) {
	if err := checkVariables(namedList{"coordinates", coordinates}, namedList{"momenta", momenta}); err != nil {
		return nil, err
	}
	if len(coordinates) != len(momenta) {
		return nil, fieldErrorf("momenta", "%d momenta for %d coordinates", len(momenta), len(coordinates))
	}
	vars := append(slices.Clone(coordinates), momenta...)
	paramNames, err := checkParameters(parameters, vars)
	if err != nil {
		return nil, err
	}
	h, err := parseExpr("hamiltonian", hamiltonian, vars, paramNames, parameters)
	if err != nil {
		return nil, err
	}
	n := len(coordinates)
	field := make([]symbolic.Node, 2*n)
	for i := range n {
		field[i] = symbolic.Diff(h, momenta[i])
		dq := symbolic.Diff(h, coordinates[i])
		field[n+i] = symbolic.Simplify(&symbolic.Unary{Op: '-', X: dq, Offset: dq.Pos()})
	}
	sys, err := compileSystem(vars, field)
	if err != nil {
		return nil, fmt.Errorf("hamiltonian: %w", err)
	}
	energy, err := symbolic.Compile(h, vars)
	if err != nil {
		return nil, fmt.Errorf("hamiltonian: %w", err)
	}
	// ∂q̇_i/∂q_j = ∂²H/∂p_i∂q_j is the upper-left block of the Jacobian.
	separable := true
	for i := range n {
		for j := range n {
			if c, ok := sys.jacobian[i*2*n+j].(*symbolic.Num); !ok || c.Value != 0 {
				separable = false
			}
		}
	}
	return &Hamiltonian{sys: sys, n: n, h: h, energy: energy, separable: separable}, nil
}

// Variables returns the coordinates followed by the momenta.
func (h *Hamiltonian) Variables() []string { return slices.Clone(h.sys.vars) }

// NumCoordinates returns the number of coordinates (half the state size).
func (h *Hamiltonian) NumCoordinates() int { return h.n }

// Field writes (∂H/∂p, −∂H/∂q) at x into dx.
func (h *Hamiltonian) Field(x, dx []float64) { h.sys.fieldFn(x, dx) }

// Energy returns H(x).
func (h *Hamiltonian) Energy(x []float64) float64 { return h.energy(x) }

// Jacobian writes the 2n×2n Jacobian of the field at x into jac, row-major
// (jac[i*2n+j] = ∂f_i/∂x_j), from symbolic second derivatives of H.
func (h *Hamiltonian) Jacobian(x, jac []float64) { h.sys.jacFn(x, jac) }

// Separable reports whether H = T(p) + V(q): every ∂²H/∂q_i∂p_j simplifies
// to 0. Symplectic integrators such as leapfrog need this.
func (h *Hamiltonian) Separable() bool { return h.separable }

// Hamiltonian returns H with the parameters substituted, simplified.
func (h *Hamiltonian) Hamiltonian() string { return h.h.String() }

// Equations returns the derived equations of motion as formulas, one per
// variable ("q' = 2*p", "p' = -2*q"), for docs and logs.
func (h *Hamiltonian) Equations() []string { return h.sys.equations() }
