package results

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// filePerm is the mode of the files ansatz writes: readable by everyone, like
// a file created with os.Create under the usual umask.
const filePerm = 0o644

// AtomicWrite writes a file through write without ever exposing partial
// content under path.
//
// It creates a temporary file in the same folder as path (its name starts with
// "." and ends with ".tmp", so globs such as runs/**/*.parquet skip it), hands
// write a buffered writer on it, then flushes, fsyncs, closes and renames the
// temporary file over path. On any error, and if write panics, the temporary
// file is removed and path is left as it was; the error is wrapped with path.
// After the rename the folder is synced too, on a best-effort basis, so the
// new name survives a power loss on file systems that support it.
func AtomicWrite(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close() // already failed; the first error is the one to report
			os.Remove(tmp)
		}
	}()

	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(filePerm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: close: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the file system allows it. It is
// best effort: some file systems refuse to fsync a folder, and the rename has
// already happened atomically for every running process.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
