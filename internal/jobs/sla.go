package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// slaWorker checks a case's SLA target when it is due to warn or breach. The
// store re-reads the case: a met target, a pause or a moved due time means
// nothing to do.
type slaWorker struct {
	river.WorkerDefaults[tp.SLACheck]
	db  *sqldb.Store
	cfg Config
}

func (w *slaWorker) Work(ctx context.Context, job *river.Job[tp.SLACheck]) error {
	did, err := w.db.SLA.CheckSLA(ctx, job.Args.CaseID, job.Args.Target)
	if did != "" {
		w.cfg.Log.Info("sla", "case", job.Args.CaseID, "target", job.Args.Target, "state", did)
	}
	return err
}

// breachWorker mails the people a breach is escalated to.
type breachWorker struct {
	river.WorkerDefaults[tp.NotifyBreach]
	db  *sqldb.Store
	cfg Config
}

func (w *breachWorker) Work(ctx context.Context, job *river.Job[tp.NotifyBreach]) error {
	c, _, err := w.db.Cases.FindCase(ctx, job.Args.CaseID)
	if tp.ErrorCode(err) == tp.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	to, err := w.db.SLA.BreachRecipients(ctx, c)
	if err != nil || len(to) == 0 {
		return err
	}
	if w.cfg.Mailer == nil {
		return fmt.Errorf("no SMTP relay is configured; the breach notice for case %d waits", c.ID)
	}
	what := map[string]string{tp.TargetFirstResponse: "first response", tp.TargetResolution: "resolution"}[job.Args.Target]
	link := strings.TrimRight(w.cfg.PublicURL, "/") + fmt.Sprintf("/cases/%d", c.ID)
	for _, addr := range to { // one mail each: a bounce is then one person's
		if _, err := w.cfg.Mailer.Send(ctx, mailer.Message{To: addr,
			Subject: fmt.Sprintf("[SLA] Case #%d missed its %s target: %s", c.ID, what, c.Subject),
			Text: fmt.Sprintf("Case #%d (%s, priority now %s, department %s) missed its %s target.\n\n%s\n", c.ID, c.Subject,
				c.Priority, orTriage(c.Department), what, link)}); err != nil && tp.ErrorCode(err) != tp.EINVALID {
			return err
		}
	}
	return nil
}

func orTriage(d string) string {
	if d == "" {
		return "triage"
	}
	return d
}
