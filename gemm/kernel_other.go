//go:build !amd64 || purego

package gemm

// availableKernels lists the kernel sets this CPU can run, best first.
func availableKernels() []*kernelSet { return []*kernelSet{genericKernels} }
