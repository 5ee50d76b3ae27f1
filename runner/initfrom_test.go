package runner

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ansatz/results"
)

// TestInitFrom runs a spec whose init_from names another spec with no run
// yet: the other spec runs first, and its final parameters are the first
// ones of this run.
func TestInitFrom(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	writeSpec(t, dir, "base.yaml", tinySpec)
	derived := writeSpec(t, dir, "derived.yaml", strings.Replace(
		strings.Replace(tinySpec, "name: tiny", "name: derived", 1), "seed: 1", "seed: 1\ninit_from: base.yaml", 1))
	o := runOne(context.Background(), derived, quietOptions(out))
	if o.Err != nil || o.Status != results.StatusOK {
		t.Fatalf("derived run: %v (%s)", o.Err, o.Status)
	}
	base, err := Prepare(filepath.Join(dir, "base.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	baseDir := results.Dir(out, "tiny", base.RunID)
	final, err := readParams(filepath.Join(baseDir, ParamsFile))
	if err != nil {
		t.Fatalf("the base spec did not run first: %v", err)
	}
	// A model built from the derived spec and loaded the way train does must
	// hold exactly the base run's final parameters.
	x, err := Prepare(derived, nil)
	if err != nil {
		t.Fatal(err)
	}
	if x.InitFrom == nil || x.InitFrom.id != base.RunID {
		t.Fatalf("init source %+v, want the base run %s", x.InitFrom, base.RunID)
	}
	m, err := x.Model.Build(x.State, streams(x.Spec.Seed, streamInit))
	if err != nil {
		t.Fatal(err)
	}
	if err := loadParams(filepath.Join(baseDir, ParamsFile), m.Params()); err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		if !slices.Equal(p.Data(), final[i].Data()) {
			t.Fatalf("parameter %d differs from the base run's", i)
		}
	}
	// The run id depends on the source run: another base seed, another id.
	writeSpec(t, dir, "base.yaml", strings.Replace(tinySpec, "seed: 1", "seed: 2", 1))
	y, err := Prepare(derived, nil)
	if err != nil {
		t.Fatal(err)
	}
	if y.RunID == x.RunID {
		t.Error("the run id does not depend on the init_from run")
	}

	// A run folder works too.
	fromDir := writeSpec(t, dir, "fromdir.yaml", strings.Replace(tinySpec, "seed: 1", "seed: 1\ninit_from: "+baseDir, 1))
	if z, err := Prepare(fromDir, nil); err != nil || z.InitFrom == nil || z.InitFrom.dir != baseDir {
		t.Fatalf("init_from a run folder: %v, %+v", err, z)
	}
}

// TestInitFromErrors checks that bad references are spec errors at the
// init_from key.
func TestInitFromErrors(t *testing.T) {
	dir := t.TempDir()
	writeSpec(t, dir, "base.yaml", tinySpec)
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, initFrom, model, want string }{
		{"missing", "nothere.yaml", "", "nothere.yaml: no such spec or run folder"},
		{"incompatible", "base.yaml", "hidden: [3]", "does not fit this model"},
		{"not a run", "empty", "", "is not a finished run folder"},
		{"cycle", "self.yaml", "", "cycle"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(tinySpec, "seed: 1", "seed: 1\ninit_from: "+c.initFrom, 1)
			if c.model != "" {
				src = strings.Replace(src, "hidden: [4]", c.model, 1)
			}
			path := writeSpec(t, dir, "self.yaml", src)
			_, err := Prepare(path, nil)
			if err == nil || !isSpecError(err) {
				t.Fatalf("error %v, want a spec error", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "self.yaml:3:12: init_from:") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want it at self.yaml:3:12 and to say %q", msg, c.want)
			}
		})
	}
}

// TestInitFromSweepParallel: a sweep whose runs all start from another
// spec's run, run two at a time, runs that spec once, first.
func TestInitFromSweepParallel(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	writeSpec(t, dir, "base.yaml", tinySpec)
	derived := writeSpec(t, dir, "derived.yaml", strings.Replace(strings.Replace(
		strings.Replace(tinySpec, "name: tiny", "name: derived", 1), "seed: 1", "seed: 1\ninit_from: base.yaml", 1),
		"expect:", "sweep:\n  seeds: [1, 2, 3, 4]\nexpect:", 1))
	opts := quietOptions(out)
	opts.Jobs = 2
	got := RunAll(t.Context(), io.Discard, io.Discard, []string{derived}, opts)
	for _, o := range got {
		if o.Status != results.StatusOK {
			t.Errorf("run %d: %s (%v)", o.Point, o.Status, o.Err)
		}
	}
	if dirs, _ := filepath.Glob(filepath.Join(out, "tiny", "*")); len(dirs) != 1 {
		t.Errorf("base runs %v, want exactly one", dirs)
	}
}
