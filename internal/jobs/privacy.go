package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// retentionWorker runs the retention periods once a day (leader only).
type retentionWorker struct {
	river.WorkerDefaults[tp.RunRetention]
	db  *sqldb.Store
	cfg Config
}

func (w *retentionWorker) Work(ctx context.Context, job *river.Job[tp.RunRetention]) error {
	rep, err := w.db.Privacy.RunRetention(ctx)
	if rep != nil {
		w.cfg.Log.Info("retention", "done", rep.Done, "scrub", rep.Scrub)
	}
	return err
}

// A long run over a large events table must not be cut at River's default.
func (w *retentionWorker) Timeout(*river.Job[tp.RunRetention]) time.Duration { return 2 * time.Hour }

// scrubWorker rewrites the tables that still hold bytes of erased or
// expired data (PostgreSQL).
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
