package plots

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg/draw"

	"ansatz/results"
)

// SweepRun is one run of a sweep as [Sweep] sees it: the values the sweep set
// and the run's final metrics, named as in expectations ("test.loss",
// "energy_mse").
type SweepRun struct {
	// Params are the swept values of the run (manifest.json's params).
	Params []results.Param
	// Metrics maps a metric name to its final value.
	Metrics map[string]float64
}

// maxSweepGroups is how many lines a sweep figure draws, one per combination
// of the other swept parameters; with more, every point is drawn as one group.
const maxSweepGroups = 8

// Sweep draws, for every numeric swept parameter that takes at least two
// values among runs and every metric in metrics that some of those runs
// have, the metric against the parameter, into
// <out>/<name>/sweep-<param>-<metric>.png (characters other than letters,
// digits, '.', '_' and '-' in the names become '_'); a swept "seed" gets
// no figure of its own. It returns the paths
// written, in parameter order then metric order.
//
// Runs that share the values of the other swept parameters (seeds aside)
// form one line through the mean at each value, with every run drawn as a
// point, so seeds show as a spread. The parameter axis is logarithmic when
// its values are positive and span a factor of 100 or more (learning rates),
// the metric axis when its values are positive and span more than a factor
// of 10. Non-finite metric values are left out. Booleans, strings and
// structured values are not numeric and get no figure.
func Sweep(out, name string, runs []SweepRun, metrics []string) ([]string, error) {
	var keys []string
	for _, r := range runs {
		for _, p := range r.Params {
			if !slices.Contains(keys, p.Key) {
				keys = append(keys, p.Key)
			}
		}
	}
	var written []string
	for _, key := range keys {
		if key == "seed" {
			continue // seeds are repetitions, shown as the spread of the points
		}
		for _, metric := range metrics {
			p := sweepPlot(runs, keys, key, metric)
			if p == nil {
				continue
			}
			dir := filepath.Join(out, name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return written, fmt.Errorf("sweep plot: %w", err)
			}
			path := filepath.Join(dir, "sweep-"+fileSafe(key)+"-"+fileSafe(metric)+".png")
			if err := save(path, p, width, height); err != nil {
				return written, err
			}
			written = append(written, path)
		}
	}
	return written, nil
}

// sweepGroup is the runs that share the other swept values.
type sweepGroup struct {
	label string
	pts   plotter.XYs
}

// sweepPlot returns the figure of metric against the swept key, or nil when
// the key is not numeric or takes fewer than two values among the runs that
// have the metric.
func sweepPlot(runs []SweepRun, keys []string, key, metric string) *plot.Plot {
	var groups []*sweepGroup
	var xs []float64
	for _, r := range runs {
		y, ok := r.Metrics[metric]
		if !ok || !finite(y) {
			continue
		}
		x, ok, numeric := paramFloat(r.Params, key)
		if !numeric {
			return nil
		}
		if !ok {
			continue
		}
		label := otherValues(r.Params, keys, key)
		i := slices.IndexFunc(groups, func(g *sweepGroup) bool { return g.label == label })
		if i < 0 {
			groups = append(groups, &sweepGroup{label: label})
			i = len(groups) - 1
		}
		groups[i].pts = append(groups[i].pts, plotter.XY{X: x, Y: y})
		if !slices.Contains(xs, x) {
			xs = append(xs, x)
		}
	}
	if len(xs) < 2 {
		return nil
	}
	if len(groups) > maxSweepGroups {
		all := &sweepGroup{}
		for _, g := range groups {
			all.pts = append(all.pts, g.pts...)
		}
		groups = []*sweepGroup{all}
	}

	p := plot.New()
	p.Title.Text = metric + " against " + key
	p.X.Label.Text = key
	p.Y.Label.Text = metric
	p.Legend.Top = true
	if positiveSpan(xs) >= 100 {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	var ys []float64
	for _, g := range groups {
		for _, pt := range g.pts {
			ys = append(ys, pt.Y)
		}
	}
	if positiveSpan(ys) > 10 {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	for i, g := range groups {
		c := plotutil.Color(i)
		sc, err := plotter.NewScatter(g.pts)
		if err != nil {
			continue
		}
		sc.Color = c
		sc.Shape = draw.CircleGlyph{}
		line, err := plotter.NewLine(means(g.pts))
		if err != nil {
			continue
		}
		line.Color = c
		p.Add(line, sc)
		if len(groups) > 1 && g.label != "" {
			p.Legend.Add(g.label, line, sc)
		}
	}
	return p
}

// paramFloat returns the numeric value of key among params: ok is false when
// the run lacks the key; numeric is false when the value is not a number.
func paramFloat(params []results.Param, key string) (x float64, ok, numeric bool) {
	for _, p := range params {
		if p.Key != key {
			continue
		}
		x, numeric = toFloat(p.Value)
		return x, numeric, numeric
	}
	return 0, false, true
}

// toFloat converts the numeric types a decoded YAML or JSON value can have.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, finite(x)
	case float32:
		return float64(x), finite(float64(x))
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil && finite(f)
	}
	return 0, false
}

// otherValues labels a run by its swept values other than key and the seed.
func otherValues(params []results.Param, keys []string, key string) string {
	var parts []string
	for _, k := range keys {
		if k == key || k == "seed" {
			continue
		}
		for _, p := range params {
			if p.Key == k {
				parts = append(parts, fmt.Sprintf("%s=%v", k, p.Value))
			}
		}
	}
	return strings.Join(parts, ", ")
}

// means returns the mean y at each x, in increasing x.
func means(pts plotter.XYs) plotter.XYs {
	sorted := slices.Clone(pts)
	slices.SortStableFunc(sorted, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
	var out plotter.XYs
	for i := 0; i < len(sorted); {
		j, sum := i, 0.0
		for ; j < len(sorted) && sorted[j].X == sorted[i].X; j++ {
			sum += sorted[j].Y
		}
		out = append(out, plotter.XY{X: sorted[i].X, Y: sum / float64(j-i)})
		i = j
	}
	return out
}

// positiveSpan returns max/min of xs when every value is positive, else 0.
func positiveSpan(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		if !(x > 0) {
			return 0
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	return hi / lo
}

// fileSafe replaces characters that are awkward in file names.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
}
