package symbolic

import (
	"strings"
	"unicode/utf8"
)

// Suggest returns the candidate closest to name, for "did you mean" hints, or
// "" if none is close enough. Closeness is the optimal-string-alignment
// distance (Levenshtein with adjacent transpositions, over runes); a
// candidate qualifies if its distance is at most 1 for names of up to four
// runes, 2 up to eight runes and 3 beyond; a one-rune name only suggests
// candidates that contain it (q → q1, but not e → x). Ties go to the lexicographically
// smallest candidate, so the result does not depend on the order of
// candidates. A candidate equal to name is returned as is.
func Suggest(name string, candidates []string) string {
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
		d := distance(name, c)
		if d < bestDist || (d == bestDist && best != "" && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the optimal-string-alignment distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rolling rows: prev2 (i-2), prev (i-1), cur (i).
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

// didYouMean formats a "; did you mean x?" suffix, or "" without a suggestion.
func didYouMean(name string, candidates []string) string {
	if s := Suggest(name, candidates); s != "" && s != name {
		return "; did you mean " + s + "?"
	}
	return ""
}
