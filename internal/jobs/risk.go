package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	tp "github.com/touchpoint-cx/touchpoint"
)

// riskWorker recomputes customers' value and churn risk every hour.
type riskWorker struct {
	river.WorkerDefaults[tp.RefreshRisk]
	cfg Config
}

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
	return nil
}
