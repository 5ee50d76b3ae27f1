package gemm

// microKernel computes one tile of C (see gen_asm.go for the contract):
//
//	C[r][j] = alpha·Σ_{p<kc} a[r·ars+p·aks]·b[p·ldb+j] + beta·C[r][j]
//
// for r < mr and j < nr, the kernel's tile size, with C row-major with
// stride ldc. When beta is zero C is not read. The caller guarantees that
// every element touched is inside the slices.
type microKernel func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64)

// dotKernel computes R×X dot products of length k,
//
//	out[r·X+j] = Σ_{p<k} a[r·lda+p]·x[j·ldx+p],
//
// for r < R and j < X, the kernel's shape.
type dotKernel func(k int, a []float64, lda int, x []float64, ldx int, out []float64)

// kernelSet is a family of kernels of one instruction set.
type kernelSet struct {
	name  string
	lanes int             // columns per vector register
	tiles [][]microKernel // tiles[mr-1][nv-1] is mr×(nv·lanes)
	dots  [2][2]dotKernel // dots[R==4][X-1]
}

// mr is the number of rows of the tallest tile.
func (s *kernelSet) mr() int { return len(s.tiles) }

// nr is the number of columns of the widest tile.
func (s *kernelSet) nr() int { return s.lanes * len(s.tiles[0]) }

// genericKernels is the pure-Go fallback: tiles of 1 or 2 rows and 4
// columns. (With 16 scalar registers on amd64, 2×4 tiles were measured twice
// as fast as 4×4 ones, whose accumulators spill.)
var genericKernels = &kernelSet{
	name:  "generic",
	lanes: 4,
	tiles: [][]microKernel{{kernGeneric1x4}, {kernGeneric2x4}},
	dots: [2][2]dotKernel{
		{dotGeneric(1, 1), dotGeneric(1, 2)},
		{dotGeneric(4, 1), dotGeneric(4, 2)},
	},
}

// kernGeneric1x4 is the portable 1×4 tile kernel.
func kernGeneric1x4(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
	var c0, c1, c2, c3 float64
	ia, ib := 0, 0
	for range kc {
		bp := b[ib : ib+4 : ib+4]
		a0 := a[ia]
		c0 += a0 * bp[0]
		c1 += a0 * bp[1]
		c2 += a0 * bp[2]
		c3 += a0 * bp[3]
		ia += aks
		ib += ldb
	}
	store4(c, c0, c1, c2, c3, alpha, beta)
}

// kernGeneric2x4 is the portable 2×4 tile kernel.
func kernGeneric2x4(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
	var c00, c01, c02, c03 float64
	var c10, c11, c12, c13 float64
	ia, ib := 0, 0
	for range kc {
		bp := b[ib : ib+4 : ib+4]
		a0 := a[ia]
		a1 := a[ia+ars]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		ia += aks
		ib += ldb
	}
	store4(c, c00, c01, c02, c03, alpha, beta)
	store4(c[ldc:], c10, c11, c12, c13, alpha, beta)
}

// store4 sets row[j] = alpha·xj + beta·row[j] for j < 4, not reading row
// when beta is zero.
func store4(row []float64, x0, x1, x2, x3, alpha, beta float64) {
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

// dotGeneric returns the portable rows×nx dot kernel.
func dotGeneric(rows, nx int) dotKernel {
	return func(k int, a []float64, lda int, x []float64, ldx int, out []float64) {
		for r := range rows {
			ar := a[r*lda : r*lda+k]
			for j := range nx {
				xj := x[j*ldx : j*ldx+k]
				var s0, s1, s2, s3 float64
				p := 0
				for ; p+4 <= k; p += 4 {
					s0 += ar[p] * xj[p]
					s1 += ar[p+1] * xj[p+1]
					s2 += ar[p+2] * xj[p+2]
					s3 += ar[p+3] * xj[p+3]
				}
				for ; p < k; p++ {
					s0 += ar[p] * xj[p]
				}
				out[r*nx+j] = (s0 + s1) + (s2 + s3)
			}
		}
	}
}
