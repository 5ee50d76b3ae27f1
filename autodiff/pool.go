package autodiff

import "sync"

// Buffer recycling. A training step allocates the same large buffers every
// step; a fresh allocation costs zeroing and often page faults (~0.1 ms per
// 1 MB buffer in profiles, more than the arithmetic of most ops). Grad knows
// which intermediate gradient buffers it created and when the last reference
// to one is dropped; it releases those into per-size pools, and ops whose
// kernels overwrite every element take their outputs from the pools. Only dead
// buffers enter a pool, so results never depend on the pools' contents.
//
// (Recycling forward buffers as well, with runtime cleanups when their graph
// becomes unreachable, was tried: it halved the remaining allocations but
// grew the heap tenfold, since buffers then come back only after a GC.)

// poolMin is the smallest buffer (elements) worth recycling.
const poolMin = 1 << 12

// bufPools maps a buffer length to a *sync.Pool of *[]float64 of that length.
var bufPools sync.Map

func getBuf(n int) []float64 {
	if p, ok := bufPools.Load(n); ok {
		if b, ok := p.(*sync.Pool).Get().(*[]float64); ok {
			return *b
		}
	}
	return nil
}

// putBuf recycles a buffer that nothing references any more.
func putBuf(b []float64) {
	n := len(b)
	if n < poolMin || cap(b) != n {
		return
	}
	p, ok := bufPools.Load(n)
	if !ok {
		p, _ = bufPools.LoadOrStore(n, new(sync.Pool))
	}
	p.(*sync.Pool).Put(&b)
}

// alloc returns a tensor of the given shape (not copied). With zero unset its
// contents are unspecified and the caller must write every element.
func alloc(shape []int, zero bool) *Tensor {
	n := shapeSize(shape)
	var data []float64
	if n >= poolMin {
		data = getBuf(n)
	}
	switch {
	case data == nil:
		data = make([]float64, n)
	case zero:
		clear(data)
	}
	return &Tensor{data: data, shape: shape, ownsBuf: true}
}

// newUninit returns a tensor of the given shape (not copied) whose data the
// caller must overwrite completely.
func newUninit(shape []int) *Tensor { return alloc(shape, false) }

// newTensor returns a zeroed tensor of the given shape (not copied).
func newTensor(shape []int) *Tensor { return alloc(shape, true) }

// newLike returns an uninitialised tensor of a's shape.
func newLike(a *Tensor) *Tensor { return alloc(a.shape, false) }
