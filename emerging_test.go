package touchpoint

import (
	"math/rand/v2"
	"testing"
)

// A generated stream of 40 weeks, 300 texts a week per division: every theme
// is steady noise except "crash" in Online, which goes from 2 % to 8 % of
// the texts from week 30. Run each week over the 12 weeks up to it, the
// detector must flag crash/Online in one run of consecutive weeks (one
// alert) and nothing else, ever.
func TestEmergingTopicFlaggedOnceNoiseNot(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	themes := []struct {
		id    string
		share float64
	}{{"delivery", 0.2}, {"price", 0.1}, {"staff", 0.05}, {"crash", 0.02}, {"billing", 0.01}}
	divisions := []string{"Retail", "Online", "Business"}
	type wk struct {
		themes []ThemeWeek
		texts  []TextWeek
	}
	var stream []wk
	for week := 0; week < 40; week++ {
		var w wk
		for _, d := range divisions {
			n := 250 + rng.IntN(100)
			w.texts = append(w.texts, TextWeek{Slice: d, N: n})
			for _, tt := range themes {
				th, share := tt.id, tt.share
				if th == "crash" && d == "Online" && week >= 30 {
					share = 0.08
				}
				k, neg := 0, 0
				for range n {
					if rng.Float64() < share {
						k++
						if rng.Float64() < 0.4 {
							neg++
						}
					}
				}
				w.themes = append(w.themes, ThemeWeek{Theme: th, Slice: d, N: k, Negative: neg})
			}
		}
		stream = append(stream, w)
	}
	episodes := map[string]int{}
	flagged := map[string]bool{}
	for now := EmergingWeeks - 1; now < len(stream); now++ {
		var tw []ThemeWeek
		var xw []TextWeek
		for i := now - EmergingWeeks + 1; i <= now; i++ {
			rel := i - (now - EmergingWeeks + 1)
			for _, x := range stream[i].themes {
				x.Week = rel
				tw = append(tw, x)
			}
			for _, x := range stream[i].texts {
				x.Week = rel
				xw = append(xw, x)
			}
		}
		current := map[string]bool{}
		for _, e := range DetectEmerging(tw, xw, flagged) {
			key := EmergingKey(e.Theme, e.Slice)
			if !current[key] && !flagged[key] {
				episodes[e.Theme+"/"+e.Slice]++
			}
			current[key] = true
		}
		flagged = current
	}
	if episodes["crash/Online"] != 1 || len(episodes) != 1 {
		t.Errorf("episodes %v, want crash/Online once and nothing else", episodes)
	}
}

func TestBinomialTail(t *testing.T) {
	for _, c := range []struct {
		k, n int
		q    float64
		want float64
	}{{0, 10, 0.3, 1}, {11, 10, 0.3, 0}, {10, 10, 0.5, 0.0009765625}, {3, 10, 0.1, 0.0701908}, {60, 100, 0.5, 0.0284439}} {
		if got := binomialTail(c.k, c.n, c.q); got < c.want*0.999 || got > c.want*1.001+1e-12 {
			t.Errorf("P(X ≥ %d | n=%d, q=%v) = %g, want %g", c.k, c.n, c.q, got, c.want)
		}
	}
}
