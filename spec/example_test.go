package spec_test

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"ansatz/spec"
)

// A spec with mistakes: every error is reported at once, with its position,
// the source line and a suggestion.
func ExampleParse() {
	src := `name: spring
system: {kind: hamiltonian}
data: {kind: trajectories}
model: {kind: hnn}
losses: [{kind: hnn}]
train:
  stpes: 2000
  grad_clip: -1
`
	_, err := spec.Parse("spec.yaml", []byte(src), nil)
	fmt.Println(err)
	// Output:
	// spec.yaml:6:1: train: missing required key "steps"
	//    6 | train:
	//      | ^
	// spec.yaml:7:3: train: unknown key "stpes" (did you mean "steps"?)
	//    7 |   stpes: 2000
	//      |   ^
	// spec.yaml:8:14: train.grad_clip: must be ≥ 0, got -1
	//    8 |   grad_clip: -1
	//      |              ^
}

// Overrides patch the file before it is checked.
func ExampleParse_overrides() {
	src := "name: spring\nsystem: ode\ndata: trajectories\nmodel: hnn\nlosses: [hnn]\ntrain: {steps: 100}\n"
	s, err := spec.Parse("spec.yaml", []byte(src), []string{"train.steps=5000", "losses.0.weight=0.5", "train.batch=256"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Train.Steps, s.Losses[0].Weight, s.Train.Batch)
	// Output: 5000 0.5 256
}

// Options types declare their keys, defaults and checks; Decode fills them.
func ExampleDecode() {
	type Adam struct {
		LR    float64 `yaml:"lr" spec:">0" doc:"learning rate"`
		Beta1 float64 `yaml:"beta1" spec:"[0,1)" doc:"first-moment decay"`
	}
	var n yaml.Node
	_ = yaml.Unmarshal([]byte("lr: 1e-2\nbeta_1: 0.8\n"), &n)
	opts := Adam{LR: 1e-3, Beta1: 0.9} // defaults
	errs := spec.Decode(&n, &opts, "train.optimizer", "spec.yaml")
	fmt.Println(opts.LR, opts.Beta1)
	fmt.Println(errs)
	// Output:
	// 0.01 0.9
	// spec.yaml:2:1: train.optimizer: unknown key "beta_1" (did you mean "beta1"?)
}

func ExampleExpectation_Check() {
	max, value, rtol := 0.045, 1.0, 0.1
	for _, e := range []spec.Expectation{{Metric: "test.loss", Max: &max}, {Metric: "trace", Value: &value, RTol: &rtol}} {
		ok, bound := e.Check(0.05)
		fmt.Printf("%s = 0.05: ok=%v, expected %s\n", e.Metric, ok, bound)
	}
	// Output:
	// test.loss = 0.05: ok=false, expected ≤ 0.045
	// trace = 0.05: ok=false, expected 1 ± 0.1 (rtol)
}
