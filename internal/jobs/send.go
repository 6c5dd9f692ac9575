package jobs

import (
	"context"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// sendWorker e-mails survey invitations and their one reminder. It re-reads
// the invitation when it runs: a customer who answered, opted out or was
// already mailed gets nothing.
type sendWorker struct {
	river.WorkerDefaults[tp.SendInvitation]
	db   *sqldb.Store
	cfg  Config
	pace *pacer
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[tp.SendInvitation]) error {
	a := job.Args
	d, err := w.db.Surveys.DeliveryFor(ctx, a.InvitationID)
	if tp.ErrorCode(err) == tp.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case d.Responded, d.Survey.Status != tp.SurveyActive, time.Now().After(d.Invitation.ExpiresAt):
		return nil
	case a.Reminder && d.RemindedAt != nil, !a.Reminder && d.SentAt != nil:
		return nil // already done: a retried job must not mail twice
	case d.OptedOut:
		return w.db.Surveys.MarkFailed(ctx, a.InvitationID, "skipped", tp.SkipOptedOut)
	case d.Customer.Email == "":
		return w.db.Surveys.MarkFailed(ctx, a.InvitationID, "skipped", tp.SkipNoEmail)
	case w.cfg.Mailer == nil:
		return fmt.Errorf("no SMTP relay is configured (serve --smtp-relay); invitation %d waits", a.InvitationID)
	}
	if err := w.pace.wait(ctx); err != nil {
		return err
	}
	msgID, err := w.cfg.Mailer.Send(ctx, invitationMail(d, w.cfg.PublicURL, a.Reminder))
	if tp.ErrorCode(err) == tp.EINVALID {
		return w.db.Surveys.MarkFailed(ctx, a.InvitationID, "bounced", tp.ErrorMessage(err))
	}
	if err != nil {
		if job.Attempt >= job.MaxAttempts {
			_ = w.db.Surveys.MarkFailed(ctx, a.InvitationID, "failed", err.Error())
		}
		return err
	}
	var remindAt time.Time
	if !a.Reminder && w.cfg.ReminderAfter > 0 {
		remindAt = time.Now().Add(w.cfg.ReminderAfter)
	}
	return w.db.Surveys.MarkSent(ctx, a.InvitationID, msgID, a.Reminder, remindAt)
}

// pacer spaces sends to at most perMinute across the process's workers.
type pacer struct {
	mu    sync.Mutex
	every time.Duration
	next  time.Time
}

func newPacer(perMinute int) *pacer { return &pacer{every: time.Minute / time.Duration(perMinute)} }

func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.every)
	p.mu.Unlock()
	select {
	case <-time.After(time.Until(at)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// invitationMail writes the invitation in the customer's language, with one
// link per score so that a single click answers.
func invitationMail(d *sqldb.Delivery, base string, reminder bool) mailer.Message {
	lang := d.Survey.RespondentLanguage(d.Customer.Locale, "")
	t := i18n.SurveyText(d.Survey, lang)
	txt := func(key string) string { return i18n.T(lang, "mail.invite."+key) }
	link := strings.TrimRight(base, "/") + "/s/" + d.Token
	unsub := strings.TrimRight(base, "/") + "/u/" + d.Token
	greet := txt("hello0")
	if d.Customer.Name != "" {
		greet = i18n.T(lang, "mail.invite.hello", d.Customer.Name)
	}
	subject := t.Title
	if reminder {
		subject = txt("reminder") + subject
	}
	min, max := d.Survey.Scale()
	var plain, buttons strings.Builder
	fmt.Fprintf(&plain, "%s\n\n%s\n\n%s\n", greet, t.Question, txt("click"))
	for s := min; s <= max; s++ {
		u := fmt.Sprintf("%s?score=%d", link, s)
		fmt.Fprintf(&plain, "%d: %s\n", s, u)
		fmt.Fprintf(&buttons, `<a href="%s" style="display:inline-block;min-width:28px;padding:8px 6px;margin:2px;border:1px solid #0b5cad;border-radius:6px;color:#0b5cad;text-decoration:none;font-weight:bold;text-align:center">%d</a>`,
			html.EscapeString(u), s)
	}
	fmt.Fprintf(&plain, "\n%s %s\n\n%s %s\n", txt("or"), link, txt("unsub"), unsub)
	esc := html.EscapeString
	body := fmt.Sprintf(`<!doctype html><html lang="%s"><body style="font-family:sans-serif;color:#1b1f24">
<p>%s</p><p style="font-size:17px"><strong>%s</strong></p><p>%s</p>
<p style="font-size:12px;color:#5b6470">%s … %s</p>
<p>%s <a href="%s">%s</a></p>
<p style="font-size:12px;color:#5b6470">%s <a href="%s">%s</a></p></body></html>`,
		lang, esc(greet), esc(t.Question), buttons.String(), esc(t.LowLabel), esc(t.HighLabel), esc(txt("or")), esc(link), esc(link),
		esc(txt("unsub")), esc(unsub), esc(unsub))
	return mailer.Message{To: d.Customer.Email, ToName: d.Customer.Name, Subject: subject, Text: plain.String(), HTML: body, Unsubscribe: unsub}
}
