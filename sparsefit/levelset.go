package sparsefit

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// FitLevelSets finds a sparse polynomial P in the dictionary's non-constant
// monomials whose gradient is parallel to given gradients g_s at the states
// x_s. When g = ∇F, the level sets of F are those of P and F = h(P) for
// some function h: this reads out a quantity that is a nonlinear function
// of a polynomial (tanh(L), L³, ...), which [Dictionary.Fit] cannot.
//
// With u_s = g_s/|g_s| it minimises the fraction of ∇P that is
// perpendicular to g,
//
//	λ = Σ_s |(I − u_s u_sᵀ) ∇P(x_s)|² / Σ_s |∇P(x_s)|²,
//
// a generalised symmetric eigenproblem for the coefficients, and thresholds
// the terms as [STLSQ] does: a term whose RMS gradient is below
// opts.Threshold times the largest is dropped and the problem solved again
// on the rest. Since the level sets of u are also those of u², u + u², ...,
// it prefers the lowest degree: it solves with the monomials up to each
// degree in turn and keeps the first whose λ is at most twice the λ of the
// whole dictionary plus 1e-9. It returns P scaled so that its largest
// coefficient (the first of several equal ones) is +1 and the alignment 1 − λ (1: parallel at every state).
// States where g is below 1e-10 of its RMS size carry no direction and are
// skipped. xs holds n rows of len(Vars) values, grads n rows of len(Vars)
// values.
func (d *Dictionary) FitLevelSets(xs, grads []float64, n int, opts Options) (*Polynomial, float64, error) {
	if err := opts.Validate(); err != nil {
		return nil, 0, err
	}
	nv := len(d.Vars)
	if n < 1 || len(xs) != n*nv || len(grads) != n*nv {
		return nil, 0, fmt.Errorf("level sets: %d states of %d variables need %d values and gradients, got %d and %d", n, nv, n*nv, len(xs), len(grads))
	}
	var cols []int
	for k, e := range d.Exps {
		if !isConstant(e) {
			cols = append(cols, k)
		}
	}
	if len(cols) == 0 {
		return nil, 0, errors.New("level sets: the dictionary has no non-constant monomial")
	}
	var gms float64
	for _, v := range grads {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, fmt.Errorf("level sets: a gradient is %v", v)
		}
		gms += v * v
	}
	gms /= float64(n)
	kc := len(cols)
	a, b := mat.NewSymDense(kc, nil), mat.NewSymDense(kc, nil)
	jac := make([]float64, len(d.Exps)*nv)
	jv := make([]float64, kc)
	used := 0
	for s := range n {
		g := grads[s*nv : (s+1)*nv]
		var g2 float64
		for _, v := range g {
			g2 += v * v
		}
		if !(g2 > constantColumn*constantColumn*gms) {
			continue
		}
		used++
		gn := math.Sqrt(g2)
		d.Gradient(xs[s*nv:(s+1)*nv], jac)
		for i, ki := range cols {
			var dot float64
			for v := range nv {
				dot += jac[ki*nv+v] * g[v]
			}
			jv[i] = dot / gn
		}
		for i, ki := range cols {
			for j := i; j < kc; j++ {
				kj := cols[j]
				var jj float64
				for v := range nv {
					jj += jac[ki*nv+v] * jac[kj*nv+v]
				}
				b.SetSym(i, j, b.At(i, j)+jj)
				a.SetSym(i, j, a.At(i, j)+jj-jv[i]*jv[j])
			}
		}
	}
	if used == 0 {
		return nil, 0, errors.New("level sets: the gradient vanishes at every state")
	}
	top := 0
	for _, k := range cols {
		top = max(top, degree(d.Exps[k]))
	}
	solve := func(maxDeg int) ([]float64, float64, error) {
		active := make([]bool, kc)
		some := false
		for i, k := range cols {
			active[i] = b.At(i, i) > 0 && degree(d.Exps[k]) <= maxDeg
			some = some || active[i]
		}
		if !some {
			return nil, 0, fmt.Errorf("level sets: every monomial of degree ≤ %d has a vanishing gradient", maxDeg)
		}
		return thresholdedLevelSets(a, b, active, opts)
	}
	coef, lambdaAll, err := solve(top)
	if err != nil {
		return nil, 0, err
	}
	lambda := lambdaAll
	for deg := 1; deg < top; deg++ {
		c, l, err := solve(deg)
		if err != nil {
			continue
		}
		if l <= 2*lambdaAll+1e-9 {
			coef, lambda = c, l
			break
		}
	}
	p := &Polynomial{Vars: slices.Clone(d.Vars), Exps: d.Exps, Coef: make([]float64, len(d.Exps))}
	// Scale by the largest magnitude, with the sign that makes the first
	// coefficient of (nearly) that magnitude +1, so that ties between equal
	// coefficients do not depend on rounding.
	var big float64
	for i, k := range cols {
		p.Coef[k] = coef[i]
		big = math.Max(big, math.Abs(coef[i]))
	}
	for _, c := range coef {
		if math.Abs(c) >= (1-1e-9)*big {
			big = math.Copysign(big, c)
			break
		}
	}
	for k := range p.Coef {
		p.Coef[k] /= big
	}
	return p, min(1, max(0, 1-lambda)), nil
}

// degree is the total degree of a monomial.
func degree(e []int) int {
	var s int
	for _, k := range e {
		s += k
	}
	return s
}

// thresholdedLevelSets solves the level-set problem on the active columns,
// drops the terms whose RMS gradient is below opts.Threshold times the
// largest and solves again, until nothing is dropped or opts.MaxIter solves.
// It returns the coefficients (zero for inactive columns) and λ.
func thresholdedLevelSets(a, b *mat.SymDense, active []bool, opts Options) ([]float64, float64, error) {
	kc := len(active)
	coef := make([]float64, kc)
	size := make([]float64, kc)
	for it := 0; ; it++ {
		lambda, err := smallestGeneralised(a, b, active, coef)
		if err != nil {
			return nil, 0, err
		}
		if it+1 >= opts.MaxIter {
			return coef, lambda, nil
		}
		var largest float64
		for i := range kc {
			size[i] = 0
			if active[i] {
				size[i] = math.Abs(coef[i]) * math.Sqrt(b.At(i, i))
				largest = math.Max(largest, size[i])
			}
		}
		dropped := false
		for i := range kc {
			if active[i] && size[i] < opts.Threshold*largest {
				active[i], dropped = false, true
			}
		}
		if !dropped {
			return coef, lambda, nil
		}
	}
}

// smallestGeneralised solves A c = λ B c on the active rows and columns
// for the smallest λ (B positive semi-definite: its null directions are
// left out) and writes c into coef (zero outside the active set).
func smallestGeneralised(a, b *mat.SymDense, active []bool, coef []float64) (float64, error) {
	var idx []int
	for i, on := range active {
		if on {
			idx = append(idx, i)
		}
	}
	clear(coef)
	m := len(idx)
	if m == 0 {
		return 0, errors.New("level sets: no active monomial")
	}
	as, bs := mat.NewSymDense(m, nil), mat.NewSymDense(m, nil)
	for i, ki := range idx {
		for j := i; j < m; j++ {
			as.SetSym(i, j, a.At(ki, idx[j]))
			bs.SetSym(i, j, b.At(ki, idx[j]))
		}
	}
	var eb mat.EigenSym
	if !eb.Factorize(bs, true) {
		return 0, errors.New("level sets: the eigendecomposition of the gradient Gram matrix did not converge")
	}
	vals := eb.Values(nil)
	var vecs mat.Dense
	eb.VectorsTo(&vecs)
	top := slices.Max(vals)
	var keep []int
	for i, v := range vals {
		if v > rankCut*top {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		return 0, errors.New("level sets: every active monomial has a vanishing gradient")
	}
	// Whitening W = V S^{-1/2}: c = W e turns the problem into the
	// ordinary eigenproblem of Wᵀ A W.
	w := mat.NewDense(m, len(keep), nil)
	for j, i := range keep {
		s := 1 / math.Sqrt(vals[i])
		for r := range m {
			w.Set(r, j, vecs.At(r, i)*s)
		}
	}
	var aw, waw mat.Dense
	aw.Mul(as, w)
	waw.Mul(w.T(), &aw)
	r := len(keep)
	c := mat.NewSymDense(r, nil)
	for i := range r {
		for j := i; j < r; j++ {
			c.SetSym(i, j, (waw.At(i, j)+waw.At(j, i))/2)
		}
	}
	var ec mat.EigenSym
	if !ec.Factorize(c, true) {
		return 0, errors.New("level sets: the eigendecomposition did not converge")
	}
	evals := ec.Values(nil)
	var evecs mat.Dense
	ec.VectorsTo(&evecs)
	// Values come in ascending order.
	var sol mat.VecDense
	sol.MulVec(w, evecs.ColView(0))
	for i, ki := range idx {
		coef[ki] = sol.AtVec(i)
	}
	return evals[0], nil
}
