package symmetry

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Rotation returns the generator of rotations in the plane of variables i
// and j of R^d, L = e_ji − e_ij (it turns e_i towards e_j).
func Rotation(d, i, j int) []float64 {
	g := make([]float64, d*d)
	g[j*d+i], g[i*d+j] = 1, -1
	return g
}

// SO2 returns the generator of so(2) acting on the first two of d
// variables.
func SO2(d int) [][]float64 { return [][]float64{Rotation(d, 0, 1)} }

// SO3 returns the generators of so(3) acting on the first three of d
// variables: the rotations in the planes (0,1), (0,2), (1,2).
func SO3(d int) [][]float64 {
	return [][]float64{Rotation(d, 0, 1), Rotation(d, 0, 2), Rotation(d, 1, 2)}
}

// LargestAngle returns the largest principal angle, in degrees, between the
// spans of two sets of matrices (flattened, same size), with the inner
// product of their entries (Frobenius). With spans of different dimension
// it is the largest angle between the smaller span and the larger one: 0
// when the smaller lies inside the larger. It is 90 when either set is
// empty.
func LargestAngle(a, b [][]float64) (float64, error) {
	if len(a) == 0 || len(b) == 0 {
		return 90, nil
	}
	qa, err := orthonormal(a)
	if err != nil {
		return 0, err
	}
	qb, err := orthonormal(b)
	if err != nil {
		return 0, err
	}
	if r, _ := qa.Dims(); r != func() int { r, _ := qb.Dims(); return r }() {
		return 0, errors.New("symmetry: angle between matrices of different sizes")
	}
	var m mat.Dense
	m.Mul(qa.T(), qb)
	var svd mat.SVD
	if !svd.Factorize(&m, mat.SVDNone) {
		return 0, errors.New("symmetry: SVD failed")
	}
	s := svd.Values(nil)
	smallest := s[len(s)-1]
	return math.Acos(math.Min(1, smallest)) * 180 / math.Pi, nil
}

// orthonormal returns an orthonormal basis (columns) of the span of vs.
func orthonormal(vs [][]float64) (*mat.Dense, error) {
	n := len(vs[0])
	a := mat.NewDense(n, len(vs), nil)
	for j, v := range vs {
		if len(v) != n {
			return nil, errors.New("symmetry: matrices of different sizes")
		}
		for i, x := range v {
			a.Set(i, j, x)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, errors.New("symmetry: SVD failed")
	}
	vals := svd.Values(nil)
	rank := 0
	for _, v := range vals {
		if v > 1e-10*vals[0] {
			rank++
		}
	}
	if rank == 0 {
		return nil, errors.New("symmetry: the matrices span nothing (all zero)")
	}
	var u mat.Dense
	svd.UTo(&u)
	return mat.DenseCopyOf(u.Slice(0, n, 0, rank)), nil
}
