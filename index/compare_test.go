package index

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	out := sweepRuns(t)
	var b bytes.Buffer
	dirs := []string{filepath.Join(out, "spring", "run00"), filepath.Join(out, "spring", "run07")}
	if err := Compare(&b, dirs); err != nil {
		t.Fatal(err)
	}
	want := `parameter             run00   run07
status                ok      ok
model.hidden[0]       32      64
model.hidden[1]       32      64
train.optimizer.kind  adam    sgd
train.optimizer.lr    0.001   0.01

metric                run00   run07
train.loss            0.032   0.64
train.loss.hnn        0.032   0.64
test.loss             0.032   0.64
test.loss.hnn         0.032   0.64
energy_mse            0.0032  0.064
`
	if got := b.String(); got != want {
		t.Errorf("Compare printed\n%s\nwant\n%s", got, want)
	}
}

func TestCompareMissing(t *testing.T) {
	out := sweepRuns(t)
	var b bytes.Buffer
	dirs := []string{filepath.Join(out, "other", "plain"), filepath.Join(out, "spring", "failed")}
	if err := Compare(&b, dirs); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, line := range []string{
		"status              ok     failed",
		"name                other  spring",
		"seed                1      7",
		"train.optimizer.lr  -      1",
		"extra               -      true",
		"rollout_mse         0.5    -",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("output lacks %q:\n%s", line, got)
		}
	}
}

func TestCompareErrors(t *testing.T) {
	if err := Compare(&bytes.Buffer{}, nil); err == nil {
		t.Error("no runs: want an error")
	}
	if err := Compare(&bytes.Buffer{}, []string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "manifest") {
		t.Errorf("folder without manifest: got %v", err)
	}
}
