package mailer_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/mailer/smtptest"
)

func TestSendThroughRealSMTP(t *testing.T) {
	srv := smtptest.Start(t)
	srv.Reject = regexp.MustCompile(`^gone@`)
	cfg, err := mailer.ParseURL(fmt.Sprintf("smtp://user:pw@%s?from=cx@example.com", srv.Addr))
	if err != nil {
		t.Fatal(err)
	}
	m := mailer.New(cfg)
	id, err := m.Send(context.Background(), mailer.Message{To: "jürgen@example.de", ToName: "Jürgen Müller", Subject: "Wie war Ihre Lieferung?",
		Text: "Hallo Jürgen, bitte bewerten Sie: https://cx.example.com/s/abc", HTML: "<p>Hallo <b>Jürgen</b></p>", Unsubscribe: "https://cx.example.com/u/abc"})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 || got[0].To[0] != "jürgen@example.de" || got[0].From != "cx@example.com" {
		t.Fatalf("received %+v", got)
	}
	subject, text, err := got[0].Text()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := mail.CreateReader(bytes.NewReader(got[0].Data))
	msgID, _ := r.Header.MessageID()
	if subject != "Wie war Ihre Lieferung?" || msgID != id || !strings.Contains(r.Header.Get("List-Unsubscribe"), "/u/abc") {
		t.Errorf("headers: subject %q id %q (want %q) unsubscribe %q", subject, msgID, id, r.Header.Get("List-Unsubscribe"))
	}
	if !strings.Contains(text, "https://cx.example.com/s/abc") || !strings.Contains(text, "Jürgen") {
		t.Errorf("text part = %q", text)
	}
	// A refused recipient is a permanent failure (a bounce), not a retry.
	if _, err := m.Send(context.Background(), mailer.Message{To: "gone@example.com", Subject: "x", Text: "x"}); tp.ErrorCode(err) != tp.EINVALID {
		t.Errorf("refused recipient: %v", err)
	}
}

func TestParseURL(t *testing.T) {
	for raw, want := range map[string]string{
		"smtp://a:b@mail.example.com:587?from=cx@example.com": "starttls",
		"smtp://mail.example.com:465?from=cx@example.com":     "tls",
		"smtp://mail.example.com?from=cx@example.com":         "none",
	} {
		c, err := mailer.ParseURL(raw)
		if err != nil || c.TLS != want {
			t.Errorf("%s: %+v %v", raw, c, err)
		}
	}
	for _, bad := range []string{"http://x?from=a@b.c", "smtp://host:25", "smtp://host?from=a@b.c&tls=maybe", "::"} {
		if _, err := mailer.ParseURL(bad); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
