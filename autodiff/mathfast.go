package autodiff

import "math"

// A fast, branch-free tanh for the hot activation. math.Tanh branches on |x|
// (a rational approximation below 0.625, exp above), which mispredicts on
// network pre-activations and costs ~15 ns per element. tanhFast computes
//
//	tanh(x) = sign(x)·E/(E+2),  E = expm1(2|x|),
//
// with expm1 evaluated without branches: 2|x| = k·ln2 + r with |r| ≤ ln2/2, a
// degree-13 Taylor polynomial in r (Estrin's scheme) gives expm1(r) to below
// 1e-16 relative, and E = 2^k·expm1(r) + (2^k − 1) adds two non-negative terms.
// It is within a few ulp of math.Tanh (TestTanhAccuracy). On amd64 with
// AVX-512, tanhSlice runs the same operation sequence eight lanes at a time in
// assembly (tanh_amd64.s); every step is an exactly rounded IEEE operation or
// FMA in both, so the two give identical bits (TestTanhSliceMatchesScalar).

const (
	ln2Hi  = 6.93147180369123816490e-01 // high bits of ln 2 (k·ln2Hi is exact)
	ln2Lo  = 1.90821492927058770002e-10 // ln 2 − ln2Hi
	invLn2 = 1.44269504088896338700e+00
	// roundMagic = 1.5·2^52: adding it to y ∈ [0, 2^51) rounds y to an integer
	// k and leaves k in the low mantissa bits.
	roundMagic = 0x1.8p52
	// tanhClamp bounds |x|: tanh(x) rounds to ±1 beyond 19.1.
	tanhClamp = 20
)

// Taylor coefficients 1/i! of expm1, i = 2..13.
const (
	c2  = 1.0 / 2
	c3  = 1.0 / 6
	c4  = 1.0 / 24
	c5  = 1.0 / 120
	c6  = 1.0 / 720
	c7  = 1.0 / 5040
	c8  = 1.0 / 40320
	c9  = 1.0 / 362880
	c10 = 1.0 / 3628800
	c11 = 1.0 / 39916800
	c12 = 1.0 / 479001600
	c13 = 1.0 / 6227020800
)

// tanhFast returns tanh(x) (see above).
func tanhFast(x float64) float64 {
	a := math.Abs(x)
	if a > tanhClamp {
		a = tanhClamp
	}
	y := a + a
	t := math.FMA(y, invLn2, roundMagic)
	k := t - roundMagic
	r := math.FMA(-k, ln2Hi, y)
	r = math.FMA(-k, ln2Lo, r)
	r2 := r * r
	r4 := r2 * r2
	q0 := math.FMA(r2, math.FMA(r, c5, c4), math.FMA(r, c3, c2))
	q1 := math.FMA(r2, math.FMA(r, c9, c8), math.FMA(r, c7, c6))
	q2 := math.FMA(r2, math.FMA(r, c13, c12), math.FMA(r, c11, c10))
	q := math.FMA(r4, math.FMA(r4, q2, q1), q0)
	em := math.FMA(r2, q, r)                                              // expm1(r)
	two := math.Float64frombits((math.Float64bits(t)&0xfff + 1023) << 52) // 2^k, 0 ≤ k ≤ 58
	e := math.FMA(two, em, two-1)
	return math.Copysign(e/(e+2), x)
}

// tanhConsts returns the constants of tanhFast in the order the assembly
// kernel loads them.
func tanhConsts() [22]uint64 {
	b := math.Float64bits
	return [22]uint64{
		1<<63 - 1, b(tanhClamp), b(invLn2), b(roundMagic), b(ln2Hi), b(ln2Lo), b(1), b(2), 0xfff, 1023,
		b(c2), b(c3), b(c4), b(c5), b(c6), b(c7), b(c8), b(c9), b(c10), b(c11), b(c12), b(c13),
	}
}

// tanhGo writes tanhFast(src[i]) to dst[i].
func tanhGo(dst, src []float64) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] = tanhFast(src[i])
	}
}
