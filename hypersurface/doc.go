// Package hypersurface is the geometry of Calabi–Yau hypersurfaces in
// projective space for ansatz: complex polynomials parsed from expressions,
// the system kind `hypersurface`, Shiffman–Zelditch point sampling, the data
// kind `hypersurface_points`, the Fubini–Study metric and its pullback, the
// holomorphic volume form Ω, integration weights, the σ measure of a metric,
// and the algebraic (Donaldson) metrics with the T-operator iteration. All
// numerics are plain Go complex128; nothing here needs the autodiff engine.
//
// Conventions follow the public library cymetric (see PHYSICS.md §6 of the
// project notes and arXiv 2012.04656):
//
//   - A hypersurface X = {p = 0} ⊂ P^n, p homogeneous of degree d in the
//     coordinates z_0..z_n; a Calabi–Yau needs d = n+1. X has complex
//     dimension n−1 (3 for the quintic in P⁴).
//   - Points are patch-normalised: the coordinate of largest modulus (the
//     patch) is exactly 1 (z is divided by it). The eliminated coordinate is
//     j = argmax |∂p/∂z_j| over the coordinates other than the patch; the
//     n−1 remaining ones are the local (free) coordinates x_a, in increasing
//     index order.
//   - Ω = 1/(∂p/∂z_j) at the patch-normalised point (Fermat: 1/(d z_j^{d−1})).
//   - The pullback (Jacobian) J[a][i] = ∂z_i/∂x_a, an (n−1)×(n+1) complex
//     matrix: δ for the free coordinates, 0 for the patch coordinate and
//     −(∂p/∂z_{f_a})/(∂p/∂z_j) for the eliminated one.
//   - Metrics are Hermitian matrices g_{i j̄} = ∂_i ∂̄_j K stored row-major
//     (g[i*m+j] = g_{i j̄}); a metric pulled back to X is
//     g_pb[a][b] = Σ_ij J[a][i] g_{i j̄} conj(J[b][j]) (J g J†).
//   - Fubini–Study: K = (t/π) log|z|², g_{i j̄} = (t/π)(|z|² δ_ij − z̄_i z_j)/|z|⁴,
//     so that its Kähler class is t times the hyperplane class.
//   - Weights: the sampled points are distributed with the Fubini–Study volume
//     form (Shiffman–Zelditch), so w = V·|Ω|²/det g_FS,pb (t = 1) with V the
//     intersection number ∫_X J_FS^{n−1} = d (5 on the quintic, cymetric's
//     normalisation without the 1/(n−1)!). Then for any metric g,
//     Vol_K = mean(w·det g_pb/|Ω|²) estimates its volume in the same units
//     (exactly V for Fubini–Study, V·t^{n−1} for any metric in the class t·H),
//     Vol_CY = mean(w), κ = Vol_K/Vol_CY and
//     σ = (1/(Vol_CY N)) Σ w_i |1 − det g_i/(κ|Ω_i|²)|, invariant under g → c·g.
//     The weight of a point needs no global normalisation, so sets with
//     several ψ values need none either; σ and κ are computed per ψ value.
//
// # Data layout (the contract with the metric models)
//
// The data kind hypersurface_points fills a datasets.Set with N rows, for a
// hypersurface in P^n (m = n+1 homogeneous coordinates, n−1 local ones):
//
//	X              [N, 2m]          Re z_0..Re z_n, Im z_0..Im z_n of the patch-normalised point;
//	                                Vars "re_z0".."re_zn", "im_z0".."im_zn"
//	weight         [1]              w = V·|Ω|²/det g_FS,pb
//	omega2         [1]              |Ω|²
//	pullback       [2(n−1)m]        Re then Im of J, (n−1)×m row-major
//	patch          [1]              index of the patch coordinate (z_patch = 1)
//	elim           [1]              index of the eliminated coordinate
//	psi            [2]              Re ψ, Im ψ of the point's hypersurface (0, 0 without ψ)
//	alt_x          [2m]             the same point normalised in another patch: the
//	                                coordinate of second-largest modulus (z_alt = 1)
//	alt_patch      [1]              that patch's index
//	alt_elim       [1]              its eliminated coordinate (argmax |∂p/∂z_j| over j ≠ alt_patch)
//	alt_pullback   [2(n−1)m]        Re then Im of J at alt_x, in the alternative chart
//	alt_transition [2(n−1)²]        Re then Im of T, (n−1)×(n−1) row-major, T[b][a] = ∂x_a/∂x'_b
//
// Column names are the constants Col*. DX and F are nil. For a metric that is
// globally defined (a tensor on X), the metric in the alternative chart is
// g' = T g T† with g, g' the pulled-back matrices in the two charts, each
// computed at its own representative (X, resp. alt_x) with its own pullback;
// the Fubini–Study metric satisfies this to ~1e-13 (TestTransitionFS). Ω in
// the alternative chart is not stored: det g/|Ω|² is the same in both charts
// on a Calabi–Yau (both factors change by |det T|², TestOmegaTransition), so
// the measures need only one chart.
//
// # API for the metric models
//
// Sample draws points; ToSet and PointsFromSet convert between Points and
// the data set; Metric (FubiniStudy, Algebraic) gives ambient metrics,
// PullBack and DetFunc their pullbacks, Sigma, VolK, Kappa and VolCY the
// measures; Sections and Donaldson the balanced algebraic metrics;
// FindSingular the singularity guard of the data kind.
//
// Complex parameters: a parameter value is a number, a two-element list
// [re, im], or a string that strconv.ParseComplex reads ("0.5+0.1i"). Inside
// the polynomial expression the name i is the imaginary unit unless it is a
// coordinate or a parameter.
package hypersurface
