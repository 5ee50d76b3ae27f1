package analyses_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"ansatz/analyses"
	"ansatz/registry"
	"ansatz/spec"

	"gopkg.in/yaml.v3"
)

// squares is the energy E(x) = Σ x_k².
func squares(x []float64) float64 {
	var e float64
	for _, v := range x {
		e += v * v
	}
	return e
}

// row is an expected analysis row.
type row struct {
	name  string
	value float64
}

// rolloutCase is a synthetic pair of rollouts with every figure worked out
// by hand for E = Σ x_k² (see the comments of each case).
type rolloutCase struct {
	name      string
	r         analyses.Rollouts
	stateMSE  float64
	energyMSE float64
	drift     []row // EnergyDrift rows
	rollout   []row // Rollout rows with the energy
}

// rolloutCases: two circles of radius 1 and 2 (E = 1 and 4 conserved) at
// times 0, 1, 2, layout (it·N + j)·D + k, and a one-dimensional case whose
// truth starts at E = 0.
var rolloutCases = []rolloutCase{
	{
		// Model = truth + (1, 0). Model energies: trajectory 0: 4, 2, 0
		// (truth 1), trajectory 1: 9, 5, 5 (truth 4). Energy errors:
		// 3, 1, −1 and 5, 1, 1, so EnergyMSE = (11 + 27)/6 = 19/3, per
		// trajectory 11/3 and 9. StateMSE: 1 in one of two variables, 1/2.
		// Drift: max(2, 4)/4 = 1 and max(4, 4)/9 = 4/9, mean 13/18.
		name: "constant shift",
		r: analyses.Rollouts{
			Times: []float64{0, 1, 2}, N: 2, D: 2,
			Truth: []float64{1, 0, 2, 0, 0, 1, 0, 2, -1, 0, 0, -2},
			Model: []float64{2, 0, 3, 0, 1, 1, 1, 2, 0, 0, 1, -2},
		},
		stateMSE:  0.5,
		energyMSE: 19.0 / 3,
		drift: []row{
			{"trajectory_0.model", 1}, {"trajectory_0.truth", 0},
			{"trajectory_1.model", 4.0 / 9}, {"trajectory_1.truth", 0},
			{"mean.model", 13.0 / 18}, {"mean.truth", 0},
		},
		rollout: []row{
			{"trajectory_0.state_mse", 0.5}, {"trajectory_0.final_distance", 1}, {"trajectory_0.energy_mse", 11.0 / 3},
			{"trajectory_1.state_mse", 0.5}, {"trajectory_1.final_distance", 1}, {"trajectory_1.energy_mse", 9},
		},
	},
	{
		// Model = truth + (j+1)·t·(0, 1). Errors in the second variable:
		// 0, 1, 2 and 0, 2, 4, so state MSE 5/6 and 20/6 (overall 25/12),
		// final distances 2 and 4. Model energies 1, 4, 5 and 4, 16, 4:
		// energy errors 0, 3, 4 and 0, 12, 0, so energy MSE 25/3 and 48
		// (overall 169/6). Drift: 4/1 = 4 and 12/4 = 3, mean 3.5.
		name: "shift growing in time, per trajectory",
		r: analyses.Rollouts{
			Times: []float64{0, 1, 2}, N: 2, D: 2,
			Truth: []float64{1, 0, 2, 0, 0, 1, 0, 2, -1, 0, 0, -2},
			Model: []float64{1, 0, 2, 0, 0, 2, 0, 4, -1, 2, 0, 2},
		},
		stateMSE:  25.0 / 12,
		energyMSE: 169.0 / 6,
		drift: []row{
			{"trajectory_0.model", 4}, {"trajectory_0.truth", 0},
			{"trajectory_1.model", 3}, {"trajectory_1.truth", 0},
			{"mean.model", 3.5}, {"mean.truth", 0},
		},
		rollout: []row{
			{"trajectory_0.state_mse", 5.0 / 6}, {"trajectory_0.final_distance", 2}, {"trajectory_0.energy_mse", 25.0 / 3},
			{"trajectory_1.state_mse", 10.0 / 3}, {"trajectory_1.final_distance", 4}, {"trajectory_1.energy_mse", 48},
		},
	},
	{
		// D = 1, truth 0, 1, 2 (E = 0, 1, 4), model constant 1 (E = 1).
		// State errors 1, 0, −1: MSE 2/3, final distance 1. Energy errors
		// 1, 0, −3: MSE 10/3. The model conserves its energy (drift 0); the
		// truth starts at E = 0, so its drift is absolute: 4.
		name: "zero initial energy",
		r: analyses.Rollouts{
			Times: []float64{0, 0.5, 1}, N: 1, D: 1,
			Truth: []float64{0, 1, 2},
			Model: []float64{1, 1, 1},
		},
		stateMSE:  2.0 / 3,
		energyMSE: 10.0 / 3,
		drift: []row{
			{"trajectory_0.model", 0}, {"trajectory_0.truth", 4},
			{"mean.model", 0}, {"mean.truth", 4},
		},
		rollout: []row{
			{"trajectory_0.state_mse", 2.0 / 3}, {"trajectory_0.final_distance", 1}, {"trajectory_0.energy_mse", 10.0 / 3},
		},
	},
}

// near reports whether got equals want to 1e-14 relative (absolute near 0).
func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-14*max(1, math.Abs(want))
}

// checkRows compares rows with the expected names, order and values.
func checkRows(t *testing.T, got []analyses.Row, want []row) {
	t.Helper()
	if len(got) != len(want) {
		names := make([]string, len(got))
		for i, r := range got {
			names[i] = r.Name
		}
		t.Fatalf("rows %v, want %d rows", names, len(want))
	}
	for i, w := range want {
		g := got[i]
		switch {
		case g.Name != w.name:
			t.Errorf("row %d named %q, want %q", i, g.Name, w.name)
		case g.Value == nil || g.Text != nil:
			t.Errorf("row %s: value %v, text %v; want a value only", g.Name, g.Value, g.Text)
		case !near(*g.Value, w.value):
			t.Errorf("row %s = %.17g, want %.17g", g.Name, *g.Value, w.value)
		}
	}
}

func TestRolloutsState(t *testing.T) {
	r := &rolloutCases[0].r
	tests := []struct {
		it, j int
		want  []float64
	}{{0, 0, []float64{1, 0}}, {0, 1, []float64{2, 0}}, {1, 0, []float64{0, 1}}, {2, 1, []float64{0, -2}}}
	for _, tc := range tests {
		if got := r.State(r.Truth, tc.it, tc.j); !slices.Equal(got, tc.want) {
			t.Errorf("State(truth, %d, %d) = %v, want %v", tc.it, tc.j, got, tc.want)
		}
	}
}

func TestStateMSE(t *testing.T) {
	for _, tc := range rolloutCases {
		if got := analyses.StateMSE(&tc.r); !near(got, tc.stateMSE) {
			t.Errorf("%s: StateMSE %.17g, want %.17g", tc.name, got, tc.stateMSE)
		}
	}
}

func TestEnergyMSE(t *testing.T) {
	for _, tc := range rolloutCases {
		if got := analyses.EnergyMSE(&tc.r, squares); !near(got, tc.energyMSE) {
			t.Errorf("%s: EnergyMSE %.17g, want %.17g", tc.name, got, tc.energyMSE)
		}
	}
}

func TestEnergyDrift(t *testing.T) {
	for _, tc := range rolloutCases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := analyses.EnergyDrift{}.Analyse(&analyses.Context{Energy: squares, Rollouts: &tc.r})
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, res.Rows, tc.drift)
			mean, meanTruth := tc.drift[len(tc.drift)-2].value, tc.drift[len(tc.drift)-1].value
			want := []analyses.Metric{{Name: "energy_drift", Value: mean}, {Name: "energy_drift.truth", Value: meanTruth}}
			if len(res.Metrics) != len(want) {
				t.Fatalf("metrics %v, want %v", res.Metrics, want)
			}
			for i, m := range res.Metrics {
				if m.Name != want[i].Name || !near(m.Value, want[i].Value) {
					t.Errorf("metric %d = %+v, want %+v", i, m, want[i])
				}
			}
		})
	}
}

func TestRollout(t *testing.T) {
	for _, tc := range rolloutCases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := analyses.Rollout{}.Analyse(&analyses.Context{Energy: squares, Rollouts: &tc.r})
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, res.Rows, tc.rollout)
			if len(res.Metrics) != 0 {
				t.Errorf("metrics %v, want none", res.Metrics)
			}
			// Without an energy the energy rows go.
			res, err = analyses.Rollout{}.Analyse(&analyses.Context{Rollouts: &tc.r})
			if err != nil {
				t.Fatal(err)
			}
			var noEnergy []row
			for _, r := range tc.rollout {
				if !strings.HasSuffix(r.name, ".energy_mse") {
					noEnergy = append(noEnergy, r)
				}
			}
			checkRows(t, res.Rows, noEnergy)
		})
	}
}

// TestRequires checks what each analysis needs, both from Requires (called
// before training with set but empty fields) and from Analyse.
func TestRequires(t *testing.T) {
	empty := &analyses.Rollouts{}
	tests := []struct {
		name     string
		analysis analyses.Analysis
		ctx      analyses.Context
		wantErr  string // "" when satisfied
	}{
		{"drift without rollouts", analyses.EnergyDrift{}, analyses.Context{Energy: squares}, "evaluate.rollouts"},
		{"drift without energy", analyses.EnergyDrift{}, analyses.Context{Rollouts: empty}, "energy"},
		{"drift without either", analyses.EnergyDrift{}, analyses.Context{}, "evaluate.rollouts"},
		{"drift satisfied", analyses.EnergyDrift{}, analyses.Context{Energy: squares, Rollouts: empty}, ""},
		{"rollout without rollouts", analyses.Rollout{}, analyses.Context{Energy: squares}, "evaluate.rollouts"},
		{"rollout without energy", analyses.Rollout{}, analyses.Context{Rollouts: empty}, ""},
		{"rollout satisfied", analyses.Rollout{}, analyses.Context{Energy: squares, Rollouts: empty}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.analysis.Requires(&tc.ctx)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Requires: error %v, want one containing %q", err, tc.wantErr)
			}
			if _, err := tc.analysis.Analyse(&tc.ctx); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Analyse: error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestRegistered checks that the analyses decode from the registry, with no
// options.
func TestRegistered(t *testing.T) {
	for _, name := range []string{"energy_drift", "rollout"} {
		v, errs := registry.Decode(registry.Analysis, &spec.Component{Kind: name, Path: "analyses[0]"})
		if len(errs) > 0 {
			t.Fatalf("%s: %v", name, errs)
		}
		if _, ok := v.(analyses.Analysis); !ok {
			t.Errorf("%s: options %T are not an Analysis", name, v)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte("window: 3"), &doc); err != nil {
			t.Fatal(err)
		}
		if _, errs := registry.Decode(registry.Analysis, &spec.Component{Kind: name, Node: doc.Content[0], Path: "analyses[0]"}); len(errs) == 0 {
			t.Errorf("%s: unknown option window accepted", name)
		}
	}
}
