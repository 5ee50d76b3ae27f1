package optim

import (
	"math"
	"testing"
)

func TestSchedules(t *testing.T) {
	const total = 110
	tests := []struct {
		name  string
		sched Schedule
		step  int
		want  float64
	}{
		{"constant start", Constant{}, 0, 1},
		{"constant end", Constant{}, total - 1, 1},
		// base·0.5^⌊step/10⌋.
		{"exponential 0", Exponential{Gamma: 0.5, Every: 10}, 0, 1},
		{"exponential 9", Exponential{Gamma: 0.5, Every: 10}, 9, 1},
		{"exponential 10", Exponential{Gamma: 0.5, Every: 10}, 10, 0.5},
		{"exponential 25", Exponential{Gamma: 0.5, Every: 10}, 25, 0.25},
		{"exponential every 0 acts as 1", Exponential{Gamma: 0.5}, 3, 0.125},
		// Warm-up: (step+1)/10; then 0.1 + 0.9·(1 + cos(π·(step−10)/100))/2.
		{"cosine warm-up 0", Cosine{Min: 0.1, Warmup: 10}, 0, 0.1},
		{"cosine warm-up 4", Cosine{Min: 0.1, Warmup: 10}, 4, 0.5},
		{"cosine warm-up last", Cosine{Min: 0.1, Warmup: 10}, 9, 1},
		{"cosine start", Cosine{Min: 0.1, Warmup: 10}, 10, 1},
		{"cosine quarter", Cosine{Min: 0.1, Warmup: 10}, 35, 0.1 + 0.9*(1+math.Sqrt2/2)/2},
		{"cosine middle", Cosine{Min: 0.1, Warmup: 10}, 60, 0.55},
		{"cosine end", Cosine{Min: 0.1, Warmup: 10}, total, 0.1},
		{"cosine beyond", Cosine{Min: 0.1, Warmup: 10}, total + 5, 0.1},
		{"cosine no warm-up middle", Cosine{}, 55, 0.5},
		{"cosine warm-up longer than run", Cosine{Warmup: 200}, 150, 151.0 / 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.sched.LR(1, tc.step, total); !near(got, tc.want, 1e-15) {
				t.Errorf("LR(1, %d, %d) = %.17g, want %.17g", tc.step, total, got, tc.want)
			}
		})
	}
}

func TestScheduleValidate(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"exponential defaults", NewExponential().Validate(), ""},
		{"exponential gamma", (&Exponential{Gamma: 0, Every: 1}).Validate(), "gamma"},
		{"exponential every", (&Exponential{Gamma: 0.5}).Validate(), "every"},
		{"cosine zero value", (&Cosine{}).Validate(), ""},
		{"cosine min", (&Cosine{Min: -1}).Validate(), "min"},
		{"cosine warmup", (&Cosine{Warmup: -1}).Validate(), "warmup"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkValidateErr(t, tc.err, tc.field) })
	}
}
