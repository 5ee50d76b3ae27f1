package datasets

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"ansatz/odeint"
	"ansatz/spec"
)

func mustExpressions(t testing.TB, let, values []NamedExpr) *Expressions {
	t.Helper()
	e, err := NewExpressions(let, values)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// twoBodyVars is Greydanus' canonical state order [qx1, qx2, qy1, qy2, px1,
// px2, py1, py2]: x1 is body 1's x, x2 body 2's x, and so on.
var twoBodyVars = []string{"x1", "x2", "y1", "y2", "px1", "px2", "py1", "py2"}

// twoBodyInitial is Greydanus' two-body initial condition: body 1 at
// pos = (a, b), a, b ~ U[0.5, 1.5], with the circular-orbit velocity
// (−b, a)/(2 r^1.5) scaled by 1 + 0.05·N(0, 1); body 2 at (−pos, −vel).
func twoBodyInitial(t testing.TB) *Expressions {
	return mustExpressions(t,
		[]NamedExpr{
			{"a", "uniform(0.5, 1.5)"},
			{"b", "uniform(0.5, 1.5)"},
			{"r", "sqrt(a^2 + b^2)"},
			{"s", "(1 + 0.05*normal(0, 1)) / (2*r^1.5)"},
		},
		[]NamedExpr{
			{"x1", "a"}, {"y1", "b"}, {"px1", "-b*s"}, {"py1", "a*s"},
			{"x2", "-a"}, {"y2", "-b"}, {"px2", "b*s"}, {"py2", "-a*s"},
		})
}

func TestTwoBodyExpressions(t *testing.T) {
	e := twoBodyInitial(t)
	rng := rand.New(rand.NewPCG(11, 12))
	x := make([]float64, 8)
	const samples = 5000
	var sum, sum2 float64
	for range samples {
		if err := e.Sample(rng, twoBodyVars, x); err != nil {
			t.Fatal(err)
		}
		x1, x2, y1, y2, px1, px2, py1, py2 := x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
		if x2 != -x1 || y2 != -y1 || px2 != -px1 || py2 != -py1 {
			t.Fatalf("body 2 %v is not −body 1", x)
		}
		if x1 < 0.5 || x1 >= 1.5 || y1 < 0.5 || y1 >= 1.5 {
			t.Fatalf("position (%v, %v) outside [0.5, 1.5)²", x1, y1)
		}
		r := math.Hypot(x1, y1)
		if dot := x1*px1 + y1*py1; math.Abs(dot) > 1e-12 {
			t.Fatalf("velocity not perpendicular to the position: %v", dot)
		}
		// Circular speed for two unit masses at distance 2r (G = 1): each
		// moves on a circle of radius r with v² = 1/(4r).
		ratio := math.Hypot(px1, py1) * 2 * math.Sqrt(r)
		sum += ratio
		sum2 += ratio * ratio
	}
	mean := sum / samples
	std := math.Sqrt(sum2/samples - mean*mean)
	t.Logf("speed / circular speed: mean %.4f, std %.4f", mean, std)
	// Standard error of the mean 0.05/√5000 ≈ 7e-4.
	if math.Abs(mean-1) > 0.004 || math.Abs(std-0.05) > 0.004 {
		t.Errorf("speed / circular speed has mean %.4f and std %.4f; want 1 and 0.05", mean, std)
	}
}

// gravity is the planar two-body problem with G = m = 1 in Greydanus' state
// order, with its energy.
type gravity struct{}

func (gravity) Variables() []string { return twoBodyVars }
func (gravity) Field(x, dx []float64) {
	rx, ry := x[0]-x[1], x[2]-x[3]
	d3 := math.Pow(rx*rx+ry*ry, 1.5)
	copy(dx[:4], x[4:])
	dx[4], dx[5] = -rx/d3, rx/d3
	dx[6], dx[7] = -ry/d3, ry/d3
}
func (gravity) Energy(x []float64) float64 {
	k := 0.5 * (x[4]*x[4] + x[5]*x[5] + x[6]*x[6] + x[7]*x[7])
	return k - 1/math.Hypot(x[0]-x[1], x[2]-x[3])
}

// TestTwoBodyOrbitsNearCircular generates Greydanus' two-body data and checks
// that the orbits stay near-circular and the energy is conserved.
func TestTwoBodyOrbitsNearCircular(t *testing.T) {
	opts := NewTrajectoryOptions()
	opts.Count, opts.T = 10, TimeGrid{Start: 0, Stop: 20, Points: 50}
	data, err := Generate(gravity{}, twoBodyInitial(t), odeint.NewDopri5(), opts, rand.New(rand.NewPCG(13, 14)))
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []Set{data.Train, data.Test} {
		for j0 := 0; j0 < set.N; j0 += 50 {
			x0 := set.Clean[8*j0 : 8*j0+8]
			r0 := math.Hypot(x0[0], x0[2])
			// With the speed k times the circular one, perpendicular to the
			// position, the orbit is a Kepler ellipse with one apsis at r0
			// and the other at r0·k²/(2 − k²).
			k := math.Hypot(x0[4], x0[6]) * 2 * math.Sqrt(r0)
			rho := k * k / (2 - k*k)
			lo, hi := math.Min(1, rho), math.Max(1, rho)
			for j := j0; j < j0+50; j++ {
				x := set.Clean[8*j : 8*j+8]
				r := math.Hypot(x[0], x[2])
				if r/r0 < lo-1e-7 || r/r0 > hi+1e-7 {
					t.Errorf("trajectory %d (k=%.3f) at t=%.2f: r/r0 = %.6f outside the apsides [%.6f, %.6f]",
						set.Trajectory[j], k, set.T[j], r/r0, lo, hi)
				}
				if e0, e := set.Energy[j0], set.Energy[j]; math.Abs(e-e0) > 1e-7*math.Abs(e0) {
					t.Errorf("trajectory %d at t=%v: energy %v, initially %v", set.Trajectory[j], set.T[j], e, e0)
				}
				if math.Abs(x[1]+x[0]) > 1e-9 || math.Abs(x[3]+x[2]) > 1e-9 {
					t.Errorf("trajectory %d at t=%v: body 2 not opposite body 1", set.Trajectory[j], set.T[j])
				}
			}
		}
	}
}

func TestExpressionsDrawOrder(t *testing.T) {
	e := mustExpressions(t,
		[]NamedExpr{{"u", "uniform(0, 1) - 2*uniform(0, 1)"}, {"n", "normal(u, 2)"}},
		[]NamedExpr{{"y", "uniform(-1, 1)"}, {"x", "n + pi"}})
	x := make([]float64, 2)
	if err := e.Sample(rand.New(rand.NewPCG(1, 2)), []string{"x", "y"}, x); err != nil {
		t.Fatal(err)
	}
	ref := rand.New(rand.NewPCG(1, 2))
	u := ref.Float64() - 2*ref.Float64()
	n := u + 2*ref.NormFloat64()
	// Values are evaluated in the order of the variables: x before y.
	wantX := n + math.Pi
	wantY := -1 + 2*ref.Float64()
	if x[0] != wantX || x[1] != wantY {
		t.Errorf("got %v, want [%v %v]", x, wantX, wantY)
	}
}

func TestExpressionsParameters(t *testing.T) {
	e := mustExpressions(t, []NamedExpr{{"amp", "sqrt(2*E/k)"}}, []NamedExpr{{"q", "amp"}, {"p", "0"}})
	x := make([]float64, 2)
	e.Parameters = map[string]float64{"k": 2, "E": 4}
	if err := e.Sample(rand.New(rand.NewPCG(1, 1)), []string{"q", "p"}, x); err != nil {
		t.Fatal(err)
	}
	if x[0] != 2 || x[1] != 0 {
		t.Errorf("got %v, want [2 0]", x)
	}
}

func TestExpressionsErrors(t *testing.T) {
	vars := []string{"q", "p"}
	values := []NamedExpr{{"q", "1"}, {"p", "0"}}
	cases := []struct {
		name         string
		let, values  []NamedExpr
		params       map[string]float64
		construction bool // the error comes from NewExpressions
		want         []string
	}{
		{"arity", []NamedExpr{{"r", "uniform(0.5)"}}, values, nil, true,
			[]string{"let r: uniform takes 2 arguments, got 1 (column 1)\n | uniform(0.5)\n | ^"}},
		{"unknown function", []NamedExpr{{"r", "2*unifrom(0, 1)"}}, values, nil, true,
			[]string{"let r: unknown function unifrom; did you mean uniform? (column 3)"}},
		{"syntax", nil, []NamedExpr{{"q", "1 +"}, {"p", "0"}}, nil, true,
			[]string{"q: unexpected end of formula (column 4)"}},
		{"unsupported operator", nil, []NamedExpr{{"q", "1 < 2"}, {"p", "0"}}, nil, true,
			[]string{"q: operator < is not supported"}},
		{"self reference", []NamedExpr{{"r", "r + 1"}}, values, nil, true,
			[]string{"let r: let r refers to itself"}},
		{"bad let name", []NamedExpr{{"sin", "1"}}, values, nil, true, []string{`let "sin": sin is a function name`}},
		{"pi", []NamedExpr{{"pi", "3"}}, values, nil, true, []string{"cannot be redefined"}},
		{"duplicate let", []NamedExpr{{"a", "1"}, {"a", "2"}}, values, nil, true, []string{"let a: defined twice"}},
		{"duplicate value", nil, []NamedExpr{{"q", "1"}, {"q", "2"}}, nil, true, []string{"q: value given twice"}},
		{"empty", nil, []NamedExpr{{"q", " "}, {"p", "0"}}, nil, true, []string{"q: empty formula"}},
		{"later let", []NamedExpr{{"a", "b"}, {"b", "1"}}, values, nil, false,
			[]string{"let a: unknown name b: not an earlier let entry, a parameter or pi"}},
		{"typo in a name", []NamedExpr{{"radius", "1"}}, []NamedExpr{{"q", "radius*2"}, {"p", "radus"}}, nil, false,
			[]string{"p: unknown name radus", "did you mean radius?", "(column 1)"}},
		{"value refers to a variable", nil, []NamedExpr{{"q", "1"}, {"p", "-q"}}, nil, false,
			[]string{"p: q is a state variable; initial values cannot refer to each other"}},
		{"missing variable", nil, []NamedExpr{{"q", "1"}}, nil, false, []string{"no initial value for the variable p"}},
		{"unknown variable", nil, []NamedExpr{{"q", "1"}, {"p", "0"}, {"pp", "0"}}, nil, false,
			[]string{"pp: not a variable of the system (variables: q, p); did you mean p?"}},
		{"bad uniform", []NamedExpr{{"a", "uniform(2, 1)"}}, values, nil, false,
			[]string{"let a: uniform(a, b) needs finite a ≤ b, got a=2, b=1"}},
		{"bad normal", nil, []NamedExpr{{"q", "1 + normal(0, -1)"}, {"p", "0"}}, nil, false,
			[]string{"q: normal(mu, sigma) needs a finite mu and sigma ≥ 0", "(column 5)"}},
		{"NaN", []NamedExpr{{"a", "sqrt(-1)"}}, values, nil, false, []string{"let a: evaluates to NaN"}},
		{"let shadows a parameter", []NamedExpr{{"k", "1"}}, values, map[string]float64{"k": 1}, false,
			[]string{"let k: the name is also a parameter"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := NewExpressions(c.let, c.values)
			if (err != nil) != c.construction {
				t.Fatalf("NewExpressions error = %v, want an error: %v", err, c.construction)
			}
			if err == nil {
				e.Parameters = c.params
				err = e.Sample(rand.New(rand.NewPCG(1, 1)), vars, make([]float64, 2))
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain\n%v", err, w)
				}
			}
		})
	}
}

func TestExpressionsMultilineError(t *testing.T) {
	_, err := NewExpressions(nil, []NamedExpr{{"q", "1 +\n  foo(2)"}})
	want := "q: unknown function foo (line 2, column 3)\n |   foo(2)\n |   ^"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%v", err, want)
	}
}

func TestExpressionsAccessors(t *testing.T) {
	let := []NamedExpr{{"a", "1"}}
	values := []NamedExpr{{"q", "a"}}
	e := mustExpressions(t, let, values)
	if !slices.Equal(e.Let(), let) || !slices.Equal(e.Values(), values) {
		t.Errorf("Let() = %v, Values() = %v", e.Let(), e.Values())
	}
}

func TestBox(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	x := make([]float64, 3)
	b := Box{Low: Bounds{-1, 0, 5}, High: Bounds{1, 0, 6}}
	for range 1000 {
		if err := b.Sample(rng, []string{"a", "b", "c"}, x); err != nil {
			t.Fatal(err)
		}
		if x[0] < -1 || x[0] >= 1 || x[1] != 0 || x[2] < 5 || x[2] >= 6 {
			t.Fatalf("%v outside the box", x)
		}
	}
	cases := []struct {
		name string
		box  Box
		want string
	}{
		{"missing low", Box{High: Bounds{1}}, "low is required"},
		{"missing high", Box{Low: Bounds{1}}, "high is required"},
		{"reversed", Box{Low: Bounds{1}, High: Bounds{0}}, "high[0]=0 is below low[0]=1"},
		{"lengths", Box{Low: Bounds{0, 0}, High: Bounds{1, 1, 1}}, "low has 2 values and high 3"},
		{"against the system", Box{Low: Bounds{0, 0}, High: Bounds{1}}, "low has 2 values for the 3 variables"},
		{"infinite", Box{Low: Bounds{math.Inf(-1)}, High: Bounds{1}}, "finite"},
	}
	for _, c := range cases {
		err := c.box.Sample(rng, []string{"a", "b", "c"}, x)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestBoundsYAML(t *testing.T) {
	cases := []struct {
		src  string
		want Box
	}{
		{"low: -1\nhigh: 2.5", Box{Low: Bounds{-1}, High: Bounds{2.5}}},
		{"low: [0, 1]\nhigh: [1, 2]", Box{Low: Bounds{0, 1}, High: Bounds{1, 2}}},
	}
	decode := func(src string) (Box, spec.ErrorList) {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(src), &n); err != nil {
			t.Fatal(err)
		}
		b := NewBox()
		return *b, spec.Decode(n.Content[0], b, "initial", "s.yaml")
	}
	for _, c := range cases {
		b, errs := decode(c.src)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if !slices.Equal(b.Low, c.want.Low) || !slices.Equal(b.High, c.want.High) {
			t.Errorf("%q: got %+v, want %+v", c.src, b, c.want)
		}
	}
	if _, errs := decode("low: {a: 1}"); len(errs) == 0 {
		t.Error("a mapping decoded as bounds")
	}
}

func TestRadiusValidate(t *testing.T) {
	cases := []struct {
		r    Radius
		want string
	}{
		{Radius{0.1, 1}, ""},
		{Radius{0, 0}, ""},
		{Radius{-1, 1}, "min"},
		{Radius{1, 0.5}, "max"},
		{Radius{0, math.Inf(1)}, "max"},
	}
	for _, c := range cases {
		err := c.r.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)) {
			t.Errorf("%+v: got %v, want %q", c.r, err, c.want)
		}
	}
}

// TestBoundsYAML checks that box bounds decode from a number or a list, and
// that a bad value is located.
func TestBoundsDecodeYAML(t *testing.T) {
	for _, c := range []struct {
		src  string
		want Bounds
		err  string
	}{
		{"-1", Bounds{-1}, ""},
		{"[-1, 0.5]", Bounds{-1, 0.5}, ""},
		{"abc", nil, "s.yaml:1:1"},
		{"[1, x]", nil, "s.yaml:1:5"},
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(c.src), &n); err != nil {
			t.Fatal(err)
		}
		var b Bounds
		errs := b.DecodeYAML(n.Content[0], "s.yaml")
		switch {
		case c.err == "" && len(errs) > 0:
			t.Errorf("%s: %v", c.src, errs)
		case c.err == "" && !slices.Equal(b, c.want):
			t.Errorf("%s: %v, want %v", c.src, b, c.want)
		case c.err != "" && (len(errs) == 0 || !strings.Contains(errs.Error(), c.err)):
			t.Errorf("%s: error %v, want one at %s", c.src, errs, c.err)
		}
	}
}
