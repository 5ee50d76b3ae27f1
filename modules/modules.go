// Package modules links every component package into a program: importing
// it for its side effects registers all systems, data kinds, samplers,
// integrators, models, losses, optimisers, schedules and analyses, the way
// Caddy's standard modules are linked in. The command imports it; so do
// tests that need the whole registry (the schema of the shipped
// experiments).
package modules

import (
	_ "ansatz/analyses"      // analyses of flows, Lax pairs, conserved quantities, symmetries
	_ "ansatz/architectures" // models
	_ "ansatz/datasets"      // data kinds and samplers
	_ "ansatz/fieldtheory"   // system field, data field_snapshots
	_ "ansatz/hypersurface"  // system hypersurface, data hypersurface_points
	_ "ansatz/kahler"        // Calabi–Yau metric models, losses and analyses
	_ "ansatz/losses"        // loss terms
	_ "ansatz/odeint"        // integrators
	_ "ansatz/optim"         // optimisers and schedules
	_ "ansatz/systems"       // systems hamiltonian and ode
)
