package textan

import (
	"math"
	"math/rand/v2"
)

// A Model is a multinomial logistic regression over hashed features: the one
// learner behind language identification, sentiment and learned themes, and
// the one a company retrains on its own labelled comments.
type Model struct {
	Labels   []string
	Features FeatureSet
	Bits     uint
	// W holds the weights feature-major: W[f*K+k] for label k, so that one
	// feature's weights for every label sit together in memory.
	W    []float32
	Bias []float32
}

// TrainOptions tune the learner; the zero value gives the defaults.
type TrainOptions struct {
	Epochs int     // passes over the data (default 12)
	Rate   float64 // AdaGrad step (default 0.05, chosen on held-out parts of the training sets; BENCHMARKS.md)
	L2     float64 // weight decay on the features a step touches (default 1e-6)
	Seed   uint64  // shuffling seed (default 1)
}

// Example is one labelled text, already tokenized.
type Example struct {
	Tokens []Token
	Label  string
}

// Train fits a model to examples. Labels are ordered by first appearance.
func Train(examples []Example, fs FeatureSet, bits uint, opt TrainOptions) *Model {
	if opt.Epochs == 0 {
		opt.Epochs = 12
	}
	if opt.Rate == 0 {
		opt.Rate = 0.05
	}
	if opt.L2 == 0 {
		opt.L2 = 1e-6
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	m := &Model{Features: fs, Bits: bits}
	index := map[string]int{}
	ys := make([]int, len(examples))
	xs := make([][]uint32, len(examples))
	for i, ex := range examples {
		k, ok := index[ex.Label]
		if !ok {
			k = len(m.Labels)
			index[ex.Label] = k
			m.Labels = append(m.Labels, ex.Label)
		}
		ys[i] = k
		xs[i] = fs.features(nil, ex.Tokens, bits)
	}
	K := len(m.Labels)
	m.W = make([]float32, (1<<bits)*K)
	m.Bias = make([]float32, K)
	g2 := make([]float32, len(m.W)) // AdaGrad's sum of squared gradients
	b2 := make([]float64, K)
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 7))
	p := make([]float64, K)
	for epoch := 0; epoch < opt.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			x := xs[i]
			if len(x) == 0 {
				continue
			}
			scale := 1 / math.Sqrt(float64(len(x)))
			m.probs(x, scale, p)
			for k := 0; k < K; k++ {
				g := p[k]
				if k == ys[i] {
					g--
				}
				b2[k] += g * g
				m.Bias[k] -= float32(opt.Rate * g / math.Sqrt(b2[k]+1e-8))
				gs := g * scale
				for _, f := range x {
					j := int(f)*K + k
					w := float64(m.W[j])
					grad := gs + opt.L2*w
					g2[j] += float32(grad * grad)
					m.W[j] = float32(w - opt.Rate*grad/math.Sqrt(float64(g2[j])+1e-8))
				}
			}
		}
	}
	return m
}

// probs writes the label probabilities of feature list x into p.
func (m *Model) probs(x []uint32, scale float64, p []float64) {
	K := len(m.Labels)
	for k := 0; k < K; k++ {
		p[k] = float64(m.Bias[k])
	}
	for _, f := range x {
		row := m.W[int(f)*K : int(f)*K+K]
		for k, w := range row {
			p[k] += float64(w) * scale
		}
	}
	softmax(p)
}

func softmax(p []float64) {
	max := math.Inf(-1)
	for _, v := range p {
		if v > max {
			max = v
		}
	}
	sum := 0.0
	for k, v := range p {
		p[k] = math.Exp(v - max)
		sum += p[k]
	}
	for k := range p {
		p[k] /= sum
	}
}

// Predict returns the probability of each label (in m.Labels order) for toks.
// A text without features gets the model's prior (its biases).
func (m *Model) Predict(toks []Token) []float64 {
	x := m.Features.features(make([]uint32, 0, 256), toks, m.Bits)
	p := make([]float64, len(m.Labels))
	scale := 1.0
	if len(x) > 0 {
		scale = 1 / math.Sqrt(float64(len(x)))
	}
	m.probs(x, scale, p)
	return p
}

// Best returns the most probable label and its probability.
func (m *Model) Best(p []float64) (string, float64) {
	best := 0
	for k := range p {
		if p[k] > p[best] {
			best = k
		}
	}
	return m.Labels[best], p[best]
}
