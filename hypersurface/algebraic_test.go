package hypersurface

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

func TestSectionsCount(t *testing.T) {
	h := mustQuintic(t, fermat, 0)
	want := []int{5, 15, 35, 70, 125, 205}
	for k, n := range want {
		s, err := h.Sections(k + 1)
		if err != nil {
			t.Fatal(err)
		}
		if s.Len() != n {
			t.Errorf("N_%d = %d, want %d", k+1, s.Len(), n)
		}
	}
}

// randomHermitianPD returns a random Hermitian positive-definite n×n matrix.
func randomHermitianPD(rng *rand.Rand, n int) []complex128 {
	a := make([]complex128, n*n)
	for k := range a {
		a[k] = complex(rng.NormFloat64(), rng.NormFloat64())
	}
	h := make([]complex128, n*n)
	for i := range n {
		for j := range n {
			var v complex128
			for k := range n {
				v += a[i*n+k] * cmplx.Conj(a[j*n+k])
			}
			h[i*n+j] = v / complex(float64(n), 0)
		}
		h[i*n+i] += 0.5
	}
	return h
}

func TestInverseHermitian(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 2, 5, 17} {
		a := randomHermitianPD(rng, n)
		inv, err := InverseHermitian(a, n)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			for j := range n {
				var v complex128
				for k := range n {
					v += a[i*n+k] * inv[k*n+j]
				}
				want := complex(0, 0)
				if i == j {
					want = 1
				}
				if cmplx.Abs(v-want) > 1e-10 {
					t.Errorf("n=%d: (A A⁻¹)[%d][%d] = %v", n, i, j, v)
				}
			}
		}
	}
	if _, err := InverseHermitian([]complex128{1, 2, 2, 1}, 2); err == nil {
		t.Error("indefinite matrix: no error")
	}
}

// TestAlgebraicHessian: the closed-form metric of K = log(s†Hs)/(kπ)
// matches finite differences of the potential.
func TestAlgebraicHessian(t *testing.T) {
	h := mustQuintic(t, fermat, 0)
	rng := rand.New(rand.NewPCG(13, 14))
	z := []complex128{0.3 + 0.1i, -0.5 + 0.2i, 1, 0.1 - 0.7i, 0.4 + 0.4i}
	for _, k := range []int{1, 2, 3} {
		s, _ := h.Sections(k)
		alg := &Algebraic{S: s, H: randomHermitianPD(rng, s.Len())}
		checkHessian(t, alg.Potential, alg.Ambient, z, 2e-6)
	}
	// k = 1, H = 1 is Fubini–Study.
	s, _ := h.Sections(1)
	alg := NewAlgebraic(s)
	g1, g2 := make([]complex128, 25), make([]complex128, 25)
	alg.Ambient(z, g1)
	FubiniStudy{T: 1}.Ambient(z, g2)
	for k := range g1 {
		if cmplx.Abs(g1[k]-g2[k]) > 1e-14 {
			t.Fatalf("k=1, H=1 differs from FS at %d: %v vs %v", k, g1[k], g2[k])
		}
	}
}

// TestVolumes: Vol_K is exactly d for Fubini–Study (the weights' norm) and
// d within the Monte-Carlo error for any other metric in the class H — an
// algebraic metric with a random H — which checks that the sampled points
// follow the Fubini–Study measure. σ is invariant under g → c·g.
func TestVolumes(t *testing.T) {
	h := mustQuintic(t, fermat, 0)
	pts, err := Sample(h, 20000, 0, rand.New(rand.NewPCG(15, 16)))
	if err != nil {
		t.Fatal(err)
	}
	fs := DetFunc(FubiniStudy{T: 1}, pts)
	if v := VolK(pts, fs); math.Abs(v-5) > 1e-9 {
		t.Errorf("Vol_K(FS) = %v, want 5", v)
	}
	rng := rand.New(rand.NewPCG(17, 18))
	s, _ := h.Sections(2)
	alg := &Algebraic{S: s, H: randomHermitianPD(rng, s.Len())}
	det := DetFunc(alg, pts)
	dets := make([]float64, pts.N)
	for i := range dets {
		dets[i] = det(i)
	}
	f := func(i int) float64 { return pts.Weight[i] * dets[i] / abs2(pts.Omega[i]) }
	v := VolK(pts, func(i int) float64 { return dets[i] })
	se := MonteCarloError(pts.N, f)
	t.Logf("Vol_K(algebraic k=2, random H) = %.4f ± %.4f (20000 points), want 5", v, se)
	if math.Abs(v-5) > 4*se {
		t.Errorf("Vol_K = %v ± %v, want 5", v, se)
	}
	// Scale invariance of σ: g → c g multiplies det by c³.
	s1 := Sigma(pts, fs)
	s2 := Sigma(pts, func(i int) float64 { return 7.5 * 7.5 * 7.5 * fs(i) })
	if math.Abs(s1-s2) > 1e-12 {
		t.Errorf("σ not scale invariant: %v vs %v", s1, s2)
	}
	t.Logf("σ(FS) = %.4f, Vol_CY = %.4f", s1, VolCY(pts))
}

// TestAlgebraicPulledBack: the batched pullback equals Ambient + PullBack.
func TestAlgebraicPulledBack(t *testing.T) {
	h := mustQuintic(t, dwork, 0.1+0.2i)
	pts, err := Sample(h, 1500, 0.1+0.2i, rand.New(rand.NewPCG(31, 32)))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := h.Sections(3)
	alg := &Algebraic{S: s, H: randomHermitianPD(rand.New(rand.NewPCG(33, 34)), s.Len())}
	dim, m := pts.Dim, pts.M
	batch := make([]complex128, pts.N*dim*dim)
	alg.PulledBack(pts, batch)
	g := make([]complex128, m*m)
	pb := make([]complex128, dim*dim)
	for i := range pts.N {
		alg.Ambient(pts.Point(i), g)
		PullBack(pts.Jacobian(i), dim, m, g, pb)
		for k := range pb {
			if d := cmplx.Abs(pb[k] - batch[i*dim*dim+k]); d > 1e-12*cmplx.Abs(pb[0]) {
				t.Fatalf("point %d entry %d: batched %v, direct %v", i, k, batch[i*dim*dim+k], pb[k])
			}
		}
	}
}
