package optim

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate of a step (counted from 0) of a run of
// total steps, from the base learning rate of the optimiser's options.
// Apply it before each step: opt.SetLR(s.LR(base, step, total)).
type Schedule interface {
	LR(base float64, step, total int) float64
}

// Constant keeps the base learning rate.
type Constant struct{}

// LR returns base.
func (Constant) LR(base float64, _, _ int) float64 { return base }

// Exponential multiplies the learning rate by Gamma every Every steps:
// lr = base·Gamma^⌊step/Every⌋ (torch's StepLR; with Every = 1 it is
// ExponentialLR). NewExponential gives the defaults; an Every below 1 is
// treated as 1.
type Exponential struct {
	Gamma float64 `yaml:"gamma" doc:"factor applied to the learning rate every 'every' steps"`
	Every int     `yaml:"every" doc:"number of steps between two decays"`
}

// NewExponential returns an Exponential schedule with Gamma 0.1 every 1000
// steps.
func NewExponential() *Exponential { return &Exponential{Gamma: 0.1, Every: 1000} }

// Validate checks the option ranges.
func (e Exponential) Validate() error {
	if !(e.Gamma > 0) || math.IsInf(e.Gamma, 1) {
		return fmt.Errorf("optim: exponential schedule: gamma must be a positive number, got %v", e.Gamma)
	}
	if e.Every < 1 {
		return fmt.Errorf("optim: exponential schedule: every must be ≥ 1, got %d", e.Every)
	}
	return nil
}

// LR returns base·Gamma^⌊step/Every⌋.
func (e Exponential) LR(base float64, step, _ int) float64 {
	every := max(e.Every, 1)
	return base * math.Pow(e.Gamma, float64(max(step, 0)/every))
}

// Cosine warms the learning rate up linearly over the first Warmup steps,
// lr = base·(step+1)/Warmup (so the first step already moves and step
// Warmup−1 uses base), then anneals it along half a cosine from base at step
// Warmup to Min at step total (torch's CosineAnnealingLR with T_max =
// total − Warmup): lr = Min + (base − Min)·(1 + cos(π·(step−Warmup)/(total−Warmup)))/2.
// Steps at or beyond total get Min. The zero value is a plain cosine decay to 0.
type Cosine struct {
	Min    float64 `yaml:"min" doc:"learning rate reached at the last step"`
	Warmup int     `yaml:"warmup" doc:"number of linear warm-up steps at the start"`
}

// Validate checks the option ranges.
func (c Cosine) Validate() error {
	if !(c.Min >= 0) || math.IsInf(c.Min, 1) {
		return fmt.Errorf("optim: cosine schedule: min must be a non-negative number, got %v", c.Min)
	}
	if c.Warmup < 0 {
		return fmt.Errorf("optim: cosine schedule: warmup must be ≥ 0, got %d", c.Warmup)
	}
	return nil
}

// LR returns the warm-up or cosine learning rate of step.
func (c Cosine) LR(base float64, step, total int) float64 {
	step = max(step, 0)
	if step < c.Warmup {
		return base * float64(step+1) / float64(c.Warmup)
	}
	if step >= total {
		return c.Min
	}
	// Here Warmup ≤ step < total, so the span is positive.
	frac := float64(step-c.Warmup) / float64(total-c.Warmup)
	return c.Min + (base-c.Min)*(1+math.Cos(math.Pi*frac))/2
}
