package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Cache blocking. The packed B block (kc×nc) is meant to stay in the 1 MiB
// L2 cache of this CPU; each A micro-panel (mr×kc) stays in L1 while it
// sweeps across the block.
const (
	kcMax = 256
	ncMax = 480
)

// parMin is the smallest m·n·k worth splitting over two goroutines: waking a
// second thread costs some 10-20 µs here, and below about 2 MFLOP the two
// halves finish sooner on one core (measured on 2-core AMD EPYC, AVX-512).
// Each further parMin of work may use one more goroutine, up to GOMAXPROCS.
const parMin = 1 << 20

// chunksPerWorker is how many chunks of rows each goroutine takes on average
// when they share out the rows dynamically.
const chunksPerWorker = 4

// workspace holds the scratch memory of one goroutine's product.
type workspace struct {
	b    []float64  // packed B block
	a    []float64  // short vectors gathered for the thin paths
	tile []float64  // one C tile, for edges
	dot  [8]float64 // results of one dot kernel call
}

var workspaces = sync.Pool{New: func() any { return new(workspace) }}

// grow returns s resized to n elements, reallocating only if needed.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// dgemm computes C = alpha·op(A)·op(B) + beta·C with the kernels ks. The
// arguments have been checked.
func dgemm(ks *kernelSet, aT, bT bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	if beta == 0 {
		beta = 0 // turn -0 into +0: the kernels test the bits.
	}
	workers := min(runtime.GOMAXPROCS(0), 1+m*n*k/parMin)
	if thin(ks, aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	mr := ks.mr()
	kcBlk, ncBlk := blocking(ks, n, k)
	oneBlock := kcBlk >= k && ncBlk >= n
	switch {
	case workers > 1 && m >= 2*mr*workers && oneBlock:
		splitM(ks, workers, aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	case workers > 1 && m >= 2*mr*workers:
		// Several blocks of B: one share of the rows per goroutine, each
		// packing all of B. (Splitting the columns instead, so that each
		// element of B is packed once, measured 7% slower on
		// 200×750·750×200 on a quiet machine.)
		panels := (m + mr - 1) / mr
		parallel(workers, func(w int) {
			i0 := panels * w / workers * mr
			i1 := min(panels*(w+1)/workers*mr, m)
			serial(ks, aT, bT, i1-i0, n, k, alpha, rowsOfA(a, aT, lda, i0), lda, b, ldb, beta, c[i0*ldc:], ldc)
		})
	case workers > 1 && n >= 2*ks.lanes*workers:
		splitN(ks, workers, aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	default:
		serial(ks, aT, bT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// rowsOfA returns a from row i0 of op(A) on.
func rowsOfA(a []float64, aT bool, lda, i0 int) []float64 {
	if aT {
		return a[i0:]
	}
	return a[i0*lda:]
}

// splitM computes C = alpha·op(A)·op(B) + beta·C, where op(B) is a single
// block, with the rows of C shared out over workers goroutines: each packs
// all of op(B), then takes chunks of rows until none are left, so that a
// goroutine that starts late or shares its core with other work does less.
func splitM(ks *kernelSet, workers int, aT, bT bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	mr := ks.mr()
	panels := (m + mr - 1) / mr
	chunks := min(panels, chunksPerWorker*workers)
	var next atomic.Int64
	parallel(workers, func(int) {
		ws := workspaces.Get().(*workspace)
		defer workspaces.Put(ws)
		ws.b = grow(ws.b, k*roundUp(n, ks.lanes))
		ws.tile = grow(ws.tile, mr*ks.nr())
		packB(ws.b, bT, b, ldb, 0, k, 0, n, ks.nr(), ks.lanes)
		for {
			ch := int(next.Add(1) - 1)
			if ch >= chunks {
				return
			}
			i0 := panels * ch / chunks * mr
			i1 := min(panels*(ch+1)/chunks*mr, m)
			macro(ks, ws, aT, i1-i0, n, k, 0, alpha, rowsOfA(a, aT, lda, i0), lda, beta, c[i0*ldc:], ldc)
		}
	})
}

// splitN computes C = alpha·op(A)·op(B) + beta·C with the columns of C
// shared out over workers goroutines in chunks of whole vectors, taken as
// they come. Every element of B is packed once, whatever the number of
// chunks; A, read in place, is read once per chunk.
func splitN(ks *kernelSet, workers int, aT, bT bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	groups := (n + ks.lanes - 1) / ks.lanes
	chunks := min(groups, chunksPerWorker*workers)
	var next atomic.Int64
	parallel(workers, func(int) {
		for {
			ch := int(next.Add(1) - 1)
			if ch >= chunks {
				return
			}
			j0 := groups * ch / chunks * ks.lanes
			j1 := min(groups*(ch+1)/chunks*ks.lanes, n)
			var bw []float64
			if bT {
				bw = b[j0*ldb:]
			} else {
				bw = b[j0:]
			}
			serial(ks, aT, bT, m, j1-j0, k, alpha, a, lda, bw, ldb, beta, c[j0:], ldc)
		}
	})
}

// parallel runs f(0), ..., f(workers-1) on new goroutines and waits for
// them. (Running one part on the calling goroutine was measured slower: the
// scheduler then leaves the new goroutine queued behind it.)
func parallel(workers int, f func(w int)) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { f(w) })
	}
	wg.Wait()
}

// scale sets C = beta·C, overwriting C with zeros when beta is zero.
func scale(m, n int, beta float64, c []float64, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// blocking returns the block sizes for a k×n op(B): equal-sized blocks of at
// most kcMax rows and ncMax columns (a multiple of the widest tile).
func blocking(ks *kernelSet, n, k int) (kcBlk, ncBlk int) {
	kBlocks := (k + kcMax - 1) / kcMax
	nBlocks := (n + ncMax - 1) / ncMax
	return (k + kBlocks - 1) / kBlocks, roundUp((n+nBlocks-1)/nBlocks, ks.nr())
}

// serial computes C = alpha·op(A)·op(B) + beta·C on the calling goroutine.
// B is packed block by block; A is read in place.
func serial(ks *kernelSet, aT, bT bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ws := workspaces.Get().(*workspace)
	defer workspaces.Put(ws)

	kcBlk, ncBlk := blocking(ks, n, k)
	ws.b = grow(ws.b, kcBlk*roundUp(min(ncBlk, n), ks.lanes))
	ws.tile = grow(ws.tile, ks.mr()*ks.nr())
	for jc := 0; jc < n; jc += ncBlk {
		nc := min(ncBlk, n-jc)
		for pc := 0; pc < k; pc += kcBlk {
			kc := min(kcBlk, k-pc)
			bet := beta
			if pc > 0 {
				bet = 1
			}
			packB(ws.b, bT, b, ldb, pc, kc, jc, nc, ks.nr(), ks.lanes)
			macro(ks, ws, aT, m, nc, kc, pc, alpha, a, lda, bet, c[jc:], ldc)
		}
	}
}

// macro multiplies the m×kc block of op(A) at column pc by the kc×nc block
// of op(B) packed in ws.b and sets C = alpha·product + beta·C, sweeping each
// group of rows of A (read in place) across the column panels of B.
func macro(ks *kernelSet, ws *workspace, aT bool, m, nc, kc, pc int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	mr, nr, lanes := ks.mr(), ks.nr(), ks.lanes
	for ic := 0; ic < m; ic += mr {
		rows := min(mr, m-ic)
		var ap []float64
		var ars, aks int
		if aT {
			ap, ars, aks = a[pc*lda+ic:], 1, lda
		} else {
			ap, ars, aks = a[ic*lda+pc:], lda, 1
		}
		kerns := ks.tiles[rows-1]
		for jr := 0; jr < nc; jr += nr {
			cols := min(nr, nc-jr)
			nv := (cols + lanes - 1) / lanes
			w := nv * lanes
			tileTo(kerns[nv-1], kc, ap, ars, aks, ws.b[jr*kc:], w, rows, cols, w, false, c[ic*ldc+jr:], ldc, alpha, beta, ws.tile)
		}
	}
}

// tileTo runs kern on a rows×w tile and adds alpha times the first cols
// columns to C (beta·C + ...), straight into C when the tile fits exactly,
// else through tile. With trans the tile is added to Cᵀ: tile element (r, j)
// goes to c[j·ldc+r].
func tileTo(kern microKernel, kc int, a []float64, ars, aks int, b []float64, ldb, rows, cols, w int, trans bool, c []float64, ldc int, alpha, beta float64, tile []float64) {
	if cols == w && !trans {
		kern(kc, a, ars, aks, b, ldb, c, ldc, alpha, beta)
		return
	}
	kern(kc, a, ars, aks, b, ldb, tile, w, 1, 0)
	for r := range rows {
		t := tile[r*w : r*w+cols]
		if trans {
			for j, v := range t {
				cj := &c[j*ldc+r]
				if beta == 0 {
					*cj = alpha * v
				} else {
					*cj = alpha*v + beta**cj
				}
			}
			continue
		}
		cr := c[r*ldc : r*ldc+cols]
		if beta == 0 {
			for j, v := range t {
				cr[j] = alpha * v
			}
			continue
		}
		for j, v := range t {
			cr[j] = alpha*v + beta*cr[j]
		}
	}
}

// roundUp rounds x up to a multiple of q.
func roundUp(x, q int) int { return (x + q - 1) / q * q }

// packB copies the kc×nc block of op(B) at (pc, jc) into dst as column panels
// nr wide (the last one narrower, zero-padded to a multiple of lanes); the
// panel at column jr starts at dst[jr·kc] and is row-major.
func packB(dst []float64, bT bool, b []float64, ldb, pc, kc, jc, nc, nr, lanes int) {
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		w := roundUp(cols, lanes)
		panel := dst[jr*kc : jr*kc+kc*w]
		if !bT {
			for p := range kc {
				src := b[(pc+p)*ldb+jc+jr:]
				row := panel[p*w : p*w+w]
				copy(row, src[:cols])
				clear(row[cols:])
			}
			continue
		}
		// Eight columns of op(B) (rows of B) at a time: one cache line of
		// the panel per k step (measured 1.5× faster than one at a time).
		j := 0
		for ; j+8 <= cols; j += 8 {
			at := (jc+jr+j)*ldb + pc
			s0, s1 := b[at:][:kc], b[at+ldb:][:kc]
			s2, s3 := b[at+2*ldb:][:kc], b[at+3*ldb:][:kc]
			s4, s5 := b[at+4*ldb:][:kc], b[at+5*ldb:][:kc]
			s6, s7 := b[at+6*ldb:][:kc], b[at+7*ldb:][:kc]
			for p := range kc {
				d := panel[p*w+j : p*w+j+8 : p*w+j+8]
				d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
				d[4], d[5], d[6], d[7] = s4[p], s5[p], s6[p], s7[p]
			}
		}
		for ; j < cols; j++ {
			src := b[(jc+jr+j)*ldb+pc:][:kc]
			for p, v := range src {
				panel[p*w+j] = v
			}
		}
		if cols < w {
			for p := range kc {
				clear(panel[p*w+cols : p*w+w])
			}
		}
	}
}
