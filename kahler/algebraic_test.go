package kahler

import (
	"math"
	"math/rand/v2"
	"testing"

	"ansatz/analyses"
	"ansatz/architectures"
	"ansatz/hypersurface"
)

func TestDonaldsonModelMatchesHypersurface(t *testing.T) {
	h, train := quintic(t, 0, 1500, 21)
	_, test := quintic(t, 0, 400, 22)
	state := quinticState()
	state.System = h
	built, err := (&Donaldson{K: 2, Iterations: 5}).Build(state, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := built.(*DonaldsonModel)
	if err := d.Fit(setFromBatch(BatchFromPoints(train)), nil); err != nil {
		t.Fatal(err)
	}
	sec, _ := h.Sections(2)
	alg, _, err := hypersurface.Donaldson(train, sec, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := hypersurface.Sigma(test, hypersurface.DetFunc(alg, test))
	got, err := sigmaOf(d, BatchFromPoints(test))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("σ of the donaldson model %.12g, hypersurface's %.12g", got, want)
	}
	fs := hypersurface.Sigma(test, hypersurface.DetFunc(hypersurface.FubiniStudy{T: 1}, test))
	t.Logf("k=2: σ %.4f (FS %.4f)", got, fs)
	if got >= fs {
		t.Errorf("Donaldson k=2 σ %v not below FS %v", got, fs)
	}
}

func TestAlgebraicGradientFD(t *testing.T) {
	h, pts := quintic(t, 0.1, 10, 23)
	state := quinticState()
	state.System = h
	m, err := (&Algebraic{K: 2}).Build(state, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for _, p := range m.Params() {
		for i := range p.Data() {
			p.Data()[i] += 0.1 * rng.NormFloat64()
		}
	}
	lossFD(t, &MongeAmpereLoss{Power{2}}, m, BatchFromPoints(pts))
	lossFD(t, &TransitionLoss{Power{2}}, m, BatchFromPoints(pts))
}

// TestSymmetryGap: a metric built symmetric under the quintic's symmetries
// (the algebraic metric with H = identity, and FS) has the same σ on
// permuted and phase-rotated points; a random network metric does not.
func TestSymmetryGap(t *testing.T) {
	h, pts := quintic(t, 0, 800, 24)
	state := quinticState()
	state.System = h
	alg, err := (&Algebraic{K: 3}).Build(state, nil)
	if err != nil {
		t.Fatal(err)
	}
	mult := buildModel(t, &HermitianFS{Network: tiny("tanh"), ansatz: Multiplicative}, 25)
	scaleParams(mult, 3)
	b := BatchFromPoints(pts)
	c := &analyses.Context{System: h}
	for _, tc := range []struct {
		name      string
		m         architectures.Model
		symmetric bool
	}{{"fs", FS{}, true}, {"algebraic H=1", alg, true}, {"random mult_fs", mult, false}} {
		m := tc.m.(Metric)
		s, err := sigmaOf(m, b)
		if err != nil {
			t.Fatal(err)
		}
		gap, err := symmetryGap(c, m, b, s, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: σ %.4f, symmetry gap %.3g", tc.name, s, gap)
		if tc.symmetric && gap > 1e-10 {
			t.Errorf("%s: symmetry gap %g, want ≈ 0", tc.name, gap)
		}
		if !tc.symmetric && gap < 1e-4 {
			t.Errorf("%s: symmetry gap %g, want clearly nonzero", tc.name, gap)
		}
	}
}
