package runner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/optimize"

	"ansatz/autodiff"
	"ansatz/spec"
)

// polish runs L-BFGS on the full training loss from the optimiser's end
// point (train.polish). The parameters end at the best point L-BFGS found;
// the losses are evaluated once more, at step steps + iterations, so that the
// final metrics are the polished model's.
func (t *trainer) polish(ctx context.Context, p spec.Polish) error {
	params := t.model.Params()
	n := 0
	for _, q := range params {
		n += len(q.Data())
	}
	if n == 0 {
		t.log.Info().Msg("L-BFGS polish skipped: the model has no parameters")
		return nil
	}
	set := func(x []float64) {
		o := 0
		for _, q := range params {
			o += copy(q.Data(), x[o:])
		}
	}
	full := tensors(&t.data.Train, nil)
	var evalErr error
	// value computes the loss at x and, when grad is not nil, its gradient.
	value := func(x, grad []float64) float64 {
		if evalErr != nil {
			return math.NaN()
		}
		if evalErr = ctx.Err(); evalErr != nil {
			return math.NaN()
		}
		set(x)
		total, _, err := t.loss(full, grad != nil)
		if err != nil {
			evalErr = err
			return math.NaN()
		}
		if grad != nil {
			gs, err := autodiff.Grad(total, params)
			if err != nil {
				evalErr = err
				return math.NaN()
			}
			o := 0
			for _, g := range gs {
				o += copy(grad[o:], g.Data())
			}
		}
		return total.Item()
	}
	x0 := make([]float64, 0, n)
	for _, q := range params {
		x0 = append(x0, q.Data()...)
	}
	start := time.Now()
	problem := optimize.Problem{
		Func: func(x []float64) float64 { return value(x, nil) },
		Grad: func(grad, x []float64) { value(x, grad) },
	}
	settings := &optimize.Settings{MajorIterations: p.Steps, GradientThreshold: p.GradTol}
	if p.GradTol == 0 {
		settings.GradientThreshold = 1e-300
	}
	res, err := optimize.Minimize(problem, x0, settings, &optimize.LBFGS{})
	if evalErr != nil {
		return fmt.Errorf("L-BFGS polish: %w", evalErr)
	}
	if res == nil {
		return fmt.Errorf("L-BFGS polish: %w", err)
	}
	// A failed line search still leaves the best point found; keep it.
	if err != nil && !errors.Is(err, optimize.ErrLinesearcherFailure) && !errors.Is(err, optimize.ErrNoProgress) {
		t.log.Warn().Err(err).Msg("L-BFGS polish stopped early")
	}
	set(res.X)
	t.log.Info().Int("iterations", res.Stats.MajorIterations).Float64("loss", res.F).
		Str("status", res.Status.String()).Str("took", since(start)).Msg("L-BFGS polish")
	t.step += res.Stats.MajorIterations
	return t.evaluateLosses(t.step)
}
