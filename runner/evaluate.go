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
	"ansatz/systems"
)

// evaluate integrates rollouts (when the spec asks for them), records the
// evaluation metrics and runs the analyses.
func (t *trainer) evaluate() error {
	x := t.x
	ctx := &analyses.Context{Vars: x.State.Vars, Energy: x.Energy, Model: t.model,
		System: x.System, Train: &t.data.Train, Test: &t.data.Test, Sampler: x.Data.Sampler()}
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
	if sampler == nil {
		return nil, fmt.Errorf("data kind %s draws no initial conditions: give evaluate.rollouts.initial", x.Spec.Data.Kind)
	}
	for j := 0; j < n; j++ {
		if err := sampler.Sample(rng, x.State.Vars, x0[j*d:(j+1)*d]); err != nil {
			return nil, fmt.Errorf("initial condition %d: %w", j, err)
		}
	}
	sys := x.System.(systems.Flow) // checked when the spec was resolved
	r := &analyses.Rollouts{Times: ts, N: n, D: d, Truth: make([]float64, len(ts)*n*d)}
	for j := 0; j < n; j++ {
		xs, err := x.Rollout.Integrate(sys.Field, x0[j*d:(j+1)*d], ts)
		if err != nil {
			return nil, fmt.Errorf("true trajectory %d: %w", j, err)
		}
		for it := range ts {
			copy(r.State(r.Truth, it, j), xs[it*d:(it+1)*d])
		}
	}
	bi, ok := x.Rollout.(odeint.BatchIntegrator)
	if !ok {
		return nil, fmt.Errorf("the rollout integrator cannot integrate a learned field in batches; use rk4, leapfrog or yoshida4")
	}
	var fields []architectures.NamedField
	if fs, ok := t.model.(architectures.Fields); ok {
		fields = fs.Fields()
	} else if vf, ok := t.model.(architectures.VectorField); ok {
		fields = []architectures.NamedField{{Name: "model", Field: func(x *autodiff.Tensor) (*autodiff.Tensor, error) {
			return vf.Field(x, false)
		}}}
	} else {
		return nil, fmt.Errorf("the model does not predict ẋ, so it cannot be rolled out")
	}
	for _, nf := range fields {
		var fieldErr error
		field := func(xs, dxs []float64, n int) {
			if fieldErr != nil {
				return
			}
			f, err := nf.Field(autodiff.New(xs, n, d))
			if err != nil {
				fieldErr = err
				return
			}
			copy(dxs, f.Data())
		}
		states, err := bi.IntegrateBatch(field, x0, n, ts)
		if fieldErr != nil {
			return nil, fmt.Errorf("%s field: %w", nf.Name, fieldErr)
		}
		if err != nil {
			return nil, fmt.Errorf("%s trajectories: %w", nf.Name, err)
		}
		r.Sources = append(r.Sources, analyses.Source{Name: nf.Name, States: states})
	}
	r.Model = r.Sources[0].States
	return r, nil
}

// trajectoryRows lays rollouts out as rows of trajectories.parquet.
func trajectoryRows(r *analyses.Rollouts, energy func([]float64) float64) []results.Trajectory {
	sources := append([]analyses.Source{{Name: "truth", States: r.Truth}}, r.Sources...)
	rows := make([]results.Trajectory, 0, len(sources)*r.N*len(r.Times))
	for _, src := range sources {
		for j := 0; j < r.N; j++ {
			for it, tm := range r.Times {
				s := r.State(src.States, it, j)
				row := results.Trajectory{Trajectory: int64(j), T: tm, Source: src.Name, State: s}
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
