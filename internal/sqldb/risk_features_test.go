package sqldb_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// TestSnapshotFeatures: each feature of a customer with a known history, as
// it stood at asof; what happened after asof is not seen.
func TestSnapshotFeatures(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		store, web := source(t, db, "Store", "store", ""), source(t, db, "Shop", "web", "")
		now := time.Now().UTC().Truncate(time.Second)
		asof := now.Add(-5 * 24 * time.Hour)
		ago := func(days int) string { return now.Add(-time.Duration(days) * 24 * time.Hour).Format(time.RFC3339) }
		send(t, db, store, fmt.Sprintf(`{"type":"track","event":"Order Completed","userId":"u1","timestamp":%q,"properties":{"revenue":50,"products":[{"product_id":"A"}]}}`, ago(405)))
		send(t, db, web,
			fmt.Sprintf(`{"type":"track","event":"Order Completed","userId":"u1","timestamp":%q,"properties":{"revenue":30,"products":[{"product_id":"B"}]}}`, ago(35)),
			fmt.Sprintf(`{"type":"page","name":"Home","userId":"u1","timestamp":%q}`, ago(15)),
			fmt.Sprintf(`{"type":"track","event":"Order Completed","userId":"u1","timestamp":%q,"properties":{"revenue":999}}`, ago(1)))
		_, err := db.Cockpit.RefreshRollups(ctx)
		must(t, err)
		fs, _, err := db.Risk.Snapshot(ctx, asof, 0)
		must(t, err)
		if len(fs) != 1 {
			t.Fatalf("%d customers in the snapshot, want 1", len(fs))
		}
		f := fs[0]
		near := func(name string, got, want float64) {
			if math.Abs(got-want) > 0.01 {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
		near("tenure days", f.TenureDays, 400)
		near("recency days", f.RecencyDays, 10)
		near("events in 90 days", f.Events90, 2)
		near("channels in 365 days", f.Channels, 1)
		near("orders", f.Orders, 2)
		near("revenue", f.Revenue, 80)
		near("revenue in 365 days", f.Revenue365, 30)
		if f.OrderRecency == nil || f.AvgOrder == nil {
			t.Fatalf("no order recency or average: %+v", f)
		}
		near("order recency", *f.OrderRecency, 30)
		near("average order", *f.AvgOrder, 40)
		near("first order day", f.FirstOrderDay, 400)
		if !slices.Equal(f.Products, []string{"A", "B"}) {
			t.Errorf("products %v, want [A B]", f.Products)
		}
	})
}

// TestSaveScoresAllOrNothing: a save that fails part-way (here a customer
// twice, in the third chunk of rows) leaves the scores as they were.
func TestSaveScoresAllOrNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Shop", "web", "")
		var ids []int64
		for i := range 4 {
			send(t, db, src, fmt.Sprintf(`{"type":"identify","userId":"s%d"}`, i))
			ids = append(ids, customerOf(t, db, "user_id", fmt.Sprintf("s%d", i)).ID)
		}
		scores := func(n int, risk float64) []tp.CustomerScore {
			ss := make([]tp.CustomerScore, n)
			for i := range ss {
				id := int64(1_000_000 + i)
				if i < len(ids) {
					id = ids[i]
				}
				ss[i] = tp.CustomerScore{CustomerID: id, ComputedAt: time.Now(), Risk: &risk, RiskBand: tp.RiskBand(risk)}
			}
			return ss
		}
		must(t, db.Risk.SaveScores(ctx, scores(3, 0.1)))
		bad := scores(1000, 0.9)
		bad[450].CustomerID = ids[0]
		if err := db.Risk.SaveScores(ctx, bad); err == nil {
			t.Fatal("a save with one customer twice succeeded")
		}
		// want checks that the first n customers have risk and the rest no score.
		want := func(when string, n int, risk float64) {
			for i, id := range ids {
				s, err := db.Risk.CustomerScore(ctx, id)
				must(t, err)
				switch {
				case i < n && (s == nil || *s.Risk != risk):
					t.Errorf("customer %d's score %s: %+v", id, when, s)
				case i >= n && s != nil:
					t.Errorf("customer %d has a score %s: %+v", id, when, s)
				}
			}
		}
		want("after the failed save", 3, 0.1)
		// A save replaces the scores: a customer it does not score any
		// more (merged, erased) loses the old row.
		must(t, db.Risk.SaveScores(ctx, scores(2, 0.5)))
		want("after the second save", 2, 0.5)
	})
}
