package sqldb_test

import (
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// TestCaseKPIs checks the case metrics against values worked out by hand, on
// the default calendar (Monday–Friday 8:00–18:00 Berlin) and normal priority
// (first response 8 h, resolution 50 h).
func TestCaseKPIs(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		berlin, _ := time.LoadLocation("Europe/Berlin")
		at := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, berlin) }
		clock := at(23, 9, 0)
		db.Now = func() time.Time { return clock }
		src := source(t, db, "Web", "web", "")
		cust := newCustomer(t, db, src, "k", "de")
		open := func(dept string) *tp.Case {
			c := &tp.Case{CustomerID: cust.ID, Subject: "x", Department: dept}
			if err := db.Cases.CreateCase(ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		do := func(when time.Time, f func() error) {
			clock = when
			if err := f(); err != nil {
				t.Fatal(err)
			}
		}
		reply := func(c *tp.Case) func() error {
			return func() error { _, err := db.Cases.AddCaseNote(ctx, c.ID, "answer", true); return err }
		}
		move := func(c *tp.Case, to tp.CaseStatus) func() error {
			return func() error { _, err := db.Cases.MoveCase(ctx, c.ID, to, ""); return err }
		}
		// A: opened Mon 9:00, answered 11:00 (2 h), resolved Tue 10:00 (9 h + 2 h = 11 h): in time, first contact.
		a := open("Logistics")
		do(at(23, 11, 0), reply(a))
		do(at(24, 10, 0), move(a, tp.CaseResolved))
		// B: opened Mon 10:00, answered 18:30 (8 business hours, after the 18:00 due time), resolved Tue 9:00,
		// reopened 10:00, resolved 12:00 (8 h + 4 h = 12 h).
		clock = at(23, 10, 0)
		b := open("Logistics")
		do(at(23, 18, 30), reply(b))
		do(at(24, 9, 0), move(b, tp.CaseResolved))
		do(at(24, 10, 0), move(b, tp.CaseOpen))
		do(at(24, 12, 0), move(b, tp.CaseResolved))
		// C: opened Mon 9:00, never answered; by Wednesday its first response is overdue.
		clock = at(23, 9, 0)
		open("Billing")
		clock = at(25, 12, 0)
		rows, err := db.Cases.CaseKPIs(ctx, tp.CaseKPIQuery{By: "department"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("rows %+v", rows)
		}
		bill, log := rows[0], rows[1]
		f := func(p *float64) float64 {
			if p == nil {
				return -1
			}
			return *p
		}
		for name, got := range map[string][2]float64{
			"volume":         {float64(log.Volume), 2},
			"ttfr median":    {f(log.TTFRMedian), 2},
			"ttfr p90":       {f(log.TTFRP90), 8},
			"ttr median":     {f(log.TTRMedian), 11},
			"ttr p90":        {f(log.TTRP90), 12},
			"sla compliance": {f(log.SLACompliance), 50},
			"reopen rate":    {f(log.ReopenRate), 50},
			"fcr":            {f(log.FCR), 50},
			"billing volume": {float64(bill.Volume), 1},
			"billing sla":    {f(bill.SLACompliance), 0},
			"billing ttfr":   {f(bill.TTFRMedian), -1},
		} {
			if got[0] != got[1] {
				t.Errorf("%s = %v, want %v", name, got[0], got[1])
			}
		}
		// Department scoping applies to KPIs too.
		scoped, _ := db.Cases.CaseKPIs(tp.WithAccess(ctx, tp.Access{Role: tp.RoleDepartmentHead, Department: "Billing"}), tp.CaseKPIQuery{By: "department"})
		if len(scoped) != 1 || scoped[0].Slice != "Billing" {
			t.Errorf("billing head sees %+v", scoped)
		}
	})
}

func TestRecoveryRate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		s := &tp.Survey{Name: "NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive, CloseLoop: true}
		db.Surveys.CreateSurvey(ctx, s)
		answer := func(c *tp.Customer, score int) {
			tok, _ := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: c.ID, Department: "Service"}, time.Hour)
			if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: &score}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond) // answers must be ordered in time
		}
		won, lost, silent := newCustomer(t, db, src, "won", "de"), newCustomer(t, db, src, "lost", "de"), newCustomer(t, db, src, "silent", "de")
		answer(won, 2)
		answer(lost, 5)
		answer(silent, 0)
		answer(won, 9)  // recovered
		answer(lost, 6) // still a detractor: opens another case
		rows, err := db.Cases.CaseKPIs(ctx, tp.CaseKPIQuery{By: "category"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Volume != 4 || rows[0].RecoveryN != 2 || rows[0].RecoveryRate == nil || *rows[0].RecoveryRate != 50 {
			t.Errorf("recovery: %+v", rows)
		}
	})
}
