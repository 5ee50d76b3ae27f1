package optim

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// decodeStrict decodes src over v, rejecting unknown keys.
func decodeStrict(src string, v any) error {
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// TestYAMLOptions decodes user options over the constructors' defaults, as a
// registry does, and checks that unset keys keep their defaults.
func TestYAMLOptions(t *testing.T) {
	a := NewAdam()
	if err := decodeStrict("lr: 3e-4\nweight_decay: 1e-2\ndecoupled: true\n", a); err != nil {
		t.Fatal(err)
	}
	if a.LR() != 3e-4 || a.WeightDecay != 1e-2 || !a.Decoupled || a.Beta1 != 0.9 || a.Beta2 != 0.999 || a.Eps != 1e-8 {
		t.Errorf("decoded %+v", *a)
	}
	s := NewSGD()
	if err := decodeStrict("lr: 0.1\nmomentum: 0.9\nnesterov: true\n", s); err != nil {
		t.Fatal(err)
	}
	if s.LR() != 0.1 || s.Momentum != 0.9 || !s.Nesterov || s.Validate() != nil {
		t.Errorf("decoded %+v", *s)
	}
	c := &Cosine{}
	if err := decodeStrict("min: 1e-5\nwarmup: 100\n", c); err != nil || c.Min != 1e-5 || c.Warmup != 100 {
		t.Errorf("decoded %+v, error %v", *c, err)
	}
	e := NewExponential()
	if err := decodeStrict("gamma: 0.5\n", e); err != nil || e.Gamma != 0.5 || e.Every != 1000 {
		t.Errorf("decoded %+v, error %v", *e, err)
	}
	if err := decodeStrict("learning_rate: 0.1\n", NewAdam()); err == nil {
		t.Error("unknown key accepted")
	}
}
