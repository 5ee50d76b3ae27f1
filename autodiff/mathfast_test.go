package autodiff

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTanhAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 1e-20, 1e-8, -1e-8, 0.1, 0.625, -0.625, 0.34657359, 1, 5, 18, 19.1, 20, 25, 400, -400, math.Inf(1), math.Inf(-1), math.MaxFloat64}
	for range 200000 {
		xs = append(xs, (rng.Float64()*2-1)*math.Pow(10, rng.Float64()*6-5)*3)
	}
	worst := 0.0
	for _, x := range xs {
		got, want := tanhFast(x), math.Tanh(x)
		if got == want {
			continue
		}
		ulp := math.Abs(got-want) / (math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want))
		worst = max(worst, ulp)
		if ulp > 4 || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("tanhFast(%v) = %v, math.Tanh %v (%.1f ulp)", x, got, want, ulp)
		}
	}
	t.Logf("worst difference from math.Tanh: %.1f ulp", worst)
	if !math.IsNaN(tanhFast(math.NaN())) {
		t.Error("tanhFast(NaN) is not NaN")
	}
}

func TestTanhSliceMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	// Lengths around the vector width exercise the masked tail.
	for _, n := range []int{1, 3, 7, 8, 9, 15, 16, 17, 100, 1001} {
		src := make([]float64, n)
		for i := range src {
			src[i] = rng.NormFloat64() * math.Pow(10, rng.Float64()*4-3)
		}
		specials := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 19.5, -25, 1e-310}
		for i := 0; i < n && i < len(specials); i++ {
			src[(i*7)%n] = specials[i]
		}
		dst := make([]float64, n+1)
		dst[n] = 42
		tanhSlice(dst[:n], src)
		if dst[n] != 42 {
			t.Fatalf("n=%d: tanhSlice wrote past the end", n)
		}
		for i, x := range src {
			want := tanhFast(x)
			if math.Float64bits(dst[i]) != math.Float64bits(want) && !(math.IsNaN(want) && math.IsNaN(dst[i])) {
				t.Errorf("n=%d: tanhSlice(%v) = %v, tanhFast %v", n, x, dst[i], want)
			}
		}
	}
}

func BenchmarkTanh(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 1<<16)
	for i := range x {
		x[i] = rng.NormFloat64() * 1.5
	}
	dst := make([]float64, len(x))
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				dst[i] = math.Tanh(v)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				dst[i] = tanhFast(v)
			}
		}
	})
	b.Run("slice", func(b *testing.B) {
		for b.Loop() {
			tanhSlice(dst, x)
		}
	})
}
