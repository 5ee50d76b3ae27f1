package gemm_test

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/mat"

	"ansatz/gemm"
)

// Dgemm works on row-major slices like blas64: here C = A·Bᵀ.
func ExampleDgemm() {
	a := []float64{ // 2×3
		1, 2, 3,
		4, 5, 6,
	}
	b := []float64{ // 2×3, used transposed
		1, 0, 1,
		0, 1, 0,
	}
	c := make([]float64, 2*2)
	gemm.Dgemm(blas.NoTrans, blas.Trans, 2, 2, 3, 1, a, 3, b, 3, 0, c, 2)
	fmt.Println(c)
	// Output: [4 2 10 5]
}

// Use installs the fast Dgemm under gonum/mat.
func ExampleUse() {
	gemm.Use()
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	var c mat.Dense
	c.Mul(a, a.T())
	fmt.Println(mat.Formatted(&c))
	// Output:
	// ⎡ 5  11⎤
	// ⎣11  25⎦
}
