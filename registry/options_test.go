package registry

import (
	"fmt"
	"strings"
	"testing"

	"ansatz/spec"
)

type testShared struct {
	Norm string `yaml:"norm" spec:"oneof=squared|absolute" doc:"how residuals are averaged"`
}

type testRange struct {
	Lo float64 `yaml:"lo" doc:"lower end"`
	Hi float64 `yaml:"hi" spec:"required" doc:"upper end"`
}

type testData struct {
	Count int           `yaml:"count" spec:">0" doc:"number of trajectories"`
	T     spec.TimeGrid `yaml:"t" doc:"time grid"`
	Split struct {
		Test float64 `yaml:"test" spec:"[0,1]" doc:"test fraction"`
		By   string  `yaml:"by" doc:"split unit"`
	} `yaml:"split"`
	Initial    spec.Component       `yaml:"initial" doc:"initial-condition sampler"`
	Integrator *spec.Component      `yaml:"integrator" doc:"integrator"`
	Params     map[string]float64   `yaml:"params" doc:"parameters"`
	Equations  map[string]spec.Expr `yaml:"equations" doc:"equations"`
	H          spec.Expr            `yaml:"h" doc:"Hamiltonian"`
	Batch      spec.Batch           `yaml:"batch" doc:"batch size"`
	Range      *testRange           `yaml:"range"`
	testShared `yaml:",inline"`
	Hidden     []int   `yaml:"hidden" doc:"widths"`
	Flag       bool    `yaml:"flag" doc:"a switch"`
	Seed       uint64  `yaml:"seed"`
	Rate       float32 `yaml:"rate" spec:"inf"`
	Skip       int     `yaml:"-"`
	Untagged   int
}

func TestOptions(t *testing.T) {
	m := Module{Kind: Data, Name: "test", New: func() any {
		d := &testData{Count: 50, T: spec.TimeGrid{Stop: 3, Points: 30},
			Initial: spec.Component{Kind: "radius"}, Params: map[string]float64{"m": 0.5, "k": 2},
			H: spec.Expr{Text: "p^2/2"}, Batch: 32, Hidden: []int{200, 200}, Flag: true, Rate: 0.5}
		d.Split.Test, d.Split.By = 0.5, "trajectory"
		d.Norm = "squared"
		return d
	}}
	var got []string
	for _, o := range Options(m) {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s|%s", o.Name, o.Type, o.Default, o.Doc, o.Check))
	}
	want := []string{
		"count|int|50|number of trajectories|> 0",
		"t.start|float|0|first time|",
		"t.stop|float|3|last time|required",
		"t.points|int|30|number of times, ≥ 2, ends included|required",
		"split.test|float|0.5|test fraction|in [0, 1]",
		"split.by|string|trajectory|split unit|",
		"initial|component|{kind: radius}|initial-condition sampler|",
		"integrator|component||integrator|",
		"params|map[string]float|{k: 2, m: 0.5}|parameters|",
		"equations|map[string]expression||equations|",
		"h|expression|p^2/2|Hamiltonian|",
		"batch|batch|32|batch size|",
		"range.lo|float|0|lower end|",
		"range.hi|float||upper end|required",
		"norm|string|squared|how residuals are averaged|one of squared|absolute",
		"hidden|[]int|[200, 200]|widths|",
		"flag|bool|true|a switch|",
		"seed|uint|0||",
		"rate|float|0.5||may be infinite",
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("Options:\n%s\n\nwant:\n%s", g, w)
	}
	if Options(Module{}) != nil {
		t.Errorf("a module without New has no options")
	}
}

func TestOptionsOfSpecTypes(t *testing.T) {
	// The listing must work on every kind of value the spec package offers.
	m := Module{New: func() any {
		r := &spec.Rollouts{}
		r.SetDefaults()
		return r
	}}
	var names []string
	for _, o := range Options(m) {
		names = append(names, o.Name+"="+o.Default)
	}
	if got := strings.Join(names, " "); got != "count=10 t.start=0 t.stop= t.points= integrator={kind: dopri5} initial=" {
		t.Errorf("Rollouts options: %s", got)
	}
}
