package symmetry

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Options configure [Find]: the pairs, the fits, the significance of PCA
// components and the verification.
type Options struct {
	Pairs        PairOptions   `yaml:",inline"`
	Fit          FitOptions    `yaml:",inline"`
	Replicas     int           `yaml:"replicas" doc:"replicas of isotropic random fits in the parallel analysis that decides which PCA components are significant"`
	Significance float64       `yaml:"significance" doc:"a PCA component is significant when its ratio exceeds this quantile of the same rank's ratio over the random replicas"`
	Step         float64       `yaml:"step" doc:"finite-difference step of the embedding's derivative along a candidate (ordering the significant span)"`
	Verify       VerifyOptions `yaml:"verify" doc:"the finite-transformation test of each candidate against random directions"`
}

// NewOptions returns the defaults of every part, 200 replicas, the 95 %
// quantile and a step of 1e-4.
func NewOptions() Options {
	return Options{Pairs: NewPairOptions(), Fit: NewFitOptions(), Replicas: 200, Significance: 0.95, Step: 1e-4, Verify: NewVerifyOptions()}
}

// Validate checks every part; errors name the field by its yaml name.
func (o Options) Validate() error {
	if err := o.Pairs.Validate(); err != nil {
		return err
	}
	if err := o.Fit.Validate(); err != nil {
		return err
	}
	switch {
	case o.Replicas < 10:
		return fmt.Errorf("replicas must be ≥ 10, got %d", o.Replicas)
	case !(o.Significance > 0.5 && o.Significance < 1):
		return fmt.Errorf("significance must be in (0.5, 1), got %v", o.Significance)
	case !(o.Step > 0 && o.Step < 1):
		return fmt.Errorf("step must be in (0, 1), got %v", o.Step)
	}
	if err := o.Verify.Validate(); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}

// Result is everything [Find] found.
type Result struct {
	// Pairs is the number of pairs selected; Eligible the number of them
	// used for each plane of Planes(d).
	Pairs    int
	Eligible []int
	// Fits are the fitted generators, fit by fit and plane by plane.
	Fits []Fit
	// Ratios are the PCA's explained-variance ratios, largest first, and
	// Thresholds the parallel analysis' thresholds for the same ranks.
	Ratios, Thresholds []float64
	// Components are the significant PCA components (unit norm).
	Components [][]float64
	// Directions span the same space as Components, ordered by the
	// embedding's Sensitivity along them (see [Order]); Checks verify them.
	Directions  [][]float64
	Sensitivity []float64
	Checks      []Check
	// Random are the random directions' scores, sorted.
	Random []float64
	// Held are the points the verification transformed.
	Held []float64
}

// Accepted returns the directions that passed the verification.
func (r *Result) Accepted() [][]float64 {
	var out [][]float64
	for k, c := range r.Checks {
		if c.Accepted {
			out = append(out, r.Directions[k])
		}
	}
	return out
}

// Find runs the recipe on the points x [n·d] (held-out data: points the
// network was not trained on): pairs close in embed, fits, PCA,
// significance, then ordering and verification with check (the same
// function as embed, or a view of the network that holds only what it uses,
// such as a classifier's logits) on at most o.Verify.Points of the points.
// All randomness comes from rng, in that order.
func Find(embed, check Embedding, x []float64, d int, o Options, rng *rand.Rand) (*Result, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	n := len(x) / d
	if n < 2 || len(x) != n*d {
		return nil, fmt.Errorf("symmetry: need at least 2 points of %d variables, got %d values", d, len(x))
	}
	e, err := embed(x, n)
	if err != nil {
		return nil, fmt.Errorf("symmetry: embedding: %w", err)
	}
	m := len(e) / n
	pairs, err := SelectPairs(x, d, e, m, o.Pairs)
	if err != nil {
		return nil, err
	}
	res := &Result{Pairs: len(pairs)}
	steps := Steps(x, d, pairs)
	res.Fits, res.Eligible, err = FitGenerators(steps, d, o.Fit, rng)
	if err != nil {
		return nil, fmt.Errorf("%w (%d pairs selected)", err, len(pairs))
	}
	gs := make([][]float64, len(res.Fits))
	for i, f := range res.Fits {
		gs[i] = f.T
	}
	var comps [][]float64
	res.Ratios, comps, err = PCA(gs)
	if err != nil {
		return nil, err
	}
	res.Thresholds, err = ParallelAnalysis(res.Fits, d, o.Replicas, o.Significance, rng)
	if err != nil {
		return nil, err
	}
	res.Components = comps[:Significant(res.Ratios, res.Thresholds)]

	// Held-out points for the verification.
	perm := rng.Perm(n)[:min(o.Verify.Points, n)]
	slices.Sort(perm)
	xv := make([]float64, 0, len(perm)*d)
	for _, i := range perm {
		xv = append(xv, x[i*d:(i+1)*d]...)
	}
	res.Held = xv
	res.Directions, res.Sensitivity, err = Order(check, xv, d, res.Components, o.Step)
	if err != nil {
		return nil, err
	}
	res.Checks, res.Random, err = Verify(check, xv, d, res.Directions, o.Verify, rng)
	if err != nil {
		return nil, err
	}
	return res, nil
}
