package jobs

import (
	"context"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// rollupWorker keeps the cockpit at most a minute behind the raw data.
type rollupWorker struct {
	river.WorkerDefaults[tp.RefreshRollups]
	db  *sqldb.DB
	cfg Config
}

func (w *rollupWorker) Work(ctx context.Context, job *river.Job[tp.RefreshRollups]) error {
	rep, err := w.db.RefreshRollups(ctx)
	if err != nil {
		return err
	}
	if rep.CaseDays > 0 || rep.Churn {
		w.cfg.Log.Info("rollups refreshed", "case_days", rep.CaseDays, "customers", rep.Customers)
	}
	return nil
}
