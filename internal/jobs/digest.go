package jobs

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/report"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// DigestAfter is how long after the week's end (Monday 00:00 UTC) the
// digests go out: Monday morning in Europe.
const DigestAfter = 6 * time.Hour

// digestWorker mails each recipient their department's digest of last week,
// once, in their language, as they may see it.
type digestWorker struct {
	river.WorkerDefaults[tp.SendDigests]
	db  *sqldb.Store
	cfg Config
}

func (w *digestWorker) Timeout(*river.Job[tp.SendDigests]) time.Duration { return 10 * time.Minute }

func (w *digestWorker) Work(ctx context.Context, job *river.Job[tp.SendDigests]) error {
	now := w.db.Now()
	from, to := tp.DigestWeek(now)
	if now.Before(to.Add(DigestAfter)) || w.cfg.Mailer == nil { // without a relay the page still shows it
		return nil
	}
	recipients, err := w.db.Digest.DigestRecipients(ctx)
	if err != nil {
		return err
	}
	sent := 0
	for _, r := range recipients {
		ok, err := w.db.Digest.ClaimDigest(ctx, r.User.ID, from)
		if err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		if err := w.send(ctx, r, from); err != nil {
			if rerr := w.db.Digest.ReleaseDigest(ctx, r.User.ID, from); rerr != nil {
				w.cfg.Log.Error("digest claim kept after a failed send", "user", r.User.Email, "error", rerr)
			}
			return err
		}
		sent++
	}
	if sent > 0 {
		w.cfg.Log.Info("digests sent", "week", from.Format(time.DateOnly), "recipients", sent)
	}
	return nil
}

func (w *digestWorker) send(ctx context.Context, r tp.DigestRecipient, from time.Time) error {
	u := r.User
	as := tp.WithAccess(ctx, tp.Access{Actor: "user:" + u.Email, Role: u.Role, Department: u.Department, UserID: u.ID})
	d, err := w.db.Digest.Digest(as, u.Department, from)
	if err != nil {
		return fmt.Errorf("digest for %s: %w", u.Email, err)
	}
	lang := u.Locale
	if lang == "" {
		lang = "en"
	}
	page := fmt.Sprintf("%s/digest?department=%s&week=%s", w.cfg.PublicURL, url.QueryEscape(u.Department), from.Format(time.DateOnly))
	unsub := w.cfg.PublicURL + "/digest/unsubscribe/" + r.Token
	subject, text, html := report.DigestMail(lang, d, page, unsub)
	_, err = w.cfg.Mailer.Send(ctx, mailer.Message{To: u.Email, Subject: subject, Text: text, HTML: html, Unsubscribe: unsub,
		Headers: map[string]string{"Content-Language": lang}})
	return err
}
