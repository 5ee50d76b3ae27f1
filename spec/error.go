package spec

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// characters (runes), as yaml.v3 does. A zero Line means "somewhere in File"
// (e.g. a default value, or a --set override, whose File then reads
// "--set key=value").
type Pos struct {
	File string
	Line int
	Col  int
}

// String renders the position as file:line:col, omitting the parts that are
// unknown.
func (p Pos) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Line))
		if p.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Col))
		}
	}
	return b.String()
}

// Error is one problem in a spec, at a position and a key path.
//
// Error() renders it as
//
//	spec.yaml:12:10: train.steps: must be > 0, got -3 (did you mean "steps"?)
//	   12 |   steps: -3
//	      |          ^
//
// where the last two lines appear when Snippet (the source line) is known;
// ErrorList.WithSource and Spec.Annotate fill it in.
type Error struct {
	Pos     Pos
	Path    string // key path such as "train.steps" or "losses[0].weight"; may be empty
	Msg     string
	Hint    string // a suggested name, rendered as (did you mean "hint"?)
	Snippet string // the source line at Pos.Line, without its newline

	// blockIndent is set by Expr.ErrorAt for block scalars: Pos.Col is then
	// relative to the block's indentation, which only the source knows.
	// textIndent is the indentation of the expression's own line.
	blockIndent bool
	textIndent  int
}

// Error renders the error with its position, path, hint and snippet.
func (e *Error) Error() string {
	var b strings.Builder
	if p := e.Pos.String(); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		fmt.Fprintf(&b, " (did you mean %q?)", e.Hint)
	}
	if e.Snippet != "" && e.Pos.Line > 0 {
		num := strconv.Itoa(e.Pos.Line)
		gutter := strings.Repeat(" ", len(num)+3)
		fmt.Fprintf(&b, "\n%s%s | %s", gutter[:3], num, e.Snippet)
		if e.Pos.Col > 0 {
			fmt.Fprintf(&b, "\n%s | %s^", gutter, caretPad(e.Snippet, e.Pos.Col))
		}
	}
	return b.String()
}

// caretPad returns the blanks that put a caret under character col (1-based)
// of line, keeping tabs so the caret lines up in a terminal.
func caretPad(line string, col int) string {
	var b strings.Builder
	i := 1
	for _, r := range line {
		if i >= col {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
		i++
	}
	for ; i < col; i++ {
		b.WriteByte(' ')
	}
	return b.String()
}

// FieldError is what a Validate method returns to blame one field: Field is
// the field's yaml name (a dotted path such as "t.stop" reaches into nested
// mappings) and Msg says what is wrong. The decoder then reports the error at
// that field's value in the file. Several field errors may be returned at
// once with errors.Join.
type FieldError struct {
	Field string
	Msg   string
}

// Error renders the field error as "field: msg".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// FieldErrorf returns a *FieldError for field with a formatted message.
func FieldErrorf(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// ErrorList is a list of spec errors. It implements error; Error() renders the
// errors sorted by position and without duplicates, one after the other.
// A nil or empty ErrorList means success; use Err to turn it into an error
// value that is nil when the list is empty.
type ErrorList []*Error

// maxShown is how many errors ErrorList.Error renders before summarising.
const maxShown = 50

// Error renders the errors, sorted and deduplicated (at most 50 of them,
// then a count of the rest).
func (l ErrorList) Error() string {
	l = l.Sorted()
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i == maxShown {
			fmt.Fprintf(&b, "\n… and %d more errors", len(l)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Err returns nil for an empty list and the sorted, deduplicated list
// otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l.Sorted()
}

// Sorted returns a copy of the list sorted by file, line, column and path,
// with duplicates (same position, path and message) removed.
func (l ErrorList) Sorted() ErrorList {
	out := slices.Clone(l)
	out = slices.DeleteFunc(out, func(e *Error) bool { return e == nil })
	slices.SortStableFunc(out, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	return slices.CompactFunc(out, func(a, b *Error) bool {
		return a.Pos == b.Pos && a.Path == b.Path && a.Msg == b.Msg && a.Hint == b.Hint
	})
}

// WithSource fills in the Snippet of every error located in file from its
// source text, and completes the columns of errors inside block-scalar
// expressions (see Expr.ErrorAt). It modifies the errors in place and returns
// the list for chaining.
func (l ErrorList) WithSource(file string, src []byte) ErrorList {
	if len(src) == 0 {
		return l
	}
	var lines [][]byte
	for _, e := range l {
		if e == nil || e.Pos.File != file || e.Pos.Line <= 0 {
			continue
		}
		if lines == nil {
			lines = bytes.Split(src, []byte("\n"))
		}
		if e.Pos.Line > len(lines) {
			continue
		}
		line := string(bytes.TrimRight(lines[e.Pos.Line-1], "\r"))
		if !utf8.ValidString(line) {
			line = strings.ToValidUTF8(line, "\uFFFD")
		}
		if e.blockIndent {
			srcIndent := len(line) - len(strings.TrimLeft(line, " "))
			e.Pos.Col += srcIndent - e.textIndent
			if e.Pos.Col < 1 {
				e.Pos.Col = 1
			}
			e.blockIndent = false
		}
		if e.Snippet == "" {
			e.Snippet = line
		}
	}
	return l
}

// AsErrorList converts err into an ErrorList: an ErrorList or *Error is
// returned as is, anything else becomes a single error with msg err.Error()
// at pos. A nil err gives a nil list.
func AsErrorList(err error, pos Pos) ErrorList {
	if err == nil {
		return nil
	}
	var l ErrorList
	if errors.As(err, &l) {
		return l
	}
	var e *Error
	if errors.As(err, &e) {
		return ErrorList{e}
	}
	return ErrorList{{Pos: pos, Msg: err.Error()}}
}

// JoinPath appends a relative key path to a prefix: JoinPath("train", "steps")
// is "train.steps", JoinPath("losses", "[0]") is "losses[0]".
func JoinPath(prefix, rel string) string {
	switch {
	case prefix == "":
		return rel
	case rel == "":
		return prefix
	case rel[0] == '[':
		return prefix + rel
	}
	return prefix + "." + rel
}
