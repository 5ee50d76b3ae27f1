package systems_test

import (
	"fmt"
	"math"

	"ansatz/systems"
)

func ExampleNewHamiltonian() {
	pendulum, err := systems.NewHamiltonian([]string{"theta"}, []string{"p"},
		map[string]float64{"m": 1, "g": 9.81, "l": 2},
		"p^2/(2*m*l^2) + m*g*l*(1 - cos(theta))")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, eq := range pendulum.Equations() {
		fmt.Println(eq)
	}
	fmt.Println("separable:", pendulum.Separable())
	dx := make([]float64, 2)
	pendulum.Field([]float64{math.Pi / 2, 4}, dx)
	fmt.Println(dx)
	// Output:
	// theta' = 0.25*p
	// p' = -19.62*sin(theta)
	// separable: true
	// [1 -19.62]
}

func ExampleNewODE_error() {
	_, err := systems.NewODE([]string{"x", "v"}, map[string]float64{"omega": 2},
		map[string]string{"x": "v", "v": "-omgea^2*x"}, "")
	fmt.Println(err)
	// Output:
	// equations.v: unknown name omgea; did you mean omega? (column 2)
	//  | -omgea^2*x
	//  |  ^
}
