package nn

import (
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestMLPConfigYAML decodes an MLP section over the defaults, as the
// architecture registry does: in and out are not YAML keys.
func TestMLPConfigYAML(t *testing.T) {
	cfg := NewMLPConfig(2, 1)
	dec := yaml.NewDecoder(strings.NewReader("hidden: [64, 32]\nactivation: softplus\nlast_bias: true\n"))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	want := MLPConfig{In: 2, Hidden: []int{64, 32}, Out: 1, Activation: "softplus", Init: "orthogonal", LastBias: true}
	if !slices.Equal(cfg.Hidden, want.Hidden) || cfg.In != 2 || cfg.Out != 1 || cfg.Activation != want.Activation || cfg.Init != want.Init || !cfg.LastBias {
		t.Errorf("decoded %+v, want %+v", cfg, want)
	}
	dec = yaml.NewDecoder(strings.NewReader("in: 3\n"))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err == nil {
		t.Error("in accepted as a YAML key")
	}
}
