package architectures_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/nn"
	"ansatz/registry"
	"ansatz/spec"

	"gopkg.in/yaml.v3"
)

// options returns the registered default options of model name and a pointer
// to their network configuration, so a test can change it before Build.
func options(t *testing.T, name string) (architectures.Builder, *nn.MLPConfig) {
	t.Helper()
	m, err := registry.Lookup(registry.Model, name)
	if err != nil {
		t.Fatal(err)
	}
	switch o := m.New().(type) {
	case *architectures.MLP:
		return o, &o.Network
	case *architectures.HNN:
		return o, &o.Network
	default:
		t.Fatalf("model %s: options of type %T", name, o)
		return nil, nil
	}
}

// build builds model name with its registered defaults, changed by edit when
// it is not nil, from a PCG generator seeded with seed.
func build(t *testing.T, name string, s architectures.State, seed uint64, edit func(*nn.MLPConfig)) architectures.VectorField {
	t.Helper()
	b, cfg := options(t, name)
	if edit != nil {
		edit(cfg)
	}
	m, err := b.Build(s, rand.New(rand.NewPCG(seed, 7)))
	if err != nil {
		t.Fatalf("build %s for %+v: %v", name, s, err)
	}
	return m.(architectures.VectorField)
}

// state returns a phase space of dim variables with nq coordinates.
func state(dim, nq int) architectures.State {
	vars := make([]string, dim)
	for i := range vars {
		vars[i] = string(rune('a' + i))
	}
	return architectures.State{Vars: vars, NQ: nq}
}

// points returns b states of dimension d with entries uniform in [−1.5, 1.5].
func points(rng *rand.Rand, b, d int) []float64 {
	x := make([]float64, b*d)
	for i := range x {
		x[i] = 3*rng.Float64() - 1.5
	}
	return x
}

// TestHNNFieldIsSymplecticGradient compares the HNN's Field with
// (∂H/∂p, −∂H/∂q) of its own Hamiltonian by central finite differences
// (step 1e-5, truncation ~1e-10 and rounding ~1e-11 for |H| ~ 1), to 1e-7.
func TestHNNFieldIsSymplecticGradient(t *testing.T) {
	tests := []struct {
		name  string
		state architectures.State
		edit  func(*nn.MLPConfig)
	}{
		{"nq=1 defaults", state(2, 1), nil},
		{"nq=2 defaults", state(4, 2), nil},
		{"nq inferred from dim 4", state(4, 0), nil},
		{"nq=2 softplus glorot last bias", state(4, 2), func(c *nn.MLPConfig) {
			c.Hidden, c.Activation, c.Init, c.LastBias = []int{32, 16, 8}, "softplus", "glorot", true
		}},
	}
	const (
		batch = 6
		h     = 1e-5
		tol   = 1e-7
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := build(t, "hnn", tc.state, 3, tc.edit)
			hm, ok := m.(architectures.Hamiltonian)
			if !ok {
				t.Fatalf("hnn model %T is not Hamiltonian", m)
			}
			d := tc.state.Dim()
			nq := d / 2
			x := points(rand.New(rand.NewPCG(11, 12)), batch, d)
			f, err := m.Field(autodiff.New(x, batch, d), false)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Shape(); !slices.Equal(got, []int{batch, d}) {
				t.Fatalf("field shape %v, want [%d %d]", got, batch, d)
			}
			energy := func(row []float64) float64 {
				return hm.Hamiltonian(autodiff.New(row, 1, d)).Item()
			}
			var largest float64
			for i := range batch {
				row := slices.Clone(x[i*d : (i+1)*d])
				grad := make([]float64, d)
				for k := range d {
					v := row[k]
					row[k] = v + h
					up := energy(row)
					row[k] = v - h
					down := energy(row)
					row[k] = v
					grad[k] = (up - down) / (2 * h)
				}
				for k := range d {
					var want float64
					if k < nq {
						want = grad[k+nq] // q̇ = ∂H/∂p
					} else {
						want = -grad[k-nq] // ṗ = −∂H/∂q
					}
					got := f.At(i, k)
					largest = max(largest, math.Abs(want))
					if math.Abs(got-want) > tol*(1+math.Abs(want)) {
						t.Errorf("state %d component %d: field %.12g, finite difference %.12g", i, k, got, want)
					}
				}
			}
			if largest < 1e-3 {
				t.Errorf("largest field component %g: the comparison is vacuous", largest)
			}
		})
	}
}

// TestHNNFieldParameterGradient checks that Field(x, true) can be
// differentiated with respect to the parameters: the gradient of
// s = Σ Field(x)² matches central finite differences of s (step 1e-6) to
// 1e-6 relative, for entries of every layer.
func TestHNNFieldParameterGradient(t *testing.T) {
	tests := []struct {
		name  string
		state architectures.State
	}{
		{"nq=1", state(2, 1)},
		{"nq=2", state(4, 2)},
	}
	const (
		batch = 5
		h     = 1e-6
		tol   = 1e-6
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := build(t, "hnn", tc.state, 5, func(c *nn.MLPConfig) {
				c.Hidden, c.Init, c.LastBias = []int{8, 8}, "glorot", true
			})
			d := tc.state.Dim()
			x := autodiff.New(points(rand.New(rand.NewPCG(21, 22)), batch, d), batch, d)
			score := func(createGraph bool) *autodiff.Tensor {
				f, err := m.Field(x, createGraph)
				if err != nil {
					t.Fatal(err)
				}
				return autodiff.Sum(autodiff.Square(f))
			}
			s := score(true)
			if !s.RequiresGrad() {
				t.Fatal("Σ Field(x, true)² does not require grad")
			}
			if score(false).RequiresGrad() {
				t.Error("Field(x, false) keeps a graph")
			}
			params := m.Params()
			grads, err := autodiff.Grad(s, params)
			if err != nil {
				t.Fatal(err)
			}
			if len(params) != 6 {
				t.Fatalf("%d params, want 6 (three layers with biases)", len(params))
			}
			// One entry of every tensor; the output bias does not enter the
			// field, so its gradient must vanish.
			for p, param := range params {
				data := param.Data()
				j := (3 * p) % len(data)
				v := data[j]
				data[j] = v + h
				up := score(false).Item()
				data[j] = v - h
				down := score(false).Item()
				data[j] = v
				want := (up - down) / (2 * h)
				got := grads[p].Data()[j]
				if math.Abs(got-want) > tol*(1e-3+math.Abs(want)) {
					t.Errorf("param %d %v entry %d: gradient %.10g, finite difference %.10g", p, param.Shape(), j, got, want)
				}
				if p < 5 && math.Abs(want) < 1e-6 {
					t.Errorf("param %d entry %d: finite difference %g, the comparison is vacuous", p, j, want)
				}
			}
			if last := grads[5].Data(); slices.ContainsFunc(last, func(v float64) bool { return v != 0 }) {
				t.Errorf("output bias gradient %v, want 0", last)
			}
		})
	}
}

// TestOutputShapes checks Field [B, d] for every model and Hamiltonian [B, 1]
// for the HNN, for several batch sizes and dimensions.
func TestOutputShapes(t *testing.T) {
	tests := []struct {
		model string
		state architectures.State
	}{
		{"mlp", state(1, 0)},
		{"mlp", state(3, 0)},
		{"mlp", state(4, 2)},
		{"baseline", state(2, 1)},
		{"baseline", state(5, 0)},
		{"hnn", state(2, 1)},
		{"hnn", state(6, 3)},
	}
	for _, tc := range tests {
		for _, b := range []int{1, 7} {
			d := tc.state.Dim()
			m := build(t, tc.model, tc.state, 1, nil)
			x := autodiff.New(points(rand.New(rand.NewPCG(1, 1)), b, d), b, d)
			for _, cg := range []bool{false, true} {
				f, err := m.Field(x, cg)
				if err != nil {
					t.Fatalf("%s d=%d: %v", tc.model, d, err)
				}
				if got := f.Shape(); !slices.Equal(got, []int{b, d}) {
					t.Errorf("%s d=%d B=%d createGraph=%v: field shape %v", tc.model, d, b, cg, got)
				}
				if f.RequiresGrad() != cg {
					t.Errorf("%s d=%d createGraph=%v: field requires grad %v", tc.model, d, cg, f.RequiresGrad())
				}
			}
			_, isH := m.(architectures.Hamiltonian)
			if isH != (tc.model == "hnn") {
				t.Errorf("%s: implements Hamiltonian = %v", tc.model, isH)
			}
			if isH {
				if got := m.(architectures.Hamiltonian).Hamiltonian(x).Shape(); !slices.Equal(got, []int{b, 1}) {
					t.Errorf("hnn d=%d B=%d: Hamiltonian shape %v, want [%d 1]", d, b, got, b)
				}
			}
		}
	}
}

// TestBuildErrors checks that Build rejects phase spaces and options it
// cannot serve, and accepts the rest.
func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name    string
		model   string
		state   architectures.State
		edit    func(*nn.MLPConfig)
		nilRNG  bool
		wantErr string // "" for success
	}{
		{"hnn odd dimension", "hnn", state(3, 0), nil, false, "even number of state variables"},
		{"hnn nq too small", "hnn", state(4, 1), nil, false, "as many momenta as coordinates"},
		{"hnn nq too large", "hnn", state(2, 2), nil, false, "as many momenta as coordinates"},
		{"hnn odd dimension with nq", "hnn", state(3, 1), nil, false, "as many momenta as coordinates"},
		{"hnn negative nq", "hnn", state(2, -1), nil, false, "as many momenta as coordinates"},
		{"hnn empty state", "hnn", state(0, 0), nil, false, "in must be ≥ 1"},
		{"hnn canonical", "hnn", state(4, 2), nil, false, ""},
		{"mlp odd dimension", "mlp", state(3, 0), nil, false, ""},
		{"baseline odd dimension", "baseline", state(3, 1), nil, false, ""},
		{"mlp empty state", "mlp", state(0, 0), nil, false, "in must be ≥ 1"},
		{"mlp bad activation", "mlp", state(2, 0), func(c *nn.MLPConfig) { c.Activation = "tanhh" }, false, "activation"},
		{"hnn zero width", "hnn", state(2, 1), func(c *nn.MLPConfig) { c.Hidden = []int{200, 0} }, false, "hidden[1]"},
		{"baseline nil rng", "baseline", state(2, 1), nil, true, "nil random generator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, cfg := options(t, tc.model)
			if tc.edit != nil {
				tc.edit(cfg)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			if tc.nilRNG {
				rng = nil
			}
			m, err := b.Build(tc.state, rng)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr == "" && m == nil:
				t.Fatal("nil model without error")
			case tc.wantErr != "" && err == nil:
				t.Fatalf("no error, want one containing %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error %q does not contain %q", err, tc.wantErr)
			}
		})
	}
}

// TestValidate checks the options' Validate method, which runs before the
// phase space is known.
func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*nn.MLPConfig)
		wantErr string // "" for valid options
	}{
		{"defaults", func(*nn.MLPConfig) {}, ""},
		{"zero value network", func(c *nn.MLPConfig) { *c = nn.MLPConfig{} }, ""},
		{"relu he", func(c *nn.MLPConfig) { c.Activation, c.Init = "relu", "he" }, ""},
		{"unknown activation", func(c *nn.MLPConfig) { c.Activation = "swish" }, `activation "swish"`},
		{"unknown init", func(c *nn.MLPConfig) { c.Init = "xavier" }, `init "xavier"`},
		{"zero width", func(c *nn.MLPConfig) { c.Hidden = []int{0} }, "hidden[0] must be ≥ 1, got 0"},
		{"negative width", func(c *nn.MLPConfig) { c.Hidden = []int{64, -3} }, "hidden[1] must be ≥ 1, got -3"},
	}
	for _, model := range []string{"mlp", "baseline", "hnn"} {
		for _, tc := range tests {
			t.Run(model+"/"+tc.name, func(t *testing.T) {
				b, cfg := options(t, model)
				tc.edit(cfg)
				v, ok := b.(interface{ Validate() error })
				if !ok {
					t.Fatalf("%T has no Validate method", b)
				}
				err := v.Validate()
				if tc.wantErr == "" {
					if err != nil {
						t.Fatalf("unexpected error: %v", err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
			})
		}
	}
}

// TestSameSeedSameParameters checks that Build draws every weight from the
// given generator: the same seed gives bit-identical parameters (and field),
// another seed other weights.
func TestSameSeedSameParameters(t *testing.T) {
	for _, model := range []string{"mlp", "baseline", "hnn"} {
		t.Run(model, func(t *testing.T) {
			s := state(4, 2)
			a, b, c := build(t, model, s, 42, nil), build(t, model, s, 42, nil), build(t, model, s, 43, nil)
			pa, pb, pc := a.Params(), b.Params(), c.Params()
			if len(pa) != len(pb) || len(pa) != len(pc) {
				t.Fatalf("param counts %d, %d, %d", len(pa), len(pb), len(pc))
			}
			differ := false
			for i := range pa {
				if !slices.Equal(pa[i].Data(), pb[i].Data()) {
					t.Errorf("param %d differs between two builds with seed 42", i)
				}
				if pa[i] == pb[i] {
					t.Errorf("param %d shared between two models", i)
				}
				differ = differ || !slices.Equal(pa[i].Data(), pc[i].Data())
			}
			if !differ {
				t.Error("seeds 42 and 43 gave identical parameters")
			}
			x := autodiff.New(points(rand.New(rand.NewPCG(5, 5)), 3, 4), 3, 4)
			fa, err := a.Field(x, false)
			if err != nil {
				t.Fatal(err)
			}
			fb, err := b.Field(x, false)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fa.Data(), fb.Data()) {
				t.Error("same seed, different fields")
			}
		})
	}
}

// sameNetwork compares the options the models set (hidden widths,
// activation, initialiser, output bias); other nn options keep nn's defaults.
func sameNetwork(a, b nn.MLPConfig) bool {
	return slices.Equal(a.Hidden, b.Hidden) && a.Activation == b.Activation && a.Init == b.Init && a.LastBias == b.LastBias
}

// forward evaluates an MLP with tanh activations by hand from its parameters
// (W0, B0, W1, B1, …, W_last[, B_last], weights [in, out]) for one input row.
func forward(params []*autodiff.Tensor, lastBias bool, x []float64) []float64 {
	extra := 0
	if lastBias {
		extra = 1
	}
	layers := (len(params) + 1 - extra) / 2
	h := x
	for l := range layers {
		last := l == layers-1
		w := params[2*l]
		var bias []float64
		if !last || lastBias {
			bias = params[2*l+1].Data()
		}
		in, out := w.Rows(), w.Cols()
		next := make([]float64, out)
		for o := range out {
			s := 0.0
			if bias != nil {
				s = bias[o]
			}
			for k := range in {
				s += h[k] * w.Data()[k*out+o]
			}
			if !last {
				s = math.Tanh(s)
			}
			next[o] = s
		}
		h = next
	}
	return h
}

// TestRegisteredDefaults checks the defaults each registered model starts
// from: their options, the parameter shapes they build, their initialisation
// and, with biases set to non-zero values, their output against a hand
// evaluation with tanh (to 1e-12).
func TestRegisteredDefaults(t *testing.T) {
	greydanus := nn.MLPConfig{Hidden: []int{200, 200}, Activation: "tanh", Init: "orthogonal"}
	tests := []struct {
		model    string
		cfg      nn.MLPConfig
		shapes   [][]int // parameters built for a 2-variable phase space
		out      int     // network output width
		lastBias bool
	}{
		{"mlp", nn.MLPConfig{Hidden: []int{64, 64}, Activation: "tanh", Init: "glorot", LastBias: true},
			[][]int{{2, 64}, {1, 64}, {64, 64}, {1, 64}, {64, 2}, {1, 2}}, 2, true},
		{"baseline", greydanus, [][]int{{2, 200}, {1, 200}, {200, 200}, {1, 200}, {200, 2}}, 2, false},
		{"hnn", greydanus, [][]int{{2, 200}, {1, 200}, {200, 200}, {1, 200}, {200, 1}}, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.model, func(t *testing.T) {
			_, cfg := options(t, tc.model)
			if !sameNetwork(*cfg, tc.cfg) {
				t.Errorf("defaults %+v, want %+v", *cfg, tc.cfg)
			}
			m := build(t, tc.model, state(2, 1), 9, nil)
			ps := m.Params()
			if len(ps) != len(tc.shapes) {
				t.Fatalf("%d params, want %d", len(ps), len(tc.shapes))
			}
			for i, p := range ps {
				if !slices.Equal(p.Shape(), tc.shapes[i]) {
					t.Errorf("param %d shape %v, want %v", i, p.Shape(), tc.shapes[i])
				}
			}
			// Initialisation of the square hidden weight W1.
			w := ps[2].Data()
			n := tc.shapes[2][0]
			switch tc.cfg.Init {
			case "orthogonal": // W1ᵀW1 = I
				for a := range n {
					for b := range n {
						dot := 0.0
						for k := range n {
							dot += w[k*n+a] * w[k*n+b]
						}
						want := 0.0
						if a == b {
							want = 1
						}
						if math.Abs(dot-want) > 1e-12 {
							t.Fatalf("W1ᵀW1[%d,%d] = %g, want %g (orthogonal init)", a, b, dot, want)
						}
					}
				}
			case "glorot": // uniform in ±√(6/(64+64)), variance 2/128
				bound := math.Sqrt(6.0 / float64(2*n))
				var sq float64
				for _, v := range w {
					if math.Abs(v) > bound {
						t.Fatalf("weight %g outside ±%g (glorot init)", v, bound)
					}
					sq += v * v
				}
				if v := sq / float64(len(w)); math.Abs(v-2.0/float64(2*n)) > 0.1*2/float64(2*n) {
					t.Errorf("weight variance %g, want 1/64 within 10%%", v)
				}
			}
			// Output against a hand evaluation with tanh; biases made
			// non-zero so that they count.
			for _, p := range ps {
				if p.Rows() == 1 {
					for j := range p.Data() {
						p.Data()[j] = 0.1 * math.Sin(float64(j+1))
					}
				}
			}
			x := []float64{0.7, -1.2}
			want := forward(ps, tc.lastBias, x)
			var got []float64
			if hm, ok := m.(architectures.Hamiltonian); ok {
				got = hm.Hamiltonian(autodiff.New(x, 1, 2)).Data()
			} else {
				f, err := m.Field(autodiff.New(x, 1, 2), false)
				if err != nil {
					t.Fatal(err)
				}
				got = f.Data()
			}
			if len(got) != tc.out {
				t.Fatalf("output %v, want width %d", got, tc.out)
			}
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
					t.Errorf("output %d = %.15g, hand evaluation %.15g", i, got[i], want[i])
				}
			}
		})
	}
}

// TestDecodeOptions decodes YAML options through the registry, which fills
// the defaults, rejects unknown keys and runs Validate.
func TestDecodeOptions(t *testing.T) {
	tests := []struct {
		model   string
		yaml    string
		want    nn.MLPConfig
		wantErr string // "" for valid options
	}{
		{"hnn", "hidden: [32]\nlast_bias: true", nn.MLPConfig{Hidden: []int{32}, Activation: "tanh", Init: "orthogonal", LastBias: true}, ""},
		{"mlp", "activation: softplus", nn.MLPConfig{Hidden: []int{64, 64}, Activation: "softplus", Init: "glorot", LastBias: true}, ""},
		{"baseline", "init: he", nn.MLPConfig{Hidden: []int{200, 200}, Activation: "tanh", Init: "he"}, ""},
		{"hnn", "hidden: [200, 0]", nn.MLPConfig{}, "hidden[1] must be ≥ 1, got 0"},
		{"mlp", "activation: tahn", nn.MLPConfig{}, `activation "tahn" is not one of`},
		{"baseline", "init: xavier", nn.MLPConfig{}, `init "xavier" is not one of`},
		{"hnn", "hiden: [3]", nn.MLPConfig{}, `unknown key "hiden"`},
	}
	for _, tc := range tests {
		t.Run(tc.model+"/"+tc.yaml, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			c := &spec.Component{Kind: tc.model, Node: doc.Content[0], File: "m.yaml", Path: "model"}
			v, errs := registry.Decode(registry.Model, c)
			if tc.wantErr != "" {
				if len(errs) == 0 || !strings.Contains(errs.Error(), tc.wantErr) {
					t.Fatalf("errors %v, want one containing %q", errs, tc.wantErr)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var got nn.MLPConfig
			switch o := v.(type) {
			case *architectures.MLP:
				got = o.Network
			case *architectures.HNN:
				got = o.Network
			default:
				t.Fatalf("decoded %T", v)
			}
			if !sameNetwork(got, tc.want) {
				t.Errorf("decoded %+v, want %+v", got, tc.want)
			}
		})
	}
}
