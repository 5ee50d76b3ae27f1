package runner

import (
	"fmt"
	"strings"

	"ansatz/results"
	"ansatz/spec"
)

// loadAll loads a spec file and expands its sweep into one spec per run.
//
// TODO(runner): stand-in for spec.LoadAll until it lands; it wraps spec.Load
// into a one-element slice.
func loadAll(path string, overrides []string) ([]*spec.Spec, error) {
	s, err := spec.Load(path, overrides)
	if err != nil {
		return nil, err
	}
	return []*spec.Spec{s}, nil
}

// paramsOf returns the swept values of one expanded spec as manifest params.
func paramsOf(s *spec.Spec) []results.Param {
	return nil
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
