// Package systems builds physical systems from the expression strings of a
// spec: Hamiltonian systems (coordinates, momenta and a Hamiltonian, whose
// equations of motion are derived symbolically) and general autonomous ODEs
// (one right-hand side per variable, optionally a conserved energy).
//
// Both kinds implement System; systems with a conserved quantity implement
// Energy (use EnergyOf to ask, since an *ODE has an energy only if its spec
// gives one). Parameters are substituted as constants at construction, the
// expressions are differentiated and simplified by package symbolic and
// compiled to closures, so Field, Energy and Jacobian do not allocate and are
// safe for concurrent use.
//
// Construction errors say which spec value is at fault: an *ExprError for an
// expression (with the byte offset inside it), a *FieldError for names and
// keys.
package systems
