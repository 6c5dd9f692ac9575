package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// dailyAt runs a periodic job once a day at the hour (UTC): the quiet
// hour for work that holds tables.
type dailyAt int

func (h dailyAt) Next(now time.Time) time.Time {
	now = now.UTC()
	next := time.Date(now.Year(), now.Month(), now.Day(), int(h), 0, 0, 0, time.UTC)
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// retentionWorker applies the retention periods once a day at 03:00 UTC
// (leader only), then scrubs the storage of what it and the day's erasures
// left (PostgreSQL rewrites those tables, holding each while it does).
type retentionWorker struct {
	river.WorkerDefaults[tp.RunRetention]
	db  *sqldb.Store
	cfg Config
}

func (w *retentionWorker) Work(ctx context.Context, job *river.Job[tp.RunRetention]) error {
	rep, err := w.db.Privacy.RunRetention(ctx)
	if err != nil {
		return err
	}
	w.cfg.Log.Info("retention", "done", rep.Done)
	return w.db.Privacy.Scrub(ctx, func(table string, took time.Duration) {
		w.cfg.Log.Info("scrubbed", "table", table, "took_ms", took.Milliseconds())
	})
}

// A long run over a large events table must not be cut at River's default.
func (w *retentionWorker) Timeout(*river.Job[tp.RunRetention]) time.Duration { return 2 * time.Hour }

// scrubWorker rewrites the tables that still hold bytes of erased or
// expired data now, when an admin asks (PostgreSQL).
type scrubWorker struct {
	river.WorkerDefaults[tp.ScrubStorage]
	db  *sqldb.Store
	cfg Config
}

func (w *scrubWorker) Work(ctx context.Context, job *river.Job[tp.ScrubStorage]) error {
	return w.db.Privacy.Scrub(ctx, func(table string, took time.Duration) {
		w.cfg.Log.Info("scrubbed", "table", table, "took_ms", took.Milliseconds())
	})
}

func (w *scrubWorker) Timeout(*river.Job[tp.ScrubStorage]) time.Duration { return 2 * time.Hour }
