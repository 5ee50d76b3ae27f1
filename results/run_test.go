package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCreate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "runs")
	r, err := Create(out, "spring-hnn", "3f2a9c1d")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(out, "spring-hnn", "3f2a9c1d")
	if r.Dir != want || r.Dir != Dir(out, "spring-hnn", "3f2a9c1d") || r.RunID != "3f2a9c1d" || r.Name != "spring-hnn" {
		t.Errorf("Create = %+v, want Dir %s", r, want)
	}
	if st, err := os.Stat(want); err != nil || !st.IsDir() {
		t.Fatalf("run folder not created: %v", err)
	}
	assertNoTemp(t, r.Dir) // the probe file is gone

	// Creating the same run again (a resumed run) is fine.
	if _, err := Create(out, "spring-hnn", "3f2a9c1d"); err != nil {
		t.Errorf("second Create: %v", err)
	}
}

// TestCreateNotWritable makes the output path a regular file where a folder is
// needed. Tests run as root, for whom chmod 0500 does not stop writes, so a
// permission-based test would pass for the wrong reason; a file in the way
// fails for root too.
func TestCreateNotWritable(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, base string) (outDir string)
	}{
		{"out is a file", func(t *testing.T, base string) string {
			out := filepath.Join(base, "runs")
			writeFile(t, out)
			return out
		}},
		{"name is a file", func(t *testing.T, base string) string {
			out := filepath.Join(base, "runs")
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(out, "x"))
			return out
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.setup(t, t.TempDir())
			r, err := Create(out, "x", "abc123")
			if err == nil {
				t.Fatalf("Create = %+v, want an error", r)
			}
			want := "output folder " + Dir(out, "x", "abc123") + " is not writable: "
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q, want it to start with %q", err, want)
			}
		})
	}
}

func writeFile(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCreateBadNames(t *testing.T) {
	out := t.TempDir()
	tests := []struct{ name, runID, wantErr string }{
		{"", "abc", "run name is empty"},
		{"x", "", "run id is empty"},
		{"..", "abc", "not a valid folder name"},
		{"a/b", "abc", "path separator"},
		{"x", `..\..`, "path separator"},
	}
	for _, tc := range tests {
		_, err := Create(out, tc.name, tc.runID)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("Create(%q, %q): error %v, want one containing %q", tc.name, tc.runID, err, tc.wantErr)
		}
	}
}

func TestRemove(t *testing.T) {
	out := t.TempDir()
	r, err := Create(out, "x", "abc")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WriteSpec([]byte("name: x\n")); err != nil {
		t.Fatal(err)
	}
	if err := r.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(r.Dir); !os.IsNotExist(err) {
		t.Errorf("run folder still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "x")); err != nil {
		t.Errorf("name folder removed too: %v", err)
	}
}

func TestWriteSpec(t *testing.T) {
	r := newRun(t)
	spec := []byte("name: spring-hnn\nseed: 0\n")
	if err := r.WriteSpec(spec); err != nil {
		t.Fatal(err)
	}
	assertContent(t, filepath.Join(r.Dir, "spec.yaml"), spec)
}
