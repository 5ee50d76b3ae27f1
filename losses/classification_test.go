package losses

import (
	"math"
	"math/rand/v2"
	"testing"

	"ansatz/architectures"
	"ansatz/autodiff"
)

func TestCrossEntropyOfClosedForm(t *testing.T) {
	cases := []struct {
		name   string
		z      []float64
		labels []int
	}{
		{"small", []float64{1, 2, 0.5, -1, 0, 3}, []int{1, 2}},
		{"large logits", []float64{1000, 1001, 999, -800, -805, -790}, []int{0, 2}},
		{"equal logits", []float64{7, 7, 7, 7, 7, 7}, []int{2, 0}},
	}
	for _, c := range cases {
		y := make([]float64, 6)
		var want float64
		for i, l := range c.labels {
			y[i*3+l] = 1
			row := c.z[i*3 : i*3+3]
			mx := math.Max(row[0], math.Max(row[1], row[2]))
			var s float64
			for _, v := range row {
				s += math.Exp(v - mx)
			}
			want += mx + math.Log(s) - row[l]
		}
		want /= 2
		got := CrossEntropyOf(autodiff.New(c.z, 2, 3), autodiff.New(y, 2, 3)).Data()[0]
		if math.IsNaN(got) || math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: %v, want %v", c.name, got, want)
		}
	}
}

func TestCrossEntropyGradient(t *testing.T) {
	// ∂/∂z of the mean cross-entropy is (softmax(z) − y)/B.
	z := autodiff.Variable([]float64{0.3, -1.2, 2, 0.1, 0.1, -0.5}, 2, 3)
	y := autodiff.New([]float64{0, 0, 1, 1, 0, 0}, 2, 3)
	g, err := autodiff.Grad(CrossEntropyOf(z, y), []*autodiff.Tensor{z})
	if err != nil {
		t.Fatal(err)
	}
	zd, yd := z.Data(), y.Data()
	for i := range 2 {
		var s float64
		for k := range 3 {
			s += math.Exp(zd[i*3+k])
		}
		for k := range 3 {
			want := (math.Exp(zd[i*3+k])/s - yd[i*3+k]) / 2
			if got := g[0].Data()[i*3+k]; math.Abs(got-want) > 1e-12 {
				t.Errorf("∂/∂z[%d,%d] = %v, want %v", i, k, got, want)
			}
		}
	}
}

func TestClassifierLossesOnBatch(t *testing.T) {
	m, err := architectures.NewClassifier(architectures.NewClassifierOptions(), 2, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	x := autodiff.New([]float64{0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8}, 4, 2)
	z := m.Logits(x, false).Data()
	// Label every row with its predicted class, then shift one.
	lab := make([]float64, 4)
	for i := range 4 {
		best := 0
		for k := 1; k < 3; k++ {
			if z[i*3+k] > z[i*3+best] {
				best = k
			}
		}
		lab[i] = float64(best)
	}
	lab[0] = float64((int(lab[0]) + 1) % 3)
	b := Batch{X: x, Columns: map[string]*autodiff.Tensor{"label": autodiff.New(lab, 4, 1)}}
	acc, err := Accuracy{}.Loss(m, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := acc.Data()[0]; got != 0.75 {
		t.Errorf("accuracy %v, want 0.75", got)
	}
	ce, err := CrossEntropy{}.Loss(m, b, true)
	if err != nil {
		t.Fatal(err)
	}
	if v := ce.Data()[0]; !(v > 0) {
		t.Errorf("cross-entropy %v, want > 0", v)
	}
	bad := Batch{X: x, Columns: map[string]*autodiff.Tensor{"label": autodiff.New([]float64{0, 1, 2, 3}, 4, 1)}}
	if _, err := (CrossEntropy{}).Loss(m, bad, false); err == nil {
		t.Error("label 3 of 3 classes accepted")
	}
	if _, err := (CrossEntropy{}).Loss(m, Batch{X: x}, false); err == nil {
		t.Error("missing label column accepted")
	}
	if err := (CrossEntropy{}).Accepts(nil); err == nil {
		t.Error("a non-classifier accepted")
	}
}
