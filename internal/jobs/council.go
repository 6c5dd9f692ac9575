package jobs

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// councilInviteWorker mails a recruited customer their council invitation
// with the personal link, in their language. Who objected to being asked in
// the meantime, or answered already, gets nothing.
type councilInviteWorker struct {
	river.WorkerDefaults[tp.SendCouncilInvite]
	db  *sqldb.Store
	cfg Config
}

func (w *councilInviteWorker) Work(ctx context.Context, job *river.Job[tp.SendCouncilInvite]) error {
	m, email, c, skip, err := w.db.Council.InviteFor(ctx, job.Args.MemberID)
	if err != nil || skip {
		if tp.ErrorCode(err) == tp.ENOTFOUND { // erased since
			return nil
		}
		return err
	}
	if w.cfg.Mailer == nil { // retried with back-off, as survey invitations are
		return fmt.Errorf("no SMTP relay is configured (serve --smtp-relay); council invitation %d waits", m.ID)
	}
	lang := m.Locale
	if lang == "" {
		lang = "en"
	}
	link := w.cfg.PublicURL + "/c/" + m.Link
	_, err = w.cfg.Mailer.Send(ctx, mailer.Message{To: email, ToName: m.Name, Subject: i18n.T(lang, "council.mail.subject", c.Name),
		Text: i18n.T(lang, "council.mail.body", c.Name, link), Headers: map[string]string{"Content-Language": lang}})
	return err
}
