//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// avx512Kernels are 5-row tiles of 8 to 40 columns in zmm registers.
var avx512Kernels = &kernelSet{
	name:  "avx512",
	mr:    5,
	lanes: 8,
	kerns: []microKernel{
		func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
			kern512x5x8(kc, &a[0], ars, aks, &b[0], ldb, &c[0], ldc, alpha, beta)
		},
		func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
			kern512x5x16(kc, &a[0], ars, aks, &b[0], ldb, &c[0], ldc, alpha, beta)
		},
		func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
			kern512x5x24(kc, &a[0], ars, aks, &b[0], ldb, &c[0], ldc, alpha, beta)
		},
		func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
			kern512x5x32(kc, &a[0], ars, aks, &b[0], ldb, &c[0], ldc, alpha, beta)
		},
		func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
			kern512x5x40(kc, &a[0], ars, aks, &b[0], ldb, &c[0], ldc, alpha, beta)
		},
	},
}

// avx2Kernels are 6-row tiles of 4 or 8 columns in ymm registers.
var avx2Kernels = &kernelSet{
	name:  "avx2",
	mr:    6,
	lanes: 4,
	kerns: []microKernel{
		func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
			kern256x6x4(kc, &a[0], ars, aks, &b[0], ldb, &c[0], ldc, alpha, beta)
		},
		func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
			kern256x6x8(kc, &a[0], ars, aks, &b[0], ldb, &c[0], ldc, alpha, beta)
		},
	},
}

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
