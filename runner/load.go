package runner

import (
	"fmt"
	"strings"

	"ansatz/results"
	"ansatz/spec"
)

// loadAll loads a spec file and expands its sweep into one spec per run, in
// the order of spec.LoadAll.
func loadAll(path string, overrides []string) ([]*spec.Spec, error) {
	return spec.LoadAll(path, overrides)
}

// paramsOf returns the swept values of one expanded spec as manifest params.
//
// Bounds a sweep sets per point (keys under expect) are left out: they judge
// a run, they do not change it, and as parameters they would split the
// index's columns and the sweep figures' lines by a value that is not an
// experimental variable.
func paramsOf(s *spec.Spec) []results.Param {
	var out []results.Param
	for _, p := range s.Params {
		if p.Key == "expect" || strings.HasPrefix(p.Key, "expect.") || strings.HasPrefix(p.Key, "expect[") {
			continue
		}
		out = append(out, results.Param{Key: p.Key, Value: p.Value})
	}
	return out
}

// FormatParams renders swept values as "key=value key=value", or "-" when
// there are none.
func FormatParams(ps []results.Param) string {
	if len(ps) == 0 {
		return "-"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s=%v", p.Key, p.Value)
	}
	return strings.Join(parts, " ")
}
