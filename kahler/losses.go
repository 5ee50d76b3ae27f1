package kahler

import (
	"errors"
	"fmt"
	"slices"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/losses"
)

// errNotMetric is returned by the terms' Accepts for models that give no
// metric.
var errNotMetric = errors.New("needs a Calabi–Yau metric model (phi_fs, mult_fs, add_fs, free, algebraic or donaldson)")

// Power is the exponent option every Kähler loss term has.
type Power struct {
	Power float64 `yaml:"power" spec:">0" doc:"exponent p of the per-point residual |·|^p"`
}

// Validate checks the exponent.
func (p *Power) Validate() error {
	if p.Power <= 0 {
		return fmt.Errorf("power must be > 0, got %v", p.Power)
	}
	return nil
}

func asMetric(m architectures.Model) (Metric, error) {
	g, ok := m.(Metric)
	if !ok {
		return nil, errNotMetric
	}
	return g, nil
}

// psiGroups returns a constant one-hot [B, G] matrix assigning each row to
// its ψ value (rows with equal (Re ψ, Im ψ) share a group, groups in order of
// first appearance), or nil when there is one group or no psi column.
func psiGroups(b losses.Batch) *autodiff.Tensor {
	psi, ok := b.Columns[colPsi]
	if !ok {
		return nil
	}
	n := psi.Rows()
	d := psi.Data()
	var keys [][2]float64
	group := make([]int, n)
	for i := range n {
		k := [2]float64{d[2*i], d[2*i+1]}
		g := slices.Index(keys, k)
		if g < 0 {
			g = len(keys)
			keys = append(keys, k)
		}
		group[i] = g
	}
	if len(keys) < 2 {
		return nil
	}
	oh := make([]float64, n*len(keys))
	for i, g := range group {
		oh[i*len(keys)+g] = 1
	}
	return autodiff.New(oh, n, len(keys))
}

// groupedMongeAmpere is MongeAmpere with κ and the normalisation taken per
// ψ value (groups one-hot [B, G], nil for one group), averaged over the
// groups.
func groupedMongeAmpere(ratio, weight, groups *autodiff.Tensor, p float64) *autodiff.Tensor {
	if groups == nil {
		return MongeAmpere(ratio, weight, p)
	}
	ng := groups.Cols()
	sw := autodiff.MatMulT(groups, weight, true, false)                                           // [G,1]
	kappa := autodiff.Div(autodiff.MatMulT(groups, autodiff.Mul(weight, ratio), true, false), sw) // [G,1]
	perPoint := autodiff.MatMul(groups, kappa)                                                    // [B,1]
	dev := autodiff.Mul(weight, absPow(autodiff.AddScalar(autodiff.Neg(autodiff.Div(ratio, perPoint)), 1), p))
	return autodiff.Scale(autodiff.Sum(autodiff.Div(autodiff.MatMulT(groups, dev, true, false), sw)), 1/float64(ng))
}

// maValue computes the (grouped) Monge–Ampère residual of a metric model.
func maValue(m architectures.Model, b losses.Batch, p float64, createGraph bool) (*autodiff.Tensor, error) {
	g, err := asMetric(m)
	if err != nil {
		return nil, err
	}
	g = frozen(g, createGraph)
	s, err := NewSample(b.X, b, g.UsesPsi())
	if err != nil {
		return nil, err
	}
	met, err := g.Metric(s.Points)
	if err != nil {
		return nil, err
	}
	return groupedMongeAmpere(DetRatio(met, s.Omega2), s.Weight, psiGroups(b), p), nil
}

// detachUnless returns t, or a detached copy when the caller keeps no graph.
func detachUnless(t *autodiff.Tensor, createGraph bool) *autodiff.Tensor {
	if createGraph {
		return t
	}
	return t.Detach()
}

// MongeAmpereLoss is the σ-loss: Σ w|1 − det g/(κ|Ω|²)|^p / Σ w, with
// κ = Σ w det g/|Ω|² / Σ w on the batch (per ψ value when the batch holds
// several), averaged over the ψ values. With p = 1 it is σ of the batch.
type MongeAmpereLoss struct {
	Power `yaml:",inline"`
}

// Accepts metric models.
func (l *MongeAmpereLoss) Accepts(m architectures.Model) error {
	_, err := asMetric(m)
	return err
}

// Loss returns the Monge–Ampère residual on the batch.
func (l *MongeAmpereLoss) Loss(m architectures.Model, b losses.Batch, createGraph bool) (*autodiff.Tensor, error) {
	v, err := maValue(m, b, l.Power.Power, createGraph)
	if err != nil {
		return nil, fmt.Errorf("monge_ampere: %w", err)
	}
	return detachUnless(v, createGraph), nil
}

// SigmaMeasure is σ as PHYSICS.md §6 defines it (the MA residual with p = 1,
// κ from the evaluated points, per ψ value and averaged over them); use it
// with weight 0 to log train/test loss.sigma.
type SigmaMeasure struct{}

// Accepts metric models.
func (SigmaMeasure) Accepts(m architectures.Model) error {
	_, err := asMetric(m)
	return err
}

// Loss returns σ on the batch.
func (SigmaMeasure) Loss(m architectures.Model, b losses.Batch, createGraph bool) (*autodiff.Tensor, error) {
	v, err := maValue(m, b, 1, createGraph)
	if err != nil {
		return nil, fmt.Errorf("sigma: %w", err)
	}
	return detachUnless(v, createGraph), nil
}

// KahlerLoss is the mean over the batch of Σ_abc |c_abc|^p, the closure
// c_abc of the metric's Kähler form pulled back to X (c_ijk = ∂_k g_ij̄ −
// ∂_i g_kj̄ of the ambient metric, contracted with J on every index).
//
// Its x-derivatives (one JVP per real coordinate, then the parameter
// gradient through them) cost about 30 forward passes per point, so Points
// can limit it to the first rows of each batch (the minibatches are random).
type KahlerLoss struct {
	Power  `yaml:",inline"`
	Points int `yaml:"points" spec:">=0" doc:"evaluate on at most this many rows of each batch (0: all); the rows of a training minibatch are random"`
}

// Validate checks the options.
func (l *KahlerLoss) Validate() error {
	if l.Points < 0 {
		return fmt.Errorf("points must be ≥ 0, got %d", l.Points)
	}
	return l.Power.Validate()
}

// Accepts models with an ambient metric.
func (l *KahlerLoss) Accepts(m architectures.Model) error {
	if _, ok := m.(AmbientMetric); !ok {
		return errors.New("needs a metric model with an ambient metric (phi_fs, mult_fs, add_fs, free, algebraic, donaldson)")
	}
	return nil
}

// Loss returns the Kähler residual on the batch.
func (l *KahlerLoss) Loss(m architectures.Model, b losses.Batch, createGraph bool) (*autodiff.Tensor, error) {
	am, ok := m.(AmbientMetric)
	if !ok {
		return nil, errNotMetric
	}
	if l.Points > 0 && b.X.Rows() > l.Points {
		rows := make([]int, l.Points)
		for i := range rows {
			rows[i] = i
		}
		b = subRows(b, rows)
	}
	p, err := points(b, b.X, colPullback, am.UsesPsi())
	if err != nil {
		return nil, fmt.Errorf("kahler: %w", err)
	}
	r, err := KahlerResidual(am, p, l.Power.Power, createGraph)
	if err != nil {
		return nil, fmt.Errorf("kahler: %w", err)
	}
	return detachUnless(autodiff.Mean(r), createGraph), nil
}

// TransitionLoss is the mean over the batch of Σ_ab |g' − T g T†|^p/(n−1)²,
// the mismatch of the metric computed at the same point in two charts.
type TransitionLoss struct {
	Power `yaml:",inline"`
}

// Accepts metric models.
func (l *TransitionLoss) Accepts(m architectures.Model) error {
	_, err := asMetric(m)
	return err
}

// Loss returns the transition residual on the batch.
func (l *TransitionLoss) Loss(m architectures.Model, b losses.Batch, createGraph bool) (*autodiff.Tensor, error) {
	g, err := asMetric(m)
	if err != nil {
		return nil, err
	}
	g = frozen(g, createGraph)
	p, err := points(b, b.X, colPullback, g.UsesPsi())
	if err != nil {
		return nil, fmt.Errorf("transition: %w", err)
	}
	alt, t, err := AltPoints(b, p.Psi)
	if err != nil {
		return nil, fmt.Errorf("transition: %w", err)
	}
	g1, err := g.Metric(p)
	if err != nil {
		return nil, fmt.Errorf("transition: %w", err)
	}
	g2, err := g.Metric(alt)
	if err != nil {
		return nil, fmt.Errorf("transition: %w", err)
	}
	return detachUnless(autodiff.Mean(TransitionResidual(g1, g2, t, l.Power.Power)), createGraph), nil
}

// VolumeLoss is |Vol_K(g)/Vol_K(g_FS) − 1|^p on the batch: the metric's
// volume ∫ J^{n−1} against the intersection number of the Fubini–Study
// class, estimated on the same points as the metric's (so that most of the
// Monte-Carlo error cancels).
type VolumeLoss struct {
	Power `yaml:",inline"`
}

// Accepts metric models.
func (l *VolumeLoss) Accepts(m architectures.Model) error {
	_, err := asMetric(m)
	return err
}

// Loss returns the volume residual on the batch.
func (l *VolumeLoss) Loss(m architectures.Model, b losses.Batch, createGraph bool) (*autodiff.Tensor, error) {
	g, err := asMetric(m)
	if err != nil {
		return nil, err
	}
	g = frozen(g, createGraph)
	s, err := NewSample(b.X, b, g.UsesPsi())
	if err != nil {
		return nil, fmt.Errorf("volume: %w", err)
	}
	met, err := g.Metric(s.Points)
	if err != nil {
		return nil, fmt.Errorf("volume: %w", err)
	}
	fs := PullBack(FubiniStudy(s.X, 1), s.Pullback)
	v := VolumeRatio(DetRatio(met, s.Omega2), DetRatio(fs, s.Omega2), s.Weight)
	return detachUnless(absPow(v, l.Power.Power), createGraph), nil
}
