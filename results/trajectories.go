package results

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/parquet-go/parquet-go"
)

// Trajectory is one row of trajectories.parquet: the state of one trajectory
// at one time, from one source.
type Trajectory struct {
	// Trajectory numbers the trajectory within the run.
	Trajectory int64
	// T is the time.
	T float64
	// Source says where the state comes from: "truth", "model", ...
	Source string
	// State holds one value per state variable, in the order of the vars
	// passed to WriteTrajectories.
	State []float64
	// Energy is the system's energy at this state; written only when the
	// system has one.
	Energy float64
}

// Fixed column names of trajectories.parquet.
const (
	colRunID      = "run_id"
	colTrajectory = "trajectory"
	colT          = "t"
	colSource     = "source"
	colEnergy     = "energy"
)

// trajectoryFixed is the number of columns before the state variables.
const trajectoryFixed = 4

// trajectoryBatch is how many rows are handed to the Parquet writer at once.
const trajectoryBatch = 1024

// WriteTrajectories writes trajectories.parquet, atomically. Its columns are
// run_id, trajectory, t, source, then one double column per state variable,
// named and ordered as vars, then energy when withEnergy is set.
//
// Variable names must be non-empty, free of commas and control characters,
// and unique, also among the fixed column names (run_id, trajectory, t,
// source, and energy when withEnergy), without regard to case, since DuckDB
// ignores case in column names. Every row must hold len(vars) states.
func (r *Run) WriteTrajectories(vars []string, withEnergy bool, rows []Trajectory) error {
	path := r.Path(TrajectoriesFile)
	if err := checkVariables(vars, withEnergy); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	for i := range rows {
		if len(rows[i].State) != len(vars) {
			return fmt.Errorf("write %s: row %d has %d state values for %d variables", path, i, len(rows[i].State), len(vars))
		}
	}
	schema := trajectorySchema(vars, withEnergy)
	ncols := trajectoryFixed + len(vars)
	if withEnergy {
		ncols++
	}
	runID := []byte(r.RunID)
	return AtomicWrite(path, func(w io.Writer) error {
		pw := parquet.NewWriter(w, writerOptions(schema)...)
		batch := make([]parquet.Row, 0, min(trajectoryBatch, len(rows)))
		for start := 0; start < len(rows); start += trajectoryBatch {
			batch = batch[:0]
			for i := start; i < min(start+trajectoryBatch, len(rows)); i++ {
				tr := &rows[i]
				row := make(parquet.Row, 0, ncols)
				row = append(row,
					parquet.ByteArrayValue(runID).Level(0, 0, 0),
					parquet.Int64Value(tr.Trajectory).Level(0, 0, 1),
					parquet.DoubleValue(tr.T).Level(0, 0, 2),
					parquet.ByteArrayValue([]byte(tr.Source)).Level(0, 0, 3),
				)
				for j, x := range tr.State {
					row = append(row, parquet.DoubleValue(x).Level(0, 0, trajectoryFixed+j))
				}
				if withEnergy {
					row = append(row, parquet.DoubleValue(tr.Energy).Level(0, 0, trajectoryFixed+len(vars)))
				}
				batch = append(batch, row)
			}
			if _, err := pw.WriteRows(batch); err != nil {
				return fmt.Errorf("parquet: %w", err)
			}
		}
		if err := pw.Close(); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
		return nil
	})
}

// checkVariables validates the state variable names used as column names.
func checkVariables(vars []string, withEnergy bool) error {
	fixed := []string{colRunID, colTrajectory, colT, colSource}
	if withEnergy {
		fixed = append(fixed, colEnergy)
	}
	// DuckDB matches column names without regard to case and renames a
	// column whose name differs from an earlier one only in case (T becomes
	// T_1 next to t), so that SELECT T would silently return the time.
	// Names are therefore compared case-insensitively.
	seen := make(map[string]string, len(vars)+len(fixed))
	for _, f := range fixed {
		seen[strings.ToLower(f)] = f
	}
	for i, v := range vars {
		switch {
		case v == "":
			return fmt.Errorf("state variable %d has an empty name", i+1)
		case strings.ContainsRune(v, ','):
			return fmt.Errorf("state variable %q: a column name cannot contain a comma", v)
		case strings.ContainsFunc(v, unicode.IsControl):
			return fmt.Errorf("state variable %q: a column name cannot contain control characters", v)
		case v == "-":
			return fmt.Errorf("state variable %q is not a valid column name", v)
		}
		key := strings.ToLower(v)
		prev, taken := seen[key]
		switch {
		case !taken:
			seen[key] = v
		case prev != v:
			return fmt.Errorf("state variable %q clashes with column %q: DuckDB reads column names without regard to case", v, prev)
		case slices.Contains(fixed, v):
			return fmt.Errorf("state variable %q clashes with the fixed column of the same name", v)
		default:
			return fmt.Errorf("state variable %q appears twice", v)
		}
	}
	return nil
}

// trajectorySchema builds the schema of trajectories.parquet. parquet.Group
// sorts its fields by name, which would turn q1, q2, q10 into q1, q10, q2; a
// struct type built at run time keeps the declared order, since parquet-go
// takes a struct's fields in declaration order.
func trajectorySchema(vars []string, withEnergy bool) *parquet.Schema {
	str := reflect.TypeFor[string]()
	f64 := reflect.TypeFor[float64]()
	fields := []reflect.StructField{
		{Name: "RunID", Type: str, Tag: `parquet:"run_id,dict"`},
		{Name: "Trajectory", Type: reflect.TypeFor[int64](), Tag: `parquet:"trajectory"`},
		{Name: "T", Type: f64, Tag: `parquet:"t"`},
		{Name: "Source", Type: str, Tag: `parquet:"source,dict"`},
	}
	for i, v := range vars {
		fields = append(fields, reflect.StructField{
			Name: "V" + strconv.Itoa(i),
			Type: f64,
			Tag:  reflect.StructTag("parquet:" + strconv.Quote(v)),
		})
	}
	if withEnergy {
		fields = append(fields, reflect.StructField{Name: "Energy", Type: f64, Tag: `parquet:"energy"`})
	}
	return parquet.NewSchema("trajectories", parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Interface()))
}
