package analyses_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"ansatz/analyses"
	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/datasets"
)

// centralForce is H = |p|²/2 + V(r) in the plane with V = a·r²/2 + b·r⁴/4:
// ṗ = −(a + b·r²)·q. The angular momentum x·p_y − y·p_x is conserved.
type centralForce struct{ a, b float64 }

func (centralForce) Variables() []string { return []string{"x", "y", "p_x", "p_y"} }
func (s centralForce) Field(x, dx []float64) {
	k := s.a + s.b*(x[0]*x[0]+x[1]*x[1])
	dx[0], dx[1], dx[2], dx[3] = x[2], x[3], -k*x[0], -k*x[1]
}

// noField is a system without dynamics.
type noField struct{}

func (noField) Variables() []string { return []string{"x", "y", "p_x", "p_y"} }

// quantity is a closed-form F(x, y, p_x, p_y) built with the engine's ops.
type quantity func(x, y, px, py *autodiff.Tensor) *autodiff.Tensor

// fixedQuantities is a conserved-quantities model of closed-form functions.
type fixedQuantities []quantity

func (fixedQuantities) Params() []*autodiff.Tensor { return nil }
func (q fixedQuantities) NumConserved() int        { return len(q) }
func (q fixedQuantities) Conserved(x *autodiff.Tensor, _ bool) (*autodiff.Tensor, error) {
	cols := make([]*autodiff.Tensor, len(q))
	for i, f := range q {
		cols[i] = f(autodiff.Col(x, 0), autodiff.Col(x, 1), autodiff.Col(x, 2), autodiff.Col(x, 3))
	}
	return autodiff.Concat(cols...), nil
}

var _ architectures.ConservedQuantities = fixedQuantities{}

var (
	angularMomentum quantity = func(x, y, px, py *autodiff.Tensor) *autodiff.Tensor {
		return autodiff.Sub(autodiff.Mul(x, py), autodiff.Mul(y, px))
	}
	xpx quantity = func(x, _, px, _ *autodiff.Tensor) *autodiff.Tensor { return autodiff.Mul(x, px) }
	// oscillatorEnergy is H of centralForce{1, 0}.
	oscillatorEnergy quantity = func(x, y, px, py *autodiff.Tensor) *autodiff.Tensor {
		s := autodiff.Add(autodiff.Add(autodiff.Square(x), autodiff.Square(y)), autodiff.Add(autodiff.Square(px), autodiff.Square(py)))
		return autodiff.Scale(s, 0.5)
	}
)

func affine(f quantity, a, b float64) quantity {
	return func(x, y, px, py *autodiff.Tensor) *autodiff.Tensor {
		return autodiff.AddScalar(autodiff.Scale(f(x, y, px, py), a), b)
	}
}

// conservedContext is a context with n held-out states of sys drawn like
// the sampler (radius in [0.2, 1], uniform direction in 4-D), with noise of
// standard deviation 0.05 on X (the analysis must fit the clean states).
func conservedContext(model architectures.Model, sys centralForce, n int) *analyses.Context {
	rng := rand.New(rand.NewPCG(5, 6))
	sampler := &datasets.Radius{Min: 0.2, Max: 1}
	set := &datasets.Set{N: n, D: 4}
	x, f := make([]float64, 4), make([]float64, 4)
	for range n {
		if err := sampler.Sample(rng, sys.Variables(), x); err != nil {
			panic(err)
		}
		sys.Field(x, f)
		set.Clean = append(set.Clean, x...)
		for _, v := range x {
			set.X = append(set.X, v+0.05*rng.NormFloat64())
		}
		set.F = append(set.F, f...)
		set.DX = append(set.DX, f...)
	}
	return &analyses.Context{
		Vars: sys.Variables(), Model: model, System: sys, Test: set,
		Sampler: sampler, RNG: rand.New(rand.NewPCG(7, 8)),
	}
}

func textOf(t *testing.T, res analyses.Result, name string) string {
	t.Helper()
	r := rowNamed(t, res, name)
	if r.Text == nil {
		t.Fatalf("row %s has no text", name)
	}
	return *r.Text
}

func hasRow(res analyses.Result, name string) bool {
	for _, r := range res.Rows {
		if r.Name == name {
			return true
		}
	}
	return false
}

func logRows(t *testing.T, res analyses.Result) {
	t.Helper()
	for _, r := range res.Rows {
		switch {
		case r.Value != nil && r.Text != nil:
			t.Logf("%-16s %-10.4g %s", r.Name, *r.Value, *r.Text)
		case r.Value != nil:
			t.Logf("%-16s %.4g", r.Name, *r.Value)
		default:
			t.Logf("%-16s %s", r.Name, *r.Text)
		}
	}
	for _, m := range res.Metrics {
		t.Logf("metric %s = %.6g", m.Name, m.Value)
	}
}

// tanhL is tanh(10·L_z): conserved, not a polynomial, a function of L_z.
var tanhL quantity = func(x, y, px, py *autodiff.Tensor) *autodiff.Tensor {
	return autodiff.Tanh(autodiff.Scale(angularMomentum(x, y, px, py), 10))
}

// TestConservedQuantitiesCentralForce: the angular momentum of an
// anharmonic central force is read out exactly and conserved to the
// integrator's error; x·p_x is a polynomial but not conserved; 2·L_z + 1 is
// a duplicate, and so is tanh(10·L_z), through its level sets.
func TestConservedQuantitiesCentralForce(t *testing.T) {
	model := fixedQuantities{angularMomentum, xpx, affine(angularMomentum, 2, 1), tanhL}
	a := analyses.NewConservedQuantities()
	res, err := a.Analyse(conservedContext(model, centralForce{1, 1}, 400))
	if err != nil {
		t.Fatal(err)
	}
	logRows(t, res)

	// F1 = L_z: exact formula, R² 1, variation at the integrator's error.
	if got := textOf(t, res, "F1"); got != "x*p_y - y*p_x" {
		t.Errorf("F1 formula %q, want x*p_y - y*p_x", got)
	}
	if r2 := metric(t, res, "conserved.1.r2"); math.Abs(r2-1) > 1e-12 {
		t.Errorf("conserved.1.r2 = %v, want 1", r2)
	}
	if v := metric(t, res, "conserved.1.variation"); !(v <= 1e-6) {
		t.Errorf("conserved.1.variation = %v, want ≤ 1e-6", v)
	}
	if got := textOf(t, res, "F1.verdict"); !strings.HasPrefix(got, "conserved (") || !strings.Contains(got, "and a polynomial of degree ≤ 2") {
		t.Errorf("F1 verdict %q", got)
	}

	// F2 = x·p_x: polynomial, not conserved.
	if got := textOf(t, res, "F2"); got != "x*p_x" {
		t.Errorf("F2 formula %q", got)
	}
	if v := metric(t, res, "conserved.2.variation"); !(v > 0.3) {
		t.Errorf("conserved.2.variation = %v, want > 0.3", v)
	}
	if got := textOf(t, res, "F2.verdict"); !strings.HasPrefix(got, "not conserved") {
		t.Errorf("F2 verdict %q", got)
	}

	// F3 = 2·L_z + 1: a duplicate of F1; its own formula is still given.
	if got := textOf(t, res, "F3.duplicate_of"); got != "F1" {
		t.Errorf("F3.duplicate_of %q, want F1", got)
	}
	if got := textOf(t, res, "F3"); got != "2*x*p_y - 2*y*p_x + 1" {
		t.Errorf("F3 formula %q", got)
	}
	// F4 = tanh(10·L_z): not a polynomial (R² 0.86), but its level sets are
	// those of L_z: a duplicate of F1.
	if r2 := metric(t, res, "conserved.4.r2"); !(r2 < 0.95) {
		t.Errorf("conserved.4.r2 = %v, want < 0.95", r2)
	}
	if got := textOf(t, res, "F4.level_set"); got != "x*p_y - y*p_x" {
		t.Errorf("F4.level_set %q", got)
	}
	if got := textOf(t, res, "F4.duplicate_of"); got != "F1" {
		t.Errorf("F4.duplicate_of %q, want F1", got)
	}
	if got := textOf(t, res, "F4.verdict"); !strings.Contains(got, "through its level sets P = x*p_y - y*p_x") {
		t.Errorf("F4 verdict %q", got)
	}
	for _, name := range []string{"F1", "F2"} {
		if hasRow(res, name+".duplicate_of") || hasRow(res, name+".level_set") {
			t.Errorf("%s marked a duplicate or fitted by level sets", name)
		}
	}

	// Summary over F1, F2.
	for name, want := range map[string]float64{
		"conserved.independent": 1, "conserved.independent.level_sets": 1, "conserved.r2.min": 1,
		"conserved.variation.max": metric(t, res, "conserved.2.variation"),
	} {
		if got := metric(t, res, name); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

// TestConservedQuantitiesNonPolynomial: with V = r⁴, tanh(10·L_z) is
// conserved and a function of the polynomial L_z; H = |p|²/2 + r⁴ is
// conserved but neither a polynomial of degree 2 nor a function of one; L_z
// after tanh(10·L_z) is a duplicate of it.
func TestConservedQuantitiesNonPolynomial(t *testing.T) {
	quartic := func(x, y, px, py *autodiff.Tensor) *autodiff.Tensor {
		r2 := autodiff.Add(autodiff.Square(x), autodiff.Square(y))
		return autodiff.Add(autodiff.Scale(autodiff.Add(autodiff.Square(px), autodiff.Square(py)), 0.5), autodiff.Square(r2))
	}
	a := analyses.NewConservedQuantities()
	a.Trajectories = 4
	res, err := a.Analyse(conservedContext(fixedQuantities{tanhL, quartic, angularMomentum}, centralForce{0, 4}, 400))
	if err != nil {
		t.Fatal(err)
	}
	logRows(t, res)
	if got := textOf(t, res, "F1.verdict"); !strings.HasPrefix(got, "conserved (") ||
		!strings.Contains(got, "but not a polynomial of degree ≤ 2") || !strings.Contains(got, "a nonlinear function of P = x*p_y - y*p_x") {
		t.Errorf("F1 verdict %q", got)
	}
	if got := metric(t, res, "conserved.1.level_alignment"); math.Abs(got-1) > 1e-10 {
		t.Errorf("conserved.1.level_alignment = %v, want 1", got)
	}
	if got := textOf(t, res, "F2.verdict"); !strings.Contains(got, "nor a function of one") {
		t.Errorf("F2 verdict %q", got)
	}
	if got := metric(t, res, "conserved.2.r2"); !(got < 0.99) {
		t.Errorf("conserved.2.r2 = %v, want < 0.99", got)
	}
	if got := textOf(t, res, "F3.duplicate_of"); got != "F1" {
		t.Errorf("F3.duplicate_of %q, want F1", got)
	}
	for name, want := range map[string]float64{"conserved.independent": 0, "conserved.independent.level_sets": 1} {
		if got := metric(t, res, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := metric(t, res, "conserved.variation.max"); !(got <= 1e-6) {
		t.Errorf("conserved.variation.max = %v, want ≤ 1e-6", got)
	}
}

// TestConservedQuantitiesDuplicates: on the isotropic oscillator L_z and H
// are independent; L_z − 3H + 2 is an affine combination of both and L_z²
// a quadratic function of L_z.
func TestConservedQuantitiesDuplicates(t *testing.T) {
	square := func(x, y, px, py *autodiff.Tensor) *autodiff.Tensor {
		return autodiff.Square(angularMomentum(x, y, px, py))
	}
	combo := func(x, y, px, py *autodiff.Tensor) *autodiff.Tensor {
		return autodiff.AddScalar(autodiff.Sub(angularMomentum(x, y, px, py), autodiff.Scale(oscillatorEnergy(x, y, px, py), 3)), 2)
	}
	model := fixedQuantities{angularMomentum, oscillatorEnergy, combo, square}
	a := analyses.NewConservedQuantities()
	a.Trajectories = 3
	res, err := a.Analyse(conservedContext(model, centralForce{1, 0}, 300))
	if err != nil {
		t.Fatal(err)
	}
	if got := textOf(t, res, "F2"); got != "0.5*x^2 + 0.5*y^2 + 0.5*p_x^2 + 0.5*p_y^2" {
		t.Errorf("F2 formula %q", got)
	}
	for _, c := range []struct{ name, want string }{{"F3", "F1,F2"}, {"F4", "F1"}} {
		if got := textOf(t, res, c.name+".duplicate_of"); got != c.want {
			t.Errorf("%s.duplicate_of %q, want %q", c.name, got, c.want)
		}
		if got := textOf(t, res, c.name+".verdict"); !strings.Contains(got, "a duplicate") {
			t.Errorf("%s verdict %q", c.name, got)
		}
	}
	if got := metric(t, res, "conserved.independent"); got != 2 {
		t.Errorf("conserved.independent = %v, want 2", got)
	}
	if got := metric(t, res, "conserved.variation.max"); !(got <= 1e-6) {
		t.Errorf("conserved.variation.max = %v, want ≤ 1e-6", got)
	}
	if got := metric(t, res, "conserved.r2.min"); math.Abs(got-1) > 1e-12 {
		t.Errorf("conserved.r2.min = %v, want 1", got)
	}
}

// TestConservedQuantitiesConstant: a constant quantity is reported as such
// and left out of the summary.
func TestConservedQuantitiesConstant(t *testing.T) {
	constant := func(x, _, _, _ *autodiff.Tensor) *autodiff.Tensor {
		return autodiff.AddScalar(autodiff.Scale(x, 0), 3)
	}
	a := analyses.NewConservedQuantities()
	a.Trajectories = 2
	res, err := a.Analyse(conservedContext(fixedQuantities{constant, angularMomentum}, centralForce{1, 0}, 100))
	if err != nil {
		t.Fatal(err)
	}
	if got := textOf(t, res, "F1"); got != "3" {
		t.Errorf("F1 formula %q, want 3", got)
	}
	if got := textOf(t, res, "F1.verdict"); !strings.HasPrefix(got, "constant") {
		t.Errorf("F1 verdict %q", got)
	}
	if hasRow(res, "F1.variation") || hasRow(res, "F2.duplicate_of") {
		t.Errorf("rows %v", res.Rows)
	}
	if got := metric(t, res, "conserved.independent"); got != 1 {
		t.Errorf("conserved.independent = %v, want 1", got)
	}
}

func TestConservedQuantitiesErrors(t *testing.T) {
	a := analyses.NewConservedQuantities()
	good := fixedQuantities{angularMomentum}
	tests := []struct {
		name string
		ctx  *analyses.Context
		want string
	}{
		{"not a conserved model", conservedContext(plainModel{}, centralForce{1, 0}, 50), "needs a model of conserved quantities"},
		{"no quantities", conservedContext(fixedQuantities{}, centralForce{1, 0}, 50), "learns 0 conserved quantities"},
		{"no dynamics", func() *analyses.Context {
			c := conservedContext(good, centralForce{1, 0}, 50)
			c.System = noField{}
			return c
		}(), "needs a dynamical system"},
		{"no system", func() *analyses.Context {
			c := conservedContext(good, centralForce{1, 0}, 50)
			c.System = nil
			return c
		}(), "needs a dynamical system"},
	}
	for _, tc := range tests {
		if err := a.Requires(tc.ctx); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Requires error %v, want %q", tc.name, err, tc.want)
		}
		if _, err := a.Analyse(tc.ctx); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Analyse error %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := a.Requires(conservedContext(good, centralForce{1, 0}, 0)); err != nil {
		t.Errorf("Requires on a good context: %v", err)
	}
	if _, err := a.Analyse(conservedContext(good, centralForce{1, 0}, 0)); err == nil || !strings.Contains(err.Error(), "needs held-out data") {
		t.Errorf("no held-out states: %v", err)
	}
	// 10 states for the 15 monomials of degree ≤ 2 in 4 variables.
	if _, err := a.Analyse(conservedContext(good, centralForce{1, 0}, 10)); err == nil || !strings.Contains(err.Error(), "need more samples than columns") {
		t.Errorf("too few states: %v", err)
	}
	nan := func(x, _, _, _ *autodiff.Tensor) *autodiff.Tensor {
		return autodiff.Log(autodiff.Scale(autodiff.Square(x), -1))
	}
	if _, err := a.Analyse(conservedContext(fixedQuantities{angularMomentum, nan}, centralForce{1, 0}, 50)); err == nil || !strings.Contains(err.Error(), "F2 is NaN at state") {
		t.Errorf("NaN quantity: %v", err)
	}
}

func TestConservedQuantitiesOptions(t *testing.T) {
	a := decodeAnalysis(t, "conserved_quantities", "degree: 3\nthreshold: 0.1\ndigits: 2\ntrajectories: 4\nt: {stop: 2, points: 20}\nduplicate_r2: 0.999").(*analyses.ConservedQuantities)
	want := analyses.ConservedQuantities{Degree: 3, Threshold: 0.1, Digits: 2, Trajectories: 4, T: datasets.TimeGrid{Stop: 2, Points: 20}, DuplicateR2: 0.999}
	if *a != want {
		t.Errorf("decoded %+v, want %+v", *a, want)
	}
	if d := decodeAnalysisNoT("conserved_quantities").(*analyses.ConservedQuantities); *d != *analyses.NewConservedQuantities() {
		t.Errorf("defaults %+v", *d)
	}
	for _, c := range []struct{ src, want string }{
		{"degree: 9", "degree"},
		{"threshold: 1", "threshold"},
		{"digits: 0", "digits"},
		{"trajectories: 0", "trajectories"},
		{"t: {stop: 1, points: 1}", "at least 2 points"},
		{"duplicate_r2: 0", "duplicate_r2"},
		{"canonical: true", "canonical"},
	} {
		if _, errs := decodeAnalysisErrs("conserved_quantities", c.src); len(errs) == 0 || !strings.Contains(errs.Error(), c.want) {
			t.Errorf("%q: errors %v, want %q", c.src, errs, c.want)
		}
	}
}
