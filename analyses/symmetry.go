package analyses

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gopkg.in/yaml.v3"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/registry"
	"ansatz/spec"
	"ansatz/symmetry"
)

func init() {
	registry.Register(registry.Module{
		Kind: registry.Analysis, Name: "symmetry_generators",
		Doc: "generators of a symmetry read off a classifier's embedding (Krippendorf & Syvaeri): pairs close in the embedding, sign-invariant fits per coordinate plane, PCA, finite-transformation verification against random directions",
		New: func() any { return NewSymmetryGenerators() },
	})
}

// SymmetryGenerators is the analysis symmetry_generators: the recipe of
// package symmetry on the held-out points with the classifier's embedding
// layer (or another hidden layer).
//
//	analyses:
//	  - kind: symmetry_generators
//	    max_distance: 0.3       # ε: pairs at most this far apart in input space
//	    expected: so3           # so2 | so3 | a list of d×d matrices
//
// Rows of analysis.parquet: pairs and pairs.<plane>, the PCA ratios
// ratio.<k> with their parallel-analysis thresholds threshold.<k>, and per
// significant component (after ordering by the embedding's sensitivity)
// generator.<k> (text: the matrix), generator.<k>[i,j] (entries),
// generator.<k>.sensitivity, .score, .threshold, .z and .accepted (1 or 0).
// Metrics: symmetry.components (significant before verification),
// symmetry.count (accepted), symmetry.pairs and, with expected,
// symmetry.angle_deg — the largest principal angle between the accepted
// generators' span and the expected one (90 when none is accepted).
type SymmetryGenerators struct {
	symmetry.Options `yaml:",inline"`
	Layer            string  `yaml:"layer" doc:"layer whose activations choose the pairs: embedding, hidden1, … or logits"`
	VerifyLayer      string  `yaml:"verify_layer" doc:"layer whose change under exp(θT) the verification measures: logits (the embedding as the output layer reads it), embedding, hidden1, …"`
	Expected         Algebra `yaml:"expected,omitempty" doc:"expected algebra, for the angle metric: so2 (first two variables), so3 (first three) or a list of d×d matrices"`
}

// Logits names the classifier's output layer as a layer option.
const Logits = "logits"

// NewSymmetryGenerators returns the defaults of package symmetry, pairs
// from the embedding layer and the verification on the logits.
//
// Why the logits for the verification: training makes only what the output
// layer reads of the embedding invariant; hidden units it ignores may vary
// along a symmetry. Measured on the raw embedding, the true rotations of
// the trained circle and sphere classifiers scored 0.4–0.6 of the median
// random direction and the false direction of x⁴ + y² 0.6 (no separation);
// on the logits 0.01–0.05 against 0.2.
func NewSymmetryGenerators() *SymmetryGenerators {
	return &SymmetryGenerators{Options: symmetry.NewOptions(), Layer: architectures.EmbeddingLayer, VerifyLayer: Logits}
}

// Validate checks the options.
func (a *SymmetryGenerators) Validate() error {
	if err := a.Options.Validate(); err != nil {
		return err
	}
	if a.Layer == "" {
		return spec.FieldErrorf("layer", "name a layer (embedding, hidden1, … or logits)")
	}
	if a.VerifyLayer == "" {
		return spec.FieldErrorf("verify_layer", "name a layer (logits, embedding, hidden1, …)")
	}
	return a.Expected.validate()
}

// Algebra is an expected symmetry algebra: a name (so2, so3) or a list of
// generator matrices (each a list of rows).
type Algebra struct {
	Name     string
	Matrices [][][]float64
}

// DecodeYAML accepts a name or a list of matrices.
func (g *Algebra) DecodeYAML(n *yaml.Node, file string) spec.ErrorList {
	if n.Kind == yaml.ScalarNode {
		*g = Algebra{Name: n.Value}
		return nil
	}
	var ms [][][]float64
	if errs := spec.Decode(n, &ms, "", file); len(errs) > 0 {
		return errs
	}
	*g = Algebra{Matrices: ms}
	return nil
}

// MarshalYAML writes the name or the matrices.
func (g Algebra) MarshalYAML() (any, error) {
	if g.Name != "" {
		return g.Name, nil
	}
	return g.Matrices, nil
}

// IsZero reports whether no algebra is declared.
func (g Algebra) IsZero() bool { return g.Name == "" && len(g.Matrices) == 0 }

func (g Algebra) validate() error {
	switch g.Name {
	case "", "so2", "so3":
	default:
		return spec.FieldErrorf("expected", "%q is not so2, so3 or a list of matrices", g.Name)
	}
	for k, m := range g.Matrices {
		for i, row := range m {
			if len(row) != len(m) {
				return spec.FieldErrorf("expected", "matrix %d is not square (row %d has %d entries for %d rows)", k+1, i+1, len(row), len(m))
			}
		}
	}
	return nil
}

// generators returns the expected generators for d variables.
func (g Algebra) generators(d int) ([][]float64, error) {
	switch g.Name {
	case "so2":
		if d < 2 {
			return nil, fmt.Errorf("expected so2 needs at least 2 variables, the data has %d", d)
		}
		return symmetry.SO2(d), nil
	case "so3":
		if d < 3 {
			return nil, fmt.Errorf("expected so3 needs at least 3 variables, the data has %d", d)
		}
		return symmetry.SO3(d), nil
	}
	var out [][]float64
	for k, m := range g.Matrices {
		if len(m) != d {
			return nil, fmt.Errorf("expected matrix %d is %d×%d, the data has %d variables", k+1, len(m), len(m), d)
		}
		var flat []float64
		for _, row := range m {
			flat = append(flat, row...)
		}
		out = append(out, flat)
	}
	return out, nil
}

// classifier returns the model as a classifier with the layer.
func (a *SymmetryGenerators) classifier(c *Context) (architectures.Classifier, error) {
	clf, ok := c.Model.(architectures.Classifier)
	if !ok {
		return nil, errors.New("needs a classifier model (model kind classifier)")
	}
	d := len(c.Vars)
	for _, l := range []struct{ key, name string }{{"layer", a.Layer}, {"verify_layer", a.VerifyLayer}} {
		if _, ok := clf.Layer(autodiff.Zeros(1, max(d, 1)), l.name, false); !ok && l.name != Logits {
			return nil, spec.FieldErrorf(l.key, "the classifier has no hidden layer %q (it has embedding, hidden1 … and logits)", l.name)
		}
	}
	return clf, nil
}

// Requires a classifier with the layer, at least two inputs and held-out
// data; the expected algebra must fit the inputs.
func (a *SymmetryGenerators) Requires(c *Context) error {
	if len(c.Vars) < 2 {
		return fmt.Errorf("needs at least 2 input variables, the data has %d", len(c.Vars))
	}
	if _, err := a.classifier(c); err != nil {
		return err
	}
	if !a.Expected.IsZero() {
		if _, err := a.Expected.generators(len(c.Vars)); err != nil {
			return spec.FieldErrorf("expected", "%v", err)
		}
	}
	return nil
}

// Analyse runs the recipe on the held-out points.
func (a *SymmetryGenerators) Analyse(c *Context) (Result, error) {
	clf, err := a.classifier(c)
	if err != nil {
		return Result{}, err
	}
	if c.Test == nil || c.Test.N < 2 {
		return Result{}, errors.New("needs held-out points: set data.split.test")
	}
	d := c.Test.D
	view := func(layer string) symmetry.Embedding {
		return func(x []float64, n int) ([]float64, error) {
			if layer == Logits {
				return clf.Logits(autodiff.New(x, n, d), false).Data(), nil
			}
			h, _ := clf.Layer(autodiff.New(x, n, d), layer, false)
			return h.Data(), nil
		}
	}
	found, err := symmetry.Find(view(a.Layer), view(a.VerifyLayer), c.Test.X, d, a.Options, c.RNG)
	if err != nil {
		return Result{}, err
	}
	var res Result
	num := func(name string, v float64) { res.Rows = append(res.Rows, Row{Name: name, Value: &v}) }
	text := func(name, s string) { res.Rows = append(res.Rows, Row{Name: name, Text: &s}) }
	num("pairs", float64(found.Pairs))
	for k, pl := range symmetry.Planes(d) {
		num(fmt.Sprintf("pairs.%s_%s", c.Vars[pl.I], c.Vars[pl.J]), float64(found.Eligible[k]))
	}
	num("fits", float64(len(found.Fits)))
	for k, r := range found.Ratios {
		num(fmt.Sprintf("ratio.%d", k+1), r)
		num(fmt.Sprintf("threshold.%d", k+1), found.Thresholds[k])
	}
	if n := len(found.Random); n > 0 {
		num("random.min", found.Random[0])
		num("random.median", found.Random[n/2])
		num("random.max", found.Random[n-1])
	}
	for k, g := range found.Directions {
		name := fmt.Sprintf("generator.%d", k+1)
		text(name, formatMatrix(g, d, c.Vars))
		for i := range d {
			for j := range d {
				num(fmt.Sprintf("%s[%d,%d]", name, i, j), g[i*d+j])
			}
		}
		ch := found.Checks[k]
		num(name+".sensitivity", found.Sensitivity[k])
		num(name+".score", ch.Score)
		num(name+".threshold", ch.Threshold)
		num(name+".z", ch.Z)
		num(name+".leaving_angle_deg", ch.Angle)
		acc := 0.0
		if ch.Accepted {
			acc = 1
		}
		num(name+".accepted", acc)
	}
	accepted := found.Accepted()
	res.Metrics = []Metric{
		{"symmetry.components", float64(len(found.Components))},
		{"symmetry.count", float64(len(accepted))},
		{"symmetry.pairs", float64(found.Pairs)},
	}
	if !a.Expected.IsZero() {
		want, err := a.Expected.generators(d)
		if err != nil {
			return Result{}, err
		}
		ang, err := symmetry.LargestAngle(accepted, want)
		if err != nil {
			return Result{}, err
		}
		num("angle_deg", ang)
		// The expected generators' own scores: how invariant the network is
		// along the true symmetry (a floor for the recovered generators).
		mean := stat.Mean(found.Random, nil)
		for k, g := range want {
			sc, err := symmetry.Score(view(a.VerifyLayer), found.Held, d, g, a.Verify.Angles)
			if err != nil {
				return Result{}, err
			}
			num(fmt.Sprintf("expected.%d.score", k+1), sc)
			num(fmt.Sprintf("expected.%d.leaving_angle_deg", k+1), symmetry.LeavingAngle(sc, mean, d))
		}
		res.Metrics = append(res.Metrics, Metric{"symmetry.angle_deg", ang})
	}
	return res, nil
}

// formatMatrix writes a d×d generator as rows of entries with 3 decimals,
// e.g. "[[0, -1], [1, 0]] on (x, y)".
func formatMatrix(g []float64, d int, vars []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range d {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('[')
		for j := range d {
			if j > 0 {
				b.WriteString(", ")
			}
			v := g[i*d+j]
			if v > -5e-4 && v < 5e-4 {
				v = 0
			}
			b.WriteString(strconv.FormatFloat(v, 'f', 3, 64))
		}
		b.WriteByte(']')
	}
	b.WriteString("] on (" + strings.Join(vars, ", ") + ")")
	return b.String()
}
