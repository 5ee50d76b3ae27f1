package suggest_test

import (
	"fmt"

	"ansatz/suggest"
)

func ExampleKey() {
	fmt.Println(suggest.Key("hamiltonain", []string{"ode", "hamiltonian"}))
	// Output: hamiltonian
}

func ExampleNameHint() {
	fmt.Printf("unknown name q2%s\n", suggest.NameHint("q2", []string{"q", "p"}))
	// Output: unknown name q2; did you mean q?
}
