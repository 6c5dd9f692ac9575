package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/report"
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

// boardPackWorker mails last month's board pack to the recipients on the
// first working day of a month, once.
type boardPackWorker struct {
	river.WorkerDefaults[tp.SendBoardPack]
	db  *sqldb.DB
	cfg Config
}

func (w *boardPackWorker) Work(ctx context.Context, job *river.Job[tp.SendBoardPack]) error {
	now := w.db.Now().UTC()
	if !tp.FirstWorkingDay(now) {
		return nil
	}
	month, _ := tp.PeriodOf("month", now)
	month = month.Previous()
	idx := int64(month.From.Year())*12 + int64(month.From.Month()) - 1
	sent, err := w.db.BoardPackSent(ctx)
	if err != nil || sent >= idx {
		return err
	}
	conf, err := w.db.BoardPack(ctx)
	if err != nil || len(conf.Recipients) == 0 {
		return err
	}
	if w.cfg.Mailer == nil {
		return fmt.Errorf("board pack: no SMTP relay configured (serve --smtp-relay)")
	}
	ctx = tp.WithAccess(ctx, tp.SystemAccess)
	if _, err := w.db.RefreshRollups(ctx); err != nil {
		return err
	}
	p, err := report.Build(ctx, w.db, month, conf.Lang, now)
	if err != nil {
		return err
	}
	html, err := p.HTML()
	if err != nil {
		return err
	}
	name := "board-pack-" + month.Label()
	atts := []mailer.Attachment{{Name: name + ".html", ContentType: "text/html", Data: html}}
	pdf, err := report.PDF(ctx, html)
	switch {
	case err == nil:
		atts = append([]mailer.Attachment{{Name: name + ".pdf", ContentType: "application/pdf", Data: pdf}}, atts...)
	case errors.Is(err, report.ErrNoChromium):
		w.cfg.Log.Warn("board pack without PDF", "error", err)
	default:
		return err
	}
	subject := fmt.Sprintf("touchpoint board pack %s", month.Label())
	text := subject + "\n\n" + summaryText(p)
	for _, to := range conf.Recipients {
		if _, err := w.cfg.Mailer.Send(ctx, mailer.Message{To: to, Subject: subject, Text: text, Attachments: atts}); err != nil {
			return err // retried; recipients before this one may get it twice, which beats none
		}
	}
	w.cfg.Log.Info("board pack sent", "month", month.Label(), "recipients", len(conf.Recipients))
	return w.db.MarkBoardPackSent(ctx, idx)
}

// summaryText is the mail body: the total row and the significant moves.
func summaryText(p *report.Pack) string {
	var b strings.Builder
	for _, r := range p.Total.Rows {
		fmt.Fprintf(&b, "%s: %s (n %d)\n", r.Name, r.Value, r.N)
	}
	if len(p.Moves) > 0 {
		b.WriteString("\n")
		for _, m := range p.Moves {
			fmt.Fprintf(&b, "%s: %s\n", m.Division, m.Text)
		}
	}
	return b.String()
}
