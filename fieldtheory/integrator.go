package fieldtheory

// IntegratorOptions sets the time step of the pseudo-spectral [Integrator].
type IntegratorOptions struct {
	Dt  float64 `yaml:"dt" doc:"fixed time step; 0 chooses it from the stiffness of the nonlinear terms"`
	CFL float64 `yaml:"cfl" doc:"with dt 0: the step is cfl / ρ, ρ the spectral radius estimate of the nonlinear terms"`
}
