package fieldtheory

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"ansatz/registry"
	"ansatz/spec"
	"ansatz/systems"
)

// decode decodes a component of kind from YAML (file "spec.yaml").
func decode(t *testing.T, kind registry.Kind, name, src string) (any, spec.ErrorList) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return registry.Decode(kind, &spec.Component{Kind: name, Node: doc.Content[0], Path: string(kind), File: "spec.yaml"})
}

func buildSystem(t *testing.T, src string) (systems.System, error) {
	t.Helper()
	v, errs := decode(t, registry.System, "field", src)
	if len(errs) > 0 {
		return nil, errs
	}
	return v.(systems.Builder).Build()
}

const kdvYAML = `fields: [u]
domain: {length: 20, points: 128, periodic: true}
equations:
  u_t: "-u_3x - 6*u*u_x"
conserved: {mass: "u", energy: "u_x^2/2 - u^3"}
`

// TestSpecErrors: bad input is reported at file:line:col, inside the
// expression where the error is.
func TestSpecErrors(t *testing.T) {
	cases := []struct {
		name, src string
		want      string // substring of the error, which starts with the position
	}{
		{"non-periodic", "fields: [u]\ndomain: {length: 20, points: 128, periodic: false}\nequations: {u_t: \"-u_xxx\"}\n",
			"spec.yaml:2:45: system.domain.periodic: the pseudo-spectral integrator needs a periodic domain"},
		{"odd points", "fields: [u]\ndomain: {length: 20, points: 127}\nequations: {u_t: \"-u_xxx\"}\n",
			"spec.yaml:2:30: system.domain.points: must be an even number"},
		{"unknown jet", "fields: [u]\ndomain: {length: 20, points: 128}\nequations: {u_t: \"-v_xxx\"}\n",
			"spec.yaml:3:20: system.equations.u_t: unknown name v_xxx"},
		{"order too high", "fields: [u]\ndomain: {length: 20, points: 128}\nequations: {u_t: \"u*u_11x\"}\n",
			"spec.yaml:3:21: system.equations.u_t: u_11x is a derivative of order 11; the highest order is 10"},
		{"not a field", "fields: [u]\ndomain: {length: 20, points: 128}\nequations: {ut: \"-u_xxx\"}\n",
			"system.equations.ut: ut is not the time derivative of a field (keys are u_t); did you mean u_t?"},
		{"constraint with derivative", "fields: [u, v]\ndomain: {length: 20, points: 128}\nequations: {u_t: \"v\", v_t: \"u\"}\nconstraint: \"u^2 + v_x\"\n",
			"spec.yaml:4:20: system.constraint: a constraint is a function of the fields only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := buildSystem(t, c.src)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %q", err, c.want)
			}
		})
	}
}

// TestDataSpecErrors: errors of the data options against the system.
func TestDataSpecErrors(t *testing.T) {
	heis := `fields: [S1, S2, S3]
domain: {length: 6.283185307179586, points: 64}
equations:
  S1_t: "S2*S3_xx - S3*S2_xx"
  S2_t: "S3*S1_xx - S1*S3_xx"
  S3_t: "S1*S2_xx - S2*S1_xx"
constraint: "S1^2 + S2^2 + S3^2 - 1"
`
	fifth := "fields: [u]\ndomain: {length: 20, points: 128}\nequations:\n  u_t: \"-u_xxxxx - 10*u*u_xxx\"\n"
	cases := []struct {
		name, sys, data, want string
	}{
		{"derivatives above what the data provide", fifth, "initial: {random: {amplitude: 1, modes: 3}}\norder: 6\n",
			"spec.yaml:4:10: equations.u_t: the equations have order 5; jets of order 6 (data option order) need their time derivatives up to order 11, above the 10 the spectral data provide"},
		{"constraint violated by the initial values", heis, "initial:\n  values: {S1: \"cos(x)\", S2: \"sin(x)\", S3: \"0.1\"}\n",
			"spec.yaml:2:16: initial.values.S1: the initial values violate the constraint"},
		{"initial value not a field", kdvYAML, "initial:\n  values: {w: \"cos(x)\"}\n", "initial.values.w: w is not a field"},
		{"unknown name in an initial value", kdvYAML, "initial:\n  let: {k: \"uniform(0.5, 1)\"}\n  values: {u: \"2*k^2/cosh(kk*x)^2\"}\n",
			"spec.yaml:3:27: initial.values.u: unknown name kk"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sys, err := buildSystem(t, c.sys)
			if err != nil {
				t.Fatal(err)
			}
			v, errs := decode(t, registry.Data, "field_snapshots", c.data)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			err = v.(*FieldSnapshots).Check(sys, 0)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %q", err, c.want)
			}
		})
	}
	// Options that are wrong on their own fail when decoded.
	_, errs := decode(t, registry.Data, "field_snapshots", "count: 0\ninitial: {random: {amplitude: 1, modes: 0}}\n")
	if got := errs.Error(); !strings.Contains(got, "spec.yaml:1:8: data.count: must be ≥ 1") || !strings.Contains(got, "data.initial.random.modes: must be ≥ 1") {
		t.Errorf("got %v", got)
	}
}

// TestSolitonData: a KdV soliton from let draws and values; the data
// describe the jets u, u_x, u_xx and their derivatives agree with the
// spectral ones (∂_x^k of the pointwise u_t).
func TestSolitonData(t *testing.T) {
	sys, err := buildSystem(t, kdvYAML)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := decode(t, registry.Data, "field_snapshots", `initial:
  let: {k: "uniform(0.6, 0.9)", x0: "uniform(5, 15)"}
  values: {u: "2*k^2/cosh(k*(x - x0))^2 + 2*k^2/cosh(k*(x - x0 + L))^2 + 2*k^2/cosh(k*(x - x0 - L))^2"}
count: 2
t: {start: 0, stop: 0.5, points: 3}
split: {test: 0}
`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	o := v.(*FieldSnapshots)
	if err := o.Check(sys, 0); err != nil {
		t.Fatal(err)
	}
	desc, err := o.Describe(sys)
	if err != nil || strings.Join(desc.Vars, " ") != "u u_x u_xx" {
		t.Fatalf("Describe: %v, %v", desc, err)
	}
	res, err := o.Make(sys.(*System), rand.New(rand.NewPCG(7, 8)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checks %v", res.Checks)
	s := sys.(*System)
	grid := NewGrid(s.Domain())
	obs, err := NewObserver(s, grid, 3)
	if err != nil {
		t.Fatal(err)
	}
	n := grid.Points()
	d := res.Data.Train
	ut := make([]float64, n)
	der := [][]float64{make([]float64, n), make([]float64, n), make([]float64, n)}
	for i, sol := range res.Solutions {
		for k := range 3 {
			obs.Load(sol[k*n : (k+1)*n])
			obs.TimeDerivative(ut)
			grid.Jets(ut, 2, der)
			var worst [3]float64
			var scale [3]float64
			for j := range n {
				row := (i*3+k)*n + j
				for m := range 3 {
					worst[m] = math.Max(worst[m], math.Abs(d.DX[row*3+m]-der[m][j]))
					scale[m] = math.Max(scale[m], math.Abs(der[m][j]))
				}
				if d.X[row*3] != obs.Jet(0)[j] || d.F[row*3+2] != obs.Jet(3)[j] {
					t.Fatalf("row %d: X or F is not the spectral jet", row)
				}
			}
			for m := range 3 {
				if worst[m] > 1e-8*scale[m] {
					t.Errorf("trajectory %d, snapshot %d: ∂_t of jet %d differs from the spectral derivative by %.3g (scale %.3g)", i, k, m, worst[m], scale[m])
				}
			}
		}
	}
}

// TestRandomJetsConstraint: random jets of the Heisenberg magnet lie on
// |S| = 1 with S·S_x = 0 and S·S_xx + |S_x|² = 0.
func TestRandomJetsConstraint(t *testing.T) {
	s := heisenberg(t, 64)
	x, _, _, err := s.RandomJets(rand.New(rand.NewPCG(1, 1)), 200, 2, 1.5)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		j := x[i*9 : (i+1)*9]
		var c0, c1, c2 float64
		for a := range 3 {
			c0 += j[3*a] * j[3*a]
			c1 += j[3*a] * j[3*a+1]
			c2 += j[3*a]*j[3*a+2] + j[3*a+1]*j[3*a+1]
		}
		if math.Abs(c0-1) > 1e-13 || math.Abs(c1) > 1e-12 || math.Abs(c2) > 1e-11 {
			t.Fatalf("point %d: |S|²−1 = %g, S·S_x = %g, S·S_xx + |S_x|² = %g", i, c0-1, c1, c2)
		}
	}
	if _, _, _, err := s.RandomJets(rand.New(rand.NewPCG(1, 1)), 1, MaxOrder, 1); err == nil {
		t.Error("jets of order MaxOrder: want an error (their derivatives exceed MaxOrder)")
	}
}

func TestParseJet(t *testing.T) {
	fields := []string{"u", "phi", "S1"}
	cases := []struct {
		name  string
		field string
		order int
		ok    bool
	}{
		{"u", "u", 0, true}, {"u_x", "u", 1, true}, {"u_xxx", "u", 3, true}, {"u_3x", "u", 3, true},
		{"u_1x", "u", 1, true}, {"phi_xx", "phi", 2, true}, {"S1_12x", "S1", 12, true},
		{"u_t", "", 0, false}, {"u_", "", 0, false}, {"u_0x", "", 0, false}, {"v_x", "", 0, false}, {"ux", "", 0, false},
	}
	for _, c := range cases {
		f, k, ok := ParseJet(c.name, fields)
		if f != c.field || k != c.order || ok != c.ok {
			t.Errorf("ParseJet(%q) = %q, %d, %v; want %q, %d, %v", c.name, f, k, ok, c.field, c.order, c.ok)
		}
	}
	if got := strings.Join(sineGordon(t, 64).Jets(2), " "); got != "phi phi_x phi_xx p p_x p_xx" {
		t.Errorf("Jets(2) = %s", got)
	}
}

func TestRandomRequired(t *testing.T) {
	_, errs := decode(t, registry.Data, "field_snapshots", "initial: {random: {modes: 3}}\n")
	if !strings.Contains(errs.Error(), "amplitude") {
		t.Errorf("got %v", errs)
	}
}
