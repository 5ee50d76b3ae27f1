package datasets_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"ansatz/datasets"
	"ansatz/odeint"
)

// spring is Greydanus' ideal spring, H = q² + p².
type spring struct{}

func (spring) Variables() []string { return []string{"q", "p"} }
func (spring) Field(x, dx []float64) {
	dx[0], dx[1] = 2*x[1], -2*x[0]
}

// Greydanus et al.'s spring data: 50 trajectories on t ∈ [0, 3] at 30 points,
// initial radius U[0.1, 1], noise σ = 0.1 on the states, split 50/50 by
// trajectory.
func Example() {
	opts := datasets.NewTrajectoryOptions()
	opts.T = datasets.TimeGrid{Start: 0, Stop: 3, Points: 30}
	opts.Noise = 0.1
	data, err := datasets.Generate(spring{}, datasets.NewRadius(), odeint.NewDopri5(), opts, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("variables:", data.Vars)
	fmt.Println("train:", data.Train.N, "points, test:", data.Test.N, "points")
	// Targets are the exact derivatives at the noise-free states.
	x, dx := data.Train.Clean[:2], data.Train.DX[:2]
	fmt.Println("target = f(clean state):", dx[0] == 2*x[1] && dx[1] == -2*x[0])
	// Output:
	// variables: [q p]
	// train: 750 points, test: 750 points
	// target = f(clean state): true
}

// Greydanus' two-body initial condition as formulas: body 1 at (a, b) with
// the circular-orbit velocity perturbed by 5 %, body 2 opposite.
func ExampleNewExpressions() {
	initial, err := datasets.NewExpressions(
		[]datasets.NamedExpr{
			{Name: "a", Expr: "uniform(0.5, 1.5)"},
			{Name: "b", Expr: "uniform(0.5, 1.5)"},
			{Name: "r", Expr: "sqrt(a^2 + b^2)"},
			{Name: "s", Expr: "(1 + 0.05*normal(0, 1)) / (2*r^1.5)"},
		},
		[]datasets.NamedExpr{
			{Name: "x1", Expr: "a"}, {Name: "y1", Expr: "b"}, {Name: "px1", Expr: "-b*s"}, {Name: "py1", Expr: "a*s"},
			{Name: "x2", Expr: "-a"}, {Name: "y2", Expr: "-b"}, {Name: "px2", Expr: "b*s"}, {Name: "py2", Expr: "-a*s"},
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	vars := []string{"x1", "x2", "y1", "y2", "px1", "px2", "py1", "py2"}
	x := make([]float64, len(vars))
	if err := initial.Sample(rand.New(rand.NewPCG(1, 2)), vars, x); err != nil {
		fmt.Println(err)
		return
	}
	r := math.Hypot(x[0], x[2])
	speed := math.Hypot(x[4], x[6])
	fmt.Println("body 2 = −body 1:", x[1] == -x[0] && x[3] == -x[2] && x[5] == -x[4] && x[7] == -x[6])
	fmt.Printf("speed / circular speed: %.2f\n", speed*2*math.Sqrt(r))
	// Output:
	// body 2 = −body 1: true
	// speed / circular speed: 1.01
}

// Errors in formulas name the entry and point at the problem.
func ExampleNewExpressions_error() {
	_, err := datasets.NewExpressions([]datasets.NamedExpr{{Name: "r", Expr: "unifrom(0.5, 1.5)"}}, nil)
	fmt.Println(err)
	// Output:
	// let r: unknown function unifrom; did you mean uniform? (column 1)
	//  | unifrom(0.5, 1.5)
	//  | ^
}
