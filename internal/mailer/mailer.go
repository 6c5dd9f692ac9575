// Package mailer sends e-mail through an SMTP relay: survey invitations now,
// case replies later. Messages are multipart (text and HTML) with proper
// threading and unsubscribe headers.
package mailer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Config says how to reach the relay.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // "none", "starttls" or "tls"
	From     string // sender address
	Timeout  time.Duration
	// InsecureSkipVerify accepts any certificate (only for tests and private relays).
	InsecureSkipVerify bool
}

// ParseURL reads a relay URL: smtp://user:pass@host:587?tls=starttls&from=cx@example.com.
// tls defaults by port: 465 tls, 587 starttls, others none.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return Config{}, tp.Errorf(tp.EINVALID, "the SMTP relay must look like smtp://user:password@host:587?tls=starttls&from=cx@example.com")
	}
	c := Config{Host: u.Hostname(), Port: 25, Timeout: 30 * time.Second}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil {
			return Config{}, tp.Errorf(tp.EINVALID, "bad SMTP port %q", p)
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	c.TLS = q.Get("tls")
	if c.TLS == "" {
		c.TLS = map[int]string{465: "tls", 587: "starttls"}[c.Port]
		if c.TLS == "" {
			c.TLS = "none"
		}
	}
	if c.TLS != "none" && c.TLS != "starttls" && c.TLS != "tls" {
		return Config{}, tp.Errorf(tp.EINVALID, "tls must be none, starttls or tls")
	}
	c.From = q.Get("from")
	if _, err := mail.ParseAddress(c.From); err != nil {
		return Config{}, tp.Errorf(tp.EINVALID, "the SMTP relay URL needs from=<sender address>")
	}
	c.InsecureSkipVerify = q.Get("insecure") == "1"
	return c, nil
}

// Message is one e-mail.
type Message struct {
	To          string
	ToName      string
	Subject     string
	Text        string
	HTML        string
	MessageID   string            // generated when empty
	InReplyTo   string            // threading
	Unsubscribe string            // URL for List-Unsubscribe
	Headers     map[string]string // more headers
	Attachments []Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// Mailer sends messages through one relay.
type Mailer struct {
	cfg Config
	now func() time.Time
}

// New returns a mailer for cfg.
func New(cfg Config) *Mailer { return &Mailer{cfg: cfg, now: time.Now} }

// Build renders m as a MIME message; it returns the bytes and the Message-ID.
func (mr *Mailer) Build(m Message) ([]byte, string, error) {
	var h mail.Header
	h.SetDate(mr.now())
	from, _ := mail.ParseAddress(mr.cfg.From)
	h.SetAddressList("From", []*mail.Address{from})
	h.SetAddressList("To", []*mail.Address{{Name: m.ToName, Address: m.To}})
	h.SetSubject(m.Subject)
	id := m.MessageID
	if id == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		domain := from.Address[strings.LastIndex(from.Address, "@")+1:]
		id = hex.EncodeToString(b) + "@" + domain
	}
	h.SetMessageID(id)
	if m.InReplyTo != "" {
		h.Set("In-Reply-To", "<"+m.InReplyTo+">")
		h.Set("References", "<"+m.InReplyTo+">")
	}
	if m.Unsubscribe != "" {
		h.Set("List-Unsubscribe", "<"+m.Unsubscribe+">")
		h.Set("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	h.Set("Auto-Submitted", "auto-generated") // replies from auto-responders are recognisable
	for k, v := range m.Headers {
		h.Set(k, v)
	}
	var buf bytes.Buffer
	w, err := mail.CreateWriter(&buf, h)
	if err != nil {
		return nil, "", err
	}
	iw, err := w.CreateInline()
	if err != nil {
		return nil, "", err
	}
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		if part.body == "" {
			continue
		}
		var ph mail.InlineHeader
		ph.SetContentType(part.typ, map[string]string{"charset": "utf-8"})
		pw, err := iw.CreatePart(ph)
		if err != nil {
			return nil, "", err
		}
		if _, err := pw.Write([]byte(part.body)); err != nil {
			return nil, "", err
		}
		pw.Close()
	}
	iw.Close()
	for _, a := range m.Attachments {
		var ah mail.AttachmentHeader
		ah.SetContentType(a.ContentType, nil)
		ah.SetFilename(a.Name)
		aw, err := w.CreateAttachment(ah)
		if err != nil {
			return nil, "", err
		}
		if _, err := aw.Write(a.Data); err != nil {
			return nil, "", err
		}
		aw.Close()
	}
	w.Close()
	return buf.Bytes(), id, nil
}

// Send delivers m and returns its Message-ID. A permanent refusal by the
// relay (5xx) is reported as EINVALID so callers record it as a bounce rather
// than retry; anything else may be retried.
func (mr *Mailer) Send(ctx context.Context, m Message) (string, error) {
	body, id, err := mr.Build(m)
	if err != nil {
		return "", err
	}
	c, err := mr.dial(ctx)
	if err != nil {
		return "", fmt.Errorf("connect to SMTP relay %s:%d: %w", mr.cfg.Host, mr.cfg.Port, err)
	}
	defer c.Close()
	if mr.cfg.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", mr.cfg.Username, mr.cfg.Password)); err != nil {
			return "", fmt.Errorf("SMTP login: %w", err)
		}
	}
	from, _ := mail.ParseAddress(mr.cfg.From)
	if err := c.SendMail(from.Address, []string{m.To}, bytes.NewReader(body)); err != nil {
		if se, ok := err.(*smtp.SMTPError); ok && se.Code >= 500 {
			return "", tp.Errorf(tp.EINVALID, "the relay refused the message to %s: %d %s", m.To, se.Code, se.Message)
		}
		return "", fmt.Errorf("send to %s: %w", m.To, err)
	}
	return id, c.Quit()
}

func (mr *Mailer) dial(ctx context.Context) (*smtp.Client, error) {
	addr := net.JoinHostPort(mr.cfg.Host, strconv.Itoa(mr.cfg.Port))
	d := net.Dialer{Timeout: mr.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else if mr.cfg.Timeout > 0 {
		_ = conn.SetDeadline(time.Now().Add(2 * mr.cfg.Timeout))
	}
	tc := &tls.Config{ServerName: mr.cfg.Host, InsecureSkipVerify: mr.cfg.InsecureSkipVerify}
	switch mr.cfg.TLS {
	case "tls":
		return smtp.NewClient(tls.Client(conn, tc)), nil
	case "starttls":
		return smtp.NewClientStartTLS(conn, tc)
	}
	return smtp.NewClient(conn), nil
}
