package optim

import (
	"fmt"
	"math"

	"ansatz/autodiff"
)

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and L2 weight decay, with exactly the update of torch.optim.SGD
// (maximize=False). For parameter p with gradient g:
//
//	if weight_decay ≠ 0:  g ← g + weight_decay·p
//	if momentum ≠ 0:      b ← g on the first step, else b ← momentum·b + (1−dampening)·g
//	                      g ← g + momentum·b (nesterov)  or  g ← b
//	p ← p − lr·g
//
// The exported fields are the options (LearningRate is the yaml key lr; it is
// what SetLR changes); NewSGD returns the defaults. The zero value is not
// usable (its lr is 0): start from NewSGD.
type SGD struct {
	LearningRate float64 `yaml:"lr" doc:"learning rate"`
	Momentum     float64 `yaml:"momentum" doc:"momentum factor (0 = plain gradient descent)"`
	Dampening    float64 `yaml:"dampening" doc:"dampening of the gradient added to the momentum buffer"`
	Nesterov     bool    `yaml:"nesterov" doc:"use Nesterov momentum (needs momentum > 0 and dampening 0)"`
	WeightDecay  float64 `yaml:"weight_decay" doc:"L2 penalty coefficient added to the gradient"`

	state perParam // bufs[0] = momentum buffer
}

// sgdKind names SGD's state in checkpoints.
const sgdKind = "sgd"

// NewSGD returns an SGD optimiser with PyTorch's defaults: lr 1e-3, no
// momentum, no dampening, no weight decay.
func NewSGD() *SGD {
	return &SGD{LearningRate: 1e-3}
}

// Validate checks the option ranges.
func (s *SGD) Validate() error {
	switch {
	case !(s.LearningRate > 0) || math.IsInf(s.LearningRate, 1):
		return fmt.Errorf("optim: sgd: lr must be a positive number, got %v", s.LearningRate)
	case !(s.Momentum >= 0) || math.IsInf(s.Momentum, 1):
		return fmt.Errorf("optim: sgd: momentum must be a non-negative number, got %v", s.Momentum)
	case !(s.Dampening >= 0 && s.Dampening <= 1):
		return fmt.Errorf("optim: sgd: dampening must be in [0, 1], got %v", s.Dampening)
	case !(s.WeightDecay >= 0) || math.IsInf(s.WeightDecay, 1):
		return fmt.Errorf("optim: sgd: weight_decay must be a non-negative number, got %v", s.WeightDecay)
	case s.Nesterov && (s.Momentum == 0 || s.Dampening != 0):
		return fmt.Errorf("optim: sgd: nesterov needs momentum > 0 and dampening 0, got momentum %v, dampening %v", s.Momentum, s.Dampening)
	}
	return nil
}

// SetLR sets the learning rate of the following steps.
func (s *SGD) SetLR(lr float64) { s.LearningRate = lr }

// LR returns the current learning rate.
func (s *SGD) LR() float64 { return s.LearningRate }

// Step applies one SGD update to params in place. grads[i] is the gradient of
// params[i]; a nil gradient leaves its parameter (and its momentum buffer)
// untouched. After the first call Step does not allocate.
func (s *SGD) Step(params, grads []*autodiff.Tensor) error {
	st := &s.state
	if err := checkLists(sgdKind, params, grads, st.sizes); err != nil {
		return err
	}
	st.ensure(params, 1)
	lr, mom, damp, wd, nesterov := s.LearningRate, s.Momentum, s.Dampening, s.WeightDecay, s.Nesterov
	for i, gt := range grads {
		if gt == nil {
			continue
		}
		first := st.steps[i] == 0
		st.steps[i]++
		p := params[i].Data()
		g := gt.Data()[:len(p)]
		switch {
		case mom == 0:
			for j, pj := range p {
				gj := g[j]
				if wd != 0 {
					gj += wd * pj
				}
				p[j] = pj - lr*gj
			}
		default:
			b := st.bufs[0][i][:len(p)]
			for j, pj := range p {
				gj := g[j]
				if wd != 0 {
					gj += wd * pj
				}
				bj := gj
				if !first {
					bj = mom*b[j] + (1-damp)*gj
				}
				b[j] = bj
				if nesterov {
					gj += mom * bj
				} else {
					gj = bj
				}
				p[j] = pj - lr*gj
			}
		}
	}
	return nil
}

// State serialises the momentum buffers, per-parameter step counts and the
// current learning rate (see LoadState).
func (s *SGD) State() ([]byte, error) { return s.state.encode(sgdKind, s.LearningRate) }

// LoadState restores a state written by State, including the learning rate.
// The buffers are checked against the parameters on the next Step.
func (s *SGD) LoadState(data []byte) error {
	lr, err := s.state.decode(sgdKind, 1, data)
	if err != nil {
		return err
	}
	s.LearningRate = lr
	return nil
}
