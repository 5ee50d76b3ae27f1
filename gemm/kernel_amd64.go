//go:build amd64 && !purego

package gemm

//go:generate go run gen_asm.go

import "golang.org/x/sys/cpu"

// avx512Kernels are tiles of 1 to 5 rows and 8 to 40 columns in zmm registers.
var avx512Kernels = &kernelSet{name: "avx512", lanes: 8, tiles: avx512Tiles, dots: avx512Dots}

// avx2Kernels are tiles of 1 to 6 rows and 4 or 8 columns in ymm registers.
var avx2Kernels = &kernelSet{name: "avx2", lanes: 4, tiles: avx2Tiles, dots: avx2Dots}

// availableKernels lists the kernel sets this CPU can run, best first.
func availableKernels() []*kernelSet {
	var ks []*kernelSet
	if cpu.X86.HasAVX512F {
		ks = append(ks, avx512Kernels)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2Kernels)
	}
	return append(ks, genericKernels)
}
