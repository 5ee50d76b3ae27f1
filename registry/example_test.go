package registry_test

import (
	"fmt"

	"ansatz/registry"
	"ansatz/spec"
)

// SGD is the options struct of an example optimizer.
type SGD struct {
	LR       float64 `yaml:"lr" spec:">0" doc:"learning rate"`
	Momentum float64 `yaml:"momentum" spec:"[0,1)" doc:"momentum coefficient"`
}

func init() {
	registry.Register(registry.Module{
		Kind: registry.Optimizer, Name: "sgd", Doc: "stochastic gradient descent",
		New: func() any { return &SGD{LR: 0.01} },
	})
}

func Example() {
	s, err := spec.Parse("spec.yaml", []byte(`name: demo
system: ode
data: trajectories
model: mlp
losses: [mse]
train:
  optimizer: {kind: sgd, momentum: 0.9}
  steps: 100
`), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	opts, errs := registry.Decode(registry.Optimizer, &s.Train.Optimizer)
	if len(errs) > 0 {
		fmt.Println(s.Annotate(errs))
		return
	}
	fmt.Printf("%+v\n", *opts.(*SGD))
	for _, o := range registry.Options(registry.Modules(registry.Optimizer)[0]) {
		fmt.Printf("%s %s (default %s): %s\n", o.Name, o.Type, o.Default, o.Doc)
	}
	// Output:
	// {LR:0.01 Momentum:0.9}
	// lr float (default 0.01): learning rate
	// momentum float (default 0): momentum coefficient
}

func ExampleDecode_unknownKind() {
	s, _ := spec.Parse("spec.yaml", []byte("name: demo\nsystem: ode\ndata: d\nmodel: m\nlosses: [mse]\ntrain: {optimizer: sdg, steps: 1}\n"), nil)
	_, errs := registry.Decode(registry.Optimizer, &s.Train.Optimizer)
	fmt.Println(s.Annotate(errs))
	// Output:
	// spec.yaml:6:20: train.optimizer.kind: unknown optimizer "sdg" (did you mean "sgd"?)
	//    6 | train: {optimizer: sdg, steps: 1}
	//      |                    ^
}
