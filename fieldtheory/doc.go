// Package fieldtheory provides 1+1-dimensional field theories on a periodic
// line: the system kind `field` (evolution equations u_t = f(u, u_x, u_xx, …)
// written as expressions), jets and total derivatives, a pseudo-spectral
// integrator (ETDRK4 or integrating-factor RK4, 2/3 dealiasing, gonum's real FFT)
// and the data kind `field_snapshots`, whose rows are the jets of the fields
// at the grid points of solution snapshots — the data of the search for a
// Lax connection (A_x, A_t) with zero curvature
// ∂_t A_x − ∂_x A_t + [A_x, A_t] = 0.
//
// # Jets
//
// For a field u the jet variables are u, u_x, u_xx, u_xxx, …: the derivative
// of order k is the field name, an underscore and k letters x. In equations,
// constraints and conserved densities the notation u_<k>x (u_3x = u_xxx,
// u_1x = u_x) is accepted too and means the same variable; names are always
// reported in the canonical form. The highest order anywhere is [MaxOrder].
// A field cannot be called pi (the built-in constant π of expressions):
// sine-Gordon's momentum is p below.
//
// With several fields the jets are ordered field by field, in the order the
// system declares the fields, and within a field by derivative order:
//
//	Jets(2) of (phi, p) = [phi phi_x phi_xx p p_x p_xx]
//
// This is the column order of the data's X, DX and F and of every []float64
// jet vector this package takes or returns.
//
// The total x-derivative acts on functions of the jets as
// D_x = Σ_k J_{k+1} ∂/∂J_k (summed over the fields); the time derivative of a
// jet follows from the equation, ∂_t J_k = D_x^k(u_t) with u_t = f(J).
//
// # Contract with the data consumers
//
// A data set of kind field_snapshots has, for every (snapshot, sampled grid
// point) row and every jet J of Jets(order):
//
//	X  = J                 the jet values (computed spectrally from the snapshot)
//	DX = ∂_t J = D_x^k(f)  the time derivative from the equation
//	F  = ∂_x J = J_{k+1}   the jet one order higher
//
// so that for any function A(J) of the jets, ∂_t A = (∂A/∂J)·DX and
// ∂_x A = (∂A/∂J)·F. DX is evaluated from the equation through symbolic total
// derivatives on the spectral jets; the spectral route (∂_x^k of the pointwise
// u_t) agrees with it to the data's resolution (≤ 1e-8 relative in the tests).
//
// Off shell, [System.RandomJets] draws jets far from any solution: the jets
// of every order are independent random numbers and DX, F follow from the
// equation and D_x exactly as above; [JetMap] evaluates (X, DX, F) for any
// given jets of a higher order.
//
// # Constraints
//
// A field system may declare one constraint c(u) = 0 on the fields (no
// derivatives), e.g. S1^2 + S2^2 + S3^2 − 1 for the Heisenberg magnet. A
// constraint that holds at every x also gives D_x^k c = 0 for every k, and
// these are the relations random jets satisfy: RandomJets draws the fields and
// moves them onto c = 0 by Newton steps along ∇c, then draws each higher jet
// J_k at random and removes its component along ∇c so that D_x^k c = 0 holds
// exactly (D_x^k c is affine in J_k with slope ∇c, so one projection
// suffices). Initial data of a constrained system are projected the same way
// before integration; data whose constraint is violated by more than the
// tolerance are an error.
//
// # The examples
//
//	KdV            u_t = -u_xxx - 6*u*u_x
//	sine-Gordon    phi_t = p, p_t = phi_xx - sin(phi)
//	Heisenberg     S_t = S × S_xx with S1^2 + S2^2 + S3^2 = 1
//	principal chiral model, g ∈ SU(2), as first-order equations in the currents
//	j_t = g⁻¹∂_t g = a·t, j_x = g⁻¹∂_x g = b·t (t_a = −iσ_a/2, [t_a, t_b] = ε_abc t_c):
//	               a_t = b_x,  b_t = a_x − a × b   (fields a1 a2 a3 b1 b2 b3)
//	with the Lax connection A_t = −(j_t + λ j_x)/(1 − λ²),
//	A_x = −(j_x + λ j_t)/(1 − λ²) (zero curvature in this package's sign
//	convention; tested).
//
// # Integration
//
// [Integrator] splits u_t = L u + N(u): L collects the linear terms with
// constant coefficients (found symbolically: a term is linear when its
// coefficient ∂f/∂J is a number), which act on each Fourier mode as a small
// matrix M(κ) = Σ c (iκ)^k; N is the rest, evaluated pointwise on the grid
// from spectral jets, with the upper third of the modes removed (2/3 rule).
// When every M(κ) is diagonal (KdV: −(iκ)³) the scheme is ETDRK4 (Cox &
// Matthews, with Kassam & Trefethen's contour integrals); otherwise
// (sine-Gordon's and the PCM's wave operators couple two fields) it is the
// integrating-factor RK4 (Lawson) with exp(M h) per mode. Without linear
// terms (Heisenberg) both are classical RK4. The step is fixed (option dt)
// or chosen from the stiffness: h = cfl / ρ, with ρ = max over the grid of
// Σ_k |∂N/∂J_k| κ_max^k (for the integrating factor plus ‖M(κ)‖ at the
// highest mode present), and shortened so that the snapshot times are hit
// exactly. KdV on 256 points over t ∈ [0, 1] takes ≈ 2000 steps, ≈ 0.2 s.
//
// # Data quality
//
// [FieldSnapshots.Make] returns with the data the checks of [Check]: the
// relative RMS difference between the equation's u_t (pointwise, from the
// spectral jets) and 4th-order centred time differences of the integrator's
// solution around every snapshot (ut_fd: it exposes spatial
// under-resolution, where the truncated dynamics differ from the equation),
// a step-halving estimate of the time-stepping error (step_error), the
// relative drift of every declared conserved integral, and max |c| of the
// constraint. Any of them above the data option tolerance fails the run,
// with all the numbers in the message.
package fieldtheory
