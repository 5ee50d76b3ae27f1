package symbolic

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is an error located in an expression's source. Offset is a byte
// offset into Source (len(Source) means "at the end"); callers that embed
// the expression in a larger file (the YAML spec layer) translate it into
// their own line and column.
//
// Errors returned by Compile and CheckNames do not know the source text and
// leave Source empty; a caller that holds the text sets Source before
// showing the error.
type Error struct {
	Source string
	Offset int
	Msg    string
}

// Line returns the 1-based line of Offset in Source (expressions written as
// YAML block scalars may span several lines).
func (e *Error) Line() int {
	return 1 + strings.Count(e.Source[:e.clamped()], "\n")
}

// Column returns the 1-based column of Offset within its line, counted in
// runes. With an empty Source it is Offset+1.
func (e *Error) Column() int {
	if e.Source == "" {
		return e.Offset + 1
	}
	off := e.clamped()
	start := strings.LastIndexByte(e.Source[:off], '\n') + 1
	return 1 + utf8.RuneCountInString(e.Source[start:off])
}

func (e *Error) clamped() int {
	return min(max(e.Offset, 0), len(e.Source))
}

// Error renders the message, the position and, when the source is known, the
// offending line with a caret under the position:
//
//	unknown function sine; did you mean sin? (column 1)
//	 | sine(q)
//	 | ^
func (e *Error) Error() string {
	if e.Source == "" {
		return fmt.Sprintf("%s (column %d)", e.Msg, e.Column())
	}
	var b strings.Builder
	b.WriteString(e.Msg)
	if strings.Contains(e.Source, "\n") {
		fmt.Fprintf(&b, " (line %d, column %d)", e.Line(), e.Column())
	} else {
		fmt.Fprintf(&b, " (column %d)", e.Column())
	}
	off := e.clamped()
	start := strings.LastIndexByte(e.Source[:off], '\n') + 1
	end := strings.IndexByte(e.Source[off:], '\n')
	if end < 0 {
		end = len(e.Source)
	} else {
		end += off
	}
	line := strings.ReplaceAll(e.Source[start:end], "\t", " ")
	b.WriteString("\n | ")
	b.WriteString(line)
	b.WriteString("\n | ")
	b.WriteString(strings.Repeat(" ", e.Column()-1))
	b.WriteByte('^')
	return b.String()
}

// errorf returns an *Error at offset with a formatted message.
func errorf(src string, offset int, format string, args ...any) *Error {
	return &Error{Source: src, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}
