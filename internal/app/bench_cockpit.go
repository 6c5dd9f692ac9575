package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/report"
)

// benchCockpit measures the scorecard (3 divisions × 8 KPIs × 18 months)
// from the rollups against the same numbers from the raw rows in the same
// run, and the board pack over 18 months.
func benchCockpit(e *env, args []string) error {
	fs := e.flags("bench cockpit", "bench cockpit [--responses 10000000] [--cases 2000000] [--customers 100000] [--db postgres://…]")
	responses := fs.Int("responses", 10000000, "survey responses (split over an NPS, a CSAT and a CES survey)")
	cases := fs.Int("cases", 2000000, "cases")
	customers := fs.Int("customers", 100000, "customers with division activity (churn)")
	runs := fs.Int("runs", 40, "scorecard runs from the rollups")
	rawRuns := fs.Int("raw-runs", 3, "scorecard runs from the raw rows")
	dsn := fs.String("db", "", "PostgreSQL URL (a scratch schema); empty: a SQLite file in a temp folder")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, done, err := benchDB(e, *dsn, "cockpit")
	if err != nil {
		return err
	}
	defer done()
	benchHeader(e, "cockpit", db.Dialect())
	ctx := e.ctx
	end := time.Now().UTC()
	setup := time.Now()
	for i, typ := range []tp.SurveyType{tp.SurveyNPS, tp.SurveyCSAT, tp.SurveyCES} {
		m, _ := typ.Metric()
		s := &tp.Survey{Name: "bench " + string(typ), Type: typ, Status: tp.SurveyActive}
		if err := db.Surveys.CreateSurvey(ctx, s); err != nil {
			return err
		}
		n := *responses / 3
		if i == 0 {
			n += *responses % 3
		}
		if err := db.BenchInsertScores(ctx, s.ID, n, m.ScaleMin, m.ScaleMax, end, func(done int) {
			if done%1000000 == 0 {
				fmt.Fprintf(e.stderr, "bench: %s %d responses\n", typ, done)
			}
		}); err != nil {
			return err
		}
	}
	custs, err := db.BenchCreateCustomers(ctx, *customers)
	if err != nil {
		return err
	}
	if err := db.BenchInsertCases(ctx, custs[0], *cases, end, func(done int) {
		if done%200000 == 0 {
			fmt.Fprintf(e.stderr, "bench: %d cases\n", done)
		}
	}); err != nil {
		return err
	}
	if err := db.BenchChurn(ctx, custs, end); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "bench: set-up (rows and rollups) took %s\n", time.Since(setup).Round(time.Second))

	month, _ := tp.PeriodOf("month", end)
	q := tp.ScorecardQuery{Period: month.Previous(), By: "division", Months: 18}
	measure := func(fn func() (*tp.Scorecard, error), n int) ([]time.Duration, *tp.Scorecard, error) {
		var ds []time.Duration
		var last *tp.Scorecard
		for range n {
			t0 := time.Now()
			sc, err := fn()
			if err != nil {
				return nil, nil, err
			}
			ds, last = append(ds, time.Since(t0)), sc
		}
		slices.Sort(ds)
		return ds, last, nil
	}
	rolled, a, err := measure(func() (*tp.Scorecard, error) { return db.Cockpit.Scorecard(ctx, q) }, *runs)
	if err != nil {
		return err
	}
	raw, b, err := measure(func() (*tp.Scorecard, error) { return db.Cockpit.ScorecardFromRaw(ctx, q) }, *rawRuns)
	if err != nil {
		return err
	}
	a.AsOf, b.AsOf = time.Time{}, time.Time{} // when, not what
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		return errors.New("the scorecard from the rollups differs from the one from raw rows")
	}
	p95 := func(ds []time.Duration) time.Duration { return ds[(len(ds)*95+99)/100-1] }
	fmt.Fprintf(e.stdout, "scorecard %d divisions × %d KPIs × %d months over %d responses, %d cases, %d customers: rollups p50 %s p95 %s; raw rows p50 %s p95 %s; %.0f× faster (p50); identical numbers\n",
		len(a.Rows)-1, len(a.KPIs), len(a.Months), *responses, *cases, *customers,
		rolled[len(rolled)/2].Round(100*time.Microsecond), p95(rolled).Round(100*time.Microsecond),
		raw[len(raw)/2].Round(time.Millisecond), p95(raw).Round(time.Millisecond), float64(raw[len(raw)/2])/float64(rolled[len(rolled)/2]))

	// The same scorecard over HTTP (token auth, JSON), one request after another.
	token, err := db.Users.CreateToken(ctx, &tp.Token{Name: "bench", Role: tp.RoleAnalyst})
	if err != nil {
		return err
	}
	base, stop, err := benchServer(e, db, -1)
	if err != nil {
		return err
	}
	defer stop()
	url := fmt.Sprintf("%s/api/v1/scorecard?period=month&at=%s&months=18", base, q.Period.From.Format(time.DateOnly))
	_, durs, err := loadHTTP(1, *runs, 0, func(c *http.Client, _ int) error {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		return doOK(c, req)
	})
	if err != nil {
		return fmt.Errorf("scorecard over HTTP: %w", err)
	}
	fmt.Fprintf(e.stdout, "GET /api/v1/scorecard (the same, as JSON over HTTP, %d requests): p50 %s p95 %s\n", *runs,
		durs[len(durs)/2].Round(100*time.Microsecond), p95(durs).Round(100*time.Microsecond))

	dir, err := os.MkdirTemp("", "touchpoint-bench-pack-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	t0 := time.Now()
	pdf, err := report.Write(ctx, report.Store{Cockpit: db.Cockpit, Actions: db.Actions, Text: db.Text, Taxonomy: NewTextAnalyzer(db, slog.Default()).Taxonomy, Council: db.Council, People: db.People}, q.Period, "en", end, filepath.Join(dir, "pack.html"))
	switch {
	case errors.Is(err, report.ErrNoChromium):
		fmt.Fprintf(e.stdout, "board pack (18-month trends, HTML only: %v): %s\n", err, time.Since(t0).Round(time.Millisecond))
	case err != nil:
		return err
	default:
		fmt.Fprintf(e.stdout, "board pack (18-month trends, HTML + PDF of %d KB via Chromium): %s\n", len(pdf)/1024, time.Since(t0).Round(time.Millisecond))
	}
	return nil
}
