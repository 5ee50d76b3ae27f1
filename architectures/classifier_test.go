package architectures

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"ansatz/autodiff"
	"ansatz/nn"
	"ansatz/spec"
)

func TestClassifierLayers(t *testing.T) {
	cases := []struct {
		name      string
		embedding string
		same      string // the hidden layer the embedding must equal
	}{
		{"default: the last hidden layer", "", "hidden3"},
		{"alias", "embedding", "hidden3"},
		{"chosen", "hidden2", "hidden2"},
	}
	x := autodiff.New([]float64{0.1, -0.2, 0.3, 0.4, 0.5, -0.6}, 3, 2)
	for _, c := range cases {
		o := NewClassifierOptions()
		o.Network.Hidden = []int{5, 4, 3}
		o.Embedding = c.embedding
		m, err := NewClassifier(o, 2, 4, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if m.Classes() != 4 {
			t.Errorf("%s: %d classes", c.name, m.Classes())
		}
		if z := m.Logits(x, false); z.Rows() != 3 || z.Cols() != 4 {
			t.Errorf("%s: logits %v×%v, want 3×4", c.name, z.Rows(), z.Cols())
		}
		emb, ok := m.Layer(x, EmbeddingLayer, false)
		want, ok2 := m.Layer(x, c.same, false)
		if !ok || !ok2 || !slices.Equal(emb.Data(), want.Data()) {
			t.Errorf("%s: embedding is not %s", c.name, c.same)
		}
		for k, w := range []int{5, 4, 3} {
			h, ok := m.Layer(x, "hidden"+string(rune('1'+k)), true)
			if !ok || h.Cols() != w {
				t.Errorf("%s: hidden%d missing or of width %d, want %d", c.name, k+1, h.Cols(), w)
			}
		}
		for _, bad := range []string{"hidden0", "hidden4", "hidden01", "logits", ""} {
			if _, ok := m.Layer(x, bad, false); ok {
				t.Errorf("%s: layer %q exists", c.name, bad)
			}
		}
		if got := len(m.Params()); got != 8 {
			t.Errorf("%s: %d parameter tensors, want 8 (4 layers with biases)", c.name, got)
		}
	}
}

func TestClassifierErrors(t *testing.T) {
	cases := []struct {
		name    string
		hidden  []int
		emb     string
		classes int
		field   string
	}{
		{"no such layer", []int{8, 8}, "hidden3", 2, "embedding"},
		{"not a layer name", []int{8}, "penultimate", 2, "embedding"},
		{"no hidden layer", nil, "", 2, "hidden"},
		{"one class", []int{8}, "", 1, ""},
	}
	for _, c := range cases {
		o := &ClassifierOptions{Network: nn.MLPConfig{Hidden: c.hidden}, Embedding: c.emb}
		_, err := o.Build(State{Vars: []string{"x", "y"}, Classes: c.classes}, rand.New(rand.NewPCG(1, 2)))
		if err == nil {
			t.Errorf("%s: built", c.name)
			continue
		}
		var fe *spec.FieldError
		if c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field) {
			t.Errorf("%s: error %v, want one at %s", c.name, err, c.field)
		}
	}
}
