package smtpd

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Server receives complaint mail for its domains.
type Server struct {
	Intake  tp.MailIntake
	Domains []string // accepted recipient domains; others are refused (no relaying)
	Log     *slog.Logger

	srv *smtp.Server
}

// Serve accepts mail on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "touchpoint"
	s.srv.MaxMessageBytes = MaxMessageBytes
	s.srv.MaxRecipients = 50
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	s.srv.EnableSMTPUTF8 = true
	return s.srv.Serve(ln)
}

// Close stops accepting; messages being received are finished.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(context.Background())
}

func (s *Server) accepts(rcpt string) bool {
	at := strings.LastIndex(rcpt, "@")
	if at < 0 {
		return false
	}
	domain := strings.ToLower(rcpt[at+1:])
	for _, d := range s.Domains {
		if strings.EqualFold(strings.TrimSpace(d), domain) {
			return true
		}
	}
	return false
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !ss.s.accepts(to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "relaying denied: touchpoint takes mail for its own domains only"}
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data stores the message before answering: a 250 means it is stored. What
// it means is worked out next; a failure there is recorded, not bounced.
func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // over the size limit: go-smtp answers 552
	}
	// The mailbox is a public door: the policy sees the sender as the public.
	ctx := tp.WithAccess(context.Background(), tp.Access{Actor: "mail:" + ss.from, Role: tp.RolePublic})
	id, err := ss.s.Intake.RecordInbound(ctx, raw, ss.from, ss.to)
	if err != nil {
		ss.s.Log.Error("store inbound mail", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
	}
	m, perr := Parse(raw)
	outcome, caseID, err := ss.s.Intake.ProcessInbound(ctx, id, m, perr)
	if err != nil {
		ss.s.Log.Error("process inbound mail", "id", id, "err", err)
	}
	ss.s.Log.Info("inbound mail", "id", id, "from", ss.from, "outcome", outcome, "case", caseID, "bytes", len(raw))
	return nil
}
