package results

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// assertNoTemp fails the test if dir holds a leftover temporary file.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("leftover temporary file %s", e.Name())
		}
	}
}

// failingWriter writes n bytes of content, then fails.
func failingWriter(n int, check func()) func(io.Writer) error {
	return func(w io.Writer) error {
		chunk := bytes.Repeat([]byte("x"), 1000)
		for written := 0; written < n; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		check()
		return errors.New("disk on fire")
	}
}

func TestAtomicWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "metrics.parquet")
	content := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB, many buffer flushes
	if err := AtomicWrite(path, func(w io.Writer) error {
		_, err := w.Write(content)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("content after write: %d bytes, %v; want %d bytes", len(got), err, len(content))
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o644 {
		t.Errorf("mode %v, want 0644", perm)
	}
	assertNoTemp(t, dir)
}

func TestAtomicWriteFailureKeepsOldContent(t *testing.T) {
	tests := []struct {
		name    string
		initial []byte // nil: no file before the write
	}{
		{"new file", nil},
		{"existing file", []byte("previous complete version")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "metrics.parquet")
			if tc.initial != nil {
				if err := os.WriteFile(path, tc.initial, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// While the writer is half-way (500 kB written, more than the
			// buffer holds), the final name must still show the old state.
			sawTemp := false
			check := func() {
				assertContent(t, path, tc.initial)
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					if strings.HasPrefix(e.Name(), ".metrics.parquet.") && strings.HasSuffix(e.Name(), ".tmp") {
						sawTemp = true
					}
				}
			}
			err := AtomicWrite(path, failingWriter(500_000, check))
			if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want the writer's error wrapped with %s", err, path)
			}
			if !sawTemp {
				t.Error("no .metrics.parquet.*.tmp file while writing")
			}
			assertContent(t, path, tc.initial)
			assertNoTemp(t, dir)
		})
	}
}

func TestAtomicWritePanicRemovesTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "spec.yaml")
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic did not propagate")
			}
		}()
		_ = AtomicWrite(path, func(w io.Writer) error {
			w.Write([]byte("half"))
			panic("programmer error")
		})
	}()
	assertContent(t, path, nil)
	assertNoTemp(t, dir)
}

func TestAtomicWriteMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "x.json")
	err := AtomicWrite(path, func(io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v, want one naming %s", err, path)
	}
}

// assertContent checks the content of path; want nil means path must not exist.
func assertContent(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if want == nil {
		if !os.IsNotExist(err) {
			t.Errorf("%s exists (%d bytes, err %v), want no file", path, len(got), err)
		}
		return
	}
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s: %q (err %v), want %q", path, got, err, want)
	}
}
