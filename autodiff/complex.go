package autodiff

import "fmt"

// Complex is a complex-valued tensor carried as its real and imaginary parts,
// two tensors of equal shape.
type Complex struct{ Re, Im *Tensor }

func checkComplex(op string, a Complex) {
	if a.Re == nil || a.Im == nil {
		panic(fmt.Sprintf("autodiff: %s: complex value with a nil part", op))
	}
	if !sameShape(a.Re.shape, a.Im.shape) {
		panic(fmt.Sprintf("autodiff: %s: real part %v and imaginary part %v differ in shape", op, a.Re.shape, a.Im.shape))
	}
}

// CAdd returns a + b (with the broadcasting of Add).
func CAdd(a, b Complex) Complex {
	checkComplex("CAdd", a)
	checkComplex("CAdd", b)
	return Complex{Add(a.Re, b.Re), Add(a.Im, b.Im)}
}

// CSub returns a − b (with the broadcasting of Sub).
func CSub(a, b Complex) Complex {
	checkComplex("CSub", a)
	checkComplex("CSub", b)
	return Complex{Sub(a.Re, b.Re), Sub(a.Im, b.Im)}
}

// CMul returns the elementwise product a·b (with the broadcasting of Mul).
func CMul(a, b Complex) Complex {
	checkComplex("CMul", a)
	checkComplex("CMul", b)
	return Complex{
		Sub(Mul(a.Re, b.Re), Mul(a.Im, b.Im)),
		Add(Mul(a.Re, b.Im), Mul(a.Im, b.Re)),
	}
}

// CConj returns the complex conjugate.
func CConj(a Complex) Complex {
	checkComplex("CConj", a)
	return Complex{a.Re, Neg(a.Im)}
}

// CAbs2 returns |a|² = Re² + Im² elementwise.
func CAbs2(a Complex) *Tensor {
	checkComplex("CAbs2", a)
	return Add(Square(a.Re), Square(a.Im))
}

// CConjTranspose returns the conjugate transpose (rank 3: of each matrix; rank
// 2: of the matrix).
func CConjTranspose(a Complex) Complex {
	checkComplex("CConjTranspose", a)
	return Complex{Transpose(a.Re), Neg(Transpose(a.Im))}
}

// CBatchMatMul returns the per-element complex matrix products [b,n,k]·[b,k,m].
func CBatchMatMul(a, b Complex) Complex {
	checkComplex("CBatchMatMul", a)
	checkComplex("CBatchMatMul", b)
	return Complex{
		Sub(BatchMatMul(a.Re, b.Re), BatchMatMul(a.Im, b.Im)),
		Add(BatchMatMul(a.Re, b.Im), BatchMatMul(a.Im, b.Re)),
	}
}

// CDet returns the determinant of each complex matrix [b,n,n] → [b,1], n ≤ 4,
// by the same differentiable Laplace expansion as Det.
func CDet(a Complex) Complex {
	checkComplex("CDet", a)
	n := wantSquare("CDet", a.Re)
	if n > maxDet {
		panic(fmt.Sprintf("autodiff: CDet: matrices of size %d; at most %d supported", n, maxDet))
	}
	nb := a.Re.shape[0]
	re, im := Reshape(a.Re, nb, n*n), Reshape(a.Im, nb, n*n)
	entries := make([]Complex, n*n)
	entry := func(i, j int) Complex {
		k := i*n + j
		if entries[k].Re == nil {
			entries[k] = Complex{Col(re, k), Col(im, k)}
		}
		return entries[k]
	}
	return laplace(n, func(i, j int, minor Complex, negative bool, acc Complex) Complex {
		t := entry(i, j)
		if minor.Re != nil {
			t = CMul(t, minor)
		}
		switch {
		case acc.Re == nil && negative:
			return Complex{Neg(t.Re), Neg(t.Im)}
		case acc.Re == nil:
			return t
		case negative:
			return CSub(acc, t)
		default:
			return CAdd(acc, t)
		}
	})
}

// CLogAbsDet returns log|det a| for each complex matrix [b,n,n] → [b,1], n ≤ 4.
func CLogAbsDet(a Complex) *Tensor {
	return Scale(Log(CAbs2(CDet(a))), 0.5)
}

// LogAbsDet returns log|det a| for each real matrix [b,n,n] → [b,1], n ≤ 4.
func LogAbsDet(a *Tensor) *Tensor {
	return Scale(Log(Square(Det(a))), 0.5)
}
