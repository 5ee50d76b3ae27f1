package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/dsp/fourier"

	"ansatz/registry"
	"ansatz/spec"
	"ansatz/systems"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Data, Name: "signals",
		Doc: "noisy signals (sinusoids of random frequency and phase, amplitude A, Gaussian noise σ) against pure noise, labelled 1/0; representation raw samples or |FFT|",
		New: func() any { return NewSignals() },
	})
}

// Generator kinds of the signals data kind (option generators).
const (
	// GenSinusoid is A·sin(2πft/L + φ).
	GenSinusoid = "sinusoid"
	// GenSquare is A·sign(sin(2πft/L + φ)): a square wave, whose spectrum
	// has odd harmonics f, 3f, 5f, … with amplitudes falling as 1/k.
	GenSquare = "square"
)

// Representations of the signals data kind (option representation).
const (
	// Raw gives the model the L samples s0 … s{L−1}.
	Raw = "raw"
	// Fourier gives the model the L/2+1 normalised magnitudes |FFT| f0 … f{L/2}.
	Fourier = "fourier"
)

// LabelColumn is the name of the column holding class indices (as float64).
const LabelColumn = "label"

// generatorKinds lists the generator names in documentation order.
var generatorKinds = []string{GenSinusoid, GenSquare}

// Signals is the spec of the signals data kind: the duality example of
// Betzler & Krippendorf (arXiv:2002.05169). Half of the rows are a signal
// plus noise (label 1), half pure noise (label 0):
//
//	data:
//	  kind: signals
//	  length: 64                # L samples per signal
//	  count: 4000               # signals in train + test
//	  amplitude: 0.5            # A
//	  noise: 1                  # σ
//	  frequency: [2, 24]        # cycles per signal (per L samples)
//	  generators: [sinusoid]
//	  representation: fourier   # or raw
//	  fresh: 50                 # a fresh training set every 50 steps
//	  split: {test: 0.25}
//
// Signal j is, for samples t = 0 … L−1,
//
//	x_t = c_j · A · g(2π f_j t / L + φ_j) + σ ε_t,   ε_t ~ N(0, 1),
//
// with class c_j ∈ {0, 1}, g the generator's waveform (sin, or the sign of
// sin for square), the frequency f_j ~ U[frequency[0], frequency[1]] in
// cycles per signal (so f_j/L cycles per sample; need not be an integer, the
// energy of a non-integer frequency leaks into neighbouring bins) and the
// phase φ_j ~ U[0, 2π). Row j has class j mod 2 in generation order, so the
// classes are balanced (an odd count has one more noise row).
//
// With representation raw the model sees the L samples (variables s0 …
// s{L−1}). With representation fourier it sees the L/2+1 magnitudes of the
// real discrete Fourier transform (gonum's dsp/fourier), divided by √L:
// f_k = |Σ_t x_t e^{−2πikt/L}| / √L for k = 0 … ⌊L/2⌋ (variables f0 …). With
// this normalisation white noise of variance σ² has E f_k² = σ² in every
// bin, as its raw samples have E x_t² = σ²; a sinusoid at an integer
// frequency k adds A√L/2 to one bin (the frame in which the signal is
// concentrated), while in the raw frame its energy is spread over all L
// samples at amplitude A.
//
// The class index is the column label (width 1). With fresh: N the training
// set is redrawn every N optimiser steps (fixed small sets overfit): each
// fresh set has as many rows as the first training set; the test set stays
// the same.
//
// All randomness comes from the rng, in this order: per signal j, one
// uniform for the generator (drawn even with one generator), one for the
// frequency, one for the phase, then L standard normals for the noise — all
// drawn for noise rows too, so that a noise row does not depend on the
// amplitude or the frequency range; then the split permutation. The same
// seed gives the same data; the amplitude only scales the signal part.
type Signals struct {
	Length         int         `yaml:"length" doc:"samples per signal, L > 0"`
	Count          int         `yaml:"count" doc:"number of signals (train + test), half of them pure noise"`
	Amplitude      float64     `yaml:"amplitude" doc:"amplitude A of the signal generators"`
	Noise          float64     `yaml:"noise" doc:"standard deviation σ of the Gaussian noise added to every sample"`
	Frequency      []float64   `yaml:"frequency" doc:"range [low, high] of the random frequency, in cycles per signal (0 ≤ low ≤ high ≤ L/2)"`
	Generators     []string    `yaml:"generators" doc:"waveforms of the signal class, one drawn uniformly per signal: sinusoid, square"`
	Representation string      `yaml:"representation" spec:"oneof=raw|fourier" doc:"what the model sees: raw (the L samples) or fourier (the L/2+1 magnitudes |FFT|/√L)"`
	Fresh          int         `yaml:"fresh" doc:"draw a fresh training set every this many optimiser steps (0: one fixed training set)"`
	Split          SignalSplit `yaml:"split" doc:"division into training and test signals"`
}

// SignalSplit is the division of signals into training and test sets.
type SignalSplit struct {
	Test float64 `yaml:"test" doc:"fraction of the signals in the test set, in [0, 1)"`
}

// NewSignals returns the defaults: L = 64, 2000 signals, A = 0.5, σ = 1,
// frequencies U[1, 16] cycles per signal, sinusoids, raw representation, a
// fixed training set, 20 % test signals.
func NewSignals() *Signals {
	return &Signals{
		Length: 64, Count: 2000, Amplitude: 0.5, Noise: 1,
		Frequency: []float64{1, 16}, Generators: []string{GenSinusoid},
		Representation: Raw, Split: SignalSplit{Test: 0.2},
	}
}

// finiteNumber reports whether v is neither NaN nor infinite.
func finiteNumber(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Validate checks the options; errors name the field by its yaml name.
func (s *Signals) Validate() error {
	var errs []error
	if s.Length < 1 {
		errs = append(errs, spec.FieldErrorf("length", "must be a positive number of samples, got %d", s.Length))
	}
	if s.Count < 2 {
		errs = append(errs, spec.FieldErrorf("count", "must be ≥ 2 (one signal and one noise row at least), got %d", s.Count))
	}
	if !(s.Amplitude >= 0) || !finiteNumber(s.Amplitude) {
		errs = append(errs, spec.FieldErrorf("amplitude", "must be a finite number ≥ 0, got %v", s.Amplitude))
	}
	if !(s.Noise >= 0) || !finiteNumber(s.Noise) {
		errs = append(errs, spec.FieldErrorf("noise", "must be a finite number ≥ 0, got %v", s.Noise))
	}
	if s.Fresh < 0 {
		errs = append(errs, spec.FieldErrorf("fresh", "must be ≥ 0 steps (0: a fixed training set), got %d", s.Fresh))
	}
	if !(s.Split.Test >= 0 && s.Split.Test < 1) {
		errs = append(errs, spec.FieldErrorf("split.test", "must be in [0, 1), got %v", s.Split.Test))
	} else if s.Count >= 2 && testCount(s.Split.Test, s.Count) >= s.Count {
		errs = append(errs, spec.FieldErrorf("split", "test=%v leaves no training signals with count %d", s.Split.Test, s.Count))
	}
	if s.Representation != Raw && s.Representation != Fourier {
		errs = append(errs, spec.FieldErrorf("representation", "must be %q or %q, got %q", Raw, Fourier, s.Representation))
	}
	if len(s.Generators) == 0 {
		errs = append(errs, spec.FieldErrorf("generators", "needs at least one generator: %s", strings.Join(generatorKinds, ", ")))
	}
	for i, g := range s.Generators {
		if !slices.Contains(generatorKinds, g) {
			errs = append(errs, spec.FieldErrorf("generators["+strconv.Itoa(i)+"]", "unknown generator %q; known: %s", g, strings.Join(generatorKinds, ", ")))
		}
	}
	switch f := s.Frequency; {
	case len(f) != 2:
		errs = append(errs, spec.FieldErrorf("frequency", "must be a range [low, high] in cycles per signal, got %d numbers", len(f)))
	case !finiteNumber(f[0]) || !finiteNumber(f[1]) || f[0] < 0 || f[1] < f[0]:
		errs = append(errs, spec.FieldErrorf("frequency", "must be a range [low, high] with 0 ≤ low ≤ high, got %v", f))
	case s.Length >= 1 && f[1] > float64(s.Length)/2:
		errs = append(errs, spec.FieldErrorf("frequency", "high = %v cycles per signal is above the Nyquist frequency L/2 = %v of length %d; set frequency: [low, high] with high ≤ %v", f[1], float64(s.Length)/2, s.Length, float64(s.Length)/2))
	}
	return errors.Join(errs...)
}

// Vars names the model's inputs: s0 … s{L−1} (raw) or f0 … f{L/2} (fourier).
func (s *Signals) Vars() []string {
	prefix, n := "s", s.Length
	if s.Representation == Fourier {
		prefix, n = "f", s.Length/2+1
	}
	vars := make([]string, n)
	for i := range vars {
		vars[i] = prefix + strconv.Itoa(i)
	}
	return vars
}

// Describe names the model's inputs and declares two classes. The signals
// need no system; one declared in the spec is ignored.
func (s *Signals) Describe(systems.System) (Description, error) {
	if err := s.Validate(); err != nil {
		return Description{}, err
	}
	return Description{Vars: s.Vars(), Classes: 2}, nil
}

// Check accepts any system or none: the signals do not use it.
func (s *Signals) Check(systems.System, int) error { return s.Validate() }

// Sampler returns nil: signals have no initial-condition sampler.
func (s *Signals) Sampler() Sampler { return nil }

// ResampleEvery is the option fresh: steps between fresh training sets.
func (s *Signals) ResampleEvery() int { return s.Fresh }

// trainCount is the number of training signals.
func (s *Signals) trainCount() int { return s.Count - testCount(s.Split.Test, s.Count) }

// Generate draws Count signals and splits them (see [Signals] for the order
// of the random draws).
func (s *Signals) Generate(_ systems.System, _ int, rng *rand.Rand) (*Data, error) {
	if rng == nil {
		return nil, errors.New("signals: a random generator is required")
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("signals: %w", err)
	}
	all := s.draw(s.Count, rng)
	perm := rng.Perm(s.Count)
	cut := s.trainCount()
	train, test := perm[:cut], perm[cut:]
	slices.Sort(train)
	slices.Sort(test)
	return &Data{Vars: s.Vars(), Train: signalRows(all, train), Test: signalRows(all, test)}, nil
}

// Resample draws a fresh training set of as many signals as Generate's
// training set, from rng (the runner's own stream for fresh data).
func (s *Signals) Resample(_ systems.System, rng *rand.Rand) (*Set, error) {
	if rng == nil {
		return nil, errors.New("signals: a random generator is required")
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("signals: %w", err)
	}
	set := s.draw(s.trainCount(), rng)
	return &set, nil
}

// draw generates n signals in the representation, rows in generation
// order, with their labels.
func (s *Signals) draw(n int, rng *rand.Rand) Set {
	l := s.Length
	raw := make([]float64, l)
	label := make([]float64, n)
	feat := newFeatures(s.Representation, l)
	d := feat.width()
	x := make([]float64, n*d)
	lo, hi := s.Frequency[0], s.Frequency[1]
	for j := range n {
		c := j % 2
		label[j] = float64(c)
		g := s.Generators[min(int(rng.Float64()*float64(len(s.Generators))), len(s.Generators)-1)]
		f := lo + (hi-lo)*rng.Float64()
		phi := 2 * math.Pi * rng.Float64()
		a := s.Amplitude * float64(c)
		for t := range raw {
			raw[t] = a*waveform(g, 2*math.Pi*f*float64(t)/float64(l)+phi) + s.Noise*rng.NormFloat64()
		}
		feat.apply(x[j*d:(j+1)*d], raw)
	}
	return Set{X: x, N: n, D: d, Columns: []Column{{Name: LabelColumn, Width: 1, Data: label}}}
}

// waveform is the generator g at phase θ.
func waveform(g string, theta float64) float64 {
	s := math.Sin(theta)
	if g == GenSquare {
		switch {
		case s > 0:
			return 1
		case s < 0:
			return -1
		}
		return 0
	}
	return s
}

// features maps a raw signal to the model's inputs.
type features struct {
	fft   *fourier.FFT // nil for raw
	coeff []complex128
	scale float64
	l     int
}

func newFeatures(representation string, l int) *features {
	f := &features{l: l}
	if representation == Fourier {
		f.fft = fourier.NewFFT(l)
		f.coeff = make([]complex128, l/2+1)
		f.scale = 1 / math.Sqrt(float64(l))
	}
	return f
}

// width is the number of features per signal.
func (f *features) width() int {
	if f.fft == nil {
		return f.l
	}
	return f.l/2 + 1
}

// apply writes the features of signal raw into dst.
func (f *features) apply(dst, raw []float64) {
	if f.fft == nil {
		copy(dst, raw)
		return
	}
	f.coeff = f.fft.Coefficients(f.coeff, raw)
	for k, c := range f.coeff {
		dst[k] = cmplx.Abs(c) * f.scale
	}
}

// FourierMagnitudes returns the L/2+1 normalised magnitudes |FFT(x)|/√L of
// a real signal x of length L, the features of representation fourier.
func FourierMagnitudes(x []float64) []float64 {
	if len(x) == 0 {
		return nil
	}
	f := newFeatures(Fourier, len(x))
	out := make([]float64, f.width())
	f.apply(out, x)
	return out
}

// signalRows returns the rows idx of s (X and columns) as a new set.
func signalRows(s Set, idx []int) Set {
	out := Set{N: len(idx), D: s.D, X: make([]float64, 0, len(idx)*s.D)}
	for _, i := range idx {
		out.X = append(out.X, s.X[i*s.D:(i+1)*s.D]...)
	}
	for _, c := range s.Columns {
		nc := Column{Name: c.Name, Width: c.Width, Data: make([]float64, 0, len(idx)*c.Width)}
		for _, i := range idx {
			nc.Data = append(nc.Data, c.Data[i*c.Width:(i+1)*c.Width]...)
		}
		out.Columns = append(out.Columns, nc)
	}
	return out
}
