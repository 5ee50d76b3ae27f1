// Package datasets generates training data for learning vector fields and
// Hamiltonians: trajectories of a dynamical system recorded on a time grid,
// with exact derivatives as targets, optional Gaussian noise on the inputs and
// a seeded train/test split (the setups of Greydanus et al. 2019,
// "Hamiltonian Neural Networks").
//
// A [System] supplies the variables and the vector field; a [Sampler] draws
// initial conditions ([Radius], [Box] or [Expressions]: formulas with random
// draws such as uniform(0.5, 1.5)); an odeint.Integrator integrates them; and
// [Generate] assembles a [Data] value of training and test [Set]s. Every
// random draw comes from the caller's *rand.Rand in a documented order, so a
// seed reproduces the data bit for bit.
//
// Two data kinds are registered: `trajectories` ([Trajectories]: noisy states
// along integrated trajectories, exact derivatives as targets) and
// `phase_space` ([PhaseSpace]: states drawn from a sampler, or along
// trajectories, with ẋ = f(x) and optional noise on ẋ — the data of the Lax
// pair search). Data kinds that need no dynamical system describe their
// rows themselves ([Describer]): `invariant_samples` (points labelled by
// bins of a function, for symmetry discovery) and `signals` (noisy signals
// against pure noise, raw or |FFT|, for dual frames); their labels are a
// [Column] of the [Set].
package datasets
