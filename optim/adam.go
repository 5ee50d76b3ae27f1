package optim

import (
	"fmt"
	"math"

	"ansatz/autodiff"
)

// Adam is the Adam optimiser (Kingma & Ba 2014) with exactly the update of
// torch.optim.Adam (amsgrad=False, maximize=False), and, with Decoupled set,
// of torch.optim.AdamW. For parameter p with gradient g at step t (counted
// from 1 per parameter):
//
//	if weight_decay ≠ 0:  g ← g + weight_decay·p        (Adam: L2 term)
//	                  or  p ← p·(1 − lr·weight_decay)   (decoupled: AdamW)
//	m ← m + (1−β1)·(g − m)          (torch's lerp; = β1·m + (1−β1)·g)
//	v ← β2·v + (1−β2)·g²
//	p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps)
//
// The exported fields are the options (LearningRate is the yaml key lr; it is
// what SetLR changes); NewAdam returns PyTorch's defaults. The
// zero value is not usable (its lr is 0): start from NewAdam.
type Adam struct {
	LearningRate float64 `yaml:"lr" doc:"learning rate"`
	Beta1        float64 `yaml:"beta1" doc:"decay rate of the running mean of gradients (first moment)"`
	Beta2        float64 `yaml:"beta2" doc:"decay rate of the running mean of squared gradients (second moment)"`
	Eps          float64 `yaml:"eps" doc:"term added to the denominator for numerical stability"`
	WeightDecay  float64 `yaml:"weight_decay" doc:"weight decay coefficient: an L2 term added to the gradient, or decoupled decay if decoupled is set"`
	Decoupled    bool    `yaml:"decoupled" doc:"apply weight decay directly to the weights (AdamW) instead of through the gradient"`

	state perParam // bufs[0] = m, bufs[1] = v
}

// adamKind names Adam's state in checkpoints.
const adamKind = "adam"

// NewAdam returns an Adam optimiser with PyTorch's defaults: lr 1e-3,
// β1 0.9, β2 0.999, eps 1e-8, no weight decay, coupled (L2) decay.
func NewAdam() *Adam {
	return &Adam{LearningRate: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Validate checks the option ranges.
func (a *Adam) Validate() error {
	switch {
	case !(a.LearningRate > 0) || math.IsInf(a.LearningRate, 1):
		return fmt.Errorf("optim: adam: lr must be a positive number, got %v", a.LearningRate)
	case !(a.Beta1 >= 0 && a.Beta1 < 1):
		return fmt.Errorf("optim: adam: beta1 must be in [0, 1), got %v", a.Beta1)
	case !(a.Beta2 >= 0 && a.Beta2 < 1):
		return fmt.Errorf("optim: adam: beta2 must be in [0, 1), got %v", a.Beta2)
	case !(a.Eps >= 0) || math.IsInf(a.Eps, 1):
		return fmt.Errorf("optim: adam: eps must be a non-negative number, got %v", a.Eps)
	case !(a.WeightDecay >= 0) || math.IsInf(a.WeightDecay, 1):
		return fmt.Errorf("optim: adam: weight_decay must be a non-negative number, got %v", a.WeightDecay)
	}
	return nil
}

// SetLR sets the learning rate of the following steps.
func (a *Adam) SetLR(lr float64) { a.LearningRate = lr }

// LR returns the current learning rate.
func (a *Adam) LR() float64 { return a.LearningRate }

// Step applies one Adam update to params in place. grads[i] is the gradient
// of params[i]; a nil gradient leaves its parameter (and its step count)
// untouched. After the first call Step does not allocate.
func (a *Adam) Step(params, grads []*autodiff.Tensor) error {
	st := &a.state
	if err := checkLists(adamKind, params, grads, st.sizes); err != nil {
		return err
	}
	st.ensure(params, 2)
	lr, b1, b2, eps, wd := a.LearningRate, a.Beta1, a.Beta2, a.Eps, a.WeightDecay
	l2 := wd != 0 && !a.Decoupled
	decay := 1.0
	if wd != 0 && a.Decoupled {
		decay = 1 - lr*wd
	}
	w1, w2 := 1-b1, 1-b2
	for i, gt := range grads {
		if gt == nil {
			continue
		}
		st.steps[i]++
		t := float64(st.steps[i])
		stepSize := lr / (1 - math.Pow(b1, t))
		bc2Sqrt := math.Sqrt(1 - math.Pow(b2, t))
		p := params[i].Data()
		g := gt.Data()[:len(p)]
		m := st.bufs[0][i][:len(p)]
		v := st.bufs[1][i][:len(p)]
		lerpLow := math.Abs(w1) < 0.5 // torch's lerp branch
		for j, pj := range p {
			gj := g[j]
			if l2 {
				gj += wd * pj
			} else {
				pj *= decay
			}
			mj := m[j]
			if lerpLow {
				mj += w1 * (gj - mj)
			} else {
				mj = gj - (gj-mj)*(1-w1)
			}
			vj := b2*v[j] + w2*gj*gj
			m[j], v[j] = mj, vj
			// torch: param.addcdiv_(m, denom, value=-step_size) = p + (-step_size·m)/denom
			p[j] = pj - stepSize*mj/(math.Sqrt(vj)/bc2Sqrt+eps)
		}
	}
	return nil
}

// State serialises the moment estimates, per-parameter step counts and the
// current learning rate (see LoadState).
func (a *Adam) State() ([]byte, error) { return a.state.encode(adamKind, a.LearningRate) }

// LoadState restores a state written by State, including the learning rate.
// The buffers are checked against the parameters on the next Step.
func (a *Adam) LoadState(data []byte) error {
	lr, err := a.state.decode(adamKind, 2, data)
	if err != nil {
		return err
	}
	a.LearningRate = lr
	return nil
}
