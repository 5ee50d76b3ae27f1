package spec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeFiles writes name → content under a fresh directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestExtendsChain(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base/a.yaml": minimal + "  eval_every: 10\n  grad_clip: 1\nanalyses: [{kind: energy_drift}, {kind: rollout}]\ninit_from: ../runs/x\n",
		"b.yaml": `extends: base/a.yaml
name: bee
model: {kind: hnn, hidden: [64]}
train: {eval_every: 20, batch: 8}
`,
		"c.yaml": `extends: b.yaml
seed: 5
model: {hidden: [32, 32], activation: tanh}
train: {batch: 16}
analyses: [{kind: rollout}]
`,
		"d.yaml": "extends: b.yaml\nmodel: {kind: mlp, depth: 2}\n",
	})
	s, err := Load(filepath.Join(dir, "c.yaml"), []string{"train.steps=50"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "bee" || s.Seed != 5 || s.Train.Steps != 50 || s.Train.EvalEvery != 20 || s.Train.Batch != 16 || s.Train.GradClip != 1 {
		t.Errorf("later keys must win, mappings merge: %+v", s.Train)
	}
	if len(s.Analyses) != 1 || s.Analyses[0].Kind != "rollout" {
		t.Errorf("lists are replaced, not merged: %+v", s.Analyses)
	}
	if got := lookupKey(s.Model.Node, "hidden"); got == nil || len(got.Content) != 2 || lookupKey(s.Model.Node, "activation") == nil || s.Model.Kind != "hnn" {
		t.Errorf("model options merged: %+v", s.Model)
	}
	want := []string{filepath.Join(dir, "b.yaml"), filepath.Join(dir, "base/a.yaml")}
	if !reflect.DeepEqual(s.Extends, want) {
		t.Errorf("Extends = %q, want %q", s.Extends, want)
	}
	if s.InitFrom == nil || s.InitFrom.Value != "runs/x" {
		t.Errorf("init_from of a base is rebased on the spec's folder: %+v", s.InitFrom)
	}
	// Positions point into the file that wrote the key.
	if p := s.Position(s.Model.Pos); p.File != filepath.Join(dir, "b.yaml") || p.Line != 3 || p.Col != 15 {
		t.Errorf("model kind at %v, want b.yaml:3:15", p)
	}
	if p := s.Position(s.System.Pos); p.File != filepath.Join(dir, "base/a.yaml") || p.Line != 2 {
		t.Errorf("system kind at %v, want base/a.yaml:2", p)
	}

	// A component whose kind changes replaces the base's options.
	d, err := Load(filepath.Join(dir, "d.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Model.Kind != "mlp" || lookupKey(d.Model.Node, "hidden") != nil || lookupKey(d.Model.Node, "depth") == nil {
		t.Errorf("kind change must replace the component: %+v", d.Model.Node)
	}

	// A list of bases merges in order, later ones winning.
	dir2 := writeFiles(t, map[string]string{
		"x.yaml": minimal + "seed: 1\n",
		"y.yaml": "seed: 2\ndescription: y\n",
		"s.yaml": "extends: [x.yaml, y.yaml]\ndescription: s\n",
	})
	s2, err := Load(filepath.Join(dir2, "s.yaml"), nil)
	if err != nil || s2.Seed != 2 || s2.Description != "s" || len(s2.Extends) != 2 {
		t.Errorf("extends list: %v %+v", err, s2)
	}
}

func TestExtendsWithSweep(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base.yaml": minimal + "sweep:\n  grid: {train.steps: [1, 2]}\n",
		"s.yaml":    "extends: base.yaml\nsweep:\n  seeds: [0, 1]\n",
	})
	specs, err := LoadAll(filepath.Join(dir, "s.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range specs {
		got = append(got, paramString(s))
	}
	if want := []string{"train.steps=1 seed=0", "train.steps=1 seed=1", "train.steps=2 seed=0", "train.steps=2 seed=1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sweeps merge key by key: %q", got)
	}
}

func TestExtendsErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string // "DIR/" is replaced by the test directory
	}{
		{"bad key in base", map[string]string{
			"base.yaml": strings.Replace(minimal, "steps: 100", "stepz: 100", 1),
			"s.yaml":    "extends: base.yaml\ntrain: {steps: 3}\nseed: 1\n",
		}, []string{"DIR/base.yaml:8:3: train: unknown key \"stepz\" (did you mean \"steps\"?)\n   8 |   stepz: 100\n     |   ^"}},
		{"bad value in the spec", map[string]string{
			"base.yaml": minimal,
			"s.yaml":    "extends: base.yaml\ntrain: {steps: -3}\n",
		}, []string{"DIR/s.yaml:2:16: train.steps: must be ≥ 0, got -3\n   2 | train: {steps: -3}"}},
		{"sweep in base", map[string]string{
			"base.yaml": minimal + "sweep:\n  grid: {model.hidden: [[1]], train.stepz: [1]}\n",
			"s.yaml":    "extends: base.yaml\n",
		}, []string{`DIR/base.yaml:10:31: train: unknown key "stepz"`}},
		{"cycle", map[string]string{
			"a.yaml": "extends: b.yaml\n",
			"b.yaml": "name: b\nextends: a.yaml\n",
			"s.yaml": "extends: a.yaml\n",
		}, []string{"DIR/b.yaml:2:10: extends: extends cycle: a.yaml → b.yaml → a.yaml\n   2 | extends: a.yaml"}},
		{"self", map[string]string{"s.yaml": "extends: s.yaml\n"}, []string{"DIR/s.yaml:1:10: extends: extends cycle: s.yaml → s.yaml"}},
		{"missing base", map[string]string{"s.yaml": "name: s\nextends: [nope.yaml]\n"}, []string{"DIR/s.yaml:2:11: extends[0]: cannot read nope.yaml: no such file or directory"}},
		{"not a name", map[string]string{"s.yaml": "extends: {a: 1}\n"}, []string{"DIR/s.yaml:1:10: extends: expected a file name or a list of file names, got a mapping"}},
		{"syntax error in base", map[string]string{
			"base.yaml": "name: a\nsystem: {kind: x\n",
			"s.yaml":    "extends: base.yaml\n",
		}, []string{"DIR/base.yaml:2:1: invalid YAML"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			_, err := LoadAll(filepath.Join(dir, "s.yaml"), nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "DIR/", dir+string(filepath.Separator))
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\nwant it to contain\n%s", err, w)
				}
			}
		})
	}
}

func TestMergeNodesKeepsInputs(t *testing.T) {
	specs := parseAll(t, minimal+"sweep: {seeds: [0, 1]}\n")
	// Decoding one point must not change another's tree.
	if specs[0].Seed != 0 || specs[1].Seed != 1 || specs[0].Model.Node == specs[1].Model.Node {
		t.Errorf("points share nodes: %d %d", specs[0].Seed, specs[1].Seed)
	}
}
