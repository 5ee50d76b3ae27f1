package hypersurface

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"ansatz/datasets"
	"ansatz/spec"
)

// decode decodes YAML options into out as the registry does.
func decode(t *testing.T, src string, out any) error {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return spec.Decode(doc.Content[0], out, "", "test.yaml").Err()
}

func buildSystem(t *testing.T, src string) *Hypersurface {
	t.Helper()
	o := NewOptions()
	if err := decode(t, src, o); err != nil {
		t.Fatal(err)
	}
	s, err := o.Build()
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Hypersurface)
}

func TestSystemOptionErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"not homogeneous", "ambient: 4\npolynomial: \"z0^4 + z1^5 + z2^5 + z3^5 + z4^5\"\n",
			"test.yaml:2:21: polynomial: not homogeneous: term z0^4 has degree 4, z1^5 has degree 5"},
		{"wrong degree", "ambient: [4]\npolynomial: \"z0^3 + z1^3 + z2^3 + z3^3 + z4^3\"\n",
			"degree 3 does not give a Calabi–Yau in P^4"},
		{"unknown name", "ambient: 4\npolynomial: z0^5 + z1^5 + z2^5 + z3^5 + z4^5 - 5*phi*z0*z1*z2*z3*z4\n",
			"test.yaml:2:50: polynomial: unknown name phi"},
		{"bad complex", "ambient: 4\npolynomial: z0^5\nparameters: {psi: [1, 2, 3]}\n", "[re, im]"},
		{"coordinates", "ambient: 4\ncoordinates: [a, b]\npolynomial: a^5\n", "coordinates: P^4 needs 5 coordinates, got 2"},
	}
	for _, tt := range tests {
		err := decode(t, tt.src, NewOptions())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
	// calabi_yau: false accepts another degree.
	h := buildSystem(t, "ambient: 4\ncalabi_yau: false\npolynomial: z0^3 + z1^3 + z2^3 + z3^3 + z4^3\n")
	if h.Degree() != 3 {
		t.Errorf("degree %d", h.Degree())
	}
	// Complex parameters in three spellings, and i.
	for _, p := range []string{"[0.5, 0.25]", "\"0.5+0.25i\"", "0.5"} {
		h := buildSystem(t, "ambient: 4\npolynomial: z0^5 + z1^5 + z2^5 + z3^5 + z4^5 - 5*(psi + 0.25*i*c)*z0*z1*z2*z3*z4\nparameters: {psi: "+p+", c: 0}\n")
		v, _ := h.Parameter("psi")
		if real(v) != 0.5 {
			t.Errorf("psi %s decoded as %v", p, v)
		}
	}
}

const dworkSystem = "ambient: 4\npolynomial: z0^5 + z1^5 + z2^5 + z3^5 + z4^5 - 5*psi*z0*z1*z2*z3*z4\nparameters: {psi: 0}\n"

func TestPointsGenerate(t *testing.T) {
	h := buildSystem(t, dworkSystem)
	o := NewPointsOptions()
	if err := decode(t, "count: 1000\nsplit: {test: 0.2}\npsi: {values: [0, 0.5, [0.3, 0.2]]}\n", o); err != nil {
		t.Fatal(err)
	}
	if err := o.Check(h, 0); err != nil {
		t.Fatal(err)
	}
	d, err := o.Generate(h, 0, rand.New(rand.NewPCG(51, 52)))
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.N != 799 || d.Test.N != 201 || d.Train.D != 10 || d.Vars[0] != "re_z0" || d.Vars[9] != "im_z4" {
		t.Fatalf("train %d test %d D %d vars %v", d.Train.N, d.Test.N, d.Train.D, d.Vars)
	}
	desc, err := o.Describe(h)
	if err != nil || len(desc.Vars) != 10 {
		t.Fatalf("describe: %v %v", desc, err)
	}
	widths := map[string]int{ColWeight: 1, ColOmega2: 1, ColPullback: 30, ColPatch: 1, ColElim: 1, ColPsi: 2,
		ColAltX: 10, ColAltPatch: 1, ColAltElim: 1, ColAltPullback: 30, ColAltTransition: 18}
	for name, w := range widths {
		c := d.Test.Column(name)
		if c == nil || c.Width != w || len(c.Data) != w*d.Test.N {
			t.Errorf("column %s: %+v", name, c)
		}
	}
	pts, err := PointsFromSet(&d.Test)
	if err != nil {
		t.Fatal(err)
	}
	vals, rows := pts.PsiGroups()
	if len(vals) != 3 || vals[0] != 0 || vals[1] != 0.3+0.2i || vals[2] != 0.5 {
		t.Fatalf("ψ values %v", vals)
	}
	for k, r := range rows {
		if len(r) < 66 || len(r) > 68 {
			t.Errorf("ψ = %v: %d test points", vals[k], len(r))
		}
	}
	// Round trip: the rebuilt points satisfy their own polynomial and give
	// the FS transition to rounding.
	for i := range pts.N {
		hk, _ := h.WithParameters(map[string]complex128{"psi": pts.Psi[i]})
		z := pts.Point(i)
		if r := cmplx.Abs(hk.Polynomial().Eval(z)) / hk.Polynomial().Scale(z); r > 1e-9 {
			t.Fatalf("point %d: residual %g at ψ = %v", i, r, pts.Psi[i])
		}
	}
	set := ToSet(pts)
	for k := range set.X {
		if set.X[k] != d.Test.X[k] {
			t.Fatal("ToSet(PointsFromSet(s)) differs from s")
		}
	}
	// Resampling gives a training set of the same size.
	fresh, err := o.Resample(h, rand.New(rand.NewPCG(53, 54)))
	if err != nil || fresh.N != d.Train.N {
		t.Fatalf("resample: %v, %d rows", err, fresh.N)
	}
}

func TestPointsRange(t *testing.T) {
	o := &PsiOptions{Range: []float64{0, 1}, Count: 5}
	got := o.List()
	want := []complex128{0, 0.25, 0.5, 0.75, 1}
	for k := range want {
		if math.Abs(real(got[k]-want[k])) > 1e-15 {
			t.Fatalf("range values %v", got)
		}
	}
}

func TestPointsErrors(t *testing.T) {
	dwork := buildSystem(t, dworkSystem)
	tests := []struct {
		name, src string
		sys       *Hypersurface
		want      string
	}{
		{"singular value", "psi: {values: [0.5, 1]}", dwork, "psi: the hypersurface is singular for psi = 1"},
		{"singular range end", "psi: {range: [0, 1], count: 3}", dwork, "psi: the hypersurface is singular for psi = 1"},
		{"no such parameter", "parameter: phi\npsi: {values: [0.5]}", dwork, "the polynomial has no parameter \"phi\""},
		{"singular system value", "count: 100", buildSystem(t, "ambient: 4\npolynomial: z0^5 + z1^5 + z2^5 + z3^5 + z4^5 - 5*psi*z0*z1*z2*z3*z4\nparameters: {psi: 1}\n"), "singular for psi = 1"},
	}
	for _, tt := range tests {
		o := NewPointsOptions()
		if err := decode(t, tt.src, o); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		err := o.Check(tt.sys, 0)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
	// Option errors.
	for src, want := range map[string]string{
		"psi: {values: [0], range: [0, 1]}": "psi.values: give values or range, not both",
		"psi: {range: [1, 0], count: 3}":    "psi.range",
		"psi: {range: [0, 1]}":              "psi.count",
		"count: 1":                          "count: must be ≥ 2",
	} {
		if err := decode(t, src, NewPointsOptions()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", src, err, want)
		}
	}
	// A system of another kind.
	if err := NewPointsOptions().Check(nil, 0); err == nil || !strings.Contains(err.Error(), "needs a system of kind hypersurface") {
		t.Errorf("no system: %v", err)
	}
	var _ datasets.Generator = NewPointsOptions()
	var _ datasets.Describer = NewPointsOptions()
	var _ datasets.Resampler = NewPointsOptions()
}

func TestSigmaByPsi(t *testing.T) {
	h := buildSystem(t, dworkSystem)
	var sets []*Points
	for _, psi := range []complex128{0.5, 0} {
		hk, _ := h.WithParameters(map[string]complex128{"psi": psi})
		p, err := Sample(hk, 400, psi, rand.New(rand.NewPCG(71, 72)))
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, p)
	}
	vals, sig := SigmaByPsi(Append(sets...), FubiniStudy{T: 1})
	if len(vals) != 2 || vals[0] != 0 || vals[1] != 0.5 {
		t.Fatalf("values %v", vals)
	}
	for k, p := range []*Points{sets[1], sets[0]} {
		if want := Sigma(p, DetFunc(FubiniStudy{T: 1}, p)); math.Abs(sig[k]-want) > 1e-14 {
			t.Errorf("ψ = %v: σ %v, want %v", vals[k], sig[k], want)
		}
	}
}
