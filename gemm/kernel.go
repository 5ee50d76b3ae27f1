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

// genericKernels is the pure-Go fallback: tiles of up to 4×4.
var genericKernels = &kernelSet{
	name:  "generic",
	lanes: 4,
	tiles: [][]microKernel{
		{func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
			kernGeneric(1, kc, a, ars, aks, b, ldb, c, ldc, alpha, beta)
		}},
		{func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
			kernGeneric(2, kc, a, ars, aks, b, ldb, c, ldc, alpha, beta)
		}},
		{func(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
			kernGeneric(3, kc, a, ars, aks, b, ldb, c, ldc, alpha, beta)
		}},
		{kernGeneric4x4},
	},
	dots: [2][2]dotKernel{
		{dotGeneric(1, 1), dotGeneric(1, 2)},
		{dotGeneric(4, 1), dotGeneric(4, 2)},
	},
}

// kernGeneric is the portable mr×4 tile kernel for mr < 4.
func kernGeneric(mr, kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
	var acc [4][4]float64
	for r := range mr {
		ia, ib := r*ars, 0
		for range kc {
			av := a[ia]
			bp := b[ib : ib+4 : ib+4]
			acc[r][0] += av * bp[0]
			acc[r][1] += av * bp[1]
			acc[r][2] += av * bp[2]
			acc[r][3] += av * bp[3]
			ia += aks
			ib += ldb
		}
	}
	for r := range mr {
		row := c[r*ldc : r*ldc+4 : r*ldc+4]
		for j, v := range acc[r] {
			if beta == 0 {
				row[j] = alpha * v
			} else {
				row[j] = alpha*v + beta*row[j]
			}
		}
	}
}

// kernGeneric4x4 is the portable 4×4 tile kernel.
func kernGeneric4x4(kc int, a []float64, ars, aks int, b []float64, ldb int, c []float64, ldc int, alpha, beta float64) {
	var c00, c01, c02, c03 float64
	var c10, c11, c12, c13 float64
	var c20, c21, c22, c23 float64
	var c30, c31, c32, c33 float64
	ia, ib := 0, 0
	for range kc {
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
