package touchpoint

import (
	"math"
	"sort"
)

// Emerging topics: a theme whose share of the texts of a division rises
// significantly in the last EmergingRecentWeeks against its own share in the
// weeks before. "Significantly" is a one-sided exact test of the recent
// mentions against the earlier weeks' (conditional binomial), Bonferroni-corrected over
// every theme × division × kind (all mentions, negative mentions) tested, at
// a family-wise level of EmergingAlpha; with at least EmergingMinCount
// mentions and at least EmergingMinRatio times the earlier share, so that
// a rare theme going from 0 to 2 is not news.

// Emerging detection settings.
const (
	EmergingWeeks       = 12 // weeks looked at, the recent ones included
	EmergingRecentWeeks = 2
	EmergingAlpha       = 0.001
	EmergingMinCount    = 5
	EmergingMinRatio    = 1.5
	EmergingHoldRatio   = 1.2
	EmergingHoldP       = 0.05
)

// ThemeWeek is how many texts of a slice (a division or a channel) mention
// a theme in one week (Week 0 the oldest of EmergingWeeks), and how many of
// them are negative.
type ThemeWeek struct {
	Theme, Slice string
	Week         int
	N, Negative  int
}

// TextWeek is how many texts of a slice were analysed in one week.
type TextWeek struct {
	Slice string
	Week  int
	N     int
}

// EmergingSlicings are what emerging topics are looked for in: each
// division's texts and each channel's.
var EmergingSlicings = []string{"division", "channel"}

// EmergingTopic is a theme rising in a division.
type EmergingTopic struct {
	Theme    string  `json:"theme"`
	Name     string  `json:"name"`
	By       string  `json:"by"`    // division or channel
	Slice    string  `json:"slice"` // which one
	Kind     string  `json:"kind"`  // mentions or negative
	Recent   int     `json:"recent"`
	Expected float64 `json:"expected"` // at the earlier share
	Ratio    float64 `json:"ratio"`
	P        float64 `json:"p"`
}

// EmergingKey names a theme in a slice, for the set of topics already
// flagged that DetectEmerging keeps with a lenient test (hysteresis).
func EmergingKey(theme, slice string) string { return theme + "\x00" + slice }

// EmergingBy runs DetectEmerging on one slicing and labels the topics with
// it. Texts without a channel are no channel's, so that slice is dropped;
// texts without a division stay one (a company may have no divisions).
func EmergingBy(by string, themes []ThemeWeek, texts []TextWeek) []EmergingTopic {
	var out []EmergingTopic
	for _, t := range DetectEmerging(themes, texts, nil) {
		if by == "channel" && t.Slice == "" {
			continue
		}
		t.By = by
		out = append(out, t)
	}
	return out
}

// DetectEmerging returns the emerging topics of one slicing, strongest
// first (By is left for the caller, who knows the slicing). Topics in
// flagged (by EmergingKey) were emerging at the last look: they stay so
// while their share is still EmergingHoldRatio times the earlier one at an
// unadjusted p < EmergingHoldP, so that noise around the threshold does not
// end a rise and start it again (an alert fires once per rise).
func DetectEmerging(themes []ThemeWeek, texts []TextWeek, flagged map[string]bool) []EmergingTopic {
	recentFrom := EmergingWeeks - EmergingRecentWeeks
	type tally struct{ recent, base float64 }
	total := map[string]*tally{}
	for _, t := range texts {
		if total[t.Slice] == nil {
			total[t.Slice] = &tally{}
		}
		if t.Week >= recentFrom {
			total[t.Slice].recent += float64(t.N)
		} else if t.Week >= 0 {
			total[t.Slice].base += float64(t.N)
		}
	}
	type key struct{ theme, division, kind string }
	counts := map[key]*tally{}
	for _, t := range themes {
		for kind, n := range map[string]int{"mentions": t.N, "negative": t.Negative} {
			k := key{t.Theme, t.Slice, kind}
			if counts[k] == nil {
				counts[k] = &tally{}
			}
			if t.Week >= recentFrom {
				counts[k].recent += float64(n)
			} else if t.Week >= 0 {
				counts[k].base += float64(n)
			}
		}
	}
	tests := 0
	for k := range counts {
		if tt := total[k.division]; tt != nil && tt.recent > 0 && tt.base > 0 {
			tests++
		}
	}
	var out []EmergingTopic
	for k, c := range counts {
		tt := total[k.division]
		if tt == nil || tt.recent == 0 || tt.base == 0 {
			continue
		}
		// The earlier share, with half a mention added so that a theme never
		// seen before has a small expected count rather than none.
		expected := tt.recent * (c.base + 0.5) / (tt.base + 1)
		ratio := c.recent / expected
		// Given all mentions of both windows, the recent ones are binomial with
		// the recent window's share of the texts under "nothing changed":
		// exact, and it carries the baseline's own noise (a Poisson test
		// against the earlier share as if it were known flags noise).
		p := binomialTail(int(c.recent), int(c.recent+c.base), tt.recent/(tt.recent+tt.base))
		hold := flagged[EmergingKey(k.theme, k.division)] && ratio >= EmergingHoldRatio && p < EmergingHoldP
		if !hold && (c.recent < EmergingMinCount || ratio < EmergingMinRatio || p*float64(tests) >= EmergingAlpha) {
			continue
		}
		out = append(out, EmergingTopic{Theme: k.theme, Name: k.theme, Slice: k.division, Kind: k.kind,
			Recent: int(c.recent), Expected: math.Round(expected*10) / 10, Ratio: math.Round(ratio*10) / 10, P: p})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].P != out[j].P {
			return out[i].P < out[j].P
		}
		return out[i].Theme+out[i].Slice+out[i].Kind < out[j].Theme+out[j].Slice+out[j].Kind
	})
	return out
}

// binomialTail is P(X ≥ k) for X ~ Binomial(n, q), summed in log space.
func binomialTail(k, n int, q float64) float64 {
	switch {
	case k <= 0:
		return 1
	case k > n || q <= 0:
		return 0
	case q >= 1:
		return 1
	}
	lgN, _ := math.Lgamma(float64(n) + 1)
	sum := 0.0
	for i := k; i <= n; i++ {
		lgI, _ := math.Lgamma(float64(i) + 1)
		lgR, _ := math.Lgamma(float64(n-i) + 1)
		term := math.Exp(lgN - lgI - lgR + float64(i)*math.Log(q) + float64(n-i)*math.Log1p(-q))
		sum += term
		if i > k && term < sum*1e-15 {
			break
		}
	}
	return math.Min(1, sum)
}
