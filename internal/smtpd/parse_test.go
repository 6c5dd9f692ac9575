package smtpd

import (
	"strings"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
)

func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n"))
}

func TestParse(t *testing.T) {
	m, err := Parse(crlf(`
From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <Juergen@Example.DE>
To: complaints@cx.example.com
Subject: =?ISO-8859-1?Q?Paket_besch=E4digt?= [#42]
Message-ID: <m1@example.de>
In-Reply-To: <r1@cx.example.com>
References: <r0@cx.example.com> <r1@cx.example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Das Paket kam besch=E4digt an.
--b
Content-Type: application/pdf
Content-Disposition: attachment; filename="foto.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--b--
`))
	if err != nil {
		t.Fatal(err)
	}
	if m.From != "juergen@example.de" || m.FromName != "Jürgen Müller" || m.Subject != "Paket beschädigt [#42]" ||
		m.Text != "Das Paket kam beschädigt an." || m.MessageID != "m1@example.de" || len(m.InReplyTo) != 3 || m.AutoReply {
		t.Errorf("parsed %+v", m)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "foto.pdf" || string(m.Attachments[0].Data) != "%PDF-1.4\n" {
		t.Errorf("attachments %+v", m.Attachments)
	}
	if tp.CaseToken(m.Subject) != 42 || tp.CaseToken("no token") != 0 {
		t.Error("case token")
	}
}

func TestParseHTMLOnlyAndAutoReply(t *testing.T) {
	m, err := Parse(crlf(`
From: ana@example.nl
Subject: Klacht
Auto-Submitted: auto-replied
Content-Type: text/html; charset=utf-8

<html><head><style>p{}</style></head><body><p>Mijn <b>bestelling</b> &amp; factuur</p><p>kloppen niet</p><script>x()</script></body></html>
`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Mijn bestelling & factuur\nkloppen niet" || !m.AutoReply {
		t.Errorf("text %q, auto %v", m.Text, m.AutoReply)
	}
}

func TestParseBroken(t *testing.T) {
	m, err := Parse(crlf(`
From: x@example.com
Content-Type: multipart/mixed; boundary=nope

no boundary ever comes
`))
	if err == nil && m.Text != "" {
		t.Errorf("broken multipart read as %q", m.Text)
	}
	if m == nil || m.From != "x@example.com" {
		t.Errorf("the readable part is lost: %+v %v", m, err)
	}
	m, err = Parse(crlf(`
From: y@example.com
Content-Type: text/plain; charset=x-unknown-charset

text
`))
	if m == nil || m.From != "y@example.com" {
		t.Errorf("unknown charset: %+v %v", m, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(crlf("From: a@b.c\nSubject: s\n\nbody\n"))
	f.Add(crlf("From: a@b.c\nContent-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/html\n\n<p>hi</p>\n--x--\n"))
	f.Add(crlf("From: =?utf-8?B?w7w=?= <a@b.c>\nIn-Reply-To: <x@y>\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, _ := Parse(raw)
		if m == nil {
			return
		}
		for _, a := range m.Attachments {
			if len(a.Data) > MaxAttachmentBytes {
				t.Fatal("attachment over the limit kept")
			}
		}
		if len(m.Text) > MaxTextBytes {
			t.Fatalf("text of %d bytes", len(m.Text))
		}
	})
}
