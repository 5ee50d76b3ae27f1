package symbolic_test

import (
	"fmt"

	"ansatz/symbolic"
)

// The whole pipeline on a harmonic oscillator: parse, substitute the
// parameters, differentiate, compile and evaluate.
func Example() {
	h, err := symbolic.Parse("p^2/(2*m) + k*q^2/2")
	if err != nil {
		fmt.Println(err)
		return
	}
	h = symbolic.Substitute(h, map[string]float64{"m": 0.5, "k": 4})
	dHdq, dHdp := symbolic.Diff(h, "q"), symbolic.Diff(h, "p")
	fmt.Println("H =", h)
	fmt.Println("∂H/∂q =", dHdq)
	fmt.Println("∂H/∂p =", dHdp)

	grad, err := symbolic.CompileVector([]symbolic.Node{dHdq, dHdp}, []string{"q", "p"})
	if err != nil {
		fmt.Println(err)
		return
	}
	g := make([]float64, 2)
	grad([]float64{1, 3}, g)
	fmt.Println("∇H(1, 3) =", g)
	// Output:
	// H = p^2 + 2*q^2
	// ∂H/∂q = 4*q
	// ∂H/∂p = 2*p
	// ∇H(1, 3) = [4 6]
}

func ExampleParse_error() {
	_, err := symbolic.Parse("p^2 + 3*(1 - cso(q))")
	fmt.Println(err)
	// Output:
	// unknown function cso; did you mean cos? (column 14)
	//  | p^2 + 3*(1 - cso(q))
	//  |              ^
}

func ExampleCompile_unknownName() {
	n, _ := symbolic.Parse("p1^2/2 + q2^2")
	_, err := symbolic.Compile(n, []string{"q1", "p1"})
	fmt.Println(err)
	// Output:
	// unknown name q2; did you mean q1? (column 10)
}
