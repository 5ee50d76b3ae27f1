package autodiff

import (
	"errors"
	"fmt"
)

// gradConfig holds the options of Grad.
type gradConfig struct {
	createGraph bool
	retain      bool
	seed        *Tensor
}

// GradOption configures Grad.
type GradOption func(*gradConfig)

// CreateGraph makes Grad record the backward pass, so its results are
// themselves differentiable (for second and higher derivatives). Without it
// Grad runs the backward rules on detached values and builds no graph.
func CreateGraph() GradOption { return func(c *gradConfig) { c.createGraph = true } }

// RetainGraph keeps the intermediate values that an earlier Grad with
// CreateGraph recorded, so that the graph can be differentiated again (see
// Grad). Grad with CreateGraph never releases anything.
func RetainGraph() GradOption { return func(c *gradConfig) { c.retain = true } }

// ErrGraphReleased is returned by Grad when the graph passes through values that
// an earlier Grad released (it was called without RetainGraph).
var ErrGraphReleased = errors.New("autodiff: the graph was already differentiated and its recorded backward values released; pass RetainGraph() to the earlier Grad to differentiate it again")

// Seed sets the upstream gradient ∂L/∂y for a non-scalar output y; g must have
// y's shape. Grad then returns the vector–Jacobian products gᵀ·∂y/∂x. Without a
// Seed, y must be [1,1] and the seed is 1.
func Seed(g *Tensor) GradOption { return func(c *gradConfig) { c.seed = g } }

// ErrNotScalar is returned by Grad when y has more than one element and no Seed
// was given.
var ErrNotScalar = errors.New("autodiff: output is not a scalar; pass Seed")

// Grad returns ∂y/∂x for each x in wrt, by reverse-mode accumulation over the
// graph that produced y. A result has x's shape; it is a zeros tensor when y
// does not depend on x. Nodes used several times accumulate their gradients,
// and only the part of the graph between wrt and y is visited. The visiting
// order is a deterministic function of the graph.
//
// Each result has a buffer of its own, so it may be modified in place (as
// optimisers do) without affecting other results or the seed; with
// CreateGraph the results are graph nodes, and modifying them corrupts the
// derivatives computed through them.
//
// Released graphs. The intermediate values that a Grad with CreateGraph
// records (its backward pass, e.g. ∂L/∂h of every hidden layer of an HNN) are
// reachable only through the graph. A later Grad without CreateGraph that
// differentiates through them frees them for reuse once used, as PyTorch does
// by default (retain_graph=False); values the caller holds (inputs, outputs
// of ops the caller applied, the results of Grad) are never released.
// Differentiating through released values again returns ErrGraphReleased;
// pass RetainGraph to the earlier Grad to differentiate a graph several times.
// Because of this, Grad without RetainGraph or CreateGraph must not run
// concurrently with another Grad over a shared part of a graph.
//
// It returns an error if y or an element of wrt is nil, if y is not [1,1] and no
// Seed is given, or if the Seed's shape differs from y's.
func Grad(y *Tensor, wrt []*Tensor, opts ...GradOption) ([]*Tensor, error) {
	var cfg gradConfig
	for _, o := range opts {
		o(&cfg)
	}
	if y == nil {
		return nil, errors.New("autodiff: Grad: y is nil")
	}
	for i, x := range wrt {
		if x == nil {
			return nil, fmt.Errorf("autodiff: Grad: wrt[%d] is nil", i)
		}
	}
	seed := cfg.seed
	if seed == nil {
		if len(y.data) != 1 {
			return nil, fmt.Errorf("autodiff: Grad of y with shape %v: %w", y.shape, ErrNotScalar)
		}
		seed = &Tensor{data: []float64{1}, shape: y.shape}
	} else if !sameShape(seed.shape, y.shape) {
		return nil, fmt.Errorf("autodiff: Grad: seed shape %v differs from output shape %v", seed.shape, y.shape)
	}
	if !cfg.createGraph {
		seed = seed.Detach()
	}

	isWrt := make(map[*Tensor]bool, len(wrt))
	for _, x := range wrt {
		isWrt[x] = true
	}
	relevant, order, seen, err := sortGraph(y, isWrt)
	if err != nil {
		return nil, err
	}

	grads := map[*Tensor]*Tensor{y: seed}
	var bk bookkeeping
	if !cfg.createGraph {
		bk = bookkeeping{refs: map[*float64]int{}, ours: map[*float64]bool{}}
		bk.ref(seed)
	}
	for i := len(order) - 1; i >= 0; i-- {
		t := order[i]
		g := grads[t]
		if g == nil {
			continue
		}
		n := t.node
		need := make([]bool, len(n.inputs))
		for j, in := range n.inputs {
			need[j] = relevant[in]
		}
		out, ins := t, n.inputs
		if !cfg.createGraph {
			out = t.Detach()
			ins = make([]*Tensor, len(n.inputs))
			for j, in := range n.inputs {
				ins[j] = in.Detach()
			}
		}
		gs := n.vjp(out, g, ins, need)
		for j, gj := range gs {
			if gj == nil || !need[j] {
				continue
			}
			in := n.inputs[j]
			if !sameShape(gj.shape, in.shape) {
				panic(fmt.Sprintf("autodiff: internal error: %s backward gave gradient %v for input %d of shape %v", n.op, gj.shape, j, in.shape))
			}
			if cfg.createGraph {
				if prev := grads[in]; prev != nil {
					gj = Add(prev, gj)
				}
				grads[in] = gj
				continue
			}
			bk.claim(gj, g, out, ins)
			bk.accumulate(grads, in, gj)
		}
		if !isWrt[t] {
			delete(grads, t)
			if !cfg.createGraph {
				bk.unref(g)
			}
		}
		// t's value is no longer needed: its consumers were visited before it.
		if t.private && !cfg.createGraph && !cfg.retain && bk.refs[bufKey(t)] == 0 {
			t.release()
		}
	}

	// Results get buffers of their own (optimisers clip and update gradients in
	// place): a result that shares storage with another result or with the
	// seed, or (without CreateGraph) that Grad did not create, is copied.
	res := make([]*Tensor, len(wrt))
	taken := map[*float64]bool{}
	for i, x := range wrt {
		g := grads[x]
		if g == nil {
			res[i] = newTensor(x.shape)
			continue
		}
		k := bufKey(g)
		if taken[k] || k == bufKey(seed) || (!cfg.createGraph && !bk.ours[k]) {
			g = clone(g)
		}
		taken[bufKey(g)] = true
		res[i] = g
	}
	if cfg.createGraph {
		markPrivate(res, seed, seen)
	}
	return res, nil
}

// markPrivate marks the tensors that a Grad with CreateGraph recorded, other
// than its results: those reachable from the results through graph nodes that
// existed neither below y (seen) nor below the seed.
func markPrivate(res []*Tensor, seed *Tensor, seen map[*Tensor]bool) {
	var walk func(t *Tensor)
	walk = func(t *Tensor) {
		if t.node == nil || seen[t] {
			return
		}
		seen[t] = true
		for _, in := range t.node.inputs {
			walk(in)
		}
	}
	walk(seed) // pre-existing: not private
	isResult := map[*Tensor]bool{}
	resultBuf := map[*float64]bool{}
	for _, r := range res {
		isResult[r] = true
		resultBuf[bufKey(r)] = true
	}
	var mark func(t *Tensor)
	mark = func(t *Tensor) {
		if t.node == nil || seen[t] {
			return
		}
		seen[t] = true
		if !isResult[t] {
			t.private = true
			t.keepBuf = resultBuf[bufKey(t)]
		}
		for _, in := range t.node.inputs {
			mark(in)
		}
	}
	for _, r := range res {
		mark(r)
	}
}

// release recycles the buffer of a private tensor whose value is no longer
// needed and marks it released.
func (t *Tensor) release() {
	if t.ownsBuf && !t.keepBuf {
		putBuf(t.data)
	}
	t.data = nil
	t.released = true
}

// clone returns a copy of a with its own buffer (the gradient passes through).
func clone(a *Tensor) *Tensor {
	out := newLike(a)
	copy(out.data, a.data)
	return record(out, "clone", func(_, up *Tensor, _ []*Tensor, _ []bool) []*Tensor {
		return []*Tensor{up}
	}, a)
}

// bookkeeping tracks, during a Grad without CreateGraph, which gradient
// buffers Grad's backward rules created ("ours") and how many gradient entries
// reference each buffer (entries alias when a rule passes its upstream gradient
// through). A buffer of ours referenced once may be accumulated into in place;
// one no longer referenced is dead and is recycled. Buffers are identified by
// their first element: ops share whole buffers (Detach, Reshape), never parts.
type bookkeeping struct {
	refs map[*float64]int
	ours map[*float64]bool
}

func bufKey(t *Tensor) *float64 { return &t.data[0] }

// claim marks gj as ours unless it shares its buffer with the upstream
// gradient, the op's output or inputs, or a gradient entry.
func (b *bookkeeping) claim(gj, up, out *Tensor, ins []*Tensor) {
	k := bufKey(gj)
	if k == bufKey(up) || k == bufKey(out) || b.refs[k] > 0 {
		return
	}
	for _, in := range ins {
		if k == bufKey(in) {
			return
		}
	}
	b.ours[k] = true
}

func (b *bookkeeping) ref(t *Tensor) { b.refs[bufKey(t)]++ }

// unref drops one reference to t's buffer and recycles it if it was the last.
func (b *bookkeeping) unref(t *Tensor) {
	k := bufKey(t)
	b.refs[k]--
	b.releaseIfDead(t)
}

func (b *bookkeeping) releaseIfDead(t *Tensor) {
	k := bufKey(t)
	if b.refs[k] > 0 {
		return
	}
	delete(b.refs, k)
	if b.ours[k] {
		delete(b.ours, k)
		putBuf(t.data)
	}
}

// accumulate adds gj into grads[in].
func (b *bookkeeping) accumulate(grads map[*Tensor]*Tensor, in, gj *Tensor) {
	prev := grads[in]
	switch {
	case prev == nil:
		grads[in] = gj
		b.ref(gj)
		return
	case b.ours[bufKey(prev)] && b.refs[bufKey(prev)] == 1 && bufKey(prev) != bufKey(gj):
		addInPlace(prev.data, gj.data)
	default:
		s := Add(prev, gj)
		b.ours[bufKey(s)] = true
		grads[in] = s
		b.ref(s)
		b.unref(prev)
	}
	b.releaseIfDead(gj)
}

// sortGraph walks the graph below y depth first, visiting inputs in order. It
// returns which tensors depend on a tensor in wrt (or are in it), the relevant
// non-leaf tensors in post-order (inputs before the tensors computed from
// them), and all tensors below y. It fails if the graph passes through a
// released tensor.
func sortGraph(y *Tensor, isWrt map[*Tensor]bool) (map[*Tensor]bool, []*Tensor, map[*Tensor]bool, error) {
	relevant := map[*Tensor]bool{}
	seen := map[*Tensor]bool{}
	var order []*Tensor
	released := false
	var visit func(t *Tensor) bool
	visit = func(t *Tensor) bool {
		if seen[t] {
			return relevant[t]
		}
		seen[t] = true
		released = released || t.released
		rel := isWrt[t]
		if t.node != nil {
			for _, in := range t.node.inputs {
				if visit(in) {
					rel = true
				}
			}
			if rel {
				order = append(order, t)
			}
		}
		if rel {
			relevant[t] = true
		}
		return rel
	}
	visit(y)
	if released {
		return nil, nil, nil, ErrGraphReleased
	}
	return relevant, order, seen, nil
}

func addInPlace(dst, src []float64) {
	parallelFor(len(dst), len(dst), func(lo, hi int) {
		d, s := dst[lo:hi], src[lo:hi]
		for i := range d {
			d[i] += s[i]
		}
	})
}

// JVP returns the Jacobian–vector product (∂y/∂x)·v, with v of x's shape and a
// result of y's shape. For y [B,m] computed row by row from x [B,n] this is the
// directional derivative of each sample along its row of v. It uses two
// reverse passes (the "double vjp" trick), so it costs about twice a gradient
// whatever the sizes. With createGraph the result is differentiable.
func JVP(y, x, v *Tensor, createGraph bool) (*Tensor, error) {
	if y == nil || x == nil || v == nil {
		return nil, errors.New("autodiff: JVP: nil tensor")
	}
	if !sameShape(x.shape, v.shape) {
		return nil, fmt.Errorf("autodiff: JVP: v shape %v differs from x shape %v", v.shape, x.shape)
	}
	u := Variable(make([]float64, len(y.data)), y.shape...)
	gs, err := Grad(y, []*Tensor{x}, Seed(u), CreateGraph())
	if err != nil {
		return nil, fmt.Errorf("autodiff: JVP: %w", err)
	}
	opts := []GradOption{Seed(v)}
	if createGraph {
		opts = append(opts, CreateGraph())
	}
	r, err := Grad(gs[0], []*Tensor{u}, opts...)
	if err != nil {
		return nil, fmt.Errorf("autodiff: JVP: %w", err)
	}
	return r[0], nil
}

// Jacobian returns the per-sample Jacobians of y [B,m] with respect to x [B,n],
// as a [B,m,n] tensor, assuming row b of y depends only on row b of x (a batch
// of independent samples). It runs m reverse passes. With createGraph the result
// is differentiable.
func Jacobian(y, x *Tensor, createGraph bool) (*Tensor, error) {
	if y == nil || x == nil {
		return nil, errors.New("autodiff: Jacobian: nil tensor")
	}
	if len(y.shape) != 2 || len(x.shape) != 2 || y.shape[0] != x.shape[0] {
		return nil, fmt.Errorf("autodiff: Jacobian: want y [B,m] and x [B,n], got %v and %v", y.shape, x.shape)
	}
	b, m := y.shape[0], y.shape[1]
	// y's graph may hold values recorded by the caller's own Grad with
	// CreateGraph: keep them for the other rows and for the caller.
	opts := []GradOption{RetainGraph()}
	if createGraph {
		opts = append(opts, CreateGraph())
	}
	rows := make([]*Tensor, m)
	for k := range m {
		e := newTensor([]int{b, m})
		for i := range b {
			e.data[i*m+k] = 1
		}
		gs, err := Grad(y, []*Tensor{x}, append(opts, Seed(e))...)
		if err != nil {
			return nil, fmt.Errorf("autodiff: Jacobian row %d: %w", k, err)
		}
		rows[k] = gs[0]
	}
	return Reshape(Concat(rows...), b, m, x.shape[1]), nil
}

// Hessian returns the per-sample Hessians of y [B,1] with respect to x [B,n] as
// a [B,n,n] tensor, assuming independent rows (see Jacobian). It differentiates
// the recorded gradient once per input dimension. With createGraph the result is
// differentiable (third and higher derivatives).
func Hessian(y, x *Tensor, createGraph bool) (*Tensor, error) {
	if y == nil || x == nil {
		return nil, errors.New("autodiff: Hessian: nil tensor")
	}
	if len(y.shape) != 2 || y.shape[1] != 1 || len(x.shape) != 2 || y.shape[0] != x.shape[0] {
		return nil, fmt.Errorf("autodiff: Hessian: want y [B,1] and x [B,n], got %v and %v", y.shape, x.shape)
	}
	gs, err := Grad(y, []*Tensor{x}, Seed(Full(1, y.shape...)), CreateGraph())
	if err != nil {
		return nil, fmt.Errorf("autodiff: Hessian: %w", err)
	}
	h, err := Jacobian(gs[0], x, createGraph)
	if err != nil {
		return nil, fmt.Errorf("autodiff: Hessian: %w", err)
	}
	return h, nil
}
