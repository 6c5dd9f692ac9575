package textan

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// A model is stored as gzip of: one JSON header line, then for each feature
// with any weight the gap to the previous feature (uvarint) and its K weights
// as int8 steps of header.Step. Rows of zeros are left out, so a hashed model
// costs what its vocabulary costs, not 2^bits rows.

type header struct {
	Labels   []string   `json:"labels"`
	Features FeatureSet `json:"features"`
	Bits     uint       `json:"bits"`
	Bias     []float32  `json:"bias"`
	Step     float64    `json:"step"`
}

// Encode writes m to w, quantizing weights to 1/127 of the largest.
func (m *Model) Encode(w io.Writer) error {
	max := 0.0
	for _, v := range m.W {
		max = math.Max(max, math.Abs(float64(v)))
	}
	step := max / 127
	if step == 0 {
		step = 1
	}
	zw := gzip.NewWriter(w)
	bw := bufio.NewWriter(zw)
	h, _ := json.Marshal(header{Labels: m.Labels, Features: m.Features, Bits: m.Bits, Bias: m.Bias, Step: step})
	bw.Write(h)
	bw.WriteByte('\n')
	K := len(m.Labels)
	prev := -1
	var buf [binary.MaxVarintLen64]byte
	q := make([]byte, K)
	for f := 0; f < len(m.W)/K; f++ {
		zero := true
		for k := 0; k < K; k++ {
			v := int8(math.Round(float64(m.W[f*K+k]) / step))
			q[k] = byte(v)
			zero = zero && v == 0
		}
		if zero {
			continue
		}
		n := binary.PutUvarint(buf[:], uint64(f-prev))
		bw.Write(buf[:n])
		bw.Write(q)
		prev = f
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// Decode reads a model that Encode wrote.
func Decode(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	br := bufio.NewReader(zr)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	var h header
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	K := len(h.Labels)
	if K == 0 || h.Bits == 0 || h.Bits > 24 || len(h.Bias) != K {
		return nil, errors.New("model header: bad labels, bits or bias")
	}
	m := &Model{Labels: h.Labels, Features: h.Features, Bits: h.Bits, Bias: h.Bias, W: make([]float32, (1<<h.Bits)*K)}
	f := -1
	q := make([]byte, K)
	for {
		gap, err := binary.ReadUvarint(br)
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, fmt.Errorf("model body: %w", err)
		}
		f += int(gap)
		if gap == 0 || f >= 1<<h.Bits {
			return nil, errors.New("model body: feature out of range")
		}
		if _, err := io.ReadFull(br, q); err != nil {
			return nil, fmt.Errorf("model body: %w", err)
		}
		for k := 0; k < K; k++ {
			m.W[f*K+k] = float32(float64(int8(q[k])) * h.Step)
		}
	}
}
