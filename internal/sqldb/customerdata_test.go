package sqldb_test

import (
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// The customer-data list names every table that points at a customer or
// holds what looks like personal data; a new table or column that does is
// found here, on both databases.
func TestCustomerDataListIsComplete(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		gaps, err := db.CustomerDataGaps(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gaps {
			t.Error(g)
		}
		// A table the list does not know is found.
		if _, err := db.Pool().ExecContext(ctx, "CREATE TABLE loyalty_cards (id BIGINT PRIMARY KEY, customer_id BIGINT, card_text TEXT)"); err != nil {
			t.Fatal(err)
		}
		gaps, _ = db.CustomerDataGaps(ctx)
		if len(gaps) == 0 || !strings.Contains(strings.Join(gaps, "\n"), "loyalty_cards.customer_id") {
			t.Errorf("an unlisted table with customer_id went unnoticed: %v", gaps)
		}
	})
}
