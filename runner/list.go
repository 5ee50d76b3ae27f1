package runner

import (
	"ansatz/suggest"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"ansatz/registry"
	"ansatz/spec"
)

// listComponents prints the registry: for each kind (or the one asked for)
// its components, their docs and options.
func listComponents(w io.Writer, kind string) error {
	kinds := registry.Kinds()
	if kind != "" {
		var names []string
		found := false
		for _, k := range kinds {
			names = append(names, string(k))
			if string(k) == kind {
				found = true
			}
		}
		if !found {
			hint := ""
			if s := suggest.Key(kind, names); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			return fmt.Errorf("unknown kind %q%s; kinds: %s", kind, hint, strings.Join(names, ", "))
		}
		kinds = []registry.Kind{registry.Kind(kind)}
	}
	for i, k := range kinds {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s:\n", k)
		// Columns are aligned over the whole kind: names, types, docs.
		type line struct{ name, typ, doc string }
		var lines []line
		nameW, typeW := 0, 0
		for _, m := range registry.Modules(k) {
			lines = append(lines, line{name: "  " + m.Name, doc: m.Doc})
			for _, o := range registry.Options(m) {
				doc := o.Doc
				if o.Default != "" {
					doc += " (default " + o.Default + ")"
				}
				l := line{name: "      " + o.Name, typ: yamlType(o.Type), doc: doc}
				typeW = max(typeW, utf8.RuneCountInString(l.typ))
				lines = append(lines, l)
			}
		}
		for _, l := range lines {
			nameW = max(nameW, utf8.RuneCountInString(l.name))
		}
		for _, l := range lines {
			pad := func(s string, w int) string { return s + strings.Repeat(" ", w-utf8.RuneCountInString(s)) }
			if l.typ == "" {
				fmt.Fprintf(w, "%s  %s\n", pad(l.name, nameW), l.doc)
			} else {
				fmt.Fprintf(w, "%s  %s  %s\n", pad(l.name, nameW), pad(l.typ, typeW), l.doc)
			}
		}
	}
	return nil
}

// yamlType writes the registry's Go-like type names the way a value looks in
// YAML: []float as [float, …] and map[string]float as {name: float}.
func yamlType(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "[" + yamlType(t[2:]) + ", …]"
	case strings.HasPrefix(t, "map[string]"):
		return "{name: " + yamlType(t[len("map[string]"):]) + "}"
	}
	return t
}

// Schema writes a JSON Schema of the spec format (spec.Schema) that knows
// every registered component and its options, for editors: with
// yaml-language-server, a spec starting with
// `# yaml-language-server: $schema=ansatz.schema.json` is completed and
// checked as it is typed.
func Schema(w io.Writer) error {
	return spec.Schema(w, func(kind string) []spec.ComponentSchema {
		var out []spec.ComponentSchema
		for _, m := range registry.Modules(registry.Kind(kind)) {
			var opts any
			if m.New != nil {
				opts = m.New()
			}
			out = append(out, spec.ComponentSchema{Name: m.Name, Doc: m.Doc, Options: opts})
		}
		return out
	})
}
