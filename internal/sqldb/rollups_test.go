package sqldb_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

func cell(t *testing.T, sc *tp.Scorecard, slice, kpi string) tp.ScoreCell {
	t.Helper()
	for _, r := range sc.Rows {
		if r.Slice != slice {
			continue
		}
		for _, c := range r.Cells {
			if c.KPI == kpi {
				return c
			}
		}
	}
	t.Fatalf("no %s cell for slice %q", kpi, slice)
	return tp.ScoreCell{}
}

func month(y int, m time.Month) tp.Period {
	p, _ := tp.PeriodOf("month", time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
	return p
}

// TestScorecardByHand checks scorecard cells against values worked out by
// hand: NPS with its interval and significance, a too-small slice, case
// KPIs and churn.
func TestScorecardByHand(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		clock := time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		online := source(t, db, "Shop", "web", "Sales")
		retail := &tp.Source{Name: "Stores", Channel: "store", Department: "Sales", Division: "Retail"}
		if err := db.Sources.CreateSource(ctx, retail); err != nil {
			t.Fatal(err)
		}
		cust := newCustomer(t, db, online, "nps-fixture", "en")
		s := activeSurvey(t, db, tp.SurveyNPS)
		answer := func(div string, score, times int) {
			for range times {
				tok, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: cust.ID, Division: div, Channel: "email"}, 24*time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: intp(score)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Online: October 40 promoters (NPS 100, SE 0); November 20 promoters + 20 detractors
		// (NPS 0, SE = 100 × √(1/40) = 15.81): a drop of 100 > 1.96 × 15.81 → significant.
		answer("Online", 10, 40)
		// Retail: October 10 promoters, November 10 detractors: a big move, but n < 30 → no arrow.
		answer("Retail", 9, 10)
		clock = time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC)
		answer("Online", 10, 20)
		answer("Online", 3, 20)
		answer("Retail", 0, 10)

		// Churn: Retail has 5 customers active before November (r0–r3, and the fixture customer,
		// whose October answers to Retail are timeline events there); r1 churns in November → 20 %.
		for i, ts := range []string{"2026-09-01", "2026-09-02", "2026-10-03", "2026-10-30", "2026-11-04"} {
			send(t, db, retail, fmt.Sprintf(`{"type":"track","userId":"r%d","event":"Visit","timestamp":"%sT10:00:00Z","messageId":"v%d"}`, i, ts, i))
		}
		send(t, db, retail, `{"type":"track","userId":"r1","event":"Customer Churned","timestamp":"2026-11-12T10:00:00Z","messageId":"c1"}`)
		// r4 joined in November and churns in it: not active at the start, so in neither count (not 2 / 5).
		send(t, db, retail, `{"type":"track","userId":"r4","event":"Customer Churned","timestamp":"2026-11-20T10:00:00Z","messageId":"c4"}`)
		// A case in November for Retail, answered in time.
		clock = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC) // a Monday
		c := &tp.Case{CustomerID: cust.ID, Subject: "late", Department: "Sales", Division: "Retail", Channel: "store"}
		if err := db.Cases.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Hour)
		if _, err := db.Cases.AddCaseNote(ctx, c.ID, "answer", true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Cases.MoveCase(ctx, c.ID, tp.CaseResolved, ""); err != nil {
			t.Fatal(err)
		}
		clock = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		if _, err := db.Cockpit.RefreshRollups(ctx); err != nil {
			t.Fatal(err)
		}
		sc, err := db.Cockpit.Scorecard(ctx, tp.ScorecardQuery{Period: month(2026, time.November), Months: 3})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"2026-09", "2026-10", "2026-11"}, sc.Months); diff != "" {
			t.Errorf("months: %s", diff)
		}
		on := cell(t, sc, "Online", "nps")
		if on.Now.N != 40 || on.Now.Value != 0 || math.Abs(on.Now.SE-15.811) > 0.001 || on.Previous.Value != 100 || on.Previous.N != 40 {
			t.Errorf("Online NPS now %+v before %+v", on.Now, on.Previous)
		}
		if on.Direction != -1 || on.Better || on.Change == nil || *on.Change != -100 {
			t.Errorf("Online NPS change: direction %d better %v change %v", on.Direction, on.Better, on.Change)
		}
		if math.Abs(on.Now.Low-(-30.99)) > 0.01 || math.Abs(on.Now.High-30.99) > 0.01 {
			t.Errorf("Online NPS interval %.2f–%.2f, want ±30.99", on.Now.Low, on.Now.High)
		}
		if tr := on.Trend; len(tr) != 3 || tr[0].N != 0 || tr[1].Value != 100 || tr[2].Value != 0 {
			t.Errorf("Online NPS trend %+v", tr)
		}
		re := cell(t, sc, "Retail", "nps")
		if re.Now.Value != -100 || re.Previous.Value != 100 || !re.Now.TooFew || re.Direction != 0 {
			t.Errorf("Retail NPS (too few): %+v direction %d", re.Now, re.Direction)
		}
		total := cell(t, sc, "", "nps")
		if total.Now.N != 50 || math.Abs(total.Now.Value-(-20)) > 1e-9 { // (20 − 30) / 50
			t.Errorf("total NPS %+v", total.Now)
		}
		churn := cell(t, sc, "Retail", "churn_rate")
		if churn.NA || churn.Now.N != 5 || churn.Now.Value != 20 || churn.Previous.N != 2 {
			t.Errorf("Retail churn %+v", churn)
		}
		if cell(t, sc, "Retail", "case_volume").Now.Value != 1 || cell(t, sc, "Online", "case_volume").Now.Value != 0 {
			t.Error("case volume by division is wrong")
		}
		if sla := cell(t, sc, "Retail", "sla_compliance").Now; sla.N != 1 || sla.Value != 100 {
			t.Errorf("Retail SLA %+v", sla)
		}
		if fcr := cell(t, sc, "Retail", "fcr").Now; fcr.N != 1 || fcr.Value != 100 {
			t.Errorf("Retail FCR %+v", fcr)
		}
		// One survey's answers only: the case and customer KPIs do not apply.
		bySurvey, err := db.Cockpit.Scorecard(ctx, tp.ScorecardQuery{Period: month(2026, time.November), SurveyID: s.ID})
		if err != nil {
			t.Fatal(err)
		}
		if c := cell(t, bySurvey, "Online", "nps"); c.Now.N != 40 || !cell(t, bySurvey, "Retail", "case_volume").NA || !cell(t, bySurvey, "Retail", "churn_rate").NA {
			t.Errorf("survey filter: %+v", c.Now)
		}
		other, _ := db.Cockpit.Scorecard(ctx, tp.ScorecardQuery{Period: month(2026, time.November), SurveyID: s.ID + 100})
		if c := cell(t, other, "", "nps"); c.Now.N != 0 {
			t.Errorf("another survey's scorecard counts %d answers", c.Now.N)
		}
		// A segment (English-speaking customers: only the fixture customer) is computed from its members' raw rows.
		seg := &tp.Segment{Name: "English", Conditions: []tp.Condition{{Kind: "trait", Key: "locale", Op: "eq", Value: "en"}}}
		if err := db.Segments.CreateSegment(ctx, seg); err != nil {
			t.Fatal(err)
		}
		bySeg, err := db.Cockpit.Scorecard(ctx, tp.ScorecardQuery{Period: month(2026, time.November), SegmentID: seg.ID})
		if err != nil {
			t.Fatal(err)
		}
		if c := cell(t, bySeg, "Online", "nps"); c.Now.N != 40 || c.Now.Value != 0 {
			t.Errorf("segment NPS %+v", c.Now)
		}
		if c := cell(t, bySeg, "Retail", "churn_rate"); c.Now.N != 1 || c.Now.Value != 0 {
			t.Errorf("segment churn %+v (only the fixture customer is a member)", c.Now)
		}
		if c := cell(t, bySeg, "Retail", "case_volume"); c.Now.N != 1 {
			t.Errorf("segment cases %+v", c.Now)
		}
		// By channel, churn does not apply; a department head sees their department only.
		byCh, err := db.Cockpit.Scorecard(ctx, tp.ScorecardQuery{Period: month(2026, time.November), By: "channel"})
		if err != nil {
			t.Fatal(err)
		}
		if !cell(t, byCh, "email", "churn_rate").NA {
			t.Error("churn by channel should be n/a")
		}
		head := tp.WithAccess(ctx, tp.Access{Role: tp.RoleDepartmentHead, Department: "Billing"})
		scoped, err := db.Cockpit.Scorecard(head, tp.ScorecardQuery{Period: month(2026, time.November)})
		if err != nil {
			t.Fatal(err)
		}
		if v := cell(t, scoped, "", "case_volume").Now.Value; v != 0 {
			t.Errorf("Billing head sees %v Sales cases", v)
		}
	})
}

// TestRollupsMatchRecomputation drives a random stream of cases, replies,
// resolutions, reopenings, detractor answers and churn events with rollup
// refreshes in between, then checks the scorecard from the incrementally
// kept rollups equals the one after a full recomputation from raw data, and
// the case numbers equal CaseKPIs over the raw cases.
func TestRollupsMatchRecomputation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		rng := rand.New(rand.NewPCG(7, 11))
		clock := time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		src := source(t, db, "Shop", "web", "Sales")
		s := &tp.Survey{Name: "NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive, CloseLoop: true}
		if err := db.Surveys.CreateSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
		var customers []*tp.Customer
		for i := range 6 {
			customers = append(customers, newCustomer(t, db, src, fmt.Sprint("p", i), "de"))
		}
		var cases []int64
		depts, divs, chans := []string{"Sales", "Billing", "Logistics"}, []string{"Online", "Retail"}, []string{"email", "phone", "web"}
		for step := range 300 {
			clock = clock.Add(time.Duration(rng.IntN(8*60)) * time.Minute)
			switch k := rng.IntN(10); {
			case k < 3 || len(cases) == 0:
				c := &tp.Case{CustomerID: customers[rng.IntN(len(customers))].ID, Subject: "s", Department: depts[rng.IntN(3)],
					Division: divs[rng.IntN(2)], Channel: chans[rng.IntN(3)], Priority: []tp.Priority{tp.PriorityLow, tp.PriorityNormal, tp.PriorityHigh}[rng.IntN(3)]}
				if err := db.Cases.CreateCase(ctx, c); err != nil {
					t.Fatal(err)
				}
				cases = append(cases, c.ID)
			case k < 5:
				db.Cases.AddCaseNote(ctx, cases[rng.IntN(len(cases))], "reply", true)
			case k < 7:
				db.Cases.MoveCase(ctx, cases[rng.IntN(len(cases))], tp.CaseResolved, "") // invalid moves are refused; fine
			case k < 8:
				db.Cases.MoveCase(ctx, cases[rng.IntN(len(cases))], tp.CaseOpen, "")
			case k < 9:
				c := customers[rng.IntN(len(customers))]
				tok, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: c.ID, Department: depts[rng.IntN(3)], Division: divs[rng.IntN(2)]}, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: intp(rng.IntN(11))}); err != nil {
					t.Fatal(err)
				}
			default:
				send(t, db, src, fmt.Sprintf(`{"type":"track","userId":"p%d","event":"%s","timestamp":%q,"messageId":"m%d"}`,
					rng.IntN(8), []string{"Visit", "Customer Churned"}[rng.IntN(2)], clock.Format(time.RFC3339), step))
			}
			if step%25 == 0 {
				if _, err := db.Cockpit.RefreshRollups(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		clock = clock.Add(30 * 24 * time.Hour) // due times pass: SLA outcomes become known
		if _, err := db.Cockpit.RefreshRollups(ctx); err != nil {
			t.Fatal(err)
		}
		q := tp.ScorecardQuery{Period: tp.Period{From: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}, By: "department", Months: 6}
		incremental, err := db.Cockpit.Scorecard(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Cockpit.RecomputeRollups(ctx, func(string) {}); err != nil {
			t.Fatal(err)
		}
		full, err := db.Cockpit.Scorecard(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		incremental.AsOf, full.AsOf = time.Time{}, time.Time{} // when, not what
		a, _ := json.Marshal(incremental)
		b, _ := json.Marshal(full)
		if string(a) != string(b) {
			t.Errorf("incremental rollups differ from a recomputation:\n%s\n%s", a, b)
		}
		fromRaw, err := db.Cockpit.ScorecardFromRaw(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		fromRaw.AsOf = time.Time{}
		if c, _ := json.Marshal(fromRaw); string(c) != string(b) {
			t.Errorf("the scorecard from raw rows differs from the rollups':\n%s\n%s", c, b)
		}
		for _, by := range []string{"division", "channel"} {
			q.By = by
			a, err1 := db.Cockpit.Scorecard(ctx, q)
			b, err2 := db.Cockpit.ScorecardFromRaw(ctx, q)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			a.AsOf, b.AsOf = time.Time{}, time.Time{}
			x, _ := json.Marshal(a)
			y, _ := json.Marshal(b)
			if string(x) != string(y) {
				t.Errorf("by %s: rollups and raw rows differ", by)
			}
		}
		q.By = "department"
		raw, err := db.Cases.CaseKPIs(ctx, tp.CaseKPIQuery{By: "department", From: q.Period.From, To: q.Period.To.Add(-time.Microsecond)})
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 {
			t.Fatal("no cases in the period")
		}
		for _, r := range raw {
			if got := cell(t, full, r.Slice, "case_volume").Now.N; got != r.Volume {
				t.Errorf("%s: rollup volume %d, raw %d", r.Slice, got, r.Volume)
			}
			sla := cell(t, full, r.Slice, "sla_compliance").Now
			if sla.N != r.SLAN || (r.SLACompliance != nil && math.Abs(sla.Value-*r.SLACompliance) > 1e-9) {
				t.Errorf("%s: rollup SLA %+v, raw %v of %d", r.Slice, sla, r.SLACompliance, r.SLAN)
			}
			rec := cell(t, full, r.Slice, "recovery_rate").Now
			if rec.N != r.RecoveryN {
				t.Errorf("%s: rollup recovery n %d, raw %d", r.Slice, rec.N, r.RecoveryN)
			}
		}
	})
}

// TestChurnByTrait: with a trait rule (a new definition version), a customer
// whose status trait becomes "cancelled" counts as churned then.
func TestChurnByTrait(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Shop", "web", "Sales")
		for i := range 4 {
			send(t, db, src, fmt.Sprintf(`{"type":"identify","userId":"t%d","traits":{"status":"active"},"timestamp":"2026-09-0%dT10:00:00Z","messageId":"a%d"}`, i, i+1, i))
		}
		send(t, db, src, `{"type":"identify","userId":"t2","traits":{"status":"cancelled"},"timestamp":"2026-10-15T10:00:00Z","messageId":"x"}`)
		admin := tp.WithAccess(ctx, tp.Access{Actor: "user:cco@example.com", Role: tp.RoleCCO})
		// Under the default (event) rule nobody churned.
		if _, err := db.Cockpit.RefreshRollups(ctx); err != nil {
			t.Fatal(err)
		}
		sc, _ := db.Cockpit.Scorecard(ctx, tp.ScorecardQuery{Period: month(2026, time.October)})
		if c := cell(t, sc, "Online", "churn_rate"); c.Now.N != 4 || c.Now.Value != 0 {
			t.Fatalf("event rule: %+v", c.Now)
		}
		v, err := db.Cockpit.SetChurnRule(admin, tp.ChurnRule{Trait: "status", Value: "cancelled"}, "CRM status")
		if err != nil || v.Version != 1 || v.Actor != "user:cco@example.com" {
			t.Fatalf("set rule: %+v %v", v, err)
		}
		if _, err := db.Cockpit.RefreshRollups(ctx); err != nil {
			t.Fatal(err)
		}
		sc, _ = db.Cockpit.Scorecard(ctx, tp.ScorecardQuery{Period: month(2026, time.October)})
		if c := cell(t, sc, "Online", "churn_rate"); c.Now.N != 4 || c.Now.Value != 25 {
			t.Errorf("trait rule: %+v", c.Now)
		}
		analyst := tp.WithAccess(ctx, tp.Access{Actor: "user:bi@example.com", Role: tp.RoleAnalyst})
		if _, err := db.Cockpit.SetChurnRule(analyst, tp.ChurnRule{Event: "x"}, ""); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Error("a caller without the CCO or admin role changed a definition")
		}
	})
}

// TestComplaintCategoriesLeaveOutDetractorFollowUps: the board pack's
// complaint categories count complaints, not the cases detractors' answers open.
func TestComplaintCategoriesLeaveOutDetractorFollowUps(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		clock := time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		cust := newCustomer(t, db, source(t, db, "Shop", "web", "Sales"), "cat-1", "en")
		for _, cat := range []string{"delivery", "delivery", tp.CategoryDetractor, "billing"} {
			if err := db.Cases.CreateCase(ctx, &tp.Case{CustomerID: cust.ID, Subject: cat, Department: "Sales", Category: cat}); err != nil {
				t.Fatal(err)
			}
		}
		clock = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		if _, err := db.Cockpit.RefreshRollups(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := db.Cockpit.CaseVolumeByCategory(ctx, month(2026, time.November))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got["delivery"] != 2 || got["billing"] != 1 {
			t.Errorf("categories %v, want delivery 2 and billing 1 without the detractor follow-up", got)
		}
	})
}

// TestDivisionRegistry: once the divisions are listed, a misspelt one in the
// data is no row of its own: its answers count in "(unassigned)" and its
// name is reported.
func TestDivisionRegistry(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		clock := time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		cust := newCustomer(t, db, source(t, db, "Shop", "web", "Sales"), "reg", "en")
		s := activeSurvey(t, db, tp.SurveyNPS)
		for div, n := range map[string]int{"Online": 3, "Retail": 2, "Retial": 4} {
			for range n {
				tok, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: cust.ID, Division: div}, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: intp(10)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		rows := func() (map[string]int, []string) {
			sc, err := db.Cockpit.Scorecard(ctx, tp.ScorecardQuery{Period: month(2026, time.November), Months: 1})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for _, r := range sc.Rows {
				out[r.Slice] = cell(t, sc, r.Slice, "nps").Now.N
			}
			return out, sc.Unassigned
		}
		if got, _ := rows(); len(got) != 4 || got["Retial"] != 4 {
			t.Errorf("without a registry every name is a row: %v", got)
		}
		if err := db.Cockpit.SetDivisions(ctx, []string{"Online", " Retail ", ""}); err != nil {
			t.Fatal(err)
		}
		got, unknown := rows()
		if len(got) != 4 || got["Online"] != 3 || got["Retail"] != 2 || got[tp.DivisionUnassigned] != 4 || got[""] != 9 || fmt.Sprint(unknown) != "[Retial]" {
			t.Errorf("with the registry: rows %v, unassigned %v", got, unknown)
		}
		if err := db.Cockpit.SetDivisions(ctx, []string{"Online", "Online"}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("a repeated division: %v", err)
		}
		if err := db.Cockpit.SetDivisions(tp.WithAccess(ctx, tp.Access{Role: tp.RoleAnalyst}), []string{"x"}); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("an analyst set the divisions: %v", err)
		}
	})
}
