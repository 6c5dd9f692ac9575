package sqldb_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// peopleFixture: agents A and B of Service and C of Logistics, 40 billing
// cases each, one customer per case, created on weekdays at 09:00 UTC of
// October 2026 (business hours on every calendar).
//
//	A: 30 cases answered once and solved (FCR), 10 answered twice, 4 of them
//	   reopened; first reply after 1 h; 30 CSAT answers after resolution,
//	   27 of them 5 and 3 of them 2.
//	B: 10 FCR, 30 answered twice, 4 of them reopened; first reply after 3 h;
//	   30 CSAT answers after resolution, 15 of 5 and 15 of 2, plus one 5
//	   before the resolution and one 5 twenty days after (neither counts).
//	C: 20 FCR, 20 answered twice; first reply after 2 h; no CSAT.
type peopleFixture struct {
	a, b, c, headS, headL tp.User
}

func seedPeople(t *testing.T, db *sqldb.Store) peopleFixture {
	t.Helper()
	var f peopleFixture
	for _, u := range []*tp.User{{Email: "a@example.com", Role: tp.RoleAgent, Department: "Service"},
		{Email: "b@example.com", Role: tp.RoleAgent, Department: "Service"},
		{Email: "c@example.com", Role: tp.RoleAgent, Department: "Logistics"},
		{Email: "hs@example.com", Role: tp.RoleDepartmentHead, Department: "Service"},
		{Email: "hl@example.com", Role: tp.RoleDepartmentHead, Department: "Logistics"}} {
		must(t, db.Users.CreateUser(ctx, u, "correct horse battery"))
	}
	users, err := db.Users.ListUsers(ctx)
	must(t, err)
	by := map[string]tp.User{}
	for _, u := range users {
		by[u.Email] = u
	}
	f.a, f.b, f.c, f.headS, f.headL = by["a@example.com"], by["b@example.com"], by["c@example.com"], by["hs@example.com"], by["hl@example.com"]

	src := source(t, db, "Shop", "web", "")
	var msgs []string
	for i := range 120 {
		msgs = append(msgs, fmt.Sprintf(`{"type":"identify","userId":"p%d","traits":{"plan":"basic"}}`, i))
	}
	send(t, db, src, msgs...)
	sv := &tp.Survey{Name: "After case", Type: tp.SurveyCSAT, Status: tp.SurveyActive, DefaultLang: "en"}
	must(t, db.Surveys.CreateSurvey(ctx, sv))

	monday := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	var cases []tp.CaseImport
	var answers []tp.ResponseImport
	score := func(v int) *int { return &v }
	for i := range 120 {
		agent, k := []tp.User{f.a, f.b, f.c}[i/40], i%40
		cust := customerOf(t, db, "user_id", fmt.Sprintf("p%d", i))
		at := monday.AddDate(0, 0, 7*(k/5)+k%5)
		delay := map[int64]time.Duration{f.a.ID: time.Hour, f.b.ID: 3 * time.Hour, f.c.ID: 2 * time.Hour}[agent.ID]
		fcr := map[int64]int{f.a.ID: 30, f.b.ID: 10, f.c.ID: 20}[agent.ID]
		reply, resolved := at.Add(delay), at.Add(5*time.Hour)
		actor := "user:" + agent.Email
		ci := tp.CaseImport{Case: tp.Case{CustomerID: cust.ID, Subject: "Invoice wrong", Channel: "email", Source: tp.CaseFromEmail, Category: "billing",
			Priority: tp.PriorityNormal, Department: agent.Department, AssigneeID: agent.ID, Status: tp.CaseClosed, CreatedAt: at,
			FirstReplyAt: &reply, ResolvedAt: &resolved}}
		ci.Events = append(ci.Events, tp.CaseEvent{At: reply, Actor: actor, Kind: "reply", Body: "Sorted.", Public: true})
		if k >= fcr {
			ci.Events = append(ci.Events, tp.CaseEvent{At: reply.Add(time.Hour), Actor: actor, Kind: "reply", Body: "Once more.", Public: true})
			if agent.ID != f.c.ID && k >= 36 {
				ci.Events = append(ci.Events, tp.CaseEvent{At: resolved.Add(-time.Hour), Actor: actor, Kind: "status", Field: "status", Old: "resolved", New: "open"})
			}
		}
		cases = append(cases, ci)
		csat := 0
		switch {
		case agent.ID == f.a.ID && k < 27, agent.ID == f.b.ID && k < 15:
			csat = 5
		case agent.ID == f.a.ID && k < 30, agent.ID == f.b.ID && k < 30:
			csat = 2
		}
		if csat > 0 {
			answers = append(answers, tp.ResponseImport{SurveyID: sv.ID, CustomerID: cust.ID, Score: score(csat), Language: "en", Department: agent.Department, At: resolved.Add(24 * time.Hour)})
		}
		if agent.ID == f.b.ID && k >= 30 && k < 32 { // outside the window: before the resolution, and 20 days after
			when := map[int]time.Time{30: at.Add(-time.Hour), 31: resolved.Add(20 * 24 * time.Hour)}[k]
			answers = append(answers, tp.ResponseImport{SurveyID: sv.ID, CustomerID: cust.ID, Score: score(5), Language: "en", At: when})
		}
	}
	must(t, db.Cases.ImportCases(ctx, cases))
	must(t, db.Surveys.ImportResponses(ctx, answers))
	return f
}

func pcell(t *testing.T, r tp.PersonRow, metric string) tp.PeopleCell {
	t.Helper()
	for _, c := range r.Cells {
		if c.Metric == metric {
			return c
		}
	}
	t.Fatalf("row %d/%s has no %s", r.UserID, r.Department, metric)
	return tp.PeopleCell{}
}

// TestPeopleFiguresByHand: the per-agent and per-team figures are those
// worked out by hand from the fixture, on both databases, and each role sees
// what the policy grants: an agent their own row only.
func TestPeopleFiguresByHand(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		f := seedPeople(t, db)
		q := tp.PeopleQuery{From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
		cco := tp.WithAccess(ctx, tp.Access{Actor: "user:cco@example.com", Role: tp.RoleCCO})
		rep, err := db.People.PeopleReport(cco, q)
		must(t, err)
		if len(rep.Teams) != 2 || len(rep.Agents) != 3 {
			t.Fatalf("cco sees %d teams, %d agents", len(rep.Teams), len(rep.Agents))
		}
		near := func(what string, got, want float64) {
			t.Helper()
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("%s = %v, want %v", what, got, want)
			}
		}
		a, _ := rep.Row(f.a.ID, "Service")
		b, _ := rep.Row(f.b.ID, "Service")
		c, _ := rep.Row(f.c.ID, "Logistics")
		service, _ := rep.Row(0, "Service")
		if a.Cases != 40 || b.Cases != 40 || c.Cases != 40 || service.Cases != 80 {
			t.Errorf("case counts %d %d %d %d", a.Cases, b.Cases, c.Cases, service.Cases)
		}
		near("A fcr", pcell(t, a, "fcr").Value.Value, 75)
		near("A reopen", pcell(t, a, "reopen_rate").Value.Value, 10)
		near("A csat after case", pcell(t, a, tp.MetricCSATAfterCase).Value.Value, 90)
		near("B fcr", pcell(t, b, "fcr").Value.Value, 25)
		near("B csat after case", pcell(t, b, tp.MetricCSATAfterCase).Value.Value, 50)
		if n := pcell(t, b, tp.MetricCSATAfterCase).Value.N; n != 30 {
			t.Errorf("B's CSAT counts %d answers; the one before resolution and the one after 14 days must not count", n)
		}
		near("A's peers' fcr (B)", pcell(t, a, "fcr").Peers.Value, 25)
		near("Service fcr", pcell(t, service, "fcr").Value.Value, 50)
		near("Service's peers' fcr (Logistics)", pcell(t, service, "fcr").Peers.Value, 50)
		near("A ttfr median", pcell(t, a, "ttfr_median").Value.Value, 1)
		near("B ttfr median", pcell(t, b, "ttfr_median").Value.Value, 3)
		near("C ttfr median", pcell(t, c, "ttfr_median").Value.Value, 2)
		if x := pcell(t, a, "fcr"); x.Direction != 1 || !x.Better {
			t.Errorf("A's FCR 75 %% against B's 25 %% is significantly better: %+v", x)
		}
		if x := pcell(t, b, "ttfr_median"); x.Direction != 1 || x.Better {
			t.Errorf("B answers significantly later than A: %+v", x)
		}
		if x := pcell(t, service, "fcr"); x.Direction != 0 {
			t.Errorf("Service and Logistics both solve half at first contact: %+v", x)
		}
		if x := pcell(t, c, tp.MetricCSATAfterCase); !x.Value.TooFew || x.Direction != 0 {
			t.Errorf("C has no CSAT answers: %+v", x)
		}

		agentA := tp.WithAccess(ctx, tp.Access{Actor: "user:a@example.com", Role: tp.RoleAgent, Department: "Service", UserID: f.a.ID})
		mine, err := db.People.PeopleReport(agentA, q)
		must(t, err)
		if len(mine.Agents) != 1 || mine.Agents[0].UserID != f.a.ID || len(mine.Teams) != 0 {
			t.Errorf("agent A sees %+v", mine)
		}
		if x := pcell(t, mine.Agents[0], "fcr"); x.Peers.Value != 25 {
			t.Errorf("agent A is compared with the rest of the team: %+v", x)
		}
		lq := q
		lq.Department = "Logistics"
		if _, err := db.People.PeopleReport(agentA, lq); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("agent A asks for Logistics: %v", err)
		}
		head := tp.WithAccess(ctx, tp.Access{Actor: "user:hs@example.com", Role: tp.RoleDepartmentHead, Department: "Service", UserID: f.headS.ID})
		hr, err := db.People.PeopleReport(head, q)
		must(t, err)
		if len(hr.Agents) != 2 || len(hr.Teams) != 1 || hr.Teams[0].Department != "Service" {
			t.Errorf("the Service head sees %+v", hr)
		}
		if x := pcell(t, hr.Teams[0], "fcr"); x.Peers.N != 0 {
			t.Errorf("the Service head sees Logistics' figures through the comparison: %+v", x)
		}
		if _, err := db.People.PeopleReport(tp.WithAccess(ctx, tp.Access{}), q); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("no access: %v", err)
		}

		needs, err := db.People.TrainingNeeds(cco, q)
		must(t, err)
		found := map[string]bool{}
		for _, n := range needs {
			if n.UserID == f.b.ID && n.Category == "billing" {
				found[n.Metric] = true
				if n.Metric == "fcr" && len(n.Cases) != 30 {
					t.Errorf("the need's cases are B's 30 not solved at first contact: %d", len(n.Cases))
				}
			}
			if n.UserID == f.a.ID {
				t.Errorf("A is better than the peers, yet has a need: %+v", n)
			}
		}
		if !found["fcr"] || !found[tp.MetricCSATAfterCase] {
			t.Errorf("B's planted weakness in billing not found: %+v", needs)
		}
		theirs, err := db.People.TrainingNeeds(agentA, q)
		must(t, err)
		if len(theirs) != 0 {
			t.Errorf("agent A sees others' needs: %+v", theirs)
		}
		agentB := tp.WithAccess(ctx, tp.Access{Actor: "user:b@example.com", Role: tp.RoleAgent, Department: "Service", UserID: f.b.ID})
		if own, err := db.People.TrainingNeeds(agentB, q); err != nil || len(own) != len(found) {
			t.Errorf("agent B sees their own %d needs: %+v %v", len(found), own, err)
		}
	})
}

// TestTrainingsFollowThePolicy: who may assign a training, to whom, who
// sees it, and completion.
func TestTrainingsFollowThePolicy(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		f := seedPeople(t, db)
		head := tp.WithAccess(ctx, tp.Access{Actor: "user:hs@example.com", Role: tp.RoleDepartmentHead, Department: "Service", UserID: f.headS.ID})
		due := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
		tr := &tp.Training{Title: "First contact, first time", Kind: tp.TrainingCoaching, OwnerID: f.headS.ID, Department: "Service", Metric: "fcr",
			Category: "billing", Due: due, Participants: []tp.TrainingParticipant{{UserID: f.b.ID}}}
		other := *tr
		other.Participants = []tp.TrainingParticipant{{UserID: f.c.ID}}
		if err := db.People.CreateTraining(head, &other); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("a Logistics agent in a Service training: %v", err)
		}
		logistics := tp.WithAccess(ctx, tp.Access{Actor: "user:hl@example.com", Role: tp.RoleDepartmentHead, Department: "Logistics", UserID: f.headL.ID})
		if err := db.People.CreateTraining(logistics, tr); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("the Logistics head assigns a Service training: %v", err)
		}
		agentB := tp.WithAccess(ctx, tp.Access{Actor: "user:b@example.com", Role: tp.RoleAgent, Department: "Service", UserID: f.b.ID})
		if err := db.People.CreateTraining(agentB, tr); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("an agent assigns a training: %v", err)
		}
		bad := *tr
		bad.Metric = "mood"
		if err := db.People.CreateTraining(head, &bad); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("unknown metric: %v", err)
		}
		must(t, db.People.CreateTraining(head, tr))
		agentA := tp.WithAccess(ctx, tp.Access{Actor: "user:a@example.com", Role: tp.RoleAgent, Department: "Service", UserID: f.a.ID})
		if ts, err := db.People.ListTrainings(agentA); err != nil || len(ts) != 0 {
			t.Errorf("agent A sees a training they are not in: %v %v", ts, err)
		}
		ts, err := db.People.ListTrainings(agentB)
		must(t, err)
		if len(ts) != 1 || ts[0].Effect.Reason != "not completed" {
			t.Fatalf("agent B's trainings: %+v", ts)
		}
		if err := db.People.CompleteTraining(head, tr.ID, f.a.ID, time.Time{}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("A completes a training they are not in: %v", err)
		}
		done := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)
		must(t, db.People.CompleteTraining(head, tr.ID, f.b.ID, done))
		ts, err = db.People.ListTrainings(head)
		must(t, err)
		e := ts[0].Effect
		if ts[0].Participants[0].CompletedAt == nil || e.Participants != [2]int{15, 25} || e.Comparison != [2]int{15, 25} {
			t.Errorf("B's billing cases before and after 26 October: %+v", e)
		}
	})
}
