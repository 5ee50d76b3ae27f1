// Package symmetry reads the generators of a continuous symmetry off pairs of
// points that a trained network considers alike, following Krippendorf and
// Syvaeri, "Detecting symmetries with neural networks" (arXiv:2003.13679).
//
// The recipe, one file per step:
//
//	pairs.go     pairs of points close in the embedding but not in input space
//	fit.go       a sign-invariant fit of p' = p + ε T p per coordinate 2-plane,
//	             repeated over random subsets of the pairs
//	pca.go       PCA of the fitted generators; significant components by
//	             parallel analysis (Horn 1965) against isotropic fits
//	verify.go    the significant span ordered by how much the embedding moves
//	             along each direction, and the finite-transformation test of
//	             each direction: its score (embedding change per unit of
//	             input motion under exp(±θT)) must beat the random
//	             directions' 1 % quantile, and the mean angle at which its
//	             orbits cross the level sets (the score in units of the
//	             random directions', LeavingAngle) must be below 5°
//	subspace.go  principal angles between generator subspaces; so(2), so(3)
//
// A pair carries no direction: (p, p') and (p', p) are the same pair, so a fit
// must not depend on the order. Writing a pair as its midpoint m = (p + p')/2
// and difference δ = p' − p, a one-parameter group p' = exp(εT) p satisfies
// δ ∥ T m up to O(ε³) (exactly for rotations: the Cayley transform), and the
// condition "δ is parallel to T m" is linear in T and blind to the sign of δ.
// The naive least-squares fit of δ ≈ T m averages T to zero over pairs of
// random orientation ([FitNaive], kept for comparison).
//
// Measured with classifiers (experiments/*-so2.yaml, sphere-so3.yaml,
// no-symmetry.yaml; seeds 0–2): the recovered generators lie 0.2°–3.3° from
// so(2) and so(3) (2.1°–2.6° for so(3) at 20 pairs per fit), accepted at
// leaving angles of 1.5°–3.1°; the rotation-like direction fitted to
// x⁴ + y² leaves at 11°–15° and is rejected, though it beats 99 % of the
// random directions.
//
// Everything works on plain row-major slices: points x [n·d], embeddings
// [n·m], generators [d·d]. The network enters only through an [Embedding]
// function, so the numerics are tested on closed forms.
package symmetry
