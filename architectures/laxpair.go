package architectures

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"ansatz/autodiff"
	"ansatz/nn"
	"ansatz/registry"
	"ansatz/spec"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "lax_pair",
		Doc: "a Lax pair: two n×n matrix functions L(x), M(x) of the state, each an MLP or a polynomial in the state variables, trained so that L̇ = [L, M]",
		New: func() any { return NewLaxPairConfig() },
	})
}

// PolynomialInitScale is the standard deviation of the normal distribution
// the coefficients of a polynomial matrix are drawn from: small, so that the
// initial matrices are small and no monomial dominates, but not zero (a zero
// L and M is a stationary point of every Lax loss).
const PolynomialInitScale = 0.1

// LaxPairConfig is the options of the lax_pair model: the size n of the
// matrices and how L and M depend on the state.
type LaxPairConfig struct {
	Size int          `yaml:"size" spec:"required,>=2" doc:"n: L and M are n×n matrices"`
	L    MatrixConfig `yaml:"L" doc:"the ansatz of L(x)"`
	M    MatrixConfig `yaml:"M" doc:"the ansatz of M(x)"`
}

// NewLaxPairConfig returns the defaults: L a polynomial of degree 1 in the
// state variables and M a constant matrix (degree 0), the form of the
// textbook oscillator pairs; Size has no default.
func NewLaxPairConfig() *LaxPairConfig {
	return &LaxPairConfig{L: NewMatrixConfig(1), M: NewMatrixConfig(0)}
}

// MatrixConfig is the ansatz of one matrix-valued function of the state.
// Kind polynomial uses Degree (and ignores the network options); kind mlp
// uses the network options (and ignores Degree).
type MatrixConfig struct {
	Kind    string       `yaml:"kind" spec:"oneof=mlp|polynomial" doc:"mlp (a network x → n² entries) or polynomial (every entry Σ_α c_α x^α over the monomials up to degree)"`
	Degree  int          `yaml:"degree" doc:"polynomial: the highest total degree of the monomials (0 = a constant matrix)"`
	Network nn.MLPConfig `yaml:",inline"`
}

// NewMatrixConfig returns a polynomial ansatz of the given degree, with the
// network options for kind mlp set to two hidden layers of 32, tanh, Glorot
// weights, PyTorch's uniform biases and an output bias.
func NewMatrixConfig(degree int) MatrixConfig {
	return MatrixConfig{
		Kind:   "polynomial",
		Degree: degree,
		Network: nn.MLPConfig{
			Hidden: []int{32, 32}, Activation: "tanh", Init: "glorot", LastBias: true, BiasInit: "uniform",
		},
	}
}

// Validate checks the degree and, for kind mlp, the network options.
func (c *MatrixConfig) Validate() error {
	if c.Degree < 0 {
		return spec.FieldErrorf("degree", "must be ≥ 0, got %d", c.Degree)
	}
	if c.Kind == "mlp" {
		return validateNetwork(c.Network)
	}
	return nil
}

// Validate checks the size (the parts validate themselves).
func (c *LaxPairConfig) Validate() error {
	if c.Size < 2 {
		return spec.FieldErrorf("size", "must be ≥ 2, got %d", c.Size)
	}
	return nil
}

// Build returns the Lax pair for the phase space: L's parameters are drawn
// from rng first, then M's.
func (c *LaxPairConfig) Build(s State, rng *rand.Rand) (Model, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("lax_pair: %w", err)
	}
	if s.Dim() < 1 {
		return nil, errors.New("lax_pair: the state has no variables")
	}
	l, err := c.L.build("L", s, c.Size, rng)
	if err != nil {
		return nil, err
	}
	m, err := c.M.build("M", s, c.Size, rng)
	if err != nil {
		return nil, err
	}
	return &LaxModel{n: c.Size, l: l, m: m}, nil
}

// build returns the matrix function named name (L or M) for an n×n matrix.
func (c *MatrixConfig) build(name string, s State, n int, rng *rand.Rand) (*MatrixFunc, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("lax_pair: %s: %w", name, err)
	}
	f := &MatrixFunc{kind: c.Kind, n: n, d: s.Dim()}
	switch c.Kind {
	case "mlp":
		cfg := c.Network
		cfg.In, cfg.Out = s.Dim(), n*n
		net, err := nn.NewMLP(rng, cfg)
		if err != nil {
			return nil, fmt.Errorf("lax_pair: %s: %w", name, err)
		}
		f.net = net
	case "polynomial":
		f.exps = monomials(s.Dim(), c.Degree)
		f.names = monomialNames(f.exps, s.Vars)
		w := make([]float64, len(f.exps)*n*n)
		for i := range w {
			w[i] = PolynomialInitScale * rng.NormFloat64()
		}
		f.coef = autodiff.Variable(w, len(f.exps), n*n)
	default:
		return nil, fmt.Errorf("lax_pair: %s: kind %q is not mlp or polynomial", name, c.Kind)
	}
	return f, nil
}

// LaxModel is a built lax_pair model: it implements LaxPair (not
// VectorField: a Lax pair predicts no ẋ).
type LaxModel struct {
	n    int
	l, m *MatrixFunc
}

// Size is n: L and M are n×n.
func (p *LaxModel) Size() int { return p.n }

// LM returns L and M [B, n, n] for x [B, d].
func (p *LaxModel) LM(x *autodiff.Tensor) (l, m *autodiff.Tensor) {
	return p.l.Forward(x), p.m.Forward(x)
}

// Params are L's parameters, then M's.
func (p *LaxModel) Params() []*autodiff.Tensor {
	return append(p.l.Params(), p.m.Params()...)
}

// L is the ansatz of L(x).
func (p *LaxModel) L() *MatrixFunc { return p.l }

// M is the ansatz of M(x).
func (p *LaxModel) M() *MatrixFunc { return p.m }

// MatrixFunc is one trained matrix-valued function of the state, x [B, d] →
// A(x) [B, n, n]: a network or a polynomial.
//
// A polynomial is A(x)_ij = Σ_k C[k, i·n+j] φ_k(x) with φ_k the monomials
// (Monomials names them): Forward computes Φ(x) [B, K] with the engine's ops
// and A = Reshape(Φ·C, B, n, n). It is linear in C, so a trained C reads as
// the pair's formula.
type MatrixFunc struct {
	kind string
	n, d int
	net  *nn.MLP
	// Polynomial: exponents of each monomial, their names and C [K, n²].
	exps  [][]int
	names []string
	coef  *autodiff.Tensor
}

// Kind is "mlp" or "polynomial".
func (f *MatrixFunc) Kind() string { return f.kind }

// Size is n.
func (f *MatrixFunc) Size() int { return f.n }

// Monomials names the monomials of a polynomial in the order of the rows of
// Coefficients: "1", then the degree-1 terms in state order ("q", "p"), then
// degree 2 ("q^2", "q*p", "p^2"), and so on. It is nil for a network.
func (f *MatrixFunc) Monomials() []string { return f.names }

// Exponents returns the exponent vector of each monomial (one entry per
// state variable), in the order of Monomials; nil for a network.
func (f *MatrixFunc) Exponents() [][]int { return f.exps }

// Coefficients is the polynomial's coefficient matrix C [K, n²]: row k holds
// the coefficient of monomial k in each entry, entry (i, j) in column i·n+j.
// It is the trained parameter itself (setting its Data changes the model).
// It is nil for a network.
func (f *MatrixFunc) Coefficients() *autodiff.Tensor { return f.coef }

// Params are the trainable tensors: the network's, or C.
func (f *MatrixFunc) Params() []*autodiff.Tensor {
	if f.net != nil {
		return f.net.Params()
	}
	return []*autodiff.Tensor{f.coef}
}

// Forward returns A(x) [B, n, n] for x [B, d].
func (f *MatrixFunc) Forward(x *autodiff.Tensor) *autodiff.Tensor {
	b := x.Rows()
	if f.net != nil {
		return autodiff.Reshape(f.net.Forward(x), b, f.n, f.n)
	}
	return autodiff.Reshape(autodiff.MatMul(f.Features(x), f.coef), b, f.n, f.n)
}

// Features returns the monomial features Φ(x) [B, K] of a polynomial, built
// from x's columns with differentiable products (the constant monomial is a
// column of ones); nil for a network.
func (f *MatrixFunc) Features(x *autodiff.Tensor) *autodiff.Tensor {
	if f.net != nil {
		return nil
	}
	b := x.Rows()
	cols := make([]*autodiff.Tensor, f.d)
	col := func(i int) *autodiff.Tensor {
		if cols[i] == nil {
			cols[i] = autodiff.Col(x, i)
		}
		return cols[i]
	}
	// Each monomial of degree k ≥ 1 is a monomial of degree k−1 (its exponents
	// with the last variable lowered by one) times that variable's column.
	byKey := make(map[string]*autodiff.Tensor, len(f.exps))
	out := make([]*autodiff.Tensor, len(f.exps))
	for k, e := range f.exps {
		last := -1
		for i := len(e) - 1; i >= 0; i-- {
			if e[i] > 0 {
				last = i
				break
			}
		}
		var t *autodiff.Tensor
		if last < 0 {
			t = autodiff.Full(1, b, 1)
		} else {
			parent := append([]int(nil), e...)
			parent[last]--
			if p, ok := byKey[expKey(parent)]; ok && !isConstant(parent) {
				t = autodiff.Mul(p, col(last))
			} else {
				t = col(last)
			}
		}
		byKey[expKey(e)] = t
		out[k] = t
	}
	return autodiff.Concat(out...)
}

// isConstant reports whether every exponent is zero.
func isConstant(e []int) bool {
	for _, v := range e {
		if v != 0 {
			return false
		}
	}
	return true
}

func expKey(e []int) string {
	var b strings.Builder
	for i, v := range e {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(v))
	}
	return b.String()
}

// monomials returns the exponent vectors of all monomials in d variables of
// total degree ≤ degree, by degree and then lexicographically with the first
// variable's exponent highest first (q², q·p, p² for (q, p)).
func monomials(d, degree int) [][]int {
	var out [][]int
	for k := 0; k <= degree; k++ {
		e := make([]int, d)
		var rec func(i, left int)
		rec = func(i, left int) {
			if i == d-1 {
				e[i] = left
				out = append(out, append([]int(nil), e...))
				return
			}
			for v := left; v >= 0; v-- {
				e[i] = v
				rec(i+1, left-v)
			}
		}
		rec(0, k)
	}
	return out
}

// monomialNames writes each monomial as a product of the variables, "1" for
// the constant: "q", "q*p", "q^2*p".
func monomialNames(exps [][]int, vars []string) []string {
	names := make([]string, len(exps))
	for k, e := range exps {
		var parts []string
		for i, v := range e {
			name := fmt.Sprintf("x%d", i)
			if i < len(vars) {
				name = vars[i]
			}
			switch {
			case v == 1:
				parts = append(parts, name)
			case v > 1:
				parts = append(parts, name+"^"+strconv.Itoa(v))
			}
		}
		if len(parts) == 0 {
			names[k] = "1"
		} else {
			names[k] = strings.Join(parts, "*")
		}
	}
	return names
}
