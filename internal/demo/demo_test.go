package demo_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/demo"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

var end = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func TestDeterministic(t *testing.T) {
	cfg := demo.Config{Seed: 7, End: end}
	for i := range 50 {
		a, b := demo.Customer(cfg, i), demo.Customer(cfg, i)
		if len(a) != len(b) {
			t.Fatalf("customer %d: %d vs %d events", i, len(a), len(b))
		}
		for k := range a {
			if !bytes.Equal(a[k].JSON, b[k].JSON) {
				t.Fatalf("customer %d event %d differs", i, k)
			}
		}
	}
	if bytes.Equal(demo.Customer(cfg, 1)[0].JSON, demo.Customer(demo.Config{Seed: 8, End: end}, 1)[0].JSON) {
		t.Error("another seed gave the same first event")
	}
}

func TestLoadBuildsMergedProfiles(t *testing.T) {
	db := sqldbtest.SQLite(t)
	ctx := tp.WithAccess(context.Background(), tp.SystemAccess)
	var progress bytes.Buffer
	res, err := demo.Load(ctx, demo.Config{Seed: 1, Customers: 300, End: end, Progress: &progress},
		demo.Store{Ingester: db.Tracking, Sources: db.Sources, Users: db.Users, Customers: db.Customers, Surveys: db.Surveys, Cases: db.Cases, Actions: db.Actions, Alerts: db.Alerts, Segments: db.Segments, Playbooks: db.Playbooks, People: db.People, Council: db.Council})
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses < 300*2 || res.Responses > 300*4 {
		t.Errorf("%d survey answers for 300 customers; want about 3 each", res.Responses)
	}
	if res.Cases < 300/3 || res.Cases > 300 {
		t.Errorf("%d cases for 300 customers; want about 0.7 each", res.Cases)
	}
	kpis, err := db.Cases.CaseKPIs(ctx, tp.CaseKPIQuery{By: "department"})
	if err != nil || len(kpis) < 4 {
		t.Fatalf("case kpis by department: %d rows, %v", len(kpis), err)
	}
	breached, reopened := false, false
	for _, k := range kpis {
		breached = breached || (k.SLACompliance != nil && *k.SLACompliance < 100)
		reopened = reopened || (k.ReopenRate != nil && *k.ReopenRate > 0)
	}
	if !breached || !reopened {
		t.Errorf("demo cases lack breaches (%v) or reopenings (%v)", breached, reopened)
	}
	if res.Stored < 300*15 || res.Merges == 0 {
		t.Errorf("loaded %+v; want about 25 events a customer and some merges", res)
	}
	// Response rates as surveys get them: about a third of the invitations are answered.
	surveys, _ := db.Surveys.ListSurveys(ctx)
	for _, sv := range surveys {
		res, err := db.Surveys.SurveyResults(ctx, tp.ResultsQuery{SurveyID: sv.ID})
		if err != nil || res.ResponseRate < 0.2 || res.ResponseRate > 0.5 {
			t.Errorf("%s: response rate %.2f (%d of %d), %v", sv.Name, res.ResponseRate, res.Responded, res.Invited, err)
		}
	}
	// The segments a CCO keeps (and the council's), and one playbook over the top customers at risk.
	segs, _ := db.Segments.ListSegments(ctx)
	pbs, _ := db.Playbooks.ListPlaybooks(ctx)
	if len(segs) != 4 || len(pbs) != 1 || pbs[0].Name != "Call top customers at risk" {
		t.Errorf("%d segments, playbooks %+v; want 4 and the one over top value at risk", len(segs), pbs)
	}
	// A council with members who joined, a session with answers, ideas with votes.
	councils, _ := db.Council.ListCouncils(ctx)
	if len(councils) != 1 {
		t.Fatalf("%d councils", len(councils))
	}
	members, _ := db.Council.CouncilMembers(ctx, councils[0].ID)
	sessions, _ := db.Council.ListSessions(ctx, councils[0].ID)
	ideas, _ := db.Council.ListIdeas(ctx, councils[0].ID)
	joined := 0
	for _, m := range members {
		if m.Status == tp.MemberAccepted {
			joined++
		}
	}
	if joined < 3 || len(sessions) != 1 || len(sessions[0].Questions[0].Answers) == 0 || len(ideas) == 0 || ideas[0].Votes < 2 {
		t.Errorf("the council: %d joined of %d, %d sessions, ideas %+v", joined, len(members), len(sessions), ideas)
	}
	rules, _ := db.Alerts.ListAlertRules(ctx)
	items, _ := db.Actions.ListActions(ctx, tp.ActionFilter{})
	overdue := 0
	for _, a := range items {
		if a.Status == tp.ActionOpen && a.Due < end.Format(time.DateOnly) {
			overdue++
		}
	}
	if len(rules) < 2 || len(items) < 4 || overdue == 0 {
		t.Errorf("demo follow-ups: %d alert rules, %d action items (%d overdue)", len(rules), len(items), overdue)
	}
	if !bytes.Contains(progress.Bytes(), []byte("300/300 customers")) {
		t.Errorf("progress = %q", progress.String())
	}
	// Every demo customer ends as one live profile holding events from several channels.
	c, err := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "cus-000001"})
	if err != nil {
		t.Fatal(err)
	}
	if c.MergedInto != 0 || c.Name == "" || c.Email == "" {
		t.Errorf("customer 1 = %+v", c)
	}
	live, _ := db.Customers.FindCustomers(ctx, tp.CustomerFilter{Limit: 200})
	if len(live) == 0 {
		t.Fatal("no live customers")
	}
	channels := map[string]bool{}
	for _, lc := range live[:50] {
		tl, err := db.Customers.Timeline(ctx, lc.ID, tp.TimelineFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tl.Events {
			channels[e.Channel] = true
		}
	}
	if len(channels) < 6 {
		t.Errorf("demo timelines span only channels %v", channels)
	}
	if _, err := db.Users.Authenticate(ctx, demo.AdminEmail, demo.Password); err != nil {
		t.Errorf("demo login: %v", err)
	}
}

// TestOnlineDeclinesInLastQuarter checks the story the demo data tells: the
// Online division's NPS drops significantly in the last quarter; the others' do not.
func TestOnlineDeclinesInLastQuarter(t *testing.T) {
	cfg := demo.Config{Seed: 1, End: end}
	cut := end.Add(-91 * 24 * time.Hour)
	type key struct {
		division string
		late     bool
	}
	dist := map[key]tp.Scores{}
	var langs = map[string]int{}
	for i := range 5000 {
		for _, r := range demo.Responses(cfg, i) {
			if r.NoAnswer {
				continue
			}
			if r.Comment != "" {
				langs[r.Language]++
			}
			if r.SurveyID != 0 { // the NPS survey
				continue
			}
			k := key{r.Division, !r.At.Before(cut)}
			s, ok := dist[k]
			if !ok {
				s = tp.NewScores(0, 10)
			}
			s.Add(*r.Score, 1)
			dist[k] = s
		}
	}
	m, _ := tp.MetricByID(tp.MetricNPS)
	for _, d := range demo.Divisions {
		before, after := m.Estimate(dist[key{d, false}]), m.Estimate(dist[key{d, true}])
		dropped := tp.Significant(before, after) && after.Value < before.Value
		if dropped != (d == "Online") {
			t.Errorf("%s: NPS %.1f (n %d) before, %.1f (n %d) in the last quarter; significant drop = %v",
				d, before.Value, before.N, after.Value, after.N, dropped)
		}
	}
	if langs["de"] == 0 || langs["nl"] == 0 || langs["en"] == 0 {
		t.Errorf("comments by language: %v", langs)
	}
}
