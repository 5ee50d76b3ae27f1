package kahler

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"strconv"

	"ansatz/analyses"
	"ansatz/autodiff"
	"ansatz/datasets"
	"ansatz/hypersurface"
	"ansatz/losses"
)

// SigmaByPsi is the analysis sigma_by_psi: σ of the trained metric, of
// Fubini–Study and optionally of Donaldson's balanced metric per ψ value of
// the held-out points, and at ψ = 0 the change of the model's σ under the
// quintic's symmetries (permutations and fifth roots of unity).
type SigmaByPsi struct {
	DonaldsonK          int  `yaml:"donaldson_k" spec:">=0" doc:"also fit Donaldson's algebraic metric of this degree k on the training points of each ψ (0: none)"`
	DonaldsonIterations int  `yaml:"donaldson_iterations" spec:">=0" doc:"T-operator iterations for donaldson_k"`
	Symmetry            bool `yaml:"symmetry" doc:"at ψ = 0, report sigma.symmetry_gap: the largest relative change of the model's σ on the held-out points permuted or multiplied by fifth roots of unity"`
}

// NewSigmaByPsi returns the defaults: no Donaldson baseline (10 iterations
// when one is asked for), symmetry check on.
func NewSigmaByPsi() *SigmaByPsi { return &SigmaByPsi{DonaldsonIterations: 10, Symmetry: true} }

// Validate checks the option ranges.
func (a *SigmaByPsi) Validate() error {
	if a.DonaldsonK < 0 || a.DonaldsonK > 8 {
		return fmt.Errorf("donaldson_k must be in [0, 8], got %d", a.DonaldsonK)
	}
	if a.DonaldsonIterations < 0 {
		return fmt.Errorf("donaldson_iterations must be ≥ 0, got %d", a.DonaldsonIterations)
	}
	return nil
}

// Requires a metric model.
func (a *SigmaByPsi) Requires(c *analyses.Context) error {
	if _, ok := c.Model.(Metric); !ok {
		return errNotMetric
	}
	return nil
}

// psiLabel formats ψ for metric names: "0.25", or "0.5+0.1i" when complex.
func psiLabel(v complex128) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
	if imag(v) == 0 {
		return f(real(v))
	}
	return strconv.FormatComplex(v, 'g', 6, 128)
}

// modelRatios returns det g/|Ω|² of a metric at the rows of a batch, in
// chunks.
func modelRatios(m Metric, b losses.Batch) ([]float64, error) {
	const chunk = 2048
	m = frozen(m, false)
	n := b.X.Rows()
	out := make([]float64, 0, n)
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		rows := make([]int, hi-lo)
		for i := range rows {
			rows[i] = lo + i
		}
		sub := subRows(b, rows)
		s, err := NewSample(sub.X, sub, m.UsesPsi())
		if err != nil {
			return nil, err
		}
		g, err := m.Metric(s.Points)
		if err != nil {
			return nil, err
		}
		out = append(out, DetRatio(g, s.Omega2).Detach().Data()...)
	}
	return out, nil
}

// subRows returns the given rows of a batch.
func subRows(b losses.Batch, rows []int) losses.Batch {
	take := func(t *autodiff.Tensor) *autodiff.Tensor {
		w := t.Cols()
		d := make([]float64, len(rows)*w)
		for r, i := range rows {
			copy(d[r*w:(r+1)*w], t.Data()[i*w:(i+1)*w])
		}
		return autodiff.New(d, len(rows), w)
	}
	out := losses.Batch{X: take(b.X), Columns: make(map[string]*autodiff.Tensor, len(b.Columns))}
	for k, v := range b.Columns {
		out.Columns[k] = take(v)
	}
	return out
}

// sigmaOf returns σ of a metric on a batch (one ψ value).
func sigmaOf(m Metric, b losses.Batch) (float64, error) {
	r, err := modelRatios(m, b)
	if err != nil {
		return 0, err
	}
	w, err := b.Column(colWeight)
	if err != nil {
		return 0, err
	}
	return Sigma(r, w.Data()), nil
}

// psiRows groups a set's rows by their ψ (column psi), in order of first
// appearance; one group of all rows when the set has no psi column.
func psiRows(s *datasets.Set) ([]complex128, [][]int) {
	c := s.Column(colPsi)
	if c == nil {
		all := make([]int, s.N)
		for i := range all {
			all[i] = i
		}
		return []complex128{0}, [][]int{all}
	}
	var vals []complex128
	var rows [][]int
	for i := range s.N {
		v := complex(c.Data[2*i], c.Data[2*i+1])
		k := -1
		for j, u := range vals {
			if u == v {
				k = j
				break
			}
		}
		if k < 0 {
			k = len(vals)
			vals = append(vals, v)
			rows = append(rows, nil)
		}
		rows[k] = append(rows[k], i)
	}
	return vals, rows
}

// surface returns the hypersurface of the spec's system at ψ, or nil when
// the system is not a hypersurface.
func surface(c *analyses.Context, psi complex128) (*hypersurface.Hypersurface, error) {
	h, ok := c.System.(interface {
		Hypersurface() *hypersurface.Hypersurface
	})
	if !ok {
		if hs, ok := c.System.(*hypersurface.Hypersurface); ok {
			return withPsi(hs, psi)
		}
		return nil, nil
	}
	return withPsi(h.Hypersurface(), psi)
}

func withPsi(h *hypersurface.Hypersurface, psi complex128) (*hypersurface.Hypersurface, error) {
	if _, ok := h.Parameter("psi"); !ok {
		return h, nil
	}
	return h.WithParameters(map[string]complex128{"psi": psi})
}

// Analyse computes the per-ψ σ figures.
func (a *SigmaByPsi) Analyse(c *analyses.Context) (analyses.Result, error) {
	m, ok := c.Model.(Metric)
	if !ok {
		return analyses.Result{}, errNotMetric
	}
	if c.Test == nil || c.Test.N == 0 {
		return analyses.Result{}, errors.New("no held-out points")
	}
	var res analyses.Result
	add := func(name string, v float64) {
		res.Metrics = append(res.Metrics, analyses.Metric{Name: name, Value: v})
		vv := v
		res.Rows = append(res.Rows, analyses.Row{Name: name, Value: &vv})
	}
	vals, groups := psiRows(c.Test)
	var trainVals []complex128
	var trainGroups [][]int
	if a.DonaldsonK > 0 && c.Train != nil {
		trainVals, trainGroups = psiRows(c.Train)
	}
	ratioMin := math.Inf(1)
	for g, psi := range vals {
		b := BatchFromSet(c.Test, groups[g])
		label := psiLabel(psi)
		sm, err := sigmaOf(m, b)
		if err != nil {
			return res, fmt.Errorf("σ at ψ = %s: %w", label, err)
		}
		sfs, err := sigmaOf(FS{}, b)
		if err != nil {
			return res, fmt.Errorf("σ_FS at ψ = %s: %w", label, err)
		}
		add("sigma.psi="+label, sm)
		add("sigma_fs.psi="+label, sfs)
		ratioMin = math.Min(ratioMin, sfs/sm)
		if a.DonaldsonK > 0 {
			sd, err := a.donaldson(c, psi, trainVals, trainGroups, groups[g])
			if err != nil {
				return res, fmt.Errorf("Donaldson k = %d at ψ = %s: %w", a.DonaldsonK, label, err)
			}
			add(fmt.Sprintf("sigma_donaldson_k%d.psi=%s", a.DonaldsonK, label), sd)
		}
		if a.Symmetry && psi == 0 {
			gap, err := symmetryGap(c, m, b, sm, c.RNG)
			if err != nil {
				return res, fmt.Errorf("symmetry check: %w", err)
			}
			if !math.IsNaN(gap) {
				add("sigma.symmetry_gap", gap)
			}
		}
	}
	add("sigma_ratio.min", ratioMin)
	return res, nil
}

// donaldson fits the balanced metric on the training rows with this ψ and
// returns its σ on the held-out rows.
func (a *SigmaByPsi) donaldson(c *analyses.Context, psi complex128, trainVals []complex128, trainGroups [][]int, testRows []int) (float64, error) {
	h, err := surface(c, psi)
	if err != nil {
		return 0, err
	}
	if h == nil {
		return 0, errors.New("needs a system of kind hypersurface")
	}
	var rows []int
	for k, v := range trainVals {
		if v == psi {
			rows = trainGroups[k]
		}
	}
	if rows == nil {
		return 0, errors.New("no training points at this ψ")
	}
	train, err := pointsOf(c.Train, rows)
	if err != nil {
		return 0, err
	}
	sec, err := h.Sections(a.DonaldsonK)
	if err != nil {
		return 0, err
	}
	alg, _, err := hypersurface.Donaldson(train, sec, a.DonaldsonIterations)
	if err != nil {
		return 0, err
	}
	test, err := pointsOf(c.Test, testRows)
	if err != nil {
		return 0, err
	}
	return hypersurface.Sigma(test, hypersurface.DetFunc(alg, test)), nil
}

// symmetryGap returns max |σ' − σ|/σ over a cyclic permutation of the
// coordinates, a transposition and a random fifth-root-of-unity phase on
// each coordinate (the symmetries of the Fermat quintic), with σ' the
// model's σ on the transformed points; NaN when the system is not a
// hypersurface in P⁴ of degree 5 at ψ = 0.
func symmetryGap(c *analyses.Context, m Metric, b losses.Batch, sigma float64, rng interface{ IntN(int) int }) (float64, error) {
	h, err := surface(c, 0)
	if err != nil || h == nil || h.N() != 4 || h.Degree() != 5 {
		return math.NaN(), err
	}
	pts, err := pointsOfBatch(b)
	if err != nil {
		return 0, err
	}
	transforms := []func(z []complex128){
		func(z []complex128) { // cyclic shift
			first := z[0]
			copy(z, z[1:])
			z[len(z)-1] = first
		},
		func(z []complex128) { z[0], z[3] = z[3], z[0] },
	}
	var phase [5]int
	for i := range phase {
		phase[i] = rng.IntN(5)
	}
	transforms = append(transforms, func(z []complex128) {
		for i := range z {
			z[i] *= cmplx.Rect(1, 2*math.Pi*float64(phase[i])/5)
		}
	})
	gap := 0.0
	for _, tr := range transforms {
		tb, err := transformed(h, pts, b, tr)
		if err != nil {
			return 0, err
		}
		s, err := sigmaOf(m, tb)
		if err != nil {
			return 0, err
		}
		gap = math.Max(gap, math.Abs(s-sigma)/sigma)
	}
	return gap, nil
}

// pointsOfBatch returns the complex points of a batch's X.
func pointsOfBatch(b losses.Batch) ([]complex128, error) {
	n, m := b.X.Rows(), b.X.Cols()/2
	z := make([]complex128, n*m)
	x := b.X.Data()
	for i := range n {
		for k := range m {
			z[i*m+k] = complex(x[i*2*m+k], x[i*2*m+m+k])
		}
	}
	return z, nil
}

// transformed applies tr to every point and recomputes what the metric
// needs (patch normalisation, eliminated coordinate, Ω, pullback, weight) in
// a batch with the same ψ column.
func transformed(h *hypersurface.Hypersurface, z []complex128, b losses.Batch, tr func([]complex128)) (losses.Batch, error) {
	poly := h.Polynomial()
	m := poly.NumVars()
	dim := m - 2
	n := len(z) / m
	x := make([]float64, n*2*m)
	pb := make([]float64, n*2*dim*m)
	w := make([]float64, n)
	o2 := make([]float64, n)
	zi := make([]complex128, m)
	grad := make([]complex128, m)
	jac := make([]complex128, dim*m)
	g := make([]complex128, m*m)
	gp := make([]complex128, dim*dim)
	for i := range n {
		copy(zi, z[i*m:(i+1)*m])
		tr(zi)
		patch := 0
		for k := range m {
			if cmplx.Abs(zi[k]) > cmplx.Abs(zi[patch]) {
				patch = k
			}
		}
		s := 1 / zi[patch]
		for k := range zi {
			zi[k] *= s
		}
		zi[patch] = 1
		poly.Gradient(zi, grad)
		elim := -1
		for k := range m {
			if k != patch && (elim < 0 || cmplx.Abs(grad[k]) > cmplx.Abs(grad[elim])) {
				elim = k
			}
		}
		if grad[elim] == 0 {
			return losses.Batch{}, fmt.Errorf("singular point %v", zi)
		}
		hypersurface.NewChart(m, patch, elim).Jacobian(grad, jac)
		om := 1 / grad[elim]
		o2[i] = real(om)*real(om) + imag(om)*imag(om)
		hypersurface.FubiniStudy{T: 1}.Ambient(zi, g)
		hypersurface.PullBack(jac, dim, m, g, gp)
		w[i] = h.IntersectionNumber() * o2[i] / hypersurface.DetHermitian(gp, dim)
		for k := range m {
			x[i*2*m+k], x[i*2*m+m+k] = real(zi[k]), imag(zi[k])
		}
		for k := range dim * m {
			pb[i*2*dim*m+k], pb[i*2*dim*m+dim*m+k] = real(jac[k]), imag(jac[k])
		}
	}
	out := losses.Batch{X: autodiff.New(x, n, 2*m), Columns: map[string]*autodiff.Tensor{
		colWeight:   autodiff.New(w, n, 1),
		colOmega2:   autodiff.New(o2, n, 1),
		colPullback: autodiff.New(pb, n, 2*dim*m),
	}}
	if p, ok := b.Columns[colPsi]; ok {
		out.Columns[colPsi] = p
	}
	return out, nil
}
