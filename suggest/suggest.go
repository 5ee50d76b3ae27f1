// Package suggest finds the known name closest to a misspelt one, for the
// "did you mean" hints of spec and expression errors.
package suggest

import (
	"strings"
	"unicode/utf8"
)

// Key returns the candidate closest to name, for "did you mean" hints on
// YAML keys and component names, or "" when none is close enough. Closeness is the optimal-string-alignment
// (Damerau–Levenshtein with adjacent transpositions) distance between the
// lower-cased strings; a candidate qualifies when its distance is at most
// max(2, len(name)/3) and smaller than len(name), and a candidate that starts
// with name (or that name starts with) at least 3 characters long qualifies at
// distance len difference. Ties go to the candidate that comes first in
// lexical order, so the answer does not depend on the order of candidates.
// An exact match is never suggested.
func Key(name string, candidates []string) string {
	if name == "" {
		return ""
	}
	n := utf8.RuneCountInString(name)
	limit := max(2, n/3)
	lname := strings.ToLower(name)
	best, bestDist := "", -1
	for _, c := range candidates {
		if c == name || c == "" {
			continue
		}
		lc := strings.ToLower(c)
		d := Distance(lname, lc)
		ok := d <= limit && d < n
		if !ok && n >= 3 && (strings.HasPrefix(lc, lname) || strings.HasPrefix(lname, lc) && utf8.RuneCountInString(lc) >= 3) {
			ok = true
		}
		if !ok {
			continue
		}
		if bestDist < 0 || d < bestDist || d == bestDist && c < best {
			best, bestDist = c, d
		}
	}
	return best
}

// Name returns the candidate closest to name, for "did you mean" hints on
// names in expressions (variables, parameters, functions), or "" if none is
// close enough. It is stricter than Key for short names, which are common
// in physics (q, p, x1). Closeness is the optimal-string-alignment
// distance (Levenshtein with adjacent transpositions, over runes); a
// candidate qualifies if its distance is at most 1 for names of up to four
// runes, 2 up to eight runes and 3 beyond; a one-rune name only suggests
// candidates that contain it (q → q1, but not e → x). Ties go to the lexicographically
// smallest candidate, so the result does not depend on the order of
// candidates. A candidate equal to name is returned as is.
func Name(name string, candidates []string) string {
	n := utf8.RuneCountInString(name)
	limit := 1
	switch {
	case n > 8:
		limit = 3
	case n > 4:
		limit = 2
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if n == 1 && !strings.Contains(c, name) {
			continue
		}
		d := Distance(name, c)
		if d < bestDist || (d == bestDist && best != "" && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

// Distance is the optimal string alignment distance (Levenshtein with
// adjacent transpositions) between a and b, in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows suffice: the previous two and the current one.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// NameHint formats Name's answer as a message suffix, "; did you mean x?",
// or returns "" when there is nothing to suggest.
func NameHint(name string, candidates []string) string {
	if s := Name(name, candidates); s != "" && s != name {
		return "; did you mean " + s + "?"
	}
	return ""
}
