package sparsefit

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Tolerances of the fit, relative to the scale of the data.
const (
	// constantColumn: a column (or target) whose standard deviation is
	// below this fraction of its RMS counts as constant.
	constantColumn = 1e-10
	// rankCut: singular values below this fraction of the largest are
	// treated as zero (exactly collinear columns get the minimum-norm
	// split).
	rankCut = 1e-10
)

// Options configure [STLSQ].
type Options struct {
	// Threshold drops a term whose standardised coefficient is below
	// Threshold times the largest one; 0 keeps every term.
	Threshold float64
	// MaxIter bounds the number of thresholding rounds (one least-squares
	// solve each, plus a final solve when the last round dropped terms).
	MaxIter int
}

// DefaultOptions returns Threshold 0.05 and MaxIter 20.
func DefaultOptions() Options { return Options{Threshold: 0.05, MaxIter: 20} }

// Validate checks Threshold ∈ [0, 1) and MaxIter ≥ 1.
func (o Options) Validate() error {
	var errs []error
	if !(o.Threshold >= 0 && o.Threshold < 1) {
		errs = append(errs, fmt.Errorf("threshold must be in [0, 1), got %v", o.Threshold))
	}
	if o.MaxIter < 1 {
		errs = append(errs, fmt.Errorf("the number of iterations must be ≥ 1, got %d", o.MaxIter))
	}
	return errors.Join(errs...)
}

// Fit is the result of [STLSQ]: y ≈ Intercept + Σ_k Coef[k]·A[:, k].
type Fit struct {
	// Coef holds one coefficient per column in the data's units; 0 for a
	// dropped or constant column.
	Coef      []float64
	Intercept float64
	// Active marks the columns kept. Constant columns are never active:
	// the intercept absorbs them.
	Active []bool
	// Standardised are the coefficients of the centred columns scaled to
	// unit standard deviation: the standard deviation each term
	// contributes.
	Standardised []float64
	// R2 is the coefficient of determination of the fit, see [R2].
	R2 float64
	// Iterations is the number of least-squares solves.
	Iterations int
}

// STLSQ fits y ≈ c₀ + Σ_k c_k A[:, k] by sequentially thresholded least
// squares. The columns are centred and scaled to unit standard deviation
// (constant columns are left out: the intercept c₀ stands for them); each
// round solves least squares on the active columns (SVD, minimum norm for
// collinear columns) and deactivates those whose standardised coefficient
// is below opts.Threshold times the largest; it stops when no column is
// dropped or after opts.MaxIter rounds. The intercept is never dropped,
// but one below 1e-10 of the RMS of y (rounding) is set to 0.
// A constant y gives the intercept alone and R² = 1.
func STLSQ(a mat.Matrix, y []float64, opts Options) (*Fit, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	n, k := a.Dims()
	if len(y) != n {
		return nil, fmt.Errorf("stlsq: %d rows but %d targets", n, len(y))
	}
	for j, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("stlsq: target %d is %v", j, v)
		}
	}
	mean, std := make([]float64, k), make([]float64, k)
	fit := &Fit{Coef: make([]float64, k), Active: make([]bool, k), Standardised: make([]float64, k)}
	var nActive int
	col := make([]float64, n)
	for c := range k {
		mat.Col(col, c, a)
		m, s, rms := moments(col)
		mean[c], std[c] = m, s
		if s > constantColumn*rms {
			fit.Active[c] = true
			nActive++
		}
	}
	ym, ys, yrms := moments(y)
	if ys <= constantColumn*yrms || nActive == 0 {
		clear(fit.Active)
		fit.Intercept = ym
		fit.R2 = R2(y, constantSlice(n, ym))
		return fit, nil
	}
	if n <= nActive {
		return nil, fmt.Errorf("stlsq: %d samples for %d varying columns and an intercept: need more samples than columns", n, nActive)
	}
	z := mat.NewDense(n, k, nil)
	for c := range k {
		if !fit.Active[c] {
			continue
		}
		for j := range n {
			z.Set(j, c, (a.At(j, c)-mean[c])/std[c])
		}
	}
	yc := mat.NewVecDense(n, nil)
	for j, v := range y {
		yc.SetVec(j, v-ym)
	}
	beta := make([]float64, k)
	for fit.Iterations < opts.MaxIter {
		if err := solveActive(z, yc, fit.Active, beta); err != nil {
			return nil, err
		}
		fit.Iterations++
		var largest float64
		for c, b := range beta {
			if fit.Active[c] {
				largest = math.Max(largest, math.Abs(b))
			}
		}
		dropped := false
		for c, b := range beta {
			if fit.Active[c] && math.Abs(b) < opts.Threshold*largest {
				fit.Active[c] = false
				dropped = true
			}
		}
		if !dropped {
			break
		}
		if fit.Iterations == opts.MaxIter {
			// The last solve had columns dropped after it: solve once
			// more so the coefficients belong to the final support.
			if err := solveActive(z, yc, fit.Active, beta); err != nil {
				return nil, err
			}
			fit.Iterations++
		}
	}
	fit.Intercept = ym
	for c := range k {
		if !fit.Active[c] {
			continue
		}
		fit.Standardised[c] = beta[c]
		fit.Coef[c] = beta[c] / std[c]
		fit.Intercept -= fit.Coef[c] * mean[c]
	}
	if math.Abs(fit.Intercept) <= constantColumn*yrms {
		// Rounding left over from ȳ − Σ c_k μ_k.
		fit.Intercept = 0
	}
	pred := make([]float64, n)
	for j := range n {
		s := fit.Intercept
		for c := range k {
			if fit.Active[c] {
				s += fit.Coef[c] * a.At(j, c)
			}
		}
		pred[j] = s
	}
	fit.R2 = R2(y, pred)
	return fit, nil
}

// solveActive solves min ‖Z[:, active]·β − y‖ by SVD and writes β into
// beta at the active columns (zero elsewhere).
func solveActive(z *mat.Dense, y *mat.VecDense, active []bool, beta []float64) error {
	n, _ := z.Dims()
	var cols []int
	for c, on := range active {
		if on {
			cols = append(cols, c)
		}
	}
	clear(beta)
	if len(cols) == 0 {
		return nil
	}
	sub := mat.NewDense(n, len(cols), nil)
	for i, c := range cols {
		for j := range n {
			sub.Set(j, i, z.At(j, c))
		}
	}
	var svd mat.SVD
	if !svd.Factorize(sub, mat.SVDThin) {
		return errors.New("stlsq: the SVD of the columns did not converge")
	}
	rank := svd.Rank(rankCut)
	if rank == 0 {
		return errors.New("stlsq: every active column vanishes")
	}
	var sol mat.VecDense
	svd.SolveVecTo(&sol, y, rank)
	for i, c := range cols {
		beta[c] = sol.AtVec(i)
	}
	return nil
}

// moments returns the mean, the standard deviation (over n) and the RMS.
func moments(v []float64) (mean, std, rms float64) {
	n := float64(len(v))
	var sq float64
	for _, x := range v {
		mean += x
		sq += x * x
	}
	mean /= n
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / n), math.Sqrt(sq / n)
}

func constantSlice(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// R2 is the coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)². For a
// y that is constant (standard deviation below 1e-10 of its RMS) it is 1
// when the residuals are as small and 0 otherwise. It is NaN for empty or
// mismatched inputs.
func R2(y, pred []float64) float64 {
	if len(y) == 0 || len(y) != len(pred) {
		return math.NaN()
	}
	mean, std, rms := moments(y)
	var ssRes, ssTot float64
	for j, v := range y {
		ssRes += (v - pred[j]) * (v - pred[j])
		ssTot += (v - mean) * (v - mean)
	}
	if std <= constantColumn*rms {
		if math.Sqrt(ssRes/float64(len(y))) <= constantColumn*math.Max(rms, math.SmallestNonzeroFloat64) {
			return 1
		}
		return 0
	}
	return 1 - ssRes/ssTot
}
