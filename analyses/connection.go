package analyses

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/registry"
	"ansatz/sparsefit"
	"ansatz/spec"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Analysis, Name: "connection_verify",
		Doc: "judges a Lax connection: held-out and off-shell (random jets) zero-curvature residuals, matrix directions spanned, det A_x and tr(A_x A_t) read out as formulas, and a verdict genuine/spurious with its reasons (needs a lax_connection model)",
		New: func() any { return NewConnectionVerify() },
	})
}

// ConnectionVerify judges a learned Lax connection (A_x, A_t) of a field
// theory. A low on-shell residual is not enough: an abelian connection
// A = a(J)·M₀, b(J)·M₀ built from a conservation law is flat but encodes no
// Lax pair, and a network can be flat on the data's jets only. So the
// analysis measures
//
//   - the held-out residual: the mean over the held-out rows (and values of
//     λ) of ‖Z‖² / (‖∂_t A_x‖² + ‖∂_x A_t‖² + ‖[A_x, A_t]‖² + ε), the same
//     per-sample normalised squared residual the zero_curvature loss
//     minimises (metric connection.residual);
//   - the off-shell residual, the same on Count random jets far from any
//     solution, with ∂_t J from the equations (metric connection.offshell):
//     a genuine pair is flat identically in the jets, so this is as small
//     as the held-out residual; it needs a system that draws random jets
//     (kind field);
//   - the matrix directions: the number of singular values of the stacked
//     vec(A_x) (rows: held-out samples × λ) above DirectionTolerance times
//     the largest (connection.directions; connection.directions_t for A_t,
//     connection.directions_all for both together);
//   - the shares of ∂_t A_x and of the commutator in the held-out total
//     (connection.equation_share, connection.commutator_share);
//   - similarity invariants read out as sparse polynomials of the model's
//     features (option readout: features, the default) or of the jets (and
//     λ) by sparsefit's STLSQ: det A_x, det of its traceless part
//     A_x − (tr A_x/n)·1 (an abelian part a(J)·1 is a conservation law
//     added to the pair; it changes det A_x but not the traceless part),
//     tr(A_x A_t) and tr of the product of the traceless parts. Metric
//     connection.det_u_coef is the coefficient of the first read-out
//     variable (u for KdV) in the traceless determinant; the textbook KdV
//     pair has det = u − λ, and since constant similarity, KdV's scaling
//     and Galilean symmetries all keep that coefficient at 1, a learned
//     pair should have it too. The entries of A_x and A_t are read
//     out the same way (rows A_x[i,j], A_t[i,j]).
//
// The verdict is genuine when the held-out residual is at most OnShell, the
// off-shell residual at most OffShell (when it could be measured), A_x spans
// at least two matrix directions, the values generate a Lie algebra that
// is not solvable (metric connection.derived_dimension, see
// DerivedDimension), both shares are at least MinShare and,
// with several fields, so is every field's share of ∂_t A_x (metrics
// connection.field_share.<field>, see FieldShares); otherwise spurious.
// Rows "verdict" and "reasons" give it as text, metric connection.genuine
// as 1 or 0.
type ConnectionVerify struct {
	Count              int     `yaml:"count" spec:">0" doc:"number of random off-shell jets"`
	Scale              float64 `yaml:"scale" spec:">0" doc:"standard deviation of the random jets"`
	OnShell            float64 `yaml:"on_shell" spec:">0" doc:"largest held-out residual of a genuine connection"`
	OffShell           float64 `yaml:"off_shell" spec:">0" doc:"largest off-shell residual of a genuine connection"`
	DirectionTolerance float64 `yaml:"direction_tolerance" doc:"singular values below this fraction of the largest do not count as directions, in (0, 1)"`
	MinShare           float64 `yaml:"min_share" doc:"smallest equation and commutator shares of a genuine connection, in [0, 1)"`
	Epsilon            float64 `yaml:"epsilon" spec:">0" doc:"added to each sample's normaliser, as in the zero_curvature loss"`
	Degree             int     `yaml:"degree" doc:"highest total degree of the monomials of the jets (and λ) in the read-outs, 0 to 6"`
	Threshold          float64 `yaml:"threshold" doc:"STLSQ threshold of the read-outs (relative standardised coefficient), in [0, 1)"`
	Digits             int     `yaml:"digits" doc:"significant digits of the read-out formulas, 1 to 17"`
	Readout            string  `yaml:"readout" spec:"oneof=features|jets" doc:"variables of the read-outs: the model's features (e.g. cos(phi)) or the jets"`
}

// NewConnectionVerify returns the defaults: 2000 random jets of scale 1,
// tolerances 1e-6 on both residuals, directions above 1e-6 of the largest,
// shares at least 1e-3, ε 1e-12, read-outs in the model's features of
// degree 2 with threshold 1e-3 and 6 digits.
func NewConnectionVerify() *ConnectionVerify {
	return &ConnectionVerify{Count: 2000, Scale: 1, OnShell: 1e-6, OffShell: 1e-6, DirectionTolerance: 1e-6,
		MinShare: 1e-3, Epsilon: 1e-12, Degree: 2, Threshold: 1e-3, Digits: 6, Readout: "features"}
}

// Validate checks the ranges; errors name the field.
func (a *ConnectionVerify) Validate() error {
	var errs []error
	if !(a.DirectionTolerance > 0 && a.DirectionTolerance < 1) {
		errs = append(errs, spec.FieldErrorf("direction_tolerance", "must be in (0, 1), got %v", a.DirectionTolerance))
	}
	if !(a.MinShare >= 0 && a.MinShare < 1) {
		errs = append(errs, spec.FieldErrorf("min_share", "must be in [0, 1), got %v", a.MinShare))
	}
	if a.Degree < 0 || a.Degree > 6 {
		errs = append(errs, spec.FieldErrorf("degree", "must be in [0, 6], got %d", a.Degree))
	}
	if !(a.Threshold >= 0 && a.Threshold < 1) {
		errs = append(errs, spec.FieldErrorf("threshold", "must be in [0, 1), got %v", a.Threshold))
	}
	if a.Digits < 1 || a.Digits > 17 {
		errs = append(errs, spec.FieldErrorf("digits", "must be in [1, 17], got %d", a.Digits))
	}
	return errors.Join(errs...)
}

// readoutZero is the relative size below which a read-out quantity counts
// as zero: a det or trace that vanishes identically comes out of a learned
// connection (a similarity transform of the exact one, conditioned by its
// transform) at 1e-10 to 1e-9 of its natural scale.
const readoutZero = 1e-8

// errNoConnection is returned for models that are not Lax connections.
var errNoConnection = errors.New("needs a lax_connection model (matrices A_x(J), A_t(J) of the jets); the spec's model is not one")

// RandomJets is implemented by systems that draw jets far from any
// solution (fieldtheory's field systems): n rows of the jets of every field
// up to order, their time derivatives from the equations (dx) and their x
// derivatives (f), as the data's X, DX, F.
type RandomJets interface {
	Jets(order int) []string
	RandomJets(rng *rand.Rand, n, order int, scale float64) (x, dx, f []float64, err error)
}

// Requires a Lax connection and held-out data.
func (a *ConnectionVerify) Requires(c *Context) error {
	if _, ok := c.Model.(architectures.Connection); !ok {
		return errNoConnection
	}
	return nil
}

// CurvatureStats are the zero-curvature figures of a connection on a set of
// rows: the mean per-sample normalised residual and the shares of ∂_t A_x
// and [A_x, A_t] in the batch total.
type CurvatureStats struct {
	Residual, EquationShare, CommutatorShare float64
	// Rows is the number of rows (samples × values of λ).
	Rows int
}

// Curvature evaluates the connection on rows (x, dt, dx) of width d and
// returns its statistics and the values (for the directions and read-outs).
func Curvature(m architectures.Connection, x, dt, dx []float64, d int, eps float64) (CurvatureStats, *architectures.ConnectionValues, error) {
	b := len(x) / d
	if b == 0 || len(x) != b*d || len(dt) != len(x) || len(dx) != len(x) {
		return CurvatureStats{}, nil, fmt.Errorf("curvature: %d, %d and %d values for rows of %d jets", len(x), len(dt), len(dx), d)
	}
	v, err := architectures.EvalConnection(m, autodiff.New(slices.Clone(x), b, d), autodiff.New(slices.Clone(dt), b, d), autodiff.New(slices.Clone(dx), b, d), false)
	if err != nil {
		return CurvatureStats{}, nil, err
	}
	n := m.Size()
	nn := n * n
	rows := v.Ax.Rows()
	ax, at, dta, dxa := v.Ax.Data(), v.At.Data(), v.DtAx.Data(), v.DxAt.Data()
	comm := make([]float64, nn)
	var sumR, sumEq, sumComm, sumTot float64
	for r := range rows {
		o := r * nn
		commutator(ax[o:o+nn], at[o:o+nn], n, comm)
		var z2, eq, fl, cm float64
		for i := range nn {
			z := dta[o+i] - dxa[o+i] + comm[i]
			z2 += z * z
			eq += dta[o+i] * dta[o+i]
			fl += dxa[o+i] * dxa[o+i]
			cm += comm[i] * comm[i]
		}
		if math.IsNaN(z2) || math.IsInf(z2, 0) || math.IsInf(eq+fl+cm, 0) {
			return CurvatureStats{}, nil, fmt.Errorf("curvature: non-finite value at row %d", r)
		}
		sumR += z2 / (eq + fl + cm + eps)
		sumEq += eq
		sumComm += cm
		sumTot += eq + fl + cm
	}
	fr := float64(rows)
	st := CurvatureStats{Residual: sumR / fr, Rows: rows,
		EquationShare:   (sumEq / fr) / (sumTot/fr + eps),
		CommutatorShare: (sumComm / fr) / (sumTot/fr + eps)}
	return st, v, nil
}

// FieldShares returns, for jets ordered field by field (nf fields, d/nf
// jets each), the share of each field's time derivatives in the traceless
// part of ∂_t A_x: ⟨‖(∂A_x/∂J_f)·DX_f‖²⟩ / ⟨‖∂_t A_x‖²⟩ with DX_f the time
// derivatives of field f's jets alone (a trace part a(J)·1 is an abelian
// connection of its own, a conservation law, and does not count). Zero curvature sees the equations only through
// ∂_t A_x, so a field whose share vanishes has its equation unused: e.g. the
// principal chiral model's current connection at λ = 0, flat by the
// Maurer–Cartan equation alone.
func FieldShares(m architectures.Connection, x, dt []float64, d, nf int) ([]float64, error) {
	b := len(x) / d
	per := d / nf
	shares := make([]float64, nf)
	var total float64
	parts := make([][]float64, nf)
	for f := range nf {
		masked := make([]float64, len(dt))
		for r := range b {
			copy(masked[r*d+f*per:r*d+(f+1)*per], dt[r*d+f*per:r*d+(f+1)*per])
		}
		v, err := architectures.EvalConnection(m, autodiff.New(slices.Clone(x), b, d), autodiff.New(masked, b, d), nil, false)
		if err != nil {
			return nil, fmt.Errorf("field shares: %w", err)
		}
		// The trace part of a connection is an abelian connection of its
		// own (a conservation law), so only the traceless part counts.
		n := m.Size()
		nn := n * n
		p := slices.Clone(v.DtAx.Data())
		for r := 0; r < len(p)/nn; r++ {
			traceless(p[r*nn:(r+1)*nn], n, p[r*nn:(r+1)*nn])
		}
		parts[f] = p
	}
	for i := range parts[0] {
		var s float64
		for f := range nf {
			s += parts[f][i]
		}
		total += s * s
	}
	for f := range nf {
		var s float64
		for _, v := range parts[f] {
			s += v * v
		}
		shares[f] = s / math.Max(total, math.SmallestNonzeroFloat64)
	}
	return shares, nil
}

// DerivedDimension returns the dimension of the last term of the derived
// series of the Lie algebra generated by the n×n matrices in rows (n²
// values each): g = the span of the rows closed under commutators,
// g⁽¹⁾ = [g, g], g⁽ᵏ⁺¹⁾ = [g⁽ᵏ⁾, g⁽ᵏ⁾], until the dimension stops changing.
// It is 0 for a solvable algebra (abelian, triangular: a chain of
// conservation laws) and ≥ 3 when the algebra contains a simple one such as
// sl(2) or so(3). Spans come from the SVD of the stacked vectors, keeping
// singular values above tol times the largest (and above 1e-8 for the
// commutators of orthonormal bases).
func DerivedDimension(rows []float64, n int, tol float64) (int, error) {
	nn := n * n
	basis, err := spanBasis(rows, nn, tol, 0)
	if err != nil {
		return 0, err
	}
	// The Lie closure: add commutators until the span stops growing.
	for len(basis) > 0 {
		next, err := spanBasis(slices.Concat(slices.Concat(basis...), brackets(basis, n)), nn, tol, 1e-8)
		if err != nil {
			return 0, err
		}
		if len(next) == len(basis) {
			break
		}
		basis = next
	}
	for len(basis) > 0 {
		next, err := spanBasis(brackets(basis, n), nn, tol, 1e-8)
		if err != nil {
			return 0, err
		}
		if len(next) == len(basis) {
			return len(basis), nil
		}
		basis = next
	}
	return 0, nil
}

// brackets returns the commutators [X_i, X_j], i < j, of the n×n matrices
// in basis, stacked (n² values each).
func brackets(basis [][]float64, n int) []float64 {
	nn := n * n
	p1, p2 := make([]float64, nn), make([]float64, nn)
	var out []float64
	for i := range basis {
		for j := i + 1; j < len(basis); j++ {
			matMul(basis[i], basis[j], n, p1)
			matMul(basis[j], basis[i], n, p2)
			for k := range p1 {
				p1[k] -= p2[k]
			}
			out = append(out, p1...)
		}
	}
	return out
}

// spanBasis returns an orthonormal basis (each w values) of the span of
// rows: the right singular vectors whose singular values exceed tol times
// the largest and floor.
func spanBasis(rows []float64, w int, tol, floor float64) ([][]float64, error) {
	r := len(rows) / w
	if r == 0 {
		return nil, nil
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(r, w, slices.Clone(rows)), mat.SVDThinV) {
		return nil, errors.New("derived series: the SVD did not converge")
	}
	s := svd.Values(nil)
	var v mat.Dense
	svd.VTo(&v)
	var out [][]float64
	for k, sv := range s {
		if sv > tol*s[0] && sv > floor {
			out = append(out, mat.Col(nil, k, &v))
		}
	}
	return out, nil
}

// Directions returns the number of singular values of the rows [R, w]
// above tol times the largest (0 for all-zero rows).
func Directions(rows []float64, w int, tol float64) (int, error) {
	r := len(rows) / w
	if r == 0 {
		return 0, nil
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(r, w, slices.Clone(rows)), mat.SVDNone) {
		return 0, errors.New("directions: the SVD did not converge")
	}
	s := svd.Values(nil)
	if len(s) == 0 || s[0] == 0 {
		return 0, nil
	}
	k := 0
	for _, v := range s {
		if v > tol*s[0] {
			k++
		}
	}
	return k, nil
}

// jetOrder returns the order whose jets are vars, or an error.
func jetOrder(rj RandomJets, vars []string) (int, error) {
	for o := range 16 {
		j := rj.Jets(o)
		if len(j) > len(vars) {
			break
		}
		if slices.Equal(j, vars) {
			return o, nil
		}
	}
	return 0, fmt.Errorf("the model's inputs %v are not the jets of the system's fields up to some order", vars)
}

// Analyse computes the figures and the verdict (see ConnectionVerify).
func (a *ConnectionVerify) Analyse(c *Context) (Result, error) {
	if err := a.Validate(); err != nil {
		return Result{}, err
	}
	m, ok := c.Model.(architectures.Connection)
	if !ok {
		return Result{}, errNoConnection
	}
	test, err := heldOut(c)
	if err != nil {
		return Result{}, err
	}
	if test.DX == nil || test.F == nil {
		return Result{}, errors.New("needs ∂_t and ∂_x of the jets in the data (data kind field_snapshots)")
	}
	d := test.D
	var res Result
	val := func(name string, v float64) {
		x := v
		res.Rows = append(res.Rows, Row{Name: name, Value: &x})
		res.Metrics = append(res.Metrics, Metric{"connection." + name, v})
	}
	text := func(name, s string) {
		x := s
		res.Rows = append(res.Rows, Row{Name: name, Text: &x})
	}

	on, v, err := Curvature(m, test.X, test.DX, test.F, d, a.Epsilon)
	if err != nil {
		return Result{}, fmt.Errorf("held-out jets: %w", err)
	}
	val("residual", on.Residual)
	val("equation_share", on.EquationShare)
	val("commutator_share", on.CommutatorShare)

	offChecked := false
	var off CurvatureStats
	offNote := ""
	if rj, ok := c.System.(RandomJets); ok && c.RNG != nil {
		order, err := jetOrder(rj, c.Vars)
		if err != nil {
			return Result{}, fmt.Errorf("off-shell jets: %w", err)
		}
		x, dt, dx, err := rj.RandomJets(c.RNG, a.Count, order, a.Scale)
		if err != nil {
			return Result{}, fmt.Errorf("off-shell jets: %w", err)
		}
		if off, _, err = Curvature(m, x, dt, dx, d, a.Epsilon); err != nil {
			return Result{}, fmt.Errorf("off-shell jets: %w", err)
		}
		offChecked = true
		val("offshell", off.Residual)
	} else {
		offNote = "off-shell residual not measured (the system draws no random jets)"
	}

	// Which fields' equations enter ∂_t A_x (several fields only).
	var fieldNames []string
	var fieldShares []float64
	if fs, ok := c.System.(interface{ Fields() []string }); ok && len(fs.Fields()) > 1 {
		fieldNames = fs.Fields()
		if len(c.Vars) == d && d%len(fieldNames) == 0 {
			if fieldShares, err = FieldShares(m, test.X, test.DX, d, len(fieldNames)); err != nil {
				return Result{}, err
			}
			for i, f := range fieldNames {
				val("field_share."+f, fieldShares[i])
			}
		}
	}

	n := m.Size()
	nn := n * n
	dirX, err := Directions(v.Ax.Data(), nn, a.DirectionTolerance)
	if err != nil {
		return Result{}, err
	}
	dirT, err := Directions(v.At.Data(), nn, a.DirectionTolerance)
	if err != nil {
		return Result{}, err
	}
	dirAll, err := Directions(slices.Concat(v.Ax.Data(), v.At.Data()), nn, a.DirectionTolerance)
	if err != nil {
		return Result{}, err
	}
	val("directions", float64(dirX))
	val("directions_t", float64(dirT))
	val("directions_all", float64(dirAll))
	derived, err := DerivedDimension(slices.Concat(v.Ax.Data(), v.At.Data()), n, a.DirectionTolerance)
	if err != nil {
		return Result{}, err
	}
	val("derived_dimension", float64(derived))

	// Read-outs on the held-out rows, in the model's features (or the
	// jets), λ as one more variable.
	vars, feat, w := readoutVariables(m, c.Vars, test.X, d, a.Readout)
	lam := m.Spectral()
	xs := feat
	if len(lam) > 0 {
		vars = append(vars, architectures.SpectralName)
		xs = make([]float64, 0, test.N*len(lam)*(w+1))
		for i := range test.N {
			for _, l := range lam {
				xs = append(xs, feat[i*w:(i+1)*w]...)
				xs = append(xs, l)
			}
		}
	}
	rows := v.Ax.Rows()
	dict, err := sparsefit.NewDictionary(vars, a.Degree)
	if err != nil {
		return Result{}, err
	}
	opts := sparsefit.Options{Threshold: a.Threshold, MaxIter: 20}
	// fit reads y out as a polynomial; a y whose RMS is below readoutZero
	// times scale (the size such a value has from the matrices' entries)
	// is rounding noise around zero and reads "0".
	fit := func(name string, y []float64, scale float64) (*sparsefit.Polynomial, error) {
		var (
			p   *sparsefit.Polynomial
			err error
		)
		r2 := 1.0
		if rms(y) <= readoutZero*scale {
			p = &sparsefit.Polynomial{Vars: vars, Exps: dict.Exps, Coef: make([]float64, len(dict.Exps))}
		} else if p, r2, err = dict.Fit(xs, rows, y, opts); err != nil {
			return nil, fmt.Errorf("read-out of %s: %w", name, err)
		}
		f := p.Rounded(a.Digits).Format(a.Digits)
		res.Rows = append(res.Rows, Row{Name: name, Text: &f})
		res.Rows = append(res.Rows, Row{Name: name + ".r2", Value: &r2})
		return p, nil
	}
	det, detTL, tr, trTL := make([]float64, rows), make([]float64, rows), make([]float64, rows), make([]float64, rows)
	ax, at := v.Ax.Data(), v.At.Data()
	tlX, tlT, prod := make([]float64, nn), make([]float64, nn), make([]float64, nn)
	for r := range rows {
		A, B := ax[r*nn:(r+1)*nn], at[r*nn:(r+1)*nn]
		det[r] = mat.Det(mat.NewDense(n, n, slices.Clone(A)))
		traceless(A, n, tlX)
		traceless(B, n, tlT)
		detTL[r] = mat.Det(mat.NewDense(n, n, slices.Clone(tlX)))
		matMul(A, B, n, prod)
		tr[r] = trace(prod, n)
		matMul(tlX, tlT, n, prod)
		trTL[r] = trace(prod, n)
	}
	sx, st := rms(ax)*float64(n), rms(at)*float64(n) // RMS Frobenius norms
	if _, err := fit("det_A_x", det, math.Pow(sx, float64(n))); err != nil {
		return Result{}, err
	}
	pTL, err := fit("det_A_x_traceless", detTL, math.Pow(sx, float64(n)))
	if err != nil {
		return Result{}, err
	}
	if _, err := fit("tr_A_x_A_t", tr, sx*st); err != nil {
		return Result{}, err
	}
	if _, err := fit("tr_A_x_A_t_traceless", trTL, sx*st); err != nil {
		return Result{}, err
	}
	uCoef := 0.0
	for k, e := range pTL.Exps {
		if e[0] == 1 && slices.Equal(e[1:], make([]int, len(e)-1)) {
			uCoef = pTL.Coef[k]
		}
	}
	val("det_u_coef", uCoef)
	for _, mt := range []struct {
		name  string
		data  []float64
		scale float64
	}{{"A_x", ax, sx}, {"A_t", at, st}} {
		for i := range n {
			for j := range n {
				y := make([]float64, rows)
				for r := range rows {
					y[r] = mt.data[r*nn+i*n+j]
				}
				if _, err := fit(fmt.Sprintf("%s[%d,%d]", mt.name, i, j), y, mt.scale); err != nil {
					return Result{}, err
				}
			}
		}
	}

	// The verdict.
	var reasons []string
	genuine := true
	check := func(ok bool, format string, args ...any) {
		mark := "ok"
		if !ok {
			mark, genuine = "FAILS", false
		}
		reasons = append(reasons, fmt.Sprintf(format, args...)+": "+mark)
	}
	check(on.Residual <= a.OnShell, "held-out residual %.3g ≤ %.3g", on.Residual, a.OnShell)
	if offChecked {
		check(off.Residual <= a.OffShell, "off-shell residual %.3g ≤ %.3g (flat identically in the jets, not only on solutions)", off.Residual, a.OffShell)
	} else {
		reasons = append(reasons, offNote)
	}
	check(dirX >= 2, "A_x spans %d matrix directions ≥ 2 (one direction: an abelian connection, a conservation law)", dirX)
	check(on.CommutatorShare >= a.MinShare, "commutator share %.3g ≥ %.3g (non-abelian)", on.CommutatorShare, a.MinShare)
	check(derived > 0, "the values generate a non-solvable Lie algebra (derived series ends at dimension %d > 0, a solvable one is triangular: a chain of conservation laws)", derived)
	check(on.EquationShare >= a.MinShare, "∂_t A_x share %.3g ≥ %.3g (A_x varies along the flow)", on.EquationShare, a.MinShare)
	if fieldShares != nil {
		parts := make([]string, len(fieldNames))
		least := math.Inf(1)
		for i, f := range fieldNames {
			parts[i] = fmt.Sprintf("%s %.3g", f, fieldShares[i])
			least = math.Min(least, fieldShares[i])
		}
		check(least >= a.MinShare, "every field's equation enters ∂_t A_x with a share ≥ %.3g (%s)", a.MinShare, strings.Join(parts, ", "))
	}
	verdict := "spurious"
	g := 0.0
	if genuine {
		verdict, g = "genuine", 1
	}
	text("verdict", verdict)
	text("reasons", strings.Join(reasons, "; "))
	res.Metrics = append(res.Metrics, Metric{"connection.genuine", g})
	return res, nil
}

// trace returns the trace of the n×n row-major a.
func trace(a []float64, n int) float64 {
	var t float64
	for i := range n {
		t += a[i*n+i]
	}
	return t
}

// traceless writes a − (tr a/n)·1 into dst.
func traceless(a []float64, n int, dst []float64) {
	copy(dst, a)
	t := trace(a, n) / float64(n)
	for i := range n {
		dst[i*n+i] -= t
	}
}

// Featured is implemented by connection models with a feature dictionary
// (lax_connection): the read-outs use the features as variables.
type Featured interface {
	Features() []string
	FeatureValues(x []float64) []float64
}

// readoutVariables returns the names and values (w per row) of the
// read-out variables at the rows of the jets x: the model's features when
// mode is "features" and the model has them, else the jets. A feature
// with an operator outside parentheses is parenthesised ("(u_x^2)").
func readoutVariables(m architectures.Connection, jets []string, x []float64, d int, mode string) (names []string, vals []float64, w int) {
	if f, ok := m.(Featured); ok && mode == "features" {
		names = f.Features()
		for i, n := range names {
			if head, _, _ := strings.Cut(n, "("); strings.ContainsAny(head, " +-*/^") || strings.Contains(n, ")") && !strings.HasSuffix(n, ")") {
				names[i] = "(" + n + ")"
			}
		}
		return names, f.FeatureValues(x), len(names)
	}
	names = slices.Clone(jets)
	if len(names) != d {
		names = make([]string, d)
		for i := range names {
			names[i] = fmt.Sprintf("x%d", i)
		}
	}
	return names, x, d
}

// rms is the root mean square of v (0 for an empty v).
func rms(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s / float64(len(v)))
}
