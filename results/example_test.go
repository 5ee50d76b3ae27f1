package results_test

import (
	"fmt"
	"log"
	"os"
	"time"

	"ansatz/results"
)

// A run creates its folder, records that it started, rewrites the metrics
// table at every evaluation, and records how it ended.
func Example() {
	out, err := os.MkdirTemp("", "runs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)

	run, err := results.Create(out, "spring-hnn", "3f2a9c1d")
	if err != nil {
		log.Fatal(err)
	}
	m := &results.Manifest{RunID: run.RunID, Name: "spring-hnn", Status: results.StatusRunning, Started: time.Now()}
	m.SetBuildInfo()
	if err := run.WriteManifest(m); err != nil {
		log.Fatal(err)
	}

	var metrics []results.Metric
	for step := int64(0); step <= 200; step += 100 {
		metrics = append(metrics, results.Metric{Step: step, Split: "test", Metric: "loss", Value: 1 / float64(step+1)})
		if err := run.WriteMetrics(metrics); err != nil {
			log.Fatal(err)
		}
	}

	m.Status, m.Ended = results.StatusOK, time.Now()
	if err := run.WriteManifest(m); err != nil {
		log.Fatal(err)
	}

	rows, err := results.ReadMetrics(run.Path(results.MetricsFile))
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rows {
		fmt.Printf("%s step %d %s %s = %.4f\n", r.RunID, r.Step, r.Split, r.Metric, r.Value)
	}
	// Output:
	// 3f2a9c1d step 0 test loss = 1.0000
	// 3f2a9c1d step 100 test loss = 0.0099
	// 3f2a9c1d step 200 test loss = 0.0050
}
