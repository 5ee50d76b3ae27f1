package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// InitFunc fills the weights w of a layer, stored [fanIn, fanOut] row-major
// (len(w) = fanIn·fanOut), drawing randomness from rng. It panics if len(w)
// does not match (a programming error).
type InitFunc func(rng *rand.Rand, fanIn, fanOut int, w []float64)

// InitNames returns the names Initializer accepts, sorted.
func InitNames() []string {
	return []string{"glorot", "he", "orthogonal", "zeros"}
}

// Initializer returns the initialiser called name: orthogonal (gain 1),
// glorot, he or zeros.
func Initializer(name string) (InitFunc, error) {
	switch name {
	case "orthogonal":
		return OrthogonalInit(1), nil
	case "glorot":
		return GlorotInit, nil
	case "he":
		return HeInit, nil
	case "zeros":
		return ZeroInit, nil
	}
	return nil, fmt.Errorf("nn: unknown initialiser %q (valid: %s)", name, strings.Join(InitNames(), ", "))
}

// checkInitLen panics if w does not hold fanIn·fanOut weights.
func checkInitLen(fanIn, fanOut int, w []float64) {
	if fanIn <= 0 || fanOut <= 0 || len(w) != fanIn*fanOut {
		panic(fmt.Sprintf("nn: initialiser: %d weights for fanIn %d, fanOut %d", len(w), fanIn, fanOut))
	}
}

// OrthogonalInit returns the initialiser of torch.nn.init.orthogonal_ with the
// given gain: a Gaussian matrix of shape [max(fanIn,fanOut), min(fanIn,fanOut)]
// is QR-factorised, the columns of Q are multiplied by the signs of R's
// diagonal (which makes Q Haar-distributed), and W is gain·Q or gain·Qᵀ,
// whichever has shape [fanIn, fanOut]. W therefore has orthonormal columns
// (WᵀW = gain²·I) when fanIn ≥ fanOut and orthonormal rows otherwise; square
// weights are orthogonal. The values differ from PyTorch's for the same seed
// (different generator); the distribution is the same.
func OrthogonalInit(gain float64) InitFunc {
	return func(rng *rand.Rand, fanIn, fanOut int, w []float64) {
		checkInitLen(fanIn, fanOut, w)
		rows, cols := max(fanIn, fanOut), min(fanIn, fanOut)
		a := blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
		for i := range a.Data {
			a.Data[i] = rng.NormFloat64()
		}
		// Householder QR; then form the thin Q [rows, cols] in place
		// (never the full rows×rows Q).
		tau := make([]float64, cols)
		work := make([]float64, 1)
		lapack64.Geqrf(a, tau, work, -1) // workspace queries
		lwork := int(work[0])
		lapack64.Orgqr(a, tau, work, -1)
		lwork = max(lwork, int(work[0]), cols)
		work = make([]float64, lwork)
		lapack64.Geqrf(a, tau, work, lwork)
		signs := make([]float64, cols)
		for j := range cols {
			signs[j] = gain
			if a.Data[j*cols+j] < 0 { // R's diagonal
				signs[j] = -gain
			}
		}
		lapack64.Orgqr(a, tau, work, lwork)
		for i := range rows {
			for j := range cols {
				v := signs[j] * a.Data[i*cols+j]
				if fanIn >= fanOut {
					w[i*fanOut+j] = v // W = Q, [rows=fanIn, cols=fanOut]
				} else {
					w[j*fanOut+i] = v // W = Qᵀ, [cols=fanIn, rows=fanOut]
				}
			}
		}
	}
}

// GlorotInit is Glorot/Xavier uniform initialisation
// (torch.nn.init.xavier_uniform_, gain 1): weights uniform in [−a, a] with
// a = √(6/(fanIn+fanOut)), so their variance is 2/(fanIn+fanOut).
func GlorotInit(rng *rand.Rand, fanIn, fanOut int, w []float64) {
	checkInitLen(fanIn, fanOut, w)
	a := math.Sqrt(6 / float64(fanIn+fanOut))
	for i := range w {
		w[i] = a * (2*rng.Float64() - 1)
	}
}

// HeInit is He/Kaiming normal initialisation in fan_in mode for ReLU
// (torch.nn.init.kaiming_normal_ defaults): weights Gaussian with mean 0 and
// standard deviation √(2/fanIn).
func HeInit(rng *rand.Rand, fanIn, fanOut int, w []float64) {
	checkInitLen(fanIn, fanOut, w)
	std := math.Sqrt(2 / float64(fanIn))
	for i := range w {
		w[i] = std * rng.NormFloat64()
	}
}

// ZeroInit sets every weight to zero; it draws nothing from rng.
func ZeroInit(_ *rand.Rand, fanIn, fanOut int, w []float64) {
	checkInitLen(fanIn, fanOut, w)
	clear(w)
}
