package datasets

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"ansatz/spec"
)

func invariant(f string, sampler Sampler) *InvariantSamples {
	o := NewInvariantSamples()
	o.Variables = []string{"x", "y"}
	o.Function = spec.Expr{Text: f}
	o.Count = 400
	o.sampler = sampler
	return o
}

func TestInvariantSamples(t *testing.T) {
	cases := []struct {
		name, binning string
		sampler       Sampler
	}{
		{"quantile bins on a box", BinQuantile, NewBox()},
		{"width bins on a disc", BinWidth, &Radius{Min: 0, Max: 1}},
	}
	for _, c := range cases {
		o := invariant("x^2 + y^2", c.sampler)
		o.Binning = c.binning
		if err := o.Check(nil, 0); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		desc, _ := o.Describe(nil)
		if desc.Classes != 4 || len(desc.Vars) != 2 {
			t.Errorf("%s: description %+v", c.name, desc)
		}
		data, err := o.Generate(nil, 0, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		if data.Train.N != 200 || data.Test.N != 200 {
			t.Errorf("%s: %d training and %d test points, want 200 and 200", c.name, data.Train.N, data.Test.N)
		}
		counts := make([]int, 4)
		for _, s := range []Set{data.Train, data.Test} {
			lab, fs := s.Column(LabelColumn), s.Column("f")
			for i := range s.N {
				x, y := s.X[2*i], s.X[2*i+1]
				if math.Abs(fs.Data[i]-(x*x+y*y)) > 1e-12 {
					t.Fatalf("%s: f column %v at (%v, %v)", c.name, fs.Data[i], x, y)
				}
				counts[int(lab.Data[i])]++
			}
		}
		if c.binning == BinQuantile {
			for k, n := range counts {
				if n != 100 {
					t.Errorf("%s: class %d has %d points, want 100 (quantile bins)", c.name, k, n)
				}
			}
		}
		// Labels grow with f.
		all := data.Train
		lab, fs := all.Column(LabelColumn), all.Column("f")
		for i := range all.N {
			for j := range all.N {
				if fs.Data[i] < fs.Data[j] && lab.Data[i] > lab.Data[j] {
					t.Fatalf("%s: f %v in bin %v but f %v in bin %v", c.name, fs.Data[i], lab.Data[i], fs.Data[j], lab.Data[j])
				}
			}
		}
	}
}

func TestInvariantSamplesErrors(t *testing.T) {
	cases := []struct {
		name, f string
		edit    func(*InvariantSamples)
		field   string
	}{
		{"constant function", "x - x + 3", nil, "function"},
		{"constant on the domain", "abs(x) + abs(y) - sqrt(x^2 + y^2)*0 - abs(x) - abs(y)", nil, "function"},
		{"one bin", "x", func(o *InvariantSamples) { o.Bins = 1 }, "bins"},
		{"unknown binning", "x", func(o *InvariantSamples) { o.Binning = "log" }, "binning"},
	}
	for _, c := range cases {
		o := invariant(c.f, NewBox())
		if c.edit != nil {
			c.edit(o)
		}
		err := o.Check(nil, 0)
		var fe *spec.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: error %v, want one at %s", c.name, err, c.field)
		}
	}
	o := invariant("x + z", NewBox())
	var se *spec.Error
	if err := o.Check(nil, 0); !errors.As(err, &se) || se.Path != "function" {
		t.Errorf("unknown name: error %v, want a spec error in function", err)
	}
}
