package losses

import (
	"fmt"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/registry"
	"ansatz/spec"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "scnn_hnn",
		Doc: "SCNN's L_HNN: the HNN loss of H∘T in the original variables, ‖∂(H∘T)/∂p − q̇‖² + ‖∂(H∘T)/∂q + ṗ‖² (needs an scnn model)",
		New: func() any { return &SCNNHNN{Residual: residual{Norm: "squared"}} },
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "poisson",
		Doc: "SCNN's L_Poisson: Σ (({Q_i, P_j} − δ_ij)² + {Q_i, Q_j}² + {P_i, P_j}²) over the independent brackets, mean over the batch (needs an scnn model)",
		New: func() any { return &Poisson{} },
	})
	registry.Register(registry.Module{
		Kind: registry.Loss, Name: "hqp",
		Doc: "SCNN's L_HQP: Ṗ_i = 0 and Q̇_i = ∂H/∂P_i for the conserved momenta, plus β times Hamilton's equations in (Q, P) for the others; optionally each Ṗ_i² divided by the batch variance of P_i (needs an scnn model)",
		New: func() any { return &HQP{Beta: 1, Normalize: "variance", Epsilon: 1e-8} },
	})
}

// scnnModel returns m as an SCNN, or an error naming the loss.
func scnnModel(loss string, m architectures.Model) (*architectures.SCNN, error) {
	s, ok := m.(*architectures.SCNN)
	if !ok {
		return nil, fmt.Errorf("loss %s needs a symmetry control network (model kind scnn), got %T", loss, m)
	}
	return s, nil
}

// SCNNHNN is L_HNN of PHYSICS.md §2 as printed: the HNN loss of H∘T as a
// function of the original (q, p), i.e. the residual of the "hnn" field
// Ω (∂T/∂x)ᵀ ∇H against the data's ẋ.
type SCNNHNN struct {
	Residual residual `yaml:",inline"`
}

// Accepts requires an scnn model.
func (l *SCNNHNN) Accepts(m architectures.Model) error {
	_, err := scnnModel("scnn_hnn", m)
	return err
}

// Loss returns the mean residual of the symplectic gradient of H∘T.
func (l *SCNNHNN) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	s, err := scnnModel("scnn_hnn", m)
	if err != nil {
		return nil, err
	}
	f, err := s.Field(b.X, createGraph)
	if err != nil {
		return nil, err
	}
	return l.Residual.mean(autodiff.Sub(f, b.DX)), nil
}

// Poisson is L_Poisson: the squared deviation of the Poisson brackets of
// the new variables from the canonical ones, summed over the independent
// brackets ({Q_i, P_j} for all i, j; {Q_i, Q_j} and {P_i, P_j} for i < j)
// and averaged over the batch. Its value for a transformation that maps
// everything to constants is n (all {Q_i, P_i} = 0), the collapse the
// PyTorch reference saw with w_HQP ≫ w_Poisson. The bracket of an angle
// partner uses its single-valued gradient (see architectures.SCNNConfig).
type Poisson struct{}

// Accepts requires an scnn model.
func (l *Poisson) Accepts(m architectures.Model) error {
	_, err := scnnModel("poisson", m)
	return err
}

// Loss returns L_Poisson on the batch.
func (l *Poisson) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	s, err := scnnModel("poisson", m)
	if err != nil {
		return nil, err
	}
	ev, err := s.Evaluate(b.X, createGraph)
	if err != nil {
		return nil, err
	}
	return PoissonResidual(ev.Jacobian, s.DOF()), nil
}

// PoissonResidual returns Σ_{a<b} ({G_a, G_b} − Ω_ab)², averaged over the
// batch, for the Jacobian jac [B, 2n, 2n] of (Q, P) with respect to (q, p):
// zero exactly when the map is canonical at every sample.
func PoissonResidual(jac *autodiff.Tensor, n int) *autodiff.Tensor {
	br := architectures.PoissonBrackets(jac, n)
	bsz, d := jac.Shape()[0], 2*n
	omega := make([]float64, bsz*d*d)
	mask := make([]float64, bsz*d*d)
	for s := range bsz {
		for a := range d {
			for c := a + 1; c < d; c++ {
				mask[s*d*d+a*d+c] = 1
			}
		}
		for i := range n {
			omega[s*d*d+i*d+n+i] = 1
		}
	}
	diff := autodiff.Sub(br, autodiff.New(omega, bsz, d, d))
	sq := autodiff.Mul(autodiff.Mul(diff, diff), autodiff.New(mask, bsz, d, d))
	return autodiff.Scale(autodiff.Sum(autodiff.Reshape(sq, bsz, d*d)), 1/float64(bsz))
}

// HQP is L_HQP⁽ⁿ⁾ of PHYSICS.md §2, with Q̇, Ṗ = (∂(Q,P)/∂x)·ẋ from the
// data:
//
//	Σ_{i≤n} ⟨Ṗ_i²⟩/s_i + ⟨(Q̇_i − ∂H/∂P_i)²⟩
//	  + β Σ_{i>n} ⟨(Ṗ_i + ∂H/∂Q_i)²⟩ + ⟨(Q̇_i − ∂H/∂P_i)²⟩
//
// with ⟨·⟩ the batch mean. Normalize "none" is the printed form (s_i = 1).
// It can be lowered without conserving anything by the rescaling
// (Q, P) → (Q/ε, εP), which is canonical and which H absorbs: ⟨Ṗ_i²⟩ scales
// as ε². Normalize "variance" (the default) sets s_i = Var_batch(P_i) + ε,
// which makes the conservation term invariant under that rescaling: it is
// then the fraction of P_i's spread that changes along the flow, and only a
// conserved P_i lowers it.
//
// Measured on experiments/two-body-scnn.yaml (seed 0, without the conserved
// term): with "none" the new momenta stayed small multiples of (px1, px2),
// variation along true trajectories 0.26–0.38; with "variance" both became
// ≈ 7 Px (R² 0.992, variation 0.06–0.08): the variance normalisation does not
// stop a large P, nor a slowly varying quantity with a large spread across
// trajectories (a centre-of-mass coordinate with little drift scored
// Ṗ²/Var(P) ≈ 0.004). Adding the conserved term on the model's conserved
// momenta (ratio form, logdet independence 0.1) found Px and Py on seeds
// 0–2 with either normalisation (R² ≥ 0.9999, variation ≤ 0.016).
type HQP struct {
	Beta      float64 `yaml:"beta" doc:"β: weight of Hamilton's equations for the non-conserved (Q_i, P_i)"`
	Normalize string  `yaml:"normalize" spec:"oneof=none|variance" doc:"none: the printed ⟨Ṗ_i²⟩; variance: ⟨Ṗ_i²⟩ / Var(P_i), invariant under (Q, P) → (Q/ε, εP)"`
	Epsilon   float64 `yaml:"epsilon" doc:"added to the batch variance of P_i (normalize: variance)"`
}

// Validate checks β and ε.
func (l *HQP) Validate() error {
	if l.Beta < 0 {
		return spec.FieldErrorf("beta", "must be ≥ 0, got %g", l.Beta)
	}
	if l.Epsilon < 0 {
		return spec.FieldErrorf("epsilon", "must be ≥ 0, got %g", l.Epsilon)
	}
	return nil
}

// Accepts requires an scnn model.
func (l *HQP) Accepts(m architectures.Model) error {
	_, err := scnnModel("hqp", m)
	return err
}

// Loss returns L_HQP on the batch.
func (l *HQP) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	s, err := scnnModel("hqp", m)
	if err != nil {
		return nil, err
	}
	ev, err := s.Evaluate(b.X, createGraph)
	if err != nil {
		return nil, err
	}
	n, nc, bsz := s.DOF(), s.NumConserved(), b.X.Rows()
	dqp := autodiff.Reshape(autodiff.BatchMatMul(ev.Jacobian, autodiff.Reshape(b.DX, bsz, 2*n, 1)), bsz, 2*n)
	ham := autodiff.Concat(autodiff.Slice(ev.GradH, n, 2*n), autodiff.Neg(autodiff.Slice(ev.GradH, 0, n)))
	cols := autodiff.MeanAxis(autodiff.Square(autodiff.Sub(dqp, ham)), 0) // [1, 2n]
	w := make([]float64, 2*n)
	for i := range n {
		w[i], w[n+i] = l.Beta, l.Beta
		if i < nc {
			w[i], w[n+i] = 1, 1
		}
	}
	if l.Normalize == "variance" && nc > 0 {
		// The conservation columns P_1…P_nc, each divided by its variance.
		p := autodiff.Slice(ev.Y, n, n+nc)
		dev := autodiff.Sub(p, autodiff.MeanAxis(p, 0))
		v := autodiff.AddScalar(autodiff.MeanAxis(autodiff.Square(dev), 0), l.Epsilon) // [1, nc]
		cons := autodiff.Sum(autodiff.Div(autodiff.Slice(cols, n, n+nc), v))
		for i := range nc {
			w[n+i] = 0
		}
		return autodiff.Add(cons, autodiff.Sum(autodiff.Mul(cols, autodiff.New(w, 1, 2*n)))), nil
	}
	return autodiff.Sum(autodiff.Mul(cols, autodiff.New(w, 1, 2*n))), nil
}
