package sqldb_test

import (
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// TestIdentityCacheAcrossProcesses: a store's identity cache never sends an
// event to the customer an identity had before another process (SQLite) or
// replica (PostgreSQL) moved it.
func TestIdentityCacheAcrossProcesses(t *testing.T) {
	sqldbtest.EachPair(t, func(t *testing.T, a, b *sqldb.Store) {
		src := source(t, a, "Web", "web", "Sales")
		send(t, a, src, `{"type":"identify","userId":"u-1","messageId":"m1","timestamp":"2026-10-01T00:00:00Z","traits":{"name":"Ada"}}`)
		send(t, a, src, `{"type":"track","event":"Viewed","anonymousId":"an-1","messageId":"m2","timestamp":"2026-10-01T01:00:00Z"}`)
		first, second := customerOf(t, a, "user_id", "u-1"), customerOf(t, a, "anonymous_id", "an-1")
		if first.ID == second.ID {
			t.Fatal("two customers expected before the linking event")
		}
		if res := send(t, a, src, `{"type":"track","event":"Signed in","userId":"u-1","anonymousId":"an-1","messageId":"m3","timestamp":"2026-10-02T00:00:00Z"}`); res.Merges != 1 {
			t.Fatalf("merges = %d, want 1", res.Merges)
		}
		// a resolves an-1 once more after the merge: now its cache holds an-1 → first.
		send(t, a, src, `{"type":"track","event":"Viewed","anonymousId":"an-1","messageId":"m4","timestamp":"2026-10-03T00:00:00Z"}`)
		merged := customerOf(t, a, "user_id", "u-1")
		if len(merged.Merges) != 1 {
			t.Fatalf("merge records %+v", merged.Merges)
		}
		// The other process undoes the merge: an-1 goes back to the second customer.
		admin := tp.WithAccess(ctx, tp.Access{Actor: "user:admin@example.com", Role: tp.RoleAdmin})
		if _, err := b.Customers.Unmerge(admin, first.ID, merged.Merges[0].ID); err != nil {
			t.Fatal(err)
		}
		send(t, a, src, `{"type":"track","event":"Basket","anonymousId":"an-1","messageId":"m5","timestamp":"2026-10-04T00:00:00Z"}`)
		if got := customerOf(t, a, "anonymous_id", "an-1"); got.ID != second.ID {
			t.Fatalf("an-1 is on customer %d after the unmerge, want %d", got.ID, second.ID)
		}
		for cust, want := range map[int64]bool{second.ID: true, first.ID: false} {
			tl, err := a.Customers.Timeline(ctx, cust, tp.TimelineFilter{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			has := false
			for _, e := range tl.Events {
				has = has || e.Name == "Basket"
			}
			if has != want {
				t.Errorf("customer %d has the event sent after the unmerge: %v, want %v", cust, has, want)
			}
		}
	})
}
