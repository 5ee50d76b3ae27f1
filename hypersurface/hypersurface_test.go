package hypersurface

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"ansatz/symbolic"
)

const fermat = "z0^5 + z1^5 + z2^5 + z3^5 + z4^5"
const dwork = "z0^5 + z1^5 + z2^5 + z3^5 + z4^5 - 5*psi*z0*z1*z2*z3*z4"

func mustQuintic(t testing.TB, expr string, psi complex128) *Hypersurface {
	t.Helper()
	var params map[string]complex128
	if strings.Contains(expr, "psi") {
		params = map[string]complex128{"psi": psi}
	}
	h, err := New([]int{4}, nil, expr, params, true)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestParsePolynomial(t *testing.T) {
	vars := []string{"x", "y"}
	tests := []struct {
		expr string
		want string
	}{
		{"(x+y)^2", "x^2 + 2*x*y + y^2"},
		{"x*y - y*x + x", "x"},
		{"2*i*x^2/4 + a*y^2", "(0+0.5i)*x^2 + (2+1i)*y^2"},
		{"-(x - 2*y)*(x + 2*y)", "-1*x^2 + 4*y^2"},
		{"sqrt(4)*x", "2*x"},
	}
	for _, tt := range tests {
		p, err := ParsePolynomial(tt.expr, vars, map[string]complex128{"a": 2 + 1i})
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if got := p.String(); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.expr, got, tt.want)
		}
	}
}

func TestParsePolynomialErrors(t *testing.T) {
	vars := []string{"x", "y"}
	tests := []struct {
		expr, msg string
		col       int
	}{
		{"x^2 + w", "unknown name w", 7},
		{"x^2/y", "division by a non-constant", 4},
		{"x^y", "non-negative integer", 2},
		{"x^-1", "non-negative integer", 2},
		{"sin(x)", "real constant", 1},
	}
	for _, tt := range tests {
		_, err := ParsePolynomial(tt.expr, vars, nil)
		se, ok := err.(*symbolic.Error)
		if !ok {
			t.Errorf("%s: got %v, want a *symbolic.Error", tt.expr, err)
			continue
		}
		if !strings.Contains(se.Msg, tt.msg) || se.Column() != tt.col {
			t.Errorf("%s: got %q at column %d, want %q at %d", tt.expr, se.Msg, se.Column(), tt.msg, tt.col)
		}
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name, expr string
		cy         bool
		field, msg string
		col        int
	}{
		{"not homogeneous", "z0^4 + z1^5 + z2^5 + z3^5 + z4^5", true, "polynomial", "not homogeneous: term z0^4 has degree 4, z1^5 has degree 5", 8},
		{"wrong degree", "z0^4 + z1^4 + z2^4 + z3^4 + z4^4", true, "polynomial", "degree 4 does not give a Calabi–Yau in P^4", 0},
		{"unknown name", "z0^5 + w", true, "polynomial", "unknown name w", 8},
	}
	for _, tt := range tests {
		_, err := New([]int{4}, nil, tt.expr, nil, tt.cy)
		fe, ok := err.(*FieldError)
		if !ok {
			t.Errorf("%s: got %v, want a *FieldError", tt.name, err)
			continue
		}
		if fe.Field != tt.field || !strings.Contains(fe.Msg, tt.msg) {
			t.Errorf("%s: got %v", tt.name, err)
		}
		if tt.col > 0 {
			se, ok := fe.Err.(*symbolic.Error)
			if !ok || se.Column() != tt.col {
				t.Errorf("%s: error %v not at column %d", tt.name, fe.Err, tt.col)
			}
		}
	}
	if _, err := New([]int{4}, nil, "z0^4 + z1^4 + z2^4 + z3^4 + z4^4", nil, false); err != nil {
		t.Errorf("calabi_yau false: %v", err)
	}
}

func TestGradient(t *testing.T) {
	h := mustQuintic(t, dwork, 0.3+0.2i)
	p := h.Polynomial()
	rng := rand.New(rand.NewPCG(1, 2))
	z := make([]complex128, 5)
	for k := range z {
		z[k] = complex(rng.NormFloat64(), rng.NormFloat64())
	}
	grad := make([]complex128, 5)
	p.Gradient(z, grad)
	const eps = 1e-6
	for i := range z {
		zp := append([]complex128(nil), z...)
		zm := append([]complex128(nil), z...)
		zp[i] += eps
		zm[i] -= eps
		fd := (p.Eval(zp) - p.Eval(zm)) / (2 * eps)
		if cmplx.Abs(fd-grad[i]) > 1e-6*cmplx.Abs(grad[i]) {
			t.Errorf("∂p/∂z%d = %v, finite difference %v", i, grad[i], fd)
		}
		d := p.Derivative(i).Eval(z)
		if cmplx.Abs(d-grad[i]) > 1e-12*cmplx.Abs(grad[i]) {
			t.Errorf("Derivative(%d) = %v, Gradient %v", i, d, grad[i])
		}
	}
}

// TestLineRoots checks that every random line meets the quintic in 5
// distinct points, each on X to 1e-9 relative to its terms.
func TestLineRoots(t *testing.T) {
	for _, expr := range []string{fermat, dwork} {
		h := mustQuintic(t, expr, 0.7-0.1i)
		ls := newLineSampler(h.Polynomial())
		rng := rand.New(rand.NewPCG(3, 4))
		for range 200 {
			roots, err := ls.line(rng)
			if err != nil {
				t.Fatal(err)
			}
			if len(roots) != 5 {
				t.Fatalf("%d points on a line, want 5", len(roots))
			}
			for _, z := range roots {
				if r := cmplx.Abs(h.Polynomial().Eval(z)) / h.Polynomial().Scale(z); r > 1e-9 {
					t.Errorf("relative residual %g", r)
				}
			}
		}
	}
}

func TestSampleResidualsAndCharts(t *testing.T) {
	h := mustQuintic(t, dwork, 0.25)
	pts, err := Sample(h, 2000, 0.25, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	p := h.Polynomial()
	worst := 0.0
	for i := range pts.N {
		z := pts.Point(i)
		worst = max(worst, cmplx.Abs(p.Eval(z))/p.Scale(z))
		if z[pts.Patch[i]] != 1 {
			t.Fatalf("point %d: z_patch = %v", i, z[pts.Patch[i]])
		}
		for _, v := range z {
			if cmplx.Abs(v) > 1+1e-15 {
				t.Fatalf("point %d: |z| > 1: %v", i, z)
			}
		}
		if !(pts.Weight[i] > 0) {
			t.Fatalf("point %d: weight %v", i, pts.Weight[i])
		}
	}
	if worst > 1e-9 {
		t.Errorf("worst relative residual %g > 1e-9", worst)
	}
	t.Logf("worst relative residual %.2g", worst)
}

func TestOmegaFermat(t *testing.T) {
	h := mustQuintic(t, fermat, 0)
	pts, err := Sample(h, 100, 0, rand.New(rand.NewPCG(7, 8)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range pts.N {
		zj := pts.Point(i)[pts.Elim[i]]
		want := 1 / (5 * zj * zj * zj * zj)
		if cmplx.Abs(pts.Omega[i]-want) > 1e-12*cmplx.Abs(want) {
			t.Errorf("point %d: Ω = %v, want 1/(5 z_j^4) = %v", i, pts.Omega[i], want)
		}
	}
}

// TestFubiniStudyHessian checks g_FS against the finite-difference complex
// Hessian of its potential (T/π) log|z|².
func TestFubiniStudyHessian(t *testing.T) {
	fs := FubiniStudy{T: 1.7}
	z := []complex128{0.3 + 0.1i, -0.5 + 0.2i, 1, 0.1 - 0.7i}
	g := make([]complex128, 16)
	fs.Ambient(z, g)
	checkHessian(t, fs.Potential, fs.Ambient, z, 1e-6)
}

// checkHessian compares g_{ij̄} with ∂_i∂̄_j K by central differences:
// ∂_i∂̄_j = ¼[(∂x_i∂x_j + ∂y_i∂y_j) + i(∂x_i∂y_j − ∂y_i∂x_j)].
func checkHessian(t *testing.T, pot func([]complex128) float64, amb func(z, g []complex128), z []complex128, tol float64) {
	t.Helper()
	m := len(z)
	g := make([]complex128, m*m)
	amb(z, g)
	const h = 1e-4
	d2 := func(i int, di complex128, j int, dj complex128) float64 {
		f := func(a, b float64) float64 {
			w := append([]complex128(nil), z...)
			w[i] += complex(a, 0) * di
			w[j] += complex(b, 0) * dj
			return pot(w)
		}
		return (f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h * h)
	}
	for i := range m {
		for j := range m {
			xx, yy := d2(i, 1, j, 1), d2(i, 1i, j, 1i)
			xy, yx := d2(i, 1, j, 1i), d2(i, 1i, j, 1)
			fd := complex((xx+yy)/4, (xy-yx)/4)
			if cmplx.Abs(fd-g[i*m+j]) > tol {
				t.Errorf("g[%d][%d] = %v, finite difference %v", i, j, g[i*m+j], fd)
			}
		}
	}
}

// TestTransitionFS: the Fubini–Study metric is global, so the stored
// transition maps it between the two charts of every point.
func TestTransitionFS(t *testing.T) {
	h := mustQuintic(t, dwork, 0.5+0.3i)
	pts, err := Sample(h, 500, 0.5+0.3i, rand.New(rand.NewPCG(9, 10)))
	if err != nil {
		t.Fatal(err)
	}
	m, dim := pts.M, pts.Dim
	g := make([]complex128, m*m)
	gA := make([]complex128, dim*dim)
	gB := make([]complex128, dim*dim)
	worst := 0.0
	for i := range pts.N {
		FubiniStudy{T: 1}.Ambient(pts.Point(i), g)
		PullBack(pts.Jacobian(i), dim, m, g, gA)
		FubiniStudy{T: 1}.Ambient(pts.AltZ[i*m:(i+1)*m], g)
		PullBack(pts.AltPullback[i*dim*m:(i+1)*dim*m], dim, m, g, gB)
		tr := pts.AltTransition[i*dim*dim : (i+1)*dim*dim]
		// T gA T† is PullBack of gA by T.
		tg := make([]complex128, dim*dim)
		PullBack(tr, dim, dim, gA, tg)
		num, den := 0.0, 0.0
		for k := range tg {
			num += abs2(tg[k] - gB[k])
			den += abs2(gB[k])
		}
		worst = max(worst, math.Sqrt(num/den))
	}
	if worst > 1e-12 {
		t.Errorf("FS transition residual %g", worst)
	}
	t.Logf("worst relative FS transition residual %.2g", worst)
}

// TestOmegaTransition: on a Calabi–Yau, Ω is a global form, so
// Ω' = Ω·det T between the charts and det g/|Ω|² is chart independent.
func TestOmegaTransition(t *testing.T) {
	h := mustQuintic(t, dwork, 0.3-0.4i)
	pts, err := Sample(h, 300, 0.3-0.4i, rand.New(rand.NewPCG(61, 62)))
	if err != nil {
		t.Fatal(err)
	}
	m, dim := pts.M, pts.Dim
	grad := make([]complex128, m)
	for i := range pts.N {
		h.Polynomial().Gradient(pts.AltZ[i*m:(i+1)*m], grad)
		omegaAlt := 1 / grad[pts.AltElim[i]]
		det := Det(pts.AltTransition[i*dim*dim:(i+1)*dim*dim], dim)
		want := pts.Omega[i] * det
		if math.Abs(cmplx.Abs(omegaAlt)-cmplx.Abs(want)) > 1e-10*cmplx.Abs(want) {
			t.Fatalf("point %d: |Ω'| = %g, |Ω det T| = %g", i, cmplx.Abs(omegaAlt), cmplx.Abs(want))
		}
	}
}
