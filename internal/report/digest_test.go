package report

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

// TestDigestMailHTML: the HTML part carries what the text part does, in the
// reader's language, with the customers' words escaped.
func TestDigestMailHTML(t *testing.T) {
	from := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	d := tp.Digest{Department: "Service", From: from, To: from.AddDate(0, 0, 7),
		Best:    []tp.Verbatim{{Type: tp.SurveyNPS, Score: 10, Survey: "NPS", Comment: "Anna war <b>super</b>"}},
		Worst:   []tp.Verbatim{{Type: tp.SurveyNPS, Score: 1, Survey: "NPS", Comment: "<script>alert(1)</script>"}},
		Actions: []tp.ActionItem{{Title: "Rückruf binnen eines Tages", Due: "2026-12-15"}}}
	subject, text, html := DigestMail("de", d, "https://cx.example.com/digest", "https://cx.example.com/digest/unsubscribe/x")
	if !strings.Contains(subject, "Woche ab 2026-11-23") || !strings.Contains(text, "Anna war <b>super</b>") {
		t.Errorf("text part: %q", text)
	}
	for _, want := range []string{`lang="de"`, "Die besten Kommentare der Woche", "Anna war &lt;b&gt;super&lt;/b&gt;", "&lt;script&gt;", "Rückruf binnen eines Tages",
		`href="https://cx.example.com/digest/unsubscribe/x"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML part lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Error("a comment's markup reached the HTML part")
	}
}

func TestDigestUsesKnownKeys(t *testing.T) {
	for _, m := range regexp.MustCompile(`t \$?\.Lang "([a-z0-9._]+)"`).FindAllStringSubmatch(digestHTML, -1) {
		if !i18n.Has(m[1]) {
			t.Errorf("digest.html uses unknown catalogue key %q", m[1])
		}
	}
}
