package losses_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/losses"
	"ansatz/registry"
	"ansatz/spec"

	"gopkg.in/yaml.v3"
)

// omega is the oscillator frequency of the textbook pair tests.
const omega = 1.3

// laxModel decodes a lax_pair model from YAML through the registry and
// builds it for the phase space (q, p), or for vars when given.
func laxModel(t *testing.T, options string, seed uint64, vars ...string) *architectures.LaxModel {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(options), &doc); err != nil {
		t.Fatal(err)
	}
	c := &spec.Component{Kind: "lax_pair", Node: doc.Content[0], File: "m.yaml", Path: "model"}
	v, errs := registry.Decode(registry.Model, c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(vars) == 0 {
		vars = []string{"q", "p"}
	}
	m, err := v.(architectures.Builder).Build(architectures.State{Vars: vars, NQ: len(vars) / 2}, rand.New(rand.NewPCG(seed, 7)))
	if err != nil {
		t.Fatal(err)
	}
	return m.(*architectures.LaxModel)
}

// setCoef writes rows (one per monomial, n² entries each) into a polynomial
// part's coefficients.
func setCoef(t *testing.T, f *architectures.MatrixFunc, rows ...[]float64) {
	t.Helper()
	c := f.Coefficients().Data()
	n2 := f.Size() * f.Size()
	if len(rows)*n2 != len(c) {
		t.Fatalf("%d coefficient rows for %d monomials", len(rows), len(c)/n2)
	}
	for k, r := range rows {
		copy(c[k*n2:], r)
	}
}

// oscillatorPair returns the polynomial lax_pair L = [[p, ωq], [ωq, −p]] and
// M = mScale·(ω/2)·mShape (mShape row-major); the textbook pair has mShape =
// [[0, 1], [−1, 0]].
func oscillatorPair(t *testing.T, mShape []float64) *architectures.LaxModel {
	t.Helper()
	m := laxModel(t, "size: 2\nL: {kind: polynomial, degree: 1}\nM: {kind: polynomial, degree: 0}", 1)
	if got := strings.Join(m.L().Monomials(), " "); got != "1 q p" {
		t.Fatalf("monomials %q", got)
	}
	setCoef(t, m.L(), []float64{0, 0, 0, 0}, []float64{0, omega, omega, 0}, []float64{1, 0, 0, -1})
	mc := make([]float64, 4)
	for i, v := range mShape {
		mc[i] = omega / 2 * v
	}
	setCoef(t, m.M(), mc)
	return m
}

// oscillatorBatch returns B states of H = (p² + ω²q²)/2 with q, p uniform in
// [lo, hi] and random signs, and their exact ẋ = f(x) = (p, −ω²q).
func oscillatorBatch(seed uint64, b int, lo, hi float64) losses.Batch {
	rng := rand.New(rand.NewPCG(seed, 2))
	x, dx := make([]float64, 2*b), make([]float64, 2*b)
	for i := range b {
		for j := range 2 {
			v := lo + (hi-lo)*rng.Float64()
			if rng.IntN(2) == 0 {
				v = -v
			}
			x[2*i+j] = v
		}
		dx[2*i], dx[2*i+1] = x[2*i+1], -omega*omega*x[2*i]
	}
	return losses.Batch{X: autodiff.New(x, b, 2), DX: autodiff.New(dx, b, 2), F: autodiff.New(dx, b, 2)}
}

// paperCoverage is L_L with the printed coefficient c = Σa/Σy, written as
// plain loops over the batch: the reference for the engine version.
func paperCoverage(a, y []float64, b, m, d int) float64 {
	e := make([]float64, m*d)
	for i := range m {
		for k := range d {
			var sa, sy float64
			for r := range b {
				sa += a[r*m+i]
				sy += y[r*d+k]
			}
			c := sa / sy
			var s float64
			for r := range b {
				diff := c*a[r*m+i] - y[r*d+k]
				s += diff * diff
			}
			e[i*d+k] = s / float64(b)
		}
	}
	var total float64
	for i := range m {
		var z float64
		for r := range b {
			z += a[r*m+i] * a[r*m+i]
		}
		best := z / float64(b)
		for k := range d {
			best = min(best, e[i*d+k])
		}
		total += best
	}
	for k := range d {
		best := math.Inf(1)
		for i := range m {
			best = min(best, e[i*d+k])
		}
		total += best
	}
	return total
}

func lossValue(t *testing.T, l losses.Term, m architectures.Model, b losses.Batch) float64 {
	t.Helper()
	if err := l.Accepts(m); err != nil {
		t.Fatal(err)
	}
	v, err := l.Loss(m, b, false)
	if err != nil {
		t.Fatal(err)
	}
	return v.Item()
}

var textbookM = []float64{0, 1, -1, 0}

// TestTextbookOscillatorPair: the textbook pair has zero Lax residual and
// zero coverage losses with the inverse and least-squares coefficients; the
// printed coefficient does not vanish on it; wrong pairs score clearly
// above zero.
func TestTextbookOscillatorPair(t *testing.T) {
	good := oscillatorPair(t, textbookM)
	flipped := oscillatorPair(t, []float64{0, -1, 1, 0})  // M with the wrong sign: [L, M] = −L̇
	symmetric := oscillatorPair(t, []float64{0, 1, 1, 0}) // [L, M] = [[0, ωp], [−ωp, 0]]: f_p not covered
	diagonalL := oscillatorPair(t, textbookM)             // L = q·1: L̇ = q̇·1 never shows ṗ
	setCoef(t, diagonalL.L(), []float64{0, 0, 0, 0}, []float64{1, 0, 0, 1}, []float64{0, 0, 0, 0})
	b := oscillatorBatch(1, 64, 0, 1)

	// The printed coefficient on the good pair, by plain loops.
	_, _, ldot, err := architectures.LaxFlow(good, b.X, b.DX, false)
	if err != nil {
		t.Fatal(err)
	}
	paperL := paperCoverage(ldot.Data(), b.DX.Data(), 64, 4, 2)
	if paperL < 0.1 {
		t.Fatalf("reference printed-coefficient L_L = %g, expected clearly nonzero", paperL)
	}
	t.Logf("printed coefficient on the textbook pair: L_L = %.4g", paperL)

	tests := []struct {
		name, loss, options string
		model               architectures.Model
		want, tol           float64
	}{
		{"lax none", "lax", "normalize: none", good, 0, 1e-12},
		{"lax ldot", "lax", "", good, 0, 1e-12},
		{"lax_l least_squares", "lax_l", "", good, 0, 1e-12},
		{"lax_l inverse", "lax_l", "coefficient: inverse", good, 0, 1e-12},
		{"lax_lm least_squares", "lax_lm", "", good, 0, 1e-12},
		{"lax_lm inverse", "lax_lm", "coefficient: inverse", good, 0, 1e-12},
		{"lax_l paper", "lax_l", "coefficient: paper", good, paperL, 1e-10 * paperL},
		// Wrong sign of M: ‖L̇ + L̇‖² / ‖L̇‖² = 4 exactly.
		{"lax ldot flipped M", "lax", "", flipped, 4, 1e-12},
		// The sign is invisible to the coverage terms (c absorbs it).
		{"lax_lm flipped M", "lax_lm", "", flipped, 0, 1e-12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := lossValue(t, term(t, tc.loss, tc.options), tc.model, b)
			if math.Abs(got-tc.want) > tc.tol {
				t.Fatalf("%s = %.6g, want %.6g ± %g", tc.loss, got, tc.want, tc.tol)
			}
		})
	}
	nonzero := []struct {
		name, loss, options string
		model               architectures.Model
	}{
		{"lax none symmetric M", "lax", "normalize: none", symmetric},
		{"lax ldot symmetric M", "lax", "", symmetric},
		{"lax none flipped M", "lax", "normalize: none", flipped},
		{"lax_lm symmetric M", "lax_lm", "", symmetric},
		{"lax_lm inverse symmetric M", "lax_lm", "coefficient: inverse", symmetric},
		{"lax_l diagonal L", "lax_l", "", diagonalL},
		{"lax_l inverse diagonal L", "lax_l", "coefficient: inverse", diagonalL},
	}
	for _, tc := range nonzero {
		t.Run(tc.name, func(t *testing.T) {
			got := lossValue(t, term(t, tc.loss, tc.options), tc.model, b)
			if !(got > 0.05) {
				t.Fatalf("%s = %.6g on a wrong pair, want clearly > 0", tc.loss, got)
			}
			t.Logf("%s = %.4g", tc.loss, got)
		})
	}
}

// TestModeCollapse checks L_MC against hand-computed values: for the
// textbook pair Σ|L| = 2|p| + 2ω|q| and Σ|M| = ω.
func TestModeCollapse(t *testing.T) {
	good := oscillatorPair(t, textbookM)
	far := oscillatorBatch(2, 32, 0.5, 1)   // Σ|L| ≥ 2(1 + ω)/2 > 1, Σ|M| = 1.3
	near := oscillatorBatch(3, 32, 0, 0.01) // Σ|L| ≤ 0.046
	one := losses.Batch{X: autodiff.New([]float64{0.01, 0.02}, 1, 2), DX: autodiff.New([]float64{0.02, -omega * omega * 0.01}, 1, 2)}
	one.F = one.DX
	if got := lossValue(t, term(t, "mode_collapse", ""), good, far); got != 0 {
		t.Errorf("mode_collapse away from the origin = %g, want 0", got)
	}
	if got := lossValue(t, term(t, "mode_collapse", ""), good, near); got < 0.9 {
		t.Errorf("mode_collapse near the origin = %g, want ≥ 0.9", got)
	}
	want := 1 - 2*(0.02+omega*0.01)
	if got := lossValue(t, term(t, "mode_collapse", ""), good, one); math.Abs(got-want) > 1e-14 {
		t.Errorf("mode_collapse at (0.01, 0.02) = %.15g, want %.15g", got, want)
	}
	// M = (ω/2)·… with ω/2·2 = 1.3 ≥ 1: halving the bound keeps M free, and
	// bound 2 charges M 2 − 1.3.
	if got := lossValue(t, term(t, "mode_collapse", "bound: 2"), good, far); got < 0.7-1e-12 {
		t.Errorf("mode_collapse bound 2 = %g, want ≥ 0.7", got)
	}
	// A constant offset in L satisfies the printed form but not the variants.
	offset := oscillatorPair(t, textbookM)
	setCoef(t, offset.L(), []float64{1, 0, 0, 1}, []float64{0, 1e-3, 1e-3, 0}, []float64{1e-3, 0, 0, -1e-3})
	if got := lossValue(t, term(t, "mode_collapse", ""), offset, far); got != 0 {
		t.Errorf("printed mode_collapse with a constant offset = %g, want 0 (the loophole)", got)
	}
	for _, on := range []string{"centered", "l_dot"} {
		if got := lossValue(t, term(t, "mode_collapse", "on: "+on), offset, far); got < 0.9 {
			t.Errorf("mode_collapse on %s with a constant offset = %g, want ≥ 0.9", on, got)
		}
	}
}

// TestLaxGradientFD compares the parameter gradient of every term with
// central finite differences, on a polynomial pair with random coefficients
// (degree 2 in L, 1 in M) and on an MLP pair, at points where the hard
// minima are not near a tie.
func TestLaxGradientFD(t *testing.T) {
	models := []struct {
		name string
		yaml string
	}{
		{"polynomial", "size: 3\nL: {kind: polynomial, degree: 2}\nM: {kind: polynomial, degree: 1}"},
		{"mlp", "size: 2\nL: {kind: mlp, hidden: [6]}\nM: {kind: mlp, hidden: [5], activation: softplus}"},
	}
	terms := []struct{ loss, options string }{
		{"lax", "normalize: none"},
		{"lax", ""},
		{"lax_l", ""},
		{"lax_l", "coefficient: inverse"},
		{"lax_l", "coefficient: paper"},
		{"lax_lm", ""},
		{"lax_lm", "coefficient: paper"},
		{"mode_collapse", "bound: 10"},
		{"mode_collapse", "{on: centered, bound: 10}"},
		{"mode_collapse", "{on: l_dot, bound: 10}"},
	}
	b := oscillatorBatch(4, 24, 0.1, 1)
	for _, mc := range models {
		m := laxModel(t, mc.yaml, 5)
		for _, tc := range terms {
			t.Run(mc.name+"/"+tc.loss+" "+tc.options, func(t *testing.T) {
				l := term(t, tc.loss, tc.options)
				eval := func() float64 {
					v, err := l.Loss(m, b, false)
					if err != nil {
						t.Fatal(err)
					}
					return v.Item()
				}
				v, err := l.Loss(m, b, true)
				if err != nil {
					t.Fatal(err)
				}
				params := m.Params()
				grads, err := autodiff.Grad(v, params)
				if err != nil {
					t.Fatal(err)
				}
				const h = 1e-5
				var maxErr, scale float64
				for pi, p := range params {
					d := p.Data()
					for j := 0; j < len(d); j += 1 + len(d)/7 {
						orig := d[j]
						d[j] = orig + h
						up := eval()
						d[j] = orig - h
						down := eval()
						d[j] = orig
						fd := (up - down) / (2 * h)
						maxErr = max(maxErr, math.Abs(fd-grads[pi].Data()[j]))
						scale = max(scale, math.Abs(fd))
					}
				}
				if scale == 0 {
					t.Fatalf("all sampled gradients are zero (value %g)", v.Item())
				}
				if maxErr > 1e-6*scale {
					t.Fatalf("gradient differs from finite differences by %.3g (relative %.3g, value %g)", maxErr, maxErr/scale, v.Item())
				}
			})
		}
	}
}

// TestLaxAccepts: every Lax term refuses a model that is not a Lax pair,
// naming the loss and the model kind to use.
func TestLaxAccepts(t *testing.T) {
	vf := model(t, "mlp", 2)
	pair := oscillatorPair(t, textbookM)
	for _, name := range []string{"lax", "lax_l", "lax_lm", "mode_collapse"} {
		l := term(t, name, "")
		err := l.Accepts(vf)
		if err == nil || !strings.Contains(err.Error(), "loss "+name+" needs a Lax pair model (model kind lax_pair)") {
			t.Errorf("%s.Accepts(mlp) = %v", name, err)
		}
		if err := l.Accepts(pair); err != nil {
			t.Errorf("%s.Accepts(lax_pair) = %v", name, err)
		}
		if _, err := l.Loss(vf, oscillatorBatch(1, 4, 0, 1), false); err == nil {
			t.Errorf("%s.Loss(mlp) did not fail", name)
		}
	}
	// The Lax pair is not a vector field: the field losses refuse it.
	if err := term(t, "mse", "").Accepts(pair); err == nil {
		t.Error("mse accepted a Lax pair")
	}
}

// TestLaxDecodeErrors: option values outside their sets are rejected at the
// key.
func TestLaxDecodeErrors(t *testing.T) {
	tests := []struct{ loss, yaml, want string }{
		{"lax", "normalize: l_dot", `losses[0].normalize`},
		{"lax_l", "coefficient: ratio", `losses[0].coefficient`},
		{"lax_lm", "epsilon: 0", `losses[0].epsilon`},
		{"mode_collapse", "on: offsets", `losses[0].on`},
	}
	for _, tc := range tests {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(tc.yaml), &doc); err != nil {
			t.Fatal(err)
		}
		c := &spec.Component{Kind: tc.loss, Node: doc.Content[0], File: "l.yaml", Path: "losses[0]"}
		_, errs := registry.Decode(registry.Loss, c)
		if len(errs) == 0 || !strings.Contains(errs.Error(), tc.want) {
			t.Errorf("%s %q: errors %v, want one at %s", tc.loss, tc.yaml, errs, tc.want)
		}
	}
}
