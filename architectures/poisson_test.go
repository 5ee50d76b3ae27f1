package architectures

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"ansatz/autodiff"
)

// randomStates returns b states of dimension d drawn from U[-1, 1].
func randomStates(rng *rand.Rand, b, d int) *autodiff.Tensor {
	x := make([]float64, b*d)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
	}
	return autodiff.New(x, b, d)
}

// canonicalOmega reports the largest deviation of brackets [B, 2n, 2n] from
// the canonical ones, {Q_i, P_j} = δ_ij, {Q_i, Q_j} = {P_i, P_j} = 0.
func canonicalDeviation(br *autodiff.Tensor, n int) float64 {
	d := 2 * n
	data := br.Data()
	worst := 0.0
	for s := range br.Shape()[0] {
		for a := range d {
			for c := range d {
				want := 0.0
				if c == a+n {
					want = 1
				} else if a == c+n {
					want = -1
				}
				worst = math.Max(worst, math.Abs(data[s*d*d+a*d+c]-want))
			}
		}
	}
	return worst
}

func TestPoissonBracketsClosedForms(t *testing.T) {
	const th = 0.7
	co, si := math.Cos(th), math.Sin(th)
	tests := []struct {
		name      string
		g         func(x *autodiff.Tensor) *autodiff.Tensor
		canonical bool
	}{
		{"rotation of (q1, q2) and (p1, p2)", func(x *autodiff.Tensor) *autodiff.Tensor {
			q1, q2, p1, p2 := autodiff.Col(x, 0), autodiff.Col(x, 1), autodiff.Col(x, 2), autodiff.Col(x, 3)
			rot := func(a, b *autodiff.Tensor) (*autodiff.Tensor, *autodiff.Tensor) {
				return autodiff.Sub(autodiff.Scale(a, co), autodiff.Scale(b, si)), autodiff.Add(autodiff.Scale(a, si), autodiff.Scale(b, co))
			}
			Q1, Q2 := rot(q1, q2)
			P1, P2 := rot(p1, p2)
			return autodiff.Concat(Q1, Q2, P1, P2)
		}, true},
		{"point transformation Q = (q1 + sin q2, q2 e^{q1}), P = (∂φ/∂q)^{-T} p", func(x *autodiff.Tensor) *autodiff.Tensor {
			// φ(q) = (q1 + sin q2, q2 e^{q1}); Dφ = [[1, cos q2], [q2 e^{q1}, e^{q1}]],
			// det = e^{q1}(1 − q2 cos q2); P = Dφ^{-T} p.
			q1, q2, p1, p2 := autodiff.Col(x, 0), autodiff.Col(x, 1), autodiff.Col(x, 2), autodiff.Col(x, 3)
			e := autodiff.Exp(q1)
			c := autodiff.Cos(q2)
			det := autodiff.Mul(e, autodiff.Sub(autodiff.Full(1, x.Rows(), 1), autodiff.Mul(q2, c)))
			// Dφ^{-1} = [[e, −cos q2], [−q2 e, 1]]/det; P = (Dφ^{-1})ᵀ p.
			P1 := autodiff.Div(autodiff.Sub(autodiff.Mul(e, p1), autodiff.Mul(autodiff.Mul(q2, e), p2)), det)
			P2 := autodiff.Div(autodiff.Sub(p2, autodiff.Mul(c, p1)), det)
			return autodiff.Concat(autodiff.Add(q1, autodiff.Sin(q2)), autodiff.Mul(q2, e), P1, P2)
		}, true},
		{"non-canonical Q = 2q, P = p", func(x *autodiff.Tensor) *autodiff.Tensor {
			return autodiff.Concat(autodiff.Scale(autodiff.Slice(x, 0, 2), 2), autodiff.Slice(x, 2, 4))
		}, false},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := randomStates(rng, 16, 4)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, br, err := Brackets(tt.g, x, 2, false)
			if err != nil {
				t.Fatal(err)
			}
			dev := canonicalDeviation(br, 2)
			if tt.canonical && dev > 1e-10 {
				t.Errorf("canonical map: brackets deviate by %g", dev)
			}
			if !tt.canonical && dev < 0.5 {
				t.Errorf("non-canonical map: brackets deviate by only %g", dev)
			}
		})
	}
}

// TestAngleRow checks that an angle slot's Jacobian row is ∇atan2(s, c)
// and that the polar angle and the angular momentum are canonical
// partners: with T the identity, c = q1, s = q2 and the brackets of the
// angle row with P_ang = q1 p2 − q2 p1 are 1.
func TestAngleRow(t *testing.T) {
	cfg := NewSCNNConfig()
	cfg.Conserved, cfg.Angles, cfg.LastScale, cfg.Epsilon = 1, 1, 0, 0
	rng := rand.New(rand.NewPCG(3, 4))
	m, err := cfg.Build(State{Vars: []string{"x", "y", "px", "py"}, NQ: 2}, rng)
	if err != nil {
		t.Fatal(err)
	}
	x := randomStates(rng, 8, 4)
	ev, err := m.(*SCNN).Evaluate(x, false)
	if err != nil {
		t.Fatal(err)
	}
	j := ev.Jacobian.Data()
	for b := range 8 {
		q1, q2 := x.Data()[b*4], x.Data()[b*4+1]
		r2 := q1*q1 + q2*q2
		want := []float64{-q2 / r2, q1 / r2, 0, 0} // ∇ atan2(q2, q1)
		for k, w := range want {
			if got := j[b*16+k]; math.Abs(got-w) > 1e-12 {
				t.Errorf("sample %d: ∂Q/∂x_%d = %g, want %g", b, k, got, w)
			}
		}
		// {θ, L} with L = q1 p2 − q2 p1: ∇L = (p2, −p1, −q2, q1).
		p1, p2 := x.Data()[b*4+2], x.Data()[b*4+3]
		gl := []float64{p2, -p1, -q2, q1}
		br := want[0]*gl[2] + want[1]*gl[3] - want[2]*gl[0] - want[3]*gl[1]
		if math.Abs(br-1) > 1e-12 {
			t.Errorf("sample %d: {θ, L} = %g, want 1", b, br)
		}
	}
}

func TestSCNNFieldsAgreeForCanonicalT(t *testing.T) {
	cfg := NewSCNNConfig()
	cfg.Conserved, cfg.LastScale = 1, 0 // T = identity: canonical
	cfg.Hamiltonian.Network.Hidden = []int{8}
	rng := rand.New(rand.NewPCG(5, 6))
	m, err := cfg.Build(State{Vars: []string{"x", "y", "px", "py"}, NQ: 2}, rng)
	if err != nil {
		t.Fatal(err)
	}
	s := m.(*SCNN)
	x := randomStates(rng, 8, 4)
	a, err := s.SCNNField(x)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.HNNField(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Data() {
		if math.Abs(a.Data()[i]-b.Data()[i]) > 1e-12 {
			t.Fatalf("entry %d: scnn %g, hnn %g", i, a.Data()[i], b.Data()[i])
		}
	}
	// The conserved momentum's partner is absent from H: ṗ_x = 0.
	for r := range 8 {
		if v := a.Data()[r*4+2]; v != 0 {
			t.Errorf("sample %d: ṗ_x = %g, want 0", r, v)
		}
	}
}

// TestSCNNFieldSolves checks the scnn field of a non-canonical T: its image
// under ∂(Q,P)/∂x is Hamilton's (∂H/∂P, −∂H/∂Q).
func TestSCNNFieldSolves(t *testing.T) {
	cfg := NewSCNNConfig()
	cfg.Conserved, cfg.Angles, cfg.LastScale = 2, 1, 0.3
	cfg.Transform.Network.Hidden, cfg.Hamiltonian.Network.Hidden = []int{6}, []int{6}
	rng := rand.New(rand.NewPCG(7, 8))
	m, err := cfg.Build(State{Vars: []string{"x", "y", "px", "py"}, NQ: 2}, rng)
	if err != nil {
		t.Fatal(err)
	}
	s := m.(*SCNN)
	x := randomStates(rng, 5, 4)
	v, err := s.SCNNField(x)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := s.Evaluate(x, false)
	if err != nil {
		t.Fatal(err)
	}
	img := autodiff.Reshape(autodiff.BatchMatMul(ev.Jacobian, autodiff.Reshape(v, 5, 4, 1)), 5, 4)
	want := symplectic(ev.GradH, 2)
	for i := range img.Data() {
		if math.Abs(img.Data()[i]-want.Data()[i]) > 1e-10 {
			t.Fatalf("entry %d: J·ẋ = %g, want %g", i, img.Data()[i], want.Data()[i])
		}
	}
}

func TestSCNNBuildErrors(t *testing.T) {
	tests := []struct {
		name      string
		state     State
		conserved int
		angles    int
		want      string
	}{
		{"too many conserved", State{Vars: []string{"x", "y", "px", "py"}, NQ: 2}, 3, 0, "conserved"},
		{"not Hamiltonian", State{Vars: []string{"a", "b"}}, 1, 0, "not Hamiltonian"},
		{"odd dimension", State{Vars: []string{"a", "b", "c"}, NQ: 1}, 1, 0, "momenta"},
		{"angles beyond conserved", State{Vars: []string{"x", "y", "px", "py"}, NQ: 2}, 1, 2, "angles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := NewSCNNConfig()
			cfg.Conserved, cfg.Angles = tt.conserved, tt.angles
			_, err := cfg.Build(tt.state, rand.New(rand.NewPCG(1, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestConservedBuildErrors(t *testing.T) {
	cfg := NewConservedConfig()
	cfg.Count = 4
	_, err := cfg.Build(State{Vars: []string{"x", "y", "px", "py"}, NQ: 2}, rand.New(rand.NewPCG(1, 1)))
	if err == nil || !strings.Contains(err.Error(), "count") {
		t.Errorf("count 4 in 4 variables: got %v", err)
	}
	cfg.Count = 3
	if _, err := cfg.Build(State{Vars: []string{"x", "y", "px", "py"}, NQ: 2}, rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Errorf("count 3 in 4 variables: %v", err)
	}
}

// TestConservedGradMatchesJacobian checks the closed-form gradient of the
// polynomial ansatz against the engine's Jacobian.
func TestConservedGradMatchesJacobian(t *testing.T) {
	for _, deg := range []int{1, 2, 3} {
		cfg := NewConservedConfig()
		cfg.Count, cfg.Ansatz, cfg.Degree = 2, "polynomial", deg
		rng := rand.New(rand.NewPCG(uint64(deg), 1))
		m, err := cfg.Build(State{Vars: []string{"x", "y", "px", "py"}, NQ: 2}, rng)
		if err != nil {
			t.Fatal(err)
		}
		cm := m.(*ConservedModel)
		x := randomStates(rng, 7, 4)
		got, err := cm.ConservedGrad(x, false)
		if err != nil {
			t.Fatal(err)
		}
		in := autodiff.Variable(x.Data(), x.Shape()...)
		f, _ := cm.Conserved(in, true)
		want, err := InputJacobian(f, in, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want.Data() {
			if math.Abs(got.Data()[i]-want.Data()[i]) > 1e-12 {
				t.Fatalf("degree %d entry %d: %g, want %g", deg, i, got.Data()[i], want.Data()[i])
			}
		}
	}
}
