package autodiff

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Gorgonia returns wrong second derivatives for this; the answer is 6x = 12.
func TestSecondDerivativeOfCubeRegression(t *testing.T) {
	x := Variable([]float64{2}, 1, 1)
	y := Mul(x, Mul(x, x))
	g, err := Grad(y, []*Tensor{x}, CreateGraph())
	if err != nil {
		t.Fatal(err)
	}
	if got := g[0].Item(); got != 12 {
		t.Errorf("dy/dx = %v, want 12", got)
	}
	g2, err := Grad(g[0], []*Tensor{x}, CreateGraph())
	if err != nil {
		t.Fatal(err)
	}
	if got := g2[0].Item(); got != 12 {
		t.Errorf("d²y/dx² = %v, want 12", got)
	}
	g3, err := Grad(g2[0], []*Tensor{x})
	if err != nil {
		t.Fatal(err)
	}
	if got := g3[0].Item(); got != 6 {
		t.Errorf("d³y/dx³ = %v, want 6", got)
	}
}

func TestGradErrors(t *testing.T) {
	x := Variable([]float64{1, 2, 3, 4}, 2, 2)
	y := Square(x)
	s := Sum(y)
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"nil y", func() error { _, err := Grad(nil, []*Tensor{x}); return err }, "y is nil"},
		{"nil wrt", func() error { _, err := Grad(s, []*Tensor{x, nil}); return err }, "wrt[1] is nil"},
		{"not scalar", func() error { _, err := Grad(y, []*Tensor{x}); return err }, "not a scalar"},
		{"seed shape", func() error { _, err := Grad(y, []*Tensor{x}, Seed(Zeros(1, 4))); return err }, "seed shape"},
		{"JVP direction", func() error { _, err := JVP(y, x, Zeros(2, 3), false); return err }, "v shape"},
		{"Jacobian rows", func() error { _, err := Jacobian(Sum(x), x, false); return err }, "want y [B,m]"},
		{"Hessian output", func() error { _, err := Hessian(y, x, false); return err }, "want y [B,1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := Grad(y, []*Tensor{x}); !errors.Is(err, ErrNotScalar) {
		t.Errorf("non-scalar output: error %v is not ErrNotScalar", err)
	}
}

func TestGradUnrelatedAndConstant(t *testing.T) {
	x := Variable([]float64{1, 2}, 1, 2)
	z := Variable([]float64{3, 4, 5}, 3, 1)
	c := New([]float64{7}, 1, 1)
	y := Sum(Square(x))
	g, err := Grad(y, []*Tensor{z, c, x})
	if err != nil {
		t.Fatal(err)
	}
	if !sameShape(g[0].shape, z.shape) || sumAll(g[0].data) != 0 {
		t.Errorf("gradient w.r.t. an unrelated variable: %v, want zeros [3,1]", g[0])
	}
	if !sameShape(g[1].shape, c.shape) || g[1].data[0] != 0 {
		t.Errorf("gradient w.r.t. a constant: %v, want zeros [1,1]", g[1])
	}
	if g[2].data[0] != 2 || g[2].data[1] != 4 {
		t.Errorf("gradient of Σx²: %v, want [2 4]", g[2])
	}
	// A constant output: all zeros, no error.
	g, err = Grad(Sum(c), []*Tensor{x})
	if err != nil || sumAll(g[0].data) != 0 {
		t.Errorf("gradient of a constant: %v, %v", g[0], err)
	}
}

func TestGradAccumulatesSharedNodes(t *testing.T) {
	// y = Σ (u + u·u + 2u) with u = x·3: every use of u and x must add up.
	x := Variable([]float64{1, -2, 0.5}, 1, 3)
	u := Scale(x, 3)
	y := Sum(Add(Add(u, Mul(u, u)), Scale(u, 2)))
	g, err := Grad(y, []*Tensor{x, u})
	if err != nil {
		t.Fatal(err)
	}
	for i, xv := range x.data {
		uv := 3 * xv
		if want := 3 * (3 + 2*uv); math.Abs(g[0].data[i]-want) > 1e-12 {
			t.Errorf("dy/dx[%d] = %v, want %v", i, g[0].data[i], want)
		}
		if want := 3 + 2*uv; math.Abs(g[1].data[i]-want) > 1e-12 {
			t.Errorf("dy/du[%d] = %v, want %v", i, g[1].data[i], want)
		}
	}
	// The returned gradient of an intermediate must not be altered by the
	// in-place accumulation of gradients below it.
	a := Variable([]float64{1, 2}, 1, 2)
	b := Add(a, a)
	c := Add(Mul(b, b), b)
	g, err = Grad(Sum(c), []*Tensor{b, a})
	if err != nil {
		t.Fatal(err)
	}
	for i, av := range a.data {
		bv := 2 * av
		if g[0].data[i] != 2*bv+1 || g[1].data[i] != 2*(2*bv+1) {
			t.Errorf("element %d: dc/db = %v, dc/da = %v, want %v, %v", i, g[0].data[i], g[1].data[i], 2*bv+1, 2*(2*bv+1))
		}
	}
}

func TestCreateGraphRecordsOnlyWhenAsked(t *testing.T) {
	x := Variable([]float64{0.3, -0.7}, 1, 2)
	y := Sum(Tanh(Mul(x, x)))
	g, _ := Grad(y, []*Tensor{x})
	if g[0].RequiresGrad() || g[0].node != nil {
		t.Error("Grad without CreateGraph returned a recorded tensor")
	}
	g, _ = Grad(y, []*Tensor{x}, CreateGraph())
	if !g[0].RequiresGrad() {
		t.Error("Grad with CreateGraph returned an unrecorded tensor")
	}
}

func TestGradDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := Variable(randTensor(rng, -1, 1, 300, 200).data, 300, 200)
	w := Variable(randTensor(rng, -1, 1, 200, 50).data, 200, 50)
	run := func() []float64 {
		y := Sum(Tanh(MatMul(Tanh(x), w)))
		g, err := Grad(y, []*Tensor{x, w}, CreateGraph())
		if err != nil {
			t.Fatal(err)
		}
		h, err := Grad(Mean(Square(g[0])), []*Tensor{w})
		if err != nil {
			t.Fatal(err)
		}
		return h[0].data
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("element %d differs between runs: %v vs %v", i, a[i], b[i])
		}
	}
}

// mlpBatch is y = tanh(x·W1 + b1)·W2, a [B,m] function of x [B,n] with
// independent rows, and the closed-form Jacobian of each row.
func mlpBatch(x, w1, b1, w2 *Tensor) *Tensor {
	return MatMul(Tanh(Linear(x, w1, b1)), w2)
}

func TestJacobianJVPClosedForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const B, n, h, m = 4, 3, 5, 2
	x := Variable(randTensor(rng, -1, 1, B, n).data, B, n)
	w1, b1, w2 := randTensor(rng, -1, 1, n, h), randTensor(rng, -1, 1, 1, h), randTensor(rng, -1, 1, h, m)
	y := mlpBatch(x, w1, b1, w2)
	J, err := Jacobian(y, x, false)
	if err != nil {
		t.Fatal(err)
	}
	if !sameShape(J.shape, []int{B, m, n}) {
		t.Fatalf("Jacobian shape %v", J.shape)
	}
	// J[b][k][j] = Σ_l W2[l][k]·(1−a_l²)·W1[j][l], a = tanh(x·W1+b1).
	a := Tanh(Linear(x.Detach(), w1, b1))
	v := randTensor(rng, -1, 1, B, n)
	jv, err := JVP(y, x, v, false)
	if err != nil {
		t.Fatal(err)
	}
	for b := range B {
		for k := range m {
			var dot float64
			for j := range n {
				var want float64
				for l := range h {
					al := a.At(b, l)
					want += w2.At(l, k) * (1 - al*al) * w1.At(j, l)
				}
				if got := J.At(b, k, j); math.Abs(got-want) > 1e-13 {
					t.Errorf("J[%d][%d][%d] = %v, want %v", b, k, j, got, want)
				}
				dot += want * v.At(b, j)
			}
			if got := jv.At(b, k); math.Abs(got-dot) > 1e-13 {
				t.Errorf("JVP[%d][%d] = %v, want %v", b, k, got, dot)
			}
		}
	}
	// And against central differences along v.
	const step = 1e-5
	xp, xm := Add(x.Detach(), Scale(v, step)), Sub(x.Detach(), Scale(v, step))
	fd := Scale(Sub(mlpBatch(xp, w1, b1, w2), mlpBatch(xm, w1, b1, w2)), 1/(2*step))
	for i, want := range fd.data {
		if !closeEnough(jv.data[i], want, 1e-9, 1e-6) {
			t.Errorf("JVP element %d = %v, finite difference %v", i, jv.data[i], want)
		}
	}
}

func TestHessianQuadraticForm(t *testing.T) {
	// y = ½ xᵀAx per row has Hessian (A+Aᵀ)/2 for every sample.
	A := New([]float64{2, 1, 0, 3, -1, 4, 0.5, 0, 5}, 3, 3)
	x := Variable([]float64{1, 2, 3, -1, 0.5, 0.25}, 2, 3)
	y := Scale(SumAxis(Mul(x, MatMul(x, A)), 1), 0.5)
	H, err := Hessian(y, x, false)
	if err != nil {
		t.Fatal(err)
	}
	for b := range 2 {
		for i := range 3 {
			for j := range 3 {
				want := (A.At(i, j) + A.At(j, i)) / 2
				if got := H.At(b, i, j); math.Abs(got-want) > 1e-14 {
					t.Errorf("H[%d][%d][%d] = %v, want %v", b, i, j, got, want)
				}
			}
		}
	}
	// A linear function has a zero Hessian.
	H, err = Hessian(MatMul(x, New([]float64{1, 2, 3}, 3, 1)), x, true)
	if err != nil || sumAll(H.data) != 0 || !sameShape(H.shape, []int{2, 3, 3}) {
		t.Errorf("Hessian of a linear function: %v, %v", H, err)
	}
}

func TestHessianFD(t *testing.T) {
	// The Hessian of K(x) = Σ tanh(x·W)·v per row against central differences
	// of the gradient.
	rng := rand.New(rand.NewPCG(8, 9))
	w, v := randTensor(rng, -1, 1, 3, 6), randTensor(rng, -1, 1, 6, 1)
	K := func(x *Tensor) *Tensor { return MatMul(Tanh(MatMul(x, w)), v) }
	x := randTensor(rng, -1, 1, 2, 3)
	xv := Variable(x.data, 2, 3)
	H, err := Hessian(K(xv), xv, false)
	if err != nil {
		t.Fatal(err)
	}
	grad := func(x *Tensor) *Tensor {
		xv := Variable(x.data, x.shape...)
		g, err := Grad(K(xv), []*Tensor{xv}, Seed(Full(1, 2, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return g[0]
	}
	const step = 1e-5
	for j := range 3 {
		e := Zeros(2, 3)
		e.data[j], e.data[3+j] = step, step
		d := Scale(Sub(grad(Add(x, e)), grad(Sub(x, e))), 1/(2*step))
		for b := range 2 {
			for i := range 3 {
				if got, want := H.At(b, i, j), d.At(b, i); !closeEnough(got, want, 1e-9, 1e-6) {
					t.Errorf("H[%d][%d][%d] = %v, finite difference %v", b, i, j, got, want)
				}
			}
		}
	}
}

// asInput returns x + z for a zero Variable z: a tensor that requires grad and
// follows x, so JVP, Jacobian and Hessian can differentiate with respect to it
// whether or not x is itself recorded.
func asInput(x *Tensor) *Tensor {
	return Add(x, Variable(make([]float64, len(x.data)), x.shape...))
}

func TestDerivativeHelpersFD(t *testing.T) {
	// Derivatives of JVP, Jacobian and Hessian results (with createGraph) with
	// respect to the input and the weights, to second order.
	cases := []fdCase{
		{name: "JVP", shapes: [][]int{{3, 2}, {2, 4}, {4, 2}, {3, 2}}, f: one(func(xs []*Tensor) *Tensor {
			x := asInput(xs[0])
			y := MatMul(Tanh(MatMul(x, xs[1])), xs[2])
			r, err := JVP(y, x, xs[3], true)
			if err != nil {
				panic(err)
			}
			return r
		})},
		{name: "Jacobian", shapes: [][]int{{3, 2}, {2, 4}, {4, 3}}, f: one(func(xs []*Tensor) *Tensor {
			x := asInput(xs[0])
			r, err := Jacobian(MatMul(Tanh(MatMul(x, xs[1])), xs[2]), x, true)
			if err != nil {
				panic(err)
			}
			return r
		})},
		{name: "Hessian", shapes: [][]int{{3, 2}, {2, 4}, {4, 1}}, f: one(func(xs []*Tensor) *Tensor {
			x := asInput(xs[0])
			r, err := Hessian(MatMul(Tanh(MatMul(x, xs[1])), xs[2]), x, true)
			if err != nil {
				panic(err)
			}
			return r
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runFD(t, c) })
	}
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic, want one containing %q", want)
			return
		}
		if msg, ok := r.(string); !ok || !strings.Contains(msg, want) {
			t.Errorf("panic %v, want one containing %q", r, want)
		}
	}()
	f()
}

func TestShapePanics(t *testing.T) {
	a, b := Zeros(3, 4), Zeros(4, 3)
	tests := []struct {
		name, want string
		f          func()
	}{
		{"Add mismatch", "Add: cannot broadcast shapes [3 4] and [4 3]", func() { Add(a, b) }},
		{"Mul row vs column", "Mul: cannot broadcast", func() { Mul(Zeros(1, 3), Zeros(3, 1)) }},
		{"Sub rank 3 row", "Sub: cannot broadcast", func() { Sub(Zeros(2, 3, 3), Zeros(1, 3)) }},
		{"Div rank 3 mismatch", "Div: cannot broadcast", func() { Div(Zeros(2, 3, 3), Zeros(2, 3, 2)) }},
		{"MatMul", "MatMulT: inner dimensions differ", func() { MatMul(a, a) }},
		{"MatMul rank", "want a rank-2 tensor", func() { MatMul(Zeros(2, 2, 2), a) }},
		{"Linear bias", "Linear: bias shape", func() { Linear(a, b, Zeros(1, 4)) }},
		{"New", "New: 3 values for shape [2 2]", func() { New([]float64{1, 2, 3}, 2, 2) }},
		{"rank", "rank must be 2 or 3", func() { Zeros(4) }},
		{"Reshape", "cannot reshape", func() { Reshape(a, 5, 2) }},
		{"Slice", "out of range", func() { Slice(a, 2, 5) }},
		{"Select", "out of range", func() { Select(a, []int{0, 4}) }},
		{"Concat", "row counts differ", func() { Concat(a, b) }},
		{"SumAxis", "axis must be 0 or 1", func() { SumAxis(a, 2) }},
		{"Det size", "at most 4", func() { Det(Zeros(1, 5, 5)) }},
		{"Det square", "want square", func() { Det(Zeros(1, 2, 3)) }},
		{"Trace rank", "want a rank-3 tensor", func() { Trace(a) }},
		{"BatchMatMul", "do not match", func() { BatchMatMul(Zeros(2, 3, 3), Zeros(3, 3, 3)) }},
		{"Complex", "differ in shape", func() { CDet(Complex{Zeros(1, 2, 2), Zeros(1, 3, 3)}) }},
		{"Item", "Item on tensor", func() { a.Item() }},
		{"At", "out of range", func() { a.At(3, 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustPanic(t, tt.want, tt.f) })
	}
}

func TestGradBufferRecycling(t *testing.T) {
	// Large tensors (recycled buffers) flowing through pass-through rules (Add,
	// Reshape, AddScalar) into several inputs: the gradients computed without
	// CreateGraph (which recycles dead buffers and accumulates in place) must
	// equal those computed with it (which does neither), over repeated steps.
	rng := rand.New(rand.NewPCG(9, 9))
	const r, c = 128, 64
	a := Variable(randTensor(rng, -1, 1, r, c).data, r, c)
	b := Variable(randTensor(rng, -1, 1, r, c).data, r, c)
	w := Variable(randTensor(rng, -1, 1, c, c).data, c, c)
	f := func() *Tensor {
		s := Add(a, b)          // both get the same upstream
		u := Tanh(MatMul(s, w)) // MatMul, Tanh
		v := Add(Reshape(Reshape(u, r, c/2, 2), r, c), AddScalar(s, 1))
		z := Add(Mul(v, a), Add(v, Scale(b, 2))) // a, b, v used several times
		return Mean(Square(Add(z, Tanh(MatMul(z, w)))))
	}
	for step := range 5 {
		ref, err := Grad(f(), []*Tensor{a, b, w}, CreateGraph())
		if err != nil {
			t.Fatal(err)
		}
		got, err := Grad(f(), []*Tensor{a, b, w})
		if err != nil {
			t.Fatal(err)
		}
		for i := range ref {
			for j, v := range ref[i].data {
				if math.Abs(got[i].data[j]-v) > 1e-15*max(1, math.Abs(v)) {
					t.Fatalf("step %d: input %d element %d: %v without CreateGraph, %v with", step, i, j, got[i].data[j], v)
				}
			}
		}
		// Keep the gradients alive past further work: they must not be recycled.
		keep := append([]float64(nil), got[0].data...)
		_, _ = Grad(f(), []*Tensor{a, b, w})
		for j, v := range keep {
			if got[0].data[j] != v {
				t.Fatalf("step %d: a returned gradient changed after a later Grad", step)
			}
		}
		for _, p := range []*Tensor{a, b, w} {
			for j := range p.data {
				p.data[j] -= 0.01 * got[0].data[j%len(got[0].data)]
			}
		}
	}
}

func TestGradResultsOwnTheirStorage(t *testing.T) {
	for _, create := range []bool{false, true} {
		a := Variable([]float64{1, 2}, 1, 2)
		b := Variable([]float64{3, 4}, 1, 2)
		y := Add(a, b) // both gradients are the upstream gradient itself
		seed := New([]float64{5, 6}, 1, 2)
		opts := []GradOption{Seed(seed)}
		if create {
			opts = append(opts, CreateGraph())
		}
		g, err := Grad(y, []*Tensor{a, b, y, a}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, gi := range g {
			gi.Data()[0] *= 10
		}
		for i, gi := range g {
			if gi.Data()[0] != 50 || gi.Data()[1] != 6 {
				t.Errorf("create=%v: result %d = %v after scaling each result once, want [50 6]", create, i, gi.Data())
			}
		}
		if seed.Data()[0] != 5 {
			t.Errorf("create=%v: the seed was modified through a result", create)
		}
	}
}

func TestReleasedGraph(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	const B = 96 // 96·64 elements: pooled buffers
	x := Variable(randTensor(rng, -1, 1, B, 2).data, B, 2)
	w1 := Variable(randTensor(rng, -1, 1, 2, 64).data, 2, 64)
	w2 := Variable(randTensor(rng, -1, 1, 64, 1).data, 64, 1)
	params := []*Tensor{w1, w2}
	build := func() (h, dH, loss *Tensor) {
		h = Tanh(MatMul(x, w1))
		g, err := Grad(Sum(MatMul(h, w2)), []*Tensor{x}, CreateGraph())
		if err != nil {
			t.Fatal(err)
		}
		dH = g[0]
		return h, dH, Mean(Square(dH))
	}

	// Reference: the graph retained, differentiated twice.
	_, _, loss := build()
	ref, err := Grad(loss, params, RetainGraph())
	if err != nil {
		t.Fatal(err)
	}
	again, err := Grad(loss, params, RetainGraph())
	if err != nil {
		t.Fatalf("second Grad of a retained graph: %v", err)
	}
	for i := range ref {
		for j := range ref[i].data {
			if again[i].data[j] != ref[i].data[j] {
				t.Fatal("a retained graph gave different gradients the second time")
			}
		}
	}

	for step := range 4 {
		h, dH, loss := build()
		hv, dv := append([]float64(nil), h.data...), append([]float64(nil), dH.data...)
		got, err := Grad(loss, params)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ref {
			for j := range ref[i].data {
				if got[i].data[j] != ref[i].data[j] {
					t.Fatalf("step %d: gradient %d element %d: %v, want %v", step, i, j, got[i].data[j], ref[i].data[j])
				}
			}
		}
		// Values the caller holds are intact after the release and further work.
		_, _, l2 := build()
		if _, err := Grad(l2, params); err != nil {
			t.Fatal(err)
		}
		for j := range hv {
			if h.data[j] != hv[j] {
				t.Fatalf("step %d: a forward value changed after release", step)
			}
		}
		for j := range dv {
			if dH.data[j] != dv[j] {
				t.Fatalf("step %d: a returned gradient changed after release", step)
			}
		}
		// Differentiating the released graph again is an error.
		if _, err := Grad(loss, params); !errors.Is(err, ErrGraphReleased) {
			t.Fatalf("step %d: second Grad through a released graph: %v, want ErrGraphReleased", step, err)
		}
		// Parts that do not pass through released values still work.
		if g, err := Grad(Sum(h), params); err != nil || sumAll(g[0].data) == 0 {
			t.Fatalf("step %d: Grad of the forward graph after release: %v", step, err)
		}
	}
}
