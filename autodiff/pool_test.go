package autodiff

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

func TestPooledBuffersSurviveWhileUsed(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	const r, c = 64, 128 // above poolMin: pooled
	x := randTensor(rng, -1, 1, r, c)
	kept := Tanh(x)                    // held by us
	view := Reshape(Tanh(x), r*c/4, 4) // the original tensor is dropped, the view keeps the buffer
	escaped := Tanh(x).Data()          // the tensor is dropped, the slice is kept
	want := append([]float64(nil), kept.data...)
	for range 5 {
		for range 20 {
			_ = Exp(Tanh(x)) // garbage
		}
		runtime.GC()
		runtime.GC()
		y := Scale(x, 3) // takes a pooled buffer if there is one
		_ = y
		for i, w := range want {
			if kept.data[i] != w || view.data[i] != w || escaped[i] != w {
				t.Fatalf("element %d changed: kept %v, view %v, escaped %v, want %v", i, kept.data[i], view.data[i], escaped[i], w)
			}
		}
	}
	runtime.KeepAlive(kept)
	runtime.KeepAlive(view)
}
