package fieldtheory

import (
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Grid holds the Fourier machinery of a periodic domain: the real FFT, the
// wavenumbers κ_k = 2πk/L (k = 0..N/2) and the 2/3 dealiasing cut. A Grid
// keeps work buffers and is not safe for concurrent use.
type Grid struct {
	n      int
	length float64
	fft    *fourier.FFT
	kappa  []float64
	cut    int // modes k ≤ cut are kept
	work   []complex128
}

// NewGrid returns the grid of a domain (its Validate must pass).
func NewGrid(d Domain) *Grid {
	n := d.Points
	g := &Grid{n: n, length: d.Length, fft: fourier.NewFFT(n), kappa: make([]float64, n/2+1), cut: n / 3}
	for k := range g.kappa {
		g.kappa[k] = 2 * math.Pi * float64(k) / d.Length
	}
	g.work = make([]complex128, n/2+1)
	return g
}

// Points returns the number of grid points.
func (g *Grid) Points() int { return g.n }

// Modes returns the number of Fourier coefficients, N/2 + 1.
func (g *Grid) Modes() int { return g.n/2 + 1 }

// Cut returns the highest mode kept by the 2/3 rule, N/3.
func (g *Grid) Cut() int { return g.cut }

// KappaMax returns the highest wavenumber kept, 2π·Cut/L.
func (g *Grid) KappaMax() float64 { return g.kappa[g.cut] }

// Forward writes the Fourier coefficients of u into c, normalised so that
// u(x_j) = Σ_k c_k e^{iκ_k x_j} (+ complex conjugates): c_0 is the mean.
func (g *Grid) Forward(u []float64, c []complex128) {
	g.fft.Coefficients(c, u)
	s := complex(1/float64(g.n), 0)
	for k := range c {
		c[k] *= s
	}
}

// Inverse writes the grid values of the coefficients c into u.
func (g *Grid) Inverse(c []complex128, u []float64) { g.fft.Sequence(u, c) }

// Dealias zeroes the modes above the 2/3 cut (and the Nyquist mode).
func (g *Grid) Dealias(c []complex128) {
	for k := g.cut + 1; k < len(c); k++ {
		c[k] = 0
	}
}

// Derivative writes the order-th x-derivative of the grid function whose
// coefficients are c into u (c is not modified).
func (g *Grid) Derivative(c []complex128, order int, u []float64) {
	w := g.work
	for k, v := range c {
		w[k] = v * ipow(g.kappa[k], order)
	}
	if order%2 == 1 {
		w[len(w)-1] = 0 // the Nyquist mode has no odd derivative
	}
	g.fft.Sequence(u, w)
}

// Jets writes the derivatives of orders 0..order of the grid function u into
// dst[0..order] (each of Points values).
func (g *Grid) Jets(u []float64, order int, dst [][]float64) {
	c := make([]complex128, g.Modes())
	g.Forward(u, c)
	for k := 0; k <= order; k++ {
		g.Derivative(c, k, dst[k])
	}
}

// ipow returns (iκ)^m.
func ipow(kappa float64, m int) complex128 {
	v := math.Pow(kappa, float64(m))
	switch m % 4 {
	case 0:
		return complex(v, 0)
	case 1:
		return complex(0, v)
	case 2:
		return complex(-v, 0)
	default:
		return complex(0, -v)
	}
}

// expm returns exp(a) of a small complex d×d matrix (row-major) by scaling
// and squaring with a Taylor series.
func expm(a []complex128, d int) []complex128 {
	if d == 1 {
		return []complex128{cmplx.Exp(a[0])}
	}
	var norm float64
	for i := range d {
		var row float64
		for j := range d {
			row += cmplx.Abs(a[i*d+j])
		}
		norm = max(norm, row)
	}
	s := 0
	if norm > 0.5 {
		s = int(math.Ceil(math.Log2(norm / 0.5)))
	}
	scale := complex(math.Ldexp(1, -s), 0)
	b := make([]complex128, d*d)
	for i := range b {
		b[i] = a[i] * scale
	}
	// Taylor series to order 20 (‖b‖ ≤ 0.5: remainder < 1e-25).
	res := identity(d)
	term := identity(d)
	for k := 1; k <= 20; k++ {
		term = matmul(term, b, d)
		f := complex(1/float64(k), 0)
		for i := range term {
			term[i] *= f
			res[i] += term[i]
		}
	}
	for range s {
		res = matmul(res, res, d)
	}
	return res
}

func identity(d int) []complex128 {
	m := make([]complex128, d*d)
	for i := range d {
		m[i*d+i] = 1
	}
	return m
}

func matmul(a, b []complex128, d int) []complex128 {
	c := make([]complex128, d*d)
	for i := range d {
		for k := range d {
			if v := a[i*d+k]; v != 0 {
				for j := range d {
					c[i*d+j] += v * b[k*d+j]
				}
			}
		}
	}
	return c
}
