package index_test

import (
	"fmt"

	"ansatz/index"
	"ansatz/results"
)

func ExampleFinalMetrics() {
	rows := []results.Metric{
		{Step: 0, Split: "test", Metric: "loss", Value: 0.9},
		{Step: 100, Split: "test", Metric: "loss", Value: 0.04},
		{Step: 100, Split: "eval", Metric: "energy_mse", Value: 2e-4},
		{Step: 100, Split: "train", Metric: "loss", Value: 0.03},
	}
	for _, f := range index.FinalMetrics(rows) {
		fmt.Printf("%s = %g (step %d)\n", f.Name(), f.Value, f.Step)
	}
	// Output:
	// train.loss = 0.03 (step 100)
	// test.loss = 0.04 (step 100)
	// energy_mse = 0.0002 (step 100)
}
