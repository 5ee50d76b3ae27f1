// Package spec turns an experiment file (YAML) into a typed, validated Spec.
//
// Loading is strict: unknown keys, duplicate keys, wrong types, missing
// required keys and out-of-range values are all errors, and every error names
// its place as file:line:col plus the key path, shows the offending source
// line with a caret under the column, and suggests a close name where one
// exists:
//
//	spec.yaml:12:3: train: unknown key "stepz" (did you mean "steps"?)
//	   12 |   stepz: 2000
//	      |   ^
//	spec.yaml:13:14: train.grad_clip: must be ≥ 0, got -1
//	   13 |   grad_clip: -1
//	      |              ^
//
// All errors of a file are reported together (as an ErrorList) where possible.
//
// The package has three layers:
//
//   - Decode, a small reflection-based decoder over *yaml.Node that fills a
//     struct pre-filled with defaults. Fields are declared with `yaml:"name"`
//     tags; value checks come from `spec:"..."` tags (required, >0, >=0,
//     [0,1], oneof=a|b); a Validate() error method runs after decoding, and
//     types may take over with DecodeYAML (see Decoder). Component options of
//     the registry are decoded with the same machinery.
//   - The Spec types (Spec, Train, Evaluate, TimeGrid, Expectations, …) and
//     the lazily decoded Component, whose options are decoded by the registry
//     into the component's own options type.
//   - Parse/Load, which add YAML syntax errors with positions, `--set`
//     overrides applied to the node tree before decoding, and MarshalResolved,
//     which writes the resolved spec (defaults filled) back to YAML.
//   - LoadAll/ParseAll, which also follow `extends:` (files deep-merged, errors
//     located in the file that wrote the key; extends.go) and expand `sweep:`
//     (grid, list, random, seeds; sweep.go) into one Spec per run, and
//     Schema, a JSON Schema of the format for editors (schema.go).
package spec
