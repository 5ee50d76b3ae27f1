package gemm

// microKernel computes one tile of C (see gen_asm.go for the contract):
//
//	C[r][j] = alpha·Σ_{p<kc} a[r·ars+p·aks]·b[p·ldb+j] + beta·C[r][j]
//
// for r < mr and j < the kernel's width, with C row-major with stride ldc.
// When beta is zero C is not read. The caller guarantees that every element
// touched is inside the slices.
type microKernel func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64)

// kernelSet is a family of micro-kernels of one instruction set: all have
// mr rows; kerns[v-1] is v·lanes columns wide.
type kernelSet struct {
	name  string
	mr    int
	lanes int
	kerns []microKernel
}

// nr is the width of the widest kernel of s.
func (s *kernelSet) nr() int { return s.lanes * len(s.kerns) }

// genericKernels is the pure-Go fallback: 4×4 tiles.
var genericKernels = &kernelSet{
	name:  "generic",
	mr:    4,
	lanes: 4,
	kerns: []microKernel{kernGeneric4x4},
}

// kernGeneric4x4 is the portable 4×4 micro-kernel.
func kernGeneric4x4(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
	var c00, c01, c02, c03 float64
	var c10, c11, c12, c13 float64
	var c20, c21, c22, c23 float64
	var c30, c31, c32, c33 float64
	ia, ib := 0, 0
	for p := 0; p < kc; p++ {
		bp := b[ib : ib+4 : ib+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0 := a[ia]
		a1 := a[ia+ars]
		a2 := a[ia+2*ars]
		a3 := a[ia+3*ars]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		ia += aks
		ib += ldb
	}
	store4 := func(row []float64, x0, x1, x2, x3 float64) {
		row = row[:4:4]
		if beta == 0 {
			row[0], row[1], row[2], row[3] = alpha*x0, alpha*x1, alpha*x2, alpha*x3
			return
		}
		row[0] = alpha*x0 + beta*row[0]
		row[1] = alpha*x1 + beta*row[1]
		row[2] = alpha*x2 + beta*row[2]
		row[3] = alpha*x3 + beta*row[3]
	}
	store4(c[0:], c00, c01, c02, c03)
	store4(c[ldc:], c10, c11, c12, c13)
	store4(c[2*ldc:], c20, c21, c22, c23)
	store4(c[3*ldc:], c30, c31, c32, c33)
}
