package suggest

import "testing"

// functions is the function list of the equations' language.
var functions = []string{"sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "atan", "atan2", "pow"}

func TestKey(t *testing.T) {
	keys := []string{"steps", "batch", "eval_every", "log_every", "grad_clip", "optimizer", "schedule"}
	cases := []struct{ name, want string }{
		{"stpes", "steps"},         // transposition: distance 1
		{"step", "steps"},          // deletion
		{"Steps", "steps"},         // case only
		{"optimiser", "optimizer"}, // British spelling
		{"evalevery", "eval_every"},
		{"gradclip", "grad_clip"},
		{"sched", "schedule"}, // prefix
		{"lr", ""},            // too short to guess
		{"zzzzzz", ""},
		{"steps", ""}, // exact: nothing to suggest
		{"", ""},
	}
	for _, c := range cases {
		if got := Key(c.name, keys); got != c.want {
			t.Errorf("Key(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	// Ties are broken lexically, whatever the candidates' order.
	if a, b := Key("cat", []string{"bat", "hat"}), Key("cat", []string{"hat", "bat"}); a != "bat" || b != "bat" {
		t.Errorf("tie: %q, %q; want bat", a, b)
	}
	if got := Key("hamiltonain", []string{"ode", "hamiltonian"}); got != "hamiltonian" {
		t.Errorf("Key(hamiltonain) = %q", got)
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "abc", 3}, {"abc", "abc", 0}, {"ab", "ba", 1}, {"kitten", "sitting", 3}, {"λx", "xλ", 1}} {
		if got := Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"sine", functions, "sin"},
		{"Sin", functions, "sin"},
		{"cso", functions, "cos"},
		{"sqr", functions, "sqrt"},
		{"atan3", functions, "atan"},
		{"max", functions, ""},
		{"q2", []string{"q1", "p1"}, "q1"},
		{"q2", []string{"p1", "p2"}, "p2"},
		{"x", []string{"q1", "p1"}, ""},
		{"e", []string{"x", "y"}, ""},
		{"q", []string{"p1", "q1"}, "q1"},
		{"ab", []string{"ac", "aa"}, "aa"},
		{"ab", []string{"aa", "ac"}, "aa"},
		{"momentm", []string{"moment", "momentum"}, "moment"},
		{"omgea", []string{"omega", "gamma"}, "omega"},
		{"sin", functions, "sin"},
		{"θ2", []string{"θ1", "φ1"}, "θ1"},
		{"anything", nil, ""},
	}
	for _, tt := range tests {
		if got := Name(tt.name, tt.candidates); got != tt.want {
			t.Errorf("Name(%q, %v) = %q, want %q", tt.name, tt.candidates, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"kitten", "sitting", 3},
		{"cos", "cso", 1}, {"ab", "ba", 1}, {"θφ", "φθ", 1}, {"flaw", "lawn", 2},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
