package app

import (
	"fmt"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// benchRisk measures what the risk job does on a large company: the
// features of every customer by set-based SQL, training the churn model,
// scoring everyone with reasons and lifetime value; and a three-condition
// segment's count (one of them an event count within 90 days).
func benchRisk(e *env, args []string) error {
	fs := e.flags("bench risk", "bench risk [--customers 200000] [--events 20] [--db postgres://…] [--cpuprofile FILE]")
	customers := fs.Int("customers", 200000, "customers")
	events := fs.Int("events", 20, "events per customer (a fifth of them orders)")
	dsn := fs.String("db", "", "PostgreSQL URL (a scratch schema); empty: a SQLite file in a temp folder")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the hourly refresh (no training) to this file")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, done, err := benchDB(e, *dsn, "risk")
	if err != nil {
		return err
	}
	defer done()
	benchHeader(e, "risk", db.Dialect())
	ctx := e.ctx
	end := time.Now().UTC()
	setup := time.Now()
	src := &tp.Source{Name: "bench", Channel: "web"}
	if err := db.Sources.CreateSource(ctx, src); err != nil {
		return err
	}
	custs, err := db.BenchCreateCustomers(ctx, *customers)
	if err != nil {
		return err
	}
	if err := db.BenchActivity(ctx, src.ID, custs, *events, end, func(done int) {
		if done%2000000 == 0 {
			fmt.Fprintf(e.stderr, "bench: %d events\n", done)
		}
	}); err != nil {
		return err
	}
	t := time.Now()
	if _, err := db.Cockpit.RefreshRollups(ctx); err != nil { // first activity and churn per customer
		return err
	}
	fmt.Fprintf(e.stdout, "rollups (first activity and churn of every customer) in %.1f s\n", time.Since(t).Seconds())
	fmt.Fprintf(e.stderr, "bench: set-up took %s\n", time.Since(setup).Round(time.Second))
	fmt.Fprintf(e.stdout, "%d customers, %d events\n", *customers, *customers**events)

	t0 := time.Now()
	last := t0
	rep, err := NewRiskModeler(db).RefreshRisk(ctx, true, func(msg string) {
		now := time.Now()
		fmt.Fprintf(e.stdout, "%8.1f s (+%.1f s)  %s\n", now.Sub(t0).Seconds(), now.Sub(last).Seconds(), msg)
		last = now
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "risk refresh with training: %d customers scored in %.1f s\n", rep.Scored, rep.Took.Seconds())
	stop, err := startProfile(*profile)
	if err != nil {
		return err
	}
	rep, err = NewRiskModeler(db).RefreshRisk(ctx, false, func(string) {})
	stop()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "risk refresh (the hourly job, no training): %d customers scored in %.1f s\n", rep.Scored, rep.Took.Seconds())

	seg := &tp.Segment{Conditions: []tp.Condition{{Kind: "event", Event: "Order Completed", Days: 90, Op: "atleast", Count: 2},
		{Kind: "risk", Op: tp.RiskLow}, {Kind: "value_tier", Op: tp.TierHigh}}}
	for i := range 3 {
		t := time.Now()
		n, err := db.Segments.PreviewSegment(ctx, seg)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "segment count (≥ 2 orders in 90 days, risk low, value tier high), run %d: %d members in %.2f s\n", i+1, n, time.Since(t).Seconds())
	}
	return nil
}
