// Package autodiff is ansatz's differentiable tensor engine: dense float64
// tensors on gonum, recorded on a reverse-mode tape, with backward rules that
// are themselves written in the engine's differentiable ops, so gradients of
// any order work (PyTorch's create_graph=True). The physics losses need this:
// an HNN loss contains dH/dx and its parameter gradient is a gradient of a
// gradient; a Calabi–Yau metric is a complex Hessian of a network whose log
// determinant is differentiated once more.
//
// # Tensors
//
// A Tensor is a row-major array of rank 2, [rows, cols] (a batch of samples ×
// features), or rank 3, [b, n, m] (a batch of small matrices, n, m ≲ 10).
// Constants come from New, Zeros, Full and Scalar; leaves we differentiate with
// respect to (parameters, inputs) from Variable. Every op returns a new tensor;
// if any of its inputs requires grad the result records a node: its inputs and
// its backward rule.
//
// # The tape
//
// The graph is implicit in the tensors: each non-leaf tensor points to its
// inputs. Grad walks it depth first from the output, inputs in order (so the
// order is deterministic), keeps only the tensors that depend on one of the
// requested inputs, and visits them in reverse topological order, calling each
// node's backward rule (a vector–Jacobian product) and accumulating gradients of
// tensors used several times.
//
// # Create-graph and detached backward
//
// A backward rule receives the op's output, the upstream gradient and the op's
// inputs, and computes the input gradients with the same public ops. With the
// CreateGraph option Grad passes the real, recorded tensors, so the gradients it
// returns are graph nodes that can be differentiated again (any order: JVP,
// Hessian and the Calabi–Yau chain rely on this). Without it, Grad passes
// detached copies (same values, no graph): nothing requires grad, so nothing is
// recorded and the backward pass costs only the arithmetic.
//
// Hot backward rules are fused ops with their own backward rules: tanh's
// up·(1−y²) reuses the output y in one pass, Linear writes the bias row and lets
// GEMM accumulate onto it, LinearTanh applies tanh in place on the GEMM output.
//
// As in PyTorch (retain_graph=False), the values that a Grad with CreateGraph
// recorded are released by the first Grad without CreateGraph that uses them,
// and differentiating through them again is an error (ErrGraphReleased) unless
// that Grad was given RetainGraph. Values the caller can reach (inputs, outputs
// of the caller's ops, results of Grad) are never released.
//
// # Broadcasting
//
// The elementwise binary ops (Add, Sub, Mul, Div) accept, for rank-2 operands,
// equal shapes, or one side [1,c] (a row repeated over the rows), [r,1] (a
// column repeated over the columns) or [1,1] (a scalar); for rank-3 operands
// [b,n,m], equal shapes, a [1,1] scalar, or a [b,1] column that scales (or
// shifts) each matrix of the batch. Other combinations panic: shapes are fixed
// by the program, not by user data. The backward rule of a broadcast sums the
// upstream gradient back to the operand's shape.
//
// # Performance
//
// Matrix products (MatMul, MatMulT, Linear) go through gonum's blas64.Gemm with
// transpose flags, never copying a transpose, so a faster GEMM installed with
// blas64.Use is picked up. Elementwise loops are plain slice loops, split over
// the available cores above 32k elements; reductions use fixed blocks, so
// their results do not depend on the number of cores. Tanh is a branch-free
// polynomial evaluation, vectorised with AVX-512 on amd64 (bit-identical to
// its Go fallback). Grad without CreateGraph recycles the buffers of
// intermediate gradients and released values as soon as they are dead, and
// accumulates into them in place, so a training step allocates few large
// buffers. Batched products of small matrices are direct loops.
//
// # Errors
//
// Shape mismatches inside the ops are programming errors and panic with a
// message naming the op and the shapes. Grad, JVP, Jacobian and Hessian return
// errors for misuse that depends on values passed at run time (a non-scalar
// output without a seed, mismatched seed or direction shapes).
package autodiff
