package nn

import (
	"math"
	"strings"
	"testing"

	"ansatz/autodiff"
)

func TestActivation(t *testing.T) {
	erf := func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }
	tests := []struct {
		name string
		f    func(float64) float64
	}{
		{"tanh", math.Tanh},
		{"sigmoid", func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
		{"softplus", func(x float64) float64 { return math.Log1p(math.Exp(x)) }},
		{"gelu", erf},
		{"relu", func(x float64) float64 { return math.Max(x, 0) }},
		{"sin", math.Sin},
		{"identity", func(x float64) float64 { return x }},
	}
	if len(tests) != len(ActivationNames()) {
		t.Fatalf("%d activations tested, %d exist", len(tests), len(ActivationNames()))
	}
	xs := []float64{-2, -0.5, 0.3, 1.7}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			act, err := Activation(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			y := act(autodiff.New(append([]float64(nil), xs...), 1, len(xs)))
			for j, x := range xs {
				if got, want := y.Data()[j], tc.f(x); math.Abs(got-want) > 1e-12 {
					t.Errorf("%s(%v) = %v, want %v", tc.name, x, got, want)
				}
			}
		})
	}
	_, err := Activation("swish")
	if err == nil || !strings.Contains(err.Error(), "tanh") || !strings.Contains(err.Error(), "swish") {
		t.Errorf("unknown activation: error %v should name it and list the valid ones", err)
	}
}
