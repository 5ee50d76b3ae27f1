package fieldtheory_test

import (
	"fmt"
	"math/rand/v2"

	"ansatz/fieldtheory"
)

// The KdV equation as a field system: its jets, the time derivatives of the
// jets through total x-derivatives, and random jets off shell.
func ExampleSystem() {
	kdv, err := fieldtheory.NewSystem(fieldtheory.Definition{
		Fields:    []string{"u"},
		Domain:    fieldtheory.Domain{Length: 20, Points: 128, Periodic: true},
		Equations: map[string]string{"u_t": "-u_3x - 6*u*u_x"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(kdv.Equations(), "order", kdv.EquationOrder())
	m, err := kdv.JetMap(1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("inputs", m.Inputs())
	for i, d := range m.TimeDerivatives() {
		fmt.Printf("∂_t %s = %s\n", m.Outputs()[i], d)
	}
	x, dx, f, err := kdv.RandomJets(rand.New(rand.NewPCG(1, 2)), 3, 1, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("rows of", len(x)/3, "jets;", len(dx), len(f), "values in DX and F")
	// Output:
	// [u_t = -u_xxx - 6*u*u_x] order 3
	// inputs [u u_x u_xx u_xxx u_xxxx]
	// ∂_t u = -u_xxx - 6*u*u_x
	// ∂_t u_x = -u_xxxx - 6*u_x*u_x - 6*u*u_xx
	// rows of 2 jets; 6 6 values in DX and F
}
