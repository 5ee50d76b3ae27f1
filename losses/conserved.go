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
		Kind: registry.Loss, Name: "conserved",
		Doc: "direct search for conserved quantities: mean_i ⟨Ḟ_i²⟩/⟨|∇F_i|²|ẋ|²⟩ with Ḟ_i = ∇F_i·ẋ, plus a weight times Σ_{i<j} ⟨cos²(∇F_i, ∇F_j)⟩ that keeps the F_i independent (needs a model with conserved quantities)",
		New: func() any {
			return &Conserved{Target: "dx", Normalize: "ratio", Independence: 1e-3, Form: "logdet", Epsilon: 1e-12}
		},
	})
}

// Conserved is the direct condition for conserved quantities, 0 = Ḟ_i =
// ∇F_i·ẋ = {F_i, H}, on k learned functions (any
// architectures.ConservedQuantities model):
//
//	(1/k) Σ_i ⟨Ḟ_i²⟩ / (⟨|∇F_i|² |ẋ|²⟩ + ε)  +  w Σ_{i<j} ⟨cos²(∇F_i, ∇F_j)⟩
//
// with ⟨·⟩ the batch mean. Normalize "ratio" (the default) divides by
// ⟨|∇F_i|²|ẋ|²⟩, so the first term is a mean squared cosine between ∇F_i and
// ẋ weighted by |∇F_i|²|ẋ|²: invariant under F_i → aF_i + b, it cannot be
// lowered by shrinking F_i, and lies in [0, 1]. Normalize "cosine" averages
// the per-sample squared cosine instead, so that every sample weighs the
// same (on the 2-D oscillator with MLPs it did worse: 0.065 against 0.003
// in training). Normalize "none" is the bare ⟨Ḟ_i²⟩, which a constant or a
// vanishing F_i minimises. The ratio forms are not means over samples, so
// the runner's chunked evaluation of sets above 4096 rows approximates them.
//
// The independence term keeps the k functions functionally independent;
// without it all k converge to the same quantity (or functions of it:
// ∇g(F) ∥ ∇F). Form "logdet" (the default) is −⟨log(det G + ε)⟩ with G_ij =
// ⟨∇̂F_i, ∇̂F_j⟩ the Gram matrix of the unit gradients at each sample: zero
// for orthogonal gradients, unbounded as soon as one gradient falls into the
// span of the others, so F_3 = g(F_1, F_2) is excluded as well as F_2 =
// g(F_1). Form "cos2" is Σ_{i<j} ⟨cos²(∇F_i, ∇F_j)⟩, which only excludes
// pairwise parallel gradients (in the two-body search it let F_1 become a
// function of the two momenta F_2, F_3).
type Conserved struct {
	Target       string  `yaml:"target" spec:"oneof=dx|f" doc:"which ẋ Ḟ = ∇F·ẋ uses: dx (the data's observed derivatives) or f (the equations' right-hand side at the states)"`
	Normalize    string  `yaml:"normalize" spec:"oneof=cosine|ratio|none" doc:"cosine: ⟨Ḟ²/(|∇F|²|ẋ|²)⟩, the mean squared cosine between ∇F and ẋ; ratio: ⟨Ḟ²⟩/⟨|∇F|²|ẋ|²⟩; none: ⟨Ḟ²⟩ (won by a constant)"`
	Independence float64 `yaml:"independence" doc:"weight of the independence term, which keeps the functions independent"`
	Form         string  `yaml:"form" spec:"oneof=logdet|cos2" doc:"independence term: logdet (−⟨log det G⟩, G the Gram matrix of the unit gradients; k ≤ 4) or cos2 (Σ_{i<j} ⟨cos²(∇F_i, ∇F_j)⟩)"`
	Epsilon      float64 `yaml:"epsilon" doc:"added to denominators (the ratio and the gradient norms)"`
}

// Validate checks the weight and ε.
func (l *Conserved) Validate() error {
	if l.Independence < 0 {
		return spec.FieldErrorf("independence", "must be ≥ 0, got %g", l.Independence)
	}
	if l.Epsilon < 0 {
		return spec.FieldErrorf("epsilon", "must be ≥ 0, got %g", l.Epsilon)
	}
	return nil
}

// conservedModel returns m as a ConservedQuantities model.
func conservedModel(m architectures.Model) (architectures.ConservedQuantities, error) {
	c, ok := m.(architectures.ConservedQuantities)
	if !ok {
		return nil, fmt.Errorf("loss conserved needs a model of conserved quantities (model kind conserved or scnn), got %T", m)
	}
	return c, nil
}

// Accepts requires a model of conserved quantities, with at most
// MaxLogDetCount of them for form logdet.
func (l *Conserved) Accepts(m architectures.Model) error {
	c, err := conservedModel(m)
	if err != nil {
		return err
	}
	if l.Form == "logdet" && l.Independence > 0 && c.NumConserved() > MaxLogDetCount {
		return fmt.Errorf("loss conserved: form logdet takes at most %d quantities, the model has %d; use form cos2", MaxLogDetCount, c.NumConserved())
	}
	return nil
}

// MaxLogDetCount is the largest k the logdet independence term handles (the
// engine's determinant of small matrices).
const MaxLogDetCount = 4

// Loss returns the normalised conservation residual plus the independence
// penalty.
func (l *Conserved) Loss(m architectures.Model, b Batch, createGraph bool) (*autodiff.Tensor, error) {
	c, err := conservedModel(m)
	if err != nil {
		return nil, err
	}
	v := b.DX
	if l.Target == "f" {
		if b.F == nil {
			return nil, fmt.Errorf("loss conserved: target f: the data carries no right-hand side f(x)")
		}
		v = b.F
	}
	if v == nil {
		return nil, fmt.Errorf("loss conserved: the data carries no time derivatives ẋ")
	}
	var jac *autodiff.Tensor
	if cg, ok := c.(architectures.ConservedGradients); ok {
		jac, err = cg.ConservedGrad(b.X, createGraph)
	} else {
		in := autodiff.Variable(b.X.Data(), b.X.Shape()...)
		var f *autodiff.Tensor
		if f, err = c.Conserved(in, true); err == nil {
			jac, err = architectures.InputJacobian(f, in, createGraph)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("loss conserved: %w", err)
	}
	grads := architectures.JacobianRows(jac)
	k := len(grads)
	v2 := autodiff.SumAxis(autodiff.Square(v), 1) // [B, 1]
	var total *autodiff.Tensor
	unit := make([]*autodiff.Tensor, k)
	for i, g := range grads {
		g2 := autodiff.SumAxis(autodiff.Square(g), 1)
		fdot := autodiff.SumAxis(autodiff.Mul(g, v), 1)
		term := autodiff.Mean(autodiff.Square(fdot))
		switch l.Normalize {
		case "ratio":
			term = autodiff.Div(term, autodiff.AddScalar(autodiff.Mean(autodiff.Mul(g2, v2)), l.Epsilon))
		case "cosine":
			term = autodiff.Mean(autodiff.Div(autodiff.Square(fdot), autodiff.AddScalar(autodiff.Mul(g2, v2), l.Epsilon)))
		}
		total = addTerm(total, term)
		unit[i] = autodiff.Div(g, autodiff.Sqrt(autodiff.AddScalar(g2, l.Epsilon)))
	}
	total = autodiff.Scale(total, 1/float64(k))
	if l.Independence > 0 && k > 1 && l.Form == "logdet" {
		u := architectures.StackRows(unit)
		gram := autodiff.BatchMatMulT(u, u, false, true)
		ld := autodiff.Mean(autodiff.Log(autodiff.AddScalar(autodiff.Det(gram), l.Epsilon)))
		total = autodiff.Sub(total, autodiff.Scale(ld, l.Independence))
	} else if l.Independence > 0 && k > 1 {
		var ind *autodiff.Tensor
		for i := range k {
			for j := i + 1; j < k; j++ {
				cos := autodiff.SumAxis(autodiff.Mul(unit[i], unit[j]), 1)
				ind = addTerm(ind, autodiff.Mean(autodiff.Square(cos)))
			}
		}
		total = autodiff.Add(total, autodiff.Scale(ind, l.Independence))
	}
	return total, nil
}

// addTerm returns a + b, or b when a is nil.
func addTerm(a, b *autodiff.Tensor) *autodiff.Tensor {
	if a == nil {
		return b
	}
	return autodiff.Add(a, b)
}
