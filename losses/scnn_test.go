package losses_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/losses"
)

// keplerBatch returns b states (x, y, px, py) of the central force
// H = |p|²/2 − 1/r away from the origin, with ẋ = F = (p, −q/r³).
func keplerBatch(rng *rand.Rand, b int) losses.Batch {
	x := make([]float64, 4*b)
	dx := make([]float64, 4*b)
	for i := range b {
		r := 0.5 + rng.Float64()
		th := 2 * math.Pi * rng.Float64()
		q1, q2 := r*math.Cos(th), r*math.Sin(th)
		p1, p2 := rng.NormFloat64(), rng.NormFloat64()
		copy(x[4*i:], []float64{q1, q2, p1, p2})
		r3 := r * r * r
		copy(dx[4*i:], []float64{p1, p2, -q1 / r3, -q2 / r3})
	}
	xs, dxs := autodiff.New(x, b, 4), autodiff.New(dx, b, 4)
	return losses.Batch{X: xs, DX: dxs, F: dxs}
}

// fixedQuantities is a parameter-free model of conserved quantities given
// in closed form.
type fixedQuantities struct {
	k int
	f func(x *autodiff.Tensor) *autodiff.Tensor
}

func (m fixedQuantities) Params() []*autodiff.Tensor { return nil }
func (m fixedQuantities) NumConserved() int          { return m.k }
func (m fixedQuantities) Conserved(x *autodiff.Tensor, createGraph bool) (*autodiff.Tensor, error) {
	return m.f(x), nil
}

// TestConservedLogDet checks the logdet independence term: zero for
// orthonormal gradients, large when a gradient lies in the span of others.
func TestConservedLogDet(t *testing.T) {
	col := autodiff.Col
	b := keplerBatch(rand.New(rand.NewPCG(1, 2)), 64)
	l := losses.Conserved{Target: "dx", Normalize: "none", Independence: 1, Form: "logdet", Epsilon: 1e-12}
	// F = (x, px): orthogonal unit gradients, det G = 1; ⟨Ḟ²⟩ = ⟨px² + ṗx²⟩/2.
	v, err := l.Loss(fixedQuantities{2, func(x *autodiff.Tensor) *autodiff.Tensor { return autodiff.Concat(col(x, 0), col(x, 2)) }}, b, false)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for i := range b.X.Rows() {
		want += (b.DX.Data()[4*i]*b.DX.Data()[4*i] + b.DX.Data()[4*i+2]*b.DX.Data()[4*i+2]) / 2
	}
	want /= float64(b.X.Rows())
	if math.Abs(v.Item()-want) > 1e-9 {
		t.Errorf("orthogonal gradients: loss %g, want %g", v.Item(), want)
	}
	// F = (x, px, x + 2 px): the third gradient is in the span of the others.
	v, err = l.Loss(fixedQuantities{3, func(x *autodiff.Tensor) *autodiff.Tensor {
		return autodiff.Concat(col(x, 0), col(x, 2), autodiff.Add(col(x, 0), autodiff.Scale(col(x, 2), 2)))
	}}, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if v.Item() < 20 {
		t.Errorf("dependent gradients: loss %g, want ≥ 20 (−log ε)", v.Item())
	}
}

func TestConservedLossInvariants(t *testing.T) {
	col := autodiff.Col
	lz := func(x *autodiff.Tensor) *autodiff.Tensor {
		return autodiff.Sub(autodiff.Mul(col(x, 0), col(x, 3)), autodiff.Mul(col(x, 1), col(x, 2)))
	}
	xpx := func(x *autodiff.Tensor) *autodiff.Tensor { return autodiff.Mul(col(x, 0), col(x, 2)) }
	energy := func(x *autodiff.Tensor) *autodiff.Tensor {
		p2 := autodiff.Add(autodiff.Square(col(x, 2)), autodiff.Square(col(x, 3)))
		r := autodiff.Sqrt(autodiff.Add(autodiff.Square(col(x, 0)), autodiff.Square(col(x, 1))))
		return autodiff.Sub(autodiff.Scale(p2, 0.5), autodiff.Div(autodiff.Full(1, x.Rows(), 1), r))
	}
	tests := []struct {
		name     string
		m        fixedQuantities
		min, max float64
	}{
		{"L_z", fixedQuantities{1, lz}, 0, 1e-10},
		{"100 L_z + 3 (scale free)", fixedQuantities{1, func(x *autodiff.Tensor) *autodiff.Tensor {
			return autodiff.AddScalar(autodiff.Scale(lz(x), 100), 3)
		}}, 0, 1e-10},
		{"L_z and H, independent", fixedQuantities{2, func(x *autodiff.Tensor) *autodiff.Tensor {
			return autodiff.Concat(lz(x), energy(x))
		}}, 0, 0.5},
		{"x p_x is not conserved", fixedQuantities{1, xpx}, 0.05, 1},
		{"L_z twice: parallel gradients", fixedQuantities{2, func(x *autodiff.Tensor) *autodiff.Tensor {
			return autodiff.Concat(lz(x), autodiff.Scale(lz(x), -2))
		}}, 0.999, 1.001},
	}
	b := keplerBatch(rand.New(rand.NewPCG(1, 2)), 64)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := losses.Conserved{Target: "dx", Normalize: "ratio", Independence: 1, Form: "cos2", Epsilon: 1e-12}
			v, err := l.Loss(tt.m, b, false)
			if err != nil {
				t.Fatal(err)
			}
			got := v.Item()
			t.Logf("loss %g", got)
			if got < tt.min || got > tt.max {
				t.Logf("loss %g", got)
				t.Errorf("loss %g, want in [%g, %g]", got, tt.min, tt.max)
			}
		})
	}
}

// twoBodyBatch returns b random states of two bodies in the plane (x1, x2,
// y1, y2, px1, px2, py1, py2) with their exact ẋ.
func twoBodyBatch(rng *rand.Rand, b int) losses.Batch {
	x := make([]float64, 8*b)
	dx := make([]float64, 8*b)
	for i := range b {
		s := x[8*i : 8*i+8]
		for k := range s {
			s[k] = rng.NormFloat64() * 0.7
		}
		s[0], s[1] = s[0]+1, s[1]-1
		dxs, dys := s[0]-s[1], s[2]-s[3]
		r3 := math.Pow(dxs*dxs+dys*dys, 1.5)
		copy(dx[8*i:], []float64{s[4], s[5], s[6], s[7], -dxs / r3, dxs / r3, -dys / r3, dys / r3})
	}
	xs, dxs := autodiff.New(x, b, 8), autodiff.New(dx, b, 8)
	return losses.Batch{X: xs, DX: dxs, F: dxs}
}

// checkParamGradient compares the parameter gradient of a loss term with
// central finite differences.
func checkParamGradient(t *testing.T, term losses.Term, m architectures.Model, b losses.Batch) {
	t.Helper()
	v, err := term.Loss(m, b, true)
	if err != nil {
		t.Fatal(err)
	}
	params := m.Params()
	gs, err := autodiff.Grad(v, params)
	if err != nil {
		t.Fatal(err)
	}
	eval := func() float64 {
		v, err := term.Loss(m, b, false)
		if err != nil {
			t.Fatal(err)
		}
		return v.Item()
	}
	const h = 1e-5
	worst, checked := 0.0, 0
	for pi, p := range params {
		d := p.Data()
		for k := range d {
			old := d[k]
			d[k] = old + h
			up := eval()
			d[k] = old - h
			down := eval()
			d[k] = old
			fd := (up - down) / (2 * h)
			got := gs[pi].Data()[k]
			rel := math.Abs(got-fd) / math.Max(math.Max(math.Abs(got), math.Abs(fd)), 1e-3)
			worst = math.Max(worst, rel)
			checked++
			if rel > 1e-6 {
				t.Errorf("param %d[%d]: gradient %.10g, finite difference %.10g (relative %g)", pi, k, got, fd, rel)
			}
		}
	}
	t.Logf("%d entries, worst relative difference %.2g", checked, worst)
}

func tinySCNN(t *testing.T, n, conserved, angles int, seed uint64) *architectures.SCNN {
	t.Helper()
	cfg := architectures.NewSCNNConfig()
	cfg.Transform.Network.Hidden, cfg.Hamiltonian.Network.Hidden = []int{3}, []int{3}
	cfg.Conserved, cfg.Angles, cfg.LastScale, cfg.Linear = conserved, angles, 0.5, true
	vars := make([]string, 2*n)
	for i := range vars {
		vars[i] = string(rune('a' + i))
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	m, err := cfg.Build(architectures.State{Vars: vars, NQ: n}, rng)
	if err != nil {
		t.Fatal(err)
	}
	// The linear part starts at zero: give it values so its gradient is tested.
	for i, d := 0, m.Params()[0].Data(); i < len(d); i++ {
		d[i] = 0.1 * rng.NormFloat64()
	}
	return m.(*architectures.SCNN)
}

func TestSCNNLossGradientsFD(t *testing.T) {
	b := keplerBatch(rand.New(rand.NewPCG(4, 5)), 6)
	tests := []struct {
		name      string
		term      losses.Term
		conserved int
		angles    int
	}{
		{"scnn_hnn", &losses.SCNNHNN{}, 1, 0},
		{"scnn_hnn with an angle", &losses.SCNNHNN{}, 1, 1},
		{"poisson", &losses.Poisson{}, 1, 0},
		{"poisson with an angle", &losses.Poisson{}, 2, 1},
		{"hqp printed", &losses.HQP{Beta: 0.5, Normalize: "none"}, 1, 0},
		{"hqp variance", &losses.HQP{Beta: 0.5, Normalize: "variance", Epsilon: 1e-8}, 1, 0},
		{"hqp variance with an angle", &losses.HQP{Beta: 2, Normalize: "variance", Epsilon: 1e-8}, 1, 1},
		{"hqp all conserved", &losses.HQP{Beta: 1, Normalize: "variance", Epsilon: 1e-8}, 2, 1},
		{"conserved on scnn momenta", &losses.Conserved{Target: "dx", Normalize: "ratio", Independence: 0.5, Form: "cos2", Epsilon: 1e-12}, 2, 0},
		{"conserved on scnn momenta, logdet", &losses.Conserved{Target: "dx", Normalize: "ratio", Independence: 0.5, Form: "logdet", Epsilon: 1e-12}, 2, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tinySCNN(t, 2, tt.conserved, tt.angles, uint64(i))
			if err := tt.term.Accepts(m); err != nil {
				t.Fatal(err)
			}
			checkParamGradient(t, tt.term, m, b)
		})
	}
}

func TestConservedLossGradientFD(t *testing.T) {
	b := twoBodyBatch(rand.New(rand.NewPCG(6, 7)), 5)
	for _, kind := range []string{"mlp", "polynomial"} {
		for _, norm := range []string{"ratio", "none"} {
			form := "cos2"
			if norm == "ratio" {
				form = "logdet"
			}
			t.Run(kind+" "+norm+" "+form, func(t *testing.T) {
				cfg := architectures.NewConservedConfig()
				cfg.Count, cfg.Ansatz, cfg.Network.Hidden = 3, kind, []int{3}
				vars := []string{"x1", "x2", "y1", "y2", "px1", "px2", "py1", "py2"}
				m, err := cfg.Build(architectures.State{Vars: vars, NQ: 4}, rand.New(rand.NewPCG(8, 9)))
				if err != nil {
					t.Fatal(err)
				}
				checkParamGradient(t, &losses.Conserved{Target: "f", Normalize: norm, Independence: 0.7, Form: form, Epsilon: 1e-12}, m, b)
			})
		}
	}
}
