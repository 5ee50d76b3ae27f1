package kahler

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"ansatz/analyses"
	"ansatz/datasets"
	"ansatz/hypersurface"
	"ansatz/losses"
)

// setFromBatch lays a batch out as a data set.
func setFromBatch(b losses.Batch) *datasets.Set {
	s := &datasets.Set{X: b.X.Data(), N: b.X.Rows(), D: b.X.Cols()}
	var names []string
	for k := range b.Columns {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		c := b.Columns[k]
		s.Columns = append(s.Columns, datasets.Column{Name: k, Width: c.Cols(), Data: c.Data()})
	}
	return s
}

func TestSigmaByPsi(t *testing.T) {
	h0, p0 := quintic(t, 0, 600, 11)
	_, p1 := quintic(t, 0.5, 600, 12)
	_, q0 := quintic(t, 0, 2000, 13)
	_, q1 := quintic(t, 0.5, 2000, 14)
	test := setFromBatch(BatchFromPoints(hypersurface.Append(p0, p1)))
	train := setFromBatch(BatchFromPoints(hypersurface.Append(q0, q1)))
	c := &analyses.Context{Model: FS{}, System: h0, Test: test, Train: train, RNG: rand.New(rand.NewPCG(1, 2))}
	a := NewSigmaByPsi()
	a.DonaldsonK = 2
	res, err := a.Analyse(c)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range res.Metrics {
		got[m.Name] = m.Value
		t.Logf("%s = %.4g", m.Name, m.Value)
	}
	for _, name := range []string{"sigma.psi=0", "sigma.psi=0.5", "sigma_fs.psi=0", "sigma_fs.psi=0.5", "sigma_donaldson_k2.psi=0", "sigma.symmetry_gap", "sigma_ratio.min"} {
		if _, ok := got[name]; !ok {
			t.Errorf("missing metric %s", name)
		}
	}
	want := hypersurface.Sigma(p0, hypersurface.DetFunc(hypersurface.FubiniStudy{T: 1}, p0))
	if math.Abs(got["sigma.psi=0"]-want) > 1e-12 || got["sigma.psi=0"] != got["sigma_fs.psi=0"] {
		t.Errorf("σ(ψ=0) = %v, σ_FS = %v, hypersurface.Sigma = %v", got["sigma.psi=0"], got["sigma_fs.psi=0"], want)
	}
	// Fubini–Study is invariant under the symmetries: the gap is rounding.
	if got["sigma.symmetry_gap"] > 1e-10 {
		t.Errorf("symmetry gap of Fubini–Study %g, want ≈ 0", got["sigma.symmetry_gap"])
	}
	if math.Abs(got["sigma_ratio.min"]-1) > 1e-12 {
		t.Errorf("σ_FS/σ for FS itself = %v, want 1", got["sigma_ratio.min"])
	}
	if d := got["sigma_donaldson_k2.psi=0"]; !(d < got["sigma_fs.psi=0"]) {
		t.Errorf("Donaldson k=2 σ %v not below FS %v", d, got["sigma_fs.psi=0"])
	}
}
