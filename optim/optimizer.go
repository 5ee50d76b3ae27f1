package optim

import (
	"fmt"

	"ansatz/autodiff"
)

// Optimizer updates parameters in place from their gradients.
type Optimizer interface {
	// Step applies one update to params given grads (same length, same
	// order, and the same list on every call). A nil grad skips its
	// parameter for this step, as PyTorch skips parameters whose .grad is
	// None.
	Step(params, grads []*autodiff.Tensor) error
	// SetLR sets the learning rate used by the following steps.
	SetLR(lr float64)
	// LR returns the current learning rate.
	LR() float64
	// State serialises the optimiser's internal state (buffers, step
	// counts and current learning rate) for a checkpoint.
	State() ([]byte, error)
	// LoadState restores a state produced by State of the same kind of
	// optimiser. The buffers are checked against the parameters on the
	// next Step.
	LoadState(data []byte) error
}

// checkLists verifies that params and grads match each other and, once state
// exists (len(sizes) > 0), the parameter sizes the state was built for. It
// does not allocate unless it returns an error.
func checkLists(kind string, params, grads []*autodiff.Tensor, sizes []int) error {
	if len(params) != len(grads) {
		return fmt.Errorf("optim: %s: %d params but %d grads", kind, len(params), len(grads))
	}
	if sizes != nil && len(sizes) != len(params) {
		return fmt.Errorf("optim: %s: state holds %d params, got %d (pass the same parameter list every step)", kind, len(sizes), len(params))
	}
	for i, p := range params {
		if p == nil {
			return fmt.Errorf("optim: %s: param %d is nil", kind, i)
		}
		n := len(p.Data())
		if sizes != nil && sizes[i] != n {
			return fmt.Errorf("optim: %s: param %d has %d elements, state has %d (pass the same parameter list every step)", kind, i, n, sizes[i])
		}
		if g := grads[i]; g != nil && len(g.Data()) != n {
			return fmt.Errorf("optim: %s: grad %d has %d elements, param has %d", kind, i, len(g.Data()), n)
		}
	}
	return nil
}

// The optimisers implement Optimizer.
var (
	_ Optimizer = (*Adam)(nil)
	_ Optimizer = (*SGD)(nil)
)
