package autodiff

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Values of ops against direct computations and closed forms.

func TestBroadcastValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	// Small shapes and large ones (which take the parallel paths).
	for _, rc := range [][2]int{{3, 4}, {400, 300}} {
		r, c := rc[0], rc[1]
		a := randTensor(rng, 0.5, 2, r, c)
		others := map[string]*Tensor{
			"full":   randTensor(rng, 0.5, 2, r, c),
			"row":    randTensor(rng, 0.5, 2, 1, c),
			"col":    randTensor(rng, 0.5, 2, r, 1),
			"scalar": randTensor(rng, 0.5, 2, 1, 1),
		}
		at := func(x *Tensor, i, j int) float64 {
			return x.At(min(i, x.shape[0]-1), min(j, x.shape[1]-1))
		}
		ops := []struct {
			name string
			f    func(a, b *Tensor) *Tensor
			g    func(a, b float64) float64
		}{
			{"Add", Add, func(a, b float64) float64 { return a + b }},
			{"Sub", Sub, func(a, b float64) float64 { return a - b }},
			{"Mul", Mul, func(a, b float64) float64 { return a * b }},
			{"Div", Div, func(a, b float64) float64 { return a / b }},
		}
		for _, kind := range []string{"full", "row", "col", "scalar"} {
			b := others[kind]
			for _, op := range ops {
				for _, swap := range []bool{false, true} {
					var got *Tensor
					if swap {
						got = op.f(b, a)
					} else {
						got = op.f(a, b)
					}
					if !sameShape(got.shape, a.shape) {
						t.Fatalf("%s %s swap=%v: shape %v", op.name, kind, swap, got.shape)
					}
					for i := range r {
						for j := range c {
							want := op.g(at(a, i, j), at(b, i, j))
							if swap {
								want = op.g(at(b, i, j), at(a, i, j))
							}
							if got.At(i, j) != want {
								t.Fatalf("%s %s [%d,%d] swap=%v: %v, want %v", op.name, kind, r, c, swap, got.At(i, j), want)
							}
						}
					}
				}
			}
		}
	}
	// Rank 3: a [b,1] column scales each matrix.
	m := New([]float64{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2)
	s := New([]float64{10, -1}, 2, 1)
	got := Mul(m, s)
	want := []float64{10, 20, 30, 40, -5, -6, -7, -8}
	for i, w := range want {
		if got.data[i] != w {
			t.Errorf("rank-3 column broadcast: %v, want %v", got.data, want)
			break
		}
	}
}

func TestReductionValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	a := randTensor(rng, -1, 1, 500, 130)
	var total float64
	cols := make([]float64, 130)
	rows := make([]float64, 500)
	for i := range 500 {
		for j := range 130 {
			v := a.At(i, j)
			total += v
			cols[j] += v
			rows[i] += v
		}
	}
	if got := Sum(a).Item(); math.Abs(got-total) > 1e-10 {
		t.Errorf("Sum = %v, want %v", got, total)
	}
	if got := Mean(a).Item(); math.Abs(got-total/65000) > 1e-14 {
		t.Errorf("Mean = %v, want %v", got, total/65000)
	}
	s0, s1, m0, m1 := SumAxis(a, 0), SumAxis(a, 1), MeanAxis(a, 0), MeanAxis(a, 1)
	for j, w := range cols {
		if s0.data[j] != w || math.Abs(m0.data[j]-w/500) > 1e-15 {
			t.Fatalf("column %d: SumAxis %v MeanAxis %v, want %v", j, s0.data[j], m0.data[j], w)
		}
	}
	for i, w := range rows {
		if s1.data[i] != w || math.Abs(m1.data[i]-w/130) > 1e-15 {
			t.Fatalf("row %d: SumAxis %v MeanAxis %v, want %v", i, s1.data[i], m1.data[i], w)
		}
	}
}

func denseOf(t *Tensor, q int) *mat.Dense {
	n, m := t.shape[1], t.shape[2]
	return mat.NewDense(n, m, append([]float64(nil), t.data[q*n*m:(q+1)*n*m]...))
}

func TestMatMulAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		ar, ac, br, bc := 7, 5, 5, 6
		if tr[0] {
			ar, ac = ac, ar
		}
		if tr[1] {
			br, bc = bc, br
		}
		a, b := randTensor(rng, -1, 1, ar, ac), randTensor(rng, -1, 1, br, bc)
		got := MatMulT(a, b, tr[0], tr[1])
		var A, B mat.Matrix = mat.NewDense(ar, ac, a.data), mat.NewDense(br, bc, b.data)
		if tr[0] {
			A = A.T()
		}
		if tr[1] {
			B = B.T()
		}
		var want mat.Dense
		want.Mul(A, B)
		if !mat.EqualApprox(mat.NewDense(7, 6, got.data), &want, 1e-14) {
			t.Errorf("MatMulT trans %v: %v, want %v", tr, got, mat.Formatted(&want))
		}
	}
	bA, bB := randTensor(rng, -1, 1, 3, 4, 5), randTensor(rng, -1, 1, 3, 5, 2)
	got := BatchMatMul(bA, bB)
	for q := range 3 {
		var want mat.Dense
		want.Mul(denseOf(bA, q), denseOf(bB, q))
		if !mat.EqualApprox(denseOf(got, q), &want, 1e-14) {
			t.Errorf("BatchMatMul element %d: %v, want %v", q, mat.Formatted(denseOf(got, q)), mat.Formatted(&want))
		}
	}
	x, w, bias := randTensor(rng, -1, 1, 4, 3), randTensor(rng, -1, 1, 3, 2), randTensor(rng, -1, 1, 1, 2)
	lin, ref := Linear(x, w, bias), Add(MatMul(x, w), bias)
	for i := range lin.data {
		if math.Abs(lin.data[i]-ref.data[i]) > 1e-15 {
			t.Fatalf("Linear: %v, want %v", lin, ref)
		}
	}
	for _, b := range []*Tensor{bias, nil} {
		lt, ref := LinearTanh(x, w, b), Tanh(Linear(x, w, b))
		for i := range lt.data {
			if lt.data[i] != ref.data[i] {
				t.Fatalf("LinearTanh: %v, want %v", lt, ref)
			}
		}
	}
}

func TestDetAgainstGonum(t *testing.T) {
	// Hand-checked values first.
	known := []struct {
		m    []float64
		n    int
		want float64
	}{
		{[]float64{-3}, 1, -3},
		{[]float64{1, 2, 3, 4}, 2, -2},
		{[]float64{2, 0, 1, 1, 3, 2, 1, 1, 1}, 3, 0},
		{[]float64{6, 1, 1, 4, -2, 5, 2, 8, 7}, 3, -306},
		{[]float64{1, 0, 2, -1, 3, 0, 0, 5, 2, 1, 4, -3, 1, 0, 5, 0}, 4, 30},
	}
	for _, k := range known {
		if got := Det(New(k.m, 1, k.n, k.n)).Item(); math.Abs(got-k.want) > 1e-12 {
			t.Errorf("det %v = %v, want %v", k.m, got, k.want)
		}
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for n := 1; n <= 4; n++ {
		a := randTensor(rng, -2, 2, 5, n, n)
		d, ld := Det(a), LogAbsDet(a)
		for q := range 5 {
			want := mat.Det(denseOf(a, q))
			if math.Abs(d.data[q]-want) > 1e-12*max(1, math.Abs(want)) {
				t.Errorf("n=%d: det %v, gonum %v", n, d.data[q], want)
			}
			lwant, _ := mat.LogDet(denseOf(a, q))
			if math.Abs(ld.data[q]-lwant) > 1e-11 {
				t.Errorf("n=%d: log|det| %v, gonum %v", n, ld.data[q], lwant)
			}
		}
	}
}

func TestTraceCommutator(t *testing.T) {
	// so(3): [Lx, Ly] = Lz (and cyclic), traces zero; Tr(I₃) = 3.
	lx := []float64{0, 0, 0, 0, 0, -1, 0, 1, 0}
	ly := []float64{0, 0, 1, 0, 0, 0, -1, 0, 0}
	lz := []float64{0, -1, 0, 1, 0, 0, 0, 0, 0}
	cat := func(ms ...[]float64) *Tensor {
		var d []float64
		for _, m := range ms {
			d = append(d, m...)
		}
		return New(d, len(ms), 3, 3)
	}
	got := Commutator(cat(lx, ly, lz), cat(ly, lz, lx))
	want := cat(lz, lx, ly)
	for i := range want.data {
		if got.data[i] != want.data[i] {
			t.Fatalf("[L_i, L_j] = %v, want %v", got, want)
		}
	}
	tr := Trace(cat(lx, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}))
	for q, w := range []float64{0, 3, 15} {
		if tr.data[q] != w {
			t.Errorf("trace %d = %v, want %v", q, tr.data[q], w)
		}
	}
	a := cat(lx, ly)
	if s := sumAll(Abs(Commutator(a, a)).data); s != 0 {
		t.Errorf("[A,A] ≠ 0: %v", s)
	}
	tt := Transpose(New([]float64{1, 2, 3, 4, 5, 6}, 2, 3))
	if !sameShape(tt.shape, []int{3, 2}) || tt.At(2, 1) != 6 || tt.At(0, 1) != 4 {
		t.Errorf("Transpose: %v", tt)
	}
}

// complexAt returns batch element q of a as complex128 matrix rows.
func complexAt(a Complex, q int) [][]complex128 {
	n, m := a.Re.shape[1], a.Re.shape[2]
	out := make([][]complex128, n)
	for i := range n {
		out[i] = make([]complex128, m)
		for j := range m {
			out[i][j] = complex(a.Re.At(q, i, j), a.Im.At(q, i, j))
		}
	}
	return out
}

// complexDet is the determinant by Gaussian elimination with partial pivoting.
func complexDet(m [][]complex128) complex128 {
	n := len(m)
	a := make([][]complex128, n)
	for i := range m {
		a[i] = append([]complex128(nil), m[i]...)
	}
	det := complex(1, 0)
	for k := range n {
		p := k
		for i := k + 1; i < n; i++ {
			if cmplx.Abs(a[i][k]) > cmplx.Abs(a[p][k]) {
				p = i
			}
		}
		if p != k {
			a[p], a[k] = a[k], a[p]
			det = -det
		}
		det *= a[k][k]
		for i := k + 1; i < n; i++ {
			f := a[i][k] / a[k][k]
			for j := k; j < n; j++ {
				a[i][j] -= f * a[k][j]
			}
		}
	}
	return det
}

func TestComplexClosedForms(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	rc := func(shape ...int) Complex {
		return Complex{randTensor(rng, -1, 1, shape...), randTensor(rng, -1, 1, shape...)}
	}
	for n := 1; n <= 4; n++ {
		a := rc(3, n, n)
		d, ld := CDet(a), CLogAbsDet(a)
		for q := range 3 {
			want := complexDet(complexAt(a, q))
			got := complex(d.Re.data[q], d.Im.data[q])
			if cmplx.Abs(got-want) > 1e-12 {
				t.Errorf("n=%d: CDet %v, want %v", n, got, want)
			}
			if lw := math.Log(cmplx.Abs(want)); math.Abs(ld.data[q]-lw) > 1e-11 {
				t.Errorf("n=%d: CLogAbsDet %v, want %v", n, ld.data[q], lw)
			}
		}
	}
	// A Hermitian positive definite matrix B·Bᴴ + I has a real positive determinant.
	b := rc(2, 3, 3)
	bbh := CBatchMatMul(b, CConjTranspose(b))
	h := Complex{Add(bbh.Re, New([]float64{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}, 2, 3, 3)), bbh.Im}
	hd := CDet(h)
	for q := range 2 {
		bm := complexAt(b, q)
		// The product against direct complex arithmetic.
		for i := range 3 {
			for j := range 3 {
				var want complex128
				for k := range 3 {
					want += bm[i][k] * cmplx.Conj(bm[j][k])
				}
				if got := complex(bbh.Re.At(q, i, j), bbh.Im.At(q, i, j)); cmplx.Abs(got-want) > 1e-14 {
					t.Errorf("B·Bᴴ[%d][%d][%d] = %v, want %v", q, i, j, got, want)
				}
			}
		}
		if hd.Re.data[q] <= 0 || math.Abs(hd.Im.data[q]) > 1e-13 {
			t.Errorf("det of a Hermitian positive definite matrix: %v%+vi", hd.Re.data[q], hd.Im.data[q])
		}
	}
	x, y := rc(2, 3), rc(2, 3)
	p, cj := CMul(x, y), CConj(x)
	for i := range 6 {
		xv, yv := complex(x.Re.data[i], x.Im.data[i]), complex(y.Re.data[i], y.Im.data[i])
		if got := complex(p.Re.data[i], p.Im.data[i]); cmplx.Abs(got-xv*yv) > 1e-15 {
			t.Errorf("CMul %v, want %v", got, xv*yv)
		}
		if got := complex(cj.Re.data[i], cj.Im.data[i]); got != cmplx.Conj(xv) {
			t.Errorf("CConj %v, want %v", got, cmplx.Conj(xv))
		}
	}
}
