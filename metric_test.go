package touchpoint

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func scores(min, max int, counts map[int]int) Scores {
	s := NewScores(min, max)
	for v, n := range counts {
		s.Add(v, n)
	}
	return s
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 0.001 {
		t.Errorf("%s = %.5f, want %.5f", what, got, want)
	}
}

// The expected values are computed by hand from DESIGN.md §2's formulas.
func TestNPS(t *testing.T) {
	m, _ := MetricByID(MetricNPS)
	// 50 promoters, 20 passives, 30 detractors: p = .5, d = .3.
	e := m.Estimate(scores(0, 10, map[int]int{10: 30, 9: 20, 8: 15, 7: 5, 6: 10, 3: 10, 0: 10}))
	near(t, "NPS", e.Value, 20)
	near(t, "SE", e.SE, 8.71779)   // 100 × √((.8 − .04) / 100)
	near(t, "low", e.Low, 2.91313) // 20 − 1.96 × 8.71779
	near(t, "high", e.High, 37.08687)
	if e.N != 100 || e.TooFew {
		t.Errorf("n = %d, too few %v", e.N, e.TooFew)
	}
}

func TestCSATWilson(t *testing.T) {
	m, _ := MetricByID(MetricCSAT)
	e := m.Estimate(scores(1, 5, map[int]int{5: 50, 4: 30, 3: 10, 2: 5, 1: 5}))
	near(t, "CSAT", e.Value, 80)
	near(t, "low", e.Low, 71.11666)
	near(t, "high", e.High, 86.66341)
	near(t, "SE", e.SE, 4)
}

func TestCESWithStudentT(t *testing.T) {
	m, _ := MetricByID(MetricCES)
	e := m.Estimate(scores(1, 7, map[int]int{7: 10, 5: 10, 3: 10}))
	near(t, "CES", e.Value, 5)
	near(t, "SE", e.SE, 0.30324) // s = √(80/29), SE = s / √30
	near(t, "low", e.Low, 5-2.045*0.303239)
	near(t, "high", e.High, 5+2.045*0.303239)
	if e.TooFew {
		t.Error("n = 30 is enough")
	}
	if e := m.Estimate(scores(1, 7, map[int]int{7: 29})); !e.TooFew || e.N != 29 {
		t.Errorf("n = 29: too few %v", e.TooFew)
	}
}

func TestStudentT975(t *testing.T) {
	for df, want := range map[int]float64{1: 12.706, 5: 2.571, 30: 2.042, 31: 2.0395, 40: 2.0211, 60: 2.0003, 120: 1.9799, 1000: 1.9623} {
		if got := StudentT975(df); math.Abs(got-want) > 0.0015 {
			t.Errorf("t(%d) = %.4f, want %.4f", df, got, want)
		}
	}
}

func TestSignificant(t *testing.T) {
	nps := func(p, d int) Estimate {
		return npsEstimate(scores(0, 10, map[int]int{10: p, 7: 100 - p - d, 0: d}))
	}
	a, b, c := nps(50, 30), nps(60, 15), nps(55, 20) // 20, 45, 35
	if !Significant(a, b) {
		t.Error("20 vs 45 at n = 100 each: difference 25 > 1.96 × 11.43 should be significant")
	}
	if Significant(a, c) {
		t.Error("20 vs 35 at n = 100 each: difference 15 < 1.96 × 11.78 should not be significant")
	}
	// The same 25-point gap at n = 10 is noise.
	small := func(p, d int) Estimate { return npsEstimate(scores(0, 10, map[int]int{10: p, 7: 10 - p - d, 0: d})) }
	if Significant(small(5, 3), small(6, 1)) {
		t.Error("a 25-point gap at n = 10 should not be significant")
	}
}

func TestEmptyAndOutOfScale(t *testing.T) {
	s := NewScores(1, 5)
	s.Add(9, 3)
	s.Add(0, 1)
	if e := csatEstimate(s); e.N != 0 || !e.TooFew {
		t.Errorf("out-of-scale answers counted: %+v", e)
	}
}

func TestIntervalsStayOnTheScale(t *testing.T) {
	s := NewScores(0, 10)
	s.Add(10, 1)
	s.Add(0, 2)
	e := npsEstimate(s) // −33.3 ± 1.96 × 94.3: the normal interval runs to −218
	if e.Low != -100 || e.High >= 100 || e.High <= e.Value {
		t.Errorf("NPS of 3 answers: [%.1f, %.1f]", e.Low, e.High)
	}
	c := NewScores(1, 7)
	c.Add(7, 1)
	if e := cesEstimate(c); e.Low != 1 || e.High != 7 {
		t.Errorf("CES of one answer: [%g, %g], want the scale [1, 7]", e.Low, e.High)
	}
	c.Add(7, 40)
	if e := cesEstimate(c); e.Low != 7 || e.High != 7 {
		t.Errorf("CES of 41 sevens: [%g, %g]", e.Low, e.High)
	}
}

func TestBenjaminiHochberg(t *testing.T) {
	for _, c := range []struct {
		p    []float64
		want []bool
	}{
		// m = 4 (the 1 is no comparison): thresholds .0125 .025 .0375 .05; only .01 passes.
		{[]float64{0.01, 0.04, 0.03, 0.2, 1}, []bool{true, false, false, false, false}},
		// Step-up: .04 ≤ .05 at rank 4 carries every smaller p with it, though .03 > .025.
		{[]float64{0.04, 0.001, 0.03, 0.036}, []bool{true, true, true, true}},
		{[]float64{0.06}, []bool{false}},
		{nil, []bool{}},
	} {
		got := BenjaminiHochberg(c.p, 0.05)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("BH(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}

// TestNoFalseArrowsWhenNothingChanged draws 500 cockpit views of 32 KPI
// cells in which nothing changed (both periods from the same 40 % rate):
// uncorrected, about 3 of the 64 comparisons per view show an arrow; with
// Benjamini–Hochberg, arrows appear on about 5 % of the views (7 % measured:
// the normal approximation of a binomial is a little anti-conservative).
func TestNoFalseArrowsWhenNothingChanged(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	draw := func() Estimate {
		k := 0
		for range 200 {
			if rng.Float64() < 0.4 {
				k++
			}
		}
		return percentEstimate("csat", k, 200)
	}
	m, _ := KPIByID("csat")
	const views = 500
	raw, viewsWithArrow := 0, 0
	for range views {
		sc := &Scorecard{Rows: []ScorecardRow{{}}}
		for range 32 {
			c := NewScoreCell(m, draw(), draw(), draw(), nil)
			raw += abs(c.Direction) + abs(c.YearDir)
			sc.Rows[0].Cells = append(sc.Rows[0].Cells, c)
		}
		sc.ControlFalseDiscoveries()
		for _, c := range sc.Rows[0].Cells {
			if c.Direction != 0 || c.YearDir != 0 {
				viewsWithArrow++
				break
			}
		}
	}
	t.Logf("uncorrected %.2f false arrows per view; corrected: %d of %d views with any", float64(raw)/views, viewsWithArrow, views)
	if perView := float64(raw) / views; perView < 2 || perView > 4.5 {
		t.Errorf("uncorrected: %.2f arrows per view, want about 64 × 5 %% = 3.2", perView)
	}
	if share := float64(viewsWithArrow) / views; share > 0.09 {
		t.Errorf("corrected: %.1f %% of the views show a false arrow, want about 5 %%", 100*share)
	}
}

func abs(i int) int { return max(i, -i) }

func TestMonthArrows(t *testing.T) {
	month := func(m int, promoters, detractors int) ResultRow {
		s := NewScores(0, 10)
		s.Add(10, promoters)
		s.Add(0, detractors)
		return ResultRow{Start: time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC), Estimate: npsEstimate(s)}
	}
	for _, c := range []struct {
		name string
		rows []ResultRow
		want []int
	}{
		// 40 promoters → 20/20: NPS 100 → 0, SE 15.8, z 6.3: down.
		{"next month", []ResultRow{month(9, 40, 0), month(10, 20, 20)}, []int{0, -1}},
		// The same move with November missing: not compared with September.
		{"a month missing", []ResultRow{month(9, 40, 0), month(11, 20, 20)}, []int{0, 0}},
		// 100 → −100 on 10 answers each: too few, no arrow.
		{"too few", []ResultRow{month(9, 10, 0), month(10, 0, 10)}, []int{0, 0}},
		// 100 → 80 → 100 (SE 9.5, p = .035 each): m = 2, the larger p ≤ 2/2 × .05, both stay.
		{"family", []ResultRow{month(9, 40, 0), month(10, 36, 4), month(11, 40, 0)}, []int{0, -1, 1}},
		// 100 → 80 → 85: the p = .035 drop alone would show, but with the second p ≈ .6 in the
		// family it must pass .035 ≤ 1/2 × .05 and does not.
		{"corrected", []ResultRow{month(9, 40, 0), month(10, 36, 4), month(11, 37, 3)}, []int{0, 0, 0}},
	} {
		if got := MonthArrows(c.rows); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
