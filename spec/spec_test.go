package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// minimal is a small valid spec; tests edit it.
const minimal = `name: spring
system: {kind: hamiltonian, hamiltonian: "p^2/2 + q^2/2"}
data: {kind: trajectories, count: 10}
model: {kind: hnn}
losses:
  - {kind: hnn}
train:
  steps: 100
`

func TestParseDesignExample(t *testing.T) {
	s, err := Load("testdata/spring.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "spring-hnn" || s.Seed != 0 || s.System.Kind != "hamiltonian" || s.Data.Kind != "trajectories" || s.Model.Kind != "hnn" {
		t.Errorf("header: %+v", s)
	}
	if len(s.Losses) != 1 || s.Losses[0].Kind != "hnn" || s.Losses[0].Weight != 1 || s.Losses[0].Path != "losses[0]" {
		t.Errorf("losses: %+v", s.Losses)
	}
	if k := lookupKey(s.Losses[0].Node, "weight"); k != nil {
		t.Errorf("the registry must not see weight")
	}
	if lookupKey(s.Model.Node, "kind") != nil || lookupKey(s.Model.Node, "hidden") == nil {
		t.Errorf("model options node must hold hidden and not kind")
	}
	if s.Model.Pos != (Pos{"testdata/spring.yaml", 19, 9}) {
		t.Errorf("model kind position = %v, want testdata/spring.yaml:19:9", s.Model.Pos)
	}
	tr := s.Train
	if tr.Optimizer.Kind != "adam" || tr.Optimizer.Path != "train.optimizer" || tr.Steps != 2000 || !tr.Batch.IsFull() || tr.EvalEvery != 100 || tr.LogEvery != 0 || tr.GradClip != 0 || tr.Schedule != nil {
		t.Errorf("train: %+v", tr)
	}
	r := s.Evaluate.Rollouts
	if r == nil || r.Count != 15 || r.T != (TimeGrid{0, 20, 200}) || r.Integrator.Kind != "rk4" {
		t.Fatalf("rollouts: %+v", r)
	}
	if len(s.Analyses) != 1 || s.Analyses[0].Kind != "energy_drift" {
		t.Errorf("analyses: %+v", s.Analyses)
	}
	if len(s.Expect) != 2 || s.Expect[0].Metric != "test.loss" || *s.Expect[0].Max != 0.045 || s.Expect[1].Metric != "energy_mse" || *s.Expect[1].Max != 1e-3 {
		t.Errorf("expect (file order): %+v", s.Expect)
	}
	if s.File != "testdata/spring.yaml" || len(s.Source) == 0 {
		t.Errorf("file/source not recorded")
	}
	kinds := []string{}
	for _, kc := range s.Components() {
		kinds = append(kinds, kc.Kind+"="+kc.Component.Kind)
	}
	want := "system=hamiltonian data=trajectories model=hnn loss=hnn optimizer=adam integrator=rk4 analysis=energy_drift"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("Components() = %s\nwant %s", got, want)
	}
}

func TestParseDefaults(t *testing.T) {
	s, err := Parse("m.yaml", []byte(minimal), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Optimizer.Kind != "adam" || s.Train.Optimizer.Node != nil || s.Train.EvalEvery != 100 || !s.Train.Batch.IsFull() {
		t.Errorf("train defaults: %+v", s.Train)
	}
	if s.Evaluate.Rollouts != nil || s.Analyses != nil || s.Expect != nil {
		t.Errorf("optional sections must stay empty")
	}
	s, err = Parse("m.yaml", []byte(minimal+"  batch: 64\nevaluate:\n  rollouts: {t: {stop: 10, points: 100}}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Batch != 64 || s.Train.Batch.Size(1000) != 64 || s.Train.Batch.Size(10) != 10 {
		t.Errorf("batch 64: %v", s.Train.Batch)
	}
	if r := s.Evaluate.Rollouts; r.Count != 10 || r.Integrator.Kind != "dopri5" || r.T.Start != 0 {
		t.Errorf("rollout defaults: %+v", r)
	}
	if s, err := Parse("m.yaml", []byte(strings.Replace(minimal, "- {kind: hnn}", "- hnn", 1)), nil); err != nil || s.Losses[0].Kind != "hnn" || s.Losses[0].Weight != 1 {
		t.Errorf("bare loss name: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		set  []string
		want []string // substrings expected in the rendered error, in order
	}{
		{"unknown key", strings.Replace(minimal, "steps: 100", "stpes: 100", 1), nil, []string{
			"m.yaml:7:1: train: missing required key \"steps\"",
			"m.yaml:8:3: train: unknown key \"stpes\" (did you mean \"steps\"?)\n   8 |   stpes: 100\n     |   ^",
		}},
		{"unknown top-level key", minimal + "analysis: []\n", nil, []string{`m.yaml:9:1: unknown key "analysis" (did you mean "analyses"?)`}},
		{"wrong type", strings.Replace(minimal, "steps: 100", "steps: many", 1), nil, []string{
			"m.yaml:8:10: train.steps: expected an integer, got string \"many\"\n   8 |   steps: many\n     |          ^",
		}},
		{"missing required", strings.Replace(minimal, "model: {kind: hnn}\n", "", 1), nil, []string{`m.yaml:1:1: missing required key "model"`}},
		{"missing kind", strings.Replace(minimal, "{kind: hnn}\n", "{hidden: [3]}\n", 1), nil, []string{`m.yaml:4:8: model: missing required key "kind"`}},
		{"out of range", strings.Replace(minimal, "steps: 100", "steps: -3", 1), nil, []string{"m.yaml:8:10: train.steps: must be ≥ 0, got -3"}},
		{"negative weight", strings.Replace(minimal, "- {kind: hnn}", "- {kind: hnn, weight: -1}", 1), nil, []string{"m.yaml:6:25: losses[0].weight: must be ≥ 0, got -1"}},
		{"bad name", strings.Replace(minimal, "name: spring", "name: Spring HNN", 1), nil, []string{`m.yaml:1:7: name: must match [a-z0-9_-]+ (lower-case letters, digits, _ and -), got "Spring HNN"`}},
		{"duplicate key", minimal + "name: again\n", nil, []string{"m.yaml:9:1: name: duplicate key (first set at line 1)"}},
		{"empty losses", strings.Replace(minimal, "losses:\n  - {kind: hnn}", "losses: []", 1), nil, []string{"m.yaml:5:9: losses: must not be empty"}},
		{"batch", strings.Replace(minimal, "steps: 100", "steps: 100\n  batch: ful", 1), nil, []string{`m.yaml:9:10: train.batch: expected full or a positive integer, got string "ful" (did you mean "full"?)`}},
		{"bad expectation", minimal + "expect:\n  loss: {value: 1}\n  x: {maxx: 1}\n  y: 0.1\n", nil, []string{
			"m.yaml:10:17: expect.loss.value: needs a tolerance: add rtol or atol",
			`m.yaml:11:7: expect.x: unknown key "maxx" (did you mean "max"?)`,
			"m.yaml:12:6: expect.y: expected bounds such as {max: 0.1}, got number 0.1",
		}},
		{"time grid", minimal + "evaluate:\n  rollouts: {t: {start: 1, stop: 1, points: 1}}\n", nil, []string{
			"m.yaml:10:34: evaluate.rollouts.t.stop: must be greater than start (1), got 1",
			"m.yaml:10:45: evaluate.rollouts.t.points: must be ≥ 2, got 1",
		}},
		{"not YAML", "name: a\nsystem: {kind: x\n", nil, []string{"m.yaml:2:1: invalid YAML: did not find expected ',' or '}'\n   2 | system: {kind: x\n     | ^"}},
		{"not YAML indentation", "name: a\n  system: b\n", nil, []string{"m.yaml:2:3: invalid YAML: mapping values are not allowed in this context"}},
		{"tab", "name: a\n\tsystem: b\n", nil, []string{"m.yaml:2:1: invalid YAML: found a tab character that violates indentation"}},
		{"control character", "name: a\nsys\x01tem: b\n", nil, []string{"m.yaml:2:4: control character U+0001 is not allowed in YAML"}},
		{"invalid utf8", "name: a\x80\n", nil, []string{"m.yaml:1:8: invalid UTF-8 (byte 0x80)"}},
		{"empty file", "", nil, []string{"m.yaml:1:1: empty spec"}},
		{"comments only", "# nothing\n", nil, []string{"m.yaml:1:1: empty spec"}},
		{"two documents", minimal + "---\nname: b\n", nil, []string{"m.yaml:9:1: a spec file holds one YAML document"}},
		{"top-level list", "- a\n- b\n", nil, []string{"m.yaml:1:1: the top level must be a mapping (name: …, system: …), got a list"}},
		{"recursive alias", "name: a\nsystem: &s {kind: x, self: *s}\n", nil, []string{"m.yaml:2:28: recursive alias"}},
		{"override syntax", minimal, []string{"train.steps"}, []string{"--set train.steps: expected key.path=value"}},
		{"override value", minimal, []string{"train.steps=[1"}, []string{"--set train.steps=[1: invalid value \"[1\""}},
		{"override index", minimal, []string{"losses.3.weight=2"}, []string{"--set losses.3.weight=2: losses: index 3 out of range: the list has 1 element(s)"}},
		{"override into scalar", minimal, []string{"train.steps.x=2"}, []string{`--set train.steps.x=2: train.steps: is number 100, so it has no key "x"`}},
		{"override into a name", minimal, []string{"name.x=2"}, []string{`--set name.x=2: name: expected a string, got a mapping`}},
		{"override list index", minimal, []string{"losses.first=2"}, []string{`--set losses.first=2: losses: is a list; expected an index (0, 1, …), got "first"`}},
		{"override checked value", minimal, []string{"train.steps=-3"}, []string{"--set train.steps=-3: train.steps: must be ≥ 0, got -3"}},
		{"override unknown key", minimal, []string{"train.stepz=3"}, []string{`--set train.stepz=3: train: unknown key "stepz" (did you mean "steps"?)`}},
		{"errors together", strings.Replace(strings.Replace(minimal, "name: spring", "name: Spring", 1), "steps: 100", "steps: -1\n  eval_every: x\n  grad_clip: -1", 1) + "extra: 1\n", nil, []string{
			"m.yaml:1:7: name: must match",
			"m.yaml:8:10: train.steps: must be ≥ 0, got -1",
			"m.yaml:9:15: train.eval_every: expected an integer",
			"m.yaml:10:14: train.grad_clip: must be ≥ 0, got -1",
			"m.yaml:11:1: unknown key \"extra\"",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("m.yaml", []byte(c.src), c.set)
			if err == nil {
				t.Fatalf("no error; spec %+v", s)
			}
			if s != nil {
				t.Errorf("a failed parse must return a nil spec")
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is %T, want a non-empty ErrorList", err)
			}
			got := err.Error()
			rest := got
			for _, w := range c.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing (in order) %q in:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "spec.yaml"), nil)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "open ") || !strings.Contains(err.Error(), "spec.yaml: no such file") {
		t.Errorf("Load(missing) = %v", err)
	}
}

func TestOverrides(t *testing.T) {
	src := minimal + "expect:\n  test.loss: {max: 0.1}\n"
	set := []string{
		"train.steps=5000",
		"losses.0.weight=2",
		"losses[1]={kind: mse, weight: 0.5}",
		"train.optimizer={kind: sgd, lr: 0.01}",
		"model.hidden=[64, 64]",
		"expect.test.loss.max=0.2",
		"expect[energy.mse].max=1e-3",
		"evaluate.rollouts.t={stop: 5, points: 50}",
		"description=",
		"seed=42",
	}
	s, err := Parse("m.yaml", []byte(src), set)
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Steps != 5000 || s.Losses[0].Weight != 2 || len(s.Losses) != 2 || s.Losses[1].Kind != "mse" || s.Losses[1].Weight != 0.5 {
		t.Errorf("train/losses: %+v %+v", s.Train, s.Losses)
	}
	if s.Train.Optimizer.Kind != "sgd" || lookupKey(s.Train.Optimizer.Node, "lr").Value != "0.01" {
		t.Errorf("optimizer: %+v", s.Train.Optimizer)
	}
	if h := lookupKey(s.Model.Node, "hidden"); h == nil || len(h.Content) != 2 {
		t.Errorf("model.hidden not set")
	}
	if len(s.Expect) != 2 || *s.Expect[0].Max != 0.2 || s.Expect[1].Metric != "energy.mse" || *s.Expect[1].Max != 1e-3 {
		t.Errorf("expect: %+v", s.Expect)
	}
	if r := s.Evaluate.Rollouts; r == nil || r.T.Stop != 5 || r.Count != 10 {
		t.Errorf("rollouts: %+v", r)
	}
	if s.Seed != 42 || s.Description != "" {
		t.Errorf("seed/description: %d %q", s.Seed, s.Description)
	}
	if len(s.Overrides) != len(set) || s.Overrides[0] != set[0] {
		t.Errorf("overrides not recorded: %v", s.Overrides)
	}
}

func TestOverridePathParsing(t *testing.T) {
	cases := map[string]string{
		"a.b.c":           "a|b|c",
		"losses[0].w":     "losses|[0]|w",
		"expect[a.b].max": "expect|[a.b]|max",
		"a[1][2]":         "a|[1]|[2]",
	}
	for in, want := range cases {
		segs, err := parseOverridePath(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		var parts []string
		for _, s := range segs {
			if s.literal {
				parts = append(parts, "["+s.key+"]")
			} else {
				parts = append(parts, s.key)
			}
		}
		if got := strings.Join(parts, "|"); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", ".a", "a.", "a..b", "a[", "a[]", "a[0]b"} {
		if _, err := parseOverridePath(bad); err == nil {
			t.Errorf("parseOverridePath(%q) accepted", bad)
		}
	}
}
