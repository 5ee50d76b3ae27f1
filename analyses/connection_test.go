package analyses_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"ansatz/analyses"
	"ansatz/architectures"
	"ansatz/datasets"
	"ansatz/registry"
	"ansatz/spec"

	"gopkg.in/yaml.v3"
)

// kdvJetSystem is KdV u_t = −u_xxx − 6uu_x as a system that draws random
// jets (u, u_x, u_xx) with their exact ∂_t and ∂_x.
type kdvJetSystem struct{}

func (kdvJetSystem) Variables() []string { return []string{"u"} }

func (kdvJetSystem) Jets(order int) []string {
	return []string{"u", "u_x", "u_xx", "u_xxx", "u_xxxx"}[:order+1]
}

func (kdvJetSystem) RandomJets(rng *rand.Rand, n, order int, scale float64) (x, dx, f []float64, err error) {
	for range n {
		var u [6]float64
		for k := range u {
			u[k] = scale * rng.NormFloat64()
		}
		x = append(x, u[0], u[1], u[2])
		f = append(f, u[1], u[2], u[3])
		dx = append(dx, -u[3]-6*u[0]*u[1], -u[4]-6*(u[1]*u[1]+u[0]*u[2]), -u[5]-6*(3*u[1]*u[2]+u[0]*u[3]))
	}
	return x, dx, f, nil
}

const textbookKdV = `size: 2
spectral: {values: [-1, 0.5, 2]}
A_x: {kind: expressions, entries: [["0", "1"], ["lambda - u", "0"]]}
A_t: {kind: expressions, entries: [["u_x", "-4*lambda - 2*u"], ["u_xx + 2*u^2 + 2*lambda*u - 4*lambda^2", "-u_x"]]}
`

// abelianKdV is A_x = (0.5 + 2u)σ_x, A_t = 2(−u_xx − 3u²)σ_x: flat (mass
// conservation), in one matrix direction, commutator zero.
const abelianKdV = `size: 2
A_x: {kind: expressions, entries: [["0", "0.5 + 2*u"], ["0.5 + 2*u", "0"]]}
A_t: {kind: expressions, entries: [["0", "2*(-u_xx - 3*u^2)"], ["2*(-u_xx - 3*u^2)", "0"]]}
`

func connectionContext(t *testing.T, model string) *analyses.Context {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(model), &doc); err != nil {
		t.Fatal(err)
	}
	v, errs := registry.Decode(registry.Model, &spec.Component{Kind: "lax_connection", Node: doc.Content[0], File: "m.yaml", Path: "model"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	vars := []string{"u", "u_x", "u_xx"}
	m, err := v.(*architectures.LaxConnectionConfig).Build(architectures.State{Vars: vars}, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	sys := kdvJetSystem{}
	x, dx, f, _ := sys.RandomJets(rand.New(rand.NewPCG(5, 6)), 400, 2, 0.7)
	test := &datasets.Set{X: x, DX: dx, F: f, N: 400, D: 3}
	return &analyses.Context{Vars: vars, Model: m, System: sys, Test: test, Train: test, RNG: rand.New(rand.NewPCG(7, 8))}
}

func metrics(r analyses.Result) map[string]float64 {
	out := map[string]float64{}
	for _, m := range r.Metrics {
		out[m.Name] = m.Value
	}
	return out
}

func rows(r analyses.Result) map[string]string {
	out := map[string]string{}
	for _, row := range r.Rows {
		if row.Text != nil {
			out[row.Name] = *row.Text
		}
	}
	return out
}

func TestConnectionVerifyVerdicts(t *testing.T) {
	tests := []struct {
		name, model string
		genuine     float64
		directions  float64
		detU        float64
		// reasons that must fail
		fails []string
		// substrings of formulas
		formulas map[string]string
	}{
		{"textbook", textbookKdV, 1, 2, 1, nil, map[string]string{
			"det_A_x_traceless": "u - lambda", "tr_A_x_A_t": "u_xx",
		}},
		{"abelian", abelianKdV, 0, 1, -2, []string{"A_x spans 1 matrix directions", "commutator share", "non-solvable"}, nil},
		{"wrong sign", strings.Replace(textbookKdV, "-4*lambda - 2*u", "-4*lambda + 2*u", 1), 0, 2, 1, []string{"held-out residual", "off-shell residual"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := connectionContext(t, tc.model)
			a := analyses.NewConnectionVerify()
			a.Count = 500
			if err := a.Requires(c); err != nil {
				t.Fatal(err)
			}
			res, err := a.Analyse(c)
			if err != nil {
				t.Fatal(err)
			}
			ms, rs := metrics(res), rows(res)
			if ms["connection.genuine"] != tc.genuine {
				t.Errorf("genuine %v, want %v; reasons: %s", ms["connection.genuine"], tc.genuine, rs["reasons"])
			}
			if ms["connection.directions"] != tc.directions {
				t.Errorf("directions %v, want %v", ms["connection.directions"], tc.directions)
			}
			if math.Abs(ms["connection.det_u_coef"]-tc.detU) > 1e-9 {
				t.Errorf("det_u_coef %v, want %v (%s)", ms["connection.det_u_coef"], tc.detU, rs["det_A_x_traceless"])
			}
			for _, f := range tc.fails {
				ok := false
				for _, r := range strings.Split(rs["reasons"], "; ") {
					if strings.Contains(r, f) && strings.HasSuffix(r, "FAILS") {
						ok = true
					}
				}
				if !ok {
					t.Errorf("reasons %q: want %q to fail", rs["reasons"], f)
				}
			}
			for k, want := range tc.formulas {
				if !strings.Contains(rs[k], want) {
					t.Errorf("%s = %q, want it to contain %q", k, rs[k], want)
				}
			}
			if tc.genuine == 1 {
				if ms["connection.residual"] > 1e-28 || ms["connection.offshell"] > 1e-28 {
					t.Errorf("textbook residuals %g, %g", ms["connection.residual"], ms["connection.offshell"])
				}
				t.Logf("shares: equation %.3g, commutator %.3g; det %s; tr %s", ms["connection.equation_share"], ms["connection.commutator_share"], rs["det_A_x_traceless"], rs["tr_A_x_A_t"])
			}
		})
	}
}

func TestConnectionVerifyRequires(t *testing.T) {
	a := analyses.NewConnectionVerify()
	if err := a.Requires(&analyses.Context{Model: &architectures.LaxModel{}}); err == nil || !strings.Contains(err.Error(), "lax_connection") {
		t.Errorf("Requires on a Lax pair: %v", err)
	}
	a.Degree = 9
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "degree") {
		t.Errorf("Validate: %v", err)
	}
}

func TestDerivedDimension(t *testing.T) {
	e := func(n int, entries ...[3]float64) []float64 { // (i, j, value) triples → n×n
		m := make([]float64, n*n)
		for _, x := range entries {
			m[int(x[0])*n+int(x[1])] = x[2]
		}
		return m
	}
	tests := []struct {
		name string
		n    int
		mats [][]float64
		want int
	}{
		{"sl(2)", 2, [][]float64{e(2, [3]float64{0, 1, 1}), e(2, [3]float64{1, 0, 1}), e(2, [3]float64{0, 0, 1}, [3]float64{1, 1, -1})}, 3},
		{"gl(2) (centre drops out)", 2, [][]float64{e(2, [3]float64{0, 0, 1}), e(2, [3]float64{0, 1, 1}), e(2, [3]float64{1, 0, 2}), e(2, [3]float64{1, 1, 1})}, 3},
		{"KdV A_x values (generate sl(2))", 2, [][]float64{e(2, [3]float64{0, 1, 1}, [3]float64{1, 0, 0.3}), e(2, [3]float64{0, 1, 1}, [3]float64{1, 0, -2})}, 3},
		{"upper triangular", 2, [][]float64{e(2, [3]float64{0, 0, 1}), e(2, [3]float64{0, 1, 1}), e(2, [3]float64{1, 1, 3})}, 0},
		{"strictly upper 3×3 (Heisenberg algebra)", 3, [][]float64{e(3, [3]float64{0, 1, 1}), e(3, [3]float64{1, 2, 1}), e(3, [3]float64{0, 2, 1})}, 0},
		{"so(3)", 3, [][]float64{e(3, [3]float64{1, 2, -1}, [3]float64{2, 1, 1}), e(3, [3]float64{0, 2, 1}, [3]float64{2, 0, -1}), e(3, [3]float64{0, 1, -1}, [3]float64{1, 0, 1})}, 3},
		{"E12, E21 (generate sl(2))", 2, [][]float64{e(2, [3]float64{0, 1, 1}), e(2, [3]float64{1, 0, 1})}, 3},
		{"abelian", 2, [][]float64{e(2, [3]float64{0, 1, 1}, [3]float64{1, 0, 1}), e(2, [3]float64{0, 1, 2}, [3]float64{1, 0, 2})}, 0},
	}
	for _, tc := range tests {
		var rows []float64
		for _, m := range tc.mats {
			rows = append(rows, m...)
		}
		got, err := analyses.DerivedDimension(rows, tc.n, 1e-9)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: derived dimension %d, want %d", tc.name, got, tc.want)
		}
	}
}

// pcmJetSystem is the principal chiral model's currents, a_t = b_x,
// b_t = a_x − a × b, jets of order 0 (a1 a2 a3 b1 b2 b3).
type pcmJetSystem struct{}

func (pcmJetSystem) Variables() []string { return []string{"a1", "a2", "a3", "b1", "b2", "b3"} }
func (pcmJetSystem) Fields() []string    { return []string{"a1", "a2", "a3", "b1", "b2", "b3"} }
func (s pcmJetSystem) Jets(order int) []string {
	var out []string
	for _, f := range s.Fields() {
		out = append(out, f)
		for k := 1; k <= order; k++ {
			out = append(out, f+"_"+strings.Repeat("x", k))
		}
	}
	return out
}

func (pcmJetSystem) RandomJets(rng *rand.Rand, n, order int, scale float64) (x, dx, f []float64, err error) {
	for range n {
		var a, b, ax, bx [3]float64
		for i := range 3 {
			a[i], b[i], ax[i], bx[i] = scale*rng.NormFloat64(), scale*rng.NormFloat64(), scale*rng.NormFloat64(), scale*rng.NormFloat64()
		}
		x = append(x, a[0], a[1], a[2], b[0], b[1], b[2])
		f = append(f, ax[0], ax[1], ax[2], bx[0], bx[1], bx[2])
		axb := [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
		dx = append(dx, bx[0], bx[1], bx[2], ax[0]-axb[0], ax[1]-axb[1], ax[2]-axb[2])
	}
	return x, dx, f, nil
}

// so3 writes [v]× as a YAML matrix of expressions.
func so3(x, y, z string) string {
	return "[['0', '-(" + z + ")', '" + y + "'], ['" + z + "', '0', '-(" + x + ")'], ['-(" + y + ")', '" + x + "', '0']]"
}

// TestConnectionVerifyFieldShares: the principal chiral model's current
// connection (λ = 0) is flat by b's equation alone and is judged spurious
// by the field shares; the λ = 0.5 member of the family is genuine.
func TestConnectionVerifyFieldShares(t *testing.T) {
	for _, tc := range []struct {
		name, model string
		genuine     float64
	}{
		{"current", "size: 3\nA_x: {kind: expressions, entries: " + so3("-b1", "-b2", "-b3") + "}\nA_t: {kind: expressions, entries: " + so3("-a1", "-a2", "-a3") + "}", 0},
		{"λ = 0.5", "size: 3\nA_x: {kind: expressions, entries: " + so3("-(b1 + 0.5*a1)/0.75", "-(b2 + 0.5*a2)/0.75", "-(b3 + 0.5*a3)/0.75") +
			"}\nA_t: {kind: expressions, entries: " + so3("-(a1 + 0.5*b1)/0.75", "-(a2 + 0.5*b2)/0.75", "-(a3 + 0.5*b3)/0.75") + "}", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.model), &doc); err != nil {
				t.Fatal(err)
			}
			v, errs := registry.Decode(registry.Model, &spec.Component{Kind: "lax_connection", Node: doc.Content[0], File: "m.yaml", Path: "model"})
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			sys := pcmJetSystem{}
			m, err := v.(*architectures.LaxConnectionConfig).Build(architectures.State{Vars: sys.Jets(0)}, rand.New(rand.NewPCG(0, 0)))
			if err != nil {
				t.Fatal(err)
			}
			x, dx, f, _ := sys.RandomJets(rand.New(rand.NewPCG(1, 2)), 300, 0, 1)
			c := &analyses.Context{Vars: sys.Jets(0), Model: m, System: sys, Test: &datasets.Set{X: x, DX: dx, F: f, N: 300, D: 6}, RNG: rand.New(rand.NewPCG(3, 4))}
			a := analyses.NewConnectionVerify()
			a.Count = 300
			res, err := a.Analyse(c)
			if err != nil {
				t.Fatal(err)
			}
			ms, rs := metrics(res), rows(res)
			if ms["connection.genuine"] != tc.genuine {
				t.Errorf("genuine %v, want %v: %s", ms["connection.genuine"], tc.genuine, rs["reasons"])
			}
			if ms["connection.derived_dimension"] != 3 {
				t.Errorf("derived dimension %v, want 3 (so(3))", ms["connection.derived_dimension"])
			}
			if tc.genuine == 0 && ms["connection.field_share.a1"] > 1e-20 {
				t.Errorf("current connection: share of a1 %g, want 0", ms["connection.field_share.a1"])
			}
		})
	}
}
