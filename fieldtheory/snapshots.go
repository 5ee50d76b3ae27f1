package fieldtheory

import (
	"ansatz/datasets"
)

// FieldSnapshots is the spec of the data kind field_snapshots: snapshots of
// solutions of a field system, one row per (snapshot, sampled grid point)
// with the jets as X, their time derivatives from the equation as DX and
// their x-derivatives as F (see the package documentation).
//
//	data:
//	  kind: field_snapshots
//	  initial: {random: {amplitude: 0.5, modes: 6, decay: 1}}
//	  count: 8
//	  t: {start: 0, stop: 1, points: 11}
//	  order: 2
//	  split: {test: 0.25}
type FieldSnapshots struct {
	Initial            Initial               `yaml:"initial" doc:"initial conditions: random smooth Fourier data, or expressions of x per field"`
	Count              int                   `yaml:"count" doc:"number of initial conditions (trajectories)"`
	T                  datasets.TimeGrid     `yaml:"t" doc:"snapshot times (the initial data are at t = 0; start ≥ 0)"`
	Order              int                   `yaml:"order" doc:"highest derivative order of the jets in X; -1: the equation's order − 1"`
	SamplesPerSnapshot int                   `yaml:"samples_per_snapshot" doc:"grid points drawn per snapshot (without replacement); 0: all points"`
	Split              datasets.SplitOptions `yaml:"split" doc:"division into training and test data (by trajectory = initial condition, or point)"`
	Tolerance          float64               `yaml:"tolerance" doc:"largest relative error of the data-quality checks before the run fails"`
	Integrator         IntegratorOptions     `yaml:"integrator" doc:"time step of the pseudo-spectral integrator"`
}

// Initial chooses the initial conditions of [FieldSnapshots]: exactly one
// of Random or Values.
type Initial struct {
	Random *RandomInitial      `yaml:"random,omitempty" doc:"random smooth Fourier data for every field"`
	Let    datasets.NamedExprs `yaml:"let,omitempty" doc:"random draws (uniform(a, b), normal(mu, sigma)) and formulas shared by the values, drawn once per initial condition"`
	Values datasets.NamedExprs `yaml:"values,omitempty" doc:"one expression of x (and let names, parameters) per field"`
}

// RandomInitial is random smooth Fourier data: field = amplitude ·
// Σ_{m=1..modes} m^(−decay) (a_m cos(2πmx/L) + b_m sin(2πmx/L)) with a_m, b_m
// standard normal, plus mean.
type RandomInitial struct {
	Amplitude float64 `yaml:"amplitude" doc:"overall factor of the Fourier modes"`
	Modes     int     `yaml:"modes" doc:"number of Fourier modes m = 1..modes"`
	Decay     float64 `yaml:"decay" doc:"power-law decay of the mode amplitudes, m^(−decay)"`
	Mean      float64 `yaml:"mean" doc:"constant added to every field"`
}
