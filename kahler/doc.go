// Package kahler is ansatz's Calabi–Yau metric learning: metric models on a
// hypersurface X ⊂ P^n (the data kind hypersurface_points of package
// hypersurface), the physics losses that drive them to the Ricci-flat metric,
// and the analysis that compares them with Fubini–Study and Donaldson's
// balanced metrics across the complex-structure modulus ψ. It follows the
// conventions of the public library cymetric (PHYSICS.md §6, arXiv
// 2012.04656) except where noted below.
//
// # Models (registry kind model)
//
// Every model implements Metric: the metric pulled back to X,
// g_ab̄ = Σ J_ai g_ij̄ conj(J_bj) [B, n−1, n−1], from the patch-normalised
// point X [B, 2m] (m = n+1), the Jacobian J (column pullback) and, with
// moduli: true, ψ (column psi) as two extra network inputs.
//
//   - phi_fs: g = g_FS + ∂∂̄φ, φ a scalar network. ∂∂̄φ along J is computed
//     by forward-mode second derivatives of the network along the 2(n−1)
//     real directions (Re J_a, Im J_a) and (−Im J_a, Re J_a), batched through
//     the layers as [B·d, w] and [B·d(d+1)/2, w] GEMMs, so no reverse pass per
//     input is needed; g_ab̄ = ¼[(Q_{U_aU_b} + Q_{JU_aJU_b}) +
//     i(Q_{U_aJU_b} − Q_{JU_aU_b})]. Kähler by construction, in the FS class.
//   - mult_fs, add_fs, free: g = g_FS + g_FS ⊙ h, g_FS + h, h with h the
//     Hermitian matrix of the network's m² outputs (cymetric's
//     to_hermitian). Deviation: h acts on the ambient m×m metric before the
//     pull-back (cymetric: on the pulled-back (n−1)×(n−1) metric), because
//     here the pullback is a data column rather than a function of x, and
//     the Kähler loss needs a metric that is a function of the point alone.
//   - algebraic: K = log(s†Hs)/(kπ) over the degree-k sections, H = M M†
//     with M learned (positive semi-definite by construction), from H = 1.
//   - donaldson: the same metric with H from Donaldson's T-operator on the
//     training set (hypersurface.Donaldson), fitted by the runner
//     (architectures.Fitter) with train.steps 0; H is stored as its Cholesky
//     factor in the parameters, so model.params keeps it.
//
// # Losses (registry kind loss), each with an exponent power (default 1)
//
//   - monge_ampere: Σ w|1 − det g/(κ|Ω|²)|^p / Σ w, κ = Σ w det g/|Ω|² / Σ w
//     from the batch itself (cymetric's σ measure form: scale invariant, so
//     no fixed κ has to be known), computed per ψ value when the batch mixes
//     several and averaged over them. With p = 1 this is σ of the batch.
//   - sigma: σ exactly as PHYSICS.md §6 (p = 1, weights w, κ from the points
//     evaluated, per ψ value): use with weight 0 for the validation number
//     test.loss.sigma (the runner evaluates sets in chunks of 4096 and
//     averages, so κ is per chunk).
//   - kahler: mean Σ_abc |c_abc|^p with c_ijk = ∂_k g_ij̄ − ∂_i g_kj̄ of the
//     ambient metric (x-derivatives by one JVP per real coordinate,
//     ∂_k = ½(∂_{x_k} − i∂_{y_k})), contracted with J on all three indices,
//     i.e. the closure of the pulled-back Kähler form. Zero (to 1e-32) for
//     FS and phi_fs.
//   - transition: mean Σ_ab |g' − T g T†|^p/(n−1)², g' the model at alt_x in
//     the second chart; ≈ 1e-30 for Fubini–Study.
//   - volume: |Vol_K(g)/Vol_K(g_FS) − 1|^p with both volumes
//     mean(w det g/|Ω|²) on the same batch (Vol_K(g_FS) is the intersection
//     number in cymetric's units); the shared points cancel most of the
//     Monte-Carlo error.
//
// Losses weight points by w (normalised) only in monge_ampere, sigma and
// volume; kahler and transition are plain means. A ricci measure is not
// implemented.
//
// # Analysis sigma_by_psi
//
// Per ψ value of the held-out set: sigma.psi=<v> (the model), sigma_fs.psi=<v>
// and, with donaldson_k, sigma_donaldson_k<k>.psi=<v> (fitted on the
// training points of that ψ); sigma_ratio.min = min_ψ σ_FS/σ_model; at ψ = 0
// on a quintic, sigma.symmetry_gap = max |σ' − σ|/σ over the points cyclically
// permuted, with two coordinates swapped, and multiplied by random fifth
// roots of unity (each point's chart, Ω, pullback and weight recomputed).
package kahler
