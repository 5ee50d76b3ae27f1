// Package odeint integrates autonomous ordinary differential equations
// ẋ = f(x) and reports the solution at requested output times.
//
// Four integrators share one interface:
//
//   - [RK4]: the classic fixed-step fourth-order Runge–Kutta method;
//   - [Dopri5]: the adaptive Dormand–Prince 5(4) pair with Hairer's step-size
//     control, for reference solutions at a given tolerance;
//   - [Leapfrog]: velocity Verlet (kick–drift–kick), second order and
//     symplectic, for separable Hamiltonians H = T(p) + V(q);
//   - [Yoshida4]: Yoshida's fourth-order composition of three leapfrog steps,
//     also symplectic.
//
// All of them return the states at the output times as one row-major slice
// (len(ts) rows of len(x0) values). Fixed-step methods take substeps of at most
// DT and shorten the last substep of every output interval so that each output
// time is hit exactly; Dopri5 likewise lands exactly on every output time.
//
// Every integrator also satisfies [BatchIntegrator]: it advances n independent
// states at once through a [BatchField], which lets a learned vector field
// evaluate a whole batch of trajectories in one network call. A batch gives the
// same result as a loop over single trajectories (bit for bit for the
// fixed-step methods; within tolerance for Dopri5, whose steps are shared).
//
// Integration stops with a [*NonFiniteError] naming the time, the component
// and (for a batch) the trajectory as soon as the state or f(x) becomes NaN or
// infinite. Work buffers are allocated once per call; the stepping loops do
// not allocate.
package odeint
