package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// replyWorker mails agents' replies with threading headers, so the
// customer's answer comes back to the same case.
type replyWorker struct {
	river.WorkerDefaults[tp.SendCaseReply]
	db  *sqldb.Store
	cfg Config
}

func (w *replyWorker) Work(ctx context.Context, job *river.Job[tp.SendCaseReply]) error {
	a := job.Args
	r, err := w.db.Mail.ReplyFor(ctx, a.CaseID, a.EventID)
	if tp.ErrorCode(err) == tp.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if r.Sent {
		return nil
	}
	if r.Customer.Email == "" {
		return w.db.Mail.MarkReplyFailed(ctx, a.CaseID, a.EventID, "the customer has no e-mail address")
	}
	if w.cfg.Mailer == nil {
		return fmt.Errorf("no SMTP relay is configured (serve --smtp-relay); the reply on case %d waits", a.CaseID)
	}
	lang := r.Customer.Locale // the catalogue answers an unknown language in English
	subject := r.Case.Subject
	if !strings.HasPrefix(strings.ToLower(subject), "re:") {
		subject = "Re: " + subject
	}
	subject = fmt.Sprintf("%s [#%d]", subject, r.Case.ID)
	msgID, err := w.cfg.Mailer.Send(ctx, mailer.Message{To: r.Customer.Email, ToName: r.Customer.Name, Subject: subject,
		Text: r.Body + "\n\n" + i18n.T(lang, "mail.reply.signature"), InReplyTo: r.InReplyTo})
	if tp.ErrorCode(err) == tp.EINVALID {
		return w.db.Mail.MarkReplyFailed(ctx, a.CaseID, a.EventID, tp.ErrorMessage(err))
	}
	if err != nil {
		if job.Attempt >= job.MaxAttempts {
			_ = w.db.Mail.MarkReplyFailed(ctx, a.CaseID, a.EventID, err.Error())
		}
		return err
	}
	return w.db.Mail.MarkReplySent(ctx, a.CaseID, a.EventID, msgID)
}
