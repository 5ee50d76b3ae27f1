package analyses

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/datasets"
	"ansatz/registry"
	"ansatz/sparsefit"
	"ansatz/spec"
	"ansatz/systems"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Analysis, Name: "lax_residual",
		Doc: "normalised Lax residual ‖L̇ − [L, M]‖ / ‖L̇‖ on the held-out states, L̇ along the data's ẋ (and along f(x)) (needs a lax_pair model)",
		New: func() any { return &LaxResidual{} },
	})
	registry.Register(registry.Module{
		Kind: registry.Analysis, Name: "lax_readout",
		Doc: "least-squares fit of every entry of L and M to monomials of the state on the held-out states: formulas and R² (needs a lax_pair model)",
		New: func() any { return &LaxReadout{ReadoutOptions: NewReadoutOptions()} },
	})
	registry.Register(registry.Module{
		Kind: registry.Analysis, Name: "conserved_traces",
		Doc: "variation of tr Lᵏ along true trajectories and the fit tr L² ≈ a + b·H (needs a lax_pair model)",
		New: func() any { return NewConservedTraces() },
	})
	registry.Register(registry.Module{
		Kind: registry.Analysis, Name: "lax_verify",
		Doc: "rebuilds L and M from the rounded read-out formulas and checks L̇ = [L, M] with exact ẋ = f(x) on fresh states (needs a lax_pair model)",
		New: func() any { return &LaxVerify{ReadoutOptions: NewReadoutOptions(), Count: 1000, Tolerance: 1e-2} },
	})
}

// errNoLaxPair is returned by the Lax analyses for other models; the runner
// prefixes it with "analysis <name>".
var errNoLaxPair = errors.New("needs a lax_pair model (matrices L(x) and M(x)); the spec's model is not one")

// laxChunk is the number of states evaluated at once.
const laxChunk = 1024

// vanishing is the relative size below which a value counts as zero: a
// variance below vanishing² times the mean square, a trace below vanishing
// times ‖L‖ᵏ.
const vanishing = 1e-10

func laxPairOf(c *Context) (architectures.LaxPair, error) {
	p, ok := c.Model.(architectures.LaxPair)
	if !ok {
		return nil, errNoLaxPair
	}
	return p, nil
}

func heldOut(c *Context) (*datasets.Set, error) {
	if c.Test == nil || c.Test.N == 0 {
		return nil, errors.New("needs held-out data: set data.split.test > 0")
	}
	return c.Test, nil
}

// needSampling returns the true dynamical system when the context also has
// a sampler and a random stream to draw fresh states with.
func needSampling(c *Context) (systems.Flow, error) {
	f, err := c.Flow()
	if err != nil {
		return nil, err
	}
	if c.Sampler == nil || c.RNG == nil {
		return nil, errors.New("needs a sampler and a random stream")
	}
	return f, nil
}

// PairOnStates holds L, M and L̇ (when computed) at N states, each N·n·n
// values, matrix j at [j·n·n, (j+1)·n·n) in row-major order.
type PairOnStates struct {
	N, Size    int
	L, M, LDot []float64
}

// EvalPair evaluates L and M of p at the n states xs (n rows of d values).
// With vs non-nil it also computes L̇ = (∂L/∂x)·v along the rows of vs.
// Non-finite values are an error naming the state.
func EvalPair(p architectures.LaxPair, xs, vs []float64, n, d int) (*PairOnStates, error) {
	if len(xs) != n*d || vs != nil && len(vs) != n*d {
		return nil, fmt.Errorf("EvalPair: %d states of dimension %d need %d values, got %d (and %d)", n, d, n*d, len(xs), len(vs))
	}
	sz := p.Size()
	nn := sz * sz
	out := &PairOnStates{N: n, Size: sz, L: make([]float64, 0, n*nn), M: make([]float64, 0, n*nn)}
	if vs != nil {
		out.LDot = make([]float64, 0, n*nn)
	}
	for lo := 0; lo < n; lo += laxChunk {
		hi := min(lo+laxChunk, n)
		x := autodiff.New(slices.Clone(xs[lo*d:hi*d]), hi-lo, d)
		var l, m, ld *autodiff.Tensor
		if vs != nil {
			var err error
			v := autodiff.New(slices.Clone(vs[lo*d:hi*d]), hi-lo, d)
			if l, m, ld, err = architectures.LaxFlow(p, x, v, false); err != nil {
				return nil, err
			}
		} else {
			l, m = p.LM(x)
		}
		for _, t := range []*autodiff.Tensor{l, m, ld} {
			if t != nil && t.Len() != (hi-lo)*nn {
				return nil, fmt.Errorf("the model returned %v values for %d states and %d×%d matrices", t.Shape(), hi-lo, sz, sz)
			}
		}
		out.L = append(out.L, l.Data()...)
		out.M = append(out.M, m.Data()...)
		if ld != nil {
			out.LDot = append(out.LDot, ld.Data()...)
		}
	}
	for _, a := range []struct {
		name string
		v    []float64
	}{{"L", out.L}, {"M", out.M}, {"L̇", out.LDot}} {
		for i, v := range a.v {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				j := i / nn
				return nil, fmt.Errorf("%s[%d,%d] is %v at state %d %v", a.name, (i%nn)/sz, i%sz, v, j, xs[j*d:(j+1)*d])
			}
		}
	}
	return out, nil
}

// Residual returns the normalised residual ‖L̇ − [L, M]‖ / ‖L̇‖ over all
// states (Frobenius norms of the stacked matrices) and the RMS size of L̇,
// √(mean_j ‖L̇_j‖²). For L̇ ≡ 0 (a constant L) the ratio is +Inf. It needs
// LDot.
func (s *PairOnStates) Residual() (residual, ldotRMS float64) {
	nn := s.Size * s.Size
	c := make([]float64, nn)
	var num, den float64
	for j := range s.N {
		commutator(s.L[j*nn:(j+1)*nn], s.M[j*nn:(j+1)*nn], s.Size, c)
		for i, v := range s.LDot[j*nn : (j+1)*nn] {
			r := v - c[i]
			num += r * r
			den += v * v
		}
	}
	return ratio(num, den), math.Sqrt(den / float64(s.N))
}

// ratio is √(num/den), +Inf for den = 0 (a constant L: a degenerate pair
// whatever the commutator).
func ratio(num, den float64) float64 {
	if den == 0 {
		return math.Inf(1)
	}
	return math.Sqrt(num) / math.Sqrt(den)
}

// commutator writes AB − BA for n×n row-major a, b into dst.
func commutator(a, b []float64, n int, dst []float64) {
	for i := range n {
		for j := range n {
			var s float64
			for k := range n {
				s += a[i*n+k]*b[k*n+j] - b[i*n+k]*a[k*n+j]
			}
			dst[i*n+j] = s
		}
	}
}

// matMul writes AB for n×n row-major a, b into dst (not aliasing a or b).
func matMul(a, b []float64, n int, dst []float64) {
	for i := range n {
		for j := range n {
			var s float64
			for k := range n {
				s += a[i*n+k] * b[k*n+j]
			}
			dst[i*n+j] = s
		}
	}
}

// LaxResidual reports how well the model satisfies L̇ = [L, M] on the
// held-out states.
type LaxResidual struct{}

// Requires a Lax pair.
func (LaxResidual) Requires(c *Context) error {
	_, err := laxPairOf(c)
	return err
}

// Analyse computes the normalised residual with L̇ along the held-out ẋ
// (DX, the training targets: noisy when the data has noise on ẋ) as metric
// lax_residual, along the exact f(x) (F) as lax_residual.f, and the RMS size
// of L̇ as lax_residual.ldot_rms (the residual is relative to it: a tiny L̇
// is a degenerate pair whatever the ratio).
func (LaxResidual) Analyse(c *Context) (Result, error) {
	p, err := laxPairOf(c)
	if err != nil {
		return Result{}, err
	}
	s, err := heldOut(c)
	if err != nil {
		return Result{}, err
	}
	var res Result
	names := []string{"lax_residual", "lax_residual.f"}
	for i, v := range [][]float64{s.DX, s.F} {
		ev, err := EvalPair(p, s.X, v, s.N, s.D)
		if err != nil {
			return Result{}, fmt.Errorf("held-out states: %w", err)
		}
		r, scale := ev.Residual()
		res.Rows = append(res.Rows, Row{Name: names[i], Value: &r})
		res.Metrics = append(res.Metrics, Metric{names[i], r})
		if i == 0 {
			res.Rows = append(res.Rows, Row{Name: "ldot_rms", Value: &scale})
			res.Metrics = append(res.Metrics, Metric{"lax_residual.ldot_rms", scale})
			if scale == 0 {
				text := "L̇ vanishes on the held-out states (L is constant): a degenerate pair"
				res.Rows = append(res.Rows, Row{Name: "verdict", Text: &text})
			}
		}
	}
	return res, nil
}

// ReadoutOptions configures the polynomial read-out of a Lax pair.
type ReadoutOptions struct {
	Degree    int     `yaml:"degree" spec:">=0" doc:"largest total degree of the monomials of the state variables fitted to each entry"`
	Digits    int     `yaml:"digits" doc:"significant digits of the coefficients in the formulas (1 to 17)"`
	Threshold float64 `yaml:"threshold" doc:"terms smaller than this fraction of the largest term of the same matrix are dropped, in [0, 1)"`
}

// NewReadoutOptions returns the defaults: degree 1, 3 digits, threshold 1e-3.
func NewReadoutOptions() ReadoutOptions {
	return ReadoutOptions{Degree: 1, Digits: 3, Threshold: 1e-3}
}

// Validate checks the ranges; errors name the field.
func (o ReadoutOptions) Validate() error {
	var errs []error
	if o.Degree < 0 || o.Degree > 8 {
		errs = append(errs, spec.FieldErrorf("degree", "must be in [0, 8], got %d", o.Degree))
	}
	if o.Digits < 1 || o.Digits > 17 {
		errs = append(errs, spec.FieldErrorf("digits", "must be in [1, 17], got %d", o.Digits))
	}
	if !(o.Threshold >= 0 && o.Threshold < 1) {
		errs = append(errs, spec.FieldErrorf("threshold", "must be in [0, 1), got %v", o.Threshold))
	}
	return errors.Join(errs...)
}

// PolyMatrix is an n×n matrix of polynomials in the state: entry (i, j) is
// Σ_k Coef[k][i·n+j] Π_v x_v^Exps[k][v].
type PolyMatrix struct {
	Size int
	// Exps are the exponent vectors of the monomials.
	Exps [][]int
	// Coef[k] holds the coefficient of monomial k in each entry.
	Coef [][]float64
}

// Eval writes the matrix at the state x into dst (n·n values).
func (p *PolyMatrix) Eval(x, dst []float64) {
	phi := make([]float64, len(p.Exps))
	sparsefit.MonomialValues(p.Exps, x, phi)
	clear(dst)
	for k, c := range p.Coef {
		for i, v := range c {
			dst[i] += v * phi[k]
		}
	}
}

// Derivative writes the derivative of the matrix at x along v,
// Σ_k ∂A/∂x_k v_k, into dst (n·n values).
func (p *PolyMatrix) Derivative(x, v, dst []float64) {
	clear(dst)
	for k, e := range p.Exps {
		// d/dt Π x_i^e_i = Σ_i e_i x_i^(e_i − 1) v_i Π_{l≠i} x_l^e_l
		var dm float64
		for i, ei := range e {
			if ei == 0 {
				continue
			}
			t := float64(ei) * v[i]
			for l, el := range e {
				pow := el
				if l == i {
					pow--
				}
				for range pow {
					t *= x[l]
				}
			}
			dm += t
		}
		if dm == 0 {
			continue
		}
		for i, c := range p.Coef[k] {
			dst[i] += c * dm
		}
	}
}

// Formula writes entry (i, j) with the coefficients as they are stored,
// each formatted with the given significant digits, e.g. "1.3*q - 0.5*p^2";
// "0" when every coefficient is zero. Formulas parse with symbolic.Parse.
func (p *PolyMatrix) Formula(i, j int, vars []string, digits int) string {
	coefs, names := make([]float64, len(p.Coef)), make([]string, len(p.Coef))
	for k, c := range p.Coef {
		coefs[k], names[k] = c[i*p.Size+j], sparsefit.MonomialName(p.Exps[k], vars)
	}
	return sparsefit.FormatTerms(coefs, names, digits)
}

// Readout is a Lax pair read out as polynomials of the state.
type Readout struct {
	Vars []string
	// L and M hold the rounded coefficients with small terms dropped.
	L, M PolyMatrix
	// R2L and R2M are the R² of the least-squares fit of each entry (n·n
	// each, row-major); R2 pools all entries of a matrix (L, then M). An
	// entry or matrix constant over the states has R² 1.
	R2L, R2M []float64
	R2       [2]float64
}

// FitReadout fits every entry of L and M, evaluated at the n states xs,
// to the monomials of the state up to opts.Degree by least squares (SVD,
// columns scaled to unit RMS, rank cut at 1e-12 of the largest singular
// value). R² is that of the least-squares fit, 1 for an entry that is
// constant over the states. The stored coefficients are then thresholded
// (a term whose size |c|·RMS(monomial) is below opts.Threshold times the
// largest term of the same matrix is dropped) and rounded to opts.Digits
// significant digits.
func FitReadout(p architectures.LaxPair, vars []string, xs []float64, n int, opts ReadoutOptions) (*Readout, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	d := len(vars)
	if d == 0 || len(xs) != n*d {
		return nil, fmt.Errorf("%d states need %d values for the variables %v, got %d", n, n*d, vars, len(xs))
	}
	dict, err := sparsefit.NewDictionary(vars, opts.Degree)
	if err != nil {
		return nil, fmt.Errorf("read-out: %w", err)
	}
	exps := dict.Exps
	nk := len(exps)
	if n < nk {
		return nil, fmt.Errorf("%d held-out states are fewer than the %d monomials of degree ≤ %d in %d variables: lower degree or hold out more data", n, nk, opts.Degree, d)
	}
	ev, err := EvalPair(p, xs, nil, n, d)
	if err != nil {
		return nil, fmt.Errorf("held-out states: %w", err)
	}
	sz := ev.Size
	nn := sz * sz

	// Design matrix with columns scaled to unit RMS.
	phi, err := dict.Design(xs, n)
	if err != nil {
		return nil, fmt.Errorf("read-out: %w", err)
	}
	rms := make([]float64, nk)
	for k := range nk {
		col := mat.Col(nil, k, phi)
		rms[k] = math.Sqrt(floatsDot(col, col) / float64(n))
		if rms[k] > 0 {
			for j := range n {
				phi.Set(j, k, col[j]/rms[k])
			}
		}
	}
	y := mat.NewDense(n, 2*nn, nil)
	for j := range n {
		for i := range nn {
			y.Set(j, i, ev.L[j*nn+i])
			y.Set(j, nn+i, ev.M[j*nn+i])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(phi, mat.SVDThin) {
		return nil, errors.New("read-out: the SVD of the monomials did not converge")
	}
	rank := svd.Rank(1e-12)
	if rank == 0 {
		return nil, errors.New("read-out: every monomial vanishes on the held-out states")
	}
	var sol mat.Dense
	svd.SolveTo(&sol, y, rank)
	var fit mat.Dense
	fit.Mul(phi, &sol)

	r := &Readout{Vars: slices.Clone(vars), R2L: make([]float64, nn), R2M: make([]float64, nn)}
	var pooled [2][3]float64 // per matrix: SS_res, SS_tot, Σy²
	for c := range 2 * nn {
		target := mat.Col(nil, c, y)
		var mean, sumSq float64
		for _, v := range target {
			mean += v
			sumSq += v * v
		}
		mean /= float64(n)
		var ssRes, ssTot float64
		for j, v := range target {
			e := v - fit.At(j, c)
			ssRes += e * e
			ssTot += (v - mean) * (v - mean)
		}
		r2 := 1.0
		if ssTot > vanishing*vanishing*sumSq {
			r2 = 1 - ssRes/ssTot
		}
		pooled[c/nn][0] += ssRes
		pooled[c/nn][1] += ssTot
		pooled[c/nn][2] += sumSq
		if c < nn {
			r.R2L[c] = r2
		} else {
			r.R2M[c-nn] = r2
		}
	}
	for a := range 2 {
		r.R2[a] = 1
		if pooled[a][1] > vanishing*vanishing*pooled[a][2] {
			r.R2[a] = 1 - pooled[a][0]/pooled[a][1]
		}
	}
	for a, pm := range []*PolyMatrix{&r.L, &r.M} {
		pm.Size, pm.Exps, pm.Coef = sz, exps, make([][]float64, nk)
		var largest float64
		for k := range nk {
			pm.Coef[k] = make([]float64, nn)
			for i := range nn {
				c := 0.0
				if rms[k] > 0 {
					c = sol.At(k, a*nn+i) / rms[k]
				}
				pm.Coef[k][i] = c
				largest = math.Max(largest, math.Abs(c)*rms[k])
			}
		}
		for k := range nk {
			for i, c := range pm.Coef[k] {
				if math.Abs(c)*rms[k] <= opts.Threshold*largest || c == 0 {
					pm.Coef[k][i] = 0
					continue
				}
				pm.Coef[k][i] = sparsefit.Round(c, opts.Digits)
			}
		}
	}
	return r, nil
}

func floatsDot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// LaxReadout writes the formulas of L and M read out as polynomials.
type LaxReadout struct {
	ReadoutOptions `yaml:",inline"`
}

// Requires a Lax pair.
func (LaxReadout) Requires(c *Context) error {
	_, err := laxPairOf(c)
	return err
}

// Analyse fits L and M on the held-out states (see [FitReadout]) and writes
// one row per entry, "L[i,j]" and "M[i,j]", with the formula as text and the
// R² of the fit as value; the pooled R² of each matrix are the metrics
// lax_readout.r2_L and lax_readout.r2_M.
func (a LaxReadout) Analyse(c *Context) (Result, error) {
	p, err := laxPairOf(c)
	if err != nil {
		return Result{}, err
	}
	s, err := heldOut(c)
	if err != nil {
		return Result{}, err
	}
	r, err := FitReadout(p, c.Vars, s.X, s.N, a.ReadoutOptions)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for m, pm := range []*PolyMatrix{&r.L, &r.M} {
		name, r2s := "L", r.R2L
		if m == 1 {
			name, r2s = "M", r.R2M
		}
		for i := range pm.Size {
			for j := range pm.Size {
				text := pm.Formula(i, j, r.Vars, a.Digits)
				r2 := r2s[i*pm.Size+j]
				res.Rows = append(res.Rows, Row{Name: fmt.Sprintf("%s[%d,%d]", name, i, j), Value: &r2, Text: &text})
			}
		}
	}
	res.Metrics = []Metric{{"lax_readout.r2_L", r.R2[0]}, {"lax_readout.r2_M", r.R2[1]}}
	return res, nil
}

// LaxVerify checks the rounded read-out pair against the true equations.
type LaxVerify struct {
	ReadoutOptions `yaml:",inline"`
	Count          int     `yaml:"count" spec:">=1" doc:"number of fresh states drawn by the data's sampler"`
	Tolerance      float64 `yaml:"tolerance" doc:"largest normalised residual for the verdict 'is a Lax pair'; rounding to 3 digits alone leaves about 1e-3"`
}

// Validate checks the ranges; errors name the field.
func (a *LaxVerify) Validate() error {
	errs := []error{a.ReadoutOptions.Validate()}
	if a.Count < 1 {
		errs = append(errs, spec.FieldErrorf("count", "must be ≥ 1, got %d", a.Count))
	}
	if !(a.Tolerance > 0) || math.IsInf(a.Tolerance, 0) {
		errs = append(errs, spec.FieldErrorf("tolerance", "must be a finite number > 0, got %v", a.Tolerance))
	}
	return errors.Join(errs...)
}

// Requires a Lax pair and the true system.
func (a *LaxVerify) Requires(c *Context) error {
	return requireLaxAndSystem(c)
}

// Analyse reads the pair out (as lax_readout, on the held-out states),
// draws Count fresh states with the data's sampler and computes the
// normalised residual ‖L̇ − [L, M]‖ / ‖L̇‖ of the read-out polynomials, with
// L̇ = Σ_k ∂L/∂x_k f_k(x) exact: metric lax_verify_residual. A row
// "verdict" says whether it is below Tolerance.
func (a *LaxVerify) Analyse(c *Context) (Result, error) {
	p, err := laxPairOf(c)
	if err != nil {
		return Result{}, err
	}
	s, err := heldOut(c)
	if err != nil {
		return Result{}, err
	}
	sys, err := needSampling(c)
	if err != nil {
		return Result{}, err
	}
	r, err := FitReadout(p, c.Vars, s.X, s.N, a.ReadoutOptions)
	if err != nil {
		return Result{}, err
	}
	d, sz := len(c.Vars), r.L.Size
	nn := sz * sz
	x, f := make([]float64, d), make([]float64, d)
	l, m, ld, com := make([]float64, nn), make([]float64, nn), make([]float64, nn), make([]float64, nn)
	var num, den float64
	for j := range a.Count {
		if err := c.Sampler.Sample(c.RNG, c.Vars, x); err != nil {
			return Result{}, fmt.Errorf("fresh state %d: %w", j, err)
		}
		sys.Field(x, f)
		r.L.Eval(x, l)
		r.M.Eval(x, m)
		r.L.Derivative(x, f, ld)
		commutator(l, m, sz, com)
		for i := range nn {
			num += (ld[i] - com[i]) * (ld[i] - com[i])
			den += ld[i] * ld[i]
		}
	}
	if math.IsNaN(num) || math.IsInf(num, 0) || math.IsNaN(den) || math.IsInf(den, 0) {
		return Result{}, errors.New("the read-out pair or the equations are not finite at the fresh states")
	}
	resid := ratio(num, den)
	ldotRMS := math.Sqrt(den / float64(a.Count))
	var verdict string
	switch {
	case den == 0:
		verdict = "the read-out L is constant (L̇ = 0): a degenerate pair, not a Lax pair"
	case resid <= a.Tolerance:
		verdict = fmt.Sprintf("the read-out pair (degree %d, %d digits) is a Lax pair of the true equations: residual %.3g ≤ tolerance %g on %d fresh states",
			a.Degree, a.Digits, resid, a.Tolerance, a.Count)
	default:
		verdict = fmt.Sprintf("the read-out pair (degree %d, %d digits) is not a Lax pair of the true equations: residual %.3g > tolerance %g on %d fresh states",
			a.Degree, a.Digits, resid, a.Tolerance, a.Count)
	}
	return Result{
		Rows: []Row{
			{Name: "residual", Value: &resid, Text: &verdict},
			{Name: "ldot_rms", Value: &ldotRMS},
		},
		Metrics: []Metric{{"lax_verify_residual", resid}},
	}, nil
}

// ConservedTraces checks that tr Lᵏ is conserved along true trajectories.
type ConservedTraces struct {
	Powers []int             `yaml:"powers" spec:">=1" doc:"the powers k of tr Lᵏ to check"`
	Count  int               `yaml:"count" spec:">=1" doc:"number of true trajectories, from the data's sampler"`
	T      datasets.TimeGrid `yaml:"t" doc:"times at which each trajectory is recorded"`
}

// NewConservedTraces returns the defaults: powers [1, 2, 3], 10
// trajectories, t from 0 to 10 at 200 points.
func NewConservedTraces() *ConservedTraces {
	return &ConservedTraces{Powers: []int{1, 2, 3}, Count: 10, T: datasets.TimeGrid{Start: 0, Stop: 10, Points: 200}}
}

// Validate checks the options; errors name the field.
func (a *ConservedTraces) Validate() error {
	var errs []error
	if len(a.Powers) == 0 {
		errs = append(errs, spec.FieldErrorf("powers", "must list at least one power"))
	}
	for i, k := range a.Powers {
		if k < 1 || k > 16 {
			errs = append(errs, spec.FieldErrorf("powers", "must be in [1, 16], got %d", k))
		}
		if slices.Contains(a.Powers[:i], k) {
			errs = append(errs, spec.FieldErrorf("powers", "lists %d twice", k))
		}
	}
	if a.Count < 1 {
		errs = append(errs, spec.FieldErrorf("count", "must be ≥ 1, got %d", a.Count))
	}
	if err := a.T.Validate(); err != nil {
		errs = append(errs, spec.FieldErrorf("t", "%v", err))
	}
	return errors.Join(errs...)
}

// Requires a Lax pair and the true system.
func (a *ConservedTraces) Requires(c *Context) error {
	return requireLaxAndSystem(c)
}

// Analyse integrates Count true trajectories (dopri5 with its defaults, from
// the data's sampler) and evaluates tr Lᵏ along them. Per power k, the
// relative variation of a trajectory is std_t(tr Lᵏ) / mean_t |tr Lᵏ|; a
// trace that vanishes along the trajectory (mean |tr Lᵏ| below 1e-10 of
// mean ‖L‖ᵏ, e.g. tr L of a traceless L) is measured against mean ‖L‖ᵏ
// instead, and flagged in a text row. Metric trace_variation.k is the mean
// over trajectories (rows also give the largest). When the system has an
// energy, tr L² ≈ a + b·H is fitted by least squares over all the states:
// metric trace2_energy_r2 is its R², row trace2_energy the fit.
func (a *ConservedTraces) Analyse(c *Context) (Result, error) {
	p, err := laxPairOf(c)
	if err != nil {
		return Result{}, err
	}
	sys, err := needSampling(c)
	if err != nil {
		return Result{}, err
	}
	d := len(c.Vars)
	ts := a.T.Times()
	nt := len(ts)
	states, err := c.TrueTrajectories(sys, a.Count, ts)
	if err != nil {
		return Result{}, err
	}
	ev, err := EvalPair(p, states, nil, a.Count*nt, d)
	if err != nil {
		return Result{}, fmt.Errorf("along the true trajectories: %w", err)
	}
	sz := ev.Size
	nn := sz * sz
	maxPow := slices.Max(append(slices.Clone(a.Powers), 2))
	// traces[k-1][state] = tr Lᵏ, norms[state] = ‖L‖_F.
	n := a.Count * nt
	traces := make([][]float64, maxPow)
	for k := range traces {
		traces[k] = make([]float64, n)
	}
	norms := make([]float64, n)
	pw, tmp := make([]float64, nn), make([]float64, nn)
	for j := range n {
		l := ev.L[j*nn : (j+1)*nn]
		norms[j] = math.Sqrt(floatsDot(l, l))
		copy(pw, l)
		for k := range maxPow {
			if k > 0 {
				matMul(pw, l, sz, tmp)
				pw, tmp = tmp, pw
			}
			var tr float64
			for i := range sz {
				tr += pw[i*sz+i]
			}
			traces[k][j] = tr
		}
	}

	var res Result
	for _, k := range a.Powers {
		var sum, worst float64
		vanished := 0
		for j := range a.Count {
			tr, nm := traces[k-1][j*nt:(j+1)*nt], norms[j*nt:(j+1)*nt]
			var mean, meanAbs, scale float64
			for i := range nt {
				mean += tr[i]
				meanAbs += math.Abs(tr[i])
				scale += math.Pow(nm[i], float64(k))
			}
			mean, meanAbs, scale = mean/float64(nt), meanAbs/float64(nt), scale/float64(nt)
			var vr float64
			for _, v := range tr {
				vr += (v - mean) * (v - mean)
			}
			std := math.Sqrt(vr / float64(nt))
			den := meanAbs
			if meanAbs <= vanishing*scale {
				den = scale
				vanished++
			}
			v := 0.0
			if den > 0 {
				v = std / den
			}
			sum += v
			worst = math.Max(worst, v)
		}
		mean := sum / float64(a.Count)
		name := fmt.Sprintf("trace_variation.%d", k)
		res.Rows = append(res.Rows, Row{Name: name, Value: &mean}, Row{Name: name + ".max", Value: &worst})
		res.Metrics = append(res.Metrics, Metric{name, mean})
		if vanished > 0 {
			text := fmt.Sprintf("tr L^%d vanishes along %d of %d trajectories (|tr L^%d| < %g ‖L‖^%d): conserved trivially", k, vanished, a.Count, k, vanishing, k)
			res.Rows = append(res.Rows, Row{Name: fmt.Sprintf("trace.%d", k), Text: &text})
		}
	}

	if c.Energy != nil {
		h := make([]float64, n)
		for j := range n {
			h[j] = c.Energy(states[j*d : (j+1)*d])
		}
		fit, r2, ok := linearFit(h, traces[1])
		text := "the energy takes the same value at every sampled state: no fit of tr L^2 against H"
		if ok {
			text = fmt.Sprintf("tr L^2 = %.6g + %.6g*H (R² = %.6f, %d states on %d trajectories)", fit[0], fit[1], r2, n, a.Count)
			res.Rows = append(res.Rows, Row{Name: "trace2_energy", Value: &r2, Text: &text})
			res.Metrics = append(res.Metrics, Metric{"trace2_energy_r2", r2})
		} else {
			res.Rows = append(res.Rows, Row{Name: "trace2_energy", Text: &text})
		}
	}
	return res, nil
}

// energyVaries is the relative standard deviation of the energy over the
// sampled states below which it counts as one value (one trajectory, up to
// the integrator's error).
const energyVaries = 1e-6

// linearFit fits y ≈ a + b·x by least squares and returns (a, b), R² and
// whether x varies (std(x) above energyVaries times its RMS). R² is 0 when
// y is constant while x varies.
func linearFit(x, y []float64) (ab [2]float64, r2 float64, ok bool) {
	n := float64(len(x))
	var mx, my, sxx float64
	for i := range x {
		mx += x[i]
		my += y[i]
		sxx += x[i] * x[i]
	}
	mx, my = mx/n, my/n
	var vx, vy, cxy float64
	for i := range x {
		vx += (x[i] - mx) * (x[i] - mx)
		vy += (y[i] - my) * (y[i] - my)
		cxy += (x[i] - mx) * (y[i] - my)
	}
	if !(vx > energyVaries*energyVaries*sxx) {
		return ab, 0, false
	}
	b := cxy / vx
	ab = [2]float64{my - b*mx, b}
	if vy == 0 {
		return ab, 0, true
	}
	var ssRes float64
	for i := range x {
		e := y[i] - ab[0] - b*x[i]
		ssRes += e * e
	}
	return ab, 1 - ssRes/vy, true
}

// requireLaxAndSystem is Requires for analyses that need a Lax pair and the
// true system.
func requireLaxAndSystem(c *Context) error {
	if _, err := laxPairOf(c); err != nil {
		return err
	}
	_, err := c.Flow()
	return err
}
