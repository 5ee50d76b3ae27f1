package autodiff

import "math"

// Relative costs of elementwise kernels, used to decide when to split a loop
// across goroutines.
const (
	costCheap = 1
	costTrans = 8 // transcendental functions
)

// unary applies kern elementwise and records vjp.
func unary(op string, a *Tensor, cost int, kern func(dst, src []float64), vjp vjpFunc) *Tensor {
	n := len(a.data)
	out := newLike(a)
	parallelFor(n, n*cost, func(lo, hi int) { kern(out.data[lo:hi], a.data[lo:hi]) })
	return record(out, op, vjp, a)
}

// Neg returns −a.
func Neg(a *Tensor) *Tensor {
	return unary("Neg", a, costCheap, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = -src[i]
		}
	}, func(_, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Neg(up)}
	})
}

// Scale returns s·a.
func Scale(a *Tensor, s float64) *Tensor {
	return unary("Scale", a, costCheap, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = src[i] * s
		}
	}, func(_, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Scale(up, s)}
	})
}

// AddScalar returns a + s.
func AddScalar(a *Tensor, s float64) *Tensor {
	return unary("AddScalar", a, costCheap, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = src[i] + s
		}
	}, func(_, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{up}
	})
}

// Pow returns a^p elementwise (math.Pow semantics: a negative base needs an
// integer p).
func Pow(a *Tensor, p float64) *Tensor {
	return unary("Pow", a, costTrans, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = math.Pow(src[i], p)
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		switch p {
		case 0:
			return []*Tensor{nil}
		case 1:
			return []*Tensor{up}
		case 2:
			return []*Tensor{prod3(up, in[0], nil, 2)}
		}
		return []*Tensor{Mul(up, Scale(Pow(in[0], p-1), p))}
	})
}

// Square returns a² elementwise.
func Square(a *Tensor) *Tensor {
	return unary("Square", a, costCheap, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = src[i] * src[i]
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{prod3(up, in[0], nil, 2)}
	})
}

// Sqrt returns √a elementwise.
func Sqrt(a *Tensor) *Tensor {
	return unary("Sqrt", a, costCheap, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = math.Sqrt(src[i])
		}
	}, func(out, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Div(Scale(up, 0.5), out)}
	})
}

// Abs returns |a| elementwise; its derivative at 0 is taken as 0.
func Abs(a *Tensor) *Tensor {
	return unary("Abs", a, costCheap, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = math.Abs(src[i])
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Mul(up, signOf(in[0]))}
	})
}

// signOf returns the constant tensor sign(a) (0 at 0).
func signOf(a *Tensor) *Tensor {
	out := newTensor(a.shape)
	for i, v := range a.data {
		switch {
		case v > 0:
			out.data[i] = 1
		case v < 0:
			out.data[i] = -1
		}
	}
	return out
}

// Exp returns eᵃ elementwise.
func Exp(a *Tensor) *Tensor {
	return unary("Exp", a, costTrans, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = math.Exp(src[i])
		}
	}, func(out, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Mul(up, out)}
	})
}

// Log returns the natural logarithm elementwise.
func Log(a *Tensor) *Tensor {
	return unary("Log", a, costTrans, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = math.Log(src[i])
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Div(up, in[0])}
	})
}

// Tanh returns tanh(a) elementwise (within a few ulp of math.Tanh; vectorised
// on amd64 with AVX-512). Its backward rule up·(1−y²) reuses the output y and is
// one fused op.
func Tanh(a *Tensor) *Tensor {
	return unary("Tanh", a, costTrans, tanhSlice, func(out, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{tanhGrad(up, out)}
	})
}

// Sin returns sin(a) elementwise.
func Sin(a *Tensor) *Tensor {
	return unary("Sin", a, costTrans, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = math.Sin(src[i])
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Mul(up, Cos(in[0]))}
	})
}

// Cos returns cos(a) elementwise.
func Cos(a *Tensor) *Tensor {
	return unary("Cos", a, costTrans, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = math.Cos(src[i])
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Neg(Mul(up, Sin(in[0])))}
	})
}

// Sigmoid returns 1/(1+e^(−a)) elementwise.
func Sigmoid(a *Tensor) *Tensor {
	return unary("Sigmoid", a, costTrans, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = sigmoid(src[i])
		}
	}, func(out, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{sigmoidGrad(up, out)}
	})
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Softplus returns log(1+eᵃ) elementwise (computed without overflow).
func Softplus(a *Tensor) *Tensor {
	return unary("Softplus", a, costTrans, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			x := src[i]
			dst[i] = max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Mul(up, Sigmoid(in[0]))}
	})
}

// Erf returns the error function elementwise.
func Erf(a *Tensor) *Tensor {
	return unary("Erf", a, costTrans, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = math.Erf(src[i])
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		// d erf(x)/dx = 2/√π · e^(−x²)
		return []*Tensor{Mul(up, Scale(Exp(Neg(Square(in[0]))), 2/math.SqrtPi))}
	})
}

// GELU returns x·Φ(x) elementwise, Φ the standard normal CDF (the exact erf
// form, not the tanh approximation).
func GELU(a *Tensor) *Tensor {
	return unary("GELU", a, costTrans, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			x := src[i]
			dst[i] = 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Mul(up, geluDeriv(in[0]))}
	})
}

// ReLU returns max(a, 0) elementwise; its derivative at 0 is taken as 0.
func ReLU(a *Tensor) *Tensor {
	return unary("ReLU", a, costCheap, func(dst, src []float64) {
		src = src[:len(dst)]
		for i := range dst {
			dst[i] = max(src[i], 0)
		}
	}, func(_, up *Tensor, in []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{Mul(up, stepOf(in[0]))}
	})
}

// stepOf returns the constant tensor [a > 0].
func stepOf(a *Tensor) *Tensor {
	out := newTensor(a.shape)
	for i, v := range a.data {
		if v > 0 {
			out.data[i] = 1
		}
	}
	return out
}
