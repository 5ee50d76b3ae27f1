package sparsefit_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"ansatz/sparsefit"
	"ansatz/symbolic"
)

func TestMonomials(t *testing.T) {
	vars := []string{"q", "p"}
	var names []string
	for _, e := range sparsefit.Monomials(2, 3) {
		names = append(names, sparsefit.MonomialName(e, vars))
	}
	want := []string{"1", "q", "p", "q^2", "q*p", "p^2", "q^3", "q^2*p", "q*p^2", "p^3"}
	if !slices.Equal(names, want) {
		t.Errorf("monomials %v, want %v", names, want)
	}
	// C(d + k, k) monomials in d variables up to degree k.
	for _, c := range []struct{ d, k, n int }{{1, 4, 5}, {3, 2, 10}, {4, 3, 35}, {2, 0, 1}, {8, 2, 45}} {
		if got := len(sparsefit.Monomials(c.d, c.k)); got != c.n {
			t.Errorf("Monomials(%d, %d): %d, want %d", c.d, c.k, got, c.n)
		}
	}
}

func TestDictionary(t *testing.T) {
	d, err := sparsefit.NewDictionary([]string{"x", "p_y"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Names(), []string{"1", "x", "p_y", "x^2", "x*p_y", "p_y^2"}; !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	a, err := d.Design([]float64{2, 3, -1, 0.5}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := mat.NewDense(2, 6, []float64{1, 2, 3, 4, 6, 9, 1, -1, 0.5, 1, -0.5, 0.25})
	if !mat.Equal(a, want) {
		t.Errorf("design\n%v\nwant\n%v", mat.Formatted(a), mat.Formatted(want))
	}
	for _, c := range []struct {
		name string
		xs   []float64
		n    int
		want string
	}{
		{"short", []float64{1, 2, 3}, 2, "need 4 values, got 3"},
		{"no states", nil, 0, "need 0 values"},
		{"nan", []float64{1, math.NaN()}, 1, "state 0 [1 NaN]"},
	} {
		if _, err := d.Design(c.xs, c.n); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestNewDictionaryErrors(t *testing.T) {
	for _, c := range []struct {
		vars   []string
		degree int
		want   string
	}{
		{nil, 2, "at least one variable"},
		{[]string{"x", ""}, 2, "variable 1 has no name"},
		{[]string{"x", "x"}, 2, `"x" is named twice`},
		{[]string{"x"}, -1, "degree must be in [0, 8], got -1"},
		{[]string{"x"}, 9, "got 9"},
	} {
		if _, err := sparsefit.NewDictionary(c.vars, c.degree); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, %d: error %v, want %q", c.vars, c.degree, err, c.want)
		}
	}
}

// samples draws n states uniform in [−1, 1]² and evaluates f plus Gaussian
// noise of standard deviation sigma.
func samples(n int, sigma float64, f func(x, y float64) float64, rng *rand.Rand) (xs, ys []float64) {
	for range n {
		x, y := 2*rng.Float64()-1, 2*rng.Float64()-1
		xs = append(xs, x, y)
		ys = append(ys, f(x, y)+sigma*rng.NormFloat64())
	}
	return xs, ys
}

func coef(p *sparsefit.Polynomial, name string) float64 {
	for k, e := range p.Exps {
		if sparsefit.MonomialName(e, p.Vars) == name {
			return p.Coef[k]
		}
	}
	panic("no monomial " + name)
}

// TestFitRecoversSparsePolynomial fits 3x − 2xy + 0.5 from 500 noisy
// samples (σ = 0.01) on the 10 monomials of degree ≤ 3 in x, y.
func TestFitRecoversSparsePolynomial(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs, ys := samples(500, 0.01, func(x, y float64) float64 { return 3*x - 2*x*y + 0.5 }, rng)
	d, err := sparsefit.NewDictionary([]string{"x", "y"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	p, r2, err := d.Fit(xs, 500, ys, sparsefit.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Terms(); !slices.Equal(got, []string{"1", "x", "x*y"}) {
		t.Errorf("support %v, want [1 x x*y]", got)
	}
	for name, want := range map[string]float64{"x": 3, "x*y": -2, "1": 0.5} {
		if got := coef(p, name); math.Abs(got-want) > 5e-3 {
			t.Errorf("coefficient of %s = %v, want %v ± 5e-3", name, got, want)
		}
	}
	// The noise variance over the signal's: 1e-4 / (3 + 4/9) ≈ 3e-5.
	if !(r2 > 0.9999 && r2 < 1) {
		t.Errorf("R² = %v, want in (0.9999, 1)", r2)
	}
	if got := p.Format(2); got != "3*x - 2*x*y + 0.5" {
		t.Errorf("formula %q", got)
	}
	t.Logf("%s, R² = %.6f", p, r2)
}

// TestFitThreshold: a term contributing 0.3% of the largest term's spread
// is dropped by the default threshold and kept (exactly) without one.
func TestFitThreshold(t *testing.T) {
	f := func(x, y float64) float64 { return 3*x - 2*x*y + 0.5 + 0.02*y*y }
	rng := rand.New(rand.NewPCG(3, 4))
	xs, ys := samples(400, 0, f, rng)
	d, err := sparsefit.NewDictionary([]string{"x", "y"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		threshold float64
		terms     []string
		r2lo      float64
	}{
		{0.05, []string{"1", "x", "x*y"}, 0.9999},
		{0.001, []string{"1", "x", "x*y", "y^2"}, 1 - 1e-12},
		{0, []string{"1", "x", "x*y", "y^2"}, 1 - 1e-12},
		// Only the largest term survives 0.5: 2·std(xy) = 0.67 < 0.5·3·std(x) = 0.87.
		{0.5, []string{"1", "x"}, 0.8},
	}
	for _, tc := range tests {
		p, r2, err := d.Fit(xs, 400, ys, sparsefit.Options{Threshold: tc.threshold, MaxIter: 20})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Terms(); !slices.Equal(got, tc.terms) {
			// Without a threshold, the exact-zero coefficients of y and x²
			// come out as rounding noise.
			var big []string
			for k, c := range p.Coef {
				if math.Abs(c) > 1e-12 {
					big = append(big, sparsefit.MonomialName(p.Exps[k], p.Vars))
				}
			}
			if tc.threshold > 0 || !slices.Equal(big, tc.terms) {
				t.Errorf("threshold %v: terms %v, want %v", tc.threshold, got, tc.terms)
			}
		}
		if !(r2 >= tc.r2lo && r2 <= 1+1e-15) {
			t.Errorf("threshold %v: R² = %v, want ≥ %v", tc.threshold, r2, tc.r2lo)
		}
		if tc.threshold < 0.01 {
			if c := coef(p, "y^2"); math.Abs(c-0.02) > 1e-10 {
				t.Errorf("threshold %v: coefficient of y² = %v, want 0.02", tc.threshold, c)
			}
		}
		t.Logf("threshold %v: %s (R² = %.8f)", tc.threshold, p, r2)
	}
}

func TestSTLSQEdgeCases(t *testing.T) {
	// A constant target: intercept only, R² = 1.
	a := mat.NewDense(4, 2, []float64{1, 2, 2, 1, 3, 5, 4, 0})
	fit, err := sparsefit.STLSQ(a, []float64{7, 7, 7, 7}, sparsefit.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if fit.Intercept != 7 || fit.R2 != 1 || slices.Contains(fit.Active, true) {
		t.Errorf("constant target: %+v", fit)
	}
	// A constant column is absorbed by the intercept; a collinear pair
	// shares its coefficient (minimum norm): y = 1 + 2u with columns u, 2u
	// standardise to the same column, so each gets half: 1·u + 0.5·(2u).
	b := mat.NewDense(5, 3, nil)
	var y []float64
	for j, u := range []float64{-2, -1, 0, 1, 3} {
		b.SetRow(j, []float64{5, u, 2 * u})
		y = append(y, 1+2*u)
	}
	if fit, err = sparsefit.STLSQ(b, y, sparsefit.DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	if fit.Active[0] || fit.Coef[0] != 0 || math.Abs(fit.Coef[1]-1) > 1e-12 ||
		math.Abs(fit.Coef[2]-0.5) > 1e-12 || math.Abs(fit.Intercept-1) > 1e-12 || math.Abs(fit.R2-1) > 1e-12 {
		t.Errorf("collinear: %+v", fit)
	}

	errs := []struct {
		name string
		a    mat.Matrix
		y    []float64
		opts sparsefit.Options
		want string
	}{
		{"length", a, []float64{1, 2}, sparsefit.DefaultOptions(), "4 rows but 2 targets"},
		{"nan", a, []float64{1, 2, math.NaN(), 3}, sparsefit.DefaultOptions(), "target 2 is NaN"},
		{"threshold", a, []float64{1, 2, 3, 4}, sparsefit.Options{Threshold: 1, MaxIter: 1}, "threshold must be in [0, 1)"},
		{"iterations", a, []float64{1, 2, 3, 4}, sparsefit.Options{}, "iterations must be ≥ 1"},
		{"too few", mat.NewDense(2, 2, []float64{1, 2, 3, 5}), []float64{1, 2}, sparsefit.DefaultOptions(), "2 samples for 2 varying columns"},
	}
	for _, c := range errs {
		if _, err := sparsefit.STLSQ(c.a, c.y, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestR2(t *testing.T) {
	for _, c := range []struct {
		name    string
		y, pred []float64
		want    float64
	}{
		{"exact", []float64{1, 2, 3}, []float64{1, 2, 3}, 1},
		{"mean", []float64{1, 2, 3}, []float64{2, 2, 2}, 0},
		{"half", []float64{-1, 1}, []float64{-1 / math.Sqrt2, 1 / math.Sqrt2}, 1 - (1-1/math.Sqrt2)*(1-1/math.Sqrt2)},
		{"constant fitted", []float64{4, 4}, []float64{4, 4}, 1},
		{"constant missed", []float64{4, 4}, []float64{3, 5}, 0},
		{"zeros", []float64{0, 0}, []float64{0, 0}, 1},
	} {
		if got := sparsefit.R2(c.y, c.pred); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s: R² = %v, want %v", c.name, got, c.want)
		}
	}
	if got := sparsefit.R2([]float64{1}, nil); !math.IsNaN(got) {
		t.Errorf("mismatched: %v, want NaN", got)
	}
}

func TestFormat(t *testing.T) {
	names := []string{"1", "x", "x*p_y", "x^2"}
	for _, c := range []struct {
		coefs  []float64
		digits int
		want   string
	}{
		{[]float64{0, 0, 0, 0}, 3, "0"},
		{[]float64{0.5, 3, -2, 0}, 2, "0.5 + 3*x - 2*x*p_y"},
		{[]float64{-1, -1, 1, 0}, 3, "-1 - x + x*p_y"},
		{[]float64{0, -4.2349, 0, 1.24e-5}, 2, "-4.2*x + 1.2e-05*x^2"},
		{[]float64{0, 1.0004, 0, 0}, 3, "x"},
		{[]float64{0, 123456, 0, 0}, 2, "1.2e+05*x"},
	} {
		if got := sparsefit.FormatTerms(c.coefs, names, c.digits); got != c.want {
			t.Errorf("FormatTerms(%v, %d) = %q, want %q", c.coefs, c.digits, got, c.want)
		}
	}
	for _, c := range []struct {
		v      float64
		digits int
		want   float64
	}{{4.2349, 2, 4.2}, {-0.012345, 3, -0.0123}, {0, 3, 0}, {123456, 2, 120000}, {1.5, 1, 2}} {
		if got := sparsefit.Round(c.v, c.digits); got != c.want {
			t.Errorf("Round(%v, %d) = %v, want %v", c.v, c.digits, got, c.want)
		}
	}
}

// TestFormatParses checks that a formula read back with symbolic gives the
// rounded polynomial's values.
func TestFormatParses(t *testing.T) {
	vars := []string{"x", "p_y"}
	exps := sparsefit.Monomials(2, 2)
	p := &sparsefit.Polynomial{Vars: vars, Exps: exps, Coef: []float64{0.01, -4.2, 0, 1.3e-7, -1, 2.5}}
	text := p.Format(3)
	if text != "-4.2*x + 1.3e-07*x^2 - x*p_y + 2.5*p_y^2 + 0.01" {
		t.Errorf("formula %q", text)
	}
	node, err := symbolic.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	f, err := symbolic.Compile(node, vars)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range [][]float64{{0.3, -2}, {1, 1}, {-5, 0.25}} {
		if got, want := f(x), p.Eval(x); math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
			t.Errorf("at %v: parsed %v, polynomial %v", x, got, want)
		}
	}
	if got := p.Values([]float64{1, 1, 0, 0}, 2); math.Abs(got[0]-(0.01-4.2+1.3e-7-1+2.5)) > 1e-15 || got[1] != 0.01 {
		t.Errorf("values %v", got)
	}
}
