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
	// eval returns σ(a), σ'(a), σ''(a).
	eval func(a *autodiff.Tensor) (s, d1, d2 *autodiff.Tensor)
}

// smoothActivations are the activations the φ-model accepts: its metric
// needs second derivatives of the network and its losses a third.
var smoothActivations = map[string]activation{
	"tanh": {"tanh", func(a *autodiff.Tensor) (s, d1, d2 *autodiff.Tensor) {
		y := autodiff.Tanh(a)
		d1 = autodiff.AddScalar(autodiff.Neg(autodiff.Square(y)), 1) // 1 − y²
		d2 = autodiff.Scale(autodiff.Mul(y, d1), -2)                 // −2y(1 − y²)
		return y, d1, d2
	}},
	"gelu": {"gelu", func(a *autodiff.Tensor) (s, d1, d2 *autodiff.Tensor) {
		// σ = aΦ(a), σ' = Φ(a) + aφ(a), σ'' = φ(a)(2 − a²)
		sq := autodiff.Square(a)
		phi := autodiff.Scale(autodiff.Exp(autodiff.Scale(sq, -0.5)), 1/math.Sqrt(2*math.Pi))
		cdf := autodiff.Scale(autodiff.AddScalar(autodiff.Erf(autodiff.Scale(a, 1/math.Sqrt2)), 1), 0.5)
		s = autodiff.Mul(a, cdf)
		d1 = autodiff.Add(cdf, autodiff.Mul(a, phi))
		d2 = autodiff.Mul(phi, autodiff.AddScalar(autodiff.Neg(sq), 2))
		return s, d1, d2
	}},
	"softplus": {"softplus", func(a *autodiff.Tensor) (s, d1, d2 *autodiff.Tensor) {
		s = autodiff.Softplus(a)
		d1 = autodiff.Sigmoid(a)
		d2 = autodiff.Mul(d1, autodiff.AddScalar(autodiff.Neg(d1), 1))
		return s, d1, d2
	}},
	"sin": {"sin", func(a *autodiff.Tensor) (s, d1, d2 *autodiff.Tensor) {
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

// pairs lists the index pairs (k, l), k ≤ l < d, in row-major order of the
// upper triangle; pairIndex[k][l] is the position of (min, max) in it.
func pairs(d int) (ks, ls []int, pairIndex [][]int) {
	pairIndex = make([][]int, d)
	for k := range d {
		pairIndex[k] = make([]int, d)
	}
	for k := range d {
		for l := k; l < d; l++ {
			pairIndex[k][l] = len(ks)
			pairIndex[l][k] = len(ks)
			ks = append(ks, k)
			ls = append(ls, l)
		}
	}
	return ks, ls, pairIndex
}

// directionalHessian returns, for a scalar MLP φ of in [B, w₀] and d real
// directions dirs [B·d, w₀] (row b·d+k is direction k of sample b), the
// second directional derivatives D_k D_l φ for k ≤ l as [B, d(d+1)/2], by
// forward-mode propagation of first and second derivatives through the
// layers: every step is an engine op, so the result is differentiable with
// respect to the parameters and to in (for third derivatives).
func directionalHessian(net *nn.MLP, act activation, in, dirs *autodiff.Tensor, d int) *autodiff.Tensor {
	b := in.Rows()
	ks, ls, _ := pairs(d)
	np := len(ks)
	h := in
	var dh, d2h *autodiff.Tensor // [B·d, w], [B·np, w] (second derivatives nil while zero)
	dh = dirs
	last := len(net.Layers) - 1
	for i, layer := range net.Layers {
		a := layer.Forward(h)
		da := autodiff.MatMul(dh, layer.W)
		var d2a *autodiff.Tensor
		if d2h != nil {
			d2a = autodiff.MatMul(d2h, layer.W)
		}
		if i == last {
			if d2a == nil {
				return autodiff.Zeros(b, np)
			}
			return autodiff.Reshape(d2a, b, np)
		}
		w := a.Cols()
		s, s1, s2 := act.eval(a)
		daw := autodiff.Reshape(da, b, d*w)
		// second derivatives: σ''·da_k·da_l + σ'·d²a_kl
		var colsK, colsL []int
		for p := range np {
			for c := range w {
				colsK = append(colsK, ks[p]*w+c)
				colsL = append(colsL, ls[p]*w+c)
			}
		}
		next := autodiff.Mul(autodiff.Mul(autodiff.Select(daw, colsK), autodiff.Select(daw, colsL)), repeat(s2, np))
		if d2a != nil {
			next = autodiff.Add(next, autodiff.Mul(autodiff.Reshape(d2a, b, np*w), repeat(s1, np)))
		}
		d2h = autodiff.Reshape(next, b*np, w)
		dh = autodiff.Reshape(autodiff.Mul(daw, repeat(s1, d)), b*d, w)
		h = s
	}
	panic("unreachable: an MLP has an output layer")
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
// [B, k, m]: g[a][b] = Σ_ij J_ai (∂_i∂̄_j φ) conj(J_bj), from the real second
// derivatives Q along U_a = (Re J_a, Im J_a) and JU_a = (−Im J_a, Re J_a):
// g[a][b] = ¼[(Q_{U_a U_b} + Q_{JU_a JU_b}) + i(Q_{U_a JU_b} − Q_{JU_a U_b})].
// in is the network input [B, 2m + pad] (x, then pad extra inputs such as ψ).
func complexHessianAlong(net *nn.MLP, act activation, in *autodiff.Tensor, j autodiff.Complex) autodiff.Complex {
	sh := j.Re.Shape()
	b, k, m := sh[0], sh[1], sh[2]
	pad := in.Cols() - 2*m
	d := 2 * k
	q := directionalHessian(net, act, in, complexDirections(j, pad), d)
	_, _, pi := pairs(d)
	var ra, rb, ia, ib []int
	for a := range k {
		for c := range k {
			ra = append(ra, pi[a][c])
			rb = append(rb, pi[k+a][k+c])
			ia = append(ia, pi[a][k+c])
			ib = append(ib, pi[k+a][c])
		}
	}
	re := autodiff.Scale(autodiff.Add(autodiff.Select(q, ra), autodiff.Select(q, rb)), 0.25)
	im := autodiff.Scale(autodiff.Sub(autodiff.Select(q, ia), autodiff.Select(q, ib)), 0.25)
	return autodiff.Complex{Re: autodiff.Reshape(re, b, k, k), Im: autodiff.Reshape(im, b, k, k)}
}
