package kahler

import (
	"fmt"
	"math"

	"ansatz/autodiff"
	"ansatz/nn"
)

// activation is a smooth activation with its first two derivatives, each an
// engine op (so the forward-mode Hessian below can be differentiated again).
type activation struct {
	name string
	// plain is the activation alone.
	plain nn.ActivationFunc
	// eval returns σ(a), σ'(a), σ''(a).
	eval func(a *autodiff.Tensor) (s, d1, d2 *autodiff.Tensor)
}

// smoothActivations are the activations the φ-model accepts: its metric
// needs second derivatives of the network and its losses a third.
var smoothActivations = map[string]activation{
	"tanh": {"tanh", autodiff.Tanh, func(a *autodiff.Tensor) (s, d1, d2 *autodiff.Tensor) {
		y := autodiff.Tanh(a)
		d1 = autodiff.AddScalar(autodiff.Neg(autodiff.Square(y)), 1) // 1 − y²
		d2 = autodiff.Scale(autodiff.Mul(y, d1), -2)                 // −2y(1 − y²)
		return y, d1, d2
	}},
	"gelu": {"gelu", autodiff.GELU, func(a *autodiff.Tensor) (s, d1, d2 *autodiff.Tensor) {
		// σ = aΦ(a), σ' = Φ(a) + aφ(a), σ'' = φ(a)(2 − a²)
		sq := autodiff.Square(a)
		phi := autodiff.Scale(autodiff.Exp(autodiff.Scale(sq, -0.5)), 1/math.Sqrt(2*math.Pi))
		cdf := autodiff.Scale(autodiff.AddScalar(autodiff.Erf(autodiff.Scale(a, 1/math.Sqrt2)), 1), 0.5)
		s = autodiff.Mul(a, cdf)
		d1 = autodiff.Add(cdf, autodiff.Mul(a, phi))
		d2 = autodiff.Mul(phi, autodiff.AddScalar(autodiff.Neg(sq), 2))
		return s, d1, d2
	}},
	"softplus": {"softplus", autodiff.Softplus, func(a *autodiff.Tensor) (s, d1, d2 *autodiff.Tensor) {
		s = autodiff.Softplus(a)
		d1 = autodiff.Sigmoid(a)
		d2 = autodiff.Mul(d1, autodiff.AddScalar(autodiff.Neg(d1), 1))
		return s, d1, d2
	}},
	"sin": {"sin", autodiff.Sin, func(a *autodiff.Tensor) (s, d1, d2 *autodiff.Tensor) {
		s = autodiff.Sin(a)
		return s, autodiff.Cos(a), autodiff.Neg(s)
	}},
}

// smoothActivation looks up name among the activations with second
// derivatives.
func smoothActivation(name string) (activation, error) {
	if name == "" {
		name = "tanh"
	}
	a, ok := smoothActivations[name]
	if !ok {
		return activation{}, fmt.Errorf("activation %q has no second derivative the φ-model can use (valid: gelu, sin, softplus, tanh)", name)
	}
	return a, nil
}

// repeat returns [t t … t] (k copies side by side) for t [B, w].
func repeat(t *autodiff.Tensor, k int) *autodiff.Tensor {
	ts := make([]*autodiff.Tensor, k)
	for i := range ts {
		ts[i] = t
	}
	return autodiff.Concat(ts...)
}

// complexDirections returns the 2k real directions (Re u, Im u) and
// (−Im u, Re u) for each complex direction u = J[a] (a < k) of J [B, k, m],
// as [B·2k, 2m + pad] rows (pad zero columns for extra network inputs).
func complexDirections(j autodiff.Complex, pad int) *autodiff.Tensor {
	sh := j.Re.Shape()
	b, k, m := sh[0], sh[1], sh[2]
	w := 2*m + pad
	re, im := j.Re.Data(), j.Im.Data()
	out := make([]float64, b*2*k*w)
	for s := range b {
		for a := range k {
			u := out[(s*2*k+a)*w:]
			v := out[(s*2*k+k+a)*w:]
			for i := range m {
				r, c := re[(s*k+a)*m+i], im[(s*k+a)*m+i]
				u[i], u[m+i] = r, c
				v[i], v[m+i] = -c, r
			}
		}
	}
	return autodiff.New(out, b*2*k, w)
}

// complexHessianAlong returns ∂∂̄φ contracted with the complex directions J
// [B, k, m]: g[a][b] = Σ_ij J_ai (∂_i∂̄_j φ) conj(J_bj) [B, k, k], by complex
// forward mode through the layers. Each unit h carries ∂_a h = R_a + iI_a
// (a < k; as 2k real blocks, from the real directions ½(Re J_a, Im J_a) and
// −½(−Im J_a, Re J_a), since ∂_a = ½(D_U − iD_JU)) and the Hermitian
// ∂_a∂̄_b h (k² real blocks: Re for a ≤ b, Im for a < b), updated by
// ∂_a∂̄_b σ(u) = σ”(u)·∂_a u·conj(∂_b u) + σ'(u)·∂_a∂̄_b u. Every step is
// an engine op, so the result is differentiable with respect to the
// parameters and to the input. in is the network input [B, 2m + pad] (x,
// then pad extra inputs such as ψ).
func complexHessianAlong(net *nn.MLP, act activation, in *autodiff.Tensor, j autodiff.Complex) autodiff.Complex {
	sh := j.Re.Shape()
	b, k, m := sh[0], sh[1], sh[2]
	pad := in.Cols() - 2*m
	// The Hermitian blocks: (a, b, imaginary?) in a fixed order.
	type blk struct {
		a, b int
		im   bool
	}
	var blocks []blk
	for a := range k {
		for c := a; c < k; c++ {
			blocks = append(blocks, blk{a, c, false})
		}
	}
	for a := range k {
		for c := a + 1; c < k; c++ {
			blocks = append(blocks, blk{a, c, true})
		}
	}
	nb := len(blocks)                  // k²
	first := complexDirections(j, pad) // [B·2k, w0]
	// Scale U by ½ and JU by −½ so that the stream carries (R_a, I_a).
	half := make([]float64, b*2*k)
	for r := range b {
		for c := range k {
			half[r*2*k+c], half[r*2*k+k+c] = 0.5, -0.5
		}
	}
	first = autodiff.Mul(first, autodiff.New(half, b*2*k, 1))
	h := in
	var second *autodiff.Tensor // [B·k², w], nil while zero
	last := len(net.Layers) - 1
	for i, layer := range net.Layers {
		if i == last {
			if second == nil {
				return autodiff.Complex{Re: autodiff.Zeros(b, k, k), Im: autodiff.Zeros(b, k, k)}
			}
			return hermitianBlocks(autodiff.Reshape(autodiff.MatMul(second, layer.W), b, nb), k)
		}
		u := layer.Forward(h)
		du := autodiff.MatMul(first, layer.W) // [B·2k, w]
		var d2u *autodiff.Tensor
		if second != nil {
			d2u = autodiff.MatMul(second, layer.W)
		}
		w := u.Cols()
		s, s1, s2 := act.eval(u)
		duw := autodiff.Reshape(du, b, 2*k*w)
		// ∂_a u conj(∂_b u): Re = R_aR_b + I_aI_b, Im = I_aR_b − R_aI_b.
		var l1, r1, l2, r2 []int
		sign := make([]float64, nb*w)
		for q, bl := range blocks {
			ra, ia, rb, ib := bl.a, k+bl.a, bl.b, k+bl.b
			x1, y1, x2, y2 := ra, rb, ia, ib
			sg := 1.0
			if bl.im {
				x1, y1, x2, y2 = ia, rb, ra, ib
				sg = -1
			}
			for c := range w {
				l1 = append(l1, x1*w+c)
				r1 = append(r1, y1*w+c)
				l2 = append(l2, x2*w+c)
				r2 = append(r2, y2*w+c)
				sign[q*w+c] = sg
			}
		}
		prod := autodiff.Add(
			autodiff.Mul(autodiff.Select(duw, l1), autodiff.Select(duw, r1)),
			autodiff.Mul(autodiff.Mul(autodiff.Select(duw, l2), autodiff.Select(duw, r2)), autodiff.New(sign, 1, nb*w)))
		next := autodiff.Mul(prod, repeat(s2, nb))
		if d2u != nil {
			next = autodiff.Add(next, autodiff.Mul(autodiff.Reshape(d2u, b, nb*w), repeat(s1, nb)))
		}
		second = autodiff.Reshape(next, b*nb, w)
		first = autodiff.Reshape(autodiff.Mul(duw, repeat(s1, 2*k)), b*2*k, w)
		h = s
	}
	panic("unreachable: an MLP has an output layer")
}

// hermitianBlocks assembles [B, k, k] Hermitian matrices from the k² real
// numbers per row in the order of complexHessianAlong's blocks (Re for
// a ≤ b, then Im for a < b).
func hermitianBlocks(v *autodiff.Tensor, k int) autodiff.Complex {
	b := v.Rows()
	reIdx := map[[2]int]int{}
	imIdx := map[[2]int]int{}
	q := 0
	for a := range k {
		for c := a; c < k; c++ {
			reIdx[[2]int{a, c}] = q
			q++
		}
	}
	for a := range k {
		for c := a + 1; c < k; c++ {
			imIdx[[2]int{a, c}] = q
			q++
		}
	}
	var ri, ii []int
	sign := make([]float64, k*k)
	for a := range k {
		for c := range k {
			lo, hi := min(a, c), max(a, c)
			ri = append(ri, reIdx[[2]int{lo, hi}])
			switch {
			case a < c:
				ii = append(ii, imIdx[[2]int{a, c}])
				sign[a*k+c] = 1
			case a > c:
				ii = append(ii, imIdx[[2]int{c, a}])
				sign[a*k+c] = -1
			default:
				ii = append(ii, 0)
			}
		}
	}
	re := autodiff.Reshape(autodiff.Select(v, ri), b, k, k)
	im := autodiff.Reshape(autodiff.Mul(autodiff.Select(v, ii), autodiff.New(sign, 1, k*k)), b, k, k)
	return autodiff.Complex{Re: re, Im: im}
}
