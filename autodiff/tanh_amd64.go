//go:build amd64 && !purego

package autodiff

import "golang.org/x/sys/cpu"

// hasAVX512 is fixed at start-up: whether the tanh kernel may use AVX-512.
var hasAVX512 = cpu.X86.HasAVX512F

// tanhAVX512 writes tanhFast(src[i]) to dst[i] for i < n (tanh_amd64.s).
//
//go:noescape
func tanhAVX512(dst, src *float64, n int, consts *[22]uint64)

// tanhSlice writes tanh(src[i]) to dst[i].
func tanhSlice(dst, src []float64) {
	if !hasAVX512 || len(dst) == 0 {
		tanhGo(dst, src)
		return
	}
	src = src[:len(dst)]
	c := tanhConsts()
	tanhAVX512(&dst[0], &src[0], len(dst), &c)
}
