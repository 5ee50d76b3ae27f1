package architectures

import (
	"fmt"
	"math/rand/v2"

	"ansatz/autodiff"
	"ansatz/datasets"
	"ansatz/systems"
)

// State describes the space a model acts on: its input variables in order
// (the system's state variables, or what the data kind describes: jets,
// real coordinates, samples) and, for Hamiltonian systems, how many of them
// are coordinates (the rest are their momenta, in the same order).
type State struct {
	Vars []string
	// NQ is the number of canonical coordinates q; the momenta p follow them.
	// It is 0 when the system declares no canonical structure.
	NQ int
	// Classes is the number of classes of labelled data, 0 otherwise.
	Classes int
	// System is the spec's system (nil when it declares none); models that
	// need more than the variable names assert its kind.
	System systems.System
}

// Dim is the dimension of the state.
func (s State) Dim() int { return len(s.Vars) }

// Model is a trainable network. What it computes depends on its kind: the
// interfaces below say what a loss term or an analysis may ask of it.
type Model interface {
	// Params are the trainable tensors in a stable order.
	Params() []*autodiff.Tensor
}

// VectorField is a Model that predicts the time derivative ẋ of a batch of
// states x [B, d]; rollouts integrate it.
type VectorField interface {
	Model
	// Field returns the predicted ẋ [B, d] for x [B, d]. With createGraph the
	// result can be differentiated with respect to the parameters (training);
	// without it the graph is not kept (evaluation, rollouts).
	Field(x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error)
}

// Hamiltonian is a VectorField that is the symplectic gradient of a learned
// scalar H(q, p).
type Hamiltonian interface {
	VectorField
	// Hamiltonian returns H [B, 1] for x [B, d].
	Hamiltonian(x *autodiff.Tensor) *autodiff.Tensor
}

// LaxPair is a Model of two matrix-valued functions of the state, L(x) and
// M(x), meant to satisfy L̇ = [L, M] along the flow (a Lax pair).
type LaxPair interface {
	Model
	// Size is n: L and M are n×n.
	Size() int
	// LM returns L and M [B, n, n] for x [B, d]; x is differentiated
	// through (L̇ = (∂L/∂x)·ẋ), so both must be built from x in the graph.
	LM(x *autodiff.Tensor) (l, m *autodiff.Tensor)
}

// NamedField is one of several vector fields a model offers (see [Fields]).
type NamedField struct {
	// Name is the trajectories' source, e.g. "scnn".
	Name string
	// Field returns ẋ [B, d] for x [B, d], without keeping a graph.
	Field func(x *autodiff.Tensor) (*autodiff.Tensor, error)
}

// Fields is implemented by models that offer several vector fields; each is
// rolled out, the first being the one rollout metrics measure.
type Fields interface {
	Model
	Fields() []NamedField
}

// Fitter is implemented by models that are fitted to the training set
// without gradients (e.g. Donaldson's algorithm); the runner calls Fit
// before the optimiser loop, and the fitted state lives in Params.
type Fitter interface {
	Model
	Fit(train *datasets.Set, rng *rand.Rand) error
}

// Builder is implemented by every registered model's options: it builds the
// network for a phase space, drawing initial weights from rng.
type Builder interface {
	Build(state State, rng *rand.Rand) (Model, error)
}

// symplectic maps ∇H = (∂H/∂q, ∂H/∂p) [B, 2n] to (∂H/∂p, −∂H/∂q).
func symplectic(grad *autodiff.Tensor, nq int) *autodiff.Tensor {
	dq := autodiff.Slice(grad, 0, nq)
	dp := autodiff.Slice(grad, nq, 2*nq)
	return autodiff.Concat(dp, autodiff.Neg(dq))
}

// canonical checks that a state can carry a symplectic structure and returns
// its number of coordinates.
func canonical(s State) (int, error) {
	nq := s.NQ
	if nq == 0 {
		if s.Dim()%2 != 0 {
			return 0, fmt.Errorf("a Hamiltonian model needs an even number of state variables (coordinates then momenta), the system has %d", s.Dim())
		}
		nq = s.Dim() / 2
	}
	if 2*nq != s.Dim() {
		return 0, fmt.Errorf("a Hamiltonian model needs as many momenta as coordinates, the system has %d coordinates in %d variables", nq, s.Dim())
	}
	return nq, nil
}

// LaxFlow evaluates a Lax pair at x [B, d] and the derivative of L along v
// [B, d]: L̇ = (∂L/∂x)·v, a Jacobian–vector product per sample. With v = ẋ
// this is the time derivative of L along the flow. L, M and L̇ are [B, n, n].
// With createGraph the results can be differentiated with respect to the
// parameters (training).
func LaxFlow(p LaxPair, x, v *autodiff.Tensor, createGraph bool) (l, m, ldot *autodiff.Tensor, err error) {
	in := x
	if !x.RequiresGrad() {
		in = autodiff.Variable(x.Data(), x.Shape()...)
	}
	l, m = p.LM(in)
	n, b := p.Size(), x.Rows()
	jv, err := autodiff.JVP(autodiff.Reshape(l, b, n*n), in, v, createGraph)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("L̇ = (∂L/∂x)·ẋ: %w", err)
	}
	return l, m, autodiff.Reshape(jv, b, n, n), nil
}
