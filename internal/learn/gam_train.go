package learn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"

	"golang.org/x/sync/errgroup"
)

// Training as explainable boosting machines do it (Lou, Caruana et al.;
// InterpretML's EBM): each bag holds out a random share of the training
// rows, boosts the main terms a column at a time with a small tree over the
// column's bins, and keeps the round where the held-out loss was lowest; it
// chooses and fits the pair terms on the same split; the bags' terms are
// averaged. The small trees make the shapes smooth, the early stop sets the
// rounds per data set, and the bags take out much of the noise of any one
// split (BENCHMARKS.md, "Churn learner", has the figures before and after).

// GAMOptions tune training; zero values give the defaults.
type GAMOptions struct {
	Bags      int     // averaged fits, each on its own split (default 8)
	MaxRounds int     // passes over every column in a bag at most (default 2000)
	Rate      float64 // learning rate (default 0.05)
	// NoPairs leaves the pair terms out. Left false, each bag chooses the
	// number of pair terms (one of pairChoices) on its held-out rows: pairs
	// help where columns interact, and overfit elsewhere.
	NoPairs bool
}

const (
	treeLeaves = 3    // leaves of a main term's tree per round
	leafL2     = 1.0  // on each leaf's Newton step
	heldShare  = 0.15 // of a bag's rows, judging its rounds and pairs
	patience   = 100  // rounds past the lowest held-out loss before a bag stops
	// maxBagRows bounds a bag's rows (a random sample of them beyond it): an
	// additive model of a few dozen columns learns no more from a million
	// customers than from a hundred thousand, and the hourly job's daily
	// training must stay in minutes.
	maxBagRows = 100_000
	pairBins   = 8  // the coarse grid of pair terms
	maxPairs   = 10 // pair terms at most
	pairRounds = 50
	// pairL2 regularises the pair cells harder than the main terms: a cell
	// of an 8 × 8 grid holds few rows.
	pairL2 = 20
)

// pairChoices are the numbers of pair terms a bag tries, best gain first.
var pairChoices = []int{0, 1, 2, 3, 5, maxPairs}

// table is the training rows binned once for every bag: per column, each
// row's bin of the main terms and of the pairs' coarse grid.
type table struct {
	y              []float64 // per row position
	main, coarse   [][]uint16
	mainB, coarseB []binning
}

// TrainGAM fits the model on the rows of cols given; y is 1 for yes.
func TrainGAM(cols []Column, y []float64, rows []int, opt GAMOptions) *GAM {
	if opt.Bags == 0 {
		opt.Bags = 8
	}
	if opt.MaxRounds == 0 {
		opt.MaxRounds = 2000
	}
	if opt.Rate == 0 {
		opt.Rate = 0.05
	}
	t := &table{y: make([]float64, len(rows))}
	for k, i := range rows {
		t.y[k] = y[i]
	}
	for _, c := range cols {
		mb, cb := newBinning(c, rows, maxBins), newBinning(c, rows, pairBins)
		t.mainB, t.coarseB = append(t.mainB, mb), append(t.coarseB, cb)
		m, co := make([]uint16, len(rows)), make([]uint16, len(rows))
		for k, i := range rows {
			m[k], co[k] = uint16(mb.bin(c, i)), uint16(cb.bin(c, i))
		}
		t.main, t.coarse = append(t.main, m), append(t.coarse, co)
	}
	// The bags run side by side; each has its own seed, and they are summed
	// in order, so the model does not depend on the machine.
	bags := make([]*GAM, opt.Bags)
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for b := range bags {
		g.Go(func() error {
			bags[b] = t.fitBag(rand.New(rand.NewPCG(uint64(b)+1, 42)), opt)
			return nil
		})
	}
	_ = g.Wait() // a bag returns no error
	m := &GAM{Bins: t.mainB}
	for j := range cols {
		m.Shapes = append(m.Shapes, make([]float64, t.mainB[j].Nbins))
	}
	pairAt := map[[2]int]int{}
	w := 1 / float64(len(bags))
	for _, bag := range bags {
		m.Intercept += w * bag.Intercept
		for j, s := range bag.Shapes {
			for b, v := range s {
				m.Shapes[j][b] += w * v
			}
		}
		for _, p := range bag.Pairs {
			at, ok := pairAt[[2]int{p.A, p.B}]
			if !ok {
				at = len(m.Pairs)
				pairAt[[2]int{p.A, p.B}] = at
				m.Pairs = append(m.Pairs, pairTerm{A: p.A, B: p.B, BA: p.BA, BB: p.BB, Cells: make([]float64, len(p.Cells))})
			}
			for c, v := range p.Cells {
				m.Pairs[at].Cells[c] += w * v
			}
		}
	}
	m.centre(cols, rows, t.main)
	return m
}

// fitBag fits one bag: main terms early-stopped on its held-out rows, then
// the number of pair terms that does best on them.
func (t *table) fitBag(rng *rand.Rand, opt GAMOptions) *GAM {
	pos := rng.Perm(len(t.y))
	if len(pos) > maxBagRows {
		pos = pos[:maxBagRows]
	}
	slices.Sort(pos) // the order of the rows does not matter; memory order is faster
	var fit, held []int
	for _, k := range pos {
		if rng.Float64() < heldShare {
			held = append(held, k)
		} else {
			fit = append(fit, k)
		}
	}
	m := &GAM{Bins: t.mainB}
	for j := range t.main {
		m.Shapes = append(m.Shapes, make([]float64, t.mainB[j].Nbins))
	}
	yes := 0.0
	for _, k := range fit {
		yes += t.y[k]
	}
	p0 := math.Min(math.Max(yes/float64(max(len(fit), 1)), 1e-6), 1-1e-6)
	m.Intercept = math.Log(p0 / (1 - p0))
	score, hs := make([]float64, len(fit)), make([]float64, len(held))
	for k := range score {
		score[k] = m.Intercept
	}
	for k := range hs {
		hs[k] = m.Intercept
	}
	best, bestLoss, bestRound := m.clone(), t.loss(held, hs), 0
	bestScore, bestHeld := slices.Clone(score), slices.Clone(hs)
	for round := 1; round <= opt.MaxRounds && round <= bestRound+patience; round++ {
		for j, bins := range t.main {
			n := t.mainB[j].Nbins
			g, h := make([]float64, n), make([]float64, n)
			for f, k := range fit {
				p := 1 / (1 + math.Exp(-score[f]))
				g[bins[k]] += p - t.y[k]
				h[bins[k]] += p * (1 - p)
			}
			step := treeStep(g, h, t.mainB[j].Cuts != nil)
			for b := range step {
				step[b] *= -opt.Rate
				m.Shapes[j][b] += step[b]
			}
			for f, k := range fit {
				score[f] += step[bins[k]]
			}
			for f, k := range held {
				hs[f] += step[bins[k]]
			}
		}
		// With no held-out rows (a handful of rows in all) every round counts
		// as the best, up to MaxRounds.
		if l := t.loss(held, hs); l < bestLoss || len(held) == 0 {
			best, bestLoss, bestRound = m.clone(), l, round
			copy(bestScore, score)
			copy(bestHeld, hs)
		}
	}
	if opt.NoPairs || len(held) == 0 {
		return best
	}
	ys := make([]float64, len(held))
	for f, k := range held {
		ys[f] = t.y[k]
	}
	chosen, bestAUC := best, AUC(bestHeld, ys)
	for _, n := range pairChoices[1:] {
		c := best.clone()
		hs := t.trainPairs(c, fit, held, slices.Clone(bestScore), slices.Clone(bestHeld), opt.Rate, n)
		// More pairs must earn their place: a tenth of a point of AUC.
		if a := AUC(hs, ys); a > bestAUC+0.001 {
			chosen, bestAUC = c, a
		}
	}
	return chosen
}

// loss is the mean log loss of log-odds s on rows at positions held.
func (t *table) loss(held []int, s []float64) float64 {
	l := 0.0
	for f, k := range held {
		// log(1 + e^s) − y·s, computed without overflow.
		l += math.Max(s[f], 0) + math.Log1p(math.Exp(-math.Abs(s[f]))) - t.y[k]*s[f]
	}
	return l / float64(max(len(held), 1))
}

// treeStep is each bin's Newton value of a small tree on the bins: for
// numbers, up to treeLeaves runs of neighbouring bins (split where the gain
// is largest; the missing bin is a leaf of its own); categories each their
// own leaf, as they have no order.
func treeStep(g, h []float64, numeric bool) []float64 {
	out := make([]float64, len(g))
	if !numeric {
		for b := range g {
			out[b] = g[b] / (h[b] + leafL2)
		}
		return out
	}
	n := len(g) - 1
	sum := func(a, b int) (G, H float64) {
		for k := a; k < b; k++ {
			G, H = G+g[k], H+h[k]
		}
		return G, H
	}
	score := func(G, H float64) float64 { return G * G / (H + leafL2) }
	leaves := [][2]int{{0, n}}
	for len(leaves) < treeLeaves {
		at, cut, gain := -1, 0, 0.0
		for li, l := range leaves {
			G, H := sum(l[0], l[1])
			var gl, hl float64
			for k := l[0]; k < l[1]-1; k++ {
				gl, hl = gl+g[k], hl+h[k]
				if v := score(gl, hl) + score(G-gl, H-hl) - score(G, H); v > gain {
					at, cut, gain = li, k+1, v
				}
			}
		}
		if at < 0 {
			break
		}
		l := leaves[at]
		leaves = slices.Replace(leaves, at, at+1, [2]int{l[0], cut}, [2]int{cut, l[1]})
	}
	for _, l := range leaves {
		G, H := sum(l[0], l[1])
		for k := l[0]; k < l[1]; k++ {
			out[k] = G / (H + leafL2)
		}
	}
	out[n] = g[n] / (h[n] + leafL2)
	return out
}

// trainPairs chooses the pairs (at most n) of columns whose joint grid would
// gain most on the residuals of the main terms (as EBM's FAST does), then
// boosts their cells on the fit rows. score and hs hold the fit and held
// rows' log-odds; it returns the held rows' log-odds with the pairs.
func (t *table) trainPairs(m *GAM, fit, held []int, score, hs []float64, rate float64, n int) []float64 {
	g, h := make([]float64, len(fit)), make([]float64, len(fit))
	for f, k := range fit {
		p := 1 / (1 + math.Exp(-score[f]))
		g[f], h[f] = p-t.y[k], p*(1-p)
	}
	type cand struct {
		a, b int
		gain float64
	}
	var cands []cand
	for a := range t.coarse {
		for b := a + 1; b < len(t.coarse); b++ {
			nb := t.coarseB[b].Nbins
			G := make([]float64, t.coarseB[a].Nbins*nb)
			H := make([]float64, len(G))
			for f, k := range fit {
				c := int(t.coarse[a][k])*nb + int(t.coarse[b][k])
				G[c] += g[f]
				H[c] += h[f]
			}
			gain := 0.0
			for c := range G {
				gain += G[c] * G[c] / (H[c] + leafL2)
			}
			cands = append(cands, cand{a, b, gain})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].gain > cands[j].gain })
	for _, c := range cands[:min(n, len(cands))] {
		m.Pairs = append(m.Pairs, pairTerm{A: c.a, B: c.b, BA: t.coarseB[c.a], BB: t.coarseB[c.b],
			Cells: make([]float64, t.coarseB[c.a].Nbins*t.coarseB[c.b].Nbins)})
	}
	cell := func(pt *pairTerm, k int) int { return int(t.coarse[pt.A][k])*pt.BB.Nbins + int(t.coarse[pt.B][k]) }
	for range pairRounds {
		for pi := range m.Pairs {
			pt := &m.Pairs[pi]
			G, H := make([]float64, len(pt.Cells)), make([]float64, len(pt.Cells))
			for f, k := range fit {
				p := 1 / (1 + math.Exp(-score[f]))
				G[cell(pt, k)] += p - t.y[k]
				H[cell(pt, k)] += p * (1 - p)
			}
			step := make([]float64, len(G))
			for c := range G {
				step[c] = -rate * G[c] / (H[c] + pairL2)
				pt.Cells[c] += step[c]
			}
			for f, k := range fit {
				score[f] += step[cell(pt, k)]
			}
			for f, k := range held {
				hs[f] += step[cell(pt, k)]
			}
		}
	}
	return hs
}

func (m *GAM) clone() *GAM {
	c := &GAM{Intercept: m.Intercept, Bins: m.Bins}
	for _, s := range m.Shapes {
		c.Shapes = append(c.Shapes, slices.Clone(s))
	}
	for _, p := range m.Pairs {
		p.Cells = slices.Clone(p.Cells)
		c.Pairs = append(c.Pairs, p)
	}
	return c
}
