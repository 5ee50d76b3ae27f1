package autodiff

import (
	"runtime"
	"sync"
)

// parallelThreshold is the work size (elements) above which elementwise loops
// are split across goroutines.
const parallelThreshold = 32 << 10

// parallelFor calls fn on disjoint sub-ranges covering [0,n). When work (the
// number of elements touched) is below parallelThreshold it runs fn(0,n) on the
// calling goroutine; otherwise it splits the range over up to GOMAXPROCS
// goroutines.
func parallelFor(n, work int, fn func(lo, hi int)) {
	if work < parallelThreshold || n < 2 {
		fn(0, n)
		return
	}
	parts := min(runtime.GOMAXPROCS(0), n)
	if parts < 2 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(parts - 1)
	for p := 1; p < parts; p++ {
		lo, hi := p*n/parts, (p+1)*n/parts
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	fn(0, n/parts)
	wg.Wait()
}
