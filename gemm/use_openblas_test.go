//go:build openblas && cgo

package gemm

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/netlib/blas/netlib"

	"ansatz/gemm/internal/openblas"
)

func TestUseOpenBLAS(t *testing.T) {
	t.Logf("OpenBLAS core type: %s", openblas.Core())
	prev := blas64.Implementation()
	defer blas64.Use(prev)
	Use()
	if _, ok := blas64.Implementation().(netlib.Implementation); !ok {
		t.Fatalf("blas64 implementation is %T after Use, want netlib.Implementation", blas64.Implementation())
	}
	a := []float64{1, 2, 3, 4, 5, 6}
	c := []float64{math.NaN(), 0, 0, 0}
	want := make([]float64, 4)
	gonum.Implementation{}.Dgemm(blas.NoTrans, blas.Trans, 2, 2, 3, 1, a, 3, a, 3, 0, want, 2)
	blas64.Gemm(blas.NoTrans, blas.Trans, 1,
		blas64.General{Rows: 2, Cols: 3, Stride: 3, Data: a},
		blas64.General{Rows: 2, Cols: 3, Stride: 3, Data: a},
		0, blas64.General{Rows: 2, Cols: 2, Stride: 2, Data: c})
	for i := range c {
		if c[i] != want[i] {
			t.Fatalf("c = %v, want %v", c, want)
		}
	}
}

// BenchmarkDgemmOpenBLAS times OpenBLAS (through netlib) on benchShapes.
func BenchmarkDgemmOpenBLAS(b *testing.B) {
	benchDgemm(b, []namedDgemm{{"openblas", netlib.Implementation{}.Dgemm}})
}
