//go:build !amd64 || purego

package autodiff

// tanhSlice writes tanh(src[i]) to dst[i].
func tanhSlice(dst, src []float64) { tanhGo(dst, src) }
