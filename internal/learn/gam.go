package learn

import (
	"math"
	"slices"
	"sort"
	"strconv"
)

// An additive model of a yes/no outcome (churned or not) from a table:
// log-odds = intercept + Σ f_j(x_j), one learnt shape per column, fitted by
// cyclic gradient boosting over binned values (as explainable boosting
// machines do). Being additive, every score splits exactly into its
// columns' contributions: a customer's reasons are those terms, and they add
// up to the score.

// Column is one input column: numeric values, or categories as strings.
type Column struct {
	Name    string
	Numeric []float64 // NaN: missing
	Text    []string  // categorical; "" missing
}

// binning maps a column's values to bins: quantile cut points for numbers
// (values ≤ Cuts[i] fall in bin i, above every cut the last bin, missing
// its own), or the categories seen with enough rows.
type binning struct {
	Name  string
	Cuts  []float64      // numeric
	Cats  map[string]int // categorical
	Nbins int
}

const (
	maxBins    = 32
	minCatRows = 10 // rarer categories share the "other" bin
)

func newBinning(c Column, rows []int, nbins int) binning {
	b := binning{Name: c.Name}
	if c.Numeric != nil {
		var vs []float64
		for _, i := range rows {
			if v := c.Numeric[i]; !math.IsNaN(v) {
				vs = append(vs, v)
			}
		}
		sort.Float64s(vs)
		for k := 1; k < nbins && len(vs) > 0; k++ {
			cut := vs[k*len(vs)/nbins]
			if len(b.Cuts) == 0 || cut > b.Cuts[len(b.Cuts)-1] {
				b.Cuts = append(b.Cuts, cut)
			}
		}
		b.Nbins = len(b.Cuts) + 2 // + above the last cut, + missing
		return b
	}
	count := map[string]int{}
	for _, i := range rows {
		count[c.Text[i]]++
	}
	var cats []string
	for v, n := range count {
		if n >= minCatRows {
			cats = append(cats, v)
		}
	}
	sort.Strings(cats)
	b.Cats = map[string]int{}
	for i, v := range cats {
		b.Cats[v] = i
	}
	b.Nbins = len(cats) + 1 // + other
	return b
}

func (b binning) bin(c Column, i int) int {
	if c.Numeric != nil {
		v := c.Numeric[i]
		if math.IsNaN(v) {
			return b.Nbins - 1
		}
		return sort.SearchFloat64s(b.Cuts, v)
	}
	if k, ok := b.Cats[c.Text[i]]; ok {
		return k
	}
	return b.Nbins - 1
}

// GAM is a trained additive model.
type GAM struct {
	Intercept float64
	Bins      []binning
	Shapes    [][]float64 // per column, per bin: its term of the log-odds
	Pairs     []pairTerm  // terms of two columns together, chosen by gain
}

// pairTerm is a term of two columns on a coarse grid; its value counts half
// for each of the two columns in a customer's reasons.
type pairTerm struct {
	A, B   int // columns
	BA, BB binning
	Cells  []float64 // BA.Nbins × BB.Nbins
}

const (
	pairBins  = 8  // the coarse grid of pair terms
	maxPairs  = 10 // pair terms at most
	pairRound = 50
)

// GAMOptions tune training; zero values give the defaults.
type GAMOptions struct {
	Rounds int     // passes over every column (default 200)
	Rate   float64 // learning rate (default 0.05)
	L2     float64 // on each bin's Newton step (default 1)
	// NoPairs leaves the pair terms out. Left false, the number of pair
	// terms (one of pairChoices) is chosen on an inner split of the training
	// rows (pairs help where columns interact, and overfit elsewhere).
	NoPairs bool
}

// pairL2 regularises the pair cells harder than the main terms: a cell of
// an 8 × 8 grid holds few rows.
const pairL2 = 20

// pairChoices are the numbers of pair terms TrainGAM tries, best gain first.
var pairChoices = []int{0, 1, 2, 3, 5, maxPairs}

// TrainGAM fits the model on the rows of cols given; y is 1 for yes.
func TrainGAM(cols []Column, y []float64, rows []int, opt GAMOptions) *GAM {
	if opt.Rounds == 0 {
		opt.Rounds = 200
	}
	if opt.Rate == 0 {
		opt.Rate = 0.05
	}
	if opt.L2 == 0 {
		opt.L2 = 1
	}
	pairs := 0
	if !opt.NoPairs {
		// Inner split, fixed: every fifth training row judges how many pair
		// terms to keep (pairs help where columns interact, and overfit
		// elsewhere). The main terms are fitted once; each choice adds its
		// pairs to a copy.
		var fit, judge []int
		for n, i := range rows {
			if n%5 == 4 {
				judge = append(judge, i)
			} else {
				fit = append(fit, i)
			}
		}
		main, bins, score := fitMain(cols, y, fit, opt)
		best := math.Inf(-1)
		for _, k := range pairChoices {
			m := main.clone()
			if k > 0 {
				m.trainPairs(cols, y, fit, slices.Clone(score), opt, k)
			}
			m.centre(cols, fit, bins)
			s, t := make([]float64, len(judge)), make([]float64, len(judge))
			for n, i := range judge {
				s[n], t[n] = m.Predict(cols, i), y[i]
			}
			// More pairs must earn their place: a tenth of a point of AUC.
			if auc := AUC(s, t); auc > best+0.001 {
				best, pairs = auc, k
			}
		}
	}
	m, bins, score := fitMain(cols, y, rows, opt)
	if pairs > 0 {
		m.trainPairs(cols, y, rows, score, opt, pairs)
	}
	m.centre(cols, rows, bins)
	return m
}

// fitMain fits the main terms by cyclic Newton boosting; it returns the
// model, each column's bin per row and each row's log-odds.
func fitMain(cols []Column, y []float64, rows []int, opt GAMOptions) (*GAM, [][]int, []float64) {
	m := &GAM{}
	bins := make([][]int, len(cols))
	for j, c := range cols {
		b := newBinning(c, rows, maxBins)
		m.Bins = append(m.Bins, b)
		m.Shapes = append(m.Shapes, make([]float64, b.Nbins))
		bins[j] = make([]int, len(rows))
		for k, i := range rows {
			bins[j][k] = b.bin(c, i)
		}
	}
	pos := 0.0
	for _, i := range rows {
		pos += y[i]
	}
	p0 := math.Min(math.Max(pos/float64(len(rows)), 1e-6), 1-1e-6)
	m.Intercept = math.Log(p0 / (1 - p0))
	score := make([]float64, len(rows))
	for k := range score {
		score[k] = m.Intercept
	}
	for round := 0; round < opt.Rounds; round++ {
		for j := range cols {
			g := make([]float64, m.Bins[j].Nbins)
			h := make([]float64, m.Bins[j].Nbins)
			for k, i := range rows {
				p := 1 / (1 + math.Exp(-score[k]))
				g[bins[j][k]] += p - y[i]
				h[bins[j][k]] += p * (1 - p)
			}
			step := make([]float64, len(g))
			for b := range g {
				step[b] = -opt.Rate * g[b] / (h[b] + opt.L2)
				m.Shapes[j][b] += step[b]
			}
			for k := range rows {
				score[k] += step[bins[j][k]]
			}
		}
	}
	return m, bins, score
}

func (m *GAM) clone() *GAM {
	c := &GAM{Intercept: m.Intercept, Bins: m.Bins}
	for _, s := range m.Shapes {
		c.Shapes = append(c.Shapes, slices.Clone(s))
	}
	return c
}

// centre centres each shape on its training mean, moving the means into the
// intercept: a contribution then says how far a value moves the customer
// from the average customer.
func (m *GAM) centre(cols []Column, rows []int, bins [][]int) {
	for pi := range m.Pairs {
		pt := &m.Pairs[pi]
		mean := 0.0
		for _, i := range rows {
			mean += pt.Cells[pt.cell(cols, i)]
		}
		mean /= float64(len(rows))
		for c := range pt.Cells {
			pt.Cells[c] -= mean
		}
		m.Intercept += mean
	}
	for j := range cols {
		mean := 0.0
		for k := range rows {
			mean += m.Shapes[j][bins[j][k]]
		}
		mean /= float64(len(rows))
		for b := range m.Shapes[j] {
			m.Shapes[j][b] -= mean
		}
		m.Intercept += mean
	}
}

// Contributions returns row i's term per column (a pair term counted half
// for each of its columns); the log-odds is the intercept plus their sum.
func (m *GAM) Contributions(cols []Column, i int) []float64 {
	out := make([]float64, len(cols))
	for j, c := range cols {
		out[j] = m.Shapes[j][m.Bins[j].bin(c, i)]
	}
	for _, pt := range m.Pairs {
		v := pt.Cells[pt.cell(cols, i)] / 2
		out[pt.A] += v
		out[pt.B] += v
	}
	return out
}

func (pt *pairTerm) cell(cols []Column, i int) int {
	return pt.BA.bin(cols[pt.A], i)*pt.BB.Nbins + pt.BB.bin(cols[pt.B], i)
}

// trainPairs chooses the pairs (at most pairs) of columns whose joint grid would gain most
// on the residuals of the main terms (as EBM's FAST does), then boosts their
// cells. score holds each row's log-odds and is kept current.
func (m *GAM) trainPairs(cols []Column, y []float64, rows []int, score []float64, opt GAMOptions, pairs int) {
	coarse := make([]binning, len(cols))
	cb := make([][]int, len(cols))
	for j, c := range cols {
		coarse[j] = newBinning(c, rows, pairBins)
		cb[j] = make([]int, len(rows))
		for k, i := range rows {
			cb[j][k] = coarse[j].bin(c, i)
		}
	}
	g, h := make([]float64, len(rows)), make([]float64, len(rows))
	for k, i := range rows {
		p := 1 / (1 + math.Exp(-score[k]))
		g[k], h[k] = p-y[i], p*(1-p)
	}
	type cand struct {
		a, b int
		gain float64
	}
	var cands []cand
	for a := range cols {
		for b := a + 1; b < len(cols); b++ {
			nb := coarse[b].Nbins
			G := make([]float64, coarse[a].Nbins*nb)
			H := make([]float64, len(G))
			for k := range rows {
				c := cb[a][k]*nb + cb[b][k]
				G[c] += g[k]
				H[c] += h[k]
			}
			gain := 0.0
			for c := range G {
				gain += G[c] * G[c] / (H[c] + opt.L2)
			}
			cands = append(cands, cand{a, b, gain})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].gain > cands[j].gain })
	for _, c := range cands[:min(pairs, len(cands))] {
		m.Pairs = append(m.Pairs, pairTerm{A: c.a, B: c.b, BA: coarse[c.a], BB: coarse[c.b], Cells: make([]float64, coarse[c.a].Nbins*coarse[c.b].Nbins)})
	}
	for round := 0; round < pairRound; round++ {
		for pi := range m.Pairs {
			pt := &m.Pairs[pi]
			nb := pt.BB.Nbins
			G := make([]float64, len(pt.Cells))
			H := make([]float64, len(pt.Cells))
			for k, i := range rows {
				p := 1 / (1 + math.Exp(-score[k]))
				c := cb[pt.A][k]*nb + cb[pt.B][k]
				G[c] += p - y[i]
				H[c] += p * (1 - p)
			}
			step := make([]float64, len(G))
			for c := range G {
				step[c] = -opt.Rate * G[c] / (H[c] + pairL2)
				pt.Cells[c] += step[c]
			}
			for k := range rows {
				score[k] += step[cb[pt.A][k]*nb+cb[pt.B][k]]
			}
		}
	}
}

// Predict returns the probability of yes for row i.
func (m *GAM) Predict(cols []Column, i int) float64 {
	// The sum of the contributions: pair terms split in halves add back up.
	s := m.Intercept
	for _, v := range m.Contributions(cols, i) {
		s += v
	}
	return 1 / (1 + math.Exp(-s))
}

// AUC is the area under the ROC curve of scores against 0/1 labels (ties
// count half).
func AUC(scores, y []float64) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var rankSum, pos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		rank := float64(i+j+1) / 2 // mean rank of the ties, 1-based
		for k := i; k < j; k++ {
			if y[idx[k]] == 1 {
				rankSum += rank
				pos++
			}
		}
		i = j
	}
	neg := float64(len(scores)) - pos
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// parseColumn makes a column from strings: numeric when every non-empty
// value parses as a number.
func parseColumn(name string, vals []string) Column {
	nums := make([]float64, len(vals))
	numeric := true
	for i, v := range vals {
		if v == "" || v == " " {
			nums[i] = math.NaN()
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			numeric = false
			break
		}
		nums[i] = f
	}
	if numeric {
		return Column{Name: name, Numeric: nums}
	}
	return Column{Name: name, Text: vals}
}

// rescale turns the model's log-odds z into a·z + b: every term times a,
// and b into the intercept, so that contributions keep adding up.
func (m *GAM) rescale(a, b float64) {
	m.Intercept = a*m.Intercept + b
	for _, shape := range m.Shapes {
		for k := range shape {
			shape[k] *= a
		}
	}
	for _, p := range m.Pairs {
		for k := range p.Cells {
			p.Cells[k] *= a
		}
	}
}
