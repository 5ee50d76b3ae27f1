package architectures_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/registry"
	"ansatz/spec"

	"gopkg.in/yaml.v3"
)

// KdVTextbook is the textbook KdV connection (u_t + u_xxx + 6uu_x = 0) as
// lax_connection options over the jets (u, u_x, u_xx).
const kdvTextbook = `size: 2
spectral: {values: [-1, 0.5, 2]}
A_x: {kind: expressions, entries: [["0", "1"], ["lambda - u", "0"]]}
A_t:
  kind: expressions
  entries:
    - ["u_x", "-4*lambda - 2*u"]
    - ["u_xx + 2*u^2 + 2*lambda*u - 4*lambda^2", "-u_x"]
`

var kdvJets = []string{"u", "u_x", "u_xx"}

func decodeConnection(t *testing.T, options string) (*architectures.LaxConnectionConfig, spec.ErrorList) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(options), &doc); err != nil {
		t.Fatal(err)
	}
	c := &spec.Component{Kind: "lax_connection", Node: doc.Content[0], File: "m.yaml", Path: "model"}
	v, errs := registry.Decode(registry.Model, c)
	if len(errs) > 0 {
		return nil, errs
	}
	return v.(*architectures.LaxConnectionConfig), nil
}

func buildConnection(t *testing.T, options string, vars []string, seed uint64) *architectures.ConnectionModel {
	t.Helper()
	cfg, errs := decodeConnection(t, options)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	m, err := cfg.Build(architectures.State{Vars: vars}, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m.(*architectures.ConnectionModel)
}

// kdvRandomJets returns b random off-shell jets (u, u_x, u_xx), their time
// derivatives from KdV and their x derivatives, from random u … u_5x.
func kdvRandomJets(b int, rng *rand.Rand) (x, dt, dx *autodiff.Tensor) {
	xs, ts, ds := make([]float64, 0, 3*b), make([]float64, 0, 3*b), make([]float64, 0, 3*b)
	for range b {
		var u [6]float64
		for k := range u {
			u[k] = rng.NormFloat64()
		}
		xs = append(xs, u[0], u[1], u[2])
		ds = append(ds, u[1], u[2], u[3])
		ts = append(ts, -u[3]-6*u[0]*u[1], -u[4]-6*(u[1]*u[1]+u[0]*u[2]), -u[5]-6*(3*u[1]*u[2]+u[0]*u[3]))
	}
	return autodiff.New(xs, b, 3), autodiff.New(ts, b, 3), autodiff.New(ds, b, 3)
}

// relCurvature is Σ‖Z‖² / Σ(‖∂_t A_x‖² + ‖∂_x A_t‖² + ‖[A_x, A_t]‖²).
func relCurvature(v *architectures.ConnectionValues) float64 {
	z := v.Curvature().Data()
	c := autodiff.Commutator(v.Ax, v.At).Data()
	var num, den float64
	for i := range z {
		num += z[i] * z[i]
		den += v.DtAx.Data()[i]*v.DtAx.Data()[i] + v.DxAt.Data()[i]*v.DxAt.Data()[i] + c[i]*c[i]
	}
	return num / den
}

func TestConnectionTextbookKdV(t *testing.T) {
	tests := []struct {
		name     string
		options  string
		min, max float64
	}{
		{"textbook", kdvTextbook, 0, 1e-28},
		{"wrong sign", strings.Replace(kdvTextbook, "-4*lambda - 2*u", "-4*lambda + 2*u", 1), 0.05, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := buildConnection(t, tc.options, kdvJets, 0)
			x, dt, dx := kdvRandomJets(200, rand.New(rand.NewPCG(1, 2)))
			v, err := architectures.EvalConnection(m, x, dt, dx, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Ax.Rows(); got != 600 {
				t.Fatalf("rows %d, want 200×3", got)
			}
			if r := relCurvature(v); r < tc.min || r > tc.max {
				t.Errorf("relative squared curvature %g, want in [%g, %g]", r, tc.min, tc.max)
			}
			if len(m.Params()) != 0 {
				t.Errorf("expressions have %d parameter tensors, want 0", len(m.Params()))
			}
		})
	}
}

// TestConnectionPolynomialMatchesExpressions sets the polynomial ansatz's
// coefficients to the textbook pair and compares with the expressions.
func TestConnectionPolynomialMatchesExpressions(t *testing.T) {
	poly := buildConnection(t, `size: 2
spectral: {values: [-1, 0.5, 2]}
A_x: {kind: polynomial, degree: 1, lambda_degree: 1}
A_t: {kind: polynomial, degree: 2, lambda_degree: 2}
`, kdvJets, 0)
	set := func(f *architectures.ConnectionMatrix, terms map[string][4]float64) {
		c := f.Coefficients().Data()
		clear(c)
		names := f.Monomials()
		for name, v := range terms {
			k := -1
			for i, n := range names {
				if n == name {
					k = i
				}
			}
			if k < 0 {
				t.Fatalf("no monomial %q in %v", name, names)
			}
			copy(c[4*k:4*k+4], v[:])
		}
	}
	set(poly.Ax(), map[string][4]float64{"1": {0, 1, 0, 0}, "lambda": {0, 0, 1, 0}, "u": {0, 0, -1, 0}})
	set(poly.At(), map[string][4]float64{
		"u_x": {1, 0, 0, -1}, "lambda": {0, -4, 0, 0}, "u": {0, -2, 0, 0},
		"u_xx": {0, 0, 1, 0}, "u^2": {0, 0, 2, 0}, "lambda*u": {0, 0, 2, 0}, "lambda^2": {0, 0, -4, 0},
	})
	expr := buildConnection(t, kdvTextbook, kdvJets, 0)
	x, dt, dx := kdvRandomJets(50, rand.New(rand.NewPCG(3, 4)))
	vp, err := architectures.EvalConnection(poly, x, dt, dx, false)
	if err != nil {
		t.Fatal(err)
	}
	ve, err := architectures.EvalConnection(expr, x, dt, dx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name string
		a, b *autodiff.Tensor
	}{{"A_x", vp.Ax, ve.Ax}, {"A_t", vp.At, ve.At}, {"∂_t A_x", vp.DtAx, ve.DtAx}, {"∂_x A_t", vp.DxAt, ve.DxAt}} {
		for i, v := range p.a.Data() {
			if w := p.b.Data()[i]; math.Abs(v-w) > 1e-12*(1+math.Abs(w)) {
				t.Fatalf("%s[%d] polynomial %g, expressions %g", p.name, i, v, w)
			}
		}
	}
	if r := relCurvature(vp); r > 1e-28 {
		t.Errorf("polynomial textbook pair: relative squared curvature %g", r)
	}
}

// TestConnectionDerivatives checks ∂_t A_x and ∂_x A_t against central
// differences of A along the directions, for every kind and a trig
// feature dictionary.
func TestConnectionDerivatives(t *testing.T) {
	tests := []struct {
		name, options string
		vars          []string
	}{
		{"polynomial jets", "size: 2\nA_x: {degree: 2}\nA_t: {degree: 2}", kdvJets},
		{"polynomial trig features", "size: 3\nfeatures: [phi_x, p, cos(phi), sin(phi)]\nA_x: {degree: 1}\nA_t: {degree: 2}", []string{"phi", "phi_x", "p"}},
		{"mlp spectral", "size: 2\nspectral: {values: [0.5, 1.5]}\nA_x: {kind: mlp, hidden: [8]}\nA_t: {kind: mlp, hidden: [8], activation: softplus}", kdvJets},
		{"mlp features", "size: 2\nfeatures: [u, u_x^2, exp(-u_xx)]\nA_x: {kind: mlp, hidden: [6]}\nA_t: {degree: 1}", kdvJets},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := buildConnection(t, tc.options, tc.vars, 5)
			rng := rand.New(rand.NewPCG(7, 8))
			b, d := 6, len(tc.vars)
			rnd := func() *autodiff.Tensor {
				v := make([]float64, b*d)
				for i := range v {
					v[i] = rng.NormFloat64()
				}
				return autodiff.New(v, b, d)
			}
			x, dt, dx := rnd(), rnd(), rnd()
			v, err := architectures.EvalConnection(m, x, dt, dx, false)
			if err != nil {
				t.Fatal(err)
			}
			const h = 1e-5
			shift := func(s float64, dir *autodiff.Tensor) *autodiff.Tensor {
				out := make([]float64, x.Len())
				for i := range out {
					out[i] = x.Data()[i] + s*dir.Data()[i]
				}
				return autodiff.New(out, b, d)
			}
			for _, c := range []struct {
				name string
				dir  *autodiff.Tensor
				pick func(*architectures.ConnectionValues) *autodiff.Tensor
				got  *autodiff.Tensor
			}{
				{"∂_t A_x", dt, func(v *architectures.ConnectionValues) *autodiff.Tensor { return v.Ax }, v.DtAx},
				{"∂_x A_t", dx, func(v *architectures.ConnectionValues) *autodiff.Tensor { return v.At }, v.DxAt},
			} {
				vp, err := architectures.EvalConnection(m, shift(h, c.dir), nil, nil, false)
				if err != nil {
					t.Fatal(err)
				}
				vm, _ := architectures.EvalConnection(m, shift(-h, c.dir), nil, nil, false)
				for i, g := range c.got.Data() {
					fd := (c.pick(vp).Data()[i] - c.pick(vm).Data()[i]) / (2 * h)
					if math.Abs(g-fd) > 1e-7*(1+math.Abs(fd)) {
						t.Fatalf("%s[%d] = %g, central difference %g", c.name, i, g, fd)
					}
				}
			}
		})
	}
}

func TestConnectionGradientFlows(t *testing.T) {
	for _, opts := range []string{
		"size: 2\nA_x: {degree: 1}\nA_t: {degree: 2}",
		"size: 2\nA_x: {kind: mlp, hidden: [4]}\nA_t: {kind: mlp, hidden: [4]}",
	} {
		m := buildConnection(t, opts, kdvJets, 1)
		x, dt, dx := kdvRandomJets(5, rand.New(rand.NewPCG(1, 1)))
		v, err := architectures.EvalConnection(m, x, dt, dx, true)
		if err != nil {
			t.Fatal(err)
		}
		loss := autodiff.Mean(autodiff.Square(v.Curvature()))
		gs, err := autodiff.Grad(loss, m.Params())
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range gs {
			var s float64
			for _, x := range g.Data() {
				s += x * x
			}
			if s == 0 {
				t.Errorf("%s: gradient of parameter %d is zero", opts, i)
			}
		}
	}
}

func TestConnectionOptionErrors(t *testing.T) {
	tests := []struct {
		yaml, want string
	}{
		{"size: 2", ""},
		{"size: 1", "model.size"},
		{"size: 2\nA_x: {degree: -1}", "model.A_x.degree"},
		{"size: 2\nA_t: {lambda_degree: 1}", "model.A_t.lambda_degree: is 1 but spectral.values is empty"},
		{"size: 2\nA_x: {kind: expressions}", "model.A_x.entries"},
		{"size: 2\nA_x: {kind: expressions, entries: [[\"1\", \"2\"]]}", "needs 2 rows"},
		{"size: 2\nA_x: {kind: expressions, entries: [[\"1\", \"2\"], [\"u\"]]}", "model.A_x.entries[1]: needs 2 entries"},
		{"size: 2\nA_x: {kind: expressions, entries: [[\"1\", \"2\"], [\"u +\", \"0\"]]}", "m.yaml:2:53: model.A_x.entries[1][0]"},
		{"size: 2\nfeatures: [\"cos(\"]", "model.features[0]"},
		{"size: 2\nA_x: {entries: [[\"1\"]]}", "entries are for kind expressions"},
		{"size: 2\nA_x: {kind: mlpp}", "model.A_x.kind"},
	}
	for _, tc := range tests {
		_, errs := decodeConnection(t, tc.yaml)
		got := errs.Error()
		if len(errs) == 0 {
			got = ""
		}
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%q: got %q, want it to contain %q", tc.yaml, got, tc.want)
		}
	}
	// Names are checked against the jets at build time.
	for _, tc := range []struct{ yaml, want string }{
		{"size: 2\nfeatures: [u, v_x]", "unknown name v_x"},
		{"size: 2\nA_x: {kind: expressions, entries: [[\"lambda\", \"0\"], [\"0\", \"0\"]]}", "lambda needs spectral.values"},
	} {
		cfg, errs := decodeConnection(t, tc.yaml)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		_, err := cfg.Build(architectures.State{Vars: kdvJets}, rand.New(rand.NewPCG(0, 0)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: build error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
