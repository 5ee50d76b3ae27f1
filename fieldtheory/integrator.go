package fieldtheory

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"strconv"

	"ansatz/symbolic"
)

// IntegratorOptions sets the time step of the pseudo-spectral [Integrator].
// The zero value is not useful; [NewIntegratorOptions] gives the defaults.
type IntegratorOptions struct {
	Dt  float64 `yaml:"dt" doc:"fixed time step (shortened to hit the snapshot times); 0 chooses it from the stiffness of the nonlinear terms"`
	CFL float64 `yaml:"cfl" doc:"with dt 0: the step is cfl / ρ, ρ an estimate of the spectral radius of the nonlinear terms (RK4 is stable up to 2.8)"`
}

// NewIntegratorOptions returns the defaults: dt 0 (automatic), cfl 0.1.
func NewIntegratorOptions() IntegratorOptions { return IntegratorOptions{CFL: 0.1} }

// Validate checks the options; errors name the field by its yaml name.
func (o IntegratorOptions) Validate() error {
	var errs []error
	if !(o.Dt >= 0) || math.IsInf(o.Dt, 0) {
		errs = append(errs, &FieldError{Field: "dt", Msg: fmt.Sprintf("must be a finite number ≥ 0, got %v", o.Dt)})
	}
	if o.Dt == 0 && (!(o.CFL > 0) || o.CFL > 2.8) {
		errs = append(errs, &FieldError{Field: "cfl", Msg: fmt.Sprintf("must be in (0, 2.8], got %v", o.CFL)})
	}
	return errors.Join(errs...)
}

// Integrator integrates a field system with the integrating-factor RK4
// scheme (Lawson) on its grid: exact exponentials for the linear terms with
// constant coefficients, classical RK4 for the rest, 2/3 dealiasing (see
// the package documentation). It keeps work buffers and is not safe for
// concurrent use.
type Integrator struct {
	sys  *System
	grid *Grid
	opts IntegratorOptions
	nf   int
	p    int            // jet order the nonlinear terms need
	lin  [][]complex128 // per mode, nf×nf matrix M(κ)
	nl   symbolic.VecFunc
	jac  symbolic.VecFunc // ∂N_i/∂J_j, row-major nf × len(Jets(p))
	nlin []symbolic.Node

	used []bool // jets of Jets(p) the nonlinear terms use
	diag bool   // M(κ) is diagonal for every mode: ETDRK4, else IF-RK4

	// cached exponentials (and ETDRK4 coefficients) for step h
	h             float64
	e, e2         [][]complex128
	q, f1, f2, f3 [][]complex128 // ETDRK4, per mode, per field

	// buffers
	jets    [][]float64 // len(Jets(p)) grid arrays
	pt      []float64   // one point's jets
	out     []float64   // one point's N
	gridBuf []float64
}

// NewIntegrator prepares the integrator of sys.
func NewIntegrator(sys *System, opts IntegratorOptions) (*Integrator, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := sys.domain.Validate(); err != nil {
		return nil, fmt.Errorf("domain: %w", err)
	}
	nf, p := len(sys.fields), sys.order
	in := &Integrator{sys: sys, grid: NewGrid(sys.domain), opts: opts, nf: nf, p: p}
	vars := sys.Jets(p)
	modes := in.grid.Modes()
	in.lin = make([][]complex128, modes)
	for k := range in.lin {
		in.lin[k] = make([]complex128, nf*nf)
	}
	in.nlin = make([]symbolic.Node, nf)
	jac := make([]symbolic.Node, 0, nf*len(vars))
	for i := range nf {
		f := sys.rhs[i].node
		var linear symbolic.Node = &symbolic.Num{Value: 0}
		for _, name := range symbolic.Names(f) {
			fj, m, ok := ParseJet(name, sys.fields)
			if !ok {
				continue
			}
			c, ok := constant(symbolic.Simplify(symbolic.Diff(f, name)))
			if !ok || c == 0 {
				continue
			}
			j := fieldIndex(sys.fields, fj)
			for k := range modes {
				in.lin[k][i*nf+j] += complex(c, 0) * ipow(in.grid.kappa[k], m)
			}
			linear = &symbolic.Binary{Op: '+', Left: linear, Right: &symbolic.Binary{Op: '*', Left: &symbolic.Num{Value: c}, Right: &symbolic.Var{Name: name}}}
		}
		in.nlin[i] = symbolic.Simplify(&symbolic.Binary{Op: '-', Left: f, Right: linear})
		for _, v := range vars {
			jac = append(jac, symbolic.Simplify(symbolic.Diff(in.nlin[i], v)))
		}
	}
	in.used = make([]bool, len(vars))
	for _, nl := range in.nlin {
		for _, name := range symbolic.Names(nl) {
			if i := indexOf(vars, name); i >= 0 {
				in.used[i] = true
			}
		}
	}
	in.diag = true
	for k := range in.lin {
		for i := range nf {
			for j := range nf {
				if i != j && in.lin[k][i*nf+j] != 0 {
					in.diag = false
				}
			}
		}
	}
	var err error
	if in.nl, err = symbolic.CompileVector(in.nlin, vars); err != nil {
		return nil, fmt.Errorf("compiling the nonlinear terms: %w", err)
	}
	if in.jac, err = symbolic.CompileVector(jac, vars); err != nil {
		return nil, fmt.Errorf("compiling the Jacobian of the nonlinear terms: %w", err)
	}
	n := in.grid.Points()
	in.jets = make([][]float64, len(vars))
	for j := range in.jets {
		in.jets[j] = make([]float64, n)
	}
	in.pt = make([]float64, len(vars))
	in.out = make([]float64, nf)
	in.gridBuf = make([]float64, nf*n)
	return in, nil
}

// constant reports whether n is a number (no free names) and its value.
func constant(n symbolic.Node) (float64, bool) {
	if len(symbolic.Names(n)) > 0 {
		return 0, false
	}
	f, err := symbolic.Compile(n, nil)
	if err != nil {
		return 0, false
	}
	v := f(nil)
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func fieldIndex(fields []string, f string) int {
	for i, g := range fields {
		if g == f {
			return i
		}
	}
	panic("fieldtheory: unknown field " + f)
}

// Grid returns the integrator's grid.
func (in *Integrator) Grid() *Grid { return in.grid }

// Nonlinear returns, per field, the part N of the right-hand side that the
// Runge–Kutta stages evaluate: the equation without its linear terms with
// constant coefficients, which the exponentials integrate exactly (for KdV
// "-6*u*u_x"), for logs and tests.
func (in *Integrator) Nonlinear() []string {
	out := make([]string, in.nf)
	for i, n := range in.nlin {
		out[i] = n.String()
	}
	return out
}

// Solution is the result of [Integrator.Run].
type Solution struct {
	// Times are the requested times.
	Times []float64
	// U holds the fields at each time: U[t*nf*N + f*N + i] is field f at
	// grid point i at Times[t].
	U []float64
	// Steps is the number of RK4 steps taken; MinDt and MaxDt the smallest
	// and largest step.
	Steps        int
	MinDt, MaxDt float64
}

// state is the Fourier coefficients of all fields, field-major.
type state [][]complex128

func (in *Integrator) newState() state {
	s := make(state, in.nf)
	for i := range s {
		s[i] = make([]complex128, in.grid.Modes())
	}
	return s
}

// Run integrates the initial fields u0 (nf·N values, field-major, at t = 0)
// and records them at times (non-decreasing, ≥ 0). The initial data are
// dealiased first (their modes above N/3 removed). A non-finite solution is
// an error naming the time.
func (in *Integrator) Run(u0 []float64, times []float64) (*Solution, error) {
	n, nf := in.grid.Points(), in.nf
	if len(u0) != nf*n {
		return nil, fmt.Errorf("initial data: %d values, want %d fields × %d points", len(u0), nf, n)
	}
	u := in.newState()
	for f := range nf {
		in.grid.Forward(u0[f*n:(f+1)*n], u[f])
		in.grid.Dealias(u[f])
	}
	sol := &Solution{Times: append([]float64(nil), times...), U: make([]float64, len(times)*nf*n), MinDt: math.Inf(1)}
	t := 0.0
	ws := [6]state{in.newState(), in.newState(), in.newState(), in.newState(), in.newState(), in.newState()}
	for ti, target := range times {
		if target < t {
			return nil, fmt.Errorf("times must be non-decreasing and ≥ 0, got %v after %v", target, t)
		}
		if span := target - t; span > 0 {
			h := in.opts.Dt
			if h == 0 {
				rho := in.stiffness(u)
				if rho > 0 {
					h = in.opts.CFL / rho
				} else {
					h = span
				}
			}
			steps := int(math.Ceil(span/h - 1e-9))
			steps = max(steps, 1)
			h = span / float64(steps)
			in.exponentials(h)
			for range steps {
				if in.diag {
					in.stepETD(u, ws)
				} else {
					in.step(u, h, ws)
				}
			}
			sol.Steps += steps
			sol.MinDt, sol.MaxDt = min(sol.MinDt, h), max(sol.MaxDt, h)
			t = target
		}
		dst := sol.U[ti*nf*n : (ti+1)*nf*n]
		for f := range nf {
			in.grid.Inverse(u[f], dst[f*n:(f+1)*n])
		}
		for i, v := range dst {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("the solution is %v at t=%s (field %s, x=%s): it blew up, or the time step is too large (set integrator.dt smaller)",
					v, strconv.FormatFloat(target, 'g', 6, 64), in.sys.fields[i/n], strconv.FormatFloat(float64(i%n)*in.grid.length/float64(n), 'g', 6, 64))
			}
		}
	}
	if sol.Steps == 0 {
		sol.MinDt = 0
	}
	return sol, nil
}

// exponentials caches exp(M h) and exp(M h/2) for every mode.
func (in *Integrator) exponentials(h float64) {
	if h == in.h && in.e != nil {
		return
	}
	nf := in.nf
	in.h = h
	modes := in.grid.Modes()
	if in.diag {
		in.etdCoefficients(h)
		return
	}
	in.e, in.e2 = make([][]complex128, modes), make([][]complex128, modes)
	a := make([]complex128, nf*nf)
	for k := range modes {
		for i, v := range in.lin[k] {
			a[i] = v * complex(h, 0)
		}
		in.e[k] = expm(a, nf)
		for i, v := range in.lin[k] {
			a[i] = v * complex(h/2, 0)
		}
		in.e2[k] = expm(a, nf)
	}
}

// apply writes e·v (per mode) into dst; dst may not alias v.
func (in *Integrator) apply(e [][]complex128, v, dst state) {
	nf := in.nf
	for k := 0; k <= in.grid.cut; k++ {
		m := e[k]
		for i := range nf {
			var s complex128
			for j := range nf {
				s += m[i*nf+j] * v[j][k]
			}
			dst[i][k] = s
		}
	}
}

// step advances u by one IF-RK4 step of size h:
//
//	k1 = N(u)
//	k2 = N(E½ (u + h/2 k1))
//	k3 = N(E½ u + h/2 k2)
//	k4 = N(E u + h E½ k3)
//	u ← E u + h/6 (E k1 + 2 E½ (k2 + k3) + k4)
func (in *Integrator) step(u state, h float64, ws [6]state) {
	k1, k2, k3, k4, a, b := ws[0], ws[1], ws[2], ws[3], ws[4], ws[5]
	ch, ch2 := complex(h, 0), complex(h/2, 0)
	cut := in.grid.cut
	in.nonlinear(u, k1)
	for f := range in.nf {
		for k := 0; k <= cut; k++ {
			a[f][k] = u[f][k] + ch2*k1[f][k]
		}
	}
	in.apply(in.e2, a, b)
	in.nonlinear(b, k2)
	in.apply(in.e2, u, a) // a = E½ u
	for f := range in.nf {
		for k := 0; k <= cut; k++ {
			b[f][k] = a[f][k] + ch2*k2[f][k]
		}
	}
	in.nonlinear(b, k3)
	in.apply(in.e2, k3, b) // b = E½ k3
	in.apply(in.e, u, a)   // a = E u
	for f := range in.nf {
		for k := 0; k <= cut; k++ {
			b[f][k] = a[f][k] + ch*b[f][k]
		}
	}
	in.nonlinear(b, k4)
	// u ← a + h/6 (E k1 + 2 E½ (k2 + k3) + k4)
	in.apply(in.e, k1, b) // b = E k1
	for f := range in.nf {
		for k := 0; k <= cut; k++ {
			k2[f][k] += k3[f][k]
		}
	}
	in.apply(in.e2, k2, k3) // k3 = E½ (k2 + k3)
	for f := range in.nf {
		for k := 0; k <= cut; k++ {
			u[f][k] = a[f][k] + ch/6*(b[f][k]+2*k3[f][k]+k4[f][k])
		}
	}
}

// gridJets fills in.jets with the jets up to order p of the state u.
func (in *Integrator) gridJets(u state) {
	p := in.p
	for f := range in.nf {
		for m := 0; m <= p; m++ {
			if j := jetIndex(f, m, p); in.used[j] {
				in.grid.Derivative(u[f], m, in.jets[j])
			}
		}
	}
}

// nonlinear writes the dealiased Fourier coefficients of N(u) into dst.
func (in *Integrator) nonlinear(u, dst state) {
	in.gridJets(u)
	n, nf := in.grid.Points(), in.nf
	g := in.gridBuf
	for i := range n {
		for j, col := range in.jets {
			in.pt[j] = col[i]
		}
		in.nl(in.pt, in.out)
		for f := range nf {
			g[f*n+i] = in.out[f]
		}
	}
	for f := range nf {
		in.grid.Forward(g[f*n:(f+1)*n], dst[f])
		in.grid.Dealias(dst[f])
	}
}

// stiffness estimates the spectral radius of the nonlinear terms at u:
// max over the grid and fields of Σ_J |∂N_i/∂J| κ_max^order(J), plus with
// the integrating factor the norm of the linear part at the highest mode
// present.
func (in *Integrator) stiffness(u state) float64 {
	in.gridJets(u)
	n, nf, nj := in.grid.Points(), in.nf, len(in.jets)
	jac := make([]float64, nf*nj)
	kmax := in.grid.KappaMax()
	weights := make([]float64, nj)
	for j := range weights {
		weights[j] = math.Pow(kmax, float64(j%(in.p+1)))
	}
	var rho float64
	for i := range n {
		for j, col := range in.jets {
			in.pt[j] = col[i]
		}
		in.jac(in.pt, jac)
		for f := range nf {
			var s float64
			for j := range nj {
				s += math.Abs(jac[f*nj+j]) * weights[j]
			}
			rho = max(rho, s)
		}
	}
	if math.IsNaN(rho) || math.IsInf(rho, 0) {
		return 0
	}
	if in.diag {
		return rho
	}
	// With the integrating factor the nonlinear terms are integrated in the
	// interaction picture, where they oscillate at the linear frequencies of
	// the modes present: add the norm of M(κ) at the highest mode whose
	// amplitude is above 1e-10 of the largest.
	var top float64
	for f := range nf {
		for _, c := range u[f] {
			top = max(top, cmplx.Abs(c))
		}
	}
	kEff := 0
	for f := range nf {
		for k, c := range u[f] {
			if cmplx.Abs(c) > 1e-10*top {
				kEff = max(kEff, k)
			}
		}
	}
	var lin float64
	for i := range nf {
		var row float64
		for j := range nf {
			row += cmplx.Abs(in.lin[kEff][i*nf+j])
		}
		lin = max(lin, row)
	}
	return rho + lin
}

// etdCoefficients computes the ETDRK4 coefficients (Cox & Matthews 2002)
// for a diagonal linear part, with the contour integrals of Kassam &
// Trefethen (2005): 32 points on the unit circle around each z = hL.
func (in *Integrator) etdCoefficients(h float64) {
	const m = 32
	modes, nf := in.grid.Modes(), in.nf
	alloc := func() [][]complex128 {
		out := make([][]complex128, modes)
		for k := range out {
			out[k] = make([]complex128, nf)
		}
		return out
	}
	in.e, in.e2, in.q, in.f1, in.f2, in.f3 = alloc(), alloc(), alloc(), alloc(), alloc(), alloc()
	ch := complex(h, 0)
	for k := range modes {
		for f := range nf {
			l := in.lin[k][f*nf+f]
			z := ch * l
			in.e[k][f] = cmplx.Exp(z)
			in.e2[k][f] = cmplx.Exp(z / 2)
			var q, f1, f2, f3 complex128
			for j := range m {
				r := z + cmplx.Exp(complex(0, math.Pi*(float64(j)+0.5)*2/m))
				er := cmplx.Exp(r)
				r3 := r * r * r
				q += (cmplx.Exp(r/2) - 1) / r
				f1 += (-4 - r + er*(4-3*r+r*r)) / r3
				f2 += (2 + r + er*(-2+r)) / r3
				f3 += (-4 - 3*r - r*r + er*(4-r)) / r3
			}
			s := ch / m
			in.q[k][f], in.f1[k][f], in.f2[k][f], in.f3[k][f] = s*q, s*f1, s*f2, s*f3
		}
	}
}

// stepETD advances u by one ETDRK4 step (diagonal linear part):
//
//	a = E½ u + Q N(u)
//	b = E½ u + Q N(a)
//	c = E½ a + Q (2 N(b) − N(u))
//	u ← E u + f1 N(u) + 2 f2 (N(a) + N(b)) + f3 N(c)
func (in *Integrator) stepETD(u state, ws [6]state) {
	nu, na, nb, nc, a, b := ws[0], ws[1], ws[2], ws[3], ws[4], ws[5]
	cut := in.grid.cut
	in.nonlinear(u, nu)
	for f := range in.nf {
		for k := 0; k <= cut; k++ {
			a[f][k] = in.e2[k][f]*u[f][k] + in.q[k][f]*nu[f][k]
		}
	}
	in.nonlinear(a, na)
	for f := range in.nf {
		for k := 0; k <= cut; k++ {
			b[f][k] = in.e2[k][f]*u[f][k] + in.q[k][f]*na[f][k]
		}
	}
	in.nonlinear(b, nb)
	for f := range in.nf {
		for k := 0; k <= cut; k++ {
			a[f][k] = in.e2[k][f]*a[f][k] + in.q[k][f]*(2*nb[f][k]-nu[f][k])
		}
	}
	in.nonlinear(a, nc)
	for f := range in.nf {
		for k := 0; k <= cut; k++ {
			u[f][k] = in.e[k][f]*u[f][k] + in.f1[k][f]*nu[f][k] + 2*in.f2[k][f]*(na[f][k]+nb[f][k]) + in.f3[k][f]*nc[f][k]
		}
	}
}
