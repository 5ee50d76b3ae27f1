package fieldtheory

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"ansatz/datasets"
)

func TestKdVData(t *testing.T) {
	s := kdv(t, 20, 256)
	o := NewFieldSnapshots()
	o.Initial.Random = NewRandomInitial()
	o.Count = 3
	start := time.Now()
	res, err := o.Make(s, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v in %v; rows %d+%d vars %v", res.Checks, time.Since(start), res.Data.Train.N, res.Data.Test.N, res.Data.Vars)
}

// TestKdVUnderResolved: the data check flags too few grid points (ut_fd)
// and too large a fixed step (step_error, drifts).
func TestKdVUnderResolved(t *testing.T) {
	cases := []struct {
		name   string
		points int
		dt     float64
		flag   string
	}{
		{"too few points", 32, 0, "ut_fd"},
		{"too large a step", 256, 0.01, "step_error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := kdv(t, 20, c.points)
			o := NewFieldSnapshots()
			o.Initial.Random = NewRandomInitial()
			o.Initial.Random.Amplitude = 1
			o.Count = 2
			o.Integrator.Dt = c.dt
			o.T = tgrid(0, 0.5, 6)
			_, err := o.Make(s, rand.New(rand.NewPCG(1, 2)))
			var qe *QualityError
			if !errors.As(err, &qe) {
				t.Fatalf("want a quality error, got %v", err)
			}
			for _, ch := range qe.Checks {
				if ch.Name == c.flag && !(ch.Value > o.Tolerance) {
					t.Errorf("%s = %.3g is not flagged: %v", c.flag, ch.Value, err)
				}
			}
			t.Log(err)
		})
	}
}

func tgrid(start, stop float64, points int) datasets.TimeGrid {
	return datasets.TimeGrid{Start: start, Stop: stop, Points: points}
}
