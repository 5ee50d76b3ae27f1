package main

// Component packages that the runner does not import itself register their
// kinds here, the way Caddy's standard modules are linked in: a package
// named below adds its systems, data kinds, models, losses and analyses to
// the registry when the program starts.
import (
	_ "ansatz/hypersurface" // system hypersurface, data hypersurface_points
	_ "ansatz/kahler"       // Calabi–Yau metric models, losses and analyses
)
