package symbolic

import "testing"

func TestSuggest(t *testing.T) {
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"sine", functionNames, "sin"},
		{"Sin", functionNames, "sin"},
		{"cso", functionNames, "cos"},
		{"sqr", functionNames, "sqrt"},
		{"atan3", functionNames, "atan"},
		{"max", functionNames, ""},
		{"q2", []string{"q1", "p1"}, "q1"},
		{"q2", []string{"p1", "p2"}, "p2"},
		{"x", []string{"q1", "p1"}, ""},
		{"e", []string{"x", "y"}, ""},
		{"q", []string{"p1", "q1"}, "q1"},
		{"ab", []string{"ac", "aa"}, "aa"},
		{"ab", []string{"aa", "ac"}, "aa"},
		{"momentm", []string{"moment", "momentum"}, "moment"},
		{"omgea", []string{"omega", "gamma"}, "omega"},
		{"sin", functionNames, "sin"},
		{"θ2", []string{"θ1", "φ1"}, "θ1"},
		{"anything", nil, ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.name, tt.candidates); got != tt.want {
			t.Errorf("Suggest(%q, %v) = %q, want %q", tt.name, tt.candidates, got, tt.want)
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
		if got := distance(tt.a, tt.b); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
