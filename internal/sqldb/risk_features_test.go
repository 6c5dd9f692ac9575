package sqldb_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

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
