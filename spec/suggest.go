package spec

import (
	"strings"
	"unicode/utf8"
)

// Suggest returns the candidate closest to name, for "did you mean" hints, or
// "" when none is close enough. Closeness is the optimal-string-alignment
// (Damerau–Levenshtein with adjacent transpositions) distance between the
// lower-cased strings; a candidate qualifies when its distance is at most
// max(2, len(name)/3) and smaller than len(name), and a candidate that starts
// with name (or that name starts with) at least 3 characters long qualifies at
// distance len difference. Ties go to the candidate that comes first in
// lexical order, so the answer does not depend on the order of candidates.
// An exact match is never suggested.
func Suggest(name string, candidates []string) string {
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
		d := distance(lname, lc)
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

// distance is the optimal string alignment distance between a and b, in runes.
func distance(a, b string) int {
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
