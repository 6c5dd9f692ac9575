package sqldb_test

import (
	"fmt"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// TestRiskOverviewAsOfTheLastScoring: the overview is summed once per
// scoring and read from there; before the first, it is summed live.
func TestRiskOverviewAsOfTheLastScoring(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Shop", "web", "")
		var msgs []string
		for i := range 4 {
			msgs = append(msgs, fmt.Sprintf(`{"type":"track","event":"Order Completed","userId":"o%d","properties":{"revenue":100}}`, i))
		}
		send(t, db, src, msgs...)
		_, err := db.Cockpit.RefreshRollups(ctx)
		must(t, err)
		p := func(v float64) *float64 { return &v }
		score := func(n int, risk float64) {
			var ss []tp.CustomerScore
			for i := range n {
				c := customerOf(t, db, "user_id", fmt.Sprintf("o%d", i))
				ss = append(ss, tp.CustomerScore{CustomerID: c.ID, ComputedAt: time.Now(), Risk: p(risk), RiskBand: tp.RiskBand(risk),
					Features: tp.CustomerFeatures{CustomerID: c.ID, Revenue365: 100}})
			}
			must(t, db.Risk.SaveScores(ctx, ss))
		}
		everyone := func() tp.RiskSlice {
			ov, err := db.Risk.RiskOverview(ctx)
			must(t, err)
			for _, r := range ov {
				if r.Name == "" {
					return r
				}
			}
			t.Fatalf("no overview row for everyone: %+v", ov)
			return tp.RiskSlice{}
		}
		score(2, 0.5)
		if r := everyone(); r.Customers != 2 || r.AtRisk != 100 {
			t.Errorf("live before any stored overview: %+v", r)
		}
		must(t, db.Risk.StoreOverview(ctx))
		score(4, 0.5)
		if r := everyone(); r.Customers != 2 {
			t.Errorf("the stored overview moved before the next scoring: %+v", r)
		}
		must(t, db.Risk.StoreOverview(ctx))
		if r := everyone(); r.Customers != 4 || r.AtRisk != 200 {
			t.Errorf("after the next scoring: %+v", r)
		}
	})
}
