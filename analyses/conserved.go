package analyses

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

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
		Kind: registry.Analysis, Name: "conserved_quantities",
		Doc: "reads each learned conserved quantity F_i out as a sparse polynomial (STLSQ on monomials up to degree: formula and R²; else the polynomial whose level sets it follows), measures its variation along held-out true trajectories and marks duplicates of earlier ones (needs a conserved-quantities model and a dynamical system)",
		New: func() any { return NewConservedQuantities() },
	})
}

// Verdict thresholds of conserved_quantities: a quantity counts towards
// conserved.independent when its polynomial fit reaches independentR2 and
// its variation along true trajectories is at most independentVariation.
const (
	independentR2        = 0.99
	independentVariation = 0.05
)

// ConservedQuantities reads out the quantities of a model implementing
// [architectures.ConservedQuantities].
//
// The default threshold 0.05 is relative to the largest standardised
// coefficient (the standard deviation a term contributes over the held-out
// states): a dropped term costs at most about 0.05² = 0.25% of the largest
// term's variance, well inside the R² ≥ 0.99 that counts as found, while a
// trained network's approximation error, spread over the 45 quadratic
// monomials of an 8-dimensional state, stays below it term by term.
// Genuine terms of the quantities sought (momenta, angular momenta) have
// comparable sizes and are not at risk.
type ConservedQuantities struct {
	Degree       int               `yaml:"degree" doc:"largest total degree of the monomials of the state variables each quantity is fitted to (0 to 8)"`
	Threshold    float64           `yaml:"threshold" doc:"STLSQ threshold: a term whose standardised coefficient is below this fraction of the largest is dropped, in [0, 1)"`
	Digits       int               `yaml:"digits" doc:"significant digits of the coefficients in the formulas (1 to 17)"`
	Trajectories int               `yaml:"trajectories" doc:"number of held-out true trajectories, drawn by the data's sampler"`
	T            datasets.TimeGrid `yaml:"t" doc:"times at which each held-out trajectory is recorded"`
	DuplicateR2  float64           `yaml:"duplicate_r2" doc:"a quantity whose fit on the earlier ones (affine, then quadratic; of F_i or of its level-set polynomial) reaches this R² is marked a duplicate, in (0, 1]"`
}

// NewConservedQuantities returns the defaults: degree 2, threshold 0.05, 3
// digits, 10 trajectories with t from 0 to 10 at 200 points, duplicate_r2
// 0.99.
func NewConservedQuantities() *ConservedQuantities {
	return &ConservedQuantities{
		Degree: 2, Threshold: 0.05, Digits: 3, Trajectories: 10,
		T:           datasets.TimeGrid{Start: 0, Stop: 10, Points: 200},
		DuplicateR2: 0.99,
	}
}

// Validate checks the ranges; errors name the field.
func (a *ConservedQuantities) Validate() error {
	var errs []error
	if a.Degree < 0 || a.Degree > sparsefit.MaxDegree {
		errs = append(errs, spec.FieldErrorf("degree", "must be in [0, %d], got %d", sparsefit.MaxDegree, a.Degree))
	}
	if !(a.Threshold >= 0 && a.Threshold < 1) {
		errs = append(errs, spec.FieldErrorf("threshold", "must be in [0, 1), got %v", a.Threshold))
	}
	if a.Digits < 1 || a.Digits > 17 {
		errs = append(errs, spec.FieldErrorf("digits", "must be in [1, 17], got %d", a.Digits))
	}
	if a.Trajectories < 1 {
		errs = append(errs, spec.FieldErrorf("trajectories", "must be ≥ 1, got %d", a.Trajectories))
	}
	if err := a.T.Validate(); err != nil {
		errs = append(errs, spec.FieldErrorf("t", "%v", err))
	} else if a.T.Points < 2 {
		errs = append(errs, spec.FieldErrorf("t", "needs at least 2 points to measure a variation along a trajectory, got %d", a.T.Points))
	}
	if !(a.DuplicateR2 > 0 && a.DuplicateR2 <= 1) {
		errs = append(errs, spec.FieldErrorf("duplicate_r2", "must be in (0, 1], got %v", a.DuplicateR2))
	}
	return errors.Join(errs...)
}

// errNotConserved is returned for models that do not learn conserved
// quantities; the runner prefixes it with "analysis <name>".
var errNotConserved = errors.New("needs a model of conserved quantities F_i(x) (e.g. kind conserved); the spec's model is not one")

func conservedOf(c *Context) (architectures.ConservedQuantities, error) {
	m, ok := c.Model.(architectures.ConservedQuantities)
	if !ok {
		return nil, errNotConserved
	}
	if k := m.NumConserved(); k < 1 {
		return nil, fmt.Errorf("the model learns %d conserved quantities: nothing to read out", k)
	}
	return m, nil
}

// Requires a conserved-quantities model and a dynamical system.
func (a *ConservedQuantities) Requires(c *Context) error {
	if _, err := conservedOf(c); err != nil {
		return err
	}
	_, err := c.Flow()
	return err
}

// quantityReport is what conserved_quantities finds about one F_i.
type quantityReport struct {
	poly      *sparsefit.Polynomial
	r2        float64
	roundedR2 float64
	variation float64
	// trivial: F_i is constant over the held-out states.
	trivial bool
	// duplicateOf lists the earlier quantities (0-based) F_i is a function
	// of; dupR2 is that fit's R².
	duplicateOf []int
	dupR2       float64
	// dupLevel: the duplicate was found through the level-set polynomial.
	dupLevel bool
	// level is the polynomial whose level sets F_i's gradient fits best
	// (nil when F_i is a polynomial itself, R² ≥ 0.99), alignment the
	// fraction of ∇P along ∇F_i (see sparsefit.FitLevelSets) and levelValues
	// its values at the held-out states.
	level       *sparsefit.Polynomial
	alignment   float64
	levelValues []float64
}

// levelAligned says whether F_i is a function of its level-set polynomial.
func (r *quantityReport) levelAligned() bool {
	return r.level != nil && r.alignment >= independentR2
}

// Analyse reads out every quantity F_i of the model (i from 1):
//
//   - F<i>: value the R² of the sparse fit (STLSQ, see package sparsefit)
//     of F_i on the monomials of the variables up to Degree over the
//     held-out clean states, text the formula with Digits digits (metric
//     conserved.<i>.r2); F<i>.rounded_r2 is the R² of the formula as
//     printed.
//   - F<i>.variation: Trajectories fresh initial conditions from the data's
//     sampler are integrated with dopri5 on the true field; the variation is
//     the mean over trajectories of the standard deviation in time of F_i
//     (the network, not the formula), divided by the standard deviation of
//     F_i over the held-out states (metric conserved.<i>.variation).
//   - F<i>.level_set, for F_i with R² < 0.99: the sparse polynomial P of
//     degree ≤ Degree whose gradient is most nearly parallel to ∇F_i (the
//     model's, at the held-out states; sparsefit.FitLevelSets), value the
//     alignment (metric conserved.<i>.level_alignment). An alignment ≥ 0.99
//     means F_i = g(P): a nonlinear function of a polynomial, such as
//     tanh(L_z), which no monomial fit reads out.
//   - F<i>.duplicate_of: F_i is a duplicate when a sparse fit of F_i (or of
//     its aligned level-set polynomial) on [1, F_j, P_j] over the earlier
//     non-duplicate quantities, or on their monomials up to degree 2,
//     reaches DuplicateR2; text the quantities it depends on ("F1" or
//     "F1,F2"), value that R².
//   - F<i>.verdict: conserved or not, polynomial or not (a conserved F_i
//     with a poor polynomial fit is reported as conserved but not a
//     polynomial, with the P of which it is a function when there is one),
//     duplicate, or constant.
//
// Summary metrics over the quantities that are neither duplicates nor
// constant: conserved.r2.min, conserved.variation.max,
// conserved.independent, the number with R² ≥ 0.99 and variation ≤ 0.05,
// and conserved.independent.level_sets, the number with variation ≤ 0.05
// that are polynomials or functions of one (alignment ≥ 0.99).
func (a *ConservedQuantities) Analyse(c *Context) (Result, error) {
	if err := a.Validate(); err != nil {
		return Result{}, err
	}
	model, err := conservedOf(c)
	if err != nil {
		return Result{}, err
	}
	sys, err := needSampling(c)
	if err != nil {
		return Result{}, err
	}
	set, err := heldOut(c)
	if err != nil {
		return Result{}, err
	}
	n, d, k := set.N, set.D, model.NumConserved()
	if len(c.Vars) != d {
		return Result{}, fmt.Errorf("%d variables %v for held-out states of dimension %d", len(c.Vars), c.Vars, d)
	}
	xs := set.X
	if len(set.Clean) == n*d {
		xs = set.Clean
	}
	fTest, err := evalConserved(model, xs, n, d)
	if err != nil {
		return Result{}, fmt.Errorf("held-out states: %w", err)
	}

	// Sparse fit of each quantity.
	dict, err := sparsefit.NewDictionary(c.Vars, a.Degree)
	if err != nil {
		return Result{}, fmt.Errorf("monomials: %w", err)
	}
	design, err := dict.Design(xs, n)
	if err != nil {
		return Result{}, fmt.Errorf("monomials on the held-out states: %w", err)
	}
	opts := sparsefit.Options{Threshold: a.Threshold, MaxIter: 20}
	reports := make([]quantityReport, k)
	spread := make([]float64, k)
	for i := range k {
		y := column(fTest, k, i)
		fit, err := sparsefit.STLSQ(design, y, opts)
		if err != nil {
			return Result{}, fmt.Errorf("F%d on the monomials of degree ≤ %d: %w", i+1, a.Degree, err)
		}
		r := &reports[i]
		r.poly, r.r2 = dict.Polynomial(fit), fit.R2
		r.roundedR2 = sparsefit.R2(y, r.poly.Rounded(a.Digits).Values(xs, n))
		_, std, rms := meanStd(y)
		spread[i] = std
		r.trivial = !(std > vanishing*rms)
	}

	// Variation along fresh true trajectories.
	if err := a.variations(c, sys, model, reports, spread); err != nil {
		return Result{}, err
	}

	// Level sets of the quantities that are not polynomials.
	if err := a.levelSets(model, reports, dict, xs, n, d, opts); err != nil {
		return Result{}, err
	}

	// Duplicates of earlier quantities.
	kept, err := a.duplicates(reports, fTest, opts)
	if err != nil {
		return Result{}, err
	}
	return a.result(reports, kept), nil
}

// result writes the rows and metrics of the reports; kept are the
// quantities that are neither constant nor duplicates.
func (a *ConservedQuantities) result(reports []quantityReport, kept []int) Result {
	var res Result
	for i, r := range reports {
		name := fmt.Sprintf("F%d", i+1)
		text := r.poly.Format(a.Digits)
		r2, rr2, v := r.r2, r.roundedR2, r.variation
		res.Rows = append(res.Rows,
			Row{Name: name, Value: &r2, Text: &text},
			Row{Name: name + ".rounded_r2", Value: &rr2})
		res.Metrics = append(res.Metrics, Metric{fmt.Sprintf("conserved.%d.r2", i+1), r2})
		if !r.trivial {
			res.Rows = append(res.Rows, Row{Name: name + ".variation", Value: &v})
			res.Metrics = append(res.Metrics, Metric{fmt.Sprintf("conserved.%d.variation", i+1), v})
		}
		if r.level != nil {
			level, align := r.level.Format(a.Digits), r.alignment
			res.Rows = append(res.Rows, Row{Name: name + ".level_set", Value: &align, Text: &level})
			res.Metrics = append(res.Metrics, Metric{fmt.Sprintf("conserved.%d.level_alignment", i+1), align})
		}
		if r.duplicateOf != nil {
			dup, dr2 := quantityNames(r.duplicateOf), r.dupR2
			res.Rows = append(res.Rows, Row{Name: name + ".duplicate_of", Value: &dr2, Text: &dup})
		}
		verdict := a.verdict(r)
		res.Rows = append(res.Rows, Row{Name: name + ".verdict", Text: &verdict})
	}
	independent, levels := 0.0, 0.0
	if len(kept) > 0 {
		r2min, vmax := math.Inf(1), 0.0
		for _, i := range kept {
			r := reports[i]
			r2min, vmax = math.Min(r2min, r.r2), math.Max(vmax, r.variation)
			if r.variation <= independentVariation {
				if r.r2 >= independentR2 {
					independent++
				}
				if r.r2 >= independentR2 || r.levelAligned() {
					levels++
				}
			}
		}
		res.Metrics = append(res.Metrics, Metric{"conserved.r2.min", r2min}, Metric{"conserved.variation.max", vmax})
	}
	res.Metrics = append(res.Metrics, Metric{"conserved.independent", independent}, Metric{"conserved.independent.level_sets", levels})
	return res
}

// verdict says in words what the numbers of one quantity mean.
func (a *ConservedQuantities) verdict(r quantityReport) string {
	switch {
	case r.trivial:
		return "constant over the held-out states: conserved trivially, not a quantity"
	case r.duplicateOf != nil && r.dupLevel:
		return fmt.Sprintf("a function of %s through its level sets P = %s (R² %.6g of P on them): a duplicate", quantityNames(r.duplicateOf), r.level.Format(a.Digits), r.dupR2)
	case r.duplicateOf != nil:
		return fmt.Sprintf("a function of %s (R² %.6g): a duplicate", quantityNames(r.duplicateOf), r.dupR2)
	}
	conserved := r.variation <= independentVariation
	polynomial := r.r2 >= independentR2
	switch {
	case conserved && polynomial:
		return fmt.Sprintf("conserved (variation %.2g) and a polynomial of degree ≤ %d (R² %.6g)", r.variation, a.Degree, r.r2)
	case conserved && r.levelAligned():
		return fmt.Sprintf("conserved (variation %.2g) but not a polynomial of degree ≤ %d (R² %.6g): a nonlinear function of P = %s (gradient alignment %.6g)", r.variation, a.Degree, r.r2, r.level.Format(a.Digits), r.alignment)
	case conserved:
		return fmt.Sprintf("conserved (variation %.2g) but not a polynomial of degree ≤ %d (R² %.6g), nor a function of one (gradient alignment %.4g): of higher degree, or of several polynomials", r.variation, a.Degree, r.r2, r.alignment)
	case polynomial:
		return fmt.Sprintf("not conserved (variation %.2g > %g), though a polynomial of degree ≤ %d (R² %.6g)", r.variation, independentVariation, a.Degree, r.r2)
	default:
		return fmt.Sprintf("not conserved (variation %.2g > %g) and not a polynomial of degree ≤ %d (R² %.6g)", r.variation, independentVariation, a.Degree, r.r2)
	}
}

// quantityNames writes 0-based indices as "F1,F3".
func quantityNames(idx []int) string {
	names := make([]string, len(idx))
	for i, j := range idx {
		names[i] = fmt.Sprintf("F%d", j+1)
	}
	return strings.Join(names, ",")
}

// variations integrates Trajectories true trajectories from the data's
// sampler and sets each non-constant quantity's variation: the mean over
// trajectories of its standard deviation in time over spread, its standard
// deviation over the held-out states.
func (a *ConservedQuantities) variations(c *Context, sys systems.Flow, model architectures.ConservedQuantities, reports []quantityReport, spread []float64) error {
	d, k := len(c.Vars), len(reports)
	ts := a.T.Times()
	nt := len(ts)
	states, err := c.TrueTrajectories(sys, a.Trajectories, ts)
	if err != nil {
		return err
	}
	f, err := evalConserved(model, states, a.Trajectories*nt, d)
	if err != nil {
		return fmt.Errorf("along the true trajectories: %w", err)
	}
	for i := range k {
		if reports[i].trivial {
			continue
		}
		var sum float64
		for j := range a.Trajectories {
			_, std, _ := meanStd(column(f[j*nt*k:(j+1)*nt*k], k, i))
			sum += std
		}
		reports[i].variation = sum / float64(a.Trajectories) / spread[i]
	}
	return nil
}

// duplicates marks each quantity that is a function of earlier ones: F_i
// (and, when F_i is a function of a polynomial P_i, P_i) is fitted on the
// earlier kept F_j and P_j (see dependsOn). It returns the quantities kept:
// neither constant nor duplicates. f holds the quantities at the held-out
// states, row-major.
func (a *ConservedQuantities) duplicates(reports []quantityReport, f []float64, opts sparsefit.Options) ([]int, error) {
	k := len(reports)
	var kept []int
	var owners []int
	var regressors [][]float64
	for i := range k {
		r := &reports[i]
		if r.trivial {
			continue
		}
		if len(kept) > 0 {
			targets := [][]float64{column(f, k, i)}
			if r.levelAligned() {
				targets = append(targets, r.levelValues)
			}
			for t, y := range targets {
				deps, r2, err := dependsOn(y, regressors, owners, opts, a.DuplicateR2)
				if err != nil {
					return nil, fmt.Errorf("F%d as a function of earlier quantities: %w", i+1, err)
				}
				if deps != nil {
					r.duplicateOf, r.dupR2, r.dupLevel = deps, r2, t == 1
					break
				}
			}
			if r.duplicateOf != nil {
				continue
			}
		}
		kept = append(kept, i)
		owners = append(owners, i)
		regressors = append(regressors, column(f, k, i))
		if r.levelAligned() {
			owners = append(owners, i)
			regressors = append(regressors, r.levelValues)
		}
	}
	return kept, nil
}

// dependsOn fits y on the regressors (columns over the same states),
// first affinely, then on their monomials up to degree 2, by STLSQ. When a
// fit reaches minR2 it returns the owners (quantity indices, sorted,
// without repetition) of the regressors the fit uses and its R²; nil
// otherwise.
func dependsOn(y []float64, regressors [][]float64, owners []int, opts sparsefit.Options, minR2 float64) ([]int, float64, error) {
	n, m := len(y), len(regressors)
	vals := make([]float64, 0, n*m)
	names := make([]string, m)
	for a := range regressors {
		names[a] = fmt.Sprintf("r%d", a)
	}
	for s := range n {
		for _, r := range regressors {
			vals = append(vals, r[s])
		}
	}
	for _, degree := range []int{1, 2} {
		dict, err := sparsefit.NewDictionary(names, degree)
		if err != nil {
			return nil, 0, err
		}
		design, err := dict.Design(vals, n)
		if err != nil {
			return nil, 0, err
		}
		fit, err := sparsefit.STLSQ(design, y, opts)
		if err != nil {
			return nil, 0, err
		}
		if fit.R2 < minR2 {
			continue
		}
		var deps []int
		for c, e := range dict.Exps {
			if !fit.Active[c] {
				continue
			}
			for v, p := range e {
				if p > 0 && !slices.Contains(deps, owners[v]) {
					deps = append(deps, owners[v])
				}
			}
		}
		slices.Sort(deps)
		if len(deps) == 0 {
			// Unreachable for a non-constant y: a constant fit has R² 0.
			return nil, 0, nil
		}
		return deps, fit.R2, nil
	}
	return nil, 0, nil
}

// levelSets fits, for every quantity that is neither constant nor a
// polynomial of degree ≤ Degree (R² < 0.99), the polynomial whose level
// sets its gradient follows (sparsefit.FitLevelSets), with ∇F_i from the
// model at the held-out states.
func (a *ConservedQuantities) levelSets(model architectures.ConservedQuantities, reports []quantityReport, dict *sparsefit.Dictionary, xs []float64, n, d int, opts sparsefit.Options) error {
	var todo []int
	for i, r := range reports {
		if !r.trivial && r.r2 < independentR2 {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 || a.Degree < 1 {
		return nil
	}
	k := len(reports)
	jac, err := gradConserved(model, xs, n, d)
	if err != nil {
		return fmt.Errorf("gradients at the held-out states: %w", err)
	}
	grads := make([]float64, n*d)
	for _, i := range todo {
		for s := range n {
			copy(grads[s*d:(s+1)*d], jac[(s*k+i)*d:(s*k+i+1)*d])
		}
		p, align, err := dict.FitLevelSets(xs, grads, n, opts)
		if err != nil {
			// A gradient that vanishes everywhere has no level sets to
			// read; the quantity is still reported by its value fit.
			continue
		}
		r := &reports[i]
		r.level, r.alignment, r.levelValues = p, align, p.Values(xs, n)
	}
	return nil
}

// evalConserved evaluates the model's quantities at the n states xs (n rows
// of d values) in chunks and returns them row-major, n rows of k values.
// Non-finite values are an error naming the state.
func evalConserved(m architectures.ConservedQuantities, xs []float64, n, d int) ([]float64, error) {
	k := m.NumConserved()
	out := make([]float64, 0, n*k)
	for lo := 0; lo < n; lo += laxChunk {
		hi := min(lo+laxChunk, n)
		f, err := m.Conserved(autodiff.New(slices.Clone(xs[lo*d:hi*d]), hi-lo, d), false)
		if err != nil {
			return nil, err
		}
		if f.Len() != (hi-lo)*k {
			return nil, fmt.Errorf("the model returned %v values for %d states and %d quantities", f.Shape(), hi-lo, k)
		}
		out = append(out, f.Data()...)
	}
	for i, v := range out {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			j := i / k
			return nil, fmt.Errorf("F%d is %v at state %d %v", i%k+1, v, j, xs[j*d:(j+1)*d])
		}
	}
	return out, nil
}

// gradConserved returns the gradients ∇F_i at the n states xs, row-major
// [n, k, d]. Non-finite values are an error naming the state.
func gradConserved(m architectures.ConservedQuantities, xs []float64, n, d int) ([]float64, error) {
	k := m.NumConserved()
	out := make([]float64, 0, n*k*d)
	for lo := 0; lo < n; lo += laxChunk {
		hi := min(lo+laxChunk, n)
		in := autodiff.Variable(slices.Clone(xs[lo*d:hi*d]), hi-lo, d)
		f, err := m.Conserved(in, true)
		if err != nil {
			return nil, err
		}
		jac, err := autodiff.Jacobian(f, in, false)
		if err != nil {
			return nil, err
		}
		out = append(out, jac.Data()...)
	}
	for i, v := range out {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			j := i / (k * d)
			return nil, fmt.Errorf("∇F%d is %v at state %d %v", (i/d)%k+1, v, j, xs[j*d:(j+1)*d])
		}
	}
	return out, nil
}

// column returns column i of a row-major matrix with k columns.
func column(f []float64, k, i int) []float64 {
	out := make([]float64, len(f)/k)
	for s := range out {
		out[s] = f[s*k+i]
	}
	return out
}

// meanStd returns the mean, the standard deviation (over n) and the RMS.
func meanStd(v []float64) (mean, std, rms float64) {
	var sq float64
	for _, x := range v {
		mean += x
		sq += x * x
	}
	n := float64(len(v))
	mean /= n
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / n), math.Sqrt(sq / n)
}
