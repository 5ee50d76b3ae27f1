package datasets

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"ansatz/registry"
	"ansatz/spec"
)

// decodePhaseSpace decodes and provisions phase_space options from YAML.
func decodePhaseSpace(t *testing.T, src string) (*PhaseSpace, spec.ErrorList) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	v, errs := registry.Decode(registry.Data, &spec.Component{Kind: "phase_space", Node: doc.Content[0], Path: "data"})
	if len(errs) > 0 {
		return nil, errs
	}
	p := v.(*PhaseSpace)
	if errs := p.Provision(); len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

func mustPhaseSpace(t *testing.T, src string) *PhaseSpace {
	t.Helper()
	p, errs := decodePhaseSpace(t, src)
	if len(errs) > 0 {
		t.Fatalf("decode %q: %v", src, errs)
	}
	return p
}

// noEnergySystem reports through HasEnergy that its Energy is meaningless,
// as an ODE without an energy expression does.
type noEnergySystem struct{ spring }

func (noEnergySystem) HasEnergy() bool          { return false }
func (noEnergySystem) Energy([]float64) float64 { return math.NaN() }

func TestPhaseSpaceShapesAndExactTargets(t *testing.T) {
	cases := []struct {
		src              string
		wantTrain, wantT int
	}{
		{"initial: {kind: box, low: [-1], high: [1]}\ncount: 1000", 800, 200},
		{"initial: {kind: radius}\ncount: 10\nsplit: {test: 0.3}", 7, 3},
		{"initial: {kind: box, low: [-1, -2], high: [1, 2]}\ncount: 7\nsplit: {test: 0}", 7, 0},
		{"initial: {kind: box, low: [-1], high: [1]}\ncount: 5\nsplit: {test: 0.2, by: trajectory}", 4, 1},
	}
	for _, c := range cases {
		p := mustPhaseSpace(t, c.src)
		if err := p.Check(namedFlow{"q", "p"}, 1); err != nil {
			t.Fatal(err)
		}
		data, err := p.Generate(spring{}, 1, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		if data.Train.N != c.wantTrain || data.Test.N != c.wantT {
			t.Errorf("%q: train %d, test %d; want %d, %d", c.src, data.Train.N, data.Test.N, c.wantTrain, c.wantT)
		}
		if !slices.Equal(data.Vars, []string{"q", "p"}) {
			t.Errorf("Vars = %v", data.Vars)
		}
		seen := map[int]bool{}
		for _, s := range []Set{data.Train, data.Test} {
			n := s.N
			if s.D != 2 || len(s.X) != 2*n || len(s.DX) != 2*n || len(s.F) != 2*n || len(s.Clean) != 2*n ||
				len(s.Energy) != n || len(s.Trajectory) != n || len(s.T) != n {
				t.Fatalf("%q: set lengths do not match N=%d: %+v", c.src, n, s)
			}
			for j := range n {
				x := s.X[2*j : 2*j+2]
				if s.Clean[2*j] != x[0] || s.Clean[2*j+1] != x[1] {
					t.Fatalf("row %d: X differs from Clean", j)
				}
				if s.F[2*j] != 2*x[1] || s.F[2*j+1] != -2*x[0] || s.DX[2*j] != s.F[2*j] || s.DX[2*j+1] != s.F[2*j+1] {
					t.Fatalf("row %d: DX %v, F %v are not f(x) = (2p, −2q) at %v", j, s.DX[2*j:2*j+2], s.F[2*j:2*j+2], x)
				}
				if s.Energy[j] != x[0]*x[0]+x[1]*x[1] {
					t.Fatalf("row %d: energy %v", j, s.Energy[j])
				}
				if s.T[j] != 0 || seen[s.Trajectory[j]] {
					t.Fatalf("row %d: T %v, index %d (repeated: %v)", j, s.T[j], s.Trajectory[j], seen[s.Trajectory[j]])
				}
				seen[s.Trajectory[j]] = true
			}
		}
		if len(seen) != c.wantTrain+c.wantT {
			t.Errorf("%q: %d distinct state indices", c.src, len(seen))
		}
	}
}

func TestPhaseSpaceBoxBounds(t *testing.T) {
	p := mustPhaseSpace(t, "initial: {kind: box, low: [-1, 2], high: [0, 3]}\ncount: 500")
	data, err := p.Generate(spring{}, 1, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for j := range data.Train.N {
		q, pp := data.Train.X[2*j], data.Train.X[2*j+1]
		if q < -1 || q >= 0 || pp < 2 || pp >= 3 {
			t.Fatalf("state (%v, %v) outside the box", q, pp)
		}
	}
}

// TestPhaseSpaceNoise checks the noise on the targets: DX − F has mean 0 and
// standard deviation σ (within 5 standard errors), F stays f(X), and the
// states and the split do not depend on σ (the noise scales).
func TestPhaseSpaceNoise(t *testing.T) {
	const n, sigma = 20000, 0.1
	gen := func(noise float64) *Data {
		p := mustPhaseSpace(t, "initial: {kind: box, low: [-1], high: [1]}\ncount: 20000\nsplit: {test: 0.5}")
		p.Noise = noise
		data, err := p.Generate(spring{}, 1, rand.New(rand.NewPCG(7, 8)))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a, b, clean := gen(sigma), gen(2*sigma), gen(0)
	var sum, sum2 float64
	var m int
	for _, s := range []Set{a.Train, a.Test} {
		for j := range s.N {
			x := s.X[2*j : 2*j+2]
			if s.F[2*j] != 2*x[1] || s.F[2*j+1] != -2*x[0] {
				t.Fatalf("F is not f(X) with noise at row %d", j)
			}
			for k := range 2 {
				e := s.DX[2*j+k] - s.F[2*j+k]
				sum += e
				sum2 += e * e
				m++
			}
		}
	}
	if m != 2*n {
		t.Fatalf("%d noise values, want %d", m, 2*n)
	}
	mean := sum / float64(m)
	std := math.Sqrt(sum2/float64(m) - mean*mean)
	if math.Abs(mean) > 5*sigma/math.Sqrt(float64(m)) {
		t.Errorf("noise mean %v, want 0 ± %v", mean, 5*sigma/math.Sqrt(float64(m)))
	}
	if math.Abs(std-sigma) > 5*sigma/math.Sqrt(2*float64(m)) {
		t.Errorf("noise std %v, want %v ± %v", std, sigma, 5*sigma/math.Sqrt(2*float64(m)))
	}
	if !reflect.DeepEqual(a.Test.X, b.Test.X) || !reflect.DeepEqual(a.Test.X, clean.Test.X) {
		t.Fatal("the states or the split depend on the noise level")
	}
	for i := range a.Test.DX {
		ea, eb := a.Test.DX[i]-a.Test.F[i], b.Test.DX[i]-b.Test.F[i]
		if math.Abs(eb-2*ea) > 1e-12 {
			t.Fatalf("value %d: noise %v at 2σ is not twice %v", i, eb, ea)
		}
	}
}

func TestPhaseSpaceDeterministic(t *testing.T) {
	for _, src := range []string{
		"initial: {kind: radius}\ncount: 50\nnoise: 0.1",
		"initial: {kind: radius}\nfrom: trajectories\ncount: 4\nt: {stop: 1, points: 5}\nnoise: 0.1",
	} {
		gen := func(seed uint64) *Data {
			data, err := mustPhaseSpace(t, src).Generate(spring{}, 1, rand.New(rand.NewPCG(seed, 1)))
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
		if !reflect.DeepEqual(gen(1), gen(1)) {
			t.Errorf("%q: the same seed gives different data", src)
		}
		if reflect.DeepEqual(gen(1).Train.X, gen(2).Train.X) {
			t.Errorf("%q: different seeds give the same data", src)
		}
	}
}

// TestPhaseSpaceTrajectories checks from: trajectories against the spring's
// closed-form solution, and both split modes.
func TestPhaseSpaceTrajectories(t *testing.T) {
	cases := []struct {
		split            string
		wantTrain, wantT int
		whole            bool
	}{
		{"{test: 0.2, by: trajectory}", 44, 11, true},
		{"{test: 0.2}", 44, 11, false},
	}
	for _, c := range cases {
		p := mustPhaseSpace(t, "initial: {kind: radius}\nfrom: trajectories\ncount: 5\nt: {stop: 1, points: 11}\nsplit: "+c.split)
		if p.Integrator == nil || p.Integrator.Kind != "dopri5" || p.Integrator.Path != "data.integrator" {
			t.Fatalf("default integrator %+v", p.Integrator)
		}
		data, err := p.Generate(spring{}, 1, rand.New(rand.NewPCG(5, 6)))
		if err != nil {
			t.Fatal(err)
		}
		if data.Train.N != c.wantTrain || data.Test.N != c.wantT {
			t.Errorf("split %s: train %d, test %d; want %d, %d", c.split, data.Train.N, data.Test.N, c.wantTrain, c.wantT)
		}
		testTraj := map[int]bool{}
		for _, s := range []Set{data.Train, data.Test} {
			x0 := map[int][]float64{}
			for j := range s.N {
				if s.T[j] == 0 {
					x0[s.Trajectory[j]] = s.X[2*j : 2*j+2]
				}
			}
			for j := range s.N {
				if s.F[2*j] != 2*s.X[2*j+1] || s.DX[2*j+1] != -2*s.X[2*j] {
					t.Fatalf("row %d: targets are not f(x)", j)
				}
				if start, ok := x0[s.Trajectory[j]]; ok {
					q, pp := spring{}.exact(start, s.T[j])
					if math.Abs(q-s.X[2*j]) > 1e-8 || math.Abs(pp-s.X[2*j+1]) > 1e-8 {
						t.Fatalf("trajectory %d at t=%v: (%v, %v), exact (%v, %v)", s.Trajectory[j], s.T[j], s.X[2*j], s.X[2*j+1], q, pp)
					}
				}
			}
		}
		for _, k := range data.Test.Trajectory {
			testTraj[k] = true
		}
		if c.whole && len(testTraj) != 1 {
			t.Errorf("split by trajectory: test rows come from %d trajectories", len(testTraj))
		}
	}
}

func TestPhaseSpaceNonFinite(t *testing.T) {
	blowUp := funcSystem{vars: []string{"q", "p"}, f: func(x, dx []float64) {
		dx[0] = x[1]
		dx[1] = -1 / (x[0] - x[0]) // 1/0 at every state: −Inf, or NaN for q = ±Inf
	}}
	_, err := mustPhaseSpace(t, "initial: {kind: box, low: [0.5], high: [1]}\ncount: 10").Generate(blowUp, 1, rand.New(rand.NewPCG(1, 2)))
	if err == nil || !strings.Contains(err.Error(), "state 0 (q=") || !strings.Contains(err.Error(), "p' = -Inf") {
		t.Errorf("error %v; want one naming state 0 and p' = -Inf", err)
	}
	nanAbove := funcSystem{vars: []string{"q", "p"}, f: func(x, dx []float64) {
		dx[0], dx[1] = math.Sqrt(0.9-x[0]), 0
	}}
	_, err = mustPhaseSpace(t, "initial: {kind: box, low: [0], high: [1]}\ncount: 100").Generate(nanAbove, 1, rand.New(rand.NewPCG(1, 2)))
	if err == nil || !strings.Contains(err.Error(), "q' = NaN") || !strings.Contains(err.Error(), "sqrt") {
		t.Errorf("error %v; want q' = NaN with a hint", err)
	}
}

func TestPhaseSpaceEnergy(t *testing.T) {
	p := mustPhaseSpace(t, "initial: {kind: radius}\ncount: 10")
	for _, c := range []struct {
		sys  System
		want bool
	}{{spring{}, true}, {noEnergySystem{}, false}, {funcSystem{vars: []string{"q", "p"}, f: spring{}.Field}, false}} {
		data, err := p.Generate(c.sys, 1, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		if (data.Train.Energy != nil) != c.want {
			t.Errorf("%T: energy %v, want present %v", c.sys, data.Train.Energy, c.want)
		}
	}
}

func TestPhaseSpaceOptionErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"count: 10", `missing required key "initial"`},
		{"initial: {kind: radius}\ncount: 0", "count"},
		{"initial: {kind: radius}\nnoise: -1", "noise"},
		{"initial: {kind: radius}\nt: {stop: 1, points: 3}", "data.t: applies only with from: trajectories"},
		{"initial: {kind: radius}\nintegrator: rk4", "data.integrator: applies only with from: trajectories"},
		{"initial: {kind: radius}\nfrom: trajectories", "data.t: is required with from: trajectories"},
		{"initial: {kind: radius}\nfrom: sideways", "from"},
		{"initial: {kind: radius}\ncount: 1", "leaves no training data with 1 states"},
		{"initial: {kind: radius}\nfrom: trajectories\ncount: 1\nt: {stop: 1, points: 3}\nsplit: {test: 0.5, by: trajectory}", "leaves no training data with 1 trajectories"},
		{"initial: {kind: radius}\nfrom: trajectories\nt: {stop: 1, points: 3}\nintegrator: {kind: rk4, dt: -1}", "dt must be positive"},
		{"initial: {kind: radiu}", "did you mean"},
		{"initial: {kind: radius}\ncolor: red", "color"},
	}
	for _, c := range cases {
		_, errs := decodePhaseSpace(t, c.src)
		if len(errs) == 0 || !strings.Contains(errs.Error(), c.want) {
			t.Errorf("%q: errors %v; want one containing %q", c.src, errs, c.want)
		}
	}
}

// namedFlow is a dynamical system with the given variables and ẋ = 0.
type namedFlow []string

func (n namedFlow) Variables() []string   { return n }
func (n namedFlow) Field(_, dx []float64) { clear(dx) }

// namesOnly is a system without equations of motion.
type namesOnly []string

func (n namesOnly) Variables() []string { return n }

func TestPhaseSpaceCheck(t *testing.T) {
	if err := mustPhaseSpace(t, "initial: {kind: radius}\ncount: 10").Check(namesOnly{"q", "p"}, 1); err == nil || !strings.Contains(err.Error(), "needs a dynamical system") {
		t.Errorf("Check on a system without equations: %v; want it refused", err)
	}
	if err := mustPhaseSpace(t, "initial: {kind: radius}\ncount: 10").Check(nil, 0); err == nil || !strings.Contains(err.Error(), "declares none") {
		t.Errorf("Check without a system: %v; want it refused", err)
	}
	p := mustPhaseSpace(t, "initial: {kind: expressions, values: {q: 'uniform(-1, 1)'}}\ncount: 10")
	if err := p.Check(namedFlow{"q", "p"}, 1); err == nil || !strings.Contains(err.Error(), "no formula for p") {
		t.Errorf("Check: %v; want a missing formula for p", err)
	}
	p = mustPhaseSpace(t, "initial: {kind: radius}\nfrom: trajectories\nt: {stop: 1, points: 3}\nintegrator: leapfrog")
	if err := p.Check(namedFlow{"x", "y", "z"}, 0); err == nil || !strings.Contains(err.Error(), "leapfrog") {
		t.Errorf("Check: %v; want leapfrog to be refused without coordinates", err)
	}
	if err := p.Check(namedFlow{"q", "p"}, 1); err != nil {
		t.Errorf("Check: %v", err)
	}
}
