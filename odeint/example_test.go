package odeint_test

import (
	"fmt"
	"math"

	"ansatz/odeint"
)

// The harmonic oscillator q̇ = p, ṗ = −q from (1, 0): after half a period the
// state is (−1, 0).
func Example() {
	f := func(x, dx []float64) { dx[0], dx[1] = x[1], -x[0] }
	out, err := odeint.NewDopri5().Integrate(f, []float64{1, 0}, []float64{0, math.Pi / 2, math.Pi})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("p(π/2) = %.9f\n", out[3])
	fmt.Printf("q(π)   = %.9f\n", out[4])
	// Output:
	// p(π/2) = -1.000000000
	// q(π)   = -1.000000000
}

// A batch of two pendulums integrated by one field call per stage; the
// result is time-major: row k·n + r is trajectory r at time ts[k].
func ExampleLeapfrog_IntegrateBatch() {
	f := func(xs, dxs []float64, n int) {
		for r := range n {
			q, p := xs[2*r], xs[2*r+1]
			dxs[2*r], dxs[2*r+1] = p, -math.Sin(q)
		}
	}
	x0s := []float64{0.1, 0, 3, 0} // small and large amplitude
	out, err := (&odeint.Leapfrog{DT: 0.001}).IntegrateBatch(f, x0s, 2, []float64{0, 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	for r := range 2 {
		q, p := out[(1*2+r)*2], out[(1*2+r)*2+1]
		fmt.Printf("trajectory %d at t=10: energy %.5f (initially %.5f)\n", r, p*p/2-math.Cos(q), -math.Cos(x0s[2*r]))
	}
	// Output:
	// trajectory 0 at t=10: energy -0.99500 (initially -0.99500)
	// trajectory 1 at t=10: energy 0.98999 (initially 0.98999)
}

// Errors name the time at which the solution stopped being finite.
func ExampleNonFiniteError() {
	f := func(x, dx []float64) { dx[0] = x[0] * x[0] } // x = 1/(1−t)
	_, err := odeint.NewRK4().Integrate(f, []float64{1}, []float64{0, 2})
	fmt.Println(err)
	// Output:
	// rk4: derivative component 0 is +Inf at t=1.02
}
