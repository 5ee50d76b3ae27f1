package kahler

import (
	"ansatz/autodiff"
	"ansatz/datasets"
	"ansatz/hypersurface"
	"ansatz/losses"
)

// BatchFromPoints lays sampled points out as the data kind
// hypersurface_points does (hypersurface.ToSet), as a batch of engine
// constants.
func BatchFromPoints(p *hypersurface.Points) losses.Batch {
	set := hypersurface.ToSet(p)
	return BatchFromSet(&set, nil)
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

// pointsOf rebuilds the sampled points of the given rows of a
// hypersurface_points data set (all when rows is nil) for the plain-Go
// numerics of package hypersurface.
func pointsOf(s *datasets.Set, rows []int) (*hypersurface.Points, error) {
	p, err := hypersurface.PointsFromSet(s)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		return p, nil
	}
	return p.Subset(rows), nil
}
