package results

import (
	"encoding/json"
	"maps"
	"math"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestManifestRoundTrip(t *testing.T) {
	r := newRun(t)
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	m := &Manifest{
		RunID: r.RunID, Name: "spring-hnn", SpecFile: "experiments/spring.yaml", Seed: 42,
		Status: StatusExpectationFailed, Reason: "test.loss = 0.05 > 0.045",
		Started: start, Ended: start.Add(90 * time.Second),
		Overrides: []string{"train.steps=10"},
		Spec:      "name: spring-hnn\nseed: 42\n",
		Expectations: []Expectation{
			{Metric: "test.loss", Bound: "<= 0.045", Value: 0.05, OK: false},
			{Metric: "energy_mse", Bound: "<= 1e-3", Value: 2e-4, OK: true},
			{Metric: "missing", Bound: "<= 1", Value: math.NaN()},
			{Metric: "blowup", Bound: ">= 0", Value: math.Inf(-1)},
		},
	}
	m.SetBuildInfo()
	if err := r.WriteManifest(m); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(r.Path(ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "{\n  \"run_id\"") || !strings.HasSuffix(string(b), "}\n") {
		t.Errorf("manifest is not indented JSON ending in a newline:\n%s", b)
	}

	// The raw JSON has the agreed keys and forms.
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(raw))
	wantKeys := []string{"ended", "expectations", "go_version", "name", "overrides", "reason", "run_id",
		"seed", "spec", "spec_file", "started", "status", "tool_version", "vcs_modified", "vcs_revision"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("keys %q, want %q", keys, wantKeys)
	}
	if raw["started"] != "2025-03-01T12:00:00Z" || raw["ended"] != "2025-03-01T12:01:30Z" {
		t.Errorf("times %v, %v, want RFC 3339", raw["started"], raw["ended"])
	}
	if raw["status"] != "expectation-failed" || raw["go_version"] != runtime.Version() {
		t.Errorf("status %v, go_version %v", raw["status"], raw["go_version"])
	}
	exps := raw["expectations"].([]any)
	values := []any{0.05, 2e-4, "NaN", "-Inf"}
	for i, e := range exps {
		e := e.(map[string]any)
		if e["value"] != values[i] {
			t.Errorf("expectation %d value %#v, want %#v", i, e["value"], values[i])
		}
	}

	got, err := ReadManifest(r.Path(ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(got.Expectations[2].Value) || !math.IsInf(got.Expectations[3].Value, -1) {
		t.Errorf("non-finite values read back as %v, %v", got.Expectations[2].Value, got.Expectations[3].Value)
	}
	got.Expectations[2].Value, m.Expectations[2].Value = 0, 0 // NaN != NaN
	if !reflect.DeepEqual(got, m) {
		t.Errorf("read back:\n%+v\nwant\n%+v", got, m)
	}
}

func TestManifestWhileRunning(t *testing.T) {
	r := newRun(t)
	m := &Manifest{RunID: r.RunID, Name: "x", Status: StatusRunning, Started: time.Now()}
	if err := r.WriteManifest(m); err != nil {
		t.Fatal(err)
	}
	if m.Overrides != nil || m.Expectations != nil {
		t.Error("WriteManifest modified its argument")
	}
	b, err := os.ReadFile(r.Path(ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, absent := range []string{`"ended"`, `"reason"`} {
		if strings.Contains(s, absent) {
			t.Errorf("running manifest has %s:\n%s", absent, s)
		}
	}
	for _, present := range []string{`"overrides": []`, `"expectations": []`, `"status": "running"`} {
		if !strings.Contains(s, present) {
			t.Errorf("running manifest lacks %s:\n%s", present, s)
		}
	}
	assertNoTemp(t, r.Dir)
}

func TestExpectationUnmarshal(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{`{"metric":"a","value":1.5}`, 1.5, false},
		{`{"metric":"a","value":"+Inf"}`, math.Inf(1), false},
		{`{"metric":"a","value":null}`, math.NaN(), false},
		{`{"metric":"a"}`, math.NaN(), false},
		{`{"metric":"a","value":"lots"}`, 0, true},
		{`{"metric":"a","value":[1]}`, 0, true},
	}
	for _, tc := range tests {
		var e Expectation
		err := json.Unmarshal([]byte(tc.in), &e)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: error %v, wantErr %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && !(e.Value == tc.want || math.IsNaN(e.Value) && math.IsNaN(tc.want)) {
			t.Errorf("%s: value %v, want %v", tc.in, e.Value, tc.want)
		}
	}
}

func TestBuildInfo(t *testing.T) {
	version, _, _ := BuildInfo()
	if version == "" || version == "(devel)" {
		t.Errorf("version %q, want a version or \"dev\"", version)
	}
}
