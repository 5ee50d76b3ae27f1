package registry

import (
	"ansatz/suggest"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"ansatz/spec"
)

// Kind is a kind of component: the role a component plays in a spec.
type Kind string

// The component kinds, in the order Kinds lists them.
const (
	System     Kind = "system"     // physical systems (equations)
	Data       Kind = "data"       // data generators
	Model      Kind = "model"      // network architectures
	Loss       Kind = "loss"       // loss terms
	Optimizer  Kind = "optimizer"  // optimizers
	Schedule   Kind = "schedule"   // learning-rate schedules
	Integrator Kind = "integrator" // ODE integrators
	Sampler    Kind = "sampler"    // initial-condition samplers
	Analysis   Kind = "analysis"   // post-training analyses
)

// Kinds returns every kind, in a fixed order.
func Kinds() []Kind {
	return []Kind{System, Data, Model, Loss, Optimizer, Schedule, Integrator, Sampler, Analysis}
}

// Module is one registered component.
type Module struct {
	// Kind is the role of the component.
	Kind Kind
	// Name is what a spec writes as kind: lower-case letters, digits, '_'
	// and '-'.
	Name string
	// Doc is a one-line description for `ansatz list`.
	Doc string
	// New returns a pointer to a fresh options struct with the defaults
	// filled in; the decoded options are what the component's user gets.
	New func() any
}

// table is a set of modules by kind and name.
type table struct {
	mu      sync.RWMutex
	modules map[Kind]map[string]Module
}

// modules is the process-wide registry.
var modules = newTable()

func newTable() *table {
	return &table{modules: map[Kind]map[string]Module{}}
}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Register adds a module. It panics on programming errors: an unknown kind,
// a name that is empty or not lower-case ([a-z0-9_-]), a Doc of several
// lines, a nil New, New returning something other than a non-nil pointer,
// malformed yaml/spec tags in the options type, or a name registered twice
// for the same kind. Call it from init.
func Register(m Module) { modules.register(m) }

func (t *table) register(m Module) {
	if !slices.Contains(Kinds(), m.Kind) {
		panic(fmt.Sprintf("registry: module %q has unknown kind %q", m.Name, m.Kind))
	}
	if !namePattern.MatchString(m.Name) {
		panic(fmt.Sprintf("registry: %s module name %q must match [a-z0-9][a-z0-9_-]*", m.Kind, m.Name))
	}
	if strings.ContainsAny(m.Doc, "\n\r") {
		panic(fmt.Sprintf("registry: %s %q: Doc must be one line", m.Kind, m.Name))
	}
	if m.New == nil {
		panic(fmt.Sprintf("registry: %s %q: New is nil", m.Kind, m.Name))
	}
	opts := m.New()
	if v := reflect.ValueOf(opts); v.Kind() != reflect.Pointer || v.IsNil() {
		panic(fmt.Sprintf("registry: %s %q: New must return a non-nil pointer, got %T", m.Kind, m.Name, opts))
	}
	if err := spec.CheckType(opts); err != nil {
		panic(fmt.Sprintf("registry: %s %q: options: %v", m.Kind, m.Name, err))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	byName := t.modules[m.Kind]
	if byName == nil {
		byName = map[string]Module{}
		t.modules[m.Kind] = byName
	}
	if _, dup := byName[m.Name]; dup {
		panic(fmt.Sprintf("registry: %s %q registered twice", m.Kind, m.Name))
	}
	byName[m.Name] = m
}

// UnknownError is returned by Lookup for a name that is not registered.
type UnknownError struct {
	Kind  Kind
	Name  string
	Hint  string   // the closest registered name, or ""
	Known []string // the registered names of Kind, sorted
}

// Error renders e.g. `unknown system "hamiltonain" (did you mean
// "hamiltonian"?); known: hamiltonian, ode`.
func (e *UnknownError) Error() string {
	return e.message(true)
}

// message renders the error, with or without the hint.
func (e *UnknownError) message(hint bool) string {
	var b strings.Builder
	if e.Name == "" {
		fmt.Fprintf(&b, "no %s named (kind is empty)", e.Kind)
	} else {
		fmt.Fprintf(&b, "unknown %s %q", e.Kind, e.Name)
	}
	if hint && e.Hint != "" {
		fmt.Fprintf(&b, " (did you mean %q?)", e.Hint)
	}
	if len(e.Known) == 0 {
		fmt.Fprintf(&b, "; no %s is registered", e.Kind)
	} else {
		fmt.Fprintf(&b, "; known: %s", strings.Join(e.Known, ", "))
	}
	return b.String()
}

// Lookup returns the module registered under kind and name. For an unknown
// name the error is an *UnknownError with a did-you-mean hint and the list of
// known names.
func Lookup(kind Kind, name string) (Module, error) { return modules.lookup(kind, name) }

func (t *table) lookup(kind Kind, name string) (Module, error) {
	t.mu.RLock()
	m, ok := t.modules[kind][name]
	t.mu.RUnlock()
	if ok {
		return m, nil
	}
	var known []string
	for _, m := range t.list(kind) {
		known = append(known, m.Name)
	}
	return Module{}, &UnknownError{Kind: kind, Name: name, Hint: suggest.Key(name, known), Known: known}
}

// Modules returns the modules of a kind, sorted by name.
func Modules(kind Kind) []Module { return modules.list(kind) }

func (t *table) list(kind Kind) []Module {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]Module, 0, len(t.modules[kind]))
	for _, m := range t.modules[kind] {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Module) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Decode resolves a spec component of the given kind: it looks the name up
// (an unknown name is an error at the kind's position, with a did-you-mean
// hint), calls New for the defaults and decodes the component's options over
// them strictly with spec.Decode, which also runs the options' Validate
// method. It returns the decoded options (the pointer New returned), or nil
// and every error found. Error paths start with c.Path; call
// Spec.Annotate on the errors for source snippets.
func Decode(kind Kind, c *spec.Component) (any, spec.ErrorList) { return modules.decode(kind, c) }

func (t *table) decode(kind Kind, c *spec.Component) (any, spec.ErrorList) {
	m, err := t.lookup(kind, c.Kind)
	if err != nil {
		e := &spec.Error{Pos: c.Pos, Path: spec.JoinPath(c.Path, "kind"), Msg: err.Error()}
		if u, ok := err.(*UnknownError); ok {
			e.Msg, e.Hint = u.message(false), u.Hint
			if e.Hint != "" {
				// The hint says enough; the list of names is one `ansatz list` away.
				e.Msg = strings.SplitN(e.Msg, ";", 2)[0]
			}
		}
		if e.Pos == (spec.Pos{}) {
			e.Pos.File = c.File
		}
		return nil, spec.ErrorList{e}
	}
	opts := m.New()
	if errs := spec.Decode(c.Node, opts, c.Path, c.File); len(errs) > 0 {
		return nil, errs
	}
	c.Options = opts
	return opts, nil
}
