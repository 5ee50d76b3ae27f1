package odeint

import "ansatz/registry"

func init() {
	for _, m := range []registry.Module{
		{Name: "rk4", Doc: "classic 4th-order Runge–Kutta with a fixed largest step", New: func() any { return NewRK4() }},
		{Name: "dopri5", Doc: "adaptive Dormand–Prince 5(4) with relative and absolute tolerances", New: func() any { return NewDopri5() }},
		{Name: "leapfrog", Doc: "symplectic kick-drift-kick leapfrog (2nd order) for separable Hamiltonians", New: func() any { return NewLeapfrog() }},
		{Name: "yoshida4", Doc: "symplectic 4th-order Yoshida composition of leapfrog for separable Hamiltonians", New: func() any { return NewYoshida4() }},
	} {
		m.Kind = registry.Integrator
		registry.Register(m)
	}
}
