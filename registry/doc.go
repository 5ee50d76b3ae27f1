// Package registry maps component names to constructors, for every kind of
// component a spec can name: systems, data generators, models, loss terms,
// optimizers, schedules, integrators, samplers and analyses.
//
// Components register themselves from their package's init function, the way
// database/sql drivers and Caddy modules do:
//
//	func init() {
//		registry.Register(registry.Module{
//			Kind: registry.Loss, Name: "hnn",
//			Doc:  "Hamiltonian neural network loss",
//			New:  func() any { return &HNNOptions{Norm: "squared"} },
//		})
//	}
//
// New returns a pointer to the component's options struct with its defaults
// filled in; Decode looks a spec.Component's kind up, calls New and decodes
// the component's options strictly over the defaults (unknown keys, wrong
// types and out-of-range values are errors with file:line:col), then runs
// the options' Validate method. Options lists a module's options for
// `ansatz list`.
//
// The registry's table is the only package-level mutable state in ansatz; it
// is guarded by a lock and, in practice, written only during init.
package registry
