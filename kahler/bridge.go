package kahler

import (
	"fmt"
	"math"
	"math/cmplx"

	"ansatz/autodiff"
	"ansatz/datasets"
	"ansatz/hypersurface"
	"ansatz/losses"
)

// BatchFromPoints lays sampled points out as the data kind
// hypersurface_points does (X and the named columns), as engine constants.
func BatchFromPoints(p *hypersurface.Points) losses.Batch {
	n, m, k := p.N, p.M, p.Dim
	x := make([]float64, n*2*m)
	for i := range n {
		for c, z := range p.Point(i) {
			x[i*2*m+c], x[i*2*m+m+c] = real(z), imag(z)
		}
	}
	cplx := func(v []complex128, w int) *autodiff.Tensor {
		d := make([]float64, n*2*w)
		for i := range n {
			for c := range w {
				z := v[i*w+c]
				d[i*2*w+c], d[i*2*w+w+c] = real(z), imag(z)
			}
		}
		return autodiff.New(d, n, 2*w)
	}
	w := make([]float64, n)
	o2 := make([]float64, n)
	psi := make([]float64, 2*n)
	for i := range n {
		w[i] = p.Weight[i]
		o := p.Omega[i]
		o2[i] = real(o)*real(o) + imag(o)*imag(o)
		psi[2*i], psi[2*i+1] = real(p.Psi[i]), imag(p.Psi[i])
	}
	cols := map[string]*autodiff.Tensor{
		colWeight:   autodiff.New(w, n, 1),
		colOmega2:   autodiff.New(o2, n, 1),
		colPullback: cplx(p.Pullback, k*m),
		colPsi:      autodiff.New(psi, n, 2),
	}
	if p.HasAlt() {
		cols[colAltX] = cplx(p.AltZ, m)
		cols[colAltPullback] = cplx(p.AltPullback, k*m)
		cols[colAltTransition] = cplx(p.AltTransition, k*k)
	}
	return losses.Batch{X: autodiff.New(x, n, 2*m), Columns: cols}
}

// BatchFromSet returns the rows of a data set (all when rows is nil) as a
// batch of engine constants.
func BatchFromSet(s *datasets.Set, rows []int) losses.Batch {
	if rows == nil {
		rows = make([]int, s.N)
		for i := range rows {
			rows[i] = i
		}
	}
	take := func(data []float64, w int) *autodiff.Tensor {
		d := make([]float64, len(rows)*w)
		for r, i := range rows {
			copy(d[r*w:(r+1)*w], data[i*w:(i+1)*w])
		}
		return autodiff.New(d, len(rows), w)
	}
	b := losses.Batch{X: take(s.X, s.D), Columns: map[string]*autodiff.Tensor{}}
	for _, c := range s.Columns {
		b.Columns[c.Name] = take(c.Data, c.Width)
	}
	return b
}

// PointsFromSet rebuilds the sampled points of a hypersurface_points data set
// (the rows given, all when nil) for the plain-Go numerics of package
// hypersurface: Z from X, weights, pullbacks, ψ, and Ω as the real
// √(|Ω|²) (only |Ω|² enters the measures and Donaldson's iteration).
func PointsFromSet(s *datasets.Set, rows []int) (*hypersurface.Points, error) {
	if rows == nil {
		rows = make([]int, s.N)
		for i := range rows {
			rows[i] = i
		}
	}
	m := s.D / 2
	need := func(name string, w int) ([]float64, error) {
		c := s.Column(name)
		if c == nil {
			return nil, fmt.Errorf("the data have no column %q (data kind hypersurface_points provides it)", name)
		}
		if w > 0 && c.Width != w {
			return nil, fmt.Errorf("column %q has width %d, want %d", name, c.Width, w)
		}
		return c.Data, nil
	}
	w, err := need(colWeight, 1)
	if err != nil {
		return nil, err
	}
	o2, err := need(colOmega2, 1)
	if err != nil {
		return nil, err
	}
	pb, err := need(colPullback, 0)
	if err != nil {
		return nil, err
	}
	kw := s.Column(colPullback).Width / 2
	k := kw / m
	psi, _ := need(colPsi, 2)
	patch, _ := need("patch", 1)
	elim, _ := need("elim", 1)
	n := len(rows)
	p := &hypersurface.Points{N: n, M: m, Dim: k,
		Z: make([]complex128, n*m), Patch: make([]int, n), Elim: make([]int, n),
		Omega: make([]complex128, n), Pullback: make([]complex128, n*kw),
		Weight: make([]float64, n), Psi: make([]complex128, n)}
	for r, i := range rows {
		for c := range m {
			p.Z[r*m+c] = complex(s.X[i*s.D+c], s.X[i*s.D+m+c])
		}
		for c := range kw {
			p.Pullback[r*kw+c] = complex(pb[i*2*kw+c], pb[i*2*kw+kw+c])
		}
		p.Weight[r] = w[i]
		p.Omega[r] = complex(math.Sqrt(o2[i]), 0)
		if psi != nil {
			p.Psi[r] = complex(psi[2*i], psi[2*i+1])
		}
		if patch != nil && elim != nil {
			p.Patch[r], p.Elim[r] = int(patch[i]), int(elim[i])
			continue
		}
		best := 0
		for c := range m {
			if cmplx.Abs(p.Z[r*m+c]) > cmplx.Abs(p.Z[r*m+best]) {
				best = c
			}
		}
		p.Patch[r] = best
		p.Elim[r] = (best + 1) % m
	}
	return p, nil
}
