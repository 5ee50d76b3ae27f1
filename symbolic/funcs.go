package symbolic

import (
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"
)

// function describes a built-in function: its arity and its evaluation.
// Exactly one of f1 and f2 is set.
type function struct {
	f1 func(float64) float64
	f2 func(float64, float64) float64
}

func (f function) arity() int {
	if f.f2 != nil {
		return 2
	}
	return 1
}

// functions is the table of built-in functions. It is read-only.
var functions = map[string]function{
	"sin":   {f1: math.Sin},
	"cos":   {f1: math.Cos},
	"tan":   {f1: math.Tan},
	"exp":   {f1: math.Exp},
	"log":   {f1: math.Log},
	"sqrt":  {f1: math.Sqrt},
	"abs":   {f1: math.Abs},
	"tanh":  {f1: math.Tanh},
	"sinh":  {f1: math.Sinh},
	"cosh":  {f1: math.Cosh},
	"atan":  {f1: math.Atan},
	"atan2": {f2: math.Atan2},
	"pow":   {f2: math.Pow},
}

// functionNames lists the built-in functions in alphabetical order.
var functionNames = []string{"abs", "atan", "atan2", "cos", "cosh", "exp", "log", "pow", "sin", "sinh", "sqrt", "tan", "tanh"}

// Functions returns the names of the built-in functions in alphabetical
// order.
func Functions() []string {
	return append([]string(nil), functionNames...)
}

// Builtin returns the evaluation of the built-in function name: f1 for a
// function of one argument, f2 for one of two; ok is false for other names.
// Other evaluators of the language (e.g. samplers with random draws) use it
// so that the built-ins are defined once.
func Builtin(name string) (f1 func(float64) float64, f2 func(float64, float64) float64, ok bool) {
	f, ok := functions[name]
	return f.f1, f.f2, ok
}

// reservedWords are words that expr's lexer turns into operators or
// literals, so they can never be names in an expression.
var reservedWords = map[string]bool{
	"not": true, "in": true, "or": true, "and": true, "matches": true,
	"contains": true, "startsWith": true, "endsWith": true, "let": true,
	"if": true, "else": true, "true": true, "false": true, "nil": true,
}

// CheckName reports whether name can be declared as a variable or parameter:
// a letter or underscore followed by letters, digits and underscores, and
// neither a word of the expression syntax (and, or, not, in, if, true, ...),
// nor a built-in function name, nor the constant pi.
func CheckName(name string) error {
	if name == "" {
		return fmt.Errorf("empty name")
	}
	for i, r := range name {
		if r == utf8.RuneError || !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return fmt.Errorf("%q is not a valid name (letters, digits and _, not starting with a digit)", name)
		}
	}
	switch {
	case name == Pi:
		return fmt.Errorf("%q is the built-in constant π and cannot be redefined", name)
	case reservedWords[name]:
		return fmt.Errorf("%q is a reserved word of the expression syntax", name)
	}
	if _, ok := functions[name]; ok {
		return fmt.Errorf("%q is the name of a built-in function", name)
	}
	return nil
}
