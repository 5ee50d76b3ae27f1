package losses

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/spec"
)

// Two 1-D classes {0, 2} and {5, 7}: tr Σ0 = tr Σ1 = 1, ‖μ1 − μ0‖² = 25,
// so L = (2 + ε)/(27 + ε).
func TestSeparationClosedForm(t *testing.T) {
	h := autodiff.New([]float64{0, 5, 2, 7}, 4, 1)
	got := Separation(h, []int{0, 1, 0, 1}, 1e-8).Item()
	want := (2 + 1e-8) / (27 + 1e-8)
	if math.Abs(got-want) > 1e-15 {
		t.Fatalf("L = %v, want %v", got, want)
	}
	// Three classes in 2-D at the corners of a triangle, each a pair of
	// points ±(0, 1) around its mean: tr Σ_c = 1, S_w = (2/3)·3 = 2; the
	// means (0,0), (3,0), (0,4) have pairwise squared distances 9, 16, 25,
	// S_b = 50/3.
	h = autodiff.New([]float64{0, 1, 0, -1, 3, 1, 3, -1, 0, 5, 0, 3}, 6, 2)
	got = Separation(h, []int{0, 0, 1, 1, 2, 2}, 1e-8).Item()
	want = (2 + 1e-8) / (2 + 50.0/3 + 1e-8)
	if math.Abs(got-want) > 1e-15 {
		t.Fatalf("three classes: L = %v, want %v", got, want)
	}
}

// clusters draws n rows per class around class means c·shift·e_k, spread σ.
func clusters(rng *rand.Rand, n, classes, width int, shift, sigma float64) (*autodiff.Tensor, []int) {
	data := make([]float64, 0, n*classes*width)
	var labels []int
	for i := range n * classes {
		c := i % classes
		labels = append(labels, c)
		for k := range width {
			v := sigma * rng.NormFloat64()
			if k == c%width {
				v += shift * float64(c)
			}
			data = append(data, v)
		}
	}
	return autodiff.New(data, n*classes, width), labels
}

func TestSeparationOrdersSeparatedBeforeMixed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	prev := -1.0
	for _, shift := range []float64{10, 3, 1, 0.3, 0} { // from separated to mixed
		h, lab := clusters(rng, 64, 2, 8, shift, 0.5)
		l := Separation(h, lab, 1e-8).Item()
		t.Logf("shift %4.1f (σ 0.5): L = %.4f", shift, l)
		if !(l > prev) {
			t.Errorf("shift %v: L = %v not above the larger shift's %v", shift, l, prev)
		}
		prev = l
	}
	// Mixed classes: the between-class term is pure sampling noise,
	// E ‖μ1 − μ0‖² = (1/64 + 1/64)·8·σ² against S_w ≈ 2·8·σ², so L ≈ 0.985.
	if prev < 0.95 || prev > 1 {
		t.Errorf("mixed classes: L = %v, want ≈ 0.985", prev)
	}
}

func TestSeparationScaleFreeAndDegenerate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	h, lab := clusters(rng, 16, 3, 4, 2, 1)
	base := Separation(h, lab, 1e-12).Item()
	for _, s := range []float64{1e-3, 0.5, 7, 1e4} {
		got := Separation(autodiff.Scale(h, s), lab, 1e-12).Item()
		if math.Abs(got-base) > 1e-6*base {
			t.Errorf("scale %v: L = %v, want %v", s, got, base)
		}
	}
	// A collapsed layer (all rows equal) is the worst value, not 0/0.
	if got := Separation(autodiff.Full(0.3, 6, 2), []int{0, 1, 0, 1, 0, 1}, 1e-8).Item(); got != 1 {
		t.Errorf("collapsed layer: L = %v, want 1", got)
	}
	// One class only: no information.
	if got := Separation(h, make([]int, h.Rows()), 1e-8).Item(); got != 1 {
		t.Errorf("one class: L = %v, want 1", got)
	}
	// Labels need not be contiguous: classes {0, 3} behave as {0, 1}.
	two, lab2 := clusters(rng, 8, 2, 3, 1, 1)
	want := Separation(two, lab2, 1e-8).Item()
	for i := range lab2 {
		lab2[i] *= 3
	}
	if got := Separation(two, lab2, 1e-8).Item(); math.Abs(got-want) > 1e-15 {
		t.Errorf("labels {0,3}: L = %v, want %v", got, want)
	}
}

// The gradient with respect to the activations matches central differences.
func TestSeparationGradientFD(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, classes := range []int{2, 3} {
		h0, lab := clusters(rng, 5, classes, 3, 1, 1)
		x := autodiff.Variable(append([]float64(nil), h0.Data()...), h0.Shape()...)
		g, err := autodiff.Grad(Separation(x, lab, 1e-8), []*autodiff.Tensor{x})
		if err != nil {
			t.Fatal(err)
		}
		const step = 1e-6
		for i := range x.Data() {
			p := append([]float64(nil), h0.Data()...)
			p[i] += step
			up := Separation(autodiff.New(p, h0.Shape()...), lab, 1e-8).Item()
			p[i] -= 2 * step
			down := Separation(autodiff.New(p, h0.Shape()...), lab, 1e-8).Item()
			fd := (up - down) / (2 * step)
			if math.Abs(fd-g[0].Data()[i]) > 1e-7+1e-5*math.Abs(fd) {
				t.Errorf("%d classes, entry %d: grad %v, finite difference %v", classes, i, g[0].Data()[i], fd)
			}
		}
	}
}

// newTestClassifier builds a small tanh classifier with 4 inputs, hidden
// layers [6, 5] and 2 classes.
func newTestClassifier(t *testing.T, seed uint64) architectures.Classifier {
	t.Helper()
	o := architectures.NewClassifierOptions()
	o.Network.Hidden = []int{6, 5}
	c, err := architectures.NewClassifier(o, 4, 2, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func labelBatch(rng *rand.Rand, rows int) Batch {
	x := make([]float64, rows*4)
	lab := make([]float64, rows)
	for i := range rows {
		lab[i] = float64(i % 2)
		for k := range 4 {
			x[i*4+k] = rng.NormFloat64() + lab[i]*float64(k)/2
		}
	}
	return Batch{X: autodiff.New(x, rows, 4), Columns: map[string]*autodiff.Tensor{"label": autodiff.New(lab, rows, 1)}}
}

// The loss term's gradient with respect to the classifier's parameters
// matches central differences, for both hidden layers.
func TestLatentSeparationParamGradientFD(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	m := newTestClassifier(t, 2)
	b := labelBatch(rng, 12)
	for _, layer := range []string{"embedding", "hidden1"} {
		term := NewLatentSeparation()
		term.Layer = layer
		if err := term.Accepts(m); err != nil {
			t.Fatal(err)
		}
		loss, err := term.Loss(m, b, true)
		if err != nil {
			t.Fatal(err)
		}
		grads, err := autodiff.Grad(loss, m.Params())
		if err != nil {
			t.Fatal(err)
		}
		value := func() float64 {
			l, err := term.Loss(m, b, false)
			if err != nil {
				t.Fatal(err)
			}
			return l.Item()
		}
		const step = 1e-6
		checked := 0
		for pi, p := range m.Params() {
			for i := 0; i < p.Len(); i += 3 {
				old := p.Data()[i]
				p.Data()[i] = old + step
				up := value()
				p.Data()[i] = old - step
				down := value()
				p.Data()[i] = old
				fd := (up - down) / (2 * step)
				if math.Abs(fd-grads[pi].Data()[i]) > 1e-7+1e-5*math.Abs(fd) {
					t.Errorf("%s: param %d entry %d: grad %v, finite difference %v", layer, pi, i, grads[pi].Data()[i], fd)
				}
				checked++
			}
		}
		if checked < 20 {
			t.Fatalf("checked only %d entries", checked)
		}
	}
}

func TestLatentSeparationOptions(t *testing.T) {
	m := newTestClassifier(t, 1)
	for _, c := range []struct {
		layer   string
		eps     float64
		field   string // Validate's error field, "" if valid
		accepts bool
	}{
		{"embedding", 1e-8, "", true},
		{"hidden1", 1e-8, "", true},
		{"hidden2", 1e-8, "", true},
		{"hidden3", 1e-8, "", false},
		{"hidden0", 1e-8, "layer", false},
		{"hidden01", 1e-8, "layer", false},
		{"output", 1e-8, "layer", false},
		{"embedding", 0, "epsilon", true},
	} {
		term := &LatentSeparation{Layer: c.layer, Epsilon: c.eps}
		err := term.Validate()
		var fe *spec.FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s/%v: unexpected error %v", c.layer, c.eps, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%s/%v: want an error at %s, got %v", c.layer, c.eps, c.field, err)
		}
		if c.field != "layer" {
			err := term.Accepts(m)
			if c.accepts != (err == nil) {
				t.Errorf("%s: Accepts = %v", c.layer, err)
			}
			if err != nil && (!errors.As(err, &fe) || fe.Field != "layer" || !strings.Contains(err.Error(), c.layer)) {
				t.Errorf("%s: Accepts error %v should name the layer at key layer", c.layer, err)
			}
		}
	}
	if err := NewLatentSeparation().Accepts(nil); err == nil || !strings.Contains(err.Error(), "classifier") {
		t.Errorf("non-classifier model: %v", err)
	}
}

func TestLatentSeparationBadLabels(t *testing.T) {
	m := newTestClassifier(t, 1)
	b := labelBatch(rand.New(rand.NewPCG(1, 1)), 4)
	term := NewLatentSeparation()
	if _, err := term.Loss(m, Batch{X: b.X}, false); err == nil || !strings.Contains(err.Error(), "label") {
		t.Errorf("no label column: %v", err)
	}
	b.Columns["label"].Data()[2] = 2
	if _, err := term.Loss(m, b, false); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("label 2 of 2 classes: %v", err)
	}
	b.Columns["label"].Data()[2] = 0.5
	if _, err := term.Loss(m, b, false); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("label 0.5: %v", err)
	}
}
