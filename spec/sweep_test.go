package spec

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// paramString renders a spec's params as "key=value key=value".
func paramString(s *Spec) string {
	parts := make([]string, len(s.Params))
	for i, p := range s.Params {
		parts[i] = fmt.Sprintf("%s=%v", p.Key, p.Value)
	}
	return strings.Join(parts, " ")
}

func parseAll(t *testing.T, src string, set ...string) []*Spec {
	t.Helper()
	specs, err := ParseAll("m.yaml", []byte(src), set)
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

func TestSweepGridSeedsOrder(t *testing.T) {
	src := minimal + `sweep:
  grid:
    train.steps: [100, 200]
    model.hidden: [[8], [16], [32]]
  seeds: [0, 1]
`
	specs := parseAll(t, src)
	if len(specs) != 2*3*2 {
		t.Fatalf("got %d specs, want 12", len(specs))
	}
	var got []string
	for _, s := range specs {
		got = append(got, paramString(s))
		steps, seed := s.Params[0].Value.(int), s.Params[2].Value.(int)
		if s.Train.Steps != steps || s.Seed != uint64(seed) {
			t.Errorf("%s: decoded steps %d seed %d", paramString(s), s.Train.Steps, s.Seed)
		}
		var hidden []int
		if errs := Decode(lookupKey(s.Model.Node, "hidden"), &hidden, "", ""); len(errs) > 0 || fmt.Sprint(hidden) != fmt.Sprint(s.Params[1].Value) {
			t.Errorf("%s: model.hidden = %v (%v)", paramString(s), hidden, errs)
		}
		if s.Name != "spring" || s.Overrides != nil {
			t.Errorf("name %q overrides %v", s.Name, s.Overrides)
		}
	}
	want := []string{
		"train.steps=100 model.hidden=[8] seed=0", "train.steps=100 model.hidden=[8] seed=1",
		"train.steps=100 model.hidden=[16] seed=0", "train.steps=100 model.hidden=[16] seed=1",
		"train.steps=100 model.hidden=[32] seed=0", "train.steps=100 model.hidden=[32] seed=1",
		"train.steps=200 model.hidden=[8] seed=0", "train.steps=200 model.hidden=[8] seed=1",
		"train.steps=200 model.hidden=[16] seed=0", "train.steps=200 model.hidden=[16] seed=1",
		"train.steps=200 model.hidden=[32] seed=0", "train.steps=200 model.hidden=[32] seed=1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The resolved spec of a point has no sweep.
	out, err := MarshalResolved(specs[3], nil)
	if err != nil || strings.Contains(string(out), "sweep") || !strings.Contains(string(out), "seed: 1") {
		t.Errorf("resolved point (%v):\n%s", err, out)
	}
}

func TestSweepUnionOrder(t *testing.T) {
	cases := []struct {
		name  string
		sweep string
		want  []string
	}{
		{"seeds only", "  seeds: [3, 1]\n", []string{"seed=3", "seed=1"}},
		{"list", "  list:\n    - {train.steps: 5}\n    - {train.steps: 6, train.batch: 2}\n",
			[]string{"train.steps=5", "train.steps=6 train.batch=2"}},
		{"grid then list then seeds", "  list: [{train.eval_every: 7}]\n  grid: {train.steps: [1, 2]}\n  seeds: [0, 9]\n",
			[]string{"train.eval_every=7 seed=0", "train.eval_every=7 seed=9", "train.steps=1 seed=0", "train.steps=1 seed=9", "train.steps=2 seed=0", "train.steps=2 seed=9"}},
		{"bracketed key", "  grid: {\"expect[test.loss].max\": [0.5]}\n", []string{"expect[test.loss].max=0.5"}},
		{"empty sweep", "  {}\n", []string{""}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range parseAll(t, minimal+"expect: {test.loss: {max: 1}}\nsweep:\n"+tt.sweep) {
				got = append(got, paramString(s))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSweepRandom(t *testing.T) {
	sweep := func(seed string) string {
		return minimal + "seed: 3\nsweep:\n  random:\n    count: 20\n" + seed + `    params:
      train.grad_clip: {uniform: [0.5, 2]}
      losses.0.weight: {loguniform: [1e-3, 10]}
      train.steps: {int: [10, 12]}
      train.batch: {choice: [full, 8]}
`
	}
	draws := func(src string) [][]Param {
		var out [][]Param
		for _, s := range parseAll(t, src) {
			out = append(out, s.Params)
		}
		return out
	}
	a, b := draws(sweep("")), draws(sweep(""))
	if len(a) != 20 || !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different samples:\n%v\n%v", a, b)
	}
	if c := draws(sweep("    seed: 3\n")); !reflect.DeepEqual(a, c) {
		t.Errorf("random.seed defaults to the spec's seed (3)")
	}
	if c := draws(sweep("    seed: 4\n")); reflect.DeepEqual(a, c) {
		t.Errorf("another seed gave the same samples")
	}
	ints, choices := map[int]bool{}, map[any]bool{}
	for i, s := range parseAll(t, sweep("")) {
		clip, w := s.Params[0].Value.(float64), s.Params[1].Value.(float64)
		if clip < 0.5 || clip >= 2 || w < 1e-3 || w >= 10 || s.Train.GradClip != clip || s.Losses[0].Weight != w {
			t.Errorf("sample %d out of range or not applied: %v", i, s.Params)
		}
		steps := s.Params[2].Value.(int)
		ints[steps] = true
		choices[s.Params[3].Value] = true
		if steps < 10 || steps > 12 || s.Train.Steps != steps {
			t.Errorf("sample %d: int draw %d", i, steps)
		}
		if s.Seed != 3 {
			t.Errorf("sample %d: seed %d, want the spec's 3", i, s.Seed)
		}
	}
	if len(ints) != 3 || len(choices) != 2 {
		t.Errorf("20 draws should reach every int in [10, 12] and both choices: %v %v", ints, choices)
	}
}

func TestSweepOverrides(t *testing.T) {
	src := minimal + "sweep:\n  grid: {train.steps: [1, 2]}\n  seeds: [0, 1, 2]\n"
	specs := parseAll(t, src, "sweep.seeds=[7]", "train.eval_every=5")
	if len(specs) != 2 || specs[0].Seed != 7 || specs[1].Train.Steps != 2 || specs[1].Train.EvalEvery != 5 {
		t.Fatalf("--set sweep.seeds: %d specs, %+v", len(specs), specs[0])
	}
	if got := specs[0].Overrides; !reflect.DeepEqual(got, []string{"sweep.seeds=[7]", "train.eval_every=5"}) {
		t.Errorf("overrides recorded: %q", got)
	}
	// --set wins over a swept value.
	for _, s := range parseAll(t, src, "train.steps=9") {
		if s.Train.Steps != 9 {
			t.Errorf("--set train.steps=9 lost to the sweep: %d", s.Train.Steps)
		}
	}
}

func TestSweepErrors(t *testing.T) {
	cases := []struct {
		name  string
		sweep string
		set   []string
		want  []string
	}{
		{"misspelt key in grid", "  grid:\n    train.stepz: [1, 2]\n", nil, []string{
			"m.yaml:11:5: train: unknown key \"stepz\" (did you mean \"steps\"?)\n   11 |     train.stepz: [1, 2]\n      |     ^"}},
		{"bad value in grid", "  grid: {train.steps: [10, -1]}\n", nil, []string{"m.yaml:10:28: train.steps: must be ≥ 0, got -1"}},
		{"path through a scalar", "  list: [{name.x: 1}]\n", nil, []string{"m.yaml:10:11: sweep.list[0]: name cannot be swept"}},
		{"path into a number", "  list: [{train.steps.x: 1}]\n", nil, []string{`m.yaml:10:11: sweep: swept key "train.steps.x": train.steps: is number 100, so it has no key "x"`}},
		{"bad path", "  grid: {train..steps: [1]}\n", nil, []string{`m.yaml:10:10: sweep.grid: empty key in path "train..steps"`}},
		{"empty grid list", "  grid: {train.steps: []}\n", nil, []string{"m.yaml:10:23: sweep.grid[train.steps]: expected a non-empty list of values, got a list"}},
		{"unknown sweep key", "  seed: [1]\n", nil, []string{`m.yaml:10:3: sweep: unknown key "seed" (did you mean "seeds"?)`}},
		{"sweep not a mapping", "  [1]\n", nil, []string{"m.yaml:10:3: sweep: expected a mapping with grid, list, random or seeds, got a list"}},
		{"negative seed", "  seeds: [1, -2]\n", nil, []string{"m.yaml:10:14: sweep.seeds[1]: expected a non-negative integer"}},
		{"seed twice", "  grid: {seed: [1]}\n  seeds: [0]\n", nil, []string{"m.yaml:10:10: sweep: seed is swept by seeds: too"}},
		{"distribution", "  random: {count: 2, params: {train.grad_clip: {unifrom: [0, 1]}}}\n", nil, []string{`m.yaml:10:49: sweep.random.params[train.grad_clip]: unknown distribution "unifrom" (did you mean "uniform"?)`}},
		{"loguniform at zero", "  random: {count: 2, params: {train.grad_clip: {loguniform: [0, 1]}}}\n", nil, []string{"m.yaml:10:61: sweep.random.params[train.grad_clip].loguniform: needs 0 < a < b, got [0, 1]"}},
		{"uniform reversed", "  random: {count: 2, params: {train.grad_clip: {uniform: [1, 0]}}}\n", nil, []string{"needs a < b, got [1, 0]"}},
		{"int bounds", "  random: {count: 2, params: {train.steps: {int: [1.5, 3]}}}\n", nil, []string{"m.yaml:10:51: sweep.random.params[train.steps].int[0]: expected an integer"}},
		{"random count", "  random: {count: 0, params: {train.steps: {int: [1, 3]}}}\n", nil, []string{"m.yaml:10:19: sweep.random.count: must be in [1, 100000], got 0"}},
		{"random without params", "  random: {count: 2}\n", nil, []string{"m.yaml:10:11: sweep.random: needs count and params"}},
		{"too many", "  random: {count: 100, params: {train.steps: {int: [1, 3]}}}\n  seeds: [" + strings.Repeat("1, ", 1000) + "1]\n", nil, []string{"sweep: expands to 100100 runs, more than 100000"}},
		{"set a bad key", "  seeds: [0, 1]\n", []string{"train.stepz=3"}, []string{`--set train.stepz=3: train: unknown key "stepz" (did you mean "steps"?)`}},
		{"set extends", "  seeds: [0]\n", []string{"extends=x.yaml"}, []string{"--set extends=x.yaml: extends: extends cannot be set with --set"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAll("m.yaml", []byte(minimal+"sweep:\n"+tt.sweep), tt.set)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error\n%s\nwant it to contain\n%s", msg, w)
				}
			}
			// An error shared by every point is reported once.
			if strings.Count(msg, "\n   ") > 2*len(tt.want) {
				t.Errorf("repeated errors:\n%s", msg)
			}
		})
	}
}

func TestLoadAllWithoutSweepEqualsLoad(t *testing.T) {
	for _, path := range []string{"testdata/spring.yaml", "testdata/lax.yaml"} {
		one, err := Load(path, []string{"train.steps=7"})
		if err != nil {
			t.Fatal(err)
		}
		all, err := LoadAll(path, []string{"train.steps=7"})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].Params != nil {
			t.Fatalf("%s: LoadAll gave %d specs", path, len(all))
		}
		a, errA := MarshalResolved(one, nil)
		b, errB := MarshalResolved(all[0], nil)
		if errA != nil || errB != nil || string(a) != string(b) {
			t.Errorf("%s: Load and LoadAll differ:\n%s\n---\n%s", path, a, b)
		}
		if !reflect.DeepEqual(one.Overrides, all[0].Overrides) || one.File != all[0].File || one.Model.Pos != all[0].Model.Pos {
			t.Errorf("%s: metadata differs", path)
		}
	}
}

func TestParseRejectsSweepOfSeveralRuns(t *testing.T) {
	_, err := Parse("m.yaml", []byte(minimal+"sweep:\n  seeds: [0, 1]\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "m.yaml:9:1: sweep: expands to 2 runs") {
		t.Errorf("err = %v", err)
	}
	s, err := Parse("m.yaml", []byte(minimal+"sweep:\n  seeds: [4]\n"), nil)
	if err != nil || s.Seed != 4 || len(s.Params) != 1 {
		t.Errorf("one-point sweep: %v %+v", err, s)
	}
}

func TestSweepFromFileAndFloatFormat(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	src := minimal + "sweep:\n  random: {count: 3, seed: 1, params: {train.grad_clip: {uniform: [0, 1]}}}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	specs, err := LoadAll(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		out, err := MarshalResolved(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The resolved spec holds the drawn value exactly (shortest round trip).
		v := s.Params[0].Value.(float64)
		if math.IsNaN(v) || !strings.Contains(string(out), fmt.Sprintf("grad_clip: %v", v)) {
			t.Errorf("resolved spec does not hold grad_clip %v:\n%s", v, out)
		}
	}
}
