package kahler

import (
	"math"
	"math/rand/v2"
	"testing"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/hypersurface"
	"ansatz/losses"
	"ansatz/nn"
)

const dwork = "z0^5 + z1^5 + z2^5 + z3^5 + z4^5 - 5*psi*z0*z1*z2*z3*z4"

// quintic samples n points of the Dwork quintic at ψ.
func quintic(t testing.TB, psi complex128, n int, seed uint64) (*hypersurface.Hypersurface, *hypersurface.Points) {
	t.Helper()
	h, err := hypersurface.New([]int{4}, nil, dwork, map[string]complex128{"psi": psi}, true)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := hypersurface.Sample(h, n, psi, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return h, pts
}

func quinticState() architectures.State {
	return architectures.State{Vars: []string{"re_z0", "re_z1", "re_z2", "re_z3", "re_z4", "im_z0", "im_z1", "im_z2", "im_z3", "im_z4"}}
}

// tiny returns a small network config.
func tiny(act string) Network {
	return Network{Net: nn.MLPConfig{Hidden: []int{6, 5}, Activation: act, Init: "glorot", LastBias: true, BiasInit: "uniform"}}
}

func buildModel(t testing.TB, b architectures.Builder, seed uint64) Metric {
	t.Helper()
	m, err := b.Build(quinticState(), rand.New(rand.NewPCG(seed, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return m.(Metric)
}

// scaleParams multiplies every parameter by s (to make a network's
// contribution large enough to test).
func scaleParams(m architectures.Model, s float64) {
	for _, p := range m.Params() {
		for i := range p.Data() {
			p.Data()[i] *= s
		}
	}
}

func TestFSModelMatchesHypersurfaceSigma(t *testing.T) {
	_, pts := quintic(t, 0, 500, 1)
	want := hypersurface.Sigma(pts, hypersurface.DetFunc(hypersurface.FubiniStudy{T: 1}, pts))
	b := BatchFromPoints(pts)
	// φ = 0: zero the output layer of a φ-model.
	phi := buildModel(t, &PhiFS{Network: tiny("gelu")}, 3).(*PhiModel)
	last := phi.Net.Layers[len(phi.Net.Layers)-1]
	clear(last.W.Data())
	clear(last.B.Data())
	for _, c := range []struct {
		name string
		m    Metric
	}{{"fs", FS{}}, {"phi=0", phi}} {
		got, err := (SigmaMeasure{}).Loss(c.m, b, false)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.Item()-want) > 1e-12 {
			t.Errorf("%s: σ = %.15g, hypersurface.Sigma gives %.15g", c.name, got.Item(), want)
		}
	}
	if want < 0.2 || want > 0.6 {
		t.Errorf("σ_FS on the Fermat quintic = %v, expected about 0.37", want)
	}
	t.Logf("σ_FS (500 points) = %.4f", want)
}

func TestSigmaScaleInvariant(t *testing.T) {
	_, pts := quintic(t, 0.3, 300, 2)
	b := BatchFromPoints(pts)
	s, _ := NewSample(b.X, b, false)
	g, _ := FS{}.Metric(s.Points)
	r := DetRatio(g, s.Omega2)
	base := Sigma(r.Data(), s.Weight.Data())
	for _, c := range []float64{1e-3, 0.7, 42} {
		gc := autodiff.Complex{Re: autodiff.Scale(g.Re, c), Im: autodiff.Scale(g.Im, c)}
		got := Sigma(DetRatio(gc, s.Omega2).Data(), s.Weight.Data())
		if math.Abs(got-base) > 1e-12*math.Max(1, base) {
			t.Errorf("σ(%g·g) = %.15g, σ(g) = %.15g", c, got, base)
		}
		ma := MongeAmpere(DetRatio(gc, s.Omega2), s.Weight, 1).Item()
		if math.Abs(ma-base) > 1e-12 {
			t.Errorf("monge_ampere p=1 of %g·g = %.15g, σ = %.15g", c, ma, base)
		}
	}
}

// TestPhiHessianMatchesEngine checks the forward-mode ∂∂̄φ along J against
// the engine's real Hessian of φ turned into the complex Hessian and pulled
// back.
func TestPhiHessianMatchesEngine(t *testing.T) {
	_, pts := quintic(t, 0.2, 7, 3)
	b := BatchFromPoints(pts)
	for _, act := range []string{"tanh", "gelu", "softplus", "sin"} {
		t.Run(act, func(t *testing.T) {
			phi := buildModel(t, &PhiFS{Network: tiny(act)}, 4).(*PhiModel)
			p, _ := points(b, b.X, colPullback, false)
			got := complexHessianAlong(phi.Net, phi.act, p.X, p.Pullback)
			x := autodiff.Variable(b.X.Data(), b.X.Shape()...)
			h, err := autodiff.Hessian(phi.Net.Forward(x), x, false)
			if err != nil {
				t.Fatal(err)
			}
			m := 5
			n := b.X.Rows()
			re := make([]float64, n*m*m)
			im := make([]float64, n*m*m)
			hd := h.Data()
			for q := range n {
				H := func(i, j int) float64 { return hd[q*100+i*10+j] }
				for i := range m {
					for j := range m {
						re[q*m*m+i*m+j] = 0.25 * (H(i, j) + H(m+i, m+j))
						im[q*m*m+i*m+j] = 0.25 * (H(i, m+j) - H(m+i, j))
					}
				}
			}
			want := PullBack(autodiff.Complex{Re: autodiff.New(re, n, m, m), Im: autodiff.New(im, n, m, m)}, p.Pullback)
			for i := range want.Re.Data() {
				if d := math.Hypot(got.Re.Data()[i]-want.Re.Data()[i], got.Im.Data()[i]-want.Im.Data()[i]); d > 1e-12 {
					t.Fatalf("entry %d: forward mode %v%+vi, engine Hessian %v%+vi", i, got.Re.Data()[i], got.Im.Data()[i], want.Re.Data()[i], want.Im.Data()[i])
				}
			}
		})
	}
}

func TestKahlerLoss(t *testing.T) {
	_, pts := quintic(t, 0, 6, 5)
	b := BatchFromPoints(pts)
	phi := buildModel(t, &PhiFS{Network: tiny("tanh")}, 6)
	free := buildModel(t, &HermitianFS{Network: tiny("tanh"), ansatz: Free}, 7)
	mult := buildModel(t, &HermitianFS{Network: tiny("tanh"), ansatz: Multiplicative}, 8)
	term := &KahlerLoss{Power: Power{2}}
	for _, c := range []struct {
		name     string
		m        Metric
		zero     bool
		tol, min float64
	}{
		{"fs", FS{}, true, 1e-20, 0},
		{"phi_fs", phi, true, 1e-20, 0},
		{"free", free, false, 0, 1e-6},
		{"mult_fs", mult, false, 0, 1e-6},
	} {
		v, err := term.Loss(c.m, b, false)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: kahler loss %.3g", c.name, v.Item())
		if c.zero && v.Item() > c.tol {
			t.Errorf("%s: kahler loss %g, want ≈ 0", c.name, v.Item())
		}
		if !c.zero && v.Item() < c.min {
			t.Errorf("%s: kahler loss %g, want clearly nonzero", c.name, v.Item())
		}
	}
}

func TestTransitionLossFS(t *testing.T) {
	_, pts := quintic(t, 0.1, 50, 6)
	b := BatchFromPoints(pts)
	v, err := (&TransitionLoss{Power{2}}).Loss(FS{}, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if v.Item() > 1e-20 {
		t.Errorf("transition loss of Fubini–Study %g, want ≈ 0 (a global metric)", v.Item())
	}
	mult := buildModel(t, &HermitianFS{Network: tiny("tanh"), ansatz: Multiplicative}, 8)
	v, err = (&TransitionLoss{Power{2}}).Loss(mult, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if v.Item() < 1e-8 {
		t.Errorf("transition loss of a random mult_fs metric %g, want nonzero", v.Item())
	}
}

func TestVolumeLossFSClass(t *testing.T) {
	_, pts := quintic(t, 0, 200, 7)
	b := BatchFromPoints(pts)
	v, err := (&VolumeLoss{Power{1}}).Loss(FS{}, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if v.Item() > 1e-12 {
		t.Errorf("volume loss of FS = %g, want 0", v.Item())
	}
}

// lossFD checks dL/dθ of a term against central differences in a few
// parameter entries.
func lossFD(t *testing.T, term losses.Term, m architectures.Model, b losses.Batch) {
	t.Helper()
	l, err := term.Loss(m, b, true)
	if err != nil {
		t.Fatal(err)
	}
	params := m.Params()
	grads, err := autodiff.Grad(l, params)
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
	rng := rand.New(rand.NewPCG(9, 9))
	const h = 1e-5
	for k, p := range params {
		for range 3 {
			i := rng.IntN(len(p.Data()))
			old := p.Data()[i]
			p.Data()[i] = old + h
			up := eval()
			p.Data()[i] = old - h
			dn := eval()
			p.Data()[i] = old
			fd := (up - dn) / (2 * h)
			got := grads[k].Data()[i]
			if math.Abs(fd-got) > 1e-5*math.Max(1, math.Abs(fd)) {
				t.Errorf("param %d[%d]: gradient %.10g, central difference %.10g", k, i, got, fd)
			}
		}
	}
}

func TestLossGradientsFD(t *testing.T) {
	_, pts := quintic(t, 0.2, 8, 8)
	b := BatchFromPoints(pts)
	phi := buildModel(t, &PhiFS{Network: tiny("tanh")}, 10)
	scaleParams(phi, 1.5)
	mult := buildModel(t, &HermitianFS{Network: tiny("gelu"), ansatz: Multiplicative}, 11)
	add := buildModel(t, &HermitianFS{Network: tiny("softplus"), ansatz: Additive}, 12)
	scaleParams(add, 0.1)
	for _, c := range []struct {
		name string
		term losses.Term
		m    architectures.Model
	}{
		{"monge_ampere/phi_fs", &MongeAmpereLoss{Power{2}}, phi},
		{"monge_ampere/mult_fs", &MongeAmpereLoss{Power{1.5}}, mult},
		{"sigma/mult_fs", SigmaMeasure{}, mult},
		{"transition/phi_fs", &TransitionLoss{Power{2}}, phi},
		{"transition/mult_fs", &TransitionLoss{Power{1}}, mult},
		{"volume/mult_fs", &VolumeLoss{Power{2}}, mult},
		{"monge_ampere/add_fs", &MongeAmpereLoss{Power{1}}, add},
		{"kahler/mult_fs", &KahlerLoss{Power: Power{2}, Points: 5}, mult},
	} {
		t.Run(c.name, func(t *testing.T) { lossFD(t, c.term, c.m, b) })
	}
}

func TestFrozenSameValuesNoGraph(t *testing.T) {
	h, pts := quintic(t, 0.3, 20, 31)
	b := BatchFromPoints(pts)
	state := quinticState()
	state.System = h
	alg, err := (&Algebraic{K: 2}).Build(state, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Metric{
		buildModel(t, &PhiFS{Network: tiny("gelu")}, 1),
		buildModel(t, &HermitianFS{Network: tiny("tanh"), ansatz: Multiplicative}, 2),
		alg.(Metric),
	} {
		s, _ := NewSample(b.X, b, false)
		g, err := m.Metric(s.Points)
		if err != nil {
			t.Fatal(err)
		}
		f := m.(Freezer).Frozen()
		gf, err := f.Metric(s.Points)
		if err != nil {
			t.Fatal(err)
		}
		if gf.Re.RequiresGrad() || !g.Re.RequiresGrad() {
			t.Errorf("%T: frozen metric requires grad %v, live %v", m, gf.Re.RequiresGrad(), g.Re.RequiresGrad())
		}
		for i, v := range g.Re.Data() {
			if v != gf.Re.Data()[i] || g.Im.Data()[i] != gf.Im.Data()[i] {
				t.Fatalf("%T: frozen metric differs at %d", m, i)
			}
		}
	}
}

// TestGroupedMongeAmpere: with several ψ values in a batch, the loss is the
// mean over the values of each value's own (κ-normalised) residual.
func TestGroupedMongeAmpere(t *testing.T) {
	_, p0 := quintic(t, 0, 120, 41)
	_, p1 := quintic(t, 0.6, 80, 42)
	b := BatchFromPoints(hypersurface.Append(p0, p1))
	got, err := (&MongeAmpereLoss{Power{1.5}}).Loss(FS{}, b, false)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for _, p := range []*hypersurface.Points{p0, p1} {
		v, err := (&MongeAmpereLoss{Power{1.5}}).Loss(FS{}, BatchFromPoints(p), false)
		if err != nil {
			t.Fatal(err)
		}
		want += v.Item() / 2
	}
	if math.Abs(got.Item()-want) > 1e-12 {
		t.Errorf("grouped loss %.15g, mean of the groups' %.15g", got.Item(), want)
	}
}
