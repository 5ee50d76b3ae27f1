package analyses

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gopkg.in/yaml.v3"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/datasets"
	"ansatz/spec"
)

// invariantClassifier is a closed-form classifier of |p|² (or of f): its
// embedding and logits are smooth functions of f alone.
type invariantClassifier struct {
	f func(p []float64) float64
}

func (invariantClassifier) Params() []*autodiff.Tensor { return nil }
func (invariantClassifier) Classes() int               { return 2 }

func (c invariantClassifier) features(x *autodiff.Tensor) *autodiff.Tensor {
	n, d := x.Rows(), x.Cols()
	out := make([]float64, 2*n)
	for i := range n {
		v := c.f(x.Data()[i*d : (i+1)*d])
		out[2*i], out[2*i+1] = math.Tanh(v-1), math.Tanh(2*v)
	}
	return autodiff.New(out, n, 2)
}

func (c invariantClassifier) Logits(x *autodiff.Tensor, _ bool) *autodiff.Tensor {
	return c.features(x)
}

func (c invariantClassifier) Layer(x *autodiff.Tensor, name string, _ bool) (*autodiff.Tensor, bool) {
	if name != architectures.EmbeddingLayer {
		return nil, false
	}
	return c.features(x), true
}

func TestSymmetryGeneratorsClosedForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 800
	x := make([]float64, 3*n)
	for i := range n {
		var s float64
		p := x[3*i : 3*i+3]
		for k := range p {
			p[k] = rng.NormFloat64()
			s += p[k] * p[k]
		}
		r := (1 + 0.05*rng.NormFloat64()) / math.Sqrt(s)
		for k := range p {
			p[k] *= r
		}
	}
	cases := []struct {
		name     string
		f        func(p []float64) float64
		expected string
		count    float64
	}{
		{"so(3)", func(p []float64) float64 { return p[0]*p[0] + p[1]*p[1] + p[2]*p[2] }, "so3", 3},
		{"so(2) of x²+y²+z³", func(p []float64) float64 { return p[0]*p[0] + p[1]*p[1] + p[2]*p[2]*p[2] }, "so2", 1},
	}
	for _, c := range cases {
		a := NewSymmetryGenerators()
		a.Expected = Algebra{Name: c.expected}
		a.Verify.Random = 50
		ctx := &Context{
			Vars:  []string{"x", "y", "z"},
			Model: invariantClassifier{f: c.f},
			Test:  &datasets.Set{X: x, N: n, D: 3},
			RNG:   rand.New(rand.NewPCG(3, 4)),
		}
		if err := a.Requires(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := a.Analyse(ctx)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		m := map[string]float64{}
		for _, mt := range res.Metrics {
			m[mt.Name] = mt.Value
		}
		if m["symmetry.count"] != c.count || !(m["symmetry.angle_deg"] < 5) {
			t.Errorf("%s: metrics %v, want count %v and angle < 5°", c.name, m, c.count)
		}
		var texts int
		for _, r := range res.Rows {
			if r.Text != nil {
				texts++
			}
		}
		if texts != int(m["symmetry.components"]) {
			t.Errorf("%s: %d matrix texts for %v components", c.name, texts, m["symmetry.components"])
		}
	}
}

func TestSymmetryGeneratorsRequires(t *testing.T) {
	model := invariantClassifier{f: func(p []float64) float64 { return p[0] }}
	cases := []struct {
		name  string
		edit  func(*SymmetryGenerators)
		vars  []string
		model architectures.Model
		field string
	}{
		{"not a classifier", nil, []string{"x", "y"}, nil, ""},
		{"one variable", nil, []string{"x"}, model, ""},
		{"no such layer", func(a *SymmetryGenerators) { a.Layer = "hidden9" }, []string{"x", "y"}, model, "layer"},
		{"so3 in the plane", func(a *SymmetryGenerators) { a.Expected = Algebra{Name: "so3"} }, []string{"x", "y"}, model, "expected"},
	}
	for _, c := range cases {
		a := NewSymmetryGenerators()
		if c.edit != nil {
			c.edit(a)
		}
		err := a.Requires(&Context{Vars: c.vars, Model: c.model})
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		var fe *spec.FieldError
		if c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field) {
			t.Errorf("%s: error %v, want one at %s", c.name, err, c.field)
		}
	}
}

func TestAlgebraYAML(t *testing.T) {
	cases := []struct {
		src  string
		want Algebra
		d    int
		ok   bool
	}{
		{"so2", Algebra{Name: "so2"}, 2, true},
		{"[[[0, -1], [1, 0]]]", Algebra{Matrices: [][][]float64{{{0, -1}, {1, 0}}}}, 2, true},
		{"so5", Algebra{Name: "so5"}, 5, false},
		{"[[[0, -1], [1]]]", Algebra{Matrices: [][][]float64{{{0, -1}, {1}}}}, 2, false},
	}
	for _, c := range cases {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(c.src), &n); err != nil {
			t.Fatal(err)
		}
		var g Algebra
		if errs := g.DecodeYAML(n.Content[0], "test.yaml"); len(errs) > 0 {
			t.Fatalf("%s: %v", c.src, errs)
		}
		if err := g.validate(); (err == nil) != c.ok {
			t.Errorf("%s: validate error %v, want ok=%v", c.src, err, c.ok)
		}
		if c.ok {
			gs, err := g.generators(c.d)
			if err != nil || len(gs) != 1 || gs[0][2] != 1 {
				t.Errorf("%s: generators %v, %v", c.src, gs, err)
			}
			out, _ := yaml.Marshal(g)
			var back yaml.Node
			_ = yaml.Unmarshal(out, &back)
			var g2 Algebra
			g2.DecodeYAML(back.Content[0], "")
			if g2.Name != g.Name || len(g2.Matrices) != len(g.Matrices) {
				t.Errorf("%s: round trip gave %+v", c.src, g2)
			}
		}
	}
}
