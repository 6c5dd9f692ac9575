package jobs

import (
	"context"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// slaWorker checks a case's SLA target when it is due to warn or breach. The
// store re-reads the case: a met target, a pause or a moved due time means
// nothing to do.
type slaWorker struct {
	river.WorkerDefaults[tp.SLACheck]
	db  *sqldb.DB
	cfg Config
}

func (w *slaWorker) Work(ctx context.Context, job *river.Job[tp.SLACheck]) error {
	did, err := w.db.CheckSLA(ctx, job.Args.CaseID, job.Args.Target)
	if did != "" {
		w.cfg.Log.Info("sla", "case", job.Args.CaseID, "target", job.Args.Target, "state", did)
	}
	return err
}
