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
func paramsOf(s *spec.Spec) []results.Param {
	if len(s.Params) == 0 {
		return nil
	}
	out := make([]results.Param, len(s.Params))
	for i, p := range s.Params {
		out[i] = results.Param{Key: p.Key, Value: p.Value}
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
