package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

var sys = tp.WithAccess(context.Background(), tp.SystemAccess)

// history plants customers in db: each one's events, orders, complaint
// cases and NPS answers up to asof, and what happens after it (churn or
// more activity). plant says per customer i whether they complain, are a
// detractor, how many days before asof their latest event is, and whether
// they churn.
type planted struct {
	complains, detractor, churns bool
	silent                       bool    // answers no survey
	recency                      float64 // days before asof of the latest event
}

func plantHistory(t *testing.T, db *sqldb.Store, now, asof time.Time, people []planted) []int64 {
	t.Helper()
	src := &tp.Source{Name: "Shop", Channel: "web", Division: "Online"}
	if err := db.Sources.CreateSource(sys, src); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	var msgs []tp.Message
	msg := func(user string, typ tp.EventType, name string, at time.Time, props string) {
		m := tp.Message{Type: typ, MessageID: fmt.Sprintf("m%d", len(msgs)), UserID: user, Name: name, Timestamp: at, ReceivedAt: at,
			Identities: []tp.Identity{{Type: "user_id", Value: user}}}
		if props != "" {
			m.Properties = json.RawMessage(props)
		}
		msgs = append(msgs, m)
	}
	days := func(d float64) time.Duration { return time.Duration(d * 24 * float64(time.Hour)) }
	for i, p := range people {
		u := fmt.Sprintf("u%d", i)
		msg(u, tp.EventIdentify, "", now.AddDate(0, 0, -420), "")
		last := asof.Add(-days(p.recency))
		for at := last; at.After(now.AddDate(0, 0, -400)); at = at.Add(-days(15 + 30*r.Float64())) {
			msg(u, tp.EventPage, "Home", at, "")
		}
		for k := range 1 + r.IntN(4) {
			at := last.Add(-days(float64(k)*60 + 1))
			msg(u, tp.EventTrack, "Order Completed", at, fmt.Sprintf(`{"revenue":%.2f,"products":[{"product_id":"p%d"}]}`, 20+200*r.Float64(), r.IntN(5)))
		}
		if p.churns {
			msg(u, tp.EventTrack, "Customer Churned", asof.Add(days(5+50*r.Float64())), "")
		} else {
			for at := asof.Add(days(3 + 10*r.Float64())); at.Before(now.Add(-48 * time.Hour)); at = at.Add(days(20)) {
				msg(u, tp.EventPage, "Home", at, "")
			}
		}
	}
	t0 := time.Now()
	defer func() { t.Logf("planted %d customers in %s", len(people), time.Since(t0)) }()
	for start := 0; start < len(msgs); start += 500 {
		if _, err := db.Tracking.Ingest(sys, src, msgs[start:min(start+500, len(msgs))]); err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]int64, len(people))
	for i := range people {
		c, err := db.Customers.FindCustomerByIdentity(sys, tp.Identity{Type: "user_id", Value: fmt.Sprintf("u%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = c.ID
	}
	// Complaints 20 days before asof, resolved within the hour; NPS answers
	// ten days before asof (2 from detractors, 9 from the others).
	var cases []tp.CaseImport
	for i, p := range people {
		if p.complains {
			at := asof.AddDate(0, 0, -20)
			done := at.Add(time.Hour)
			cases = append(cases, tp.CaseImport{Case: tp.Case{CustomerID: ids[i], Subject: "Complaint", Status: tp.CaseClosed,
				Department: "Service", CreatedAt: at, UpdatedAt: done, FirstReplyAt: &done, ResolvedAt: &done}})
		}
	}
	if err := db.Cases.ImportCases(sys, cases); err != nil {
		t.Fatal(err)
	}
	var asked []int64
	var scores []int
	for i, p := range people {
		if !p.silent {
			asked, scores = append(asked, ids[i]), append(scores, map[bool]int{true: 2, false: 9}[p.detractor])
		}
	}
	answer(t, db, asof.AddDate(0, 0, -10), asked, func(i int) int { return scores[i] })
	if _, err := db.Cockpit.RefreshRollups(sys); err != nil {
		t.Fatal(err)
	}
	return ids
}

// answer has customers ids answer an NPS survey at the given moment.
func answer(t *testing.T, db *sqldb.Store, at time.Time, ids []int64, score func(i int) int) {
	t.Helper()
	s := &tp.Survey{Name: "Relationship " + at.Format(time.DateOnly), Type: tp.SurveyNPS, Status: tp.SurveyActive, DefaultLang: "en"}
	if err := db.Surveys.CreateSurvey(sys, s); err != nil {
		t.Fatal(err)
	}
	clock := db.Now
	db.Now = func() time.Time { return at }
	defer func() { db.Now = clock }()
	for i, id := range ids {
		tok, err := db.Surveys.CreateInvitation(sys, &tp.Invitation{SurveyID: s.ID, CustomerID: id}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		v := score(i)
		if _, err := db.Surveys.SaveResponse(sys, tok, tp.ResponseInput{Score: &v, Complete: true}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestChurnModelFindsPlantedDrivers: churn driven by a complaint and a
// detractor answer alone; the model names both first, each score's reasons
// add up to it, and the scores reach customers, divisions and segments.
func TestChurnModelFindsPlantedDrivers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		now := time.Now().UTC().Truncate(time.Second)
		asof := now.AddDate(0, 0, -90)
		r := rand.New(rand.NewPCG(1, 1))
		people := make([]planted, 1000)
		for i := range people {
			p := &people[i]
			p.complains, p.detractor, p.recency = r.Float64() < 0.3, r.Float64() < 0.3, 30*r.Float64()
			chance := 0.05
			if p.complains {
				chance += 0.45
			}
			if p.detractor {
				chance += 0.45
			}
			p.churns = r.Float64() < chance
		}
		ids := plantHistory(t, db, now, asof, people)
		// Today, two of the stayers have just complained and scored 1.
		var angry []int64
		for i, p := range people {
			if !p.churns && len(angry) < 2 {
				angry = append(angry, ids[i])
			}
		}
		if err := db.Cases.ImportCases(sys, []tp.CaseImport{
			{Case: tp.Case{CustomerID: angry[0], Subject: "Again", Status: tp.CaseNew, Department: "Service", CreatedAt: now.AddDate(0, 0, -3)}},
			{Case: tp.Case{CustomerID: angry[1], Subject: "Again", Status: tp.CaseNew, Department: "Service", CreatedAt: now.AddDate(0, 0, -3)}}}); err != nil {
			t.Fatal(err)
		}
		answer(t, db, now.AddDate(0, 0, -2), angry, func(int) int { return 1 })
		// Two calm stayers, one of them a detractor of two days ago.
		var calm []int64
		for i, p := range people {
			if !p.churns && ids[i] != angry[0] && ids[i] != angry[1] && len(calm) < 2 {
				calm = append(calm, ids[i])
			}
		}
		answer(t, db, now.AddDate(0, 0, -2), calm[1:], func(int) int { return 2 })

		var log []string
		m := &RiskModeler{Store: db, Horizon: 90 * 24 * time.Hour, Now: func() time.Time { return now }}
		t0 := time.Now()
		rep, err := m.RefreshRisk(sys, true, func(s string) { log = append(log, s); t.Log(time.Since(t0), s) })
		if err != nil {
			t.Fatal(err)
		}
		card := rep.Model
		if card == nil || !card.Active {
			t.Fatalf("model not switched on: %+v\n%s", card, strings.Join(log, "\n"))
		}
		if card.Rows != len(people) || card.AUC < 0.7 || card.AUC <= card.BaselineAUC || len(card.Calibration) != 10 {
			t.Errorf("card: rows %d (want %d), AUC %.3f, baseline %.3f, %d calibration bins", card.Rows, len(people), card.AUC, card.BaselineAUC, len(card.Calibration))
		}
		top := map[string]bool{card.Importance[0].Feature: true, card.Importance[1].Feature: true}
		if !top["complaints_90d"] || !top["last_nps"] {
			t.Errorf("the two planted drivers are not ranked first: %+v", card.Importance[:4])
		}
		// Only the stayers are active now, and they are the ones scored.
		stayers := 0
		for _, p := range people {
			if !p.churns {
				stayers++
			}
		}
		if rep.Scored != stayers {
			t.Errorf("scored %d, want the %d stayers", rep.Scored, stayers)
		}
		for _, id := range angry {
			s, err := db.Risk.CustomerScore(sys, id)
			if err != nil || s == nil || s.Risk == nil {
				t.Fatalf("score of %d: %+v, %v", id, s, err)
			}
			sum := s.Intercept
			for _, r := range s.Reasons {
				sum += r.Points
			}
			if logit := math.Log(*s.Risk / (1 - *s.Risk)); math.Abs(sum-logit) > 1e-9 {
				t.Errorf("reasons add up to %.12f, the score's log-odds are %.12f", sum, logit)
			}
			reasons := s.TopReasons(2)
			if len(reasons) != 2 || !map[string]bool{"complaints_90d": true, "last_nps": true}[reasons[0].Feature] ||
				!map[string]bool{"complaints_90d": true, "last_nps": true}[reasons[1].Feature] {
				t.Errorf("customer %d's top reasons: %+v", id, reasons)
			}
			if s.RiskBand != tp.RiskBand(*s.Risk) || *s.Risk < 0.5 {
				t.Errorf("customer %d: risk %.3f in band %q; planted drivers give more than half", id, *s.Risk, s.RiskBand)
			}
			if s.ValueTier == "" || s.RFM[0] == 0 {
				t.Errorf("customer %d has orders but no value: %+v %q", id, s.RFM, s.ValueTier)
			}
		}
		// Cross-sell: never to a customer with an open case or a fresh
		// detractor answer; otherwise only products they do not hold.
		for _, id := range angry {
			if s, _ := db.Risk.CustomerScore(sys, id); s.NoOffer != "open_case" || len(s.Offers) != 0 {
				t.Errorf("customer %d with an open case is offered %+v (%q)", id, s.Offers, s.NoOffer)
			}
		}
		if s, _ := db.Risk.CustomerScore(sys, calm[1]); s.NoOffer != "detractor" || len(s.Offers) != 0 {
			t.Errorf("a detractor of two days ago is offered %+v (%q)", s.Offers, s.NoOffer)
		}
		s, _ := db.Risk.CustomerScore(sys, calm[0])
		if s.NoOffer != "" || len(s.Offers) == 0 || len(s.Features.Products) == 0 {
			t.Fatalf("a calm customer holding %v gets no offer: %q", s.Features.Products, s.NoOffer)
		}
		for _, o := range s.Offers {
			if slices.Contains(s.Features.Products, o.Product) || !slices.Contains(s.Features.Products, o.Because) || o.Share <= 0 || o.Share > 1 {
				t.Errorf("offer %+v to a customer holding %v", o, s.Features.Products)
			}
		}
		// The high-risk list holds the angry two, the likeliest to leave first.
		high, err := db.Risk.AtRisk(sys, tp.RiskHigh, 1000)
		listed := 0
		for k, s := range high {
			if s.CustomerID == angry[0] || s.CustomerID == angry[1] {
				listed++
			}
			if k > 0 && *s.Risk > *high[k-1].Risk {
				t.Errorf("high-risk list out of order at %d", k)
			}
		}
		if err != nil || listed != 2 {
			t.Errorf("high-risk list of %d holds %d of the angry customers (%v)", len(high), listed, err)
		}
		ov, err := db.Risk.RiskOverview(sys)
		if err != nil || len(ov) != 2 || ov[0].Name != "" || ov[1].Name != "Online" || ov[0].Customers != stayers || ov[0].AtRisk <= 0 || ov[0].High < 2 {
			t.Errorf("overview %+v, %v", ov, err)
		}
		seg := &tp.Segment{Name: "High risk", Conditions: []tp.Condition{{Kind: "risk", Op: tp.RiskHigh}}}
		if err := db.Segments.CreateSegment(sys, seg); err != nil {
			t.Fatal(err)
		}
		members, n, err := db.Segments.SegmentMembers(sys, seg.ID, 0)
		if err != nil || n != ov[0].High || len(members) != n {
			t.Errorf("high-risk segment: %d members (%v), overview says %d", n, err, ov[0].High)
		}
		if v, err := db.Risk.SegmentValue(sys, seg.ID); err != nil || v.Customers != n || v.High != n {
			t.Errorf("segment value %+v, %v", v, err)
		}
		if list, err := db.Risk.SegmentScores(sys, seg.ID, 1000); err != nil || len(list) != n || (n > 1 && *list[0].Risk < *list[n-1].Risk) {
			t.Errorf("segment scores: %d of %d, %v", len(list), n, err)
		}
	})
}

// TestChurnModelRefusedWhenNoBetterThanBaseline: churn follows the days
// since the latest activity exactly, so the baseline is perfect and no model
// can beat it; the model is stored, not switched on, and no score carries a
// risk.
func TestChurnModelRefusedWhenNoBetterThanBaseline(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		now := time.Now().UTC().Truncate(time.Second)
		asof := now.AddDate(0, 0, -90)
		r := rand.New(rand.NewPCG(2, 2))
		people := make([]planted, 300)
		for i := range people {
			p := &people[i]
			p.recency = 80 * r.Float64()
			p.churns, p.complains, p.silent = p.recency > 40, r.Float64() < 0.3, true
		}
		plantHistory(t, db, now, asof, people)
		m := &RiskModeler{Store: db, Horizon: 90 * 24 * time.Hour, Now: func() time.Time { return now }}
		rep, err := m.RefreshRisk(sys, true, func(string) {})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Model == nil || rep.Model.Active || rep.Model.BaselineAUC != 1 || !strings.Contains(rep.Model.Refused, "baseline") {
			t.Fatalf("model switched on against a perfect baseline: %+v", rep.Model)
		}
		models, err := db.Risk.ChurnModels(sys, 5)
		if err != nil || len(models) != 1 || models[0].Active {
			t.Errorf("models %+v, %v", models, err)
		}
		high, err := db.Risk.AtRisk(sys, "", 10)
		if err != nil || len(high) != 0 {
			t.Errorf("risk scores without a model: %d, %v", len(high), err)
		}
		if rep.Scored == 0 {
			t.Error("nobody scored for value")
		}
	})
}
