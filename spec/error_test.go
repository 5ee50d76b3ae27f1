package spec

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestErrorRendering(t *testing.T) {
	cases := []struct {
		e    Error
		want string
	}{
		{Error{Pos: Pos{"spec.yaml", 12, 10}, Path: "train.steps", Msg: "must be > 0, got -3", Snippet: "  steps: -3"},
			"spec.yaml:12:10: train.steps: must be > 0, got -3\n   12 |   steps: -3\n      |          ^"},
		{Error{Pos: Pos{"spec.yaml", 3, 3}, Path: "train", Msg: `unknown key "stepz"`, Hint: "steps"},
			`spec.yaml:3:3: train: unknown key "stepz" (did you mean "steps"?)`},
		{Error{Pos: Pos{"s.yaml", 2, 9}, Msg: "bad", Snippet: "\tλ: [x, y]"},
			"s.yaml:2:9: bad\n   2 | \tλ: [x, y]\n     | \t       ^"},
		{Error{Pos: Pos{File: "--set a=b"}, Path: "a", Msg: "bad", Snippet: "ignored without a line"}, "--set a=b: a: bad"},
		{Error{Msg: "bare"}, "bare"},
	}
	for _, c := range cases {
		if got := c.e.Error(); got != c.want {
			t.Errorf("got\n%s\nwant\n%s", got, c.want)
		}
	}
	for p, want := range map[Pos]string{{"f", 1, 2}: "f:1:2", {"f", 1, 0}: "f:1", {"f", 0, 0}: "f", {"", 3, 4}: "3:4"} {
		if got := p.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", p, got, want)
		}
	}
}

func TestErrorListSortDedupe(t *testing.T) {
	a := &Error{Pos: Pos{"f", 3, 1}, Msg: "c"}
	b := &Error{Pos: Pos{"f", 1, 5}, Msg: "a"}
	c := &Error{Pos: Pos{"f", 1, 2}, Msg: "b"}
	l := ErrorList{a, b, nil, c, &Error{Pos: Pos{"f", 3, 1}, Msg: "c"}}
	got := l.Sorted()
	if len(got) != 3 || got[0] != c || got[1] != b || got[2] != a {
		t.Errorf("Sorted() = %v", got)
	}
	if want := "f:1:2: b\nf:1:5: a\nf:3:1: c"; l.Error() != want {
		t.Errorf("Error() = %q, want %q", l.Error(), want)
	}
	if (ErrorList{}).Err() != nil || ErrorList(nil).Err() != nil {
		t.Errorf("empty list must give a nil error")
	}
	var target *Error
	if err := l.Err(); !errors.As(err, &target) {
		t.Errorf("errors.As must find an *Error in a list")
	}
	var many ErrorList
	for i := range 60 {
		many = append(many, &Error{Pos: Pos{"f", i + 1, 1}, Msg: "x"})
	}
	if s := many.Error(); !strings.HasSuffix(s, "… and 10 more errors") {
		t.Errorf("long lists must be summarised, got tail %q", s[len(s)-30:])
	}
}

func TestAsErrorList(t *testing.T) {
	pos := Pos{"f", 2, 3}
	if AsErrorList(nil, pos) != nil {
		t.Errorf("nil error must give a nil list")
	}
	l := AsErrorList(errors.New("boom"), pos)
	if len(l) != 1 || l[0].Pos != pos || l[0].Msg != "boom" {
		t.Errorf("plain error: %v", l)
	}
	e := &Error{Pos: Pos{"g", 1, 1}, Msg: "inner"}
	if l := AsErrorList(fmt.Errorf("wrapped: %w", e), pos); len(l) != 1 || l[0] != e {
		t.Errorf("wrapped *Error: %v", l)
	}
	list := ErrorList{e, e}
	if l := AsErrorList(list, pos); len(l) != 2 {
		t.Errorf("ErrorList: %v", l)
	}
}

func TestJoinPath(t *testing.T) {
	for _, c := range [][3]string{{"", "a", "a"}, {"a", "", "a"}, {"a", "b", "a.b"}, {"a", "[0]", "a[0]"}, {"a[0]", "b.c", "a[0].b.c"}} {
		if got := JoinPath(c[0], c[1]); got != c[2] {
			t.Errorf("JoinPath(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
