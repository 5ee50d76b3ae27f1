package fieldtheory

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"ansatz/datasets"
	"ansatz/spec"
)

// Check is one data-quality figure of a generated data set, logged by the
// runner as a metric of split "data". Its Name is "ut_fd" (relative RMS
// difference between the equation's u_t and 4th-order centred time
// differences of the integrator's solution), "step_error" (relative
// difference of the first trajectory's last snapshot with a run at half its
// largest step, Richardson-scaled), "drift.<name>" (the largest relative
// change of a declared conserved integral) or "constraint" (the largest |c|
// on any snapshot).
type Check = datasets.Check

// Result is a generated data set with its quality checks.
type Result struct {
	Data   *datasets.Data
	Checks []Check
	// Solutions holds each trajectory's fields at the snapshot times
	// (Solutions[i][t*nf*N + f*N + j]).
	Solutions [][]float64
}

// QualityError is returned when a check exceeds the tolerance; it lists
// every check.
type QualityError struct {
	Checks    []Check
	Tolerance float64
}

// Error names the failing checks and shows all the numbers.
func (e *QualityError) Error() string {
	var bad, all []string
	for _, c := range e.Checks {
		s := c.Name + "=" + strconv.FormatFloat(c.Value, 'g', 3, 64)
		all = append(all, s)
		if !(c.Value <= e.Tolerance) {
			bad = append(bad, c.Name)
		}
	}
	return fmt.Sprintf("field_snapshots: data-quality check failed (%s above tolerance %g): %s; the data are under-resolved — use more grid points (domain.points), a smaller step (integrator.dt or cfl), smoother initial data, or a shorter time span",
		strings.Join(bad, ", "), e.Tolerance, strings.Join(all, ", "))
}

// Make generates the data set (see [FieldSnapshots]) and its quality
// checks. When a check exceeds the tolerance it returns the result together
// with a *QualityError.
func (o *FieldSnapshots) Make(sys *System, rng *rand.Rand) (*Result, error) {
	if rng == nil {
		return nil, errors.New("field_snapshots: a random generator is required")
	}
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("field_snapshots: %w", err)
	}
	p, err := o.prepare(sys)
	if err != nil {
		return nil, err
	}
	s := p.sys
	in, err := NewIntegrator(s, o.Integrator)
	if err != nil {
		return nil, fmt.Errorf("field_snapshots: integrator: %w", err)
	}
	grid := in.Grid()
	n, nf := grid.Points(), len(s.fields)

	// 1. Initial conditions.
	u0s := make([][]float64, o.Count)
	for i := range u0s {
		if u0s[i], err = o.initial(p, rng); err != nil {
			return nil, fmt.Errorf("initial condition %d: %w", i, err)
		}
	}

	// 2. Integration: the snapshots, and around each one (shifted to
	// t ≥ 2δ) the stencil of the time-difference check.
	obs, err := NewObserver(s, grid, p.jm.InputOrder())
	if err != nil {
		return nil, fmt.Errorf("field_snapshots: %w", err)
	}
	ts := o.T.Times()
	res := &Result{Solutions: make([][]float64, o.Count)}
	var fdNum, fdDen, consMax float64
	drift := make([]float64, len(s.conserved))
	utEq := make([]float64, nf*n)
	var lastH float64 // the largest step of the first trajectory
	for i, u0 := range u0s {
		obs.Load(u0)
		utEq0 := make([]float64, nf*n)
		obs.TimeDerivative(utEq0)
		delta := 1e-3
		if r := norm(utEq0) / math.Max(norm(u0), 1e-300); r > 0 {
			delta = math.Min(delta, 0.02/r)
		}
		rec := checkTimes(ts, delta)
		sol, err := in.Run(u0, rec.times)
		if err != nil {
			return nil, fmt.Errorf("trajectory %d: %w", i, err)
		}
		if i == 0 {
			lastH = sol.MaxDt
		}
		at := func(k int) []float64 { return sol.U[k*nf*n : (k+1)*nf*n] }
		snaps := make([]float64, len(ts)*nf*n)
		obs.Load(at(0))
		q0, scale0 := obs.Conserved()
		consMax = max(consMax, obs.ConstraintMax())
		for j, k := range rec.snap {
			copy(snaps[j*nf*n:], at(k))
			obs.Load(at(k))
			q, _ := obs.Conserved()
			for c := range q {
				drift[c] = max(drift[c], math.Abs(q[c]-q0[c])/math.Max(scale0[c], 1e-300))
			}
			consMax = max(consMax, obs.ConstraintMax())
			st := rec.stencil[j]
			obs.Load(at(st[2]))
			obs.TimeDerivative(utEq)
			m2, m1, p1, p2 := at(st[0]), at(st[1]), at(st[3]), at(st[4])
			for l, v := range utEq {
				fd := (m2[l] - 8*m1[l] + 8*p1[l] - p2[l]) / (12 * delta)
				fdNum += (v - fd) * (v - fd)
				fdDen += v * v
			}
		}
		res.Solutions[i] = snaps
	}

	// 3. Step-halving check on the first trajectory: integrate it again with
	// half the largest step and compare the last snapshot.
	stepErr := 0.0
	if lastH > 0 && ts[len(ts)-1] > 0 {
		fine := o.Integrator
		fine.Dt = lastH / 2
		inFine, err := NewIntegrator(s, fine)
		if err != nil {
			return nil, fmt.Errorf("field_snapshots: integrator: %w", err)
		}
		b, err := inFine.Run(u0s[0], ts[len(ts)-1:])
		if err != nil {
			stepErr = math.Inf(1)
		} else {
			a := res.Solutions[0][(len(ts)-1)*nf*n:]
			var d, m float64
			for j := range a {
				d += (a[j] - b.U[j]) * (a[j] - b.U[j])
				m += b.U[j] * b.U[j]
			}
			stepErr = 16.0 / 15.0 * math.Sqrt(d/math.Max(m, 1e-300))
		}
	}

	res.Checks = append(res.Checks, Check{Name: "ut_fd", Value: math.Sqrt(fdNum / math.Max(fdDen, 1e-300))}, Check{Name: "step_error", Value: stepErr})
	for c, name := range s.Conserved() {
		res.Checks = append(res.Checks, Check{Name: "drift." + name, Value: drift[c]})
	}
	if s.constraint != nil {
		res.Checks = append(res.Checks, Check{Name: "constraint", Value: consMax})
	}

	// 4. Rows.
	res.Data, err = o.rows(p, obs, res.Solutions, ts, rng)
	if err != nil {
		return nil, err
	}
	res.Data.Checks = res.Checks
	for _, c := range res.Checks {
		if !(c.Value <= o.Tolerance) {
			return res, &QualityError{Checks: res.Checks, Tolerance: o.Tolerance}
		}
	}
	return res, nil
}

func norm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// recording lists the times to record for one trajectory, sorted: 0
// (index 0), the snapshots, and for each snapshot j the five-point stencil
// tc + {−2, −1, 0, 1, 2}·δ with tc = max(t_j, 2δ).
type recording struct {
	times   []float64
	snap    []int    // index of snapshot j in times
	stencil [][5]int // indices of snapshot j's stencil in times
}

func checkTimes(ts []float64, delta float64) recording {
	type entry struct {
		t       float64
		snap, m int // m = -1: the snapshot itself; 0..4 a stencil point; snap -1: t = 0
	}
	es := []entry{{t: 0, snap: -1}}
	for j, t := range ts {
		es = append(es, entry{t: t, snap: j, m: -1})
		tc := math.Max(t, 2*delta)
		for m := range 5 {
			es = append(es, entry{t: tc + float64(m-2)*delta, snap: j, m: m})
		}
	}
	slices.SortStableFunc(es, func(a, b entry) int {
		switch {
		case a.t < b.t:
			return -1
		case a.t > b.t:
			return 1
		}
		return 0
	})
	r := recording{times: make([]float64, len(es)), snap: make([]int, len(ts)), stencil: make([][5]int, len(ts))}
	for i, e := range es {
		r.times[i] = e.t
		switch {
		case e.snap < 0:
		case e.m < 0:
			r.snap[e.snap] = i
		default:
			r.stencil[e.snap][e.m] = i
		}
	}
	return r
}

// initial returns one initial condition (nf·N values, field-major).
func (o *FieldSnapshots) initial(p *prepared, rng *rand.Rand) ([]float64, error) {
	s := p.sys
	d := s.domain
	n, nf := d.Points, len(s.fields)
	xs := d.X()
	u := make([]float64, nf*n)
	if r := o.Initial.Random; r != nil {
		for f := range nf {
			for m := 1; m <= r.Modes; m++ {
				a, b := rng.NormFloat64(), rng.NormFloat64()
				w := r.Amplitude * math.Pow(float64(m), -r.Decay)
				for j, x := range xs {
					ph := 2 * math.Pi * float64(m) * x / d.Length
					u[f*n+j] += w * (a*math.Cos(ph) + b*math.Sin(ph))
				}
			}
			for j := range n {
				u[f*n+j] += r.Mean
			}
		}
		if s.constraint != nil {
			vals := make([]float64, nf)
			for j := range n {
				for f := range nf {
					vals[f] = u[f*n+j]
				}
				if err := p.jm.projectFields(vals); err != nil {
					return nil, fmt.Errorf("projecting the random data onto the constraint at x=%g: %w", xs[j], err)
				}
				for f := range nf {
					u[f*n+j] = vals[f]
				}
			}
		}
		return u, nil
	}
	lets := make([]float64, len(p.lets))
	if len(lets) > 0 {
		if err := o.Initial.draws.Sample(rng, p.lets, lets); err != nil {
			return nil, fmt.Errorf("initial.let: %w", err)
		}
	}
	env := make([]float64, 2+len(lets))
	env[1] = d.Length
	copy(env[2:], lets)
	for j, x := range xs {
		env[0] = x
		for f := range nf {
			v := p.values[f](env)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, o.valueError(s.fields[f], fmt.Sprintf("the initial value of %s is %v at x=%g", s.fields[f], v, x))
			}
			u[f*n+j] = v
		}
	}
	if s.constraint != nil {
		vals := make([]float64, nf)
		for j, x := range xs {
			for f := range nf {
				vals[f] = u[f*n+j]
			}
			if c := math.Abs(p.jm.constraintAt(vals)); !(c <= o.Tolerance) {
				return nil, o.valueError(s.fields[0], fmt.Sprintf("the initial values violate the constraint: |%s| = %.3g at x=%g (tolerance %g)", s.constraint.String(), c, x, o.Tolerance))
			}
		}
	}
	return u, nil
}

// valueError locates an error of the initial values at the field's
// expression.
func (o *FieldSnapshots) valueError(field, msg string) error {
	for _, v := range o.Initial.Values {
		if v.Name == field {
			return &spec.Error{Pos: v.Expr.Pos, Path: "initial.values." + field, Msg: msg}
		}
	}
	return spec.FieldErrorf("initial.values", "%s", msg)
}

// rows assembles the data set from the snapshots.
func (o *FieldSnapshots) rows(p *prepared, obs *Observer, sols [][]float64, ts []float64, rng *rand.Rand) (*datasets.Data, error) {
	s := p.sys
	n, nf := s.domain.Points, len(s.fields)
	jm := p.jm
	io, oo := jm.InputOrder(), obs.Order()
	w := nf * (p.order + 1)
	per := n
	if o.SamplesPerSnapshot > 0 {
		per = min(o.SamplesPerSnapshot, n)
	}
	total := len(sols) * len(ts) * per
	all := datasets.Set{X: make([]float64, total*w), DX: make([]float64, total*w), F: make([]float64, total*w),
		N: total, D: w, Trajectory: make([]int, total), T: make([]float64, total)}
	in := make([]float64, len(jm.inputs))
	names := jm.Outputs()
	row := 0
	for i, sol := range sols {
		for k, t := range ts {
			obs.Load(sol[k*nf*n : (k+1)*nf*n])
			points := rng.Perm(n)[:per]
			if per == n {
				points = points[:0]
				for j := range n {
					points = append(points, j)
				}
			} else {
				slices.Sort(points)
			}
			for _, j := range points {
				for f := range nf {
					for m := 0; m <= io; m++ {
						in[jetIndex(f, m, io)] = obs.jets[jetIndex(f, m, oo)][j]
					}
				}
				x, dx, fx := all.X[row*w:(row+1)*w], all.DX[row*w:(row+1)*w], all.F[row*w:(row+1)*w]
				jm.Eval(in, x, dx, fx)
				for c := range w {
					if bad(x[c]) || bad(dx[c]) || bad(fx[c]) {
						return nil, fmt.Errorf("trajectory %d at t=%g, x=%g: %s: value %v, time derivative %v, x-derivative %v", i, t, float64(j)*s.domain.Length/float64(n), names[c], x[c], dx[c], fx[c])
					}
				}
				all.Trajectory[row], all.T[row] = i, t
				row++
			}
		}
	}
	all.Clean = all.X
	var trainRows, testRows []int
	if o.Split.By == datasets.SplitByTrajectory {
		perm := rng.Perm(len(sols))
		cut := len(sols) - testCount(o.Split.Test, len(sols))
		nt := len(ts) * per
		for _, tr := range perm[:cut] {
			for r := range nt {
				trainRows = append(trainRows, tr*nt+r)
			}
		}
		for _, tr := range perm[cut:] {
			for r := range nt {
				testRows = append(testRows, tr*nt+r)
			}
		}
	} else {
		perm := rng.Perm(total)
		cut := total - testCount(o.Split.Test, total)
		trainRows, testRows = perm[:cut], perm[cut:]
	}
	slices.Sort(trainRows)
	slices.Sort(testRows)
	return &datasets.Data{Vars: names, Train: subset(&all, trainRows), Test: subset(&all, testRows)}, nil
}

func bad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// subset copies the rows of s.
func subset(s *datasets.Set, rows []int) datasets.Set {
	d := s.D
	out := datasets.Set{X: make([]float64, len(rows)*d), DX: make([]float64, len(rows)*d), F: make([]float64, len(rows)*d),
		N: len(rows), D: d, Trajectory: make([]int, len(rows)), T: make([]float64, len(rows))}
	for i, r := range rows {
		copy(out.X[i*d:(i+1)*d], s.X[r*d:(r+1)*d])
		copy(out.DX[i*d:(i+1)*d], s.DX[r*d:(r+1)*d])
		copy(out.F[i*d:(i+1)*d], s.F[r*d:(r+1)*d])
		out.Trajectory[i], out.T[i] = s.Trajectory[r], s.T[r]
	}
	out.Clean = out.X
	return out
}
