package index

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/parquet-go/parquet-go"

	"ansatz/plots"
	"ansatz/results"
)

// File is the name of the index table in the output folder.
const File = "index.parquet"

// Build writes <out>/index.parquet, atomically, from every run folder under
// out (see [Scan]), and the sweep figures of every spec whose runs carry
// swept parameters (see [SweepFigures]). It returns the path of the table.
//
// The columns are, in order:
//
//	run_id, name, status   string
//	reason                 string, null unless the run failed or missed an expectation
//	seed                   int64 (a seed ≥ 2⁶³ wraps around)
//	vcs_revision           string, empty when unknown
//	vcs_modified           bool
//	tool_version           string
//	started, ended         timestamp (µs, UTC); ended is null while a run runs
//	dir                    string, the run folder relative to out
//
// then one column per swept parameter, named by its key (for example
// "train.optimizer.lr"), in order of first appearance, and typed by its
// values: int64 when every value is an integer, double when every value is a
// number, bool, or string (strings, mixed types, lists and maps as JSON);
// null for a run without the parameter. The JSON manifest does not keep the
// difference between 2 and 2.0, so a parameter swept over whole numbers only
// is int64. Then one double column per final metric (see [FinalMetrics]),
// named as in expectations ("train.loss", "test.loss.hnn", "energy_mse"), in
// the order train, test, eval; null for a run without the metric. A name
// that clashes with an earlier column (DuckDB ignores case) gets the prefix
// "param." or "metric.".
func Build(out string) (path string, err error) {
	runs, err := Scan(out)
	if err != nil {
		return "", err
	}
	path = filepath.Join(out, File)
	t := newTable(out, runs)
	if err := results.AtomicWrite(path, t.write); err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	if _, err := SweepFigures(out, runs); err != nil {
		return path, err
	}
	return path, nil
}

// SweepFigures draws, for each spec name whose runs carry swept parameters,
// the figures of plots.Sweep: each numeric swept parameter against test.loss
// and against every metric named in the runs' expectations. Only runs that
// finished (ok or expectation-failed) are drawn. It returns the paths
// written.
func SweepFigures(out string, runs []Run) ([]string, error) {
	var names []string
	byName := map[string][]Run{}
	for _, r := range runs {
		n := r.Manifest.Name
		if _, ok := byName[n]; !ok {
			names = append(names, n)
		}
		byName[n] = append(byName[n], r)
	}
	var written []string
	for _, n := range names {
		var sweep []plots.SweepRun
		metrics := []string{"test.loss"}
		for _, r := range byName[n] {
			st := r.Manifest.Status
			if len(r.Params) == 0 || (st != results.StatusOK && st != results.StatusExpectationFailed) {
				continue
			}
			sr := plots.SweepRun{Params: r.Params, Metrics: map[string]float64{}}
			for _, f := range r.Final {
				sr.Metrics[f.Name()] = f.Value
			}
			sweep = append(sweep, sr)
			for _, e := range r.Manifest.Expectations {
				if !slices.Contains(metrics, e.Metric) {
					metrics = append(metrics, e.Metric)
				}
			}
		}
		if len(sweep) < 2 {
			continue
		}
		w, err := plots.Sweep(out, n, sweep, metrics)
		written = append(written, w...)
		if err != nil {
			return written, fmt.Errorf("index: %w", err)
		}
	}
	return written, nil
}

// colKind is the Parquet type of a parameter column.
type colKind int

const (
	kindInt colKind = iota
	kindDouble
	kindBool
	kindString
)

// column is one dynamic column of the table.
type column struct {
	name string
	key  string // parameter key or metric name
	kind colKind
}

// table is the index in memory: its dynamic columns and runs.
type table struct {
	out     string
	runs    []Run
	params  []column
	metrics []column
}

// fixedColumns are the names of the columns every index has.
var fixedColumns = []string{"run_id", "name", "status", "reason", "seed", "vcs_revision",
	"vcs_modified", "tool_version", "started", "ended", "dir"}

// newTable decides the dynamic columns of runs.
func newTable(out string, runs []Run) *table {
	t := &table{out: out, runs: runs}
	taken := map[string]bool{}
	for _, f := range fixedColumns {
		taken[strings.ToLower(f)] = true
	}
	var keys []string
	values := map[string][]any{}
	for _, r := range runs {
		for _, p := range r.Params {
			if _, ok := values[p.Key]; !ok {
				keys = append(keys, p.Key)
			}
			values[p.Key] = append(values[p.Key], p.Value)
		}
	}
	for _, k := range keys {
		t.params = append(t.params, column{name: uniqueName(k, "param.", taken), key: k, kind: kindOf(values[k])})
	}
	var finals []Final
	for _, r := range runs {
		for _, f := range r.Final {
			if !slices.ContainsFunc(finals, func(g Final) bool { return g.Split == f.Split && g.Metric == f.Metric }) {
				finals = append(finals, f)
			}
		}
	}
	slices.SortStableFunc(finals, compareFinal)
	for _, f := range finals {
		t.metrics = append(t.metrics, column{name: uniqueName(f.Name(), "metric.", taken), key: f.Name(), kind: kindDouble})
	}
	return t
}

// uniqueName returns a column name for name that no earlier column has
// (ignoring case), made a valid Parquet-go tag name, and marks it taken.
func uniqueName(name, prefix string, taken map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if r == ',' || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "-" {
		name = "_"
	}
	cand := name
	if taken[strings.ToLower(cand)] {
		cand = prefix + name
	}
	for i := 2; taken[strings.ToLower(cand)]; i++ {
		cand = prefix + name + "_" + strconv.Itoa(i)
	}
	taken[strings.ToLower(cand)] = true
	return cand
}

// kindOf returns the column type that holds all values (nil values aside).
func kindOf(values []any) colKind {
	allBool, allNum, allInt, allStr, seen := true, true, true, true, false
	for _, v := range values {
		if v == nil {
			continue
		}
		seen = true
		switch x := v.(type) {
		case bool:
			allNum, allInt, allStr = false, false, false
		case string:
			allBool, allNum, allInt = false, false, false
		case json.Number:
			allBool, allStr = false, false
			if _, err := strconv.ParseInt(x.String(), 10, 64); err != nil {
				allInt = false
			}
			if f, err := x.Float64(); err != nil || math.IsInf(f, 0) {
				allNum = false
			}
		default:
			return kindString
		}
	}
	switch {
	case !seen:
		return kindString
	case allBool:
		return kindBool
	case allInt:
		return kindInt
	case allNum:
		return kindDouble
	case allStr:
		return kindString
	}
	return kindString
}

// goType is the Go type of an optional column of kind k.
func (k colKind) goType() reflect.Type {
	switch k {
	case kindInt:
		return reflect.TypeFor[*int64]()
	case kindDouble:
		return reflect.TypeFor[*float64]()
	case kindBool:
		return reflect.TypeFor[*bool]()
	}
	return reflect.TypeFor[*string]()
}

// Number of fixed fields of the row struct, in the order of fixedColumns.
const nFixed = 11

// rowType builds the row struct: the fixed fields, then the parameters, then
// the metrics. A struct built at run time keeps the declared column order
// (parquet.Group would sort the columns by name).
func (t *table) rowType() reflect.Type {
	str, strp := reflect.TypeFor[string](), reflect.TypeFor[*string]()
	fields := []reflect.StructField{
		{Name: "RunID", Type: str, Tag: `parquet:"run_id"`},
		{Name: "Name", Type: str, Tag: `parquet:"name,dict"`},
		{Name: "Status", Type: str, Tag: `parquet:"status,dict"`},
		{Name: "Reason", Type: strp, Tag: `parquet:"reason"`},
		{Name: "Seed", Type: reflect.TypeFor[int64](), Tag: `parquet:"seed"`},
		{Name: "VCSRevision", Type: str, Tag: `parquet:"vcs_revision,dict"`},
		{Name: "VCSModified", Type: reflect.TypeFor[bool](), Tag: `parquet:"vcs_modified"`},
		{Name: "ToolVersion", Type: str, Tag: `parquet:"tool_version,dict"`},
		{Name: "Started", Type: reflect.TypeFor[time.Time](), Tag: `parquet:"started,timestamp(microsecond:utc)"`},
		{Name: "Ended", Type: reflect.TypeFor[*time.Time](), Tag: `parquet:"ended,timestamp(microsecond:utc)"`},
		{Name: "Dir", Type: str, Tag: `parquet:"dir"`},
	}
	for i, c := range t.params {
		fields = append(fields, reflect.StructField{Name: "P" + strconv.Itoa(i), Type: c.kind.goType(),
			Tag: reflect.StructTag("parquet:" + strconv.Quote(c.name))})
	}
	for i, c := range t.metrics {
		fields = append(fields, reflect.StructField{Name: "M" + strconv.Itoa(i), Type: c.kind.goType(),
			Tag: reflect.StructTag("parquet:" + strconv.Quote(c.name))})
	}
	return reflect.StructOf(fields)
}

// write writes the table as Parquet to w.
func (t *table) write(w io.Writer) error {
	typ := t.rowType()
	schema := parquet.SchemaOf(reflect.New(typ).Interface())
	version, revision, _ := results.BuildInfo()
	pw := parquet.NewWriter(w, schema,
		parquet.Compression(&parquet.Zstd),
		parquet.DataPageVersion(1),
		parquet.CreatedBy("ansatz", version, revision))
	for _, r := range t.runs {
		row := reflect.New(typ)
		t.fill(row.Elem(), &r)
		if err := pw.Write(row.Interface()); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// fill sets the fields of one row from r.
func (t *table) fill(v reflect.Value, r *Run) {
	m := r.Manifest
	v.Field(0).SetString(m.RunID)
	v.Field(1).SetString(m.Name)
	v.Field(2).SetString(string(m.Status))
	if m.Reason != "" {
		v.Field(3).Set(reflect.ValueOf(&m.Reason))
	}
	v.Field(4).SetInt(int64(m.Seed))
	v.Field(5).SetString(m.VCSRevision)
	v.Field(6).SetBool(m.VCSModified)
	v.Field(7).SetString(m.ToolVersion)
	v.Field(8).Set(reflect.ValueOf(m.Started.UTC()))
	if !m.Ended.IsZero() {
		e := m.Ended.UTC()
		v.Field(9).Set(reflect.ValueOf(&e))
	}
	dir := r.Dir
	if rel, err := filepath.Rel(t.out, r.Dir); err == nil {
		dir = filepath.ToSlash(rel)
	}
	v.Field(10).SetString(dir)
	for i, c := range t.params {
		for _, p := range r.Params {
			if p.Key == c.key && p.Value != nil {
				v.Field(nFixed + i).Set(reflect.ValueOf(convert(p.Value, c.kind)))
				break
			}
		}
	}
	for i, c := range t.metrics {
		for _, f := range r.Final {
			if f.Name() == c.key {
				x := f.Value
				v.Field(nFixed + len(t.params) + i).Set(reflect.ValueOf(&x))
				break
			}
		}
	}
}

// convert turns a parameter value into a pointer of the column's type;
// kindOf has checked that it converts.
func convert(v any, k colKind) any {
	switch k {
	case kindInt:
		n, _ := strconv.ParseInt(v.(json.Number).String(), 10, 64)
		return &n
	case kindDouble:
		f, _ := v.(json.Number).Float64()
		return &f
	case kindBool:
		b := v.(bool)
		return &b
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	default:
		b, err := json.Marshal(x)
		if err != nil {
			s = fmt.Sprint(x)
		} else {
			s = string(b)
		}
	}
	return &s
}
