package touchpoint

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// A planted NPS data set: "delivery" costs 60 points, "staff" adds 20,
// "price" does nothing; the analysis must find each effect with an interval
// that covers it, and rank delivery first.
func TestKeyDriversRecoverPlantedEffects(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var rows []DriverRow
	for i := 0; i < 4000; i++ {
		var themes []string
		e := 30.0
		if rng.Float64() < 0.3 {
			themes = append(themes, "delivery")
			e -= 60
		}
		if rng.Float64() < 0.25 {
			themes = append(themes, "staff")
			e += 20
		}
		if rng.Float64() < 0.2 {
			themes = append(themes, "price")
		}
		// Promoter and detractor shares with p − d = e/100 and p + d = 0.7.
		p, d := 0.35+e/200, 0.35-e/200
		u, score := rng.Float64(), 8
		switch {
		case u < p:
			score = 10
		case u < p+d:
			score = 3
		}
		rows = append(rows, DriverRow{Score: score, Themes: themes})
	}
	a := KeyDrivers(SurveyNPS, rows, 1)
	if a.TooFew || len(a.Drivers) != 3 || a.Drivers[0].Theme != "delivery" {
		t.Fatalf("%+v", a)
	}
	want := map[string]float64{"delivery": -60, "staff": 20, "price": 0}
	for _, d := range a.Drivers {
		if w := want[d.Theme]; d.Effect.Low > w || d.Effect.High < w {
			t.Errorf("%s: effect %.1f [%.1f, %.1f] misses %.0f", d.Theme, d.Effect.Value, d.Effect.Low, d.Effect.High, w)
		}
		if d.Effect.High-d.Effect.Low > 20 {
			t.Errorf("%s: interval %.1f wide", d.Theme, d.Effect.High-d.Effect.Low)
		}
	}
	del := a.Drivers[0]
	// Fixing delivery gains 60 points on the 30 % of answers mentioning it.
	if del.IfFixed.Low > 18 || del.IfFixed.High < 18 {
		t.Errorf("if fixed %.1f [%.1f, %.1f], want 18 inside", del.IfFixed.Value, del.IfFixed.Low, del.IfFixed.High)
	}
	if del.Importance.Value < 80 {
		t.Errorf("delivery importance %.1f %%", del.Importance.Value)
	}
}

// A survey's extra questions are drivers beside the themes: a low rating
// of "speed" costs 40 points here, and choosing option "price" as the reason nothing.
func TestQuestionDrivers(t *testing.T) {
	sv := &Survey{Type: SurveyNPS, Questions: []Question{{ID: "speed", Kind: QuestionRating}, {ID: "reason", Kind: QuestionSingle, Options: []string{"price", "service"}},
		{ID: "note", Kind: QuestionFreeText}}}
	rng := rand.New(rand.NewPCG(3, 3))
	var rows []DriverRow
	for i := 0; i < 3000; i++ {
		rating := 1 + rng.IntN(5)
		reason := []string{"price", "service"}[rng.IntN(2)]
		e := 20.0
		if rating <= 2 {
			e -= 40
		}
		p, d := 0.35+e/200, 0.35-e/200
		u, score := rng.Float64(), 8
		switch {
		case u < p:
			score = 10
		case u < p+d:
			score = 2
		}
		rows = append(rows, DriverRow{Score: score, Answers: map[string]json.RawMessage{
			"speed": json.RawMessage(fmt.Sprint(rating)), "reason": json.RawMessage(`"` + reason + `"`), "note": json.RawMessage(`"slow"`)}})
	}
	WithQuestionDrivers(sv, rows)
	a := KeyDrivers(SurveyNPS, rows, 1)
	found := map[string]Driver{}
	for _, d := range a.Drivers {
		found[d.Theme] = d
	}
	low, ok := found["q:speed:low"]
	if !ok || low.Effect.Low > -40 || low.Effect.High < -40 {
		t.Fatalf("low speed rating: %+v (all %+v)", low, a.Drivers)
	}
	if _, ok := found["q:reason=price"]; !ok {
		t.Errorf("the choice is not a driver: %+v", a.Drivers)
	}
	for id := range found {
		if strings.Contains(id, "note") {
			t.Errorf("a free-text question became a driver: %s", id)
		}
	}
}

func TestKeyDriversTooFew(t *testing.T) {
	a := KeyDrivers(SurveyNPS, []DriverRow{{Score: 10, Themes: []string{"x"}}}, 1)
	if !a.TooFew || len(a.Drivers) != 0 {
		t.Errorf("%+v", a)
	}
}

// The incremental R² of every subset agrees with a direct solve of each.
func TestSubsetR2MatchesDirectSolves(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const k = 6
	var cells []driverCell
	for i := 0; i < 500; i++ {
		cells = append(cells, driverCell{mask: uint16(rng.IntN(1 << k)), y: float64(rng.IntN(3)-1) * 100, w: 1})
	}
	// Two themes that always come together: the ridge keeps them solvable.
	for i := range cells {
		if cells[i].mask&1 != 0 {
			cells[i].mask |= 2
		} else {
			cells[i].mask &^= 2
		}
	}
	f := fitDrivers(k, cells, &driverScratch{})
	scr := &driverScratch{}
	_, cxx, cxy, vy := moments(k, cells)
	r2 := subsetR2s(k, cxx, cxy, vy, scr)
	for s := 1; s < 1<<k; s++ {
		want, _ := regress(k, s, cxx, cxy, vy)
		if d := r2[s] - want; d > 1e-6 || d < -1e-6 {
			t.Errorf("subset %b: R² %.9f, direct %.9f", s, r2[s], want)
		}
	}
	if f.r2 <= 0 {
		t.Errorf("full R² %v", f.r2)
	}
}

// BenchmarkKeyDrivers: 3 000 answers, 10 themes (1 024 subsets), 200
// bootstrap fits: the cost of a driver section on a page.
func BenchmarkKeyDrivers(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	themes := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	var rows []DriverRow
	for i := 0; i < 3000; i++ {
		var ts []string
		for _, t := range themes {
			if rng.Float64() < 0.15 {
				ts = append(ts, t)
			}
		}
		rows = append(rows, DriverRow{Score: rng.IntN(11), Themes: ts})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		KeyDrivers(SurveyNPS, rows, 1)
	}
}
