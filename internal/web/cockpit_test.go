package web_test

import (
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// cockpitFixture adds last month's NPS answers in two divisions and a case.
func cockpitFixture(t *testing.T, f *fixture) tp.Period {
	t.Helper()
	last, _ := tp.PeriodOf("month", time.Now().UTC())
	last = last.Previous()
	clock := last.From.Add(36 * time.Hour)
	f.db.Now = func() time.Time { return clock }
	t.Cleanup(func() { f.db.Now = func() time.Time { return time.Now().UTC() } })
	s := &tp.Survey{Name: "Relationship", Type: tp.SurveyNPS, Status: tp.SurveyActive, DefaultLang: "en"}
	if err := f.db.Surveys.CreateSurvey(ctx, s); err != nil {
		t.Fatal(err)
	}
	f.track("/v1/identify", `{"userId":"c1","traits":{"name":"Ann"}}`)
	cs, _ := f.db.Customers.FindCustomers(ctx, tp.CustomerFilter{Limit: 1})
	for i := range 60 {
		div, score := "Online", 10
		if i%2 == 1 {
			div, score = "Retail", 2
		}
		tok, err := f.db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: cs[0].ID, Division: div, Channel: "email", Department: "Sales"}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		comment := ""
		if i == 1 {
			comment = "Lieferung kam zu spät"
		}
		if _, err := f.db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: &score, Comment: comment}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.db.Cases.CreateCase(ctx, &tp.Case{CustomerID: cs[0].ID, Subject: "Parcel lost", Department: "Logistics", Division: "Retail", Channel: "email"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Cockpit.RefreshRollups(ctx); err != nil {
		t.Fatal(err)
	}
	return last
}

// TestCockpit: the scorecard page shows every division's KPIs from the
// registry, drills down, exports the same numbers, lists the responses
// behind a number, and takes an action item.
func TestCockpit(t *testing.T) {
	f := newFixture(t)
	period := cockpitFixture(t, f)
	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	if res, err := b.Get(f.srv.URL + "/"); err != nil || res.Header.Get("Location") != "/overview" {
		t.Fatalf("home does not lead to the overview: %v %v", err, res.Header)
	}
	code, page := get(t, b, f.srv.URL+"/cockpit")
	if code != 200 || !strings.Contains(page, `id="scorecard"`) {
		t.Fatalf("cockpit: %d", code)
	}
	if !strings.Contains(page, period.Label()) {
		t.Errorf("default period should be the last complete month %s", period.Label())
	}
	for _, want := range []string{`data-slice="Online"`, `data-slice="Retail"`, "+100.0", "-100.0", "<svg class=\"spark\""} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("cockpit lacks %s", want)
		}
	}
	for _, id := range tp.ScorecardKPIs {
		if !strings.Contains(page, `data-kpi="`+id+`"`) {
			t.Errorf("cockpit lacks KPI %s", id)
		}
	}
	// Drill into Retail: rows become channels.
	code, page = get(t, b, f.srv.URL+"/cockpit?division=Retail&by=channel&at="+period.From.Format(time.DateOnly))
	if code != 200 || !strings.Contains(page, `data-slice="email"`) || strings.Contains(page, `data-slice="Online"`) {
		t.Errorf("drill-down by channel: %d", code)
	}
	// The detail behind Retail's NPS lists the German comment.
	code, page = get(t, b, f.srv.URL+"/cockpit/detail?kpi=nps&division=Retail&at="+period.From.Format(time.DateOnly))
	if code != 200 || !strings.Contains(page, "Lieferung kam zu spät") || !strings.Contains(page, "<svg class=\"chart\"") || !strings.Contains(page, "Parcel lost") {
		t.Errorf("detail (comments and cases behind Retail's NPS): %d", code)
	}
	// The export carries the same numbers.
	r := f.api("GET", "/api/v1/scorecard?format=csv&at="+period.From.Format(time.DateOnly), f.analyst, "")
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if r.Code != 200 || err != nil {
		t.Fatalf("export: %d %v", r.Code, err)
	}
	found := false
	for _, row := range rows {
		if row[1] == "Retail" && row[2] == "nps" {
			found = row[3] == "-100" && row[4] == "30"
		}
	}
	if !found {
		t.Errorf("export lacks Retail NPS -100 (n 30): %v", rows)
	}
	// A segment's scorecard and drill-down: Ann is the only member.
	seg := &tp.Segment{Name: "Ann", Conditions: []tp.Condition{{Kind: "trait", Key: "name", Op: "eq", Value: "Ann"}}}
	if err := f.db.Segments.CreateSegment(ctx, seg); err != nil {
		t.Fatal(err)
	}
	at := period.From.Format(time.DateOnly)
	if r := f.api("GET", fmt.Sprintf("/api/v1/scorecard?at=%s&segment=%d", at, seg.ID), f.analyst, ""); r.Code != 200 || !strings.Contains(string(r.Body), `"n":30`) {
		t.Errorf("segment scorecard: %d", r.Code)
	}
	code, page = get(t, b, fmt.Sprintf("%s/cockpit/detail?kpi=nps&division=Retail&segment=%d&at=%s", f.srv.URL, seg.ID, at))
	if code != 200 || !strings.Contains(page, "Lieferung kam zu spät") {
		t.Errorf("segment detail: %d", code)
	}
	if r := f.api("GET", "/api/v1/scorecard?segment=999", f.analyst, ""); r.Code != 404 {
		t.Errorf("unknown segment: %d", r.Code)
	}
	// Bad period parameters get a clear error.
	if r := f.api("GET", "/api/v1/scorecard?period=decade", f.analyst, ""); r.Code != 400 || errCode(r) != "invalid" {
		t.Errorf("bad period: %d %s", r.Code, r.Body)
	}
	// An action item from the cockpit form.
	res, err := b.PostForm(f.srv.URL+"/cockpit/actions", url.Values{"title": {"Second carrier for Retail"}, "department": {"Logistics"},
		"due": {"2020-01-31"}, "kpi": {"nps"}, "slice": {"division=Retail"}, "back": {"/cockpit"}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("create action: %v %d", err, res.StatusCode)
	}
	_, page = get(t, b, f.srv.URL+"/cockpit")
	if !strings.Contains(page, "Second carrier for Retail") || !strings.Contains(page, `class="overdue"`) {
		t.Error("the overdue action item is not highlighted on the cockpit")
	}
	// The overview: a tile per headline KPI (total NPS 0.0 from 30 promoters and 30 detractors), no
	// significant change without a previous month, the overdue item and the one open case.
	code, page = get(t, b, f.srv.URL+"/overview")
	for _, want := range []string{`id="tiles"`, `data-kpi="nps"`, `data-kpi="case_volume"`, "0.0", "No significant change against",
		"Second carrier for Retail", "<strong>1</strong> overdue action items", "1 open in all", `href="/cockpit?`} {
		if code != 200 || !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("overview (%d) lacks %q", code, want)
		}
	}
	items, _ := f.db.Actions.ListActions(ctx, tp.ActionFilter{})
	if res, _ := b.PostForm(fmt.Sprintf("%s/actions/%d/status", f.srv.URL, items[0].ID), url.Values{"comment": {"carrier shortlisted"}, "back": {"/cockpit"}}); res.StatusCode != 303 {
		t.Errorf("comment: %d", res.StatusCode)
	}
	if res, _ := b.PostForm(fmt.Sprintf("%s/actions/%d/status", f.srv.URL, items[0].ID), url.Values{"status": {"done"}, "back": {"/cockpit"}}); res.StatusCode != 303 {
		t.Errorf("done: %d", res.StatusCode)
	}
	if a, _ := f.db.Actions.FindAction(ctx, items[0].ID); a.Status != tp.ActionDone || len(a.Comments) != 1 || a.Comments[0].Author != "user:ada@example.com" {
		t.Errorf("after comment and done: %+v", a)
	}
	// A department head lands on their department, cut by channel: Logistics has the one case, no answers.
	if err := f.db.Users.CreateUser(ctx, &tp.User{Email: "log@example.com", Role: tp.RoleDepartmentHead, Department: "Logistics"}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	h := f.browser("de")
	h.PostForm(f.srv.URL+"/login", url.Values{"email": {"log@example.com"}, "password": {"correct horse battery"}})
	_, page = get(t, h, f.srv.URL+"/cockpit?at="+period.From.Format(time.DateOnly))
	if !strings.Contains(page, `<th scope="col">Kanal</th>`) || !strings.Contains(page, `data-slice="email"`) || strings.Contains(page, `data-slice="Online"`) {
		t.Error("the department head's cockpit is not cut by channel")
	}
	sc := f.api("GET", "/api/v1/scorecard?at="+period.From.Format(time.DateOnly), f.analyst, "")
	if !strings.Contains(string(sc.Body), `"slice":"Retail"`) {
		t.Errorf("analyst scorecard: %s", sc.Body[:200])
	}
}

// TestAlertsAndDefinitionsAPI: alert rules with clear errors, the board
// pack recipients, and a versioned, audited churn definition.
func TestAlertsAndDefinitionsAPI(t *testing.T) {
	f := newFixture(t)
	r := f.api("POST", "/api/v1/alerts", f.admin, `{"name":"Billing SLA","kpi":"sla_compliance","department":"Billing","kind":"threshold","op":"<","threshold":90,"webhook_url":"https://hooks.example.com/cx"}`)
	if r.Code != 201 || !strings.HasPrefix(r.JSON["secret"].(string), "whsec_") {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/alerts", f.analyst, ""); r.Code != 200 || strings.Contains(string(r.Body), "whsec_") || !strings.Contains(string(r.Body), "Billing SLA") {
		t.Errorf("list (secrets never listed): %d %s", r.Code, r.Body)
	}
	if r := f.api("POST", "/api/v1/alerts", f.admin, `{"name":"x","kpi":"mood","kind":"sometimes","emails":["not an address"]}`); r.Code != 400 ||
		!strings.Contains(string(r.Body), `"kpi"`) || !strings.Contains(string(r.Body), `"kind"`) || !strings.Contains(string(r.Body), `"emails"`) {
		t.Errorf("bad rule: %d %s", r.Code, r.Body)
	}
	if r := f.api("POST", "/api/v1/alerts", f.analyst, `{"name":"x","kpi":"nps","kind":"drop","emails":["a@example.com"]}`); r.Code != 403 {
		t.Errorf("analyst creates a rule: %d", r.Code)
	}
	if r := f.api("PUT", "/api/v1/board-pack", f.admin, `{"recipients":["board@example.com","cfo@example.com"],"lang":"de"}`); r.Code != 200 {
		t.Errorf("board pack: %d %s", r.Code, r.Body)
	}
	if r := f.api("PUT", "/api/v1/board-pack", f.admin, `{"recipients":["board"],"lang":"fr"}`); r.Code != 400 || !strings.Contains(string(r.Body), `"lang"`) {
		t.Errorf("bad board pack: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/board-pack", f.analyst, ""); !strings.Contains(string(r.Body), "cfo@example.com") {
		t.Errorf("board pack read: %s", r.Body)
	}
	// The churn definition: default, then a trait rule as version 1, audited.
	r = f.api("GET", "/api/v1/kpis/churn_rate/definition", f.analyst, "")
	if r.Code != 200 || r.JSON["version"].(float64) != 0 || !strings.Contains(string(r.Body), "Customer Churned") {
		t.Errorf("default churn rule: %s", r.Body)
	}
	if r := f.api("PUT", "/api/v1/kpis/churn_rate/definition", f.admin, `{"event":"Churned","trait":"status"}`); r.Code != 400 {
		t.Errorf("ambiguous rule: %d %s", r.Code, r.Body)
	}
	if r := f.api("PUT", "/api/v1/kpis/churn_rate/definition", f.analyst, `{"trait":"status","value":"cancelled"}`); r.Code != 403 {
		t.Errorf("analyst changes a definition: %d", r.Code)
	}
	if r := f.api("PUT", "/api/v1/kpis/churn_rate/definition", f.admin, `{"trait":"status","value":"cancelled","note":"CRM marks cancellations"}`); r.Code != 201 || r.JSON["version"].(float64) != 1 {
		t.Fatalf("new version: %d %s", r.Code, r.Body)
	}
	r = f.api("GET", "/api/v1/kpis/churn_rate/definition", f.analyst, "")
	hist, _ := r.JSON["history"].([]any)
	if r.JSON["version"].(float64) != 1 || len(hist) != 1 || !strings.Contains(string(r.Body), "CRM marks cancellations") || !strings.Contains(string(r.Body), `"actor"`) {
		t.Errorf("history: %s", r.Body)
	}
}

// TestCockpitForms: the alert, board pack and churn forms act as the
// logged-in user: an admin may, an agent may not (nor add action items).
func TestCockpitForms(t *testing.T) {
	f := newFixture(t)
	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	res, err := b.PostForm(f.srv.URL+"/alerts", url.Values{"name": {"Billing SLA"}, "kpi": {"sla_compliance"}, "department": {"Billing"},
		"kind": {"threshold"}, "op": {"<"}, "threshold": {"90"}, "period": {"month"}, "webhook_url": {"https://hooks.example.com/x"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `id="webhook-secret">whsec_`) {
		t.Errorf("alert form: %d", res.StatusCode)
	}
	res, _ = b.PostForm(f.srv.URL+"/alerts", url.Values{"name": {"x"}, "kpi": {"nps"}, "kind": {"drop"}, "emails": {"nobody"}})
	if res.StatusCode != 400 {
		t.Errorf("bad alert form: %d", res.StatusCode)
	}
	if res, _ := b.PostForm(f.srv.URL+"/alerts/board-pack", url.Values{"recipients": {"board@example.com, cfo@example.com"}, "lang": {"nl"}}); res.StatusCode != 303 {
		t.Errorf("board pack form: %d", res.StatusCode)
	}
	if res, _ := b.PostForm(f.srv.URL+"/kpis/churn_rate", url.Values{"mode": {"trait"}, "trait": {"status"}, "value": {"cancelled"}, "note": {"CRM"}}); res.StatusCode != 303 {
		t.Errorf("churn form: %d", res.StatusCode)
	}
	_, page := get(t, b, f.srv.URL+"/kpis")
	if !strings.Contains(html.UnescapeString(page), `trait status = "cancelled"`) {
		t.Error("the new churn rule is not shown on /kpis")
	}
	_, page = get(t, b, f.srv.URL+"/alerts")
	if !strings.Contains(page, "Billing SLA") || !strings.Contains(page, "cfo@example.com") {
		t.Error("/alerts lacks the rule or the recipients")
	}
	// An agent is refused.
	if err := f.db.Users.CreateUser(ctx, &tp.User{Email: "agent@example.com", Role: tp.RoleAgent, Department: "Billing"}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	a := f.browser("en")
	a.PostForm(f.srv.URL+"/login", url.Values{"email": {"agent@example.com"}, "password": {"correct horse battery"}})
	for path, form := range map[string]url.Values{
		"/alerts":            {"name": {"x"}, "kpi": {"nps"}, "kind": {"drop"}, "emails": {"a@example.com"}},
		"/alerts/board-pack": {"recipients": {"me@example.com"}},
		"/kpis/churn_rate":   {"event": {"Gone"}},
		"/cockpit/actions":   {"title": {"x"}, "department": {"Billing"}, "due": {"2027-01-01"}},
	} {
		if res, _ := a.PostForm(f.srv.URL+path, form); res.StatusCode != 403 {
			t.Errorf("agent posts %s: %d", path, res.StatusCode)
		}
	}
}

// TestBoardPackDownload: the alerts page lists the archive; a month's pack
// comes as HTML in the language asked for, and as a PDF where Chromium is.
func TestBoardPackDownload(t *testing.T) {
	f := newFixture(t)
	period := cockpitFixture(t, f)
	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	_, page := get(t, b, f.srv.URL+"/alerts")
	if !strings.Contains(html.UnescapeString(page), "/board-pack/"+period.Label()+"?format=pdf&lang=de") {
		t.Errorf("the alerts page does not offer %s's pack", period.Label())
	}
	code, body := get(t, b, f.srv.URL+"/board-pack/"+period.Label()+"?lang=nl")
	if code != 200 || !strings.Contains(body, `lang="nl"`) || !strings.Contains(body, "Retail") {
		t.Errorf("HTML pack: %d", code)
	}
	// The cover carries the executive summary, in Dutch.
	if !strings.Contains(body, `id="headlines"`) || !strings.Contains(body, "0 open acties, waarvan 0 achterstallig.") {
		t.Errorf("the pack's cover lacks its headlines")
	}
	for _, bad := range []string{"/board-pack/2026-13", "/board-pack/" + period.Label() + "?format=doc", "/board-pack/" + period.Label() + "?lang=fr",
		"/board-pack/" + time.Now().AddDate(0, 1, 0).Format("2006-01")} {
		if code, _ := get(t, b, f.srv.URL+bad); code != 400 {
			t.Errorf("%s: %d, want 400", bad, code)
		}
	}
	res, err := b.Get(f.srv.URL + "/board-pack/" + period.Label() + "?format=pdf&lang=de")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	if _, lookErr := exec.LookPath("chromium"); lookErr == nil {
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF") {
			t.Errorf("PDF pack: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
	} else if res.StatusCode != 503 {
		t.Errorf("PDF pack without Chromium: %d, want 503 naming the reason", res.StatusCode)
	}
}

// TestDivisionRegistryOnTheCockpit: with "Online" the only listed division,
// Retail's numbers are the unassigned row and its name is reported.
func TestDivisionRegistryOnTheCockpit(t *testing.T) {
	f := newFixture(t)
	period := cockpitFixture(t, f)
	b := f.browser("de")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	res, err := b.PostForm(f.srv.URL+"/admin/cases/divisions", url.Values{"divisions": {"Online\n"}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("set divisions: %v %d", err, res.StatusCode)
	}
	_, page := get(t, b, f.srv.URL+"/cockpit?at="+period.From.Format(time.DateOnly))
	if !strings.Contains(page, `id="unassigned"`) || !strings.Contains(page, "<strong>Retail</strong>") || !strings.Contains(page, "(nicht zugeordnet)") ||
		strings.Contains(page, `data-slice="Retail"`) {
		t.Errorf("the cockpit does not fold and report the unlisted division")
	}
	if _, page := get(t, b, f.srv.URL+"/admin/cases"); !strings.Contains(page, ">Online</textarea>") {
		t.Errorf("the settings page does not show the list")
	}
}
