package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// textEvery is how often new comments and cases are analysed.
const textEvery = 15 * time.Second

// textSlice is how many texts of each source one step analyses and writes in
// one short transaction (≈ 25 ms of analysis), so that the single SQLite
// writer is never held long.
const textSlice = 500

// textWorker analyses the texts that arrived since its last run, in slices,
// for at most textBudget; what is left waits for the next run.
type textWorker struct {
	river.WorkerDefaults[tp.AnalyzeTexts]
	db  *sqldb.Store
	cfg Config
}

const textBudget = time.Minute

func (w *textWorker) Timeout(*river.Job[tp.AnalyzeTexts]) time.Duration { return 2 * textBudget }

func (w *textWorker) Work(ctx context.Context, job *river.Job[tp.AnalyzeTexts]) error {
	if w.cfg.Analyzer == nil {
		return nil
	}
	start, total := time.Now(), 0
	for time.Since(start) < textBudget {
		n, err := w.db.Text.AnalyzePending(ctx, w.cfg.Analyzer, textSlice)
		total += n
		if err != nil || n == 0 {
			if total > 0 {
				w.cfg.Log.Info("texts analysed", "n", total, "took", time.Since(start).Round(time.Millisecond))
			}
			return err
		}
	}
	w.cfg.Log.Info("texts analysed; more wait for the next run", "n", total)
	return nil
}
