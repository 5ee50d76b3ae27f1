package nn_test

import (
	"fmt"
	"math/rand/v2"

	"ansatz/autodiff"
	"ansatz/nn"
)

// ExampleNewMLP builds the HNN reference network (2→200→200→1, tanh,
// orthogonal init, no output bias) and evaluates it on a batch of 3 points.
func ExampleNewMLP() {
	m, err := nn.NewMLP(rand.New(rand.NewPCG(1, 2)), nn.NewMLPConfig(2, 1))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range m.Params() {
		fmt.Println(p.Shape())
	}
	x := autodiff.New([]float64{0, 0, 1, 0, 0, 1}, 3, 2)
	fmt.Println(m.Forward(x).Shape(), m.Embedding(x).Shape())
	// Output:
	// [2 200]
	// [1 200]
	// [200 200]
	// [1 200]
	// [200 1]
	// [3 1] [3 200]
}
