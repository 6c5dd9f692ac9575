package web_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestErrorsSpeakTheReadersLanguage: an API error's message is in the
// language the request asks for (?lang=, then Accept-Language, English by
// default) while its code and fields stay the same; a form's error on a page
// is in the user's language, a nested message translated with it.
func TestErrorsSpeakTheReadersLanguage(t *testing.T) {
	f := newFixture(t)
	apiErr := func(path, acceptLanguage string) (code, msg string) {
		req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+f.admin)
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		r := f.do(req)
		e, _ := r.JSON["error"].(map[string]any)
		code, _ = e["code"].(string)
		msg, _ = e["message"].(string)
		return code, msg
	}
	for _, c := range []struct{ path, lang, want string }{
		{"/api/v1/customers/999999", "", "customer 999999 not found"},
		{"/api/v1/customers/999999", "de-DE,de;q=0.9", "Kunde 999999 nicht gefunden"},
		{"/api/v1/customers/999999", "fr, nl;q=0.5", "Klant 999999 niet gevonden"},
		{"/api/v1/customers/999999?lang=nl", "de", "Klant 999999 niet gevonden"},
		{"/api/v1/nothing-here", "de", "Keine API-Route GET /api/v1/nothing-here; siehe /api/v1/openapi.json"},
	} {
		code, msg := apiErr(c.path, c.lang)
		if code != "not_found" || msg != c.want {
			t.Errorf("GET %s (Accept-Language %q): %s %q, want not_found %q", c.path, c.lang, code, msg, c.want)
		}
	}

	// Field reasons inside a message are translated too; the fields stay for programs.
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/segments", strings.NewReader(`{"name":"","conditions":[]}`))
	req.Header.Set("Authorization", "Bearer "+f.admin)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "de")
	r := f.do(req)
	e, _ := r.JSON["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	if want := "Das Segment ist nicht gültig: conditions: 1 bis 10 Bedingungen; name: erforderlich, höchstens 200 Zeichen"; e["message"] != want ||
		fields["name"] != "required, at most 200 characters" {
		t.Errorf("an empty segment in German: %v, want message %q and the English field reason", e, want)
	}

	// A form on a page: the admin's browser speaks German.
	b := f.login(t, "ada@example.com", "de")
	res, err := b.PostForm(f.srv.URL+"/admin/users", url.Values{"email": {"kim@example.com"}, "role": {"department_head"},
		"password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	body := string(raw)
	if res.StatusCode != 400 || !strings.Contains(html.UnescapeString(body), "Die Rolle department_head braucht eine Abteilung") {
		t.Errorf("a head without department, in German: %d, no German message in the page", res.StatusCode)
	}
	if strings.Contains(body, "needs a department") {
		t.Error("the English message is on the German page")
	}
}
