package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// riskWorker recomputes customers' value and churn risk every hour, then
// records who entered and left each segment and runs the retention
// playbooks over the segments as they now stand.
type riskWorker struct {
	river.WorkerDefaults[tp.RefreshRisk]
	db  *sqldb.Store
	cfg Config
}

// playbookBatch is how many entrants one playbook acts on per run.
const playbookBatch = 2000

func (w *riskWorker) Timeout(*river.Job[tp.RefreshRisk]) time.Duration { return 30 * time.Minute }

func (w *riskWorker) Work(ctx context.Context, job *river.Job[tp.RefreshRisk]) error {
	if w.cfg.Risk == nil {
		return nil
	}
	rep, err := w.cfg.Risk.RefreshRisk(ctx, false, func(msg string) { w.cfg.Log.Info("risk: " + msg) })
	if err != nil {
		return err
	}
	w.cfg.Log.Info("customers scored", "n", rep.Scored, "took", rep.Took.Round(time.Millisecond))
	in, out, err := w.db.Segments.RecordMemberships(ctx)
	if err != nil {
		return err
	}
	if in+out > 0 {
		w.cfg.Log.Info("segment memberships", "entered", in, "left", out)
	}
	n, err := w.db.Playbooks.RunPlaybooks(ctx, playbookBatch)
	if n > 0 {
		w.cfg.Log.Info("playbooks acted", "entrants", n)
	}
	return err
}
