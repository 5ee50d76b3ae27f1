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

func TestKdVUnderResolved(t *testing.T) {
	s := kdv(t, 20, 32)
	o := NewFieldSnapshots()
	o.Initial.Random = NewRandomInitial()
	o.Count = 2
	o.Initial.Random.Amplitude = 1
	_, err := o.Make(s, rand.New(rand.NewPCG(1, 2)))
	var qe *QualityError
	if !errors.As(err, &qe) {
		t.Fatalf("want a quality error, got %v", err)
	}
	t.Log(err)
}

func tgrid(start, stop float64, points int) datasets.TimeGrid {
	return datasets.TimeGrid{Start: start, Stop: stop, Points: points}
}
