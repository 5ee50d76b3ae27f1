package autodiff

import "sync"

// Buffer recycling. A training step allocates the same large buffers every
// step; allocating them afresh costs zeroing and page faults (~15 % of a step in
// profiles). Grad knows exactly which intermediate gradient buffers it created
// and when the last reference to each is dropped, and returns those to these
// pools; ops whose kernels overwrite every element take their output buffers
// from them. Only dead buffers ever enter a pool, so results do not depend on
// the pools' contents.

// poolMin is the smallest buffer (elements) worth recycling.
const poolMin = 1 << 12

// bufPools maps a buffer length to a *sync.Pool of *[]float64 of that length.
var bufPools sync.Map

// allocUninit returns a buffer of n elements whose contents are unspecified:
// the caller must write every element.
func allocUninit(n int) []float64 {
	if n >= poolMin {
		if p, ok := bufPools.Load(n); ok {
			if b, ok := p.(*sync.Pool).Get().(*[]float64); ok {
				return *b
			}
		}
	}
	return make([]float64, n)
}

// releaseBuf hands a buffer that nothing references any more back for reuse.
func releaseBuf(b []float64) {
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

// newUninit returns a tensor of the given shape (not copied) whose data the
// caller must overwrite completely.
func newUninit(shape []int) *Tensor {
	return &Tensor{data: allocUninit(shapeSize(shape)), shape: shape}
}
