package kahler

import (
	"fmt"

	"ansatz/autodiff"
)

// Column names of the data kind hypersurface_points (see package
// hypersurface for the layout).
const (
	colWeight        = "weight"
	colOmega2        = "omega2"
	colPullback      = "pullback"
	colPsi           = "psi"
	colAltX          = "alt_x"
	colAltPullback   = "alt_pullback"
	colAltTransition = "alt_transition"
)

// Columns gives a batch's named columns [B, width]; losses.Batch
// implements it.
type Columns interface {
	Column(name string) (*autodiff.Tensor, error)
}

// Sample is a batch of points with their integration data.
type Sample struct {
	Points
	// Weight [B, 1] are the Monte-Carlo weights w = V|Ω|²/det g_FS,pb.
	Weight *autodiff.Tensor
	// Omega2 [B, 1] is |Ω|².
	Omega2 *autodiff.Tensor
}

// points reads X, ψ (if psi) and a pullback column into Points.
func points(cols Columns, x *autodiff.Tensor, pullback string, psi bool) (Points, error) {
	m := x.Cols() / 2
	pb, err := cols.Column(pullback)
	if err != nil {
		return Points{}, err
	}
	if pb.Cols()%(2*m) != 0 {
		return Points{}, fmt.Errorf("column %s has width %d, not a multiple of 2m = %d", pullback, pb.Cols(), 2*m)
	}
	j, err := ComplexFromColumn(pb, pb.Cols()/(2*m), m)
	if err != nil {
		return Points{}, fmt.Errorf("column %s: %w", pullback, err)
	}
	p := Points{X: x, Pullback: j}
	if psi {
		if p.Psi, err = cols.Column(colPsi); err != nil {
			return Points{}, err
		}
	}
	return p, nil
}

// NewSample reads a batch: X [B, 2m] and the columns weight, omega2,
// pullback (and psi when the model uses it).
func NewSample(x *autodiff.Tensor, cols Columns, psi bool) (Sample, error) {
	p, err := points(cols, x, colPullback, psi)
	if err != nil {
		return Sample{}, err
	}
	s := Sample{Points: p}
	if s.Weight, err = cols.Column(colWeight); err != nil {
		return Sample{}, err
	}
	if s.Omega2, err = cols.Column(colOmega2); err != nil {
		return Sample{}, err
	}
	return s, nil
}

// AltPoints reads the same points in their alternative charts (alt_x,
// alt_pullback) and the transition matrices T [B, n−1, n−1] (alt_transition)
// with g' = T g T† for a globally defined metric.
func AltPoints(cols Columns, psi *autodiff.Tensor) (Points, autodiff.Complex, error) {
	x, err := cols.Column(colAltX)
	if err != nil {
		return Points{}, autodiff.Complex{}, err
	}
	p, err := points(cols, x, colAltPullback, false)
	if err != nil {
		return Points{}, autodiff.Complex{}, err
	}
	p.Psi = psi
	tc, err := cols.Column(colAltTransition)
	if err != nil {
		return Points{}, autodiff.Complex{}, err
	}
	k := p.Dim()
	t, err := ComplexFromColumn(tc, k, k)
	if err != nil {
		return Points{}, autodiff.Complex{}, fmt.Errorf("column %s: %w", colAltTransition, err)
	}
	return p, t, nil
}

// DetRatio returns det g/|Ω|² [B, 1] for pulled-back metrics g.
func DetRatio(g autodiff.Complex, omega2 *autodiff.Tensor) *autodiff.Tensor {
	return autodiff.Div(RealDet(g), omega2)
}

// absPow returns |a|^p elementwise (|a|² as a square).
func absPow(a *autodiff.Tensor, p float64) *autodiff.Tensor {
	switch p {
	case 1:
		return autodiff.Abs(a)
	case 2:
		return autodiff.Square(a)
	}
	return autodiff.Pow(autodiff.Abs(a), p)
}

// MongeAmpere returns Σ w_i |1 − r_i/κ|^p / Σ w_i with r = det g/|Ω|² and
// κ = Σ w_i r_i / Σ w_i on the batch; with p = 1 it is σ of the batch.
func MongeAmpere(ratio, weight *autodiff.Tensor, p float64) *autodiff.Tensor {
	sw := autodiff.Sum(weight)
	kappa := autodiff.Div(autodiff.Sum(autodiff.Mul(weight, ratio)), sw)
	dev := autodiff.AddScalar(autodiff.Neg(autodiff.Div(ratio, kappa)), 1)
	return autodiff.Div(autodiff.Sum(autodiff.Mul(weight, absPow(dev, p))), sw)
}

// Sigma returns σ = (1/(Vol_CY N)) Σ w_i |1 − r_i/κ| with κ = Vol_K/Vol_CY,
// Vol_K = mean(w r), Vol_CY = mean(w), for ratios r = det g/|Ω|², in plain
// float64 (PHYSICS.md §6, cymetric's sigma_measure).
func Sigma(ratio, weight []float64) float64 {
	var vk, vc float64
	for i, w := range weight {
		vk += w * ratio[i]
		vc += w
	}
	kappa := vk / vc
	var s float64
	for i, w := range weight {
		d := 1 - ratio[i]/kappa
		if d < 0 {
			d = -d
		}
		s += w * d
	}
	return s / vc
}

// VolumeRatio returns Vol_K(g)/Vol_K(g_FS) − 1 on the batch, the relative
// deviation of the metric's Kähler volume from the Fubini–Study class's
// (the intersection number in cymetric's units), computed on the same points
// so that the Monte-Carlo errors of the two largely cancel.
func VolumeRatio(ratio, ratioFS, weight *autodiff.Tensor) *autodiff.Tensor {
	vk := autodiff.Sum(autodiff.Mul(weight, ratio))
	vfs := autodiff.Sum(autodiff.Mul(weight, ratioFS))
	return autodiff.AddScalar(autodiff.Div(vk, vfs), -1)
}

// TransitionResidual returns Σ_ab |g'_ab − (T g T†)_ab|^p / (n−1)² [B, 1]
// for metrics g, g' [B, k, k] at the same points in two charts.
func TransitionResidual(g, gAlt, t autodiff.Complex, p float64) *autodiff.Tensor {
	k := g.Re.Shape()[1]
	b := g.Re.Rows()
	d := autodiff.CSub(gAlt, autodiff.CBatchMatMul(autodiff.CBatchMatMul(t, g), autodiff.CConjTranspose(t)))
	re, im := autodiff.Reshape(d.Re, b, k*k), autodiff.Reshape(d.Im, b, k*k)
	var abs *autodiff.Tensor
	if p == 2 {
		abs = autodiff.Add(autodiff.Square(re), autodiff.Square(im))
	} else {
		abs = autodiff.Pow(autodiff.AddScalar(autodiff.Add(autodiff.Square(re), autodiff.Square(im)), 1e-30), p/2)
	}
	return autodiff.Scale(autodiff.SumAxis(abs, 1), 1/float64(k*k))
}

// KahlerResidual returns Σ_abc |c_abc|^p [B, 1], the pulled-back closure
// c_abc = Σ J_ai conj(J_bj) J_ck (∂_k g_ij̄ − ∂_i g_kj̄) of an ambient metric,
// by forward-mode x-derivatives of g (one JVP per real coordinate). The
// x-derivatives are differentiable in the parameters when createGraph is
// set.
func KahlerResidual(m AmbientMetric, p Points, power float64, createGraph bool) (*autodiff.Tensor, error) {
	b, mm := p.X.Rows(), p.Coords()
	k := p.Dim()
	x := autodiff.Variable(p.X.Data(), b, 2*mm)
	g, err := m.Ambient(x, p.Psi)
	if err != nil {
		return nil, err
	}
	flat := autodiff.Concat(autodiff.Reshape(g.Re, b, mm*mm), autodiff.Reshape(g.Im, b, mm*mm))
	// dg[c] = ∂g/∂x_c for the 2m real coordinates, each [B, 2m²] (Re, Im).
	dg := make([]*autodiff.Tensor, 2*mm)
	for c := range 2 * mm {
		e := make([]float64, b*2*mm)
		for r := range b {
			e[r*2*mm+c] = 1
		}
		if dg[c], err = autodiff.JVP(flat, x, autodiff.New(e, b, 2*mm), createGraph); err != nil {
			return nil, fmt.Errorf("kahler: ∂g/∂x: %w", err)
		}
	}
	// D_ijk = ∂_k g_ij̄ = ½[(∂x_k Re + ∂y_k Im) + i(∂x_k Im − ∂y_k Re)], laid
	// out [B, m², m] with row (i, j), column k.
	dre := make([]*autodiff.Tensor, mm)
	dim := make([]*autodiff.Tensor, mm)
	for kk := range mm {
		xr, xi := autodiff.Slice(dg[kk], 0, mm*mm), autodiff.Slice(dg[kk], mm*mm, 2*mm*mm)
		yr, yi := autodiff.Slice(dg[mm+kk], 0, mm*mm), autodiff.Slice(dg[mm+kk], mm*mm, 2*mm*mm)
		dre[kk] = autodiff.Scale(autodiff.Add(xr, yi), 0.5)
		dim[kk] = autodiff.Scale(autodiff.Sub(xi, yr), 0.5)
	}
	// Concat gives columns (k, ij); reorder to (ij, k).
	perm := make([]int, 0, mm*mm*mm)
	for ij := range mm * mm {
		for kk := range mm {
			perm = append(perm, kk*mm*mm+ij)
		}
	}
	d := autodiff.Complex{
		Re: autodiff.Reshape(autodiff.Select(autodiff.Concat(dre...), perm), b, mm*mm, mm),
		Im: autodiff.Reshape(autodiff.Select(autodiff.Concat(dim...), perm), b, mm*mm, mm),
	}
	j := p.Pullback
	jT := autodiff.Complex{Re: autodiff.Transpose(j.Re), Im: autodiff.Transpose(j.Im)} // [B, m, k]
	jH := autodiff.CConj(jT)
	// contract k with J_c: (i, j, c)
	e1 := autodiff.CBatchMatMul(d, jT)
	// to (i, c, j), contract j with conj(J_b): (i, c, b)
	e2 := autodiff.CBatchMatMul(permute(e1, b, []int{mm, mm, k}, []int{0, 2, 1}), jH)
	// to (c, b, i), contract i with J_a: (c, b, a) = P_abc
	e3 := autodiff.CBatchMatMul(permute(e2, b, []int{mm, k, k}, []int{1, 2, 0}), jT)
	// c_abc = P_abc − P_cba; X[c,b,a] = P_abc, so R[c,b,a] = X[c,b,a] − X[a,b,c].
	flatRe, flatIm := autodiff.Reshape(e3.Re, b, k*k*k), autodiff.Reshape(e3.Im, b, k*k*k)
	swap := make([]int, 0, k*k*k)
	for c := range k {
		for bb := range k {
			for a := range k {
				swap = append(swap, (a*k+bb)*k+c)
			}
		}
	}
	rre := autodiff.Sub(flatRe, autodiff.Select(flatRe, swap))
	rim := autodiff.Sub(flatIm, autodiff.Select(flatIm, swap))
	abs2 := autodiff.Add(autodiff.Square(rre), autodiff.Square(rim))
	if power != 2 {
		abs2 = autodiff.Pow(autodiff.AddScalar(abs2, 1e-30), power/2)
	}
	return autodiff.SumAxis(abs2, 1), nil
}

// permute reorders the axes of a complex [B, d0·d1·d2] (or [B, d0·d1, d2])
// tensor: the result has axes (dims[perm[0]], dims[perm[1]], dims[perm[2]])
// and is returned as [B, d'0·d'1, d'2].
func permute(t autodiff.Complex, b int, dims, perm []int) autodiff.Complex {
	n := dims[0] * dims[1] * dims[2]
	nd := []int{dims[perm[0]], dims[perm[1]], dims[perm[2]]}
	idx := make([]int, 0, n)
	stride := []int{dims[1] * dims[2], dims[2], 1}
	var src [3]int
	for u := range nd[0] {
		for v := range nd[1] {
			for w := range nd[2] {
				src[perm[0]], src[perm[1]], src[perm[2]] = u, v, w
				idx = append(idx, src[0]*stride[0]+src[1]*stride[1]+src[2]*stride[2])
			}
		}
	}
	re := autodiff.Select(autodiff.Reshape(t.Re, b, n), idx)
	im := autodiff.Select(autodiff.Reshape(t.Im, b, n), idx)
	return autodiff.Complex{Re: autodiff.Reshape(re, b, nd[0]*nd[1], nd[2]), Im: autodiff.Reshape(im, b, nd[0]*nd[1], nd[2])}
}
