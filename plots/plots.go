package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"ansatz/results"
)

// Dir is the folder, inside a run folder, that holds the run's figures.
const Dir = "plots"

// File names of the figures [Run] writes.
const (
	LossesFile = "losses.png"
	PhaseFile  = "phase.png"
	EnergyFile = "energy.png"
)

// Figure sizes: 6 × 4 inches at the PNG canvas's default 96 dpi is 576 × 384
// pixels; a tile of the phase figure is 4 inches square.
const (
	width  = 6 * vg.Inch
	height = 4 * vg.Inch
	tile   = 4 * vg.Inch
)

// maxTrajectories is how many trajectories the phase and energy figures show;
// more would hide one another.
const maxTrajectories = 4

// maxPhasePanels is how many coordinate/momentum planes phase.png shows.
const maxPhasePanels = 4

// Run draws the figures of one run into dir/plots/ and returns nothing else:
//
//   - losses.png: every train and test loss metric (split "train" or "test")
//     against the step, on a log scale; train solid, test dashed, one colour
//     per metric. Values that are not finite and positive are left out.
//   - phase.png: the first few trajectories, truth solid and model dashed, in
//     the plane of each coordinate and its momentum (q/p, q1/p1, x/px, …,
//     matched by name; at most four panels), or of the first two state
//     variables when no names pair up. Not drawn for fewer than two variables.
//   - energy.png: the energy of the same trajectories against time, truth and
//     model. The energy is taken as absent when it is 0 (or not finite) in
//     every row, which is how a run of a system without an energy fills it.
//
// vars names the state variables in the order of each trajectory row's State.
// A figure without data is skipped; an old file of that name is left alone.
func Run(dir string, vars []string, metrics []results.Metric, traj []results.Trajectory) error {
	pdir := filepath.Join(dir, Dir)
	if err := os.MkdirAll(pdir, 0o755); err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	if p := lossPlot(metrics); p != nil {
		if err := save(filepath.Join(pdir, LossesFile), p, width, height); err != nil {
			return err
		}
	}
	for i := range traj {
		if len(traj[i].State) != len(vars) {
			return fmt.Errorf("plots: trajectory row %d has %d state values for %d variables", i, len(traj[i].State), len(vars))
		}
	}
	curves := groupTrajectories(traj)
	if err := phasePlot(filepath.Join(pdir, PhaseFile), vars, curves); err != nil {
		return err
	}
	if p := energyPlot(curves); p != nil {
		if err := save(filepath.Join(pdir, EnergyFile), p, width, height); err != nil {
			return err
		}
	}
	return nil
}

// lossKey orders loss series: train before test, the total "loss" first, then
// the terms by name.
type lossKey struct {
	split, metric string
}

func (k lossKey) less(o lossKey) int {
	if k.split != o.split {
		if k.split == "train" {
			return -1
		}
		return 1
	}
	if (k.metric == "loss") != (o.metric == "loss") {
		if k.metric == "loss" {
			return -1
		}
		return 1
	}
	return strings.Compare(k.metric, o.metric)
}

// lossPlot returns the loss figure, or nil when no loss has a positive
// finite value.
func lossPlot(metrics []results.Metric) *plot.Plot {
	series := map[lossKey]plotter.XYs{}
	for _, m := range metrics {
		if m.Split != "train" && m.Split != "test" {
			continue
		}
		if !(m.Value > 0) || math.IsInf(m.Value, 1) {
			continue
		}
		k := lossKey{m.Split, m.Metric}
		series[k] = append(series[k], plotter.XY{X: float64(m.Step), Y: m.Value})
	}
	if len(series) == 0 {
		return nil
	}
	keys := make([]lossKey, 0, len(series))
	for k := range series {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, lossKey.less)
	// One colour per metric name, in order of first appearance.
	var names []string
	for _, k := range keys {
		if !slices.Contains(names, k.metric) {
			names = append(names, k.metric)
		}
	}

	p := plot.New()
	p.Title.Text = "Losses"
	p.X.Label.Text = "step"
	p.Y.Label.Text = "loss"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	for _, k := range keys {
		xy := series[k]
		slices.SortStableFunc(xy, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		l, err := plotter.NewLine(xy)
		if err != nil {
			continue // cannot happen: every value is finite
		}
		l.Color = plotutil.Color(slices.Index(names, k.metric))
		if k.split == "test" {
			l.Dashes = plotutil.Dashes(1)
		}
		p.Add(l)
		p.Legend.Add(k.split+" "+k.metric, l)
	}
	if p.Y.Min == p.Y.Max {
		// A single value (one evaluation, or a flat loss): a log axis needs
		// a range, and one padded linearly could reach 0.
		p.Y.Min, p.Y.Max = p.Y.Min/2, p.Y.Max*2
	}
	return p
}

// curve is one trajectory from one source, in time order.
type curve struct {
	source string
	traj   int64
	rows   []*results.Trajectory
}

// groupTrajectories splits rows into curves of the first maxTrajectories
// trajectory numbers, ordered by trajectory, then source (truth, model,
// others by name).
func groupTrajectories(traj []results.Trajectory) []curve {
	var nums []int64
	for i := range traj {
		if !slices.Contains(nums, traj[i].Trajectory) {
			nums = append(nums, traj[i].Trajectory)
		}
	}
	slices.Sort(nums)
	nums = nums[:min(len(nums), maxTrajectories)]
	byKey := map[[2]string]*curve{}
	var curves []*curve
	for i := range traj {
		tr := &traj[i]
		if !slices.Contains(nums, tr.Trajectory) {
			continue
		}
		k := [2]string{tr.Source, fmt.Sprint(tr.Trajectory)}
		c, ok := byKey[k]
		if !ok {
			c = &curve{source: tr.Source, traj: tr.Trajectory}
			byKey[k] = c
			curves = append(curves, c)
		}
		c.rows = append(c.rows, tr)
	}
	out := make([]curve, len(curves))
	for i, c := range curves {
		slices.SortStableFunc(c.rows, func(a, b *results.Trajectory) int { return cmp.Compare(a.T, b.T) })
		out[i] = *c
	}
	slices.SortStableFunc(out, func(a, b curve) int {
		if a.traj != b.traj {
			return cmp.Compare(a.traj, b.traj)
		}
		if ra, rb := sourceRank(a.source), sourceRank(b.source); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.source, b.source)
	})
	return out
}

// sourceRank puts the truth first and the model second.
func sourceRank(s string) int {
	switch s {
	case "truth":
		return 0
	case "model":
		return 1
	}
	return 2
}

// sources lists the sources of curves in plotting order.
func sources(curves []curve) []string {
	var s []string
	for _, c := range curves {
		if !slices.Contains(s, c.source) {
			s = append(s, c.source)
		}
	}
	slices.SortStableFunc(s, func(a, b string) int {
		if ra, rb := sourceRank(a), sourceRank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return s
}

// trajNumbers lists the trajectory numbers of curves in order.
func trajNumbers(curves []curve) []int64 {
	var n []int64
	for _, c := range curves {
		if !slices.Contains(n, c.traj) {
			n = append(n, c.traj)
		}
	}
	return n
}

// addCurves adds one line per curve to p, with xy picking the point of a row
// (ok false leaves the row out): one colour per trajectory, one dash pattern
// per source, and a legend entry per source.
func addCurves(p *plot.Plot, curves []curve, xy func(*results.Trajectory) (x, y float64, ok bool)) bool {
	srcs, nums := sources(curves), trajNumbers(curves)
	legend := map[string]bool{}
	drawn := false
	for _, c := range curves {
		pts := make(plotter.XYs, 0, len(c.rows))
		for _, r := range c.rows {
			if x, y, ok := xy(r); ok && finite(x) && finite(y) {
				pts = append(pts, plotter.XY{X: x, Y: y})
			}
		}
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			continue
		}
		l.Color = plotutil.Color(slices.Index(nums, c.traj))
		l.Dashes = plotutil.Dashes(slices.Index(srcs, c.source))
		p.Add(l)
		drawn = true
		if !legend[c.source] {
			legend[c.source] = true
			thumb := *l
			thumb.Color = color.Gray{Y: 64}
			p.Legend.Add(c.source, &thumb)
		}
	}
	return drawn
}

// phasePairs returns the pairs of state variable indices to plot against
// each other: each coordinate with its momentum when the names say so (q/p,
// q1/p1, q_x/p_x, x/px, x/p_x), else the first two variables.
func phasePairs(vars []string) [][2]int {
	var pairs [][2]int
	used := make([]bool, len(vars))
	for i, v := range vars {
		if used[i] {
			continue
		}
		var cands []string
		if rest, ok := strings.CutPrefix(v, "q"); ok {
			cands = append(cands, "p"+rest)
		}
		cands = append(cands, "p"+v, "p_"+v)
		for _, c := range cands {
			if j := slices.Index(vars, c); j >= 0 && j != i && !used[j] {
				pairs = append(pairs, [2]int{i, j})
				used[i], used[j] = true, true
				break
			}
		}
	}
	if len(pairs) == 0 && len(vars) >= 2 {
		pairs = append(pairs, [2]int{0, 1})
	}
	return pairs[:min(len(pairs), maxPhasePanels)]
}

// phasePlot writes phase.png, one panel per phase plane, or nothing when
// there are no trajectories or fewer than two variables.
func phasePlot(path string, vars []string, curves []curve) error {
	pairs := phasePairs(vars)
	if len(pairs) == 0 || len(curves) == 0 {
		return nil
	}
	row := make([]*plot.Plot, 0, len(pairs))
	for _, pr := range pairs {
		p := plot.New()
		p.Title.Text = "Phase portrait " + vars[pr[0]] + "–" + vars[pr[1]]
		p.X.Label.Text = vars[pr[0]]
		p.Y.Label.Text = vars[pr[1]]
		p.Legend.Top = true
		if !addCurves(p, curves, func(r *results.Trajectory) (float64, float64, bool) {
			return r.State[pr[0]], r.State[pr[1]], true
		}) {
			return nil
		}
		row = append(row, p)
	}
	w := vg.Length(len(row)) * tile
	img := vgimg.New(w, tile)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Millimeter}
	canvases := plot.Align([][]*plot.Plot{row}, tiles, dc)
	for i, p := range row {
		p.Draw(canvases[0][i])
	}
	return results.AtomicWrite(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

// energyPlot returns the energy figure, or nil when the trajectories carry
// no energy.
func energyPlot(curves []curve) *plot.Plot {
	has := false
	for _, c := range curves {
		for _, r := range c.rows {
			if r.Energy != 0 && finite(r.Energy) {
				has = true
			}
		}
	}
	if !has {
		return nil
	}
	p := plot.New()
	p.Title.Text = "Energy"
	p.X.Label.Text = "t"
	p.Y.Label.Text = "energy"
	p.Legend.Top = true
	if !addCurves(p, curves, func(r *results.Trajectory) (float64, float64, bool) {
		return r.T, r.Energy, true
	}) {
		return nil
	}
	return p
}

// save renders p as a w × h PNG to path, atomically.
func save(path string, p *plot.Plot, w, h vg.Length) error {
	wt, err := p.WriterTo(w, h, "png")
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return results.AtomicWrite(path, func(out io.Writer) error {
		_, err := wt.WriteTo(out)
		return err
	})
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
