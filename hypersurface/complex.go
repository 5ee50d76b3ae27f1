package hypersurface

import (
	"math"
	"math/cmplx"
)

func finite(v complex128) bool {
	return !cmplx.IsNaN(v) && !cmplx.IsInf(v) && !math.IsNaN(real(v)) && !math.IsNaN(imag(v))
}

func abs2(v complex128) float64 { return real(v)*real(v) + imag(v)*imag(v) }
