package gemm

// Thin products avoid the blocked algorithm, whose tile kernels would waste
// most of their work and whose packing of B would cost more than it saves.
// thinMax is the largest number of rows or columns of C that makes a product
// thin; thinRowsMax is the largest number of rows for which B, when not
// transposed, is read in place rather than packed. Both are measured
// crossovers (750×n·…, m×750·750×200 and m×1000·1000×1000 products).
const (
	thinMax     = 4
	thinRowsMax = 16
)

// thin computes C = alpha·op(A)·op(B) + beta·C when C has at most thinMax
// rows or columns, or at most thinRowsMax rows and B is not transposed, and
// reports whether it did. Nothing is packed except, at most, one narrow
// panel or a few short vectors.
func thin(ks *kernelSet, aT, bT bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	if n > thinMax && (m > thinRowsMax || m > thinMax && bT) {
		return false
	}
	ws := workspaces.Get().(*workspace)
	defer workspaces.Put(ws)
	switch {
	case n <= thinMax && !aT:
		// C[i][j] = rows of A · columns of op(B).
		x, ldx := b, ldb
		if !bT {
			x, ldx = gather(ws, b, ldb, k, n), k
		}
		dots(ks, ws, m, n, k, a, lda, x, ldx, alpha, beta, c, ldc, 1)
	case m <= thinMax && bT:
		// Cᵀ[j][i] = rows of B · rows of op(A).
		x, ldx := a, lda
		if aT {
			x, ldx = gather(ws, a, lda, k, m), k
		}
		dots(ks, ws, n, m, k, b, ldb, x, ldx, alpha, beta, c, 1, ldc)
	case n <= thinMax:
		// Cᵀ = op(B)ᵀ·Aᵀ with A (stored k×m) as the vector operand.
		ars, aks := 1, ldb
		if bT {
			ars, aks = ldb, 1
		}
		sweep(ks, ws, n, m, k, b, ars, aks, a, lda, true, alpha, beta, c, ldc)
	default:
		// m ≤ thinRowsMax and B not transposed: B is the vector operand in place.
		ars, aks := lda, 1
		if aT {
			ars, aks = 1, lda
		}
		sweep(ks, ws, m, n, k, a, ars, aks, b, ldb, false, alpha, beta, c, ldc)
	}
	return true
}

// gather copies the k×cols row-major matrix x (stride ldx) column by column
// into ws.a, so that column j is ws.a[j·k : (j+1)·k].
func gather(ws *workspace, x []float64, ldx, k, cols int) []float64 {
	ws.a = grow(ws.a, k*cols)
	for p := range k {
		row := x[p*ldx : p*ldx+cols]
		for j, v := range row {
			ws.a[j*k+p] = v
		}
	}
	return ws.a
}

// dots sets C[r·crs+j·ccs] = alpha·Σ_p a[r·lda+p]·x[j·ldx+p] + beta·C[...]
// for r < rows and j < nx ≤ thinMax, with the dot kernels of ks.
func dots(ks *kernelSet, ws *workspace, rows, nx, k int, a []float64, lda int, x []float64, ldx int, alpha, beta float64, c []float64, crs, ccs int) {
	out := ws.dot[:]
	for r := 0; r < rows; {
		nrow, big := 1, 0
		if rows-r >= 4 {
			nrow, big = 4, 1
		}
		for j := 0; j < nx; {
			w := min(2, nx-j)
			ks.dots[big][w-1](k, a[r*lda:], lda, x[j*ldx:], ldx, out)
			for ri := range nrow {
				for jj := range w {
					ci := &c[(r+ri)*crs+(j+jj)*ccs]
					v := alpha * out[ri*w+jj]
					if beta != 0 {
						v += beta * *ci
					}
					*ci = v
				}
			}
			j += w
		}
		r += nrow
	}
}

// sweep computes the rows×cols product P = A'·B' with A' read with strides
// (ars, aks) and B' (k×cols, stride ldb) read in place, except for a partial
// last vector, which is packed. It sets C = alpha·P + beta·C, or
// C = alpha·Pᵀ + beta·C when trans. Rows are taken as many at a time as the
// tallest tile allows.
func sweep(ks *kernelSet, ws *workspace, rows, cols, k int, a []float64, ars, aks int, b []float64, ldb int, trans bool, alpha, beta float64, c []float64, ldc int) {
	lanes, nr, mr := ks.lanes, ks.nr(), ks.mr()
	ws.tile = grow(ws.tile, mr*nr)
	for r0 := 0; r0 < rows; r0 += mr {
		h := min(mr, rows-r0)
		kerns := ks.tiles[h-1]
		ar := a[r0*ars:]
		var cr []float64
		if trans {
			cr = c[r0:]
		} else {
			cr = c[r0*ldc:]
		}
		for j := 0; j < cols; {
			w := min(nr, cols-j)
			nv := w / lanes
			bp, lb := b[j:], ldb
			if nv == 0 {
				// A partial vector at the end: pack it, zero-padded.
				nv = 1
				ws.b = grow(ws.b, k*lanes)
				for p := range k {
					row := ws.b[p*lanes : p*lanes+lanes]
					copy(row, b[p*ldb+j:p*ldb+j+w])
					clear(row[w:])
				}
				bp, lb = ws.b, lanes
			} else {
				w = nv * lanes
			}
			var cj []float64
			if trans {
				cj = cr[j*ldc:]
			} else {
				cj = cr[j:]
			}
			tileTo(kerns[nv-1], k, ar, ars, aks, bp, lb, h, w, nv*lanes, trans, cj, ldc, alpha, beta, ws.tile)
			j += w
		}
	}
}
