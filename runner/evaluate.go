package runner

import (
	"ansatz/architectures"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"ansatz/analyses"
	"ansatz/autodiff"
	"ansatz/odeint"
	"ansatz/results"
)

// evaluate integrates rollouts (when the spec asks for them), records the
// evaluation metrics and runs the analyses.
func (t *trainer) evaluate() error {
	x := t.x
	ctx := &analyses.Context{Vars: x.State.Vars, Energy: x.Energy, Model: t.model,
		System: x.System, Test: &t.data.Test, Sampler: x.Data.Sampler()}
	if ro := x.Spec.Evaluate.Rollouts; ro != nil {
		r, err := t.rollouts()
		if err != nil {
			return fmt.Errorf("rollouts: %w", err)
		}
		ctx.Rollouts = r
		elapsed := time.Since(t.start).Seconds()
		t.addMetric(t.step, "eval", "rollout_mse", analyses.StateMSE(r), elapsed)
		if x.Energy != nil {
			t.addMetric(t.step, "eval", "energy_mse", analyses.EnergyMSE(r, x.Energy), elapsed)
		}
		t.trajectories = trajectoryRows(r, x.Energy)
	}
	seen := map[string]int{}
	for _, a := range x.Analyses {
		// Each analysis draws from a stream of its own, keyed by its kind and
		// how many of that kind came before it, so that reordering or adding
		// analyses does not change another's samples.
		seen[a.kind]++
		ctx.RNG = analysisStream(x.Spec.Seed, a.kind, seen[a.kind])
		res, err := a.a.Analyse(ctx)
		if err != nil {
			return fmt.Errorf("analysis %s: %w", a.kind, err)
		}
		for _, row := range res.Rows {
			t.analysis = append(t.analysis, results.Analysis{Analysis: a.kind, Name: row.Name, Value: row.Value, Text: row.Text})
		}
		for _, m := range res.Metrics {
			t.addMetric(t.step, "eval", m.Name, m.Value, time.Since(t.start).Seconds())
		}
	}
	return nil
}

// rollouts integrates the true system and the learned vector field from the
// same freshly sampled initial conditions.
func (t *trainer) rollouts() (*analyses.Rollouts, error) {
	x := t.x
	ro := x.Spec.Evaluate.Rollouts
	rng := streams(x.Spec.Seed, streamRollouts)
	d := x.State.Dim()
	n := ro.Count
	ts := ro.T.Times()
	x0 := make([]float64, n*d)
	sampler := x.RolloutInitial
	if sampler == nil {
		sampler = x.Data.Sampler()
	}
	for j := 0; j < n; j++ {
		if err := sampler.Sample(rng, x.State.Vars, x0[j*d:(j+1)*d]); err != nil {
			return nil, fmt.Errorf("initial condition %d: %w", j, err)
		}
	}
	r := &analyses.Rollouts{Times: ts, N: n, D: d, Truth: make([]float64, len(ts)*n*d)}
	for j := 0; j < n; j++ {
		xs, err := x.Rollout.Integrate(x.System.Field, x0[j*d:(j+1)*d], ts)
		if err != nil {
			return nil, fmt.Errorf("true trajectory %d: %w", j, err)
		}
		for it := range ts {
			copy(r.State(r.Truth, it, j), xs[it*d:(it+1)*d])
		}
	}
	vf, ok := t.model.(architectures.VectorField)
	if !ok {
		return nil, fmt.Errorf("the model does not predict ẋ, so it cannot be rolled out")
	}
	bi, ok := x.Rollout.(odeint.BatchIntegrator)
	if !ok {
		return nil, fmt.Errorf("the rollout integrator cannot integrate a learned field in batches; use rk4, leapfrog or yoshida4")
	}
	var fieldErr error
	field := func(xs, dxs []float64, n int) {
		f, err := vf.Field(autodiff.New(xs, n, d), false)
		if err != nil {
			fieldErr = err
			return
		}
		copy(dxs, f.Data())
	}
	model, err := bi.IntegrateBatch(field, x0, n, ts)
	if fieldErr != nil {
		return nil, fieldErr
	}
	if err != nil {
		return nil, fmt.Errorf("model trajectories: %w", err)
	}
	r.Model = model
	return r, nil
}

// trajectoryRows lays rollouts out as rows of trajectories.parquet.
func trajectoryRows(r *analyses.Rollouts, energy func([]float64) float64) []results.Trajectory {
	rows := make([]results.Trajectory, 0, 2*r.N*len(r.Times))
	for _, src := range []struct {
		name string
		xs   []float64
	}{{"truth", r.Truth}, {"model", r.Model}} {
		for j := 0; j < r.N; j++ {
			for it, tm := range r.Times {
				s := r.State(src.xs, it, j)
				row := results.Trajectory{Trajectory: int64(j), T: tm, Source: src.name, State: s}
				if energy != nil {
					row.Energy = energy(s)
				}
				rows = append(rows, row)
			}
		}
	}
	return rows
}

// analysisStream returns the random stream of the n-th analysis of a kind.
func analysisStream(seed uint64, kind string, n int) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s#%d", kind, n)
	return rand.New(rand.NewPCG(seed, streamAnalyses<<56^h.Sum64()))
}
