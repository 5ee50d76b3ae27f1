package optim

import (
	"math"
	"testing"

	"ansatz/autodiff"
)

func TestClipGlobalNorm(t *testing.T) {
	// Gradients (3) and (0, 4) and a nil one: global norm √(9 + 16) = 5.
	tests := []struct {
		name    string
		maxNorm float64
		scale   float64 // factor expected on every element
	}{
		{"clipped", 1, 1 / (5 + 1e-6)},
		{"clipped to half", 2.5, 2.5 / (5 + 1e-6)},
		{"below limit", 10, 1},
		{"at limit", 5, 5 / (5 + 1e-6)}, // coefficient < 1 scales, like torch
		{"disabled", 0, 1},
		{"infinite limit", math.Inf(1), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			grads := []*autodiff.Tensor{autodiff.New([]float64{3}, 1, 1), nil, autodiff.New([]float64{0, 4}, 1, 2)}
			if norm := ClipGlobalNorm(grads, tc.maxNorm); norm != 5 {
				t.Errorf("norm %v, want 5", norm)
			}
			want := []float64{3 * tc.scale, 0, 4 * tc.scale}
			got := []float64{grads[0].Data()[0], grads[2].Data()[0], grads[2].Data()[1]}
			for i := range want {
				if !near(got[i], want[i], 1e-15) {
					t.Errorf("element %d: got %.17g, want %.17g", i, got[i], want[i])
				}
			}
		})
	}
	t.Run("non-finite", func(t *testing.T) {
		g := autodiff.New([]float64{math.NaN(), 1}, 1, 2)
		if norm := ClipGlobalNorm([]*autodiff.Tensor{g}, 1); !math.IsNaN(norm) {
			t.Errorf("norm %v, want NaN", norm)
		}
		if g.Data()[1] != 1 {
			t.Errorf("finite element changed to %v", g.Data()[1])
		}
	})
}
