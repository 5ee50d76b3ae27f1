package spec

import (
	"os"
	"regexp"
	"testing"
)

var positioned = regexp.MustCompile(`^fuzz\.yaml:\d+:\d+: `)

// FuzzParse checks that no input crashes Parse, that every failure carries
// a file:line:col position, and that every accepted spec can be written back
// (MarshalResolved) and read again.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/spring.yaml", "testdata/lax.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + "expect:\n  test.loss: {value: 1, rtol: 0.1}\n"))
	f.Add([]byte(minimal + "base: &b {kind: x}\n"))
	f.Add([]byte("name: a\nsystem: &s {kind: x, <<: *s}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data, nil)
		if err != nil {
			if s != nil {
				t.Fatalf("spec and error both returned")
			}
			if msg := err.Error(); !positioned.MatchString(msg) {
				t.Fatalf("error without file:line:col: %q", msg)
			}
			return
		}
		if s == nil {
			t.Fatal("nil spec without an error")
		}
		out, err := MarshalResolved(s, nil)
		if err != nil {
			t.Fatalf("MarshalResolved: %v", err)
		}
		if _, err := Parse("fuzz.yaml", out, nil); err != nil {
			t.Fatalf("resolved spec does not parse again: %v\n%s", err, out)
		}
	})
}
