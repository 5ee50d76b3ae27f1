package nn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"ansatz/autodiff"
)

// paramsMagic opens every parameter file (format version 1).
const paramsMagic = "ANSZPRM1"

// maxRank bounds the rank read from a parameter file (the engine uses 2 and 3).
const maxRank = 8

// Bounds that keep a corrupt file from asking for absurd allocations.
const (
	maxTensors  = 1 << 16
	maxElements = 1 << 28
)

// SaveParams writes params in the ansatz parameter format, version 1. All
// integers are unsigned 32-bit and all numbers IEEE-754 float64, little
// endian:
//
//	magic   8 bytes "ANSZPRM1"
//	count   uint32, number of tensors
//	then per tensor, in order:
//	  rank  uint32
//	  dims  rank × uint32
//	  data  dims[0]·…·dims[rank−1] × float64, row-major
//
// (numpy reads a tensor with np.frombuffer(buf, "<f8", count=n, offset=o).)
func SaveParams(w io.Writer, params []*autodiff.Tensor) error {
	bw := bufio.NewWriter(w)
	var b [8]byte
	if _, err := bw.WriteString(paramsMagic); err != nil {
		return fmt.Errorf("nn: save params: %w", err)
	}
	u32 := func(v int) {
		binary.LittleEndian.PutUint32(b[:4], uint32(v))
		bw.Write(b[:4]) // errors are sticky in bufio.Writer; checked at Flush
	}
	u32(len(params))
	for i, p := range params {
		if p == nil {
			return fmt.Errorf("nn: save params: tensor %d is nil", i)
		}
		shape := p.Shape()
		u32(len(shape))
		for _, d := range shape {
			u32(d)
		}
		for _, x := range p.Data() {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
			bw.Write(b[:])
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("nn: save params: %w", err)
	}
	return nil
}

// LoadParams reads a file written by SaveParams into params, in place. The
// number of tensors and every shape must match params. Everything is read and
// checked before any parameter is changed, so on error params are untouched.
func LoadParams(r io.Reader, params []*autodiff.Tensor) error {
	stored, err := ReadParams(r)
	if err != nil {
		return err
	}
	if len(stored) != len(params) {
		return fmt.Errorf("nn: load params: file holds %d tensors, model has %d", len(stored), len(params))
	}
	for i, p := range params {
		if p == nil {
			return fmt.Errorf("nn: load params: model tensor %d is nil", i)
		}
		if got, want := stored[i].Shape(), p.Shape(); !slices.Equal(got, want) {
			return fmt.Errorf("nn: load params: tensor %d has shape %v in the file, %v in the model", i, got, want)
		}
	}
	for i, p := range params {
		copy(p.Data(), stored[i].Data())
	}
	return nil
}

// ReadParams reads a file written by SaveParams into new constant tensors of
// the stored shapes.
func ReadParams(r io.Reader) ([]*autodiff.Tensor, error) {
	br := bufio.NewReader(r)
	var b [8]byte
	read := func(n int) error {
		if _, err := io.ReadFull(br, b[:n]); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("nn: load params: %w", err)
		}
		return nil
	}
	u32 := func() (int, error) {
		if err := read(4); err != nil {
			return 0, err
		}
		return int(binary.LittleEndian.Uint32(b[:4])), nil
	}
	if err := read(8); err != nil {
		return nil, err
	}
	if string(b[:]) != paramsMagic {
		return nil, fmt.Errorf("nn: load params: not an ansatz parameter file (magic %q, want %q)", b[:], paramsMagic)
	}
	count, err := u32()
	if err != nil {
		return nil, err
	}
	if count > maxTensors {
		return nil, fmt.Errorf("nn: load params: file claims %d tensors", count)
	}
	out := make([]*autodiff.Tensor, count)
	for i := range out {
		rank, err := u32()
		if err != nil {
			return nil, err
		}
		if rank < 1 || rank > maxRank {
			return nil, fmt.Errorf("nn: load params: tensor %d has rank %d", i, rank)
		}
		shape := make([]int, rank)
		size := 1
		for k := range shape {
			if shape[k], err = u32(); err != nil {
				return nil, err
			}
			size *= shape[k]
			if shape[k] < 1 || size > maxElements {
				return nil, fmt.Errorf("nn: load params: tensor %d has shape %v", i, shape[:k+1])
			}
		}
		v := make([]float64, size)
		for j := range v {
			if err := read(8); err != nil {
				return nil, err
			}
			v[j] = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
		}
		out[i] = autodiff.New(v, shape...)
	}
	if _, err := br.ReadByte(); err == nil {
		return nil, errors.New("nn: load params: trailing data after the last tensor")
	}
	return out, nil
}
