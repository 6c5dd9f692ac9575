package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestGroupCommitIsolatesFailures runs many write transactions at once, every
// third of which fails after writing: the failed ones leave nothing, the
// others are all committed, whichever groups they shared.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 90)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ($1, 'x')", fmt.Sprint("k", i)); err != nil {
					return err
				}
				if i%3 == 0 {
					return boom
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		var n int
		db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM settings WHERE key = $1", fmt.Sprint("k", i)).Scan(&n)
		if i%3 == 0 && (!errors.Is(err, boom) || n != 0) {
			t.Errorf("write %d: err %v, %d rows; want boom and none", i, err, n)
		}
		if i%3 != 0 && (err != nil || n != 1) {
			t.Errorf("write %d: err %v, %d rows; want it committed", i, err, n)
		}
	}
}
