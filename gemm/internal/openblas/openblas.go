//go:build openblas && cgo

package openblas

/*
#cgo LDFLAGS: -lopenblas
char *openblas_get_corename(void);
*/
import "C"

import (
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/cpu"
)

// OpenBLAS picks its kernels when the shared library is loaded, before any
// Go code runs, and some builds fall back to generic (Prescott) kernels on
// CPUs they do not recognise unless OPENBLAS_CORETYPE is set. So if that
// variable is unset and the kernels OpenBLAS chose use a narrower instruction
// set than this CPU has, the program re-executes itself with the variable
// set. The child sees it set and does not re-execute again.
func init() {
	want, ok := coreTypeFor(os.LookupEnv, Core(), cpu.X86.HasAVX512F, cpu.X86.HasAVX2 && cpu.X86.HasFMA)
	if !ok {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return // keep OpenBLAS's own choice
	}
	env := append(os.Environ(), "OPENBLAS_CORETYPE="+want)
	_ = syscall.Exec(exe, os.Args, env) // returns only on failure: keep going
}

// Core is the name of the kernel set OpenBLAS chose, e.g. "SkylakeX".
func Core() string { return strings.TrimSpace(C.GoString(C.openblas_get_corename())) }

// coreTypeFor returns the OPENBLAS_CORETYPE to re-execute with, and whether
// to: only when the variable is unset and the detected core type uses fewer
// vector instructions than the CPU offers (AVX-512 → SkylakeX, AVX2 and FMA
// → Haswell).
func coreTypeFor(lookupEnv func(string) (string, bool), detected string, avx512, avx2 bool) (string, bool) {
	if _, set := lookupEnv("OPENBLAS_CORETYPE"); set {
		return "", false
	}
	want, tier := "", 0
	switch {
	case avx512:
		want, tier = "SkylakeX", 3
	case avx2:
		want, tier = "Haswell", 2
	default:
		return "", false
	}
	if coreTier(detected) >= tier {
		return "", false
	}
	return want, true
}

// coreTier ranks an OpenBLAS core type by its vector instructions: 3 for
// AVX-512 kernels, 2 for AVX2, 1 for anything older or unknown.
func coreTier(core string) int {
	switch strings.ToLower(core) {
	case "skylakex", "cooperlake", "sapphirerapids":
		return 3
	case "haswell", "zen", "skylake", "excavator":
		return 2
	}
	return 1
}
