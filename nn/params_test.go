package nn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"ansatz/autodiff"
)

func TestSaveLoadParams(t *testing.T) {
	cfg := MLPConfig{In: 2, Hidden: []int{5}, Out: 3, LastBias: true}
	src, err := NewMLP(rand.New(rand.NewPCG(1, 2)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	src.Params()[1].Data()[0] = math.Inf(-1) // special values survive
	src.Params()[3].Data()[2] = math.NaN()
	var buf bytes.Buffer
	if err := SaveParams(&buf, src.Params()); err != nil {
		t.Fatal(err)
	}
	// 8 magic + 4 count + per tensor 4 rank + 2·4 dims + 8 per value.
	if want := 8 + 4 + 4*12 + 8*(10+5+15+3); buf.Len() != want {
		t.Errorf("file has %d bytes, want %d", buf.Len(), want)
	}
	file := buf.Bytes()

	dst, err := NewMLP(rand.New(rand.NewPCG(3, 4)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadParams(bytes.NewReader(file), dst.Params()); err != nil {
		t.Fatal(err)
	}
	for i, p := range src.Params() {
		a, b := p.Data(), dst.Params()[i].Data()
		for j := range a {
			if math.Float64bits(a[j]) != math.Float64bits(b[j]) {
				t.Errorf("param %d element %d: saved %v, loaded %v", i, j, a[j], b[j])
			}
		}
	}

	other, err := NewMLP(rand.New(rand.NewPCG(5, 6)), MLPConfig{In: 2, Hidden: []int{6}, Out: 3, LastBias: true})
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(other.Params()[0].Data())
	errTests := []struct {
		name   string
		data   []byte
		params []*autodiff.Tensor
		want   string
	}{
		{"shape mismatch", file, other.Params(), "shape"},
		{"count mismatch", file, other.Params()[:3], "tensors"},
		{"bad magic", append([]byte("NOTMAGIC"), file[8:]...), dst.Params(), "magic"},
		{"truncated", file[:len(file)-3], dst.Params(), "unexpected EOF"},
		{"empty", nil, dst.Params(), "unexpected EOF"},
		{"trailing data", append(slices.Clone(file), 0), dst.Params(), "trailing"},
	}
	for _, tc := range errTests {
		t.Run(tc.name, func(t *testing.T) {
			err := LoadParams(bytes.NewReader(tc.data), tc.params)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if !slices.Equal(before, other.Params()[0].Data()) {
		t.Error("failed load changed the parameters")
	}
}
