package kahler

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"ansatz/architectures"
	"ansatz/autodiff"
	"ansatz/gemm"
	"ansatz/losses"
	"ansatz/nn"
	"ansatz/optim"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// rows returns the rows [lo, hi) of a batch.
func subBatch(b losses.Batch, idx []int) losses.Batch {
	take := func(t *autodiff.Tensor) *autodiff.Tensor {
		w := t.Cols()
		d := make([]float64, len(idx)*w)
		for r, i := range idx {
			copy(d[r*w:(r+1)*w], t.Data()[i*w:(i+1)*w])
		}
		return autodiff.New(d, len(idx), w)
	}
	out := losses.Batch{X: take(b.X), Columns: map[string]*autodiff.Tensor{}}
	for k, v := range b.Columns {
		out.Columns[k] = take(v)
	}
	return out
}

// TestTrainProbe trains a model on the Fermat quintic with Adam and prints
// σ on held-out points (KAHLER_PROBE=mult_fs|phi_fs to run; a measurement
// aid, not a check).
func TestTrainProbe(t *testing.T) {
	gemm.Use()
	kind := os.Getenv("KAHLER_PROBE")
	if kind == "" {
		t.Skip("set KAHLER_PROBE to run")
	}
	ntrain, steps, batch := envInt("NTRAIN", 20000), envInt("STEPS", 500), envInt("BATCH", 1000)
	_, tr := quintic(t, 0, ntrain, 1)
	_, te := quintic(t, 0, 5000, 2)
	train, test := BatchFromPoints(tr), BatchFromPoints(te)
	net := Network{Net: nn.MLPConfig{Hidden: []int{64, 64, 64}, Activation: os.Getenv("ACT"), Init: "glorot", LastBias: true, BiasInit: "uniform"}}
	var b architectures.Builder
	switch kind {
	case "phi_fs":
		b = &PhiFS{Network: net}
	case "mult_fs":
		b = &HermitianFS{Network: net, ansatz: Multiplicative}
	}
	m := buildModel(t, b, 1)
	if kind == "mult_fs" {
		scaleParams(m, 1)
	}
	opt := optim.NewAdam()
	lr, _ := strconv.ParseFloat(os.Getenv("LR"), 64)
	if lr == 0 {
		lr = 1e-3
	}
	opt.SetLR(lr)
	rng := rand.New(rand.NewPCG(5, 5))
	idx := make([]int, ntrain)
	for i := range idx {
		idx[i] = i
	}
	ma := &MongeAmpereLoss{Power{1}}
	var tl losses.Term
	if os.Getenv("TRANS") != "" {
		tl = &TransitionLoss{Power{1}}
	}
	var kl losses.Term
	if os.Getenv("KAHLER") != "" {
		kl = &KahlerLoss{Power: Power{1}, Points: envInt("KPOINTS", 0)}
	}
	sig := func() float64 {
		v, err := (SigmaMeasure{}).Loss(m, test, false)
		if err != nil {
			t.Fatal(err)
		}
		return v.Item()
	}
	t.Logf("step 0 σ_test %.4f", sig())
	var busy time.Duration
	for s := 1; s <= steps; s++ {
		start := time.Now()
		for i := range batch {
			j := i + rng.IntN(ntrain-i)
			idx[i], idx[j] = idx[j], idx[i]
		}
		bb := subBatch(train, idx[:batch])
		l, err := ma.Loss(m, bb, true)
		if err != nil {
			t.Fatal(err)
		}
		if tl != nil {
			l2, err := tl.Loss(m, bb, true)
			if err != nil {
				t.Fatal(err)
			}
			l = autodiff.Add(l, l2)
		}
		if kl != nil {
			l2, err := kl.Loss(m, bb, true)
			if err != nil {
				t.Fatal(err)
			}
			l = autodiff.Add(l, l2)
		}
		g, err := autodiff.Grad(l, m.Params())
		if err != nil {
			t.Fatal(err)
		}
		// cosine schedule
		opt.SetLR(optim.Cosine{}.LR(lr, s-1, steps))
		if err := opt.Step(m.Params(), g); err != nil {
			t.Fatal(err)
		}
		busy += time.Since(start)
		if s%max(1, steps/10) == 0 {
			t.Logf("step %d loss %.4f σ_test %.4f  (%.1f ms/step)", s, l.Item(), sig(), float64(busy.Milliseconds())/float64(s))
		}
	}
}
