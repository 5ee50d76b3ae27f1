package architectures

import (
	"fmt"

	"ansatz/autodiff"
)

// InputJacobian returns the per-sample Jacobian ∂y/∂x [B, m, d] of y [B, m],
// computed row by row from x [B, d] (x must be in y's graph, e.g. a
// Variable). It runs m reverse passes; with createGraph the result can be
// differentiated again (losses built on it can be trained).
func InputJacobian(y, x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error) {
	j, err := autodiff.Jacobian(y, x, createGraph)
	if err != nil {
		return nil, fmt.Errorf("∂y/∂x: %w", err)
	}
	return j, nil
}

// JacobianRows splits a batch of Jacobians jac [B, m, d] into its m rows,
// each [B, d] (the gradient of one output with respect to the input).
func JacobianRows(jac *autodiff.Tensor) []*autodiff.Tensor {
	s := jac.Shape()
	if len(s) != 3 {
		panic(fmt.Sprintf("architectures: JacobianRows: want [B, m, d], got %v", s))
	}
	b, m, d := s[0], s[1], s[2]
	flat := autodiff.Reshape(jac, b, m*d)
	rows := make([]*autodiff.Tensor, m)
	for i := range rows {
		rows[i] = autodiff.Slice(flat, i*d, (i+1)*d)
	}
	return rows
}

// StackRows is the inverse of JacobianRows: it stacks m gradients [B, d]
// into a batch of Jacobians [B, m, d].
func StackRows(rows []*autodiff.Tensor) *autodiff.Tensor {
	if len(rows) == 0 {
		panic("architectures: StackRows: no rows")
	}
	b, d := rows[0].Rows(), rows[0].Shape()[1]
	return autodiff.Reshape(autodiff.Concat(rows...), b, len(rows), d)
}

// PoissonBrackets returns the canonical Poisson brackets of m functions G_a
// of the state x = (q, p) (nq coordinates, then nq momenta) from their
// Jacobian jac = ∂G/∂x [B, m, 2nq]:
//
//	{G_a, G_b} = Σ_k ∂G_a/∂q_k ∂G_b/∂p_k − ∂G_a/∂p_k ∂G_b/∂q_k,
//
// a batch of antisymmetric matrices [B, m, m] (J Ω Jᵀ with Ω = [[0, 1], [−1, 0]]).
// It is built from the engine's differentiable ops, so a Jacobian taken with
// createGraph gives brackets a loss can be trained on.
func PoissonBrackets(jac *autodiff.Tensor, nq int) *autodiff.Tensor {
	s := jac.Shape()
	if len(s) != 3 || s[2] != 2*nq || nq < 1 {
		panic(fmt.Sprintf("architectures: PoissonBrackets: want a Jacobian [B, m, %d], got %v", 2*nq, s))
	}
	b, m := s[0], s[1]
	flat := autodiff.Reshape(jac, b*m, 2*nq)
	jq := autodiff.Reshape(autodiff.Slice(flat, 0, nq), b, m, nq)
	jp := autodiff.Reshape(autodiff.Slice(flat, nq, 2*nq), b, m, nq)
	return autodiff.Sub(autodiff.BatchMatMulT(jq, jp, false, true), autodiff.BatchMatMulT(jp, jq, false, true))
}

// Brackets evaluates the map g at x [B, 2nq] and returns its Jacobian
// [B, m, 2nq] and the Poisson brackets of its outputs [B, m, m]. A constant x
// is wrapped in a fresh leaf to differentiate against.
func Brackets(g func(x *autodiff.Tensor) *autodiff.Tensor, x *autodiff.Tensor, nq int, createGraph bool) (jac, brackets *autodiff.Tensor, err error) {
	in := x
	if !x.RequiresGrad() {
		in = autodiff.Variable(x.Data(), x.Shape()...)
	}
	jac, err = InputJacobian(g(in), in, createGraph)
	if err != nil {
		return nil, nil, fmt.Errorf("poisson brackets: %w", err)
	}
	return jac, PoissonBrackets(jac, nq), nil
}
