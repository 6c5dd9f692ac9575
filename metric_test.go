package touchpoint

import (
	"math"
	"testing"
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
