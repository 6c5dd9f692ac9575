package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/report"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// rollupWorker keeps the cockpit at most a minute behind the raw data.
type rollupWorker struct {
	river.WorkerDefaults[tp.RefreshRollups]
	db  *sqldb.Store
	cfg Config
}

// Timeout is long: the first refresh over an existing database computes every
// day of the case rollup (minutes for millions of cases); later ones take milliseconds.
func (w *rollupWorker) Timeout(*river.Job[tp.RefreshRollups]) time.Duration { return time.Hour }

func (w *rollupWorker) Work(ctx context.Context, job *river.Job[tp.RefreshRollups]) error {
	rep, err := w.db.Cockpit.RefreshRollups(ctx)
	if err != nil {
		return err
	}
	if rep.CaseDays > 0 || rep.Churn {
		w.cfg.Log.Info("rollups refreshed", "case_days", rep.CaseDays, "customers", rep.Customers)
	}
	events, err := w.db.Alerts.EvaluateAlerts(ctx)
	for _, ev := range events {
		w.cfg.Log.Info("alert "+ev.Kind, "rule", ev.RuleID, "summary", ev.Summary)
	}
	return err
}

// boardPackWorker mails last month's board pack to the recipients on the
// first working day of a month, once.
type boardPackWorker struct {
	river.WorkerDefaults[tp.SendBoardPack]
	db  *sqldb.Store
	cfg Config
}

// Timeout allows for Chromium's print-to-PDF and a slow relay.
func (w *boardPackWorker) Timeout(*river.Job[tp.SendBoardPack]) time.Duration {
	return 10 * time.Minute
}

func (w *boardPackWorker) Work(ctx context.Context, job *river.Job[tp.SendBoardPack]) error {
	now := w.db.Now().UTC()
	cal, err := w.db.Cockpit.DefaultCalendar(ctx)
	if err != nil {
		return err
	}
	if !tp.FirstWorkingDay(now, cal) {
		return nil
	}
	month, _ := tp.PeriodOf("month", now)
	month = month.Previous()
	idx := int64(month.From.Year())*12 + int64(month.From.Month()) - 1
	sent, err := w.db.Cockpit.BoardPackSent(ctx)
	if err != nil || sent >= idx {
		return err
	}
	conf, err := w.db.Cockpit.BoardPack(ctx)
	if err != nil || len(conf.Recipients) == 0 {
		return err
	}
	if w.cfg.Mailer == nil {
		return fmt.Errorf("board pack: no SMTP relay configured (serve --smtp-relay)")
	}
	if _, err := w.db.Cockpit.RefreshRollups(ctx); err != nil {
		return err
	}
	p, err := report.Build(ctx, report.Store{Cockpit: w.db.Cockpit, Actions: w.db.Actions, Text: w.db.Text, Taxonomy: w.taxonomy, Council: w.db.Council, People: w.db.People}, month, conf.Lang, now)
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
	return w.db.Cockpit.MarkBoardPackSent(ctx, idx)
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

// alertWorker delivers one alert event to one address. Errors make River
// retry with growing back-off; every attempt is logged for the delivery log.
type alertWorker struct {
	river.WorkerDefaults[tp.DeliverAlert]
	db     *sqldb.Store
	cfg    Config
	client *http.Client
}

func newAlertWorker(db *sqldb.Store, cfg Config) *alertWorker {
	return &alertWorker{db: db, cfg: cfg, client: &http.Client{Timeout: 10 * time.Second}}
}

func (w *alertWorker) Work(ctx context.Context, job *river.Job[tp.DeliverAlert]) error {
	ev, rule, err := w.db.Alerts.AlertForDelivery(ctx, job.Args.EventID)
	if err != nil {
		var e *tp.Error
		if errors.As(err, &e) && e.Code == tp.ENOTFOUND {
			return river.JobCancel(err) // the rule was deleted
		}
		return err
	}
	d := tp.AlertDelivery{EventID: ev.ID, Target: job.Args.Target, Address: job.Args.Address, Attempt: job.Attempt}
	switch job.Args.Target {
	case "email":
		if w.cfg.Mailer == nil {
			err = fmt.Errorf("no SMTP relay configured (serve --smtp-relay)")
			break
		}
		link := w.cfg.PublicURL + "/cockpit?" + url.Values{"period": {rule.Period}, "division": {rule.Division}}.Encode()
		_, err = w.cfg.Mailer.Send(ctx, mailer.Message{To: job.Args.Address, Subject: "touchpoint alert: " + rule.Name,
			Text: ev.Summary + "\n\n" + link + "\n"})
	case "webhook":
		d.Status, err = postSigned(ctx, w.client, job.Args.Address, rule.Secret, "touchpoint-alerts", "alert."+ev.Kind, w.db.Now(), []byte(ev.Payload))
	default:
		return river.JobCancel(fmt.Errorf("unknown alert target %q", job.Args.Target))
	}
	d.OK, d.At = err == nil, w.db.Now()
	if err != nil {
		d.Error = err.Error()
	}
	if rerr := w.db.Alerts.RecordDelivery(ctx, d); rerr != nil {
		return rerr
	}
	return err
}

// postSigned sends a webhook body signed as README's alerts section says
// (X-Touchpoint-Timestamp, X-Touchpoint-Signature); any status but 2xx is
// a failure. Alert and segment webhooks both go through it.
func postSigned(ctx context.Context, client *http.Client, address, secret, agent, event string, ts time.Time, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, address, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", agent)
	req.Header.Set("X-Touchpoint-Event", event)
	req.Header.Set("X-Touchpoint-Timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("X-Touchpoint-Signature", tp.SignWebhook(secret, ts, body))
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("webhook answered %s", res.Status)
	}
	return res.StatusCode, nil
}

// taxonomy is the themes in force, for the pack's key drivers.
func (w *boardPackWorker) taxonomy() []tp.Theme {
	if w.cfg.Analyzer == nil {
		return nil
	}
	return w.cfg.Analyzer.Taxonomy()
}
