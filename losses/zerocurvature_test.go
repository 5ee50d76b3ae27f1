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

var kdvJets = []string{"u", "u_x", "u_xx"}

const kdvTextbook = `size: 2
spectral: {values: [-1, 0.5, 2]}
A_x: {kind: expressions, entries: [["0", "1"], ["lambda - u", "0"]]}
A_t: {kind: expressions, entries: [["u_x", "-4*lambda - 2*u"], ["u_xx + 2*u^2 + 2*lambda*u - 4*lambda^2", "-u_x"]]}
`

func decodeComponent(t *testing.T, kind registry.Kind, name, options string) any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(options), &doc); err != nil {
		t.Fatal(err)
	}
	c := &spec.Component{Kind: name, Node: doc.Content[0], File: "s.yaml", Path: "x"}
	v, errs := registry.Decode(kind, c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return v
}

func connectionModel(t *testing.T, options string, seed uint64) architectures.Model {
	t.Helper()
	cfg := decodeComponent(t, registry.Model, "lax_connection", options).(*architectures.LaxConnectionConfig)
	m, err := cfg.Build(architectures.State{Vars: kdvJets}, rand.New(rand.NewPCG(seed, 3)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// kdvBatch draws b random off-shell KdV jets (u, u_x, u_xx) with ∂_t from
// u_t = −u_xxx − 6uu_x and ∂_x the next jet.
func kdvBatch(b int, rng *rand.Rand) losses.Batch {
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
	return losses.Batch{X: autodiff.New(xs, b, 3), DX: autodiff.New(ts, b, 3), F: autodiff.New(ds, b, 3)}
}

func TestZeroCurvatureValues(t *testing.T) {
	b := kdvBatch(300, rand.New(rand.NewPCG(1, 1)))
	tests := []struct {
		name, model, loss string
		min, max          float64
	}{
		// The textbook pair: Z = 0 identically, both guards met.
		{"textbook", kdvTextbook, "{}", 0, 1e-28},
		// A wrong sign leaves a residual of order one.
		{"wrong sign", strings.Replace(kdvTextbook, "-4*lambda - 2*u", "-4*lambda + 2*u", 1), "{}", 0.05, 3},
		// Zero connection: residual 0, both hinges at their thresholds.
		{"zero", "size: 2\nA_x: {kind: expressions, entries: [['0','0'],['0','0']]}\nA_t: {kind: expressions, entries: [['0','0'],['0','0']]}",
			"{equation_share: {weight: 2, threshold: 0.1}, commutator_share: {weight: 3, threshold: 0.2}}", 0.8 - 1e-12, 0.8 + 1e-12},
		// Abelian: A_x = (1 + u)σ_x, A_t = (−u_xx − 3u²)σ_x is flat (mass
		// conservation) with zero commutator: only the commutator hinge.
		{"abelian", "size: 2\nA_x: {kind: expressions, entries: [['0','1 + u'],['1 + u','0']]}\nA_t: {kind: expressions, entries: [['0','-u_xx - 3*u^2'],['-u_xx - 3*u^2','0']]}",
			"{commutator_share: {weight: 1, threshold: 0.25}}", 0.25 - 1e-12, 0.25 + 1e-12},
		// Guards off: the abelian connection has zero loss.
		{"abelian unguarded", "size: 2\nA_x: {kind: expressions, entries: [['0','1 + u'],['1 + u','0']]}\nA_t: {kind: expressions, entries: [['0','-u_xx - 3*u^2'],['-u_xx - 3*u^2','0']]}",
			"{commutator_share: {weight: 0}, equation_share: {threshold: 0}}", 0, 1e-28},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := connectionModel(t, tc.model, 0)
			l := decodeComponent(t, registry.Loss, "zero_curvature", tc.loss).(*losses.ZeroCurvature)
			if err := l.Accepts(m); err != nil {
				t.Fatal(err)
			}
			v, err := l.Loss(m, b, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Item(); !(got >= tc.min && got <= tc.max) {
				t.Errorf("loss %g, want in [%g, %g]", got, tc.min, tc.max)
			}
		})
	}
}

// TestZeroCurvatureGradient compares the parameter gradient with central
// differences, for the polynomial and the MLP ansatz, with the guards
// active (a tight threshold) so that their hinges are differentiated too.
func TestZeroCurvatureGradient(t *testing.T) {
	b := kdvBatch(20, rand.New(rand.NewPCG(2, 2)))
	for _, tc := range []struct{ name, model string }{
		{"polynomial", "size: 2\nspectral: {values: [0.3, -1]}\nA_x: {degree: 1, lambda_degree: 1}\nA_t: {degree: 2}"},
		{"mlp", "size: 2\nA_x: {kind: mlp, hidden: [5]}\nA_t: {kind: mlp, hidden: [5]}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := connectionModel(t, tc.model, 4)
			l := decodeComponent(t, registry.Loss, "zero_curvature", "{equation_share: {threshold: 0.9}, commutator_share: {threshold: 0.9, weight: 0.5}, field_share: {fields: 3, threshold: 0.6}}").(*losses.ZeroCurvature)
			v, err := l.Loss(m, b, true)
			if err != nil {
				t.Fatal(err)
			}
			gs, err := autodiff.Grad(v, m.Params())
			if err != nil {
				t.Fatal(err)
			}
			value := func() float64 {
				v, err := l.Loss(m, b, false)
				if err != nil {
					t.Fatal(err)
				}
				return v.Item()
			}
			const h = 1e-6
			for pi, p := range m.Params() {
				for i := range p.Data() {
					old := p.Data()[i]
					p.Data()[i] = old + h
					up := value()
					p.Data()[i] = old - h
					down := value()
					p.Data()[i] = old
					fd := (up - down) / (2 * h)
					if g := gs[pi].Data()[i]; math.Abs(g-fd) > 1e-6*(1+math.Abs(fd)) {
						t.Fatalf("param %d[%d]: gradient %g, central difference %g", pi, i, g, fd)
					}
				}
			}
		})
	}
}

func TestZeroCurvatureErrors(t *testing.T) {
	l := losses.NewZeroCurvature()
	if err := l.Accepts(&architectures.LaxModel{}); err == nil || !strings.Contains(err.Error(), "lax_connection") {
		t.Errorf("lax_pair model accepted: %v", err)
	}
	m := connectionModel(t, "size: 2", 0)
	b := kdvBatch(3, rand.New(rand.NewPCG(0, 0)))
	b.F = nil
	if _, err := l.Loss(m, b, false); err == nil || !strings.Contains(err.Error(), "field_snapshots") {
		t.Errorf("missing F: %v", err)
	}
	bad := &losses.ZeroCurvature{Epsilon: 0, EquationShare: losses.Guard{Weight: -1, Threshold: 2}}
	err := bad.Validate()
	for _, want := range []string{"epsilon", "equation_share.weight", "equation_share.threshold"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v, want it to name %s", err, want)
		}
	}
}

// pcmBatch draws random jets (a, b) of the principal chiral model's
// currents with ∂_t from a_t = b_x, b_t = a_x − a × b and random ∂_x.
func pcmBatch(n int, rng *rand.Rand) losses.Batch {
	x, dt, dx := make([]float64, 0, 6*n), make([]float64, 0, 6*n), make([]float64, 0, 6*n)
	for range n {
		var a, b, ax, bx [3]float64
		for i := range 3 {
			a[i], b[i], ax[i], bx[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		}
		x = append(x, a[0], a[1], a[2], b[0], b[1], b[2])
		dx = append(dx, ax[0], ax[1], ax[2], bx[0], bx[1], bx[2])
		axb := [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
		dt = append(dt, bx[0], bx[1], bx[2], ax[0]-axb[0], ax[1]-axb[1], ax[2]-axb[2])
	}
	return losses.Batch{X: autodiff.New(x, n, 6), DX: autodiff.New(dt, n, 6), F: autodiff.New(dx, n, 6)}
}

// cross3 writes [v]× for v = (x, y, z) as a YAML matrix of expressions.
func cross3(x, y, z string) string {
	return "[['0', '-(" + z + ")', '" + y + "'], ['" + z + "', '0', '-(" + x + ")'], ['-(" + y + ")', '" + x + "', '0']]"
}

func TestZeroCurvatureFieldShare(t *testing.T) {
	b := pcmBatch(200, rand.New(rand.NewPCG(5, 5)))
	vars := []string{"a1", "a2", "a3", "b1", "b2", "b3"}
	build := func(options string) architectures.Model {
		cfg := decodeComponent(t, registry.Model, "lax_connection", options).(*architectures.LaxConnectionConfig)
		m, err := cfg.Build(architectures.State{Vars: vars}, rand.New(rand.NewPCG(0, 0)))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// λ = 0: the currents themselves, flat by b's equation alone.
	current := build("size: 3\nA_x: {kind: expressions, entries: " + cross3("-b1", "-b2", "-b3") + "}\nA_t: {kind: expressions, entries: " + cross3("-a1", "-a2", "-a3") + "}")
	// λ = 0.5: A_x = −([b] + λ[a])/(1 − λ²), A_t = −([a] + λ[b])/(1 − λ²).
	family := build("size: 3\nA_x: {kind: expressions, entries: " + cross3("-(b1 + 0.5*a1)/0.75", "-(b2 + 0.5*a2)/0.75", "-(b3 + 0.5*a3)/0.75") +
		"}\nA_t: {kind: expressions, entries: " + cross3("-(a1 + 0.5*b1)/0.75", "-(a2 + 0.5*b2)/0.75", "-(a3 + 0.5*b3)/0.75") + "}")
	l := decodeComponent(t, registry.Loss, "zero_curvature", "{equation_share: {weight: 0}, commutator_share: {weight: 0}, field_share: {fields: 6, threshold: 0.01, weight: 2}}").(*losses.ZeroCurvature)
	for _, tc := range []struct {
		name     string
		m        architectures.Model
		min, max float64
	}{
		{"current (λ = 0)", current, 0.06 - 1e-12, 0.06 + 1e-12}, // a1..a3 shares 0: 3 hinges of 2·0.01
		{"λ = 0.5", family, 0, 1e-25},
	} {
		v, err := l.Loss(tc.m, b, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Item(); !(got >= tc.min && got <= tc.max) {
			t.Errorf("%s: loss %g, want in [%g, %g]", tc.name, got, tc.min, tc.max)
		}
	}
	bad := decodeComponent(t, registry.Loss, "zero_curvature", "{field_share: {fields: 4}}").(*losses.ZeroCurvature)
	if _, err := bad.Loss(family, b, false); err == nil || !strings.Contains(err.Error(), "does not divide") {
		t.Errorf("fields 4 for 6 jets: %v", err)
	}
}
