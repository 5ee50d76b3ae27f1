package optim

import (
	"bytes"
	"encoding/gob"
	"fmt"

	"ansatz/autodiff"
)

// stateVersion is the version of the serialised optimiser state.
const stateVersion = 1

// snapshot is the serialised form of an optimiser's state, encoded with
// encoding/gob (which, unlike JSON, keeps NaN and ±Inf). Buffers[k][i] is
// buffer kind k (e.g. Adam's first and second moments) of parameter i; Steps[i]
// counts the updates parameter i has received.
type snapshot struct {
	Kind    string
	Version int
	LR      float64
	Steps   []int64
	Buffers [][][]float64
}

// perParam is the state shared by the optimisers: per-parameter step counts
// and nb buffers per parameter, all allocated once.
type perParam struct {
	sizes []int         // elements per parameter; nil until the first Step or LoadState
	steps []int64       // updates received per parameter
	bufs  [][][]float64 // bufs[k][i]: buffer k of parameter i
}

// ensure allocates nb zeroed buffers per parameter if no state exists yet.
func (s *perParam) ensure(params []*autodiff.Tensor, nb int) {
	if s.sizes != nil {
		return
	}
	n := len(params)
	s.sizes = make([]int, n)
	total := 0
	for i, p := range params {
		s.sizes[i] = len(p.Data())
		total += s.sizes[i]
	}
	s.steps = make([]int64, n)
	s.bufs = make([][][]float64, nb)
	for k := range nb {
		block := make([]float64, total)
		s.bufs[k] = make([][]float64, n)
		off := 0
		for i, sz := range s.sizes {
			s.bufs[k][i] = block[off : off+sz : off+sz]
			off += sz
		}
	}
}

// encode serialises the state.
func (s *perParam) encode(kind string, lr float64) ([]byte, error) {
	snap := snapshot{Kind: kind, Version: stateVersion, LR: lr, Steps: s.steps, Buffers: s.bufs}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&snap); err != nil {
		return nil, fmt.Errorf("optim: %s: encode state: %w", kind, err)
	}
	return buf.Bytes(), nil
}

// decode replaces the state with the serialised one after checking that it is
// of the given kind, has nb buffers per parameter and is self-consistent. It
// returns the stored learning rate.
func (s *perParam) decode(kind string, nb int, data []byte) (float64, error) {
	var snap snapshot
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&snap); err != nil {
		return 0, fmt.Errorf("optim: %s: decode state: %w", kind, err)
	}
	if snap.Kind != kind {
		return 0, fmt.Errorf("optim: %s: state belongs to optimiser %q", kind, snap.Kind)
	}
	if snap.Version != stateVersion {
		return 0, fmt.Errorf("optim: %s: state version %d, want %d", kind, snap.Version, stateVersion)
	}
	n := len(snap.Steps)
	if n == 0 {
		// An optimiser saved before its first step: nothing to restore.
		*s = perParam{}
		return snap.LR, nil
	}
	if len(snap.Buffers) != nb {
		return 0, fmt.Errorf("optim: %s: state has %d buffer kinds, want %d", kind, len(snap.Buffers), nb)
	}
	sizes := make([]int, n)
	for k, b := range snap.Buffers {
		if len(b) != n {
			return 0, fmt.Errorf("optim: %s: state buffer %d covers %d params, steps cover %d", kind, k, len(b), n)
		}
		for i, x := range b {
			if k == 0 {
				sizes[i] = len(x)
			} else if len(x) != sizes[i] {
				return 0, fmt.Errorf("optim: %s: state buffers of param %d differ in length (%d, %d)", kind, i, sizes[i], len(x))
			}
		}
	}
	for i, st := range snap.Steps {
		if st < 0 {
			return 0, fmt.Errorf("optim: %s: negative step count %d for param %d", kind, st, i)
		}
	}
	s.sizes, s.steps, s.bufs = sizes, snap.Steps, snap.Buffers
	return snap.LR, nil
}
