package runner

import (
	"fmt"
	"io"
	"strings"

	"ansatz/registry"
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
			if s := Suggest(kind, names); s != "" {
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
		for _, m := range registry.Modules(k) {
			fmt.Fprintf(w, "  %-14s %s\n", m.Name, m.Doc)
			for _, o := range registry.Options(m) {
				def := ""
				if o.Default != "" {
					def = " (default " + o.Default + ")"
				}
				fmt.Fprintf(w, "      %-12s %-10s %s%s\n", o.Name, o.Type, o.Doc, def)
			}
		}
	}
	return nil
}
