// Package smtpd takes complaints by e-mail: an SMTP listener (go-smtp) that
// stores every accepted message, and a parser (go-message) that turns it
// into a case or a reply on one.
package smtpd

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"

	_ "github.com/emersion/go-message/charset" // decode any charset go-message knows
	"github.com/emersion/go-message/mail"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Limits on what one message may carry.
const (
	MaxMessageBytes    = 25 << 20
	MaxAttachmentBytes = 10 << 20
	MaxTextBytes       = 200 << 10
)

// Parse reads a raw message. It returns what it could read even with an
// error, so a partly broken message still becomes a case.
func Parse(raw []byte) (*tp.InboundMail, error) {
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if r == nil {
		return nil, fmt.Errorf("not a mail message: %w", err)
	}
	m := &tp.InboundMail{}
	var problems []string
	if err != nil {
		problems = append(problems, err.Error()) // unknown charset and the like: the rest may still read
	}
	h := r.Header
	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		m.From, m.FromName = strings.ToLower(from[0].Address), from[0].Name
	} else if v := h.Get("From"); v != "" {
		problems = append(problems, "unreadable From: "+v)
	}
	if m.Subject, err = h.Subject(); err != nil {
		m.Subject = h.Get("Subject")
	}
	m.MessageID, _ = h.MessageID()
	for _, key := range []string{"In-Reply-To", "References"} {
		if ids, err := h.MsgIDList(key); err == nil {
			m.InReplyTo = append(m.InReplyTo, ids...)
		}
	}
	as := strings.ToLower(h.Get("Auto-Submitted"))
	prec := strings.ToLower(h.Get("Precedence"))
	m.AutoReply = (as != "" && as != "no") || h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" ||
		prec == "bulk" || prec == "auto_reply" || prec == "junk" || h.Get("List-Id") != ""
	var plain, htmlText string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			problems = append(problems, err.Error())
			break
		}
		switch ph := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := ph.ContentType()
			b, err := io.ReadAll(io.LimitReader(p.Body, MaxTextBytes))
			if err != nil {
				problems = append(problems, err.Error())
			}
			switch {
			case ct == "text/plain" && plain == "":
				plain = string(b)
			case ct == "text/html" && htmlText == "":
				htmlText = string(b)
			}
		case *mail.AttachmentHeader:
			a := tp.MailAttachment{}
			a.Filename, _ = ph.Filename()
			a.ContentType, _, _ = ph.ContentType()
			b, err := io.ReadAll(io.LimitReader(p.Body, MaxAttachmentBytes+1))
			if err != nil {
				problems = append(problems, err.Error())
			}
			if len(b) > MaxAttachmentBytes {
				a.Truncated = true
			} else {
				a.Data = b
			}
			m.Attachments = append(m.Attachments, a)
		}
	}
	m.Text = strings.TrimSpace(plain)
	if m.Text == "" && htmlText != "" {
		m.Text = HTMLText(htmlText)
	}
	if len(problems) > 0 {
		return m, errors.New(strings.Join(problems, "; "))
	}
	return m, nil
}

var (
	tagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	dropRE   = regexp.MustCompile(`(?is)<(script|style|head)[^>]*>.*?</(script|style|head)>`)
	breakRE  = regexp.MustCompile(`(?i)<(br|/p|/div|/li|/tr|/h[1-6])[^>]*>`)
	spacesRE = regexp.MustCompile(`[ \t]+`)
	blankRE  = regexp.MustCompile(`\n{3,}`)
)

// HTMLText renders an HTML-only mail as readable text.
func HTMLText(s string) string {
	s = dropRE.ReplaceAllString(s, "")
	s = breakRE.ReplaceAllString(s, "\n")
	s = tagRE.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = spacesRE.ReplaceAllString(s, " ")
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.TrimSpace(blankRE.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
