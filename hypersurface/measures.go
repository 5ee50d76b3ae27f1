package hypersurface

import "math"

// DetFunc returns a function giving det of the metric m pulled back to X at
// point i of pts (with the point's own pullback), for Sigma, VolK and Kappa.
//
// A metric that also implements BatchMetric is evaluated at all points at
// once, when DetFunc is called.
func DetFunc(m Metric, pts *Points) func(i int) float64 {
	if b, ok := m.(BatchMetric); ok {
		g := make([]complex128, pts.N*pts.Dim*pts.Dim)
		b.PulledBack(pts, g)
		dets := make([]float64, pts.N)
		w := pts.Dim * pts.Dim
		for i := range dets {
			dets[i] = DetHermitian(g[i*w:(i+1)*w], pts.Dim)
		}
		return func(i int) float64 { return dets[i] }
	}
	g := make([]complex128, pts.M*pts.M)
	pb := make([]complex128, pts.Dim*pts.Dim)
	return func(i int) float64 {
		m.Ambient(pts.Point(i), g)
		PullBack(pts.Jacobian(i), pts.Dim, pts.M, g, pb)
		return DetHermitian(pb, pts.Dim)
	}
}

// BatchMetric is a Metric that computes its pullback at many points at once
// (faster than Ambient then PullBack point by point).
type BatchMetric interface {
	Metric
	// PulledBack writes the pulled-back metric at every point of pts into
	// out (N×Dim×Dim).
	PulledBack(pts *Points, out []complex128)
}

// VolCY returns mean(w), the Monte-Carlo estimate of ∫|Ω|² in the weights'
// units.
func VolCY(pts *Points) float64 {
	s := 0.0
	for _, w := range pts.Weight {
		s += w
	}
	return s / float64(pts.N)
}

// VolK returns mean(w·det g/|Ω|²), the volume of X in the metric whose
// pulled-back determinant at point i is detg(i) (d·t^{n−1} for a metric in
// the class t·H, e.g. 5 for Fubini–Study with t = 1 on the quintic).
func VolK(pts *Points, detg func(i int) float64) float64 {
	s := 0.0
	for i := range pts.N {
		s += pts.Weight[i] * detg(i) / abs2(pts.Omega[i])
	}
	return s / float64(pts.N)
}

// Kappa returns κ = Vol_K/Vol_CY.
func Kappa(pts *Points, detg func(i int) float64) float64 {
	return VolK(pts, detg) / VolCY(pts)
}

// Sigma returns σ = (1/(Vol_CY N)) Σ w_i |1 − det g_i/(κ|Ω_i|²)| with κ
// from the same points. It is invariant under g → c·g and 0 for the
// Ricci-flat metric. All points must belong to one hypersurface (one ψ);
// use PsiGroups and Subset for sets with several.
func Sigma(pts *Points, detg func(i int) float64) float64 {
	dets := make([]float64, pts.N)
	volK := 0.0
	for i := range pts.N {
		dets[i] = detg(i)
		volK += pts.Weight[i] * dets[i] / abs2(pts.Omega[i])
	}
	volK /= float64(pts.N)
	volCY := VolCY(pts)
	kappa := volK / volCY
	s := 0.0
	for i := range pts.N {
		s += pts.Weight[i] * math.Abs(1-dets[i]/(kappa*abs2(pts.Omega[i])))
	}
	return s / (volCY * float64(pts.N))
}

// MonteCarloError returns the standard error of mean(f(i)) over the points:
// std(f)/√N.
func MonteCarloError(n int, f func(i int) float64) float64 {
	mean, sq := 0.0, 0.0
	for i := range n {
		v := f(i)
		mean += v
		sq += v * v
	}
	mean /= float64(n)
	v := sq/float64(n) - mean*mean
	return math.Sqrt(max(v, 0) / float64(n))
}

// SigmaByPsi returns σ of the metric m separately for every ψ value of the
// points (values sorted as PsiGroups sorts them), each with its own κ.
func SigmaByPsi(pts *Points, m Metric) (values []complex128, sigmas []float64) {
	values, rows := pts.PsiGroups()
	sigmas = make([]float64, len(values))
	for k, r := range rows {
		sub := pts.Subset(r)
		sigmas[k] = Sigma(sub, DetFunc(m, sub))
	}
	return values, sigmas
}
