package datasets

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"ansatz/spec"
)

func TestSignalsValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Signals)
		field string // "" for valid
	}{
		{"defaults", func(*Signals) {}, ""},
		{"zero length", func(s *Signals) { s.Length = 0 }, "length"},
		{"negative length", func(s *Signals) { s.Length = -3 }, "length"},
		{"one signal", func(s *Signals) { s.Count = 1 }, "count"},
		{"negative amplitude", func(s *Signals) { s.Amplitude = -1 }, "amplitude"},
		{"NaN noise", func(s *Signals) { s.Noise = math.NaN() }, "noise"},
		{"negative fresh", func(s *Signals) { s.Fresh = -1 }, "fresh"},
		{"test fraction 1", func(s *Signals) { s.Split.Test = 1 }, "split.test"},
		{"no training data", func(s *Signals) { s.Count, s.Split.Test = 2, 0.9 }, "split"},
		{"representation", func(s *Signals) { s.Representation = "wavelet" }, "representation"},
		{"no generator", func(s *Signals) { s.Generators = nil }, "generators"},
		{"unknown generator", func(s *Signals) { s.Generators = []string{"sinusoid", "chirp"} }, "generators[1]"},
		{"frequency one number", func(s *Signals) { s.Frequency = []float64{3} }, "frequency"},
		{"frequency reversed", func(s *Signals) { s.Frequency = []float64{5, 2} }, "frequency"},
		{"above Nyquist", func(s *Signals) { s.Length, s.Frequency = 16, []float64{1, 8.5} }, "frequency"},
		{"at Nyquist", func(s *Signals) { s.Length, s.Frequency = 16, []float64{1, 8} }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewSignals()
			c.edit(s)
			err := s.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var fe *spec.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("want a field error at %q, got %v", c.field, err)
			}
			if fe.Field != c.field {
				t.Errorf("error at %q, want %q: %v", fe.Field, c.field, err)
			}
		})
	}
}

func TestSignalsShapesAndLabels(t *testing.T) {
	for _, rep := range []string{Raw, Fourier} {
		for _, l := range []int{1, 2, 7, 16, 33} {
			s := NewSignals()
			s.Length, s.Count, s.Representation, s.Frequency = l, 101, rep, []float64{0, float64(l) / 2}
			d, err := s.Generate(nil, 0, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			width := l
			if rep == Fourier {
				width = l/2 + 1
			}
			desc, err := s.Describe(nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(desc.Vars) != width || desc.Classes != 2 || !slices.Equal(desc.Vars, d.Vars) {
				t.Fatalf("%s L=%d: description %+v, data vars %v, want width %d", rep, l, desc, d.Vars, width)
			}
			if d.Train.N+d.Test.N != 101 || d.Test.N != 21 {
				t.Fatalf("%s L=%d: %d train + %d test rows", rep, l, d.Train.N, d.Test.N)
			}
			ones := 0
			for _, set := range []Set{d.Train, d.Test} {
				if set.D != width || len(set.X) != set.N*width {
					t.Fatalf("%s L=%d: D = %d, len X = %d for %d rows", rep, l, set.D, len(set.X), set.N)
				}
				lab := set.Column(LabelColumn)
				if lab == nil || lab.Width != 1 || len(lab.Data) != set.N {
					t.Fatalf("%s L=%d: label column %+v", rep, l, lab)
				}
				for _, v := range lab.Data {
					if v != 0 && v != 1 {
						t.Fatalf("label %v", v)
					}
					ones += int(v)
				}
			}
			if ones != 50 {
				t.Errorf("%s L=%d: %d signal rows of 101, want 50", rep, l, ones)
			}
		}
	}
}

func TestSignalsDeterministic(t *testing.T) {
	s := NewSignals()
	s.Generators = []string{GenSinusoid, GenSquare}
	a, _ := s.Generate(nil, 0, rand.New(rand.NewPCG(7, 7)))
	b, _ := s.Generate(nil, 0, rand.New(rand.NewPCG(7, 7)))
	if !slices.Equal(a.Train.X, b.Train.X) || !slices.Equal(a.Test.Column(LabelColumn).Data, b.Test.Column(LabelColumn).Data) {
		t.Fatal("same seed, different data")
	}
	c, _ := s.Generate(nil, 0, rand.New(rand.NewPCG(7, 8)))
	if slices.Equal(a.Train.X, c.Train.X) {
		t.Fatal("different seeds, same data")
	}
}

// The amplitude only scales the signal: noise rows are identical for every
// A, and signal rows differ by A times a fixed waveform.
func TestSignalsAmplitudeScalesSignalOnly(t *testing.T) {
	gen := func(a float64) *Data {
		s := NewSignals()
		s.Length, s.Count, s.Amplitude = 32, 40, a
		d, err := s.Generate(nil, 0, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d0, d1, d2 := gen(0), gen(1), gen(2)
	lab := d0.Train.Column(LabelColumn).Data
	for i := range d0.Train.X {
		row := i / d0.Train.D
		w1 := d1.Train.X[i] - d0.Train.X[i]
		w2 := d2.Train.X[i] - d0.Train.X[i]
		if lab[row] == 0 && (w1 != 0 || w2 != 0) {
			t.Fatalf("noise row %d changed with the amplitude", row)
		}
		if math.Abs(w2-2*w1) > 1e-12 {
			t.Fatalf("row %d: signal part %v at A=2, %v at A=1", row, w2, w1)
		}
		if math.Abs(w1) > 1+1e-12 {
			t.Fatalf("row %d: sinusoid of amplitude 1 has value %v", row, w1)
		}
	}
}

// A sinusoid at an integer frequency k puts A√L/2 into bin k and nothing
// elsewhere; white noise has E f_k² = σ² in every bin.
func TestFourierMagnitudes(t *testing.T) {
	const l = 64
	for _, k := range []int{1, 5, 17, 31} {
		x := make([]float64, l)
		for i := range x {
			x[i] = 0.75 * math.Sin(2*math.Pi*float64(k*i)/l+0.3)
		}
		f := FourierMagnitudes(x)
		if len(f) != l/2+1 {
			t.Fatalf("%d magnitudes, want %d", len(f), l/2+1)
		}
		for j, v := range f {
			want := 0.0
			if j == k {
				want = 0.75 * math.Sqrt(l) / 2
			}
			if math.Abs(v-want) > 1e-12 {
				t.Errorf("k=%d: f%d = %v, want %v", k, j, v, want)
			}
		}
	}
	// Noise: mean of f_k² over many signals, away from the real bins 0 and L/2.
	rng := rand.New(rand.NewPCG(1, 1))
	const n, sigma = 2000, 1.5
	var sum float64
	x := make([]float64, l)
	for range n {
		for i := range x {
			x[i] = sigma * rng.NormFloat64()
		}
		for _, v := range FourierMagnitudes(x)[1 : l/2] {
			sum += v * v
		}
	}
	mean := sum / float64(n*(l/2-1))
	if math.Abs(mean-sigma*sigma)/(sigma*sigma) > 0.02 {
		t.Errorf("white noise: mean f_k² = %v, want σ² = %v (±2%%)", mean, sigma*sigma)
	}
}

// The square generator has odd harmonics with amplitudes 4/(πk).
func TestSquareSpectrum(t *testing.T) {
	const l, k = 256, 4
	x := make([]float64, l)
	for i := range x {
		x[i] = waveform(GenSquare, 2*math.Pi*float64(k*i)/l+0.1)
	}
	f := FourierMagnitudes(x)
	for h := 1; h <= 5; h += 2 {
		want := 4 / (math.Pi * float64(h)) * math.Sqrt(l) / 2
		if math.Abs(f[h*k]-want)/want > 0.05 {
			t.Errorf("harmonic %d: %v, want ≈ %v", h, f[h*k], want)
		}
		if f[(h+1)*k] > 0.05*want {
			t.Errorf("even harmonic %d: %v, want ≈ 0", h+1, f[(h+1)*k])
		}
	}
}

func TestSignalsResample(t *testing.T) {
	s := NewSignals()
	s.Count, s.Fresh, s.Representation = 50, 10, Fourier
	if s.ResampleEvery() != 10 {
		t.Fatalf("ResampleEvery = %d", s.ResampleEvery())
	}
	d, err := s.Generate(nil, 0, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := s.Resample(nil, rand.New(rand.NewPCG(9, 9)))
	if err != nil {
		t.Fatal(err)
	}
	if fresh.N != d.Train.N || fresh.D != d.Train.D || fresh.Column(LabelColumn) == nil {
		t.Fatalf("fresh set %d×%d, training set %d×%d", fresh.N, fresh.D, d.Train.N, d.Train.D)
	}
	if slices.Equal(fresh.X, d.Train.X[:len(fresh.X)]) {
		t.Fatal("fresh set equals the training set")
	}
	s.Length = 0
	if _, err := s.Resample(nil, rand.New(rand.NewPCG(9, 9))); err == nil || !strings.Contains(err.Error(), "length") {
		t.Fatalf("resample with bad options: %v", err)
	}
}
