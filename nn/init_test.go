package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// gram returns WᵀW (cols × cols) of W [rows, cols] row-major, or W·Wᵀ when
// rowsSide is set.
func gram(w []float64, rows, cols int, rowsSide bool) (g []float64, n int) {
	if rowsSide {
		n = rows
		g = make([]float64, n*n)
		for a := range rows {
			for b := range rows {
				for k := range cols {
					g[a*n+b] += w[a*cols+k] * w[b*cols+k]
				}
			}
		}
		return g, n
	}
	n = cols
	g = make([]float64, n*n)
	for a := range cols {
		for b := range cols {
			for k := range rows {
				g[a*n+b] += w[k*cols+a] * w[k*cols+b]
			}
		}
	}
	return g, n
}

func TestOrthogonalInit(t *testing.T) {
	tests := []struct {
		fanIn, fanOut int
		gain          float64
	}{
		{50, 50, 1},
		{200, 200, 1},
		{200, 3, 1}, // tall: orthonormal columns
		{2, 200, 1}, // wide: orthonormal rows
		{7, 7, 2.5}, // gain scales: WᵀW = gain²·I
		{1, 1, 1},
	}
	for _, tc := range tests {
		rng := rand.New(rand.NewPCG(3, 4))
		w := make([]float64, tc.fanIn*tc.fanOut)
		OrthogonalInit(tc.gain)(rng, tc.fanIn, tc.fanOut, w)
		g, n := gram(w, tc.fanIn, tc.fanOut, tc.fanIn < tc.fanOut)
		worst := 0.0
		for a := range n {
			for b := range n {
				want := 0.0
				if a == b {
					want = tc.gain * tc.gain
				}
				worst = math.Max(worst, math.Abs(g[a*n+b]-want))
			}
		}
		if worst > 1e-12 {
			t.Errorf("%d×%d gain %v: max |Gram − gain²·I| = %.3g, want ≤ 1e-12", tc.fanIn, tc.fanOut, tc.gain, worst)
		}
	}
}

// TestOrthogonalSquareIsOrthogonal checks both WᵀW = I and WWᵀ = I for a
// square matrix, and that the sign fix makes 2×2 draws Haar-distributed on
// O(2): W[0,0] has mean 0 (variance 1/2) and det W = ±1 with probability 1/2
// each. Without the fix, Householder QR always gives W[0,0] < 0 and det = −1.
func TestOrthogonalSquareIsOrthogonal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 30
	w := make([]float64, n*n)
	OrthogonalInit(1)(rng, n, n, w)
	for _, side := range []bool{false, true} {
		g, _ := gram(w, n, n, side)
		for a := range n {
			for b := range n {
				want := 0.0
				if a == b {
					want = 1
				}
				if d := math.Abs(g[a*n+b] - want); d > 1e-12 {
					t.Fatalf("rowsSide=%v: Gram[%d,%d] off by %.3g", side, a, b, d)
				}
			}
		}
	}
	const draws = 4000
	var sum float64
	positive := 0
	w2 := make([]float64, 4)
	for range draws {
		OrthogonalInit(1)(rng, 2, 2, w2)
		sum += w2[0]
		if w2[0]*w2[3]-w2[1]*w2[2] > 0 {
			positive++
		}
	}
	if mean := sum / draws; math.Abs(mean) > 5*math.Sqrt(0.5/draws) {
		t.Errorf("mean of W[0,0] over %d draws = %.3f, want ≈ 0", draws, mean)
	}
	if frac := float64(positive) / draws; math.Abs(frac-0.5) > 5*math.Sqrt(0.25/draws) {
		t.Errorf("fraction of draws with det W = +1 is %.3f, want ≈ 0.5", frac)
	}
}

// moments returns the mean and variance of w.
func moments(w []float64) (mean, variance float64) {
	for _, x := range w {
		mean += x
	}
	mean /= float64(len(w))
	for _, x := range w {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(w))
}

func TestRandomInitStatistics(t *testing.T) {
	const fanIn, fanOut = 200, 300
	const n = fanIn * fanOut
	tests := []struct {
		name    string
		init    InitFunc
		wantVar float64
		// relSE is the relative standard error of the sample variance,
		// √((kurtosis − 1)/n): kurtosis 9/5 for uniform, 3 for Gaussian.
		relSE float64
		bound float64 // |w| ≤ bound, 0 = unbounded
	}{
		{"glorot", GlorotInit, 2.0 / (fanIn + fanOut), math.Sqrt(0.8 / n), math.Sqrt(6.0 / (fanIn + fanOut))},
		{"he", HeInit, 2.0 / fanIn, math.Sqrt(2.0 / n), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := make([]float64, n)
			tc.init(rand.New(rand.NewPCG(7, 8)), fanIn, fanOut, w)
			mean, v := moments(w)
			if math.Abs(v/tc.wantVar-1) > 5*tc.relSE {
				t.Errorf("variance %.5g, want %.5g ± %.2g%%", v, tc.wantVar, 500*tc.relSE)
			}
			if math.Abs(mean) > 5*math.Sqrt(tc.wantVar/n) {
				t.Errorf("mean %.3g, want ≈ 0", mean)
			}
			if tc.bound > 0 {
				for _, x := range w {
					if math.Abs(x) > tc.bound {
						t.Fatalf("weight %v outside ±%v", x, tc.bound)
					}
				}
			}
		})
	}
}

func TestInitializerNames(t *testing.T) {
	for _, name := range InitNames() {
		f, err := Initializer(name)
		if err != nil {
			t.Fatal(err)
		}
		a, b := make([]float64, 12), make([]float64, 12)
		f(rand.New(rand.NewPCG(1, 1)), 3, 4, a)
		f(rand.New(rand.NewPCG(1, 1)), 3, 4, b)
		if !slices.Equal(a, b) {
			t.Errorf("%s: same seed, different weights", name)
		}
		if name == "zeros" && slices.ContainsFunc(a, func(x float64) bool { return x != 0 }) {
			t.Errorf("zeros: got %v", a)
		}
	}
	if _, err := Initializer("xavier"); err == nil || !strings.Contains(err.Error(), "orthogonal") {
		t.Errorf("unknown initialiser: error %v should list the valid ones", err)
	}
}
