package analyses_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"ansatz/analyses"
	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/datasets"
	"ansatz/registry"
	"ansatz/sparsefit"
	"ansatz/spec"
	"ansatz/symbolic"
)

// oscillator is H = (p² + ω²q²)/2: q̇ = p, ṗ = −ω²q.
type oscillator struct{ omega float64 }

func (oscillator) Variables() []string { return []string{"q", "p"} }
func (o oscillator) Field(x, dx []float64) {
	dx[0], dx[1] = x[1], -o.omega*o.omega*x[0]
}
func (o oscillator) Energy(x []float64) float64 {
	return (x[1]*x[1] + o.omega*o.omega*x[0]*x[0]) / 2
}

// textbookPair is L = [[p, ωq], [ωq, −p]], M = mScale·(ω/2)[[0, 1], [−1, 0]]:
// a Lax pair of the oscillator for mScale = 1 (tr L² = 4H); for mScale = 2
// [L, M] = 2L̇, so the normalised residual is exactly 1.
type textbookPair struct{ omega, mScale float64 }

func (textbookPair) Params() []*autodiff.Tensor { return nil }
func (textbookPair) Size() int                  { return 2 }
func (t textbookPair) LM(x *autodiff.Tensor) (l, m *autodiff.Tensor) {
	b := x.Rows()
	q, p := autodiff.Col(x, 0), autodiff.Col(x, 1)
	wq := autodiff.Scale(q, t.omega)
	l = autodiff.Reshape(autodiff.Concat(p, wq, wq, autodiff.Neg(p)), b, 2, 2)
	h := t.mScale * t.omega / 2
	md := make([]float64, 0, 4*b)
	for range b {
		md = append(md, 0, h, -h, 0)
	}
	return l, autodiff.New(md, b, 2, 2)
}

// swappedPair is L = [[q, p], [p, −q]] with the textbook M: tr L² = 2(q² + p²)
// is not conserved by the oscillator for ω ≠ 1.
type swappedPair struct{ textbookPair }

func (s swappedPair) LM(x *autodiff.Tensor) (l, m *autodiff.Tensor) {
	_, m = s.textbookPair.LM(x)
	q, p := autodiff.Col(x, 0), autodiff.Col(x, 1)
	return autodiff.Reshape(autodiff.Concat(q, p, p, autodiff.Neg(q)), x.Rows(), 2, 2), m
}

// quadPair has L = [[q·p, q²], [0, 2p − 1]] and M = 0 (not a Lax pair; for the
// read-out of quadratic entries).
type quadPair struct{}

func (quadPair) Params() []*autodiff.Tensor { return nil }
func (quadPair) Size() int                  { return 2 }
func (quadPair) LM(x *autodiff.Tensor) (l, m *autodiff.Tensor) {
	b := x.Rows()
	q, p := autodiff.Col(x, 0), autodiff.Col(x, 1)
	l = autodiff.Reshape(autodiff.Concat(autodiff.Mul(q, p), autodiff.Square(q), autodiff.Scale(q, 0),
		autodiff.AddScalar(autodiff.Scale(p, 2), -1)), b, 2, 2)
	return l, autodiff.Zeros(b, 2, 2)
}

// plainModel is a model that is not a Lax pair.
type plainModel struct{}

func (plainModel) Params() []*autodiff.Tensor { return nil }

// laxContext is a context for the oscillator with n held-out states in
// [−1, 1]², their exact derivatives, and noise of standard deviation sigma on
// DX.
func laxContext(model architectures.Model, omega float64, n int, sigma float64) *analyses.Context {
	sys := oscillator{omega}
	rng := rand.New(rand.NewPCG(1, 2))
	set := &datasets.Set{N: n, D: 2}
	x, f := make([]float64, 2), make([]float64, 2)
	for range n {
		x[0], x[1] = 2*rng.Float64()-1, 2*rng.Float64()-1
		sys.Field(x, f)
		set.X = append(set.X, x...)
		set.Clean = append(set.Clean, x...)
		set.F = append(set.F, f...)
		set.DX = append(set.DX, f[0]+sigma*rng.NormFloat64(), f[1]+sigma*rng.NormFloat64())
		set.Energy = append(set.Energy, sys.Energy(x))
		set.Trajectory = append(set.Trajectory, len(set.Trajectory))
		set.T = append(set.T, 0)
	}
	return &analyses.Context{
		Vars: sys.Variables(), Energy: sys.Energy, Model: model, System: sys, Test: set,
		Sampler: &datasets.Radius{Min: 0.2, Max: 1}, RNG: rand.New(rand.NewPCG(3, 4)),
	}
}

func metric(t *testing.T, res analyses.Result, name string) float64 {
	t.Helper()
	for _, m := range res.Metrics {
		if m.Name == name {
			return m.Value
		}
	}
	t.Fatalf("no metric %s in %v", name, res.Metrics)
	return 0
}

func rowNamed(t *testing.T, res analyses.Result, name string) analyses.Row {
	t.Helper()
	for _, r := range res.Rows {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no row %s", name)
	return analyses.Row{}
}

func TestLaxResidual(t *testing.T) {
	const omega = 1.3
	cases := []struct {
		name          string
		model         architectures.LaxPair
		sigma         float64
		resid, residF float64 // want; resid < 0: only check > 0.01
	}{
		{"exact pair", textbookPair{omega, 1}, 0, 0, 0},
		{"M twice too large", textbookPair{omega, 2}, 0, 1, 1},
		{"exact pair, noisy ẋ", textbookPair{omega, 1}, 0.1, -1, 0},
	}
	for _, c := range cases {
		ctx := laxContext(c.model, omega, 300, c.sigma)
		res, err := analyses.LaxResidual{}.Analyse(ctx)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		r, rf := metric(t, res, "lax_residual"), metric(t, res, "lax_residual.f")
		if c.resid >= 0 && math.Abs(r-c.resid) > 1e-12 || c.resid < 0 && !(r > 0.01) {
			t.Errorf("%s: lax_residual = %v, want %v", c.name, r, c.resid)
		}
		if math.Abs(rf-c.residF) > 1e-12 {
			t.Errorf("%s: lax_residual.f = %v, want %v", c.name, rf, c.residF)
		}
		// ‖L̇‖² = 2ω²(ω²q² + p²) at each state along F.
		if c.sigma == 0 {
			var s float64
			for j := range ctx.Test.N {
				q, p := ctx.Test.X[2*j], ctx.Test.X[2*j+1]
				s += 2 * omega * omega * (omega*omega*q*q + p*p)
			}
			want := math.Sqrt(s / float64(ctx.Test.N))
			if got := metric(t, res, "lax_residual.ldot_rms"); math.Abs(got-want) > 1e-12*want {
				t.Errorf("%s: ldot_rms = %v, want %v", c.name, got, want)
			}
		}
		t.Logf("%s: lax_residual %.3g, lax_residual.f %.3g", c.name, r, rf)
	}
}

func TestLaxReadout(t *testing.T) {
	cases := []struct {
		name  string
		model architectures.LaxPair
		omega float64
		opts  string
		want  map[string]string
	}{
		{"textbook ω=1.3", textbookPair{1.3, 1}, 1.3, "", map[string]string{
			"L[0,0]": "p", "L[0,1]": "1.3*q", "L[1,0]": "1.3*q", "L[1,1]": "-p",
			"M[0,0]": "0", "M[0,1]": "0.65", "M[1,0]": "-0.65", "M[1,1]": "0"}},
		{"textbook, degree 2", textbookPair{1.3, 1}, 1.3, "degree: 2", map[string]string{
			"L[0,1]": "1.3*q", "L[1,1]": "-p", "M[1,0]": "-0.65"}},
		{"textbook ω=1.2345, 3 digits", textbookPair{1.2345, 1}, 1.2345, "", map[string]string{
			"L[0,1]": "1.23*q", "M[0,1]": "0.617"}},
		{"textbook ω=1.2345, 5 digits", textbookPair{1.2345, 1}, 1.2345, "digits: 5", map[string]string{
			"L[0,1]": "1.2345*q", "M[0,1]": "0.61725"}},
		{"quadratic", quadPair{}, 1, "degree: 2", map[string]string{
			"L[0,0]": "q*p", "L[0,1]": "q^2", "L[1,0]": "0", "L[1,1]": "-1 + 2*p", "M[0,0]": "0"}},
	}
	for _, c := range cases {
		a := decodeAnalysis(t, "lax_readout", c.opts).(*analyses.LaxReadout)
		res, err := a.Analyse(laxContext(c.model, c.omega, 200, 0))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(res.Rows) != 8 {
			t.Errorf("%s: %d rows, want 8", c.name, len(res.Rows))
		}
		for _, r := range res.Rows {
			if math.Abs(*r.Value-1) > 1e-12 {
				t.Errorf("%s: %s has R² = %v, want 1", c.name, r.Name, *r.Value)
			}
			if _, err := symbolic.Parse(*r.Text); err != nil {
				t.Errorf("%s: %s = %q does not parse: %v", c.name, r.Name, *r.Text, err)
			}
			if want, ok := c.want[r.Name]; ok && *r.Text != want {
				t.Errorf("%s: %s = %q, want %q", c.name, r.Name, *r.Text, want)
			}
		}
		for _, m := range []string{"lax_readout.r2_L", "lax_readout.r2_M"} {
			if v := metric(t, res, m); math.Abs(v-1) > 1e-12 {
				t.Errorf("%s: %s = %v", c.name, m, v)
			}
		}
	}
}

// TestLaxReadoutPoorFit reads out a quadratic L with degree 1: the R² of the
// q² entry on [−1, 1]² is 0 (q² is uncorrelated with 1, q, p there up to
// sampling), that of the linear entry 1.
func TestLaxReadoutPoorFit(t *testing.T) {
	res, err := (&analyses.LaxReadout{ReadoutOptions: analyses.NewReadoutOptions()}).Analyse(laxContext(quadPair{}, 1, 2000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if r2 := *rowNamed(t, res, "L[0,1]").Value; r2 > 0.02 {
		t.Errorf("R² of q² fitted linearly = %v, want ≈ 0", r2)
	}
	if r2 := *rowNamed(t, res, "L[1,1]").Value; math.Abs(r2-1) > 1e-12 {
		t.Errorf("R² of 2p − 1 = %v, want 1", r2)
	}
	if r2 := metric(t, res, "lax_readout.r2_L"); !(r2 > 0.1 && r2 < 0.99) {
		t.Errorf("pooled R² of L = %v, want clearly below 1", r2)
	}
}

func TestLaxVerify(t *testing.T) {
	cases := []struct {
		name       string
		model      architectures.LaxPair
		omega      float64
		opts       string
		lo, hi     float64
		verdictHas string
	}{
		{"exact pair", textbookPair{1.3, 1}, 1.3, "", 0, 1e-12, "is a Lax pair"},
		{"M twice too large", textbookPair{1.3, 2}, 1.3, "", 1 - 1e-9, 1 + 1e-9, "is not a Lax pair"},
		{"swapped L", swappedPair{textbookPair{1.3, 1}}, 1.3, "", 0.1, 10, "is not a Lax pair"},
		// ω = 1.2345 rounded to 1.23 and ω/2 to 0.617: a residual of a few 1e-3.
		{"rounded to 3 digits", textbookPair{1.2345, 1}, 1.2345, "tolerance: 1e-4", 1e-4, 1e-2, "is not a Lax pair"},
		{"rounded to 8 digits", textbookPair{1.2345, 1}, 1.2345, "digits: 8\ntolerance: 1e-9", 0, 1e-12, "is a Lax pair"},
		{"constant L", quadPair{}, 1, "degree: 0", math.Inf(1), math.Inf(1), "degenerate"},
	}
	for _, c := range cases {
		a := decodeAnalysis(t, "lax_verify", c.opts).(*analyses.LaxVerify)
		res, err := a.Analyse(laxContext(c.model, c.omega, 200, 0))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		r := metric(t, res, "lax_verify_residual")
		if !(r >= c.lo && r <= c.hi) {
			t.Errorf("%s: lax_verify_residual = %v, want in [%v, %v]", c.name, r, c.lo, c.hi)
		}
		if v := *rowNamed(t, res, "residual").Text; !strings.Contains(v, c.verdictHas) {
			t.Errorf("%s: verdict %q, want %q", c.name, v, c.verdictHas)
		}
		t.Logf("%s: lax_verify_residual %.3g", c.name, r)
	}
}

func TestConservedTraces(t *testing.T) {
	const omega = 1.3
	a := decodeAnalysis(t, "conserved_traces", "powers: [1, 2, 3, 4]\ncount: 5\nt: {stop: 5, points: 50}").(*analyses.ConservedTraces)
	res, err := a.Analyse(laxContext(textbookPair{omega, 1}, omega, 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	// tr L² = 4H and tr L⁴ = 8H² are conserved up to the integrator's error
	// (rtol 1e-9); tr L = tr L³ = 0 vanish.
	for _, k := range []int{1, 2, 3, 4} {
		if v := metric(t, res, "trace_variation."+strconv.Itoa(k)); v > 1e-8 {
			t.Errorf("trace_variation.%d = %v, want ≤ 1e-8", k, v)
		} else {
			t.Logf("trace_variation.%d = %.3g", k, v)
		}
	}
	for _, k := range []string{"1", "3"} {
		if r := rowNamed(t, res, "trace."+k); !strings.Contains(*r.Text, "vanishes along 5 of 5") {
			t.Errorf("trace.%s: %q", k, *r.Text)
		}
	}
	if r2 := metric(t, res, "trace2_energy_r2"); math.Abs(r2-1) > 1e-12 {
		t.Errorf("trace2_energy_r2 = %v, want 1", r2)
	}
	if text := *rowNamed(t, res, "trace2_energy").Text; !strings.Contains(text, "+ 4*H (R² = 1.000000") {
		t.Errorf("fit %q, want tr L^2 = 0 + 4*H", text)
	} else {
		t.Log(text)
	}

	// The swapped L: tr L² = 2(q² + p²) oscillates along the orbits.
	res, err = a.Analyse(laxContext(swappedPair{textbookPair{omega, 1}}, omega, 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	if v := metric(t, res, "trace_variation.2"); v < 0.05 {
		t.Errorf("swapped L: trace_variation.2 = %v, want clearly > 0", v)
	} else {
		t.Logf("swapped L: trace_variation.2 = %.3g, trace2_energy_r2 = %.4f", v, metric(t, res, "trace2_energy_r2"))
	}
	if r2 := metric(t, res, "trace2_energy_r2"); r2 > 0.99 {
		t.Errorf("swapped L: trace2_energy_r2 = %v, want < 0.99", r2)
	}

	// Without an energy there is no fit; one trajectory has one energy.
	ctx := laxContext(textbookPair{omega, 1}, omega, 10, 0)
	ctx.Energy = nil
	if res, err = a.Analyse(ctx); err != nil || slices.ContainsFunc(res.Metrics, func(m analyses.Metric) bool { return m.Name == "trace2_energy_r2" }) {
		t.Errorf("without energy: %v, %v", err, res.Metrics)
	}
	one := analyses.NewConservedTraces()
	one.Count = 1
	if res, err = one.Analyse(laxContext(textbookPair{omega, 1}, omega, 10, 0)); err != nil {
		t.Fatal(err)
	} else if r := rowNamed(t, res, "trace2_energy"); r.Value != nil || !strings.Contains(*r.Text, "no fit") {
		t.Errorf("one trajectory: %+v", r)
	}
}

func TestLaxRequires(t *testing.T) {
	all := []analyses.Analysis{
		&analyses.LaxResidual{}, &analyses.LaxReadout{ReadoutOptions: analyses.NewReadoutOptions()},
		analyses.NewConservedTraces(), decodeAnalysisNoT("lax_verify"),
	}
	for _, a := range all {
		ctx := laxContext(plainModel{}, 1, 10, 0)
		if err := a.Requires(ctx); err == nil || !strings.Contains(err.Error(), "needs a lax_pair model") {
			t.Errorf("%T.Requires: %v", a, err)
		}
		if _, err := a.Analyse(ctx); err == nil || !strings.Contains(err.Error(), "needs a lax_pair model") {
			t.Errorf("%T.Analyse: %v", a, err)
		}
		// Requires sees an untrained model and a context without data.
		if err := a.Requires(&analyses.Context{Model: textbookPair{1, 1}, System: oscillator{1}}); err != nil {
			t.Errorf("%T.Requires on a Lax pair: %v", a, err)
		}
	}
	for _, a := range all[2:] {
		if err := a.Requires(&analyses.Context{Model: textbookPair{1, 1}}); err == nil || !strings.Contains(err.Error(), "system") {
			t.Errorf("%T.Requires without a system: %v", a, err)
		}
	}
	for _, a := range []analyses.Analysis{all[0], all[1], all[3]} {
		ctx := laxContext(textbookPair{1, 1}, 1, 10, 0)
		ctx.Test = &datasets.Set{D: 2}
		if _, err := a.Analyse(ctx); err == nil || !strings.Contains(err.Error(), "held-out") {
			t.Errorf("%T without held-out data: %v", a, err)
		}
	}
	ctx := laxContext(textbookPair{1, 1}, 1, 5, 0)
	if _, err := all[1].Analyse(ctx); err != nil {
		t.Errorf("5 states for 3 monomials: %v", err)
	}
	a := decodeAnalysis(t, "lax_readout", "degree: 2").(*analyses.LaxReadout)
	if _, err := a.Analyse(ctx); err == nil || !strings.Contains(err.Error(), "fewer than the 6 monomials") {
		t.Errorf("5 states for 6 monomials: %v", err)
	}
}

// TestPolyMatrixDerivative compares the directional derivative with central
// differences for random cubic polynomials in three variables.
func TestPolyMatrixDerivative(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	exps := sparsefit.Monomials(3, 3)
	pm := analyses.PolyMatrix{Size: 2, Exps: exps, Coef: make([][]float64, len(exps))}
	for k := range exps {
		pm.Coef[k] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
	}
	x, v := []float64{0.3, -0.7, 1.1}, []float64{0.5, 0.2, -0.4}
	got := make([]float64, 4)
	pm.Derivative(x, v, got)
	const h = 1e-5
	plus, minus := make([]float64, 4), make([]float64, 4)
	xp, xm := make([]float64, 3), make([]float64, 3)
	for i := range x {
		xp[i], xm[i] = x[i]+h*v[i], x[i]-h*v[i]
	}
	pm.Eval(xp, plus)
	pm.Eval(xm, minus)
	for i := range got {
		fd := (plus[i] - minus[i]) / (2 * h)
		if math.Abs(got[i]-fd) > 1e-8*(1+math.Abs(fd)) {
			t.Errorf("entry %d: derivative %v, central difference %v", i, got[i], fd)
		}
	}
}

// decodeAnalysis decodes an analysis with the given YAML options.
func decodeAnalysis(t *testing.T, name, src string) analyses.Analysis {
	t.Helper()
	a, errs := decodeAnalysisErrs(name, src)
	if len(errs) > 0 {
		t.Fatalf("%s %q: %v", name, src, errs)
	}
	return a
}

func decodeAnalysisNoT(name string) analyses.Analysis {
	a, errs := decodeAnalysisErrs(name, "")
	if len(errs) > 0 {
		panic(errs)
	}
	return a
}

func decodeAnalysisErrs(name, src string) (analyses.Analysis, spec.ErrorList) {
	c := &spec.Component{Kind: name, Path: "analyses[0]"}
	if src != "" {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			return nil, spec.ErrorList{{Msg: err.Error()}}
		}
		c.Node = doc.Content[0]
	}
	v, errs := registry.Decode(registry.Analysis, c)
	if len(errs) > 0 {
		return nil, errs
	}
	return v.(analyses.Analysis), nil
}

func TestLaxOptionErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"lax_residual", "degree: 1", "degree"},
		{"lax_readout", "degree: -1", "degree"},
		{"lax_readout", "digits: 0", "digits"},
		{"lax_readout", "threshold: 1", "threshold"},
		{"lax_readout", "count: 3", "count"},
		{"lax_verify", "count: 0", "count"},
		{"lax_verify", "tolerance: 0", "tolerance"},
		{"lax_verify", "digits: 18", "digits"},
		{"conserved_traces", "powers: [0, 2]", "powers"},
		{"conserved_traces", "powers: [2, 2]", "lists 2 twice"},
		{"conserved_traces", "powers: []", "powers"},
		{"conserved_traces", "count: 0", "count"},
		{"conserved_traces", "t: {stop: 0, points: 3}", "t"},
	}
	for _, c := range cases {
		_, errs := decodeAnalysisErrs(c.name, c.src)
		if len(errs) == 0 || !strings.Contains(errs.Error(), c.want) {
			t.Errorf("%s %q: errors %v; want one naming %q", c.name, c.src, errs, c.want)
		}
	}
	for _, name := range []string{"lax_residual", "lax_readout", "conserved_traces", "lax_verify"} {
		if _, errs := decodeAnalysisErrs(name, ""); len(errs) > 0 {
			t.Errorf("%s with defaults: %v", name, errs)
		}
	}
}

// TestLaxAnalysesOnLaxPairModel runs the analyses on the lax_pair model of
// package architectures: a polynomial pair with its coefficients set to the
// textbook pair gives the textbook results; an untrained MLP pair is far
// from a Lax pair.
func TestLaxAnalysesOnLaxPairModel(t *testing.T) {
	const omega = 1.3
	state := architectures.State{Vars: []string{"q", "p"}, NQ: 1}
	cfg := architectures.NewLaxPairConfig()
	cfg.Size = 2
	m, err := cfg.Build(state, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	pair := m.(*architectures.LaxModel)
	// Monomials "1", "q", "p"; column i·2+j is entry (i, j).
	if got := pair.L().Monomials(); !slices.Equal(got, []string{"1", "q", "p"}) {
		t.Fatalf("L monomials %v", got)
	}
	lc := pair.L().Coefficients().Data()
	copy(lc, []float64{0, 0, 0, 0, 0, omega, omega, 0, 1, 0, 0, -1})
	copy(pair.M().Coefficients().Data(), []float64{0, omega / 2, -omega / 2, 0})

	ctx := laxContext(pair, omega, 200, 0)
	res, err := analyses.LaxResidual{}.Analyse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := metric(t, res, "lax_residual"); r > 1e-12 {
		t.Errorf("lax_residual = %v", r)
	}
	res, err = (&analyses.LaxReadout{ReadoutOptions: analyses.NewReadoutOptions()}).Analyse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f := *rowNamed(t, res, "L[1,0]").Text; f != "1.3*q" {
		t.Errorf("L[1,0] = %q", f)
	}
	res, err = analyses.NewConservedTraces().Analyse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r2 := metric(t, res, "trace2_energy_r2"); math.Abs(r2-1) > 1e-9 {
		t.Errorf("trace2_energy_r2 = %v", r2)
	}
	res, err = decodeAnalysis(t, "lax_verify", "").Analyse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := metric(t, res, "lax_verify_residual"); r > 1e-12 {
		t.Errorf("lax_verify_residual = %v", r)
	}

	cfg.L.Kind, cfg.M.Kind = "mlp", "mlp"
	m, err = cfg.Build(state, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	res, err = analyses.LaxResidual{}.Analyse(laxContext(m, omega, 200, 0))
	if err != nil {
		t.Fatal(err)
	}
	if r := metric(t, res, "lax_residual"); !(r > 0.1) {
		t.Errorf("untrained MLP pair: lax_residual = %v, want clearly nonzero", r)
	} else {
		t.Logf("untrained MLP pair: lax_residual %.3g", r)
	}
}
