package runner

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"ansatz/results"
)

// checkExpectations compares the final metrics with the spec's expect:
// bounds. A metric the run did not produce is a miss with value NaN.
func checkExpectations(x *Experiment, final map[string]float64) []results.Expectation {
	var out []results.Expectation
	for _, e := range x.Spec.Expect {
		v, found := final[e.Metric]
		if !found {
			v = math.NaN()
		}
		ok, bound := e.Check(v)
		out = append(out, results.Expectation{Metric: e.Metric, Bound: bound, Value: v, OK: ok && found})
	}
	return out
}

// describeMisses lists the missed expectations as "test.loss = 0.9996, want
// ≤ 1e-09; …", or returns "" when every expectation was met.
func describeMisses(checks []results.Expectation) string {
	var b strings.Builder
	for _, c := range checks {
		if c.OK {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		if math.IsNaN(c.Value) {
			fmt.Fprintf(&b, "%s is NaN or was not computed, want %s", c.Metric, c.Bound)
		} else {
			fmt.Fprintf(&b, "%s = %.4g, want %s", c.Metric, c.Value, c.Bound)
		}
	}
	return b.String()
}

// printChecks prints one run's expectation table.
func printChecks(w io.Writer, o Outcome) {
	fmt.Fprintf(w, "\n%s (%s/%s)\n", o.Spec, o.Name, o.RunID)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  metric\tbound\tvalue\tok")
	for _, c := range o.Checks {
		mark := "ok"
		if !c.OK {
			mark = "MISS"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%.4g\t%s\n", c.Metric, c.Bound, c.Value, mark)
	}
	tw.Flush()
}

// printSummary prints one line per run and the counts of each status.
func printSummary(w io.Writer, outcomes []Outcome) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "spec\tparams\tstatus\trun")
	counts := map[results.Status]int{}
	for _, o := range outcomes {
		status := string(o.Status)
		switch {
		case o.SpecErr:
			status = "spec-error"
		case o.Reused && o.Status != results.StatusSkipped:
			status += " (reused)"
		case o.Resumed > 0:
			status += fmt.Sprintf(" (resumed at step %d)", o.Resumed)
		}
		if o.SpecErr {
			counts["spec-error"]++
		} else {
			counts[o.Status]++
		}
		dir := o.Dir
		if dir == "" {
			dir = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Spec, FormatParams(o.Params), status, dir)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d ok, %d failed, %d skipped, %d interrupted, %d expectation-failed, %d spec errors\n",
		counts[results.StatusOK], counts[results.StatusFailed], counts[results.StatusSkipped], counts[results.StatusInterrupted],
		counts[results.StatusExpectationFailed], counts["spec-error"])
}
