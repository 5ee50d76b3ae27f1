//go:build openblas && cgo

package openblas

import "testing"

func TestCoreTypeFor(t *testing.T) {
	unset := func(string) (string, bool) { return "", false }
	set := func(string) (string, bool) { return "Prescott", true }
	tests := []struct {
		name     string
		lookup   func(string) (string, bool)
		detected string
		avx512   bool
		avx2     bool
		want     string
		ok       bool
	}{
		{"prescott on avx512", unset, "Prescott", true, true, "SkylakeX", true},
		{"haswell on avx512", unset, "Haswell", true, true, "SkylakeX", true},
		{"cooperlake on avx512", unset, "Cooperlake", true, true, "", false},
		{"skylakex on avx512", unset, "SkylakeX", true, true, "", false},
		{"prescott on avx2", unset, "Prescott", false, true, "Haswell", true},
		{"zen on avx2", unset, "Zen", false, true, "", false},
		{"old cpu", unset, "Prescott", false, false, "", false},
		{"user's choice", set, "Prescott", true, true, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := coreTypeFor(tt.lookup, tt.detected, tt.avx512, tt.avx2)
			if got != tt.want || ok != tt.ok {
				t.Errorf("coreTypeFor = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
