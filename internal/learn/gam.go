package learn

import (
	"math"
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
	// maxCats keeps the most frequent categories of a column, the rest
	// "other": a term of thousands of bins learns nothing, and training
	// keeps each row's bin in 16 bits.
	maxCats = 1024
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
	if len(cats) > maxCats {
		sort.Slice(cats, func(i, j int) bool {
			return count[cats[i]] > count[cats[j]] || count[cats[i]] == count[cats[j]] && cats[i] < cats[j]
		})
		cats = cats[:maxCats]
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

// centre centres each shape on its training mean, moving the means into the
// intercept: a contribution then says how far a value moves the customer
// from the average customer.
func (m *GAM) centre(cols []Column, rows []int, bins [][]uint16) {
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
