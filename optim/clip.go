package optim

import (
	"math"

	"ansatz/autodiff"
)

// ClipGlobalNorm scales grads in place so that their global L2 norm (over
// all elements of all tensors) is at most maxNorm, as
// torch.nn.utils.clip_grad_norm_: when the norm exceeds maxNorm every element
// is multiplied by maxNorm/(norm + 1e-6). It returns the norm before
// clipping. Nil gradients are skipped. A maxNorm that is not positive (or is
// +Inf) disables clipping, and a non-finite norm leaves the gradients
// untouched; in both cases the norm is still returned, so the caller can log
// it or stop the run.
func ClipGlobalNorm(grads []*autodiff.Tensor, maxNorm float64) float64 {
	var sum float64
	for _, g := range grads {
		if g == nil {
			continue
		}
		for _, x := range g.Data() {
			sum += x * x
		}
	}
	norm := math.Sqrt(sum)
	if !(maxNorm > 0) || math.IsInf(norm, 0) || math.IsNaN(norm) {
		return norm
	}
	coef := maxNorm / (norm + 1e-6)
	if coef >= 1 {
		return norm
	}
	for _, g := range grads {
		if g == nil {
			continue
		}
		d := g.Data()
		for j := range d {
			d[j] *= coef
		}
	}
	return norm
}
