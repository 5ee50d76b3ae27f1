package spec_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "ansatz/modules"
	"ansatz/registry"
	"ansatz/spec"

	"gopkg.in/yaml.v3"
)

// registryComponents is how the command wires Schema to the registry.
func registryComponents(kind string) []spec.ComponentSchema {
	var out []spec.ComponentSchema
	for _, m := range registry.Modules(registry.Kind(kind)) {
		out = append(out, spec.ComponentSchema{Name: m.Name, Doc: m.Doc, Options: m.New()})
	}
	return out
}

// The shipped experiments fit the schema of the real registry, component
// options included.
func TestSchemaWithRegistryFitsExperiments(t *testing.T) {
	var buf bytes.Buffer
	if err := spec.Schema(&buf, registryComponents); err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(buf.Bytes(), &root); err != nil {
		t.Fatal(err)
	}
	defs := root["definitions"].(map[string]any)
	if _, ok := defs["model.hnn"]; !ok {
		t.Fatalf("no schema for the hnn model; definitions: %d", len(defs))
	}
	files, _ := filepath.Glob("../experiments/*.yaml")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(src, &doc); err != nil {
			t.Fatal(err)
		}
		if errs := spec.CheckSchema(root, doc); len(errs) > 0 {
			t.Errorf("%s does not fit the schema:\n%s", f, strings.Join(errs, "\n"))
		}
	}
	// A misspelt component option is caught.
	src, err := os.ReadFile("../experiments/spring-hnn.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal([]byte(strings.Replace(string(src), "hidden:", "hiden:", 1)), &doc); err != nil {
		t.Fatal(err)
	}
	if errs := spec.CheckSchema(root, doc); !strings.Contains(strings.Join(errs, "\n"), `model: unknown key "hiden"`) {
		t.Errorf("misspelt model option not caught: %q", errs)
	}
}
