package fieldtheory

import (
	"math"
	"math/rand/v2"
	"testing"
)

// mat2 is a complex 2×2 matrix, row-major.
type mat2 [4]complex128

func (a mat2) mul(b mat2) mat2 {
	return mat2{a[0]*b[0] + a[1]*b[2], a[0]*b[1] + a[1]*b[3], a[2]*b[0] + a[3]*b[2], a[2]*b[1] + a[3]*b[3]}
}

func (a mat2) sub(b mat2) mat2 { return mat2{a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]} }
func (a mat2) add(b mat2) mat2 { return mat2{a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]} }
func (a mat2) scale(s complex128) mat2 {
	return mat2{s * a[0], s * a[1], s * a[2], s * a[3]}
}
func (a mat2) norm2() float64 {
	var s float64
	for _, v := range a {
		s += real(v)*real(v) + imag(v)*imag(v)
	}
	return s
}

// connection is a Lax connection A_x(J), A_t(J) with its directional
// derivatives dA(J)[V] written out by hand.
type connection struct {
	ax, at   func(j []float64) mat2
	dax, dat func(j, v []float64) mat2
}

// curvature returns the normalised zero-curvature residual over the rows:
// sqrt(mean ‖Z‖² / (‖∂_t A_x‖² + ‖∂_x A_t‖² + ‖[A_x, A_t]‖²)) with
// Z = ∂_t A_x − ∂_x A_t + [A_x, A_t], ∂_t A_x = dA_x[DX], ∂_x A_t = dA_t[F].
func curvature(c connection, x, dx, f []float64, w int) float64 {
	n := len(x) / w
	var sum float64
	for i := range n {
		j, v, g := x[i*w:(i+1)*w], dx[i*w:(i+1)*w], f[i*w:(i+1)*w]
		ax, at := c.ax(j), c.at(j)
		dt, dxA := c.dax(j, v), c.dat(j, g)
		comm := ax.mul(at).sub(at.mul(ax))
		z := dt.sub(dxA).add(comm)
		sum += z.norm2() / (dt.norm2() + dxA.norm2() + comm.norm2())
	}
	return math.Sqrt(sum / float64(n))
}

// kdvPair is the textbook KdV connection on jets (u, u_x, u_xx); sign = −1
// flips the sign of u in A_x (a wrong pair).
func kdvPair(lambda, sign float64) connection {
	l := complex(lambda, 0)
	s := complex(sign, 0)
	return connection{
		ax: func(j []float64) mat2 { return mat2{0, 1, l - s*complex(j[0], 0), 0} },
		at: func(j []float64) mat2 {
			u, ux, uxx := complex(j[0], 0), complex(j[1], 0), complex(j[2], 0)
			return mat2{ux, -4*l - 2*u, uxx + 2*u*u + 2*l*u - 4*l*l, -ux}
		},
		dax: func(_, v []float64) mat2 { return mat2{0, 0, -s * complex(v[0], 0), 0} },
		dat: func(j, v []float64) mat2 {
			u := complex(j[0], 0)
			vu, vux, vuxx := complex(v[0], 0), complex(v[1], 0), complex(v[2], 0)
			return mat2{vux, -2 * vu, vuxx + 4*u*vu + 2*l*vu, -vux}
		},
	}
}

var (
	sgK = mat2{0, 1, -1, 0}
	sgH = mat2{1, 0, 0, -1}
	sgS = mat2{0, 1, 1, 0}
)

// sineGordonPair is the textbook connection on jets (phi, phi_x, pi, pi_x);
// sign = −1 flips the sign of sin φ in A_−.
func sineGordonPair(lambda, sign float64) connection {
	l := complex(lambda, 0)
	s := complex(sign, 0)
	plus := func(j []float64) mat2 { return sgK.scale(complex((j[2]+j[1])/2, 0)).add(sgH.scale(l / 2)) }
	minus := func(j []float64) mat2 {
		return sgH.scale(complex(math.Cos(j[0]), 0)).sub(sgS.scale(s * complex(math.Sin(j[0]), 0))).scale(-1 / (2 * l))
	}
	dplus := func(_, v []float64) mat2 { return sgK.scale(complex((v[2]+v[1])/2, 0)) }
	dminus := func(j, v []float64) mat2 {
		return sgH.scale(complex(-math.Sin(j[0])*v[0], 0)).sub(sgS.scale(s * complex(math.Cos(j[0])*v[0], 0))).scale(-1 / (2 * l))
	}
	return connection{
		ax:  func(j []float64) mat2 { return plus(j).sub(minus(j)).scale(0.5) },
		at:  func(j []float64) mat2 { return plus(j).add(minus(j)).scale(0.5) },
		dax: func(j, v []float64) mat2 { return dplus(j, v).sub(dminus(j, v)).scale(0.5) },
		dat: func(j, v []float64) mat2 { return dplus(j, v).add(dminus(j, v)).scale(0.5) },
	}
}

// Pauli matrices.
var pauli = [3]mat2{{0, 1, 1, 0}, {0, -1i, 1i, 0}, {1, 0, 0, -1}}

// sigma returns v·σ.
func sigma(v [3]float64) mat2 {
	var m mat2
	for a := range 3 {
		m = m.add(pauli[a].scale(complex(v[a], 0)))
	}
	return m
}

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// heisenbergPair is A_x = iλ S·σ, A_t = 2iλ² S·σ + iλ (S × S_x)·σ on jets
// (S1, S1_x, S2, S2_x, S3, S3_x); it needs |S| = 1 (and S·S_x = 0).
func heisenbergPair(lambda, sign float64) connection {
	l := complex(lambda, 0)
	get := func(j []float64, k int) [3]float64 { return [3]float64{j[k], j[2+k], j[4+k]} }
	return connection{
		ax: func(j []float64) mat2 { return sigma(get(j, 0)).scale(1i * l) },
		at: func(j []float64) mat2 {
			return sigma(get(j, 0)).scale(2i * l * l).add(sigma(cross(get(j, 0), get(j, 1))).scale(complex(sign, 0) * 1i * l))
		},
		dax: func(_, v []float64) mat2 { return sigma(get(v, 0)).scale(1i * l) },
		dat: func(j, v []float64) mat2 {
			s, sx, vs, vsx := get(j, 0), get(j, 1), get(v, 0), get(v, 1)
			d := cross(vs, sx)
			e := cross(s, vsx)
			return sigma(vs).scale(2i * l * l).add(sigma([3]float64{d[0] + e[0], d[1] + e[1], d[2] + e[2]}).scale(complex(sign, 0) * 1i * l))
		},
	}
}

// pcmPair is A_t = −(j_t + λ j_x)/(1 − λ²), A_x = −(j_x + λ j_t)/(1 − λ²)
// with j_t = a·t, j_x = b·t, t_a = −iσ_a/2, on jets (a1, a2, a3, b1, b2, b3).
func pcmPair(lambda, sign float64) connection {
	su2 := func(v [3]float64) mat2 { return sigma(v).scale(-0.5i) }
	c := complex(-1/(1-lambda*lambda), 0)
	l := complex(sign*lambda, 0)
	ab := func(j []float64) (mat2, mat2) {
		return su2([3]float64{j[0], j[1], j[2]}), su2([3]float64{j[3], j[4], j[5]})
	}
	ax := func(j []float64) mat2 { a, b := ab(j); return b.add(a.scale(l)).scale(c) }
	at := func(j []float64) mat2 { a, b := ab(j); return a.add(b.scale(complex(lambda, 0))).scale(c) }
	return connection{ax: ax, at: at,
		dax: func(_, v []float64) mat2 { return ax(v) },
		dat: func(_, v []float64) mat2 { return at(v) },
	}
}

func sineGordon(t testing.TB, points int) *System {
	t.Helper()
	s, err := NewSystem(Definition{
		Fields:    []string{"phi", "p"},
		Domain:    Domain{Length: 20, Points: points, Periodic: true},
		Equations: map[string]string{"phi_t": "p", "p_t": "phi_xx - sin(phi)"},
		Conserved: map[string]string{"energy": "p^2/2 + phi_x^2/2 + 1 - cos(phi)", "momentum": "p*phi_x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func heisenberg(t testing.TB, points int) *System {
	t.Helper()
	s, err := NewSystem(Definition{
		Fields: []string{"S1", "S2", "S3"},
		Domain: Domain{Length: 2 * math.Pi, Points: points, Periodic: true},
		Equations: map[string]string{
			"S1_t": "S2*S3_xx - S3*S2_xx",
			"S2_t": "S3*S1_xx - S1*S3_xx",
			"S3_t": "S1*S2_xx - S2*S1_xx",
		},
		Constraint: "S1^2 + S2^2 + S3^2 - 1",
		Conserved:  map[string]string{"energy": "(S1_x^2 + S2_x^2 + S3_x^2)/2", "magnetisation": "S3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func pcm(t testing.TB, points int) *System {
	t.Helper()
	s, err := NewSystem(Definition{
		Fields: []string{"a1", "a2", "a3", "b1", "b2", "b3"},
		Domain: Domain{Length: 2 * math.Pi, Points: points, Periodic: true},
		Equations: map[string]string{
			"a1_t": "b1_x", "a2_t": "b2_x", "a3_t": "b3_x",
			"b1_t": "a1_x - (a2*b3 - a3*b2)",
			"b2_t": "a2_x - (a3*b1 - a1*b3)",
			"b3_t": "a3_x - (a1*b2 - a2*b1)",
		},
		Conserved: map[string]string{"energy": "(a1^2 + a2^2 + a3^2 + b1^2 + b2^2 + b3^2)/2", "momentum": "a1*b1 + a2*b2 + a3*b3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTextbookPairs: the textbook connections have zero curvature on the
// data and on random jets; a wrong sign gives a residual of order 1.
func TestTextbookPairs(t *testing.T) {
	cases := []struct {
		name  string
		sys   *System
		pair  func(lambda, sign float64) connection
		tweak func(o *FieldSnapshots)
		tol   float64 // on the data
	}{
		{"kdv", kdv(t, 20, 256), kdvPair, nil, 1e-12},
		{"sine-gordon", sineGordon(t, 128), sineGordonPair, nil, 1e-12},
		// The Heisenberg pair needs |S| = 1, which band-limited data satisfy
		// only up to their truncated spectrum (max |c| ≈ 7e-12 here).
		{"heisenberg", heisenberg(t, 64), heisenbergPair, func(o *FieldSnapshots) {
			o.Initial.Random = &RandomInitial{Amplitude: 0.1, Modes: 3, Decay: 1, Mean: 1}
			o.T = tgrid(0, 0.05, 3)
		}, 1e-10},
		{"pcm", pcm(t, 128), pcmPair, nil, 1e-12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := NewFieldSnapshots()
			o.Initial.Random = NewRandomInitial()
			o.Count = 2
			o.SamplesPerSnapshot = 32
			if c.tweak != nil {
				c.tweak(o)
			}
			res, err := o.Make(c.sys, rand.New(rand.NewPCG(3, 4)))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("checks %v", res.Checks)
			d := res.Data.Train
			order := o.order(c.sys)
			rx, rdx, rf, err := c.sys.RandomJets(rand.New(rand.NewPCG(5, 6)), 500, order, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, lambda := range []float64{0.7, -1.3} {
				on := curvature(c.pair(lambda, 1), d.X, d.DX, d.F, d.D)
				off := curvature(c.pair(lambda, 1), rx, rdx, rf, d.D)
				wrong := curvature(c.pair(lambda, -1), d.X, d.DX, d.F, d.D)
				t.Logf("λ=%v: residual on the data %.3g, on random jets %.3g, wrong sign %.3g", lambda, on, off, wrong)
				if on > c.tol || off > 1e-12 {
					t.Errorf("λ=%v: residual on the data %.3g (want ≤ %g), on random jets %.3g (want ≤ 1e-12)", lambda, on, c.tol, off)
				}
				if wrong < 0.1 {
					t.Errorf("λ=%v: the wrong-sign pair has residual %.3g; want ≈ 1", lambda, wrong)
				}
			}
		})
	}
}
