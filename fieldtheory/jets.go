package fieldtheory

import (
	"fmt"
	"strconv"
	"strings"

	"ansatz/symbolic"
)

// MaxOrder is the highest x-derivative order of a jet anywhere in this
// package: in equations, conserved densities and the data's jets (including
// the orders needed to compute ∂_t of the data's jets). Spectral derivatives
// of higher order amplify rounding by κ_max^k and carry no information.
const MaxOrder = 10

// JetName returns the canonical name of the order-k x-derivative of field:
// field, field_x, field_xx, …
func JetName(field string, k int) string {
	if k == 0 {
		return field
	}
	return field + "_" + strings.Repeat("x", k)
}

// ParseJet reports which field's jet name is and of which order. It accepts
// the canonical form (u_xxx) and u_<k>x (u_3x); order 0 is the field name
// itself. Orders above MaxOrder are returned as they are (the caller
// reports them).
func ParseJet(name string, fields []string) (field string, order int, ok bool) {
	for _, f := range fields {
		if name == f {
			return f, 0, true
		}
		rest, found := strings.CutPrefix(name, f+"_")
		if !found || rest == "" {
			continue
		}
		if strings.Trim(rest, "x") == "" {
			return f, len(rest), true
		}
		if digits, ok := strings.CutSuffix(rest, "x"); ok && digits != "" && digits[0] != '0' {
			if k, err := strconv.Atoi(digits); err == nil && k > 0 {
				return f, k, true
			}
		}
	}
	return "", 0, false
}

// jetIndex is the position of jet (field f, order k) in Jets(order).
func jetIndex(f, k, order int) int { return f*(order+1) + k }

// jets returns the canonical jet names of the fields up to order.
func jets(fields []string, order int) []string {
	out := make([]string, 0, len(fields)*(order+1))
	for _, f := range fields {
		for k := 0; k <= order; k++ {
			out = append(out, JetName(f, k))
		}
	}
	return out
}

// canonical rewrites the jet names of n written as u_<k>x into the
// canonical form. It returns an *symbolic.Error (offset of the name) for a
// jet of order above MaxOrder.
func canonical(n symbolic.Node, fields []string) (symbolic.Node, error) {
	var err error
	out := symbolic.Rewrite(n, func(n symbolic.Node) symbolic.Node {
		v, ok := n.(*symbolic.Var)
		if !ok {
			return n
		}
		f, k, ok := ParseJet(v.Name, fields)
		if !ok {
			return n
		}
		if k > MaxOrder && err == nil {
			err = &symbolic.Error{Offset: v.Offset, Msg: fmt.Sprintf("%s is a derivative of order %d; the highest order is %d", v.Name, k, MaxOrder)}
		}
		return &symbolic.Var{Name: JetName(f, k), Offset: v.Offset}
	})
	return out, err
}

// orderOf returns the highest derivative order of the jets of fields in n
// (0 if it has none), and the offset of the first name with that order.
func orderOf(n symbolic.Node, fields []string) (order, offset int) {
	offset = -1
	symbolic.Walk(n, func(n symbolic.Node) bool {
		if v, ok := n.(*symbolic.Var); ok {
			if _, k, ok := ParseJet(v.Name, fields); ok && (k > order || offset < 0) {
				order, offset = k, v.Offset
			}
		}
		return true
	})
	return order, max(offset, 0)
}

// TotalDerivative returns D_x n = Σ J_{k+1} ∂n/∂J_k over the jets of fields
// occurring in n, simplified. n must use canonical jet names.
func TotalDerivative(n symbolic.Node, fields []string) symbolic.Node {
	var sum symbolic.Node = &symbolic.Num{Value: 0}
	for _, name := range symbolic.Names(n) {
		f, k, ok := ParseJet(name, fields)
		if !ok {
			continue
		}
		d := symbolic.Diff(n, name)
		term := &symbolic.Binary{Op: '*', Left: d, Right: &symbolic.Var{Name: JetName(f, k+1)}}
		sum = &symbolic.Binary{Op: '+', Left: sum, Right: term}
	}
	return symbolic.Simplify(sum)
}
