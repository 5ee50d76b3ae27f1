package losses

import (
	"fmt"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/registry"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "lax",
		Doc: "Lax equation residual ‖L̇ − [L, M]‖² with L̇ = (∂L/∂x)·ẋ, optionally divided by ⟨‖L̇‖²⟩ (needs a lax_pair model)",
		New: func() any { return &Lax{Normalize: "ldot", Epsilon: 1e-12} },
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "lax_l",
		Doc: "every entry of L̇ is zero or proportional to some ẋ_k, and every ẋ_k appears in L̇ (needs a lax_pair model)",
		New: func() any {
			return &LaxL{Coverage: Coverage{Coefficient: "least_squares", Zero: "absolute", Epsilon: 1e-12}}
		},
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "lax_lm",
		Doc: "every entry of [L, M] is zero or proportional to some right-hand side f_k, and every f_k appears in [L, M] (needs a lax_pair model)",
		New: func() any {
			return &LaxLM{Coverage: Coverage{Coefficient: "least_squares", Zero: "absolute", Epsilon: 1e-12}}
		},
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "mode_collapse",
		Doc: "max(1 − Σ_ij |A_ij|, 0) for A = L and M, averaged over the batch: keeps the Lax pair away from zero (needs a lax_pair model)",
		New: func() any { return &ModeCollapse{On: "values", Bound: 1} },
	})
}

// laxPair returns m as a Lax pair, or an error naming the loss.
func laxPair(loss string, m architectures.Model) (architectures.LaxPair, error) {
	p, ok := m.(architectures.LaxPair)
	if !ok {
		return nil, fmt.Errorf("loss %s needs a Lax pair model (model kind lax_pair), got %T", loss, m)
	}
	return p, nil
}

// Lax is the Lax equation residual L_Lax = ⟨‖L̇ − [L, M]‖²⟩, the mean over the
// batch and the n² entries, with L̇ = (∂L/∂x)·ẋ along the data's ẋ (DX).
//
// Normalize "none" is the paper's form. It is not scale free: L → sL scales
// it by s² while the coverage terms (lax_l, lax_lm with the least-squares
// coefficient) do not change, so the optimiser lowers it by shrinking L's
// state dependence, and a network stalls at a small but useless L (the
// PyTorch reference: normalised residual 0.16).
//
// Normalize "ldot" (the default) divides by max(⟨‖L̇‖²⟩, ε) (a ratio of batch
// means): the relative residual, invariant under L → sL and M fixed, so a
// small L does not pay less; its value is the held-out normalised residual
// the experiments report. Its only zero with L̇ ≠ 0 is a Lax pair; a constant
// L with [L, M] = 0 makes both numerator and denominator vanish (the value
// is then 0), which is what lax_l (every ẋ_k must appear in L̇) rules out.
type Lax struct {
	Normalize string  `yaml:"normalize" spec:"oneof=none|ldot" doc:"none: the paper's ⟨‖L̇ − [L,M]‖²⟩; ldot: divided by ⟨‖L̇‖²⟩ (scale free, cannot be lowered by shrinking L)"`
	Epsilon   float64 `yaml:"epsilon" spec:">0" doc:"normalize: ldot divides by max(⟨‖L̇‖²⟩, epsilon)"`
}

// Accepts requires a Lax pair.
func (l *Lax) Accepts(m architectures.Model) error {
	_, err := laxPair("lax", m)
	return err
}

// Loss returns the (normalised) mean squared Lax residual on the batch.
func (l *Lax) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	p, err := laxPair("lax", m)
	if err != nil {
		return nil, err
	}
	lm, mm, ldot, err := architectures.LaxFlow(p, b.X, b.DX, createGraph)
	if err != nil {
		return nil, fmt.Errorf("loss lax: %w", err)
	}
	r := autodiff.Mean(autodiff.Square(autodiff.Sub(ldot, autodiff.Commutator(lm, mm))))
	if l.Normalize == "ldot" {
		r = autodiff.Div(r, Coverage{Epsilon: l.Epsilon}.guard(autodiff.Mean(autodiff.Square(ldot))))
	}
	if !createGraph {
		r = r.Detach()
	}
	return r, nil
}

// Coverage are the options shared by lax_l and lax_lm, which ask that every
// entry a_ij of a matrix A (L̇, or [L, M]) be either zero or proportional to
// one of the columns y_k of the data (ẋ_k, or f_k), and that every y_k be
// matched by some entry:
//
//	Σ_ij min( min_k e_ijk, ⟨a_ij²⟩ ) + Σ_k min_ij e_ijk,   e_ijk = ⟨(c_ijk a_ij − y_k)²⟩
//
// with ⟨·⟩ the mean over the batch (the paper writes ‖·‖², a sum; the mean
// keeps the value independent of the batch size). e is computed from the
// batch moments ⟨a²⟩, ⟨a y⟩, ⟨y²⟩ (and the sums for the paper's
// coefficients) as max(c²⟨a²⟩ − 2c⟨a y⟩ + ⟨y²⟩, 0), which equals the mean of
// squares up to rounding (the clamp removes rounding below zero).
//
// The minimum over a set is a hard minimum: the smallest value is selected
// and the gradient flows through it alone, as the paper means. It is not
// differentiable where two candidates tie; elsewhere it is.
//
// Coefficient (how c_ijk is chosen from the batch):
//   - paper: c = Σa_ij / Σy_k, as printed. It does not vanish on an exact
//     pair: for a = s·y it gives e = (s² − 1)²⟨y²⟩, so the textbook
//     oscillator pair scores far from zero, and for data symmetric about the
//     origin both sums are ≈ 0 and c is noise.
//   - inverse: c = Σy_k / Σa_ij, which maps a onto y, so e = 0 for a = s·y
//     (with Σy_k ≠ 0); still a ratio of near-zero sums on symmetric data.
//   - least_squares (default): c = ⟨a y⟩ / ⟨a²⟩, the best c in the mean
//     square, so e = ⟨y²⟩(1 − ρ²) with ρ the uncentred correlation of a and
//     y: zero exactly when a ∝ y, independent of the scale of a, and well
//     defined on symmetric data.
//
// Divisions are guarded: a denominator smaller than ε in magnitude is
// replaced by ±ε (its sign, + for 0), larger ones are used as they are. An
// entry that is identically zero so gives c = 0 with the least-squares
// coefficient (then e = ⟨y²⟩, and that entry's ⟨a²⟩ = 0 branch wins) instead
// of NaN.
//
// The zero branch ⟨a_ij²⟩ is not scale free: an entry that should be zero
// pays in the units of a², so this term on its own rewards a small L; pair it
// with lax (normalize: ldot) and mode_collapse.
type Coverage struct {
	Coefficient string  `yaml:"coefficient" spec:"oneof=paper|inverse|least_squares" doc:"c_ijk: paper (Σa/Σy as printed, not zero on an exact pair), inverse (Σy/Σa) or least_squares (⟨a y⟩/⟨a²⟩)"`
	Zero        string  `yaml:"zero" spec:"oneof=absolute|relative" doc:"cost of an entry that should vanish: absolute (⟨a_ij²⟩, as printed) or relative (⟨a_ij²⟩·Σ_k⟨y_k²⟩/Σ_ij⟨a_ij²⟩, scale free)"`
	Epsilon     float64 `yaml:"epsilon" spec:">0" doc:"denominators smaller than this in magnitude are replaced by ±epsilon"`
}

// LaxL is L_L: the entries of L̇ against the observed ẋ (DX), as Coverage
// describes. It says that L contains the state variables (the left-hand
// sides of the equations of motion).
type LaxL struct {
	Coverage Coverage `yaml:",inline"`
}

// Accepts requires a Lax pair.
func (l *LaxL) Accepts(m architectures.Model) error {
	_, err := laxPair("lax_l", m)
	return err
}

// Loss returns L_L on the batch.
func (l *LaxL) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	p, err := laxPair("lax_l", m)
	if err != nil {
		return nil, err
	}
	_, _, ldot, err := architectures.LaxFlow(p, b.X, b.DX, createGraph)
	if err != nil {
		return nil, fmt.Errorf("loss lax_l: %w", err)
	}
	n := p.Size()
	return l.Coverage.Value(autodiff.Reshape(ldot, b.X.Rows(), n*n), b.DX), nil
}

// LaxLM is L_LM: the entries of [L, M] against the equations' right-hand
// sides f(x) (F), as Coverage describes.
type LaxLM struct {
	Coverage Coverage `yaml:",inline"`
}

// Accepts requires a Lax pair.
func (l *LaxLM) Accepts(m architectures.Model) error {
	_, err := laxPair("lax_lm", m)
	return err
}

// Loss returns L_LM on the batch.
func (l *LaxLM) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	p, err := laxPair("lax_lm", m)
	if err != nil {
		return nil, err
	}
	lm, mm := p.LM(b.X)
	n := p.Size()
	c := autodiff.Reshape(autodiff.Commutator(lm, mm), b.X.Rows(), n*n)
	v := l.Coverage.Value(c, b.F)
	if !createGraph {
		v = v.Detach()
	}
	return v, nil
}

// Value returns the coverage loss of the columns of a [B, m] against the
// columns of y [B, d] (see Coverage).
func (c Coverage) Value(a, y *autodiff.Tensor) *autodiff.Tensor {
	nb := float64(a.Rows())
	m, d := a.Cols(), y.Cols()
	aa := autodiff.MeanAxis(autodiff.Square(a), 0)                  // [1, m] ⟨a²⟩
	yy := autodiff.MeanAxis(autodiff.Square(y), 0)                  // [1, d] ⟨y²⟩
	ay := autodiff.Scale(autodiff.MatMulT(a, y, true, false), 1/nb) // [m, d] ⟨a y⟩
	aaCol := autodiff.Reshape(aa, m, 1)
	var coef *autodiff.Tensor // [m, d]
	switch c.Coefficient {
	case "least_squares":
		coef = autodiff.Div(ay, c.guard(aaCol))
	case "paper", "inverse":
		sa := autodiff.Reshape(autodiff.SumAxis(a, 0), m, 1) // [m, 1]
		sy := autodiff.SumAxis(y, 0)                         // [1, d]
		ones := autodiff.Full(1, m, d)
		if c.Coefficient == "paper" {
			coef = autodiff.Div(autodiff.Mul(ones, sa), c.guard(sy))
		} else {
			coef = autodiff.Div(autodiff.Mul(ones, sy), c.guard(sa))
		}
	default:
		panic(fmt.Sprintf("losses: unknown coefficient %q", c.Coefficient)) // checked by the decoder
	}
	// e = c²⟨a²⟩ − 2c⟨a y⟩ + ⟨y²⟩, [m, d].
	// Clamped at 0: rounding can leave −1e−16 where a ∝ y exactly.
	e := autodiff.ReLU(autodiff.Add(autodiff.Sub(autodiff.Mul(autodiff.Square(coef), aaCol), autodiff.Scale(autodiff.Mul(coef, ay), 2)), yy))
	zero := aa // [1, m] the cost of a_ij = 0
	if c.Zero == "relative" {
		zero = autodiff.Mul(aa, autodiff.Div(autodiff.Sum(yy), c.guard(autodiff.Sum(aa))))
	}
	// Hard minima: pick indices by value, gather the picked entries from
	// [e (row-major) | zero] so the gradient flows through them.
	all := autodiff.Concat(autodiff.Reshape(e, 1, m*d), zero)
	ev, av := e.Data(), zero.Data()
	pick := make([]int, 0, m+d)
	for i := range m {
		best, bv := m*d+i, av[i]
		for k := range d {
			if v := ev[i*d+k]; v < bv {
				best, bv = i*d+k, v
			}
		}
		pick = append(pick, best)
	}
	for k := range d {
		best, bv := k, ev[k]
		for i := 1; i < m; i++ {
			if v := ev[i*d+k]; v < bv {
				best, bv = i*d+k, v
			}
		}
		pick = append(pick, best)
	}
	return autodiff.Sum(autodiff.Select(all, pick))
}

// guard returns den with every element smaller than ε in magnitude replaced
// by ±ε (the sign of the element, + for 0). Elements at least ε in
// magnitude are unchanged, so the guard does not bias well-defined values;
// the replacement is a constant shift, so the gradient still flows.
func (c Coverage) guard(den *autodiff.Tensor) *autodiff.Tensor {
	s := make([]float64, den.Len())
	shift := false
	for i, v := range den.Data() {
		switch {
		case v >= c.Epsilon || v <= -c.Epsilon:
		case v < 0:
			s[i], shift = -c.Epsilon-v, true
		default:
			s[i], shift = c.Epsilon-v, true
		}
	}
	if !shift {
		return den
	}
	return autodiff.Add(den, autodiff.New(s, den.Shape()...))
}

// ModeCollapse is L_MC = ⟨max(b − Σ_ij |A_ij|, 0)⟩ summed over A = L and
// A = M, with ⟨·⟩ the mean over the batch and b the bound (1 as printed). It
// keeps L and M away from zero, where every other Lax loss vanishes.
//
// As printed (on: values) a constant offset in L satisfies it for free: L =
// L₀ + εL₁(x) with Σ|L₀| ≥ 1 costs nothing while the state dependence, the
// part that carries the dynamics, shrinks. Two variants close the loophole by
// applying the bound to L's state dependence instead of to L (M keeps the
// printed form: a constant M is legitimate, the oscillator's is):
//   - centered: A = L − ⟨L⟩_batch, the deviation of L from its batch mean;
//   - l_dot: A = L̇ = (∂L/∂x)·ẋ, the part of L that the Lax equation sees (it
//     carries the units of ẋ, so choose the bound accordingly).
//
// For these two the batch mean is taken inside the hinge, max(b − ⟨Σ|A|⟩, 0):
// the state dependence vanishes at the origin (and L̇ at fixed points), so a
// bound per sample could never be met there and would push L to grow
// without end, against the other terms.
type ModeCollapse struct {
	On    string  `yaml:"on" spec:"oneof=values|centered|l_dot" doc:"what L's bound applies to: values (L, as printed), centered (L minus its batch mean) or l_dot (L̇); M always uses its values"`
	Bound float64 `yaml:"bound" spec:">0" doc:"the lower bound on Σ_ij |A_ij| (1 as printed)"`
}

// Accepts requires a Lax pair.
func (l *ModeCollapse) Accepts(m architectures.Model) error {
	_, err := laxPair("mode_collapse", m)
	return err
}

// Loss returns L_MC on the batch.
func (l *ModeCollapse) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	p, err := laxPair("mode_collapse", m)
	if err != nil {
		return nil, err
	}
	nb, n := b.X.Rows(), p.Size()
	var lm, mm *autodiff.Tensor
	if l.On == "l_dot" {
		var ldot *autodiff.Tensor
		_, mm, ldot, err = architectures.LaxFlow(p, b.X, b.DX, createGraph)
		if err != nil {
			return nil, fmt.Errorf("loss mode_collapse: %w", err)
		}
		lm = ldot
	} else {
		lm, mm = p.LM(b.X)
	}
	lf := autodiff.Reshape(lm, nb, n*n)
	var lh *autodiff.Tensor
	switch l.On {
	case "centered":
		lh = l.hingeOfMean(autodiff.Sub(lf, autodiff.MeanAxis(lf, 0)))
	case "l_dot":
		lh = l.hingeOfMean(lf)
	default:
		lh = l.hinge(lf)
	}
	v := autodiff.Add(lh, l.hinge(autodiff.Reshape(mm, nb, n*n)))
	if !createGraph {
		v = v.Detach()
	}
	return v, nil
}

// hingeOfMean returns max(bound − ⟨Σ_j |a_j|⟩, 0) for a [B, n²], the mean
// over the rows inside the hinge.
func (l *ModeCollapse) hingeOfMean(a *autodiff.Tensor) *autodiff.Tensor {
	s := autodiff.Mean(autodiff.SumAxis(autodiff.Abs(a), 1))
	return autodiff.ReLU(autodiff.AddScalar(autodiff.Neg(s), l.Bound))
}

// hinge returns ⟨max(bound − Σ_j |a_j|, 0)⟩ over the rows of a [B, n²].
func (l *ModeCollapse) hinge(a *autodiff.Tensor) *autodiff.Tensor {
	s := autodiff.SumAxis(autodiff.Abs(a), 1)
	return autodiff.Mean(autodiff.ReLU(autodiff.AddScalar(autodiff.Neg(s), l.Bound)))
}
