package touchpoint

import "testing"

func TestReplyTemplateFill(t *testing.T) {
	tpl := ReplyTemplate{Body: "Hallo {name}, Fall {case}: {subject}. {agent} {unknown}"}
	c := &Case{ID: 42, Subject: "Paket fehlt"}
	if got, want := tpl.Fill(c, &Customer{Name: "Jonas"}, "eva@example.com"), "Hallo Jonas, Fall #42: Paket fehlt. eva@example.com {unknown}"; got != want {
		t.Errorf("Fill = %q, want %q", got, want)
	}
	if got := tpl.Fill(c, &Customer{Email: "j@example.de"}, ""); got != "Hallo j@example.de, Fall #42: Paket fehlt.  {unknown}" {
		t.Errorf("Fill without a name = %q", got)
	}
}

func TestLanguageOf(t *testing.T) {
	for in, want := range map[string]string{"nl-BE": "nl", "de_AT": "de", "EN": "en", "fr-FR": "", "": ""} {
		if got := LanguageOf(in); got != want {
			t.Errorf("LanguageOf(%q) = %q, want %q", in, got, want)
		}
	}
}
