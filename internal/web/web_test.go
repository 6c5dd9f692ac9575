package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/app"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
	"github.com/touchpoint-cx/touchpoint/internal/jobs"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
	"github.com/touchpoint-cx/touchpoint/internal/web"
)

var ctx = tp.WithAccess(context.Background(), tp.SystemAccess) // set-up and checks act as the system

type fixture struct {
	t        *testing.T
	db       *sqldb.Store
	server   *web.Server
	srv      *httptest.Server
	writeKey string
	admin    string // API token
	analyst  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := sqldbtest.SQLite(t)
	// Jobs are stored (not worked): sends queue as they would in production.
	if _, err := jobs.Open(ctx, db, jobs.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Fatal(err)
	}
	s := app.WebServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	src := &tp.Source{Name: "Web shop", Channel: "web", Department: "Sales", Division: "Online"}
	if err := db.Sources.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	admin, _ := db.Users.CreateToken(ctx, &tp.Token{Name: "admin", Role: tp.RoleAdmin})
	analyst, _ := db.Users.CreateToken(ctx, &tp.Token{Name: "bi", Role: tp.RoleAnalyst})
	if err := db.Users.CreateUser(ctx, &tp.User{Email: "ada@example.com", Role: tp.RoleAdmin}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, db: db, server: s, srv: srv, writeKey: src.WriteKey, admin: admin, analyst: analyst}
}

// analyze does what the text job does.
func (f *fixture) analyze() {
	f.t.Helper()
	for {
		n, err := f.db.Text.AnalyzePending(ctx, f.server.Analyzer, 500)
		if err != nil {
			f.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

type resp struct {
	Code int
	Body []byte
	JSON map[string]any
}

func (f *fixture) do(req *http.Request) resp {
	f.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := resp{Code: res.StatusCode, Body: b}
	_ = json.Unmarshal(b, &r.JSON)
	return r
}

func (f *fixture) track(path, body string, mod ...func(*http.Request)) resp {
	req, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(f.writeKey, "")
	for _, m := range mod {
		m(req)
	}
	r := f.do(req)
	f.drain()
	return r
}

// drain waits until the intake's resolver has stored what was acknowledged.
func (f *fixture) drain() {
	f.t.Helper()
	if err := f.db.DrainIntake(ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) api(method, path, token, body string) resp {
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return f.do(req)
}

func errCode(r resp) string {
	e, _ := r.JSON["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (f *fixture) eventCount() int {
	f.t.Helper()
	cs, _ := f.db.Customers.FindCustomers(ctx, tp.CustomerFilter{Limit: 200})
	n := 0
	for _, c := range cs {
		tl, _ := f.db.Customers.Timeline(ctx, c.ID, tp.TimelineFilter{Limit: 500})
		n += len(tl.Events)
	}
	return n
}

func TestTrackingCallsBuildOneProfile(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ path, body string }{
		{"/v1/page", `{"anonymousId":"a-1","name":"Home","messageId":"p1"}`},
		{"/v1/identify", `{"userId":"u-1","anonymousId":"a-1","messageId":"i1","traits":{"email":"Ada@Example.com","name":"Ada"}}`},
		{"/v1/track", `{"userId":"u-1","event":"Order Completed","messageId":"t1","properties":{"total":10}}`},
		{"/v1/screen", `{"userId":"u-1","name":"Cart","messageId":"s1"}`},
		{"/v1/group", `{"userId":"u-1","groupId":"acme","messageId":"g1","traits":{"name":"ACME"}}`},
		{"/v1/alias", `{"userId":"u-1","previousId":"old-1","messageId":"al1"}`},
	} {
		if r := f.track(c.path, c.body); r.Code != 200 || r.JSON["success"] != true {
			t.Fatalf("%s: %d %s", c.path, r.Code, r.Body)
		}
	}
	// A replay is acknowledged and stored once.
	if r := f.track("/v1/track", `{"userId":"u-1","event":"Order Completed","messageId":"t1"}`); r.Code != 200 {
		t.Fatalf("replay: %d", r.Code)
	}
	r := f.api("GET", "/api/v1/customers/by-identity?type=email&value=ADA@example.com", f.admin, "")
	if r.Code != 200 || r.JSON["name"] != "Ada" {
		t.Fatalf("by-identity: %d %s", r.Code, r.Body)
	}
	id := int64(r.JSON["id"].(float64))
	r = f.api("GET", fmt.Sprintf("/api/v1/customers/%d/timeline?limit=4", id), f.admin, "")
	evs := r.JSON["events"].([]any)
	if r.Code != 200 || len(evs) != 4 || r.JSON["next_cursor"] == "" {
		t.Fatalf("timeline: %d %s", r.Code, r.Body)
	}
	r = f.api("GET", fmt.Sprintf("/api/v1/customers/%d/timeline?cursor=%s", id, r.JSON["next_cursor"]), f.admin, "")
	if n := len(r.JSON["events"].([]any)); n != 2 {
		t.Errorf("second page has %d events, want 2", n)
	}
	if a := f.api("GET", "/api/v1/customers/by-identity?type=anonymous_id&value=old-1", f.admin, ""); int64(a.JSON["id"].(float64)) != id {
		t.Errorf("alias previousId is not on the profile: %s", a.Body)
	}
}

func TestTrackingBatchGzipAndBodyWriteKey(t *testing.T) {
	f := newFixture(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	fmt.Fprintf(zw, `{"writeKey":%q,"batch":[{"type":"track","event":"A","userId":"u"},{"type":"track","event":"B","userId":"u"}]}`, f.writeKey)
	zw.Close()
	req, _ := http.NewRequest("POST", f.srv.URL+"/v1/batch", &buf)
	req.Header.Set("Content-Encoding", "gzip")
	if r := f.do(req); r.Code != 200 {
		t.Fatalf("gzip batch with body writeKey: %d %s", r.Code, r.Body)
	}
	f.drain()
	if n := f.eventCount(); n != 2 {
		t.Errorf("%d events stored, want 2", n)
	}
	if r := f.track("/v1/import", `{"batch":[{"type":"identify","userId":"u","traits":{"plan":"gold"}}]}`); r.Code != 200 {
		t.Errorf("import: %d %s", r.Code, r.Body)
	}
}

func TestTrackingErrorsStoreNothing(t *testing.T) {
	f := newFixture(t)
	big := strings.Repeat("x", 33<<10)
	for _, c := range []struct {
		name, path, body string
		mod              func(*http.Request)
		code             int
		errCode, words   string
	}{
		{"unknown key", "/v1/track", `{"userId":"u","event":"e"}`, func(r *http.Request) { r.SetBasicAuth("wk_nope", "") }, 401, "unauthorized", "unknown write key"},
		{"no key", "/v1/track", `{"userId":"u","event":"e"}`, func(r *http.Request) { r.Header.Del("Authorization") }, 401, "unauthorized", "no write key"},
		{"malformed", "/v1/track", `{"userId":"u",`, nil, 400, "invalid", "malformed JSON"},
		{"wrong type", "/v1/identify", `{"userId":"u","traits":"x"}`, nil, 400, "invalid", "traits must be an object"},
		{"no identity", "/v1/track", `{"event":"e"}`, nil, 400, "invalid", "no identity"},
		{"oversize", "/v1/track", `{"userId":"u","event":"e","properties":{"x":"` + big + `"}}`, nil, 400, "too_large", "32 KB"},
		{"every batch member bad", "/v1/batch", `{"batch":[{"type":"track","userId":"u"},{"type":"track","event":"x"}]}`, nil, 400, "invalid", "every message"},
		{"not gzip", "/v1/batch", `{"batch":[]}`, func(r *http.Request) { r.Header.Set("Content-Encoding", "gzip") }, 400, "invalid", "gzip"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var mods []func(*http.Request)
			if c.mod != nil {
				mods = append(mods, c.mod)
			}
			r := f.track(c.path, c.body, mods...)
			msg, _ := r.JSON["error"].(map[string]any)["message"].(string)
			if r.Code != c.code || errCode(r) != c.errCode || !strings.Contains(msg, c.words) {
				t.Errorf("got %d %s, want %d %s containing %q", r.Code, r.Body, c.code, c.errCode, c.words)
			}
		})
	}
	if n := f.eventCount(); n != 0 {
		t.Errorf("%d events stored after only bad requests", n)
	}
}

func TestAPIAuthAndErrors(t *testing.T) {
	f := newFixture(t)
	if r := f.api("GET", "/api/v1/customers", "", ""); r.Code != 401 || errCode(r) != "unauthorized" {
		t.Errorf("no token: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/customers", "tp_wrong", ""); r.Code != 401 {
		t.Errorf("bad token: %d", r.Code)
	}
	if r := f.api("GET", "/api/v1/customers/by-identity?type=email&value=nobody@example.com", f.admin, ""); r.Code != 404 || errCode(r) != "not_found" {
		t.Errorf("unknown identity: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/customers/by-identity?type=email&value=not-an-email", f.admin, ""); r.Code != 400 {
		t.Errorf("bad e-mail: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/customers/abc", f.admin, ""); r.Code != 400 {
		t.Errorf("bad id: %d", r.Code)
	}
	if r := f.api("GET", "/api/v1/customers/1/timeline?limit=9999", f.admin, ""); r.Code != 400 && r.Code != 404 {
		t.Errorf("huge limit: %d", r.Code)
	}
	if r := f.api("POST", "/api/v1/customers/1/unmerge", f.analyst, `{"merge_id":1}`); r.Code != 403 {
		t.Errorf("analyst unmerge: %d", r.Code)
	}
	if r := f.api("POST", "/api/v1/customers/1/unmerge", f.admin, `{"merge":1}`); r.Code != 400 {
		t.Errorf("unknown field: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/nope", f.admin, ""); r.Code != 404 || errCode(r) != "not_found" {
		t.Errorf("unknown route: %d %s", r.Code, r.Body)
	}
	r := f.api("POST", "/api/v1/sources", f.admin, `{"name":"POS","channel":"store"}`)
	if r.Code != 201 || !strings.HasPrefix(r.JSON["write_key"].(string), "wk_") {
		t.Errorf("create source: %d %s", r.Code, r.Body)
	}
	if r := f.api("POST", "/api/v1/sources", f.admin, `{"name":"X","channel":"fax"}`); r.Code != 400 || r.JSON["error"].(map[string]any)["fields"] == nil {
		t.Errorf("bad channel: %d %s", r.Code, r.Body)
	}
}

func TestUnmergeOverAPI(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/identify", `{"userId":"u-1","traits":{"email":"a@example.com","plan":"basic"}}`)
	f.track("/v1/identify", `{"anonymousId":"anon","traits":{"phone":"+31611112222"}}`)
	f.track("/v1/identify", `{"userId":"u-1","anonymousId":"anon"}`)
	c := f.api("GET", "/api/v1/customers/by-identity?type=user_id&value=u-1", f.admin, "")
	merges, _ := c.JSON["merges"].([]any)
	if len(merges) != 1 {
		t.Fatalf("merges = %s", c.Body)
	}
	m := merges[0].(map[string]any)
	path := fmt.Sprintf("/api/v1/customers/%v/unmerge", c.JSON["id"])
	r := f.api("POST", path, f.admin, fmt.Sprintf(`{"merge_id":%v}`, m["id"]))
	if r.Code != 200 || r.JSON["restored"].(map[string]any)["phone"] != "+31611112222" {
		t.Fatalf("unmerge: %d %s", r.Code, r.Body)
	}
	if r := f.api("POST", path, f.admin, fmt.Sprintf(`{"merge_id":%v}`, m["id"])); r.Code != 409 {
		t.Errorf("second unmerge: %d", r.Code)
	}
}

func TestOps(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/track", `{"userId":"u","event":"e"}`)
	if r := f.api("GET", "/healthz", "", ""); r.Code != 200 || r.JSON["status"] != "ok" {
		t.Errorf("healthz: %d %s", r.Code, r.Body)
	}
	r := f.api("GET", "/metrics", "", "")
	for _, want := range []string{"touchpoint_events_ingested_total 1", `touchpoint_http_requests_total{code="200",route="POST /v1/track"} 1`, "touchpoint_customer_merges_total"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	r = f.api("GET", "/api/v1/openapi.json", "", "")
	paths, _ := r.JSON["paths"].(map[string]any)
	for _, p := range []string{"/v1/batch", "/v1/identify", "/v1/responses/{token}", "/v1/surveys/{id}/responses"} {
		if paths[p] == nil {
			t.Errorf("openapi lacks %s", p)
		}
	}
	// Every /api/v1 route of routes.go is documented.
	src, _ := os.ReadFile("routes.go")
	for _, m := range regexp.MustCompile(`"(?:GET|POST|PUT|PATCH|DELETE) (/api/v1/[^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		if m[1] != "/api/v1/openapi.json" && paths[m[1]] == nil {
			t.Errorf("openapi lacks %s", m[1])
		}
	}
	f.db.Close()
	if r := f.api("GET", "/healthz", "", ""); r.Code != 503 {
		t.Errorf("healthz with the database closed: %d", r.Code)
	}
}

// browser is a cookie-keeping client that does not follow redirects.
func (f *fixture) browser(lang string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: langTransport(lang)}
}

type langTransport string

func (l langTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r.Header.Set("Accept-Language", string(l))
	return http.DefaultTransport.RoundTrip(r)
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestUILoginSearchCustomerPage(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/identify", `{"userId":"u-7","traits":{"name":"Jürgen <b>Müller</b>","email":"j@example.de"}}`)
	f.track("/v1/track", `{"userId":"u-7","event":"Order Completed","properties":{"total":12}}`)
	b := f.browser("de-DE,de;q=0.9,en;q=0.5")
	if code, _ := get(t, b, f.srv.URL+"/customers"); code != 303 {
		t.Fatalf("anonymous /customers: %d, want redirect to login", code)
	}
	res, err := b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"wrong password!"}})
	if err != nil || res.StatusCode != 401 {
		t.Fatalf("bad login: %v %d", err, res.StatusCode)
	}
	res, err = b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}, "next": {"/customers?q=m%C3%BCller"}})
	if err != nil || res.StatusCode != 303 || res.Header.Get("Location") != "/customers?q=m%C3%BCller" {
		t.Fatalf("login: %v %d %s", err, res.StatusCode, res.Header.Get("Location"))
	}
	code, body := get(t, b, f.srv.URL+"/customers?q=m%C3%BCller")
	if code != 200 || !strings.Contains(body, "Kunden") || !strings.Contains(body, "Jürgen &lt;b&gt;Müller&lt;/b&gt;") {
		t.Fatalf("search page (de, escaped): %d\n%s", code, body)
	}
	c, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "u-7"})
	code, body = get(t, b, fmt.Sprintf("%s/customers/%d", f.srv.URL, c.ID))
	if code != 200 || !strings.Contains(body, "Order Completed") || !strings.Contains(body, "Zeitleiste") || !strings.Contains(body, "u-7") {
		t.Fatalf("customer page: %d\n%s", code, body)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/customers/%d/timeline?channel=web", f.srv.URL, c.ID), nil)
	req.Header.Set("HX-Request", "true")
	res, _ = b.Do(req)
	frag, _ := io.ReadAll(res.Body)
	if strings.Contains(string(frag), "<html") || !strings.Contains(string(frag), "Order Completed") {
		t.Errorf("htmx timeline fragment: %s", frag)
	}
	if code, _ := get(t, b, f.srv.URL+"/customers/999999"); code != 404 {
		t.Errorf("unknown customer page: %d", code)
	}
}

func TestUIAdminAndLanguage(t *testing.T) {
	f := newFixture(t)
	b := f.browser("nl")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	if _, body := get(t, b, f.srv.URL+"/admin"); !strings.Contains(body, "Bronnen") {
		t.Errorf("admin page not in Dutch")
	}
	res, _ := b.PostForm(f.srv.URL+"/admin/sources", url.Values{"name": {"Stores"}, "channel": {"store"}, "department": {"Sales"}})
	created, _ := io.ReadAll(res.Body)
	key := regexp.MustCompile(`id="new-key">(wk_[A-Za-z0-9_-]+)<`).FindSubmatch(created)
	if res.StatusCode != 200 || key == nil {
		t.Fatalf("create source: %d, no write key shown once", res.StatusCode)
	}
	// The key works, is shown once and is not stored in plain text.
	if src, err := f.db.Sources.FindSourceByWriteKey(ctx, string(key[1])); err != nil || src.Name != "Stores" {
		t.Errorf("the key shown does not find its source: %v", err)
	}
	if _, body := get(t, b, f.srv.URL+"/admin"); strings.Contains(body, string(key[1])) {
		t.Error("the write key is shown again on the admin page")
	}
	res, _ = b.PostForm(f.srv.URL+"/admin/tokens", url.Values{"name": {"ci"}, "role": {"analyst"}})
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(body), "tp_") {
		t.Fatalf("create token: %d", res.StatusCode)
	}
	res, _ = b.PostForm(f.srv.URL+"/settings/language", url.Values{"language": {"en"}, "back": {"/admin"}})
	if res.StatusCode != 303 {
		t.Fatalf("set language: %d", res.StatusCode)
	}
	if _, body := get(t, b, f.srv.URL+"/admin"); !strings.Contains(body, "Sources") || !strings.Contains(body, "Stores") {
		t.Errorf("language setting ignored or source missing")
	}
	// A cross-origin form post is refused.
	req, _ := http.NewRequest("POST", f.srv.URL+"/admin/sources", strings.NewReader("name=evil&channel=web"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, _ = b.Do(req)
	if res.StatusCode != 403 {
		t.Errorf("cross-site post: %d", res.StatusCode)
	}
}

// TestKPIDefinitions: /kpis and /api/v1/kpis show every registered metric,
// in the user's language.
func TestKPIDefinitions(t *testing.T) {
	f := newFixture(t)
	r := f.api("GET", "/api/v1/kpis?lang=de", f.analyst, "")
	kpis, _ := r.JSON["kpis"].([]any)
	if r.Code != 200 || len(kpis) != len(tp.Metrics)+len(tp.CaseMetrics)+len(tp.CustomerMetrics)+1 { // and CSAT after case
		t.Fatalf("api: %d, %d definitions", r.Code, len(kpis))
	}
	b := f.browser("de")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	code, page := get(t, b, f.srv.URL+"/kpis")
	if code != 200 {
		t.Fatalf("/kpis: %d", code)
	}
	for _, m := range append(append(append([]tp.MetricDef{}, tp.Metrics...), tp.CaseMetrics...), tp.CustomerMetrics...) {
		if !strings.Contains(page, `id="kpi-`+m.ID+`"`) || !strings.Contains(page, html.EscapeString(i18n.KPIName("de", m))) {
			t.Errorf("/kpis lacks %s (%s)", m.ID, i18n.KPIName("de", m))
		}
	}
}

// TestActionsAPI: create, list, read and update action items over the API,
// with clear errors for bad input.
func TestActionsAPI(t *testing.T) {
	f := newFixture(t)
	r := f.api("POST", "/api/v1/actions", f.admin, `{"title":"Second carrier","department":"Logistics","due":"2026-12-15","kpi":"nps","slice":"division=Online"}`)
	if r.Code != 201 || r.JSON["status"] != "open" {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	id := int64(r.JSON["id"].(float64))
	if r := f.api("POST", "/api/v1/actions", f.admin, `{"title":"x","department":"Logistics","due":"soon","kpi":"mood"}`); r.Code != 400 ||
		!strings.Contains(string(r.Body), `"due"`) || !strings.Contains(string(r.Body), `"kpi"`) {
		t.Errorf("bad item: %d %s", r.Code, r.Body)
	}
	if r := f.api("POST", "/api/v1/actions", f.analyst, `{"title":"x","department":"Logistics","due":"2026-12-15"}`); r.Code != 403 {
		t.Errorf("analyst creates: %d", r.Code)
	}
	if r := f.api("GET", "/api/v1/actions?status=open", f.analyst, ""); r.Code != 200 || len(r.JSON["actions"].([]any)) != 1 {
		t.Errorf("list: %d %s", r.Code, r.Body)
	}
	if r := f.api("PATCH", fmt.Sprintf("/api/v1/actions/%d", id), f.admin, `{"status":"done","comment":"Signed."}`); r.Code != 200 || r.JSON["status"] != "done" {
		t.Errorf("update: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", fmt.Sprintf("/api/v1/actions/%d", id), f.analyst, ""); r.Code != 200 || len(r.JSON["comments"].([]any)) != 1 {
		t.Errorf("get: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/actions/999", f.admin, ""); r.Code != 404 {
		t.Errorf("unknown item: %d", r.Code)
	}
}

// One bad message does not sink its batch: the good ones are stored, the
// bad one is named in the answer and kept in the source's quarantine.
func TestBatchKeepsGoodMessagesAndQuarantinesBad(t *testing.T) {
	f := newFixture(t)
	r := f.track("/v1/batch", `{"batch":[{"type":"track","event":"Ok","userId":"u1","timestamp":"2026-10-14t09:30:00+0200"},`+
		`{"type":"track","userId":"u1","messageId":"bad-1","properties":{"email":"leak@example.com"}},`+
		`{"type":"page","name":"Home","anonymousId":"a1","timestamp":"2026-10-14T09:30:00"}]}`)
	if r.Code != 200 || r.JSON["accepted"].(float64) != 2 {
		t.Fatalf("batch: %d %s", r.Code, r.Body)
	}
	rej := r.JSON["rejected"].([]any)
	if len(rej) != 1 || rej[0].(map[string]any)["index"].(float64) != 1 || rej[0].(map[string]any)["messageId"] != "bad-1" ||
		!strings.Contains(rej[0].(map[string]any)["reason"].(string), "event") {
		t.Errorf("rejected: %v", rej)
	}
	if w, _ := r.JSON["warnings"].([]any); len(w) != 1 || !strings.Contains(w[0].(string), "no time zone") {
		t.Errorf("warnings: %v", r.JSON["warnings"])
	}
	if n := f.eventCount(); n != 2 {
		t.Errorf("%d events stored, want the 2 good ones", n)
	}
	src, err := f.db.Sources.FindSourceByWriteKey(ctx, f.writeKey)
	must(t, err)
	q, err := f.db.Tracking.ListQuarantine(ctx, src.ID, 10)
	must(t, err)
	if len(q) != 1 || q[0].MessageID != "bad-1" || !strings.Contains(q[0].Raw, "leak@example.com") || !strings.Contains(q[0].Reason, "event") {
		t.Errorf("quarantine: %+v", q)
	}
	// A bad single call is refused with 400 and kept too.
	if r := f.track("/v1/t", `{"userId":"u1","messageId":"bad-2"}`); r.Code != 400 {
		t.Errorf("bad single call: %d", r.Code)
	}
	if q, _ := f.db.Tracking.ListQuarantine(ctx, src.ID, 10); len(q) != 2 || q[0].MessageID != "bad-2" {
		t.Errorf("quarantine after a bad call: %+v", q)
	}
	// The source debugger shows both: the live stream and the quarantine.
	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	code, page := get(t, b, fmt.Sprintf("%s/admin/sources/%d", f.srv.URL, src.ID))
	for _, want := range []string{"bad-1", "bad-2", "leak@example.com", "a track call needs an event name", "u1", "no time zone", "Home"} {
		if code != 200 || !strings.Contains(page, want) {
			t.Errorf("debugger (%d) lacks %q", code, want)
		}
	}
}
