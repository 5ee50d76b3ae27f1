package spec

import (
	"bytes"
	"strings"
	"testing"
)

type testMLP struct {
	Hidden     []int  `yaml:"hidden"`
	Activation string `yaml:"activation"`
}

type testLax struct {
	Size int       `yaml:"size"`
	L    Component `yaml:"L"`
	M    Component `yaml:"M"`
}

type testAdam struct {
	LR    float64    `yaml:"lr"`
	Betas [2]float64 `yaml:"betas"`
}

// resolveForTest decodes the components the test knows, the way the runner
// does with the registry, and keys them by pointer.
func resolveForTest(t *testing.T, s *Spec) map[*Component]any {
	t.Helper()
	out := map[*Component]any{}
	decode := func(c *Component, opts any) {
		if errs := Decode(c.Node, opts, c.Path, c.File); len(errs) > 0 {
			t.Fatal(errs)
		}
		out[c] = opts
	}
	lax := &testLax{Size: 1}
	decode(&s.Model, lax)
	decode(&lax.L, &testMLP{Hidden: []int{8}, Activation: "tanh"})
	decode(&lax.M, &testMLP{Hidden: []int{8}, Activation: "tanh"})
	decode(&s.Train.Optimizer, &testAdam{LR: 1e-3, Betas: [2]float64{0.9, 0.999}})
	return out
}

func TestMarshalResolved(t *testing.T) {
	s, err := Load("testdata/lax.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	res := resolveForTest(t, s)
	resolve := func(c *Component) any { return res[c] }
	out, err := MarshalResolved(s, resolve)
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{
		"name: lax-oscillator\ndescription: Lax pair of the harmonic oscillator\nseed: 7\nsystem:\n  kind: ode\n",
		// Options from resolve: kind first, then fields in declaration
		// order, defaults filled (activation), nested components resolved.
		"model:\n  kind: lax_pair\n  size: 2\n  L:\n    kind: mlp\n    hidden: [32, 32]\n    activation: tanh\n  M:\n    kind: mlp\n",
		"losses:\n  - kind: lax\n    weight: 1\n",
		"  - kind: mode_collapse\n    weight: 0.1\n",
		// A bare name resolved to its default options.
		"train:\n  optimizer:\n    kind: adam\n    lr: 0.001\n    betas: [0.9, 0.999]\n  schedule:\n    kind: cosine\n    warmup: 100\n  steps: 5000\n  batch: 256\n  eval_every: 250\n  log_every: 0\n  grad_clip: 1\n",
		"expect:\n  trace_l2_drift: {value: 0, atol: 0.001}\n  test.loss: {max: 0.01, min: 0}\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing\n%s\nin\n%s", want, got)
		}
	}
	if strings.Contains(got, "rollouts") {
		t.Errorf("a nil pointer section must be left out:\n%s", got)
	}

	// The same spec gives the same bytes.
	again, _ := MarshalResolved(s, resolve)
	if !bytes.Equal(out, again) {
		t.Errorf("output is not deterministic")
	}
	// The resolved document is itself a valid spec that resolves to the
	// same document.
	s2, err := Parse("resolved.yaml", out, nil)
	if err != nil {
		t.Fatalf("resolved spec does not parse: %v\n%s", err, out)
	}
	res2 := resolveForTest(t, s2)
	out2, err := MarshalResolved(s2, func(c *Component) any { return res2[c] })
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, out2) {
		t.Errorf("not a fixed point:\n%s\n---\n%s", out, out2)
	}
}

func TestMarshalResolvedRaw(t *testing.T) {
	src := minimal + "  optimizer: {kind: sgd, lr: &lr 0.1, momentum: *lr}\n"
	s, err := Parse("m.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := MarshalResolved(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `name: spring
description: ""
seed: 0
system:
  kind: hamiltonian
  hamiltonian: "p^2/2 + q^2/2"
data:
  kind: trajectories
  count: 10
model:
  kind: hnn
losses:
  - kind: hnn
    weight: 1
train:
  optimizer:
    kind: sgd
    lr: 0.1
    momentum: 0.1
  steps: 100
  batch: full
  eval_every: 100
  log_every: 0
  grad_clip: 0
evaluate: {}
analyses: []
expect: {}
`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	// Options that are not a mapping are refused.
	_, err = MarshalResolved(s, func(c *Component) any {
		if c.Kind == "hnn" {
			return &[]int{1}
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "options of hnn must be a mapping") {
		t.Errorf("err = %v", err)
	}
}
