package symmetry

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// orbitSteps returns n exact orbit pairs (p, exp(ε X)p) of random
// orientation: p from sample, X from gen (a fresh generator per pair),
// |ε| uniform in [0.05, 0.3].
func orbitSteps(rng *rand.Rand, n, d int, sample func([]float64), gen func() []float64) []Step {
	x := make([]float64, 0, 2*n*d)
	pairs := make([]Pair, n)
	for k := range n {
		p := make([]float64, d)
		sample(p)
		eps := 0.05 + 0.25*rng.Float64()
		var r mat.Dense
		r.Exp(mat.NewDense(d, d, scaled(gen(), eps*GeneratorNorm)))
		q := apply(r.RawMatrix().Data, p, d)
		if rng.IntN(2) == 0 {
			p, q = q, p
		}
		x = append(x, p...)
		x = append(x, q...)
		pairs[k] = Pair{2 * k, 2*k + 1}
	}
	return Steps(x, d, pairs)
}

func ring(rng *rand.Rand) func([]float64) {
	return func(p []float64) {
		a, r := 2*math.Pi*rng.Float64(), 1+0.05*rng.NormFloat64()
		p[0], p[1] = r*math.Cos(a), r*math.Sin(a)
	}
}

func shell(rng *rand.Rand) func([]float64) {
	return func(p []float64) {
		var s float64
		for i := range p {
			p[i] = rng.NormFloat64()
			s += p[i] * p[i]
		}
		r := (1 + 0.05*rng.NormFloat64()) / math.Sqrt(s)
		for i := range p {
			p[i] *= r
		}
	}
}

// randomAxis draws so(3) generators ω·L with ω uniform on the sphere.
func randomAxis(rng *rand.Rand) func() []float64 {
	ls := SO3(3)
	return func() []float64 {
		w := make([]float64, 3)
		shell(rng)(w)
		g := make([]float64, 9)
		for a := range 3 {
			for i := range g {
				g[i] += w[a] * ls[a][i]
			}
		}
		return g
	}
}

func angleTo(t *testing.T, got [][]float64, want [][]float64) float64 {
	t.Helper()
	a, err := LargestAngle(got, want)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestFitPlaneRecoversSO2AndNaiveDoesNot(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	steps := orbitSteps(rng, 200, 2, ring(rng), func() []float64 { return Rotation(2, 0, 1) })
	pl := Plane{0, 1}
	fit, res, err := FitPlane(steps, pl)
	if err != nil {
		t.Fatal(err)
	}
	if a := angleTo(t, [][]float64{fit.Embed(pl, 2)}, SO2(2)); a > 2 {
		t.Errorf("sign-invariant fit: %.3g° from so(2), want ≤ 2°", a)
	}
	if res > 1e-12 {
		t.Errorf("residual on exact orbit pairs = %g, want 0", res)
	}
	naive, err := FitNaive(steps, pl)
	if err != nil {
		t.Fatal(err)
	}
	// The naive fit averages pairs of both orientations: its rotation part
	// is a fraction of what one orientation gives (|T| ≈ ε̄ ≈ 0.175 for
	// oriented pairs), and its direction is not the generator's.
	oriented := make([]Step, len(steps))
	for k, s := range steps {
		oriented[k] = s
		if s.Mid[0]*s.Delta[1]-s.Mid[1]*s.Delta[0] < 0 { // turn all pairs counter-clockwise
			oriented[k] = Step{Mid: s.Mid, Delta: []float64{-s.Delta[0], -s.Delta[1]}}
		}
	}
	good, _ := FitNaive(oriented, pl)
	nNaive, nGood := frobenius(naive[:]), frobenius(good[:])
	if nNaive > 0.2*nGood {
		t.Errorf("naive fit on unoriented pairs has norm %.3g, oriented %.3g: want it to average out (< 20 %%)", nNaive, nGood)
	}
	if a := angleTo(t, [][]float64{good.Embed(pl, 2)}, SO2(2)); a > 2 {
		t.Errorf("naive fit on oriented pairs: %.3g° from so(2), want ≤ 2°", a)
	}
	if a := angleTo(t, [][]float64{naive.Embed(pl, 2)}, SO2(2)); a < 20 {
		t.Errorf("naive fit on unoriented pairs is %.3g° from so(2); expected it to fail (> 20°)", a)
	}
}

func TestFitGeneratorsRecoversSO3(t *testing.T) {
	for _, perFit := range []int{20, 50} {
		rng := rand.New(rand.NewPCG(3, 4))
		steps := orbitSteps(rng, 3000, 3, shell(rng), randomAxis(rng))
		o := FitOptions{Fits: 30, PairsPerFit: perFit, PlaneFraction: 0.95}
		fits, eligible, err := FitGenerators(steps, 3, o, rng)
		if err != nil {
			t.Fatal(err)
		}
		gs := make([][]float64, len(fits))
		for i, f := range fits {
			gs[i] = f.T
		}
		ratios, comps, err := PCA(gs)
		if err != nil {
			t.Fatal(err)
		}
		thr, err := ParallelAnalysis(fits, 3, 100, 0.95, rng)
		if err != nil {
			t.Fatal(err)
		}
		k := Significant(ratios, thr)
		if k != 3 {
			t.Errorf("%d pairs per fit: %d significant components, want 3 (ratios %.3g, thresholds %.3g, pairs per plane %v)", perFit, k, ratios[:4], thr[:4], eligible)
			continue
		}
		if a := angleTo(t, comps[:3], SO3(3)); a > 2 {
			t.Errorf("%d pairs per fit: %.3g° from so(3), want ≤ 2°", perFit, a)
		}
	}
}

func TestPCAAndSignificance(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	// Isotropic fits: nothing significant.
	var fits []Fit
	for range 60 {
		for _, pl := range Planes(3) {
			var b Block2
			for i := range b {
				b[i] = rng.NormFloat64()
			}
			fits = append(fits, Fit{Plane: pl, T: b.Embed(pl, 3)})
		}
	}
	gs := make([][]float64, len(fits))
	for i, f := range fits {
		gs[i] = f.T
	}
	ratios, _, err := PCA(gs)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, r := range ratios {
		sum += r
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("ratios sum to %v, want 1", sum)
	}
	thr, err := ParallelAnalysis(fits, 3, 200, 0.95, rng)
	if err != nil {
		t.Fatal(err)
	}
	if k := Significant(ratios, thr); k != 0 {
		t.Errorf("isotropic fits: %d significant components (ratios %.3g, thresholds %.3g), want 0", k, ratios[:3], thr[:3])
	}
	// One generator repeated (with random signs): one component, explaining all.
	for i := range gs {
		gs[i] = scaled(Rotation(3, 0, 1), float64(1-2*rng.IntN(2)))
	}
	ratios, comps, _ := PCA(gs)
	if math.Abs(ratios[0]-1) > 1e-12 || Significant(ratios, thr) != 1 {
		t.Errorf("one generator: ratios %.3g, want [1 0 …] and one significant", ratios[:3])
	}
	if want := scaled(Rotation(3, 0, 1), 1); !equal(comps[0], want, 1e-12) {
		t.Errorf("component %v, want %v (sign fixed)", comps[0], want)
	}
}

func equal(a, b []float64, tol float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// Closed-form embeddings.
func embedOf(f func(p []float64) []float64, d int) Embedding {
	return func(x []float64, n int) ([]float64, error) {
		var out []float64
		for i := range n {
			out = append(out, f(x[i*d:(i+1)*d])...)
		}
		return out, nil
	}
}

var (
	radius     = embedOf(func(p []float64) []float64 { return []float64{p[0]*p[0] + p[1]*p[1] + p[2]*p[2]} }, 3)
	paraboloid = embedOf(func(p []float64) []float64 { return []float64{p[0]*p[0] + p[1]*p[1] + p[2]} }, 3)
)

func points(rng *rand.Rand, n, d int, sample func([]float64)) []float64 {
	x := make([]float64, n*d)
	for i := range n {
		sample(x[i*d : (i+1)*d])
	}
	return x
}

func box(rng *rand.Rand) func([]float64) {
	return func(p []float64) {
		for i := range p {
			p[i] = 2*rng.Float64() - 1
		}
	}
}

func TestVerifyAcceptsTrueRejectsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := points(rng, 200, 3, box(rng))
	random := make([]float64, 9)
	for i := range random {
		random[i] = rng.NormFloat64()
	}
	cases := []struct {
		name  string
		embed Embedding
		cands [][]float64
		want  []bool
	}{
		{"so(3) invariant |p|²", radius, [][]float64{Rotation(3, 0, 1), Rotation(3, 1, 2), random}, []bool{true, true, false}},
		{"paraboloid x²+y²+z", paraboloid, [][]float64{Rotation(3, 0, 1), Rotation(3, 0, 2), Rotation(3, 1, 2), random}, []bool{true, false, false, false}},
	}
	for _, c := range cases {
		checks, rs, err := Verify(c.embed, x, 3, c.cands, NewVerifyOptions(), rng)
		if err != nil {
			t.Fatal(err)
		}
		for k, ch := range checks {
			if ch.Accepted != c.want[k] {
				t.Errorf("%s: candidate %d: accepted=%v, want %v (score %.3g, threshold %.3g, z %.3g)", c.name, k, ch.Accepted, c.want[k], ch.Score, ch.Threshold, ch.Z)
			}
		}
		if len(rs) != NewVerifyOptions().Random {
			t.Errorf("%s: %d random scores", c.name, len(rs))
		}
	}
}

func TestOrderUnmixes(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	x := points(rng, 100, 3, box(rng))
	lxy, lxz := Rotation(3, 0, 1), Rotation(3, 0, 2)
	mix := func(a, b float64) []float64 {
		g := make([]float64, 9)
		for i := range g {
			g[i] = a*lxy[i] + b*lxz[i]
		}
		return g
	}
	dirs, sens, err := Order(paraboloid, x, 3, [][]float64{mix(0.6, 0.8), mix(0.8, -0.6)}, 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	if a := angleTo(t, dirs[:1], [][]float64{lxy}); a > 1e-3 {
		t.Errorf("least sensitive direction %.3g° from L_xy, want 0", a)
	}
	if sens[0] > 1e-9 || sens[1] < 0.1 {
		t.Errorf("sensitivities %.3g, want [0, > 0.1]", sens)
	}
}

func TestLargestAngle(t *testing.T) {
	lxy, lxz, lyz := Rotation(3, 0, 1), Rotation(3, 0, 2), Rotation(3, 1, 2)
	turn := func(th float64) []float64 {
		g := make([]float64, 9)
		for i := range g {
			g[i] = math.Cos(th)*lxy[i] + math.Sin(th)*lyz[i]
		}
		return g
	}
	cases := []struct {
		name string
		a, b [][]float64
		want float64
	}{
		{"same", [][]float64{lxy}, [][]float64{scaled(lxy, 3)}, 0},
		{"turned by 0.1 rad", [][]float64{turn(0.1)}, [][]float64{lxy}, 0.1 * 180 / math.Pi},
		{"inside a larger span", [][]float64{turn(0.7)}, SO3(3), 0},
		{"orthogonal", [][]float64{lxz}, [][]float64{lxy, lyz}, 90},
		{"empty", nil, SO3(3), 90},
	}
	for _, c := range cases {
		got, err := LargestAngle(c.a, c.b)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-4 {
			t.Errorf("%s: %v°, want %v°", c.name, got, c.want)
		}
	}
}

func TestSelectPairs(t *testing.T) {
	// Four points on a line; the embedding makes 0 and 2 alike.
	x := []float64{0, 0, 0.1, 0, 0.2, 0, 1, 0}
	e := []float64{0, 5, 0.01, 9}
	o := PairOptions{Neighbours: 1, MinDistance: 0.15, MaxDistance: 0.5}
	got, err := SelectPairs(x, 2, e, 1, o)
	if err != nil {
		t.Fatal(err)
	}
	// 0: candidates at distance in [0.15, 0.5] are 2 → (0,2); 1: none (0.1 away
	// from both 0 and 2), 2: 0 → (0,2) again; 3: none.
	want := []Pair{{0, 2}}
	if len(got) != len(want) || got[0] != want[0] {
		t.Errorf("pairs %v, want %v", got, want)
	}
}
