// Package sparsefit reads formulas out of numbers: it fits a function,
// sampled at states, to a sparse polynomial in the state's named variables.
//
// A [Dictionary] holds the monomials of the variables up to a total degree
// ("1", "x", "p_y", "x^2", "x*p_y", ...). [STLSQ] is the sequentially
// thresholded least squares of SINDy (Brunton, Proctor & Kutz, PNAS 113,
// 3932, 2016): solve least squares on the candidate columns, drop the
// columns whose coefficient is small, solve again on the rest, until the
// set of columns no longer changes. Here the columns are centred and scaled
// to unit standard deviation first, the intercept is fitted separately and
// never dropped, and "small" is relative: below Threshold times the largest
// standardised coefficient, so the threshold does not depend on the units
// of the data. A standardised coefficient is the standard deviation a term
// contributes to the fit, so a dropped term costs at most about
// Threshold² of the largest term's variance.
//
// [Dictionary.FitLevelSets] reads out a function that is not a polynomial
// but a function of one, F = g(P), from its gradient: it finds the sparse P
// whose gradient is parallel to ∇F.
//
// [Polynomial.Format] writes a fitted polynomial with a chosen number of
// significant digits in the syntax of package symbolic ("3*x - 2*x*y + 0.5").
package sparsefit
