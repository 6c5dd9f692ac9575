package web_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

// Redirects after login and after the language form stay on this site,
// whatever a link puts in next or back.
func TestNoOpenRedirect(t *testing.T) {
	f := newFixture(t)
	for _, next := range []string{"/\t/evil.example/x", "/%09/evil.example/x", "//evil.example", "/\\evil.example", "https://evil.example/",
		"javascript:alert(1)", "/\n/evil.example", "\t//evil.example", "/\x7f/evil.example", "", "evil.example", "/%5Cevil.example"} {
		b := f.browser("en")
		res, err := b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !onSite(loc) {
			t.Errorf("login with next=%q: %d → %q", next, res.StatusCode, loc)
		}
		res, err = b.PostForm(f.srv.URL+"/settings/language", url.Values{"language": {"en"}, "back": {next}})
		if err != nil {
			t.Fatal(err)
		}
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !onSite(loc) {
			t.Errorf("language form with back=%q: %d → %q", next, res.StatusCode, loc)
		}
		// The link itself (the query decodes %09 to a tab): the login page carries only a safe next.
		_, body := get(t, f.browser("en"), f.srv.URL+"/login?next="+url.PathEscape(next))
		m := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(body)
		if m == nil || !onSite(html.UnescapeString(m[1])) {
			t.Errorf("login page for next=%q carries %q", next, m)
		}
	}
	b := f.browser("en")
	res, _ := b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}, "next": {"/customers?q=ada"}})
	if loc := res.Header.Get("Location"); loc != "/customers?q=ada" {
		t.Errorf("a path of this site is kept: %q", loc)
	}
}

// onSite reports whether a browser following Location stays on this host.
func onSite(loc string) bool {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1 // browsers drop them
		}
		if r == '\\' {
			return '/'
		}
		return r
	}, loc)
	u, err := url.Parse(clean)
	return err == nil && u.Scheme == "" && u.Host == "" && strings.HasPrefix(clean, "/") && !strings.HasPrefix(clean, "//")
}

// Five wrong passwords in a row lock the account: the right one is refused
// until an admin lifts the lock; every attempt is in the audit log.
func TestSignInLockOut(t *testing.T) {
	f := newFixture(t)
	must(t, f.db.Users.CreateUser(ctx, &tp.User{Email: "bob@example.com", Role: tp.RoleAgent, Department: "Service"}, "bobs long password"))
	login := func(pw string) (int, string) {
		res, err := f.browser("en").PostForm(f.srv.URL+"/login", url.Values{"email": {"bob@example.com"}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for i := 1; i <= tp.LockAfter; i++ {
		code, _ := login("not bob's password")
		want := http.StatusUnauthorized
		if i == tp.LockAfter {
			want = http.StatusTooManyRequests
		}
		if code != want {
			t.Fatalf("wrong password %d: %d, want %d", i, code, want)
		}
	}
	if code, body := login("bobs long password"); code != http.StatusTooManyRequests || !strings.Contains(body, "locked") {
		t.Fatalf("the right password while locked: %d", code)
	}
	users := f.api("GET", "/api/v1/users", f.admin, "")
	var bob map[string]any
	for _, u := range users.JSON["users"].([]any) {
		if m := u.(map[string]any); m["email"] == "bob@example.com" {
			bob = m
		}
	}
	if bob == nil || bob["locked_until"] == nil {
		t.Fatalf("the user list does not show the lock: %v", bob)
	}
	if r := f.api("POST", "/api/v1/users/"+jsonID(bob["id"])+"/unlock", f.analyst, ""); r.Code != http.StatusForbidden {
		t.Errorf("an analyst unlocked: %d", r.Code)
	}
	if r := f.api("POST", "/api/v1/users/"+jsonID(bob["id"])+"/unlock", f.admin, ""); r.Code != http.StatusNoContent {
		t.Fatalf("unlock: %d %s", r.Code, r.Body)
	}
	if code, _ := login("bobs long password"); code != http.StatusSeeOther {
		t.Fatalf("after the unlock: %d", code)
	}
	log := f.api("GET", "/api/v1/audit?action=auth.", f.admin, "")
	counts := map[string]int{}
	for _, e := range log.JSON["entries"].([]any) {
		m := e.(map[string]any)
		if m["actor"] == "user:bob@example.com" || m["action"] == tp.AuditUnlocked {
			counts[m["action"].(string)]++
		}
	}
	if counts[tp.AuditLoginFailed] != tp.LockAfter+1 || counts[tp.AuditLocked] != 1 || counts[tp.AuditUnlocked] != 1 || counts[tp.AuditLogin] != 1 {
		t.Errorf("audit log of bob's sign-ins: %v", counts)
	}
}

// Ten failed sign-ins from one address, to any accounts, hold back the
// next attempt from there, even a right one, with a clear message.
func TestSignInThrottledPerAddress(t *testing.T) {
	f := newFixture(t)
	for i := range 10 {
		res, _ := f.browser("de").PostForm(f.srv.URL+"/login", url.Values{"email": {"guess" + jsonID(float64(i)) + "@example.com"}, "password": {"wrong password!"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	res, _ := f.browser("de").PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), "Zu viele fehlgeschlagene Anmeldungen") {
		t.Errorf("11th attempt from the address: %d", res.StatusCode)
	}
}

// API token use is in the audit log: every change, reads once an hour per
// route; exports are too.
func TestAuditOfTokensAndExports(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		if r := f.api("GET", "/api/v1/surveys", f.analyst, ""); r.Code != 200 {
			t.Fatal(r.Code)
		}
	}
	if r := f.api("POST", "/api/v1/segments", f.analyst, `{"name":"VIP","conditions":[{"kind":"trait","key":"plan","op":"eq","value":"vip"}]}`); r.Code != 201 {
		t.Fatal(r.Code, string(r.Body))
	}
	if r := f.api("GET", "/api/v1/cases?format=csv", f.analyst, ""); r.Code != 200 {
		t.Fatal(r.Code)
	}
	log := f.api("GET", "/api/v1/audit?actor=token:bi", f.admin, "")
	var reads, changes, exports int
	for _, e := range log.JSON["entries"].([]any) {
		m := e.(map[string]any)
		switch {
		case m["action"] == tp.AuditTokenUse && m["object"] == "GET /api/v1/surveys":
			reads++
		case m["action"] == tp.AuditTokenUse && m["object"] == "POST /api/v1/segments":
			changes++
		case m["action"] == tp.AuditExport:
			exports++
		}
	}
	if reads != 1 || changes != 1 || exports != 1 {
		t.Errorf("token reads %d (want 1 for three), changes %d, exports %d: %s", reads, changes, exports, log.Body)
	}
	// The log exports too, and the export is itself recorded.
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/audit?format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+f.admin)
	r := f.do(req)
	if r.Code != 200 || !strings.Contains(string(r.Body), "id,at,actor,action") || !strings.Contains(string(r.Body), "token:bi") {
		t.Errorf("audit export: %d %.200s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/audit", f.analyst, ""); r.Code != http.StatusForbidden {
		t.Errorf("an analyst read the audit log: %d", r.Code)
	}
}

// jsonID writes a JSON number (an id) as a path segment.
func jsonID(v any) string { f, _ := v.(float64); return fmt.Sprint(int64(f)) }

// Export, consent and erasure over the API: the export holds the person as
// JSON and as a ZIP with the attachment; an erasure needs the id repeated.
func TestPrivacyAPI(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/identify", `{"userId":"p-1","traits":{"name":"Ilse Privatfrau","email":"ilse@example.de"},"context":{"consent":{"categoryPreferences":{"marketing":true,"Advertising":true}}}}`)
	c, err := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "p-1"})
	must(t, err)
	path := fmt.Sprintf("/api/v1/customers/%d", c.ID)
	r := f.api("GET", path+"/consents", f.analyst, "")
	if r.Code != 200 || !strings.Contains(string(r.Body), `"purpose":"marketing","granted":true,"default":false,"source":"source:Web shop"`) {
		t.Errorf("consents from the SDK: %d %s", r.Code, r.Body)
	}
	if r := f.api("PUT", path+"/consents", f.analyst, `{"purpose":"survey","granted":false}`); r.Code != 403 {
		t.Errorf("an analyst recorded a consent: %d", r.Code)
	}
	if r := f.api("PUT", path+"/consents", f.admin, `{"purpose":"survey"}`); r.Code != 400 {
		t.Errorf("a consent without granted: %d", r.Code)
	}
	if r := f.api("PUT", path+"/consents", f.admin, `{"purpose":"survey","granted":false}`); r.Code != 200 || !strings.Contains(string(r.Body), `"source":"token:admin"`) {
		t.Errorf("record an objection: %d %s", r.Code, r.Body)
	}
	r = f.api("GET", path+"/export", f.admin, "")
	if r.Code != 200 || !strings.Contains(string(r.Body), "Ilse Privatfrau") || !strings.Contains(string(r.Body), `"customer_traits"`) {
		t.Errorf("export: %d %.300s", r.Code, r.Body)
	}
	r = f.api("GET", path+"/export?format=zip", f.admin, "")
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if r.Code != 200 || err != nil || len(zr.File) == 0 || zr.File[0].Name != "export.json" {
		t.Errorf("zip export: %d %v", r.Code, err)
	}
	if r := f.api("GET", path+"/export", f.analyst, ""); r.Code != 403 {
		t.Errorf("an analyst exported: %d", r.Code)
	}
	if r := f.api("POST", path+"/erase", f.admin, `{"confirm": 999}`); r.Code != 400 {
		t.Errorf("an erasure with the wrong id: %d", r.Code)
	}
	r = f.api("POST", path+"/erase", f.admin, fmt.Sprintf(`{"confirm": %d}`, c.ID))
	if r.Code != 200 || !strings.Contains(string(r.Body), `"scrub":"done"`) {
		t.Fatalf("erase: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", path, f.admin, ""); strings.Contains(string(r.Body), "Ilse") {
		t.Errorf("the profile still names the person: %s", r.Body)
	}
	// The SDK sends her again: acknowledged, dropped.
	f.track("/v1/identify", `{"userId":"p-1","traits":{"name":"Ilse Privatfrau"}}`)
	if _, err := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "p-1"}); tp.ErrorCode(err) != tp.ENOTFOUND {
		t.Errorf("the erased person came back: %v", err)
	}
}

// The privacy page describes every table of the customer-data list, and
// its rules, in each language.
func TestCustomerDataIsDescribed(t *testing.T) {
	f := newFixture(t)
	list, err := f.db.Privacy.CustomerDataList(ctx)
	must(t, err)
	for _, d := range list {
		if !i18n.Has("data." + d.Table) {
			t.Errorf("no description data.%s in the catalogue", d.Table)
		}
		if !i18n.Has("merge.rule."+d.Merge) || !i18n.Has("erase.rule."+d.Erase) {
			t.Errorf("%s: rules %s/%s not in the catalogue", d.Table, d.Merge, d.Erase)
		}
	}
}

// TestDeactivatedUserCannotSignIn: deactivating on the users page ends the
// user's session and refuses their next sign-in with a clear message.
func TestDeactivatedUserCannotSignIn(t *testing.T) {
	f := newFixture(t)
	agent := &tp.User{Email: "leaver@example.com", Role: tp.RoleAgent, Department: "Service"}
	if err := f.db.Users.CreateUser(ctx, agent, "a long passphrase"); err != nil {
		t.Fatal(err)
	}
	leaver := f.browser("en")
	leaver.PostForm(f.srv.URL+"/login", url.Values{"email": {"leaver@example.com"}, "password": {"a long passphrase"}})
	if code, _ := get(t, leaver, f.srv.URL+"/cases"); code != 200 {
		t.Fatalf("before: %d", code)
	}
	admin := f.browser("en")
	admin.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	res, err := admin.PostForm(fmt.Sprintf("%s/admin/users/%d", f.srv.URL, agent.ID), url.Values{"role": {"agent"}, "department": {"Service"}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("deactivate: %v %d", err, res.StatusCode)
	}
	if code, _ := get(t, leaver, f.srv.URL+"/cases"); code != 303 {
		t.Errorf("the session lived on: %d", code)
	}
	res, _ = leaver.PostForm(f.srv.URL+"/login", url.Values{"email": {"leaver@example.com"}, "password": {"a long passphrase"}})
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 403 || !strings.Contains(string(b), "deactivated") {
		t.Errorf("sign-in after deactivation: %d", res.StatusCode)
	}
	if _, page := get(t, admin, f.srv.URL+"/admin/users"); !strings.Contains(page, "deactivated") {
		t.Error("the users page does not show the deactivation")
	}
	// The admin cannot deactivate themselves.
	users, _ := f.db.Users.ListUsers(ctx)
	for _, u := range users {
		if u.Email == "ada@example.com" {
			res, _ := admin.PostForm(fmt.Sprintf("%s/admin/users/%d", f.srv.URL, u.ID), url.Values{"role": {"admin"}})
			if l, _ := url.QueryUnescape(res.Header.Get("Location")); !strings.Contains(l, "cannot") {
				t.Errorf("self-deactivation: %s", l)
			}
		}
	}
}
