package architectures

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"

	"ansatz/autodiff"
	"ansatz/nn"
	"ansatz/registry"
	"ansatz/sparsefit"
	"ansatz/spec"
	"ansatz/symbolic"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Model, Name: "lax_connection",
		Doc: "a Lax connection of a 1+1-dimensional field theory: n×n matrices A_x(J), A_t(J) of the jets J = (u, u_x, …), each a polynomial in a feature dictionary of the jets, an MLP or fixed expressions, optionally polynomial in a spectral parameter λ; trained so that ∂_t A_x − ∂_x A_t + [A_x, A_t] = 0",
		New: func() any { return NewLaxConnectionConfig() },
	})
}

// SpectralName is the name of the spectral parameter λ in the expressions
// of a lax_connection matrix of kind expressions.
const SpectralName = "lambda"

// LaxConnectionConfig is the options of the lax_connection model.
//
// The model maps a batch of jets J [B, d] (the data's columns, e.g. u, u_x,
// u_xx) to A_x(J) and A_t(J). Its inputs are the features: a declared list
// of expressions of the jets (default: the jets themselves). A polynomial
// matrix is Σ_α C_α Φ^α over the monomials Φ^α of the features up to its
// degree; an MLP maps the feature values to the n² entries; an expressions
// matrix is given entry by entry and has no parameters (the verification
// case).
//
// The spectral parameter λ enters as fixed values: with spectral.values =
// [λ_1, …, λ_m] every jet is evaluated at each λ_s (the batch is repeated m
// times, row j·m + s at λ_s), and a polynomial matrix is
// A = Σ_{p ≤ lambda_degree} λ^p A_p(J), each A_p a polynomial in the
// features; an MLP takes λ as one more input; expressions use the name
// lambda. Without spectral values there is no λ: a learned connection may
// still carry a constant playing its role (λ_eff) in its constant terms.
// A learnable λ is not offered: with fixed values the zero-curvature
// condition is imposed at each of them, which is what makes the λ
// dependence a family of flat connections rather than one of them. With m
// values a polynomial of λ degree ≥ m − 1 is as free as m unrelated
// connections (it interpolates any function of λ at the m points), so keep
// lambda_degree below m − 1 to couple them.
//
// The polynomial coefficients start from N(0, init_scale²) (default 0.1,
// as lax_pair's). On KdV solution data (experiments/kdv-lax.yaml, 6
// restarts) init_scale 0.1 found the textbook pair in 2 restarts and 1 in
// 3; on random off-shell jets (1500–3000 Adam steps) 0.1 stalled in 8 of 8
// restarts in near-abelian minima held at the commutator guard, and 1 came
// closer (best 3e-5) without reaching the pair.
type LaxConnectionConfig struct {
	Size     int                    `yaml:"size" spec:"required,>=2" doc:"n: A_x and A_t are n×n matrices"`
	Features []spec.Expr            `yaml:"features" doc:"the feature dictionary: expressions of the jets (e.g. [u, u_x, u_xx] or [phi_x, p, cos(phi), sin(phi)]); empty = the jets themselves"`
	Spectral SpectralConfig         `yaml:"spectral" doc:"the spectral parameter λ (none when values is empty)"`
	Ax       ConnectionMatrixConfig `yaml:"A_x" doc:"the ansatz of A_x(J)"`
	At       ConnectionMatrixConfig `yaml:"A_t" doc:"the ansatz of A_t(J)"`

	// features are the parsed Features, set by Validate.
	features []symbolic.Node
}

// SpectralConfig declares the values of the spectral parameter λ at which
// the connection is evaluated (and trained).
type SpectralConfig struct {
	Values []float64 `yaml:"values" doc:"the values of λ; every jet is evaluated at each (empty: no spectral parameter)"`
}

// ConnectionMatrixConfig is the ansatz of one of A_x, A_t.
type ConnectionMatrixConfig struct {
	Kind          string          `yaml:"kind" spec:"oneof=polynomial|mlp|expressions" doc:"polynomial (Σ_α C_α Φ^α over monomials of the features), mlp (a network features → n² entries) or expressions (fixed entries, no parameters)"`
	Degree        int             `yaml:"degree" doc:"polynomial: the highest total degree of the monomials of the features"`
	LambdaDegree  int             `yaml:"lambda_degree" doc:"polynomial: the highest power of λ (needs spectral.values)"`
	InitScale     float64         `yaml:"init_scale" doc:"polynomial: standard deviation of the normal initial coefficients"`
	Entries       [][]spec.Expr   `yaml:"entries" doc:"expressions: n rows of n expressions of the jets (and lambda)"`
	Network       nn.MLPConfig    `yaml:",inline"`
	parsedEntries []symbolic.Node // set by Validate, row-major
}

// NewLaxConnectionConfig returns the defaults: A_x and A_t polynomials of
// degree 1 in the features, λ absent; Size has no default.
func NewLaxConnectionConfig() *LaxConnectionConfig {
	return &LaxConnectionConfig{Ax: NewConnectionMatrixConfig(1), At: NewConnectionMatrixConfig(1)}
}

// NewConnectionMatrixConfig returns a polynomial ansatz of the given degree
// with initial coefficients of scale PolynomialInitScale, and the network
// options for kind mlp set to two hidden layers of 32,
// tanh, Glorot weights, uniform biases and an output bias.
func NewConnectionMatrixConfig(degree int) ConnectionMatrixConfig {
	m := NewMatrixConfig(degree)
	return ConnectionMatrixConfig{Kind: "polynomial", Degree: degree, InitScale: PolynomialInitScale, Network: m.Network}
}

// Validate checks the ranges and parses the expressions (entries are
// counted against the size by LaxConnectionConfig.Validate).
func (c *ConnectionMatrixConfig) Validate() error {
	var errs []error
	if c.Degree < 0 || c.Degree > 8 {
		errs = append(errs, spec.FieldErrorf("degree", "must be in [0, 8], got %d", c.Degree))
	}
	if !(c.InitScale >= 0) || c.InitScale > 1e6 {
		errs = append(errs, spec.FieldErrorf("init_scale", "must be in [0, 1e6], got %v", c.InitScale))
	}
	if c.LambdaDegree < 0 || c.LambdaDegree > 8 {
		errs = append(errs, spec.FieldErrorf("lambda_degree", "must be in [0, 8], got %d", c.LambdaDegree))
	}
	switch c.Kind {
	case "mlp":
		if err := validateNetwork(c.Network); err != nil {
			errs = append(errs, err)
		}
	case "expressions":
		if len(c.Entries) == 0 {
			errs = append(errs, spec.FieldErrorf("entries", "kind expressions needs the entries: n rows of n expressions"))
		}
	}
	if c.Kind != "expressions" && len(c.Entries) > 0 {
		errs = append(errs, spec.FieldErrorf("entries", "entries are for kind expressions, the kind is %s", c.Kind))
	}
	c.parsedEntries = nil
	for i, row := range c.Entries {
		for j, e := range row {
			n, err := parseExpr(e, fmt.Sprintf("entries[%d][%d]", i, j))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			c.parsedEntries = append(c.parsedEntries, n)
		}
	}
	return errors.Join(errs...)
}

// parseExpr parses e and returns a spec error inside the expression on
// failure, its path set to path.
func parseExpr(e spec.Expr, path string) (symbolic.Node, error) {
	n, err := symbolic.Parse(e.Text)
	if err != nil {
		var se *symbolic.Error
		if errors.As(err, &se) {
			pe := e.ErrorAt(se.Offset, se.Msg)
			pe.Path = path
			return nil, pe
		}
		return nil, spec.FieldErrorf(path, "%v", err)
	}
	return n, nil
}

// Validate checks the size, the spectral options against the matrices'
// λ degrees and the entries' shape, and parses the features.
func (c *LaxConnectionConfig) Validate() error {
	var errs []error
	if c.Size < 2 {
		errs = append(errs, spec.FieldErrorf("size", "must be ≥ 2, got %d", c.Size))
	}
	c.features = nil
	for i, f := range c.Features {
		n, err := parseExpr(f, fmt.Sprintf("features[%d]", i))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.features = append(c.features, n)
	}
	for i, v := range c.Spectral.Values {
		if v != v || v > 1e300 || v < -1e300 {
			errs = append(errs, spec.FieldErrorf(fmt.Sprintf("spectral.values[%d]", i), "must be finite, got %v", v))
		}
	}
	for _, m := range []struct {
		key string
		c   *ConnectionMatrixConfig
	}{{"A_x", &c.Ax}, {"A_t", &c.At}} {
		if m.c.LambdaDegree > 0 && len(c.Spectral.Values) == 0 {
			errs = append(errs, spec.FieldErrorf(m.key+".lambda_degree", "is %d but spectral.values is empty: declare the values of λ", m.c.LambdaDegree))
		}
		if m.c.Kind == "expressions" && c.Size >= 2 {
			if len(m.c.Entries) != c.Size {
				errs = append(errs, spec.FieldErrorf(m.key+".entries", "needs %d rows (size %d), got %d", c.Size, c.Size, len(m.c.Entries)))
				continue
			}
			for i, row := range m.c.Entries {
				if len(row) != c.Size {
					errs = append(errs, spec.FieldErrorf(fmt.Sprintf("%s.entries[%d]", m.key, i), "needs %d entries (size %d), got %d", c.Size, c.Size, len(row)))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// Build returns the connection for the jets s.Vars: A_x's parameters are
// drawn from rng first, then A_t's.
func (c *LaxConnectionConfig) Build(s State, rng *rand.Rand) (Model, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("lax_connection: %w", err)
	}
	if err := c.Ax.Validate(); err != nil {
		return nil, fmt.Errorf("lax_connection: A_x: %w", err)
	}
	if err := c.At.Validate(); err != nil {
		return nil, fmt.Errorf("lax_connection: A_t: %w", err)
	}
	if s.Dim() < 1 {
		return nil, errors.New("lax_connection: the data has no jet variables")
	}
	feats, err := newFeatureSet(c.Features, c.features, s.Vars)
	if err != nil {
		return nil, fmt.Errorf("lax_connection: %w", err)
	}
	m := &ConnectionModel{n: c.Size, vars: slices.Clone(s.Vars), feats: feats, lambda: slices.Clone(c.Spectral.Values)}
	if m.ax, err = c.Ax.build("A_x", m, rng); err != nil {
		return nil, err
	}
	if m.at, err = c.At.build("A_t", m, rng); err != nil {
		return nil, err
	}
	return m, nil
}

// build returns the matrix function named name.
func (c *ConnectionMatrixConfig) build(name string, m *ConnectionModel, rng *rand.Rand) (*ConnectionMatrix, error) {
	n := m.n
	f := &ConnectionMatrix{kind: c.Kind, n: n}
	spectral := len(m.lambda) > 0
	switch c.Kind {
	case "polynomial":
		f.exps = monomials(len(m.feats.names), c.Degree)
		f.lambdaDegree = c.LambdaDegree
		base := monomialNames(f.exps, m.feats.names)
		for p := 0; p <= c.LambdaDegree; p++ {
			for _, b := range base {
				f.names = append(f.names, lambdaMonomial(p, b))
			}
		}
		w := make([]float64, len(f.names)*n*n)
		for i := range w {
			w[i] = c.InitScale * rng.NormFloat64()
		}
		f.coef = autodiff.Variable(w, len(f.names), n*n)
	case "mlp":
		cfg := c.Network
		cfg.In, cfg.Out = len(m.feats.names), n*n
		if spectral {
			cfg.In++
		}
		net, err := nn.NewMLP(rng, cfg)
		if err != nil {
			return nil, fmt.Errorf("lax_connection: %s: %w", name, err)
		}
		f.net = net
	case "expressions":
		vars := slices.Clone(m.vars)
		if spectral {
			vars = append(vars, SpectralName)
		}
		if len(c.parsedEntries) != n*n {
			return nil, fmt.Errorf("lax_connection: %s: needs %d entries, got %d", name, n*n, len(c.parsedEntries))
		}
		f.entries = make([]symbolic.Func, n*n)
		f.grads = make([]symbolic.Func, n*n*len(m.vars))
		f.formulas = make([]string, n*n)
		for k, node := range c.parsedEntries {
			where := fmt.Sprintf("%s.entries[%d][%d]", name, k/n, k%n)
			if err := symbolic.CheckNames(node, vars); err != nil {
				hint := ""
				if !spectral && symbolic.Contains(node, SpectralName) {
					hint = " (lambda needs spectral.values)"
				}
				return nil, fmt.Errorf("lax_connection: %s: %q: %w%s", where, c.Entries[k/n][k%n].Text, err, hint)
			}
			node = symbolic.Simplify(node)
			f.formulas[k] = node.String()
			var err error
			if f.entries[k], err = symbolic.Compile(node, vars); err != nil {
				return nil, fmt.Errorf("lax_connection: %s: %w", where, err)
			}
			for v, name := range m.vars {
				g := symbolic.Simplify(symbolic.Diff(node, name))
				if f.grads[k*len(m.vars)+v], err = symbolic.Compile(g, vars); err != nil {
					return nil, fmt.Errorf("lax_connection: %s: ∂/∂%s: %w", where, name, err)
				}
			}
		}
	default:
		return nil, fmt.Errorf("lax_connection: %s: kind %q is not polynomial, mlp or expressions", name, c.Kind)
	}
	return f, nil
}

// lambdaMonomial names λ^p times a monomial.
func lambdaMonomial(p int, mono string) string {
	switch {
	case p == 0:
		return mono
	case mono == "1" && p == 1:
		return SpectralName
	case mono == "1":
		return SpectralName + "^" + strconv.Itoa(p)
	case p == 1:
		return SpectralName + "*" + mono
	default:
		return SpectralName + "^" + strconv.Itoa(p) + "*" + mono
	}
}

// featureSet is the compiled feature dictionary: each feature's value and
// its gradient with respect to the jets.
type featureSet struct {
	names  []string
	values []symbolic.Func
	grads  [][]symbolic.Func // [feature][jet]
	// identity is set when the features are the jets themselves.
	identity bool
}

func newFeatureSet(exprs []spec.Expr, nodes []symbolic.Node, vars []string) (*featureSet, error) {
	fs := &featureSet{}
	if len(exprs) == 0 {
		fs.names, fs.identity = slices.Clone(vars), true
		return fs, nil
	}
	for i, node := range nodes {
		if err := symbolic.CheckNames(node, vars); err != nil {
			return nil, fmt.Errorf("features[%d] %q: %w (the jets are %v)", i, exprs[i].Text, err, vars)
		}
		node = symbolic.Simplify(node)
		f, err := symbolic.Compile(node, vars)
		if err != nil {
			return nil, fmt.Errorf("features[%d]: %w", i, err)
		}
		gs := make([]symbolic.Func, len(vars))
		for v, name := range vars {
			if gs[v], err = symbolic.Compile(symbolic.Simplify(symbolic.Diff(node, name)), vars); err != nil {
				return nil, fmt.Errorf("features[%d]: ∂/∂%s: %w", i, name, err)
			}
		}
		fs.names = append(fs.names, exprs[i].Text)
		fs.values = append(fs.values, f)
		fs.grads = append(fs.grads, gs)
	}
	return fs, nil
}

// eval writes the feature values of the rows of x [rows·d] into f
// [rows·nf] and, for each direction v (nil entries skipped), the
// directional derivatives Σ_k ∂f/∂J_k v_k into fd[i].
func (fs *featureSet) eval(x []float64, d int, dirs [2][]float64) (f []float64, fd [2][]float64) {
	rows := len(x) / d
	if fs.identity {
		f = x
		for i, v := range dirs {
			fd[i] = v
		}
		return f, fd
	}
	nf := len(fs.names)
	f = make([]float64, rows*nf)
	for i, v := range dirs {
		if v != nil {
			fd[i] = make([]float64, rows*nf)
		}
	}
	for r := range rows {
		xr := x[r*d : (r+1)*d]
		for k := range nf {
			f[r*nf+k] = fs.values[k](xr)
			for i, v := range dirs {
				if v == nil {
					continue
				}
				var s float64
				for j, g := range fs.grads[k] {
					if vj := v[r*d+j]; vj != 0 {
						s += g(xr) * vj
					}
				}
				fd[i][r*nf+k] = s
			}
		}
	}
	return f, fd
}

// Jets is a batch the connection is evaluated on: the jets X [B, d], their
// time derivatives DT [B, d] (∂_t of each jet, from the equations) and their
// x derivatives DX [B, d] (each jet's next jet), and the spectral parameter
// per row (nil without one). DT and DX may be nil when the derivative along
// them is not wanted.
type Jets struct {
	X, DT, DX *autodiff.Tensor
	Lambda    []float64
}

// ConnectionValues are a connection and its derivatives on a batch of R
// rows, each [R, n, n]: A_x, A_t, ∂_t A_x = (∂A_x/∂J)·DT and
// ∂_x A_t = (∂A_t/∂J)·DX (nil when the direction was nil).
type ConnectionValues struct {
	Ax, At, DtAx, DxAt *autodiff.Tensor
}

// Curvature returns Z = ∂_t A_x − ∂_x A_t + [A_x, A_t] [R, n, n].
func (v *ConnectionValues) Curvature() *autodiff.Tensor {
	return autodiff.Add(autodiff.Sub(v.DtAx, v.DxAt), autodiff.Commutator(v.Ax, v.At))
}

// Connection is a Model of a Lax connection of a field theory: n×n matrix
// functions A_x(J), A_t(J) of the jets J, meant to satisfy the zero-curvature
// condition ∂_t A_x − ∂_x A_t + [A_x, A_t] = 0 on solutions.
type Connection interface {
	Model
	// Size is n.
	Size() int
	// Spectral returns the values of λ the connection is trained at (nil
	// without a spectral parameter).
	Spectral() []float64
	// Connection evaluates A_x, A_t and their derivatives on the batch j
	// (whose Lambda has one value per row when Spectral is non-nil). With
	// createGraph the results can be differentiated with respect to the
	// parameters.
	Connection(j Jets, createGraph bool) (*ConnectionValues, error)
}

// EvalConnection evaluates c on the jets x [B, d] with directions dt and dx
// (either may be nil) at every spectral value of c: the rows are repeated
// once per value, row i·m + s at λ_s (m = 1 without a spectral parameter).
func EvalConnection(c Connection, x, dt, dx *autodiff.Tensor, createGraph bool) (*ConnectionValues, error) {
	lam := c.Spectral()
	if len(lam) == 0 {
		return c.Connection(Jets{X: x, DT: dt, DX: dx}, createGraph)
	}
	m, b := len(lam), x.Rows()
	rep := func(t *autodiff.Tensor) *autodiff.Tensor {
		if t == nil {
			return nil
		}
		d := t.Cols()
		out := make([]float64, 0, b*m*d)
		for i := range b {
			row := t.Data()[i*d : (i+1)*d]
			for range m {
				out = append(out, row...)
			}
		}
		return autodiff.New(out, b*m, d)
	}
	l := make([]float64, 0, b*m)
	for range b {
		l = append(l, lam...)
	}
	return c.Connection(Jets{X: rep(x), DT: rep(dt), DX: rep(dx), Lambda: l}, createGraph)
}

// ConnectionModel is a built lax_connection model.
type ConnectionModel struct {
	n      int
	vars   []string
	feats  *featureSet
	lambda []float64
	ax, at *ConnectionMatrix
}

// Size is n.
func (m *ConnectionModel) Size() int { return m.n }

// Spectral returns the declared values of λ (nil if none).
func (m *ConnectionModel) Spectral() []float64 { return slices.Clone(m.lambda) }

// Vars are the jet names the model was built for.
func (m *ConnectionModel) Vars() []string { return slices.Clone(m.vars) }

// Features names the features (the expressions as written, or the jets).
func (m *ConnectionModel) Features() []string { return slices.Clone(m.feats.names) }

// FeatureValues returns the features at the rows of the jets x (each
// len(Vars) values): len(Features) values per row, row-major.
func (m *ConnectionModel) FeatureValues(x []float64) []float64 {
	f, _ := m.feats.eval(x, len(m.vars), [2][]float64{})
	return slices.Clone(f)
}

// Ax is the ansatz of A_x.
func (m *ConnectionModel) Ax() *ConnectionMatrix { return m.ax }

// At is the ansatz of A_t.
func (m *ConnectionModel) At() *ConnectionMatrix { return m.at }

// Params are A_x's parameters, then A_t's (none for expressions).
func (m *ConnectionModel) Params() []*autodiff.Tensor {
	return append(m.ax.Params(), m.at.Params()...)
}

// Connection evaluates the connection on j (see Connection).
func (m *ConnectionModel) Connection(j Jets, createGraph bool) (*ConnectionValues, error) {
	d := len(m.vars)
	if j.X == nil || j.X.Cols() != d {
		return nil, fmt.Errorf("lax_connection: the jets must be [B, %d] (%v)", d, m.vars)
	}
	rows := j.X.Rows()
	for _, t := range []*autodiff.Tensor{j.DT, j.DX} {
		if t != nil && (t.Rows() != rows || t.Cols() != d) {
			return nil, fmt.Errorf("lax_connection: derivatives of the jets must be [%d, %d], got %v", rows, d, t.Shape())
		}
	}
	if len(m.lambda) > 0 && len(j.Lambda) != rows {
		return nil, fmt.Errorf("lax_connection: the spectral parameter needs one λ per row (%d), got %d", rows, len(j.Lambda))
	}
	if len(m.lambda) == 0 && j.Lambda != nil {
		return nil, errors.New("lax_connection: λ given to a connection without a spectral parameter")
	}
	data := func(t *autodiff.Tensor) []float64 {
		if t == nil {
			return nil
		}
		return t.Data()
	}
	f, fd := m.feats.eval(j.X.Data(), d, [2][]float64{data(j.DT), data(j.DX)})
	in := &connInput{rows: rows, d: d, nf: len(m.feats.names), x: j.X.Data(), lambda: j.Lambda, f: f}
	ax, dtax, err := m.ax.eval(in, data(j.DT), fd[0], createGraph)
	if err != nil {
		return nil, fmt.Errorf("lax_connection: A_x: %w", err)
	}
	at, dxat, err := m.at.eval(in, data(j.DX), fd[1], createGraph)
	if err != nil {
		return nil, fmt.Errorf("lax_connection: A_t: %w", err)
	}
	sh := func(t *autodiff.Tensor) *autodiff.Tensor {
		if t == nil {
			return nil
		}
		return autodiff.Reshape(t, rows, m.n, m.n)
	}
	return &ConnectionValues{Ax: sh(ax), At: sh(at), DtAx: sh(dtax), DxAt: sh(dxat)}, nil
}

// connInput is a batch prepared for the matrices: jets, λ and feature
// values, row-major.
type connInput struct {
	rows, d, nf int
	x, lambda   []float64
	f           []float64
}

// ConnectionMatrix is one of A_x, A_t: a polynomial in the features (and
// λ), an MLP or fixed expressions.
//
// A polynomial is A(J, λ)_ij = Σ_k C[k, i·n+j] ψ_k with ψ_k the monomials of
// the features times powers of λ (Monomials names them, λ^0 block first):
// it is linear in C, and the features and their derivatives are constants
// of the data, so A = Ψ·C and ∂A = (∂Ψ)·C are two products with the
// parameters and a trained C reads as a formula.
type ConnectionMatrix struct {
	kind string
	n    int
	// polynomial
	exps         [][]int
	lambdaDegree int
	names        []string
	coef         *autodiff.Tensor
	// mlp
	net *nn.MLP
	// expressions: entry k's value and gradient w.r.t. jet v at grads[k·d+v]
	entries  []symbolic.Func
	grads    []symbolic.Func
	formulas []string
}

// Kind is "polynomial", "mlp" or "expressions".
func (f *ConnectionMatrix) Kind() string { return f.kind }

// Monomials names the rows of Coefficients (nil unless polynomial).
func (f *ConnectionMatrix) Monomials() []string { return slices.Clone(f.names) }

// Coefficients is the polynomial's coefficient matrix C [K, n²], the
// trained parameter itself (nil unless polynomial).
func (f *ConnectionMatrix) Coefficients() *autodiff.Tensor { return f.coef }

// Formulas returns the simplified entries of an expressions matrix,
// row-major (nil otherwise).
func (f *ConnectionMatrix) Formulas() []string { return slices.Clone(f.formulas) }

// Params are the trainable tensors (none for expressions).
func (f *ConnectionMatrix) Params() []*autodiff.Tensor {
	switch {
	case f.net != nil:
		return f.net.Params()
	case f.coef != nil:
		return []*autodiff.Tensor{f.coef}
	}
	return nil
}

// eval returns A [R, n²] and its derivative along the jet direction v (with
// fd the features' derivatives along v); the derivative is nil when v is.
func (f *ConnectionMatrix) eval(in *connInput, v, fd []float64, createGraph bool) (a, da *autodiff.Tensor, err error) {
	switch f.kind {
	case "polynomial":
		psi, dpsi := f.design(in, fd)
		a = autodiff.MatMul(psi, f.coef)
		if dpsi != nil {
			da = autodiff.MatMul(dpsi, f.coef)
		}
	case "mlp":
		w := in.nf
		if in.lambda != nil {
			w++
		}
		xs := make([]float64, in.rows*w)
		var vs []float64
		if fd != nil {
			vs = make([]float64, in.rows*w)
		}
		for r := range in.rows {
			copy(xs[r*w:], in.f[r*in.nf:(r+1)*in.nf])
			if in.lambda != nil {
				xs[r*w+in.nf] = in.lambda[r]
			}
			if fd != nil {
				copy(vs[r*w:], fd[r*in.nf:(r+1)*in.nf])
			}
		}
		x := autodiff.Variable(xs, in.rows, w)
		a = f.net.Forward(x)
		if vs != nil {
			if da, err = autodiff.JVP(a, x, autodiff.New(vs, in.rows, w), createGraph); err != nil {
				return nil, nil, fmt.Errorf("∂A = (∂A/∂J)·v: %w", err)
			}
		}
		if !createGraph {
			a = a.Detach()
		}
	case "expressions":
		nn := f.n * f.n
		vals := make([]float64, in.rows*nn)
		var dv []float64
		if v != nil {
			dv = make([]float64, in.rows*nn)
		}
		arg := make([]float64, in.d+1)
		for r := range in.rows {
			copy(arg, in.x[r*in.d:(r+1)*in.d])
			if in.lambda != nil {
				arg[in.d] = in.lambda[r]
			}
			for k := range nn {
				vals[r*nn+k] = f.entries[k](arg)
				if dv == nil {
					continue
				}
				var s float64
				for j := range in.d {
					if vj := v[r*in.d+j]; vj != 0 {
						s += f.grads[k*in.d+j](arg) * vj
					}
				}
				dv[r*nn+k] = s
			}
		}
		a = autodiff.New(vals, in.rows, nn)
		if dv != nil {
			da = autodiff.New(dv, in.rows, nn)
		}
	}
	return a, da, nil
}

// design returns the polynomial's design matrix Ψ [R, K] (monomials of the
// features times powers of λ) and its derivative along the features'
// directional derivatives fd (nil when fd is).
func (f *ConnectionMatrix) design(in *connInput, fd []float64) (psi, dpsi *autodiff.Tensor) {
	nb := len(f.exps)
	k := nb * (f.lambdaDegree + 1)
	ps := make([]float64, in.rows*k)
	var dps []float64
	if fd != nil {
		dps = make([]float64, in.rows*k)
	}
	val := make([]float64, nb)
	der := make([]float64, nb)
	for r := range in.rows {
		fr := in.f[r*in.nf : (r+1)*in.nf]
		var dr []float64
		if fd != nil {
			dr = fd[r*in.nf : (r+1)*in.nf]
		}
		monomialsAt(f.exps, fr, dr, val, der)
		lp := 1.0
		for p := 0; p <= f.lambdaDegree; p++ {
			for b := range nb {
				ps[r*k+p*nb+b] = lp * val[b]
				if dps != nil {
					dps[r*k+p*nb+b] = lp * der[b]
				}
			}
			if in.lambda != nil {
				lp *= in.lambda[r]
			}
		}
	}
	psi = autodiff.New(ps, in.rows, k)
	if dps != nil {
		dpsi = autodiff.New(dps, in.rows, k)
	}
	return psi, dpsi
}

// monomialsAt writes the value of each monomial Π f_i^e_i into val and,
// when df is non-nil, its derivative Σ_i e_i f_i^(e_i−1) df_i Π_{l≠i} f_l^e_l
// into der.
func monomialsAt(exps [][]int, f, df, val, der []float64) {
	sparsefit.MonomialValues(exps, f, val)
	if df == nil {
		return
	}
	for k, e := range exps {
		var s float64
		for i, ei := range e {
			if ei == 0 || df[i] == 0 {
				continue
			}
			t := float64(ei) * df[i]
			for l, el := range e {
				pw := el
				if l == i {
					pw--
				}
				for range pw {
					t *= f[l]
				}
			}
			s += t
		}
		der[k] = s
	}
}
