package symmetry

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFindClosedForm(t *testing.T) {
	quartic := embedOf(func(p []float64) []float64 { return []float64{math.Pow(p[0], 4) + p[1]*p[1]} }, 2)
	circle := embedOf(func(p []float64) []float64 { return []float64{p[0]*p[0] + p[1]*p[1]} }, 2)
	cases := []struct {
		name     string
		d        int
		embed    Embedding
		sample   func(*rand.Rand) func([]float64)
		expected [][]float64
		count    int
	}{
		{"circle", 2, circle, ring, SO2(2), 1},
		{"sphere", 3, radius, shell, SO3(3), 3},
		{"paraboloid", 3, paraboloid, box, SO2(3), 1},
		{"x⁴+y²", 2, quartic, box, nil, 0},
	}
	for _, c := range cases {
		rng := rand.New(rand.NewPCG(11, 12))
		x := points(rng, 800, c.d, c.sample(rng))
		o := NewOptions()
		o.Verify.Random = 100
		res, err := Find(c.embed, c.embed, x, c.d, o, rng)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		acc := res.Accepted()
		t.Logf("%s: %d pairs %v per plane, ratios %.3g, thresholds %.3g, %d components, checks %+v", c.name, res.Pairs, res.Eligible, res.Ratios[:c.d], res.Thresholds[:c.d], len(res.Components), res.Checks)
		if len(acc) != c.count {
			t.Errorf("%s: %d generators accepted, want %d", c.name, len(acc), c.count)
			continue
		}
		if c.count > 0 {
			if a := angleTo(t, acc, c.expected); a > 5 {
				t.Errorf("%s: %.3g° from the expected algebra, want ≤ 5°", c.name, a)
			}
		}
	}
}
