package datasets

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ansatz/odeint"
)

// spring is Greydanus' spring H = q² + p²: q̇ = 2p, ṗ = −2q.
type spring struct{}

func (spring) Variables() []string { return []string{"q", "p"} }
func (spring) Field(x, dx []float64) {
	dx[0] = 2 * x[1]
	dx[1] = -2 * x[0]
}
func (spring) Energy(x []float64) float64 { return x[0]*x[0] + x[1]*x[1] }

// exact is the spring's solution: a clockwise rotation at angular speed 2.
func (spring) exact(x0 []float64, t float64) (q, p float64) {
	c, s := math.Cos(2*t), math.Sin(2*t)
	return x0[0]*c + x0[1]*s, -x0[0]*s + x0[1]*c
}

// funcSystem is a system given by a function, without energy.
type funcSystem struct {
	vars []string
	f    func(x, dx []float64)
}

func (s funcSystem) Variables() []string   { return s.vars }
func (s funcSystem) Field(x, dx []float64) { s.f(x, dx) }

// greydanusSpring are the options of Greydanus' spring data.
func greydanusSpring() TrajectoryOptions {
	o := NewTrajectoryOptions()
	o.T = TimeGrid{Start: 0, Stop: 3, Points: 30}
	o.Noise = 0.1
	return o
}

func TestSpringRadiusExactTargets(t *testing.T) {
	opts := greydanusSpring()
	opts.Noise = 0
	radius := &Radius{Min: 0.1, Max: 1}
	data, err := Generate(spring{}, radius, odeint.NewDopri5(), opts, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if data.Train.N != 750 || data.Test.N != 750 || data.Train.D != 2 {
		t.Fatalf("sizes train %d, test %d, D %d; want 750, 750, 2 as in Greydanus et al.", data.Train.N, data.Test.N, data.Train.D)
	}
	if !slices.Equal(data.Vars, []string{"q", "p"}) {
		t.Errorf("Vars = %v", data.Vars)
	}
	worst := 0.0
	for _, set := range []Set{data.Train, data.Test} {
		var x0 []float64
		for j := range set.N {
			x := set.Clean[2*j : 2*j+2]
			if set.T[j] == 0 {
				x0 = x
				r := math.Hypot(x[0], x[1])
				if r < radius.Min || r > radius.Max {
					t.Errorf("trajectory %d starts at radius %v, outside [0.1, 1]", set.Trajectory[j], r)
				}
			}
			q, p := spring{}.exact(x0, set.T[j])
			worst = math.Max(worst, math.Max(math.Abs(x[0]-q), math.Abs(x[1]-p)))
			if set.DX[2*j] != 2*x[1] || set.DX[2*j+1] != -2*x[0] {
				t.Fatalf("row %d: target %v is not f(x) = (2p, −2q) at %v", j, set.DX[2*j:2*j+2], x)
			}
			if set.X[2*j] != x[0] || set.X[2*j+1] != x[1] {
				t.Fatalf("row %d: noise added with noise 0", j)
			}
			if e := x[0]*x[0] + x[1]*x[1]; set.Energy[j] != e {
				t.Fatalf("row %d: energy %v, want %v", j, set.Energy[j], e)
			}
		}
	}
	t.Logf("largest deviation from the closed form: %.2e", worst)
	if worst > 1e-8 {
		t.Errorf("states deviate from the closed form by %.3e", worst)
	}
	// Rows are ordered by trajectory, then time, and the time grid is exact.
	ts := opts.T.Times()
	for j := range data.Train.N {
		if data.Train.T[j] != ts[j%30] || j > 0 && data.Train.Trajectory[j] < data.Train.Trajectory[j-1] {
			t.Fatalf("row %d: trajectory %d at t=%v out of order", j, data.Train.Trajectory[j], data.Train.T[j])
		}
	}
}

func TestRadiusDirectionUniform(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []struct {
		d        int
		min, max float64
	}{{1, 0.5, 0.5}, {2, 0.1, 1}, {3, 1, 2}, {6, 0, 3}}
	const samples = 20000
	for _, c := range cases {
		vars := make([]string, c.d)
		x := make([]float64, c.d)
		mean := make([]float64, c.d)
		second := make([]float64, c.d)
		rSum := 0.0
		for range samples {
			if err := (Radius{Min: c.min, Max: c.max}).Sample(rng, vars, x); err != nil {
				t.Fatal(err)
			}
			r := math.Sqrt(dot(x, x))
			if r < c.min-1e-12 || r > c.max+1e-12 {
				t.Fatalf("d=%d: radius %v outside [%v, %v]", c.d, r, c.min, c.max)
			}
			rSum += r
			for i, v := range x {
				if r > 0 {
					mean[i] += v / r / samples
					second[i] += v * v / (r * r) / samples
				}
			}
		}
		// The mean radius of U[min, max] is (min+max)/2 with standard error
		// (max−min)/√(12·samples) ≈ 0.002·(max−min).
		if got, want := rSum/samples, (c.min+c.max)/2; math.Abs(got-want) > 0.01*(c.max-c.min)+1e-12 {
			t.Errorf("d=%d: mean radius %.4f, want %.4f", c.d, got, want)
		}
		// A uniform direction u has E[u_i] = 0 and E[u_i²] = 1/d.
		for i := range c.d {
			if math.Abs(mean[i]) > 0.03 || math.Abs(second[i]-1/float64(c.d)) > 0.02 {
				t.Errorf("d=%d, component %d: E[u]=%.4f, E[u²]=%.4f; want 0 and %.4f", c.d, i, mean[i], second[i], 1/float64(c.d))
			}
		}
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func TestNoiseStatistics(t *testing.T) {
	opts := greydanusSpring()
	opts.Count = 100
	data, err := Generate(spring{}, NewRadius(), odeint.NewRK4(), opts, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	for name, set := range map[string]Set{"train": data.Train, "test": data.Test} {
		for i := range set.D {
			var sum, sum2 float64
			for j := range set.N {
				e := set.X[j*set.D+i] - set.Clean[j*set.D+i]
				sum += e
				sum2 += e * e
			}
			n := float64(set.N)
			mean, std := sum/n, math.Sqrt(sum2/n-(sum/n)*(sum/n))
			// 1500 samples: the standard error of the mean is 0.1/√1500 ≈ 0.0026,
			// that of the standard deviation 0.1/√3000 ≈ 0.0018.
			if math.Abs(mean) > 0.01 || math.Abs(std-0.1) > 0.008 {
				t.Errorf("%s, %s: noise mean %.4f, std %.4f; want 0 and 0.1", name, data.Vars[i], mean, std)
			}
		}
		for j := range set.N {
			x := set.Clean[2*j : 2*j+2]
			if set.DX[2*j] != 2*x[1] || set.DX[2*j+1] != -2*x[0] {
				t.Fatalf("%s row %d: the target is not f at the clean state", name, j)
			}
		}
	}
}

// TestNoiseDoesNotChangeSplit checks the documented order of draws: the
// initial conditions and the split do not depend on the noise level.
func TestNoiseDoesNotChangeSplit(t *testing.T) {
	gen := func(noise float64) *Data {
		opts := greydanusSpring()
		opts.Count, opts.Noise = 10, noise
		data, err := Generate(spring{}, NewRadius(), odeint.NewRK4(), opts, rand.New(rand.NewPCG(7, 8)))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a, b := gen(0), gen(0.3)
	if !reflect.DeepEqual(a.Train.Clean, b.Train.Clean) || !reflect.DeepEqual(a.Test.Trajectory, b.Test.Trajectory) {
		t.Error("the noise level changed the initial conditions or the split")
	}
}

func TestSplitSizes(t *testing.T) {
	cases := []struct {
		count, points int
		test          float64
		by            string
		wantTest      int // rows
	}{
		{50, 30, 0.5, SplitByTrajectory, 25 * 30},
		{10, 5, 0.3, SplitByTrajectory, 3 * 5}, // 0.3·10 = 3.0000000000000004: 3, not 4
		{10, 5, 0.25, SplitByTrajectory, 3 * 5},
		{10, 5, 0, SplitByTrajectory, 0},
		{7, 1, 0.01, SplitByTrajectory, 1},
		{10, 5, 0.5, SplitByPoint, 25},
		{10, 7, 0.1, SplitByPoint, 7},
		{3, 3, 0.3, SplitByPoint, 3},
	}
	for _, c := range cases {
		opts := NewTrajectoryOptions()
		opts.Count, opts.T = c.count, TimeGrid{Start: 0, Stop: 1, Points: c.points}
		opts.Split = SplitOptions{Test: c.test, By: c.by}
		data, err := Generate(spring{}, NewRadius(), odeint.NewRK4(), opts, rand.New(rand.NewPCG(9, 10)))
		if err != nil {
			t.Fatal(err)
		}
		total := c.count * c.points
		if data.Test.N != c.wantTest || data.Train.N != total-c.wantTest {
			t.Errorf("%+v: train %d, test %d; want %d, %d", c, data.Train.N, data.Test.N, total-c.wantTest, c.wantTest)
		}
		// Every (trajectory, time) appears exactly once across the sets.
		seen := map[[2]float64]int{}
		for _, set := range []Set{data.Train, data.Test} {
			if len(set.X) != set.N*2 || len(set.DX) != set.N*2 || len(set.T) != set.N || len(set.Trajectory) != set.N {
				t.Fatalf("%+v: inconsistent slice lengths", c)
			}
			for j := range set.N {
				seen[[2]float64{float64(set.Trajectory[j]), set.T[j]}]++
			}
		}
		if len(seen) != total {
			t.Errorf("%+v: %d distinct rows, want %d", c, len(seen), total)
		}
		if c.by == SplitByTrajectory {
			for _, tr := range data.Test.Trajectory {
				if slices.Contains(data.Train.Trajectory, tr) {
					t.Errorf("%+v: trajectory %d in both sets", c, tr)
				}
			}
		}
	}
}

func TestDeterminism(t *testing.T) {
	gen := func(seed uint64, by string) *Data {
		opts := greydanusSpring()
		opts.Count = 8
		opts.Split.By = by
		data, err := Generate(spring{}, NewRadius(), odeint.NewDopri5(), opts, rand.New(rand.NewPCG(seed, 0)))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, by := range []string{SplitByTrajectory, SplitByPoint} {
		a, b, c := gen(1, by), gen(1, by), gen(2, by)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("by %s: the same seed gave different data", by)
		}
		if reflect.DeepEqual(a.Train.X, c.Train.X) {
			t.Errorf("by %s: different seeds gave the same data", by)
		}
	}
}

func TestNonFiniteErrors(t *testing.T) {
	// q̇ = 1, ṗ = 1/sqrt(1 − q): NaN once q passes 1, at t ≈ 1 − q0.
	sqrtField := funcSystem{[]string{"q", "p"}, func(x, dx []float64) {
		dx[0], dx[1] = 1, 1/math.Sqrt(1-x[0])
	}}
	// ṗ = q/q: NaN at q = 0 exactly.
	zeroOverZero := funcSystem{[]string{"q", "p"}, func(x, dx []float64) {
		dx[0], dx[1] = x[1], -x[0]/x[0]
	}}
	// q̇ = q²: blows up at t = 1/q0.
	blowUp := funcSystem{[]string{"q"}, func(x, dx []float64) { dx[0] = x[0] * x[0] }}
	opts := NewTrajectoryOptions()
	opts.Count, opts.T = 5, TimeGrid{Start: 0, Stop: 2, Points: 21}
	cases := []struct {
		name    string
		sys     System
		sampler Sampler
		integ   odeint.Integrator
		want    []string
	}{
		{"NaN in the integration", sqrtField, &Box{Low: Bounds{0.3, 0}, High: Bounds{0.5, 0}}, odeint.NewRK4(),
			[]string{"trajectory 0 at t=0.", ": p is NaN; the equations may divide by zero"}},
		{"NaN at the initial state", zeroOverZero, &Box{Low: Bounds{0}, High: Bounds{0}}, odeint.NewRK4(),
			[]string{"trajectory 0 at t=0: the derivative of p is NaN"}},
		{"blow-up", blowUp, &Box{Low: Bounds{1}, High: Bounds{1}}, odeint.NewRK4(),
			[]string{"trajectory 0 at t=1.0", "the derivative of q is +Inf", "blow up"}},
		{"blow-up, adaptive", blowUp, &Box{Low: Bounds{1}, High: Bounds{1}}, odeint.NewDopri5(),
			[]string{"trajectory 0: dopri5: step size", "underflows at t=0.9999"}},
		{"NaN target at a recorded state", zeroOverZero, &Box{Low: Bounds{-1, 1}, High: Bounds{-1, 1}}, crossesZero{},
			[]string{"trajectory 0 at t=1: the derivative of p is NaN"}},
		{"NaN initial condition", spring{}, mustExpressions(t, nil, []NamedExpr{{"q", "log(-1)"}, {"p", "0"}}), odeint.NewRK4(),
			[]string{"trajectory 0: initial condition: q: evaluates to NaN"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Generate(c.sys, c.sampler, c.integ, opts, rand.New(rand.NewPCG(1, 1)))
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	t.Run("unwraps to the integrator's error", func(t *testing.T) {
		_, err := Generate(blowUp, &Box{Low: Bounds{1}, High: Bounds{1}}, odeint.NewRK4(), opts, rand.New(rand.NewPCG(1, 1)))
		var nf *odeint.NonFiniteError
		if !errors.As(err, &nf) || nf.Index != 0 {
			t.Errorf("errors.As(*odeint.NonFiniteError) failed for %v", err)
		}
	})
}

// crossesZero is a fake integrator whose state moves linearly from x0 to
// −x0 between t = 0 and t = 2, passing through 0 at t = 1.
type crossesZero struct{}

func (crossesZero) Integrate(_ odeint.Field, x0, ts []float64) ([]float64, error) {
	out := make([]float64, 0, len(ts)*len(x0))
	for _, t := range ts {
		for _, v := range x0 {
			out = append(out, v*(1-t))
		}
	}
	return out, nil
}

func TestOptionsValidate(t *testing.T) {
	valid := greydanusSpring()
	cases := []struct {
		name string
		edit func(*TrajectoryOptions)
		want string
	}{
		{"valid", func(*TrajectoryOptions) {}, ""},
		{"count", func(o *TrajectoryOptions) { o.Count = 0 }, "count"},
		{"missing grid", func(o *TrajectoryOptions) { o.T = TimeGrid{} }, "t.points"},
		{"reversed grid", func(o *TrajectoryOptions) { o.T.Stop = -1 }, "t.stop"},
		{"one point", func(o *TrajectoryOptions) { o.T = TimeGrid{Start: 2, Stop: 0, Points: 1} }, ""},
		{"noise", func(o *TrajectoryOptions) { o.Noise = -0.1 }, "noise"},
		{"test fraction", func(o *TrajectoryOptions) { o.Split.Test = 1 }, "split.test"},
		{"split mode", func(o *TrajectoryOptions) { o.Split.By = "trajectories" }, "split.by"},
		{"no training data", func(o *TrajectoryOptions) { o.Count, o.Split.Test = 2, 0.9 }, "leaves no training data"},
	}
	for _, c := range cases {
		o := valid
		c.edit(&o)
		err := o.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want) && !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error about %q", c.name, err, c.want)
		}
	}
	if err := (TrajectoryOptions{}).Validate(); err == nil {
		t.Error("the zero options validate")
	}
	if err := NewTrajectoryOptions().Validate(); err == nil || !strings.Contains(err.Error(), "t.points") {
		t.Errorf("defaults without a time grid: got %v, want a t.points error", err)
	}
}

func TestTimeGrid(t *testing.T) {
	cases := []struct {
		g    TimeGrid
		want []float64
	}{
		{TimeGrid{0, 3, 4}, []float64{0, 1, 2, 3}},
		{TimeGrid{-1, 1, 5}, []float64{-1, -0.5, 0, 0.5, 1}},
		{TimeGrid{2, 5, 1}, []float64{2}},
	}
	for _, c := range cases {
		if got := c.g.Times(); !slices.Equal(got, c.want) {
			t.Errorf("%+v: %v, want %v", c.g, got, c.want)
		}
	}
	ts := TimeGrid{0, 0.3, 7}.Times()
	if ts[6] != 0.3 {
		t.Errorf("last time %v, want exactly 0.3", ts[6])
	}
}
