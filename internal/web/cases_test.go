package web_test

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
)

func TestCasesAPI(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/identify", `{"userId":"c-1","traits":{"name":"Greta","email":"greta@example.de"}}`)
	cust, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "c-1"})
	logistics, _ := f.db.Users.CreateToken(ctx, &tp.Token{Name: "log", Role: tp.RoleAgent, Department: "Logistics"})
	billing, _ := f.db.Users.CreateToken(ctx, &tp.Token{Name: "bill", Role: tp.RoleAgent, Department: "Billing"})
	r := f.api("POST", "/api/v1/cases", logistics, fmt.Sprintf(`{"customer_id":%d,"subject":"Paket zu spät","department":"Logistics","priority":"high","channel":"email","source":"email"}`, cust.ID))
	if r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	id := int64(r.JSON["id"].(float64))
	if r := f.api("POST", "/api/v1/cases", logistics, fmt.Sprintf(`{"customer_id":%d,"subject":"x","department":"Billing"}`, cust.ID)); r.Code != 403 {
		t.Errorf("agent opens a case for another department: %d", r.Code)
	}
	if r := f.api("POST", "/api/v1/cases", f.admin, `{"subject":""}`); r.Code != 400 {
		t.Errorf("bad case: %d", r.Code)
	}
	r = f.api("PATCH", fmt.Sprintf("/api/v1/cases/%d", id), logistics, `{"category":"delivery","root_cause":"carrier lost parcel",
		"redress":{"amount":15,"currency":"EUR","kind":"voucher"},"tags":["carrier"]}`)
	if r.Code != 200 || r.JSON["root_cause"] != "carrier lost parcel" || r.JSON["redress"].(map[string]any)["kind"] != "voucher" {
		t.Errorf("update case: %d %s", r.Code, r.Body)
	}
	if r := f.api("PATCH", fmt.Sprintf("/api/v1/cases/%d", id), logistics, `{"priority":"asap"}`); r.Code != 400 {
		t.Errorf("bad priority: %d", r.Code)
	}
	if r := f.api("POST", fmt.Sprintf("/api/v1/cases/%d/notes", id), logistics, `{"body":"Wir kümmern uns.","public":true}`); r.Code != 201 {
		t.Errorf("reply: %d %s", r.Code, r.Body)
	}
	for _, st := range []string{"resolved", "closed"} {
		if r := f.api("POST", fmt.Sprintf("/api/v1/cases/%d/status", id), logistics, `{"status":"`+st+`"}`); r.Code != 200 {
			t.Fatalf("→ %s: %d %s", st, r.Code, r.Body)
		}
	}
	if r := f.api("POST", fmt.Sprintf("/api/v1/cases/%d/status", id), logistics, `{"status":"pending_customer"}`); r.Code != 409 || errCode(r) != "conflict" {
		t.Errorf("closed → pending: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", fmt.Sprintf("/api/v1/cases/%d", id), billing, ""); r.Code != 404 {
		t.Errorf("billing reads a logistics case: %d", r.Code)
	}
	r = f.api("GET", "/api/v1/cases?status=closed", f.analyst, "")
	if r.Code != 200 || len(r.JSON["cases"].([]any)) != 1 {
		t.Errorf("analyst lists: %d %s", r.Code, r.Body)
	}
	if r := f.api("POST", fmt.Sprintf("/api/v1/cases/%d/notes", id), f.analyst, `{"body":"x"}`); r.Code != 403 {
		t.Errorf("analyst writes: %d", r.Code)
	}
	if r := f.api("POST", "/api/v1/routing-rules", f.admin, `{"name":"Invoices","keywords":["rechnung"],"department":"Billing"}`); r.Code != 201 {
		t.Errorf("create rule: %d %s", r.Code, r.Body)
	}
	if r := f.api("POST", "/api/v1/routing-rules", logistics, `{"name":"x","department":"Billing"}`); r.Code != 403 {
		t.Errorf("agent changes routing: %d", r.Code)
	}
	r = f.api("POST", "/api/v1/cases", f.admin, fmt.Sprintf(`{"customer_id":%d,"subject":"Falsche Rechnung"}`, cust.ID))
	if r.Code != 201 || r.JSON["department"] != "Billing" {
		t.Errorf("routed case: %d %s", r.Code, r.Body)
	}
	r = f.api("POST", "/api/v1/sla-policies", f.admin, `{"priority":"urgent","first_response_minutes":30,"resolution_minutes":240,
		"calendar":{"name":"NL 24/7","time_zone":"Europe/Amsterdam","country":"NL","hours":[[0,1440],[0,1440],[0,1440],[0,1440],[0,1440],[0,1440],[0,1440]]}}`)
	if r.Code != 400 { // hours are objects {"Open","Close"}: arrays are a clear error
		t.Errorf("sla policy with array hours: %d", r.Code)
	}
	r = f.api("POST", "/api/v1/sla-policies", f.admin, `{"priority":"urgent","first_response_minutes":30,"resolution_minutes":240,
		"calendar":{"name":"NL shop","time_zone":"Europe/Amsterdam","country":"NL","hours":[{},{"Open":540,"Close":1020},{"Open":540,"Close":1020},{"Open":540,"Close":1020},{"Open":540,"Close":1020},{"Open":540,"Close":1020},{}]}}`)
	if r.Code != 201 {
		t.Errorf("sla policy: %d %s", r.Code, r.Body)
	}
	if r := f.api("POST", "/api/v1/sla-policies", f.admin, `{"priority":"asap","first_response_minutes":30,"resolution_minutes":240}`); r.Code != 400 {
		t.Errorf("bad priority: %d", r.Code)
	}
	if r := f.api("POST", "/api/v1/sla-policies", logistics, `{"priority":"low","first_response_minutes":30,"resolution_minutes":240}`); r.Code != 403 {
		t.Errorf("agent sets SLA: %d", r.Code)
	}
	if r := f.api("GET", "/api/v1/sla-policies", f.admin, ""); len(r.JSON["policies"].([]any)) != 1 {
		t.Errorf("policies: %s", r.Body)
	}
	if r := f.api("GET", "/api/v1/metrics/cases?by=department", f.admin, ""); r.Code != 200 || len(r.JSON["rows"].([]any)) != 2 {
		t.Errorf("case kpis: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/metrics/cases?by=mood", f.admin, ""); r.Code != 400 {
		t.Errorf("bad by: %d", r.Code)
	}
	if r := f.api("GET", "/api/v1/cases?format=csv&status=closed", f.admin, ""); r.Code != 200 || !strings.Contains(string(r.Body), "Paket zu spät") {
		t.Errorf("csv export: %d %s", r.Code, r.Body)
	}
	r = f.api("GET", fmt.Sprintf("/api/v1/cases/%d", id), logistics, "")
	if events := r.JSON["events"].([]any); len(events) != 8 {
		t.Errorf("audit trail has %d events, want 8 (created, 4 field changes, reply, resolved, closed)", len(events))
	}
}

func TestComplaintForm(t *testing.T) {
	f := newFixture(t)
	f.api("POST", "/api/v1/routing-rules", f.admin, `{"name":"Delivery","keywords":["pakket"],"department":"Logistics"}`)
	code, body := get(t, f.browser("nl"), f.srv.URL+"/complaint")
	if code != 200 || !strings.Contains(body, "Vertel ons wat er misging") {
		t.Fatalf("form: %d", code)
	}
	res, err := http.PostForm(f.srv.URL+"/complaint", url.Values{"name": {"Ana"}, "email": {"Ana@Example.nl"}, "subject": {"Pakket kwijt"},
		"message": {"<b>Waar</b> is mijn pakket?"}})
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("submit: %v %d", err, res.StatusCode)
	}
	cases, _ := f.db.Cases.ListCases(ctx, tp.CaseFilter{})
	if len(cases) != 1 || cases[0].Department != "Logistics" || cases[0].Source != tp.CaseFromWeb {
		t.Fatalf("cases: %+v", cases)
	}
	cust, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "email", Value: "ana@example.nl"})
	if cust == nil || cases[0].CustomerID != cust.ID {
		t.Error("the complaint is not on the sender's profile")
	}
	for _, bad := range []url.Values{{"email": {"nope"}, "subject": {"x"}, "message": {"y"}}, {"email": {"a@b.nl"}, "subject": {""}, "message": {"y"}},
		{"email": {"a@b.nl"}, "subject": {"x"}, "message": {" "}}} {
		res, _ := http.PostForm(f.srv.URL+"/complaint", bad)
		if res.StatusCode != 400 {
			t.Errorf("%v: %d", bad, res.StatusCode)
		}
	}
	if cases, _ := f.db.Cases.ListCases(ctx, tp.CaseFilter{}); len(cases) != 1 {
		t.Errorf("bad forms made cases: %d", len(cases))
	}
}

func TestManualCaseEntry(t *testing.T) {
	f := newFixture(t)
	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	res, err := b.PostForm(f.srv.URL+"/cases/new", url.Values{"email": {"caller@example.com"}, "subject": {"Called about a refund"},
		"channel": {"phone"}, "priority": {"high"}, "department": {"Billing"}, "description": {"Wants the refund for order 9."}})
	if err != nil || res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/cases/") {
		t.Fatalf("new case: %v %d %s", err, res.StatusCode, res.Header.Get("Location"))
	}
	cases, _ := f.db.Cases.ListCases(ctx, tp.CaseFilter{})
	if len(cases) != 1 || cases[0].Source != tp.CaseFromPhone || cases[0].Department != "Billing" || cases[0].Priority != tp.PriorityHigh {
		t.Errorf("cases: %+v", cases)
	}
	if code, body := get(t, b, f.srv.URL+res.Header.Get("Location")); code != 200 || !strings.Contains(body, "Called about a refund") {
		t.Errorf("case page: %d", code)
	}
	// The queue finds it by words of its subject, its text or its customer, and names the customer.
	for q, want := range map[string]bool{"REFUND": true, "order 9": true, "caller@": true, "weather": false} {
		_, body := get(t, b, f.srv.URL+"/cases?q="+url.QueryEscape(q))
		if strings.Contains(body, "Called about a refund") != want || (want && !strings.Contains(body, "caller@example.com")) {
			t.Errorf("queue search %q: found %v, want %v", q, !want, want)
		}
	}
	// The case page's details form changes every field the API can; a field not in the form stays.
	loc := res.Header.Get("Location")
	res, err = b.PostForm(f.srv.URL+loc+"/act", url.Values{"action": {"fields"}, "priority": {"urgent"}, "category": {"refund"},
		"sub_category": {"late refund"}, "tags": {" vip, , callback "}, "root_cause": {"carrier"}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("details form: %v %d", err, res.StatusCode)
	}
	c, _, _ := f.db.Cases.FindCase(ctx, cases[0].ID)
	if c.Priority != tp.PriorityUrgent || c.Category != "refund" || c.SubCategory != "late refund" || fmt.Sprint(c.Tags) != "[vip callback]" ||
		c.RootCause != "carrier" || c.Department != "Billing" {
		t.Errorf("after the details form: %+v", c)
	}
	if _, body := get(t, b, f.srv.URL+loc); !strings.Contains(body, `id="case-fields"`) || !strings.Contains(body, `value="vip, callback"`) {
		t.Errorf("the case page does not show the details form with the tags")
	}
	res, _ = b.PostForm(f.srv.URL+loc+"/act", url.Values{"action": {"fields"}, "priority": {"whenever"}})
	if l, _ := url.QueryUnescape(res.Header.Get("Location")); !strings.Contains(l, "priority") {
		t.Errorf("a bad priority: %s", l)
	}
	// A file added on the case page is listed and downloads as a file; HTML never renders inline.
	for name, content := range map[string]string{"receipt.pdf": "%PDF-1.4 receipt", "page.html": "<script>alert(1)</script>"} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(content))
		mw.Close()
		req, _ := http.NewRequest("POST", f.srv.URL+loc+"/attachments", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if res, err := b.Do(req); err != nil || res.StatusCode != 303 {
			t.Fatalf("upload %s: %v %d", name, err, res.StatusCode)
		}
	}
	atts, err := f.db.Cases.ListAttachments(ctx, cases[0].ID)
	if err != nil || len(atts) != 2 {
		t.Fatalf("attachments: %+v %v", atts, err)
	}
	_, body := get(t, b, f.srv.URL+loc)
	for _, a := range atts {
		if !strings.Contains(body, fmt.Sprintf(`href="%s/attachments/%d"`, loc, a.ID)) {
			t.Errorf("the case page does not link %s", a.Filename)
		}
		res, _ := b.Get(fmt.Sprintf("%s%s/attachments/%d", f.srv.URL, loc, a.ID))
		got, _ := io.ReadAll(res.Body)
		wantType := map[string]string{"receipt.pdf": "application/pdf", "page.html": "application/octet-stream"}[a.Filename]
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != wantType || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
			res.Header.Get("X-Content-Type-Options") != "nosniff" || len(got) != int(a.Size) {
			t.Errorf("%s: %d %v", a.Filename, res.StatusCode, res.Header)
		}
	}
	if code, _ := get(t, b, f.srv.URL+loc+"/attachments/999"); code != 404 {
		t.Errorf("unknown attachment: %d", code)
	}
	res, _ = b.PostForm(f.srv.URL+"/cases/new", url.Values{"email": {"not-an-address"}, "subject": {"x"}})
	if loc, _ := url.QueryUnescape(res.Header.Get("Location")); !strings.Contains(loc, "not an e-mail address") {
		t.Errorf("bad address: %s", loc)
	}
}

func TestCaseTaxonomy(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/identify", `{"userId":"t-1","traits":{"email":"t@example.de"}}`)
	cust, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "t-1"})
	if r := f.api("PUT", "/api/v1/case-taxonomy", f.admin, `{"categories":{"delivery":["late","damaged"],"billing":[]}}`); r.Code != 200 {
		t.Fatalf("set taxonomy: %d %s", r.Code, r.Body)
	}
	for body, want := range map[string]int{
		`{"customer_id":%d,"subject":"x","category":"delivery","sub_category":"late"}`:     201,
		`{"customer_id":%d,"subject":"x","category":"billing"}`:                            201,
		`{"customer_id":%d,"subject":"x","category":"weather"}`:                            400,
		`{"customer_id":%d,"subject":"x","category":"delivery","sub_category":"too fast"}`: 400,
	} {
		if r := f.api("POST", "/api/v1/cases", f.admin, fmt.Sprintf(body, cust.ID)); r.Code != want {
			t.Errorf("%s: %d, want %d (%s)", body, r.Code, want, r.Body)
		}
	}
	if r := f.api("GET", "/api/v1/case-taxonomy", f.analyst, ""); len(r.JSON["categories"].(map[string]any)) != 2 {
		t.Errorf("taxonomy: %s", r.Body)
	}
}

// TestReplyTemplates: templates are saved per name and language through the
// API, and the case page offers the customer's language and fills one in.
func TestReplyTemplates(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/identify", `{"userId":"rt-1","traits":{"name":"Lotte Visser","email":"lotte@example.nl","locale":"nl-NL"}}`)
	cust, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "rt-1"})
	for body, want := range map[string]int{
		`{"name":"Late parcel","language":"nl","body":"Beste {name}, uw zaak {case} ({subject}) is in behandeling. {agent}"}`: 200,
		`{"name":"Late parcel","language":"en","body":"Dear {name}, case {case} is being handled."}`:                          200,
		`{"name":"Late parcel","language":"fr","body":"Bonjour"}`:                                                             400,
		`{"name":"","language":"en","body":"x"}`:                                                                              400,
		`{"name":"Empty","language":"en","body":"  "}`:                                                                        400,
	} {
		if r := f.api("PUT", "/api/v1/reply-templates", f.admin, body); r.Code != want {
			t.Errorf("%s: %d, want %d (%s)", body, r.Code, want, r.Body)
		}
	}
	if r := f.api("PUT", "/api/v1/reply-templates", f.analyst, `{"name":"x","language":"en","body":"y"}`); r.Code != 403 {
		t.Errorf("analyst saves a template: %d", r.Code)
	}
	// A second save of the same name and language replaces the body.
	r := f.api("PUT", "/api/v1/reply-templates", f.admin, `{"name":"Late parcel","language":"en","body":"Dear {name}, we are on it ({case})."}`)
	if r.Code != 200 {
		t.Fatalf("replace: %d %s", r.Code, r.Body)
	}
	enID := int64(r.JSON["id"].(float64))
	all, _ := f.db.Cases.ListReplyTemplates(ctx, "")
	nl, _ := f.db.Cases.ListReplyTemplates(ctx, "nl")
	if len(all) != 2 || len(nl) != 1 || all[0].Body != "Dear {name}, we are on it ({case})." {
		t.Fatalf("templates: all %+v, nl %+v", all, nl)
	}

	var c struct{ ID int64 }
	if r := f.api("POST", "/api/v1/cases", f.admin, fmt.Sprintf(`{"customer_id":%d,"subject":"Pakket kwijt"}`, cust.ID)); r.Code != 201 {
		t.Fatalf("case: %d %s", r.Code, r.Body)
	} else {
		c.ID = int64(r.JSON["id"].(float64))
	}
	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	_, page := get(t, b, fmt.Sprintf("%s/cases/%d", f.srv.URL, c.ID))
	if !strings.Contains(page, "Late parcel (nl)") || strings.Contains(page, "Late parcel (en)") {
		t.Errorf("a Dutch customer's case should offer the Dutch template only")
	}
	_, page = get(t, b, fmt.Sprintf("%s/cases/%d?template=%d", f.srv.URL, c.ID, nl[0].ID))
	want := fmt.Sprintf("Beste Lotte Visser, uw zaak #%d (Pakket kwijt) is in behandeling. ada@example.com</textarea>", c.ID)
	if !strings.Contains(page, want) {
		t.Errorf("filled template missing; want %q in the page", want)
	}
	// Another language's template id is not filled in.
	if _, page = get(t, b, fmt.Sprintf("%s/cases/%d?template=%d", f.srv.URL, c.ID, enID)); strings.Contains(page, "we are on it") {
		t.Errorf("the English template was filled in for a Dutch customer")
	}
	if r := f.api("DELETE", fmt.Sprintf("/api/v1/reply-templates/%d", enID), f.admin, ""); r.Code != 204 {
		t.Errorf("delete: %d", r.Code)
	}
	if r := f.api("DELETE", fmt.Sprintf("/api/v1/reply-templates/%d", enID), f.admin, ""); r.Code != 404 {
		t.Errorf("delete again: %d", r.Code)
	}

	// The admin page lists, saves and deletes them too.
	res, err := b.PostForm(f.srv.URL+"/admin/reply-templates", url.Values{"name": {"Refund"}, "language": {"de"}, "body": {"Hallo {name},\nIhr Geld kommt."}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("admin save: %v %d", err, res.StatusCode)
	}
	if code, page := get(t, b, f.srv.URL+"/admin"); code != 200 || !strings.Contains(page, "Ihr Geld kommt.") {
		t.Errorf("admin page lacks the new template (%d)", code)
	}
	if res, _ := b.PostForm(f.srv.URL+"/admin/reply-templates", url.Values{"name": {"Refund"}, "language": {"fr"}, "body": {"x"}}); res.StatusCode != 400 {
		t.Errorf("admin save in French: %d", res.StatusCode)
	}
	de, _ := f.db.Cases.ListReplyTemplates(ctx, "de")
	if len(de) != 1 {
		t.Fatalf("German templates: %+v", de)
	}
	if res, _ := b.PostForm(fmt.Sprintf("%s/admin/reply-templates/%d/delete", f.srv.URL, de[0].ID), nil); res.StatusCode != 303 {
		t.Errorf("admin delete: %d", res.StatusCode)
	}
	if de, _ = f.db.Cases.ListReplyTemplates(ctx, "de"); len(de) != 0 {
		t.Errorf("after delete: %+v", de)
	}
}

// PATCH works on the same case again and again: the first call used to
// store an empty redress that made every later one fail.
func TestPatchCaseThreeTimes(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/identify", `{"userId":"pt","traits":{"email":"pt@example.com"}}`)
	cust, err := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "pt"})
	must(t, err)
	r := f.api("POST", "/api/v1/cases", f.admin, fmt.Sprintf(`{"customer_id":%d,"subject":"Patch me","department":"Billing"}`, cust.ID))
	if r.Code != 201 {
		t.Fatalf("create: %d %s", r.Code, r.Body)
	}
	path := fmt.Sprintf("/api/v1/cases/%d", int64(r.JSON["id"].(float64)))
	for i, body := range []string{`{"priority":"high"}`, `{"tags":["late"],"root_cause":"carrier"}`,
		`{"redress":{"amount":15,"currency":"EUR","kind":"voucher"}}`, `{"priority":"urgent"}`} {
		if r := f.api("PATCH", path, f.admin, body); r.Code != 200 {
			t.Fatalf("patch %d (%s): %d %s", i+1, body, r.Code, r.Body)
		}
	}
	r = f.api("GET", path, f.admin, "")
	c := r.JSON["case"].(map[string]any)
	redress, _ := c["redress"].(map[string]any)
	if c["priority"] != "urgent" || c["root_cause"] != "carrier" || redress == nil || redress["amount"].(float64) != 15 {
		t.Errorf("after four patches: %v", c)
	}
}

// TestCaseSettingsPage: the taxonomy, routing rules and SLA policies are
// kept from the admin page's forms, and bad input is named.
func TestCaseSettingsPage(t *testing.T) {
	f := newFixture(t)
	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	post := func(what string, v url.Values) string {
		t.Helper()
		res, err := b.PostForm(f.srv.URL+"/admin/cases/"+what, v)
		if err != nil || res.StatusCode != 303 {
			t.Fatalf("%s: %v %d", what, err, res.StatusCode)
		}
		l, _ := url.QueryUnescape(res.Header.Get("Location"))
		return l
	}
	post("taxonomy", url.Values{"taxonomy": {"delivery: late, damaged\n\nbilling\n"}})
	if tax, _ := f.db.Cases.Taxonomy(ctx); len(tax) != 2 || fmt.Sprint(tax["delivery"]) != "[damaged late]" || len(tax["billing"]) != 0 {
		t.Errorf("taxonomy: %v", tax)
	}
	if l := post("taxonomy", url.Values{"taxonomy": {"billing\nbilling: x"}}); !strings.Contains(l, "repeats the category") {
		t.Errorf("a repeated category: %s", l)
	}
	post("rules", url.Values{"name": {"Refunds to Billing"}, "keywords": {"refund, Erstattung"}, "department": {"Billing"}, "priority": {"high"}, "position": {"1"}})
	rules, _ := f.db.Routing.ListRoutingRules(ctx)
	if len(rules) != 1 || fmt.Sprint(rules[0].Keywords) != "[refund Erstattung]" || rules[0].Department != "Billing" || rules[0].Priority != tp.PriorityHigh {
		t.Fatalf("rules: %+v", rules)
	}
	// The rule routes a new complaint.
	f.track("/v1/identify", `{"userId":"r-1","traits":{"email":"r@example.de"}}`)
	cust, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "r-1"})
	c := &tp.Case{CustomerID: cust.ID, Subject: "Bitte um Erstattung", Channel: "email", Source: tp.CaseFromEmail}
	if err := f.db.Cases.SubmitComplaint(ctx, c); err != nil || c.Department != "Billing" {
		t.Errorf("routed to %q (%v)", c.Department, err)
	}
	post("sla", url.Values{"priority": {"urgent"}, "category": {"delivery"}, "first_hours": {"0.5"}, "resolution_hours": {"4"},
		"calendar": {"NL service"}, "time_zone": {"Europe/Amsterdam"}, "country": {"nl"}, "open": {"9"}, "close": {"17"}})
	pols, _ := f.db.SLA.ListSLAPolicies(ctx)
	if len(pols) != 1 || pols[0].FirstResponseMin != 30 || pols[0].ResolutionMin != 240 || pols[0].CalendarName != "NL service" {
		t.Errorf("policies: %+v", pols)
	}
	if l := post("sla", url.Values{"priority": {"urgent"}, "first_hours": {"2"}, "resolution_hours": {"1"}}); !strings.Contains(l, "business hours") {
		t.Errorf("resolution before first response: %s", l)
	}
	if l := post("sla", url.Values{"priority": {"high"}, "first_hours": {"1"}, "resolution_hours": {"8"}, "time_zone": {"Mars/Olympus"}, "open": {"8"}, "close": {"18"}}); !strings.Contains(l, "time zone") {
		t.Errorf("an unknown time zone: %s", l)
	}
	_, page := get(t, b, f.srv.URL+"/admin/cases")
	for _, want := range []string{"Refunds to Billing", "refund, Erstattung", "NL service", "0.5 h", "delivery: damaged, late"} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	post("delete-rule", url.Values{"id": {fmt.Sprint(rules[0].ID)}})
	if rules, _ := f.db.Routing.ListRoutingRules(ctx); len(rules) != 0 {
		t.Errorf("after delete: %+v", rules)
	}
}

// TestMergeFromCasePage: an agent folds a duplicate into the case on screen.
func TestMergeFromCasePage(t *testing.T) {
	f := newFixture(t)
	b := f.browser("de")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	var ids []string
	for _, subject := range []string{"Paket fehlt", "Paket fehlt immer noch"} {
		res, _ := b.PostForm(f.srv.URL+"/cases/new", url.Values{"email": {"twice@example.de"}, "subject": {subject}, "description": {"Paket fehlt, und die Rechnung stimmt nicht."}, "channel": {"phone"}, "department": {"Logistics"}})
		ids = append(ids, strings.TrimPrefix(strings.SplitN(res.Header.Get("Location"), "?", 2)[0], "/cases/"))
	}
	res, err := b.PostForm(f.srv.URL+"/cases/"+ids[0]+"/act", url.Values{"action": {"merge"}, "from": {"#" + ids[1]}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("merge: %v %d", err, res.StatusCode)
	}
	if l, _ := url.QueryUnescape(res.Header.Get("Location")); !strings.Contains(l, "wurde in diesen übernommen") {
		t.Errorf("flash: %s", l)
	}
	res, _ = b.PostForm(f.srv.URL+"/cases/"+ids[0]+"/act", url.Values{"action": {"merge"}, "from": {"99999"}})
	if l, _ := url.QueryUnescape(res.Header.Get("Location")); !strings.Contains(l, "keinen Fall 99999") {
		t.Errorf("an unknown case: %s", l)
	}
	if _, page := get(t, b, f.srv.URL+"/cases/"+ids[1]); !strings.Contains(page, "merged into #"+ids[0]) || !strings.Contains(page, "geschlossen") {
		t.Errorf("the duplicate does not say where it went")
	}
	// Splitting the opening message off as a case of its own.
	c, events, _ := f.db.Cases.FindCase(ctx, mustID(t, ids[0]))
	res, _ = b.PostForm(f.srv.URL+"/cases/"+ids[0]+"/act", url.Values{"action": {"split"}, "event": {fmt.Sprint(events[0].ID)}, "subject": {"Rechnung falsch"}})
	if l, _ := url.QueryUnescape(res.Header.Get("Location")); res.StatusCode != 303 || !strings.Contains(l, "abgetrennt") || strings.HasPrefix(l, "/cases/"+ids[0]+"?") {
		t.Errorf("split: %d %s", res.StatusCode, l)
	}
	if list, _ := f.db.Cases.ListCases(ctx, tp.CaseFilter{CustomerID: c.CustomerID}); len(list) != 3 {
		t.Errorf("after the split the customer has %d cases, want 3", len(list))
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestSavedQueueViews: an agent saves the queue's filter under a name and
// finds it again as a link; the built-in views are there for everyone.
func TestSavedQueueViews(t *testing.T) {
	f := newFixture(t)
	b := f.browser("nl")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	res, err := b.PostForm(f.srv.URL+"/cases/views", url.Values{"name": {"Dringend"}, "query": {"priority=urgent&status=open&flash=x"}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("save: %v %d", err, res.StatusCode)
	}
	if l, _ := url.QueryUnescape(res.Header.Get("Location")); !strings.HasPrefix(l, "/cases?priority=urgent&status=open") || !strings.Contains(l, "bewaard") {
		t.Errorf("after saving: %s", l)
	}
	_, page := get(t, b, f.srv.URL+"/cases")
	for _, want := range []string{`href="/cases?priority=urgent&amp;status=open">Dringend</a>`, `href="/cases?assignee=me"`, `href="/cases?sla=overdue"`, "Achterstallig"} {
		if !strings.Contains(page, want) {
			t.Errorf("the queue lacks %s", want)
		}
	}
}

// TestReplyMacro: a template with a follow-up moves the case and tags it
// when its reply is sent.
func TestReplyMacro(t *testing.T) {
	f := newFixture(t)
	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	res, err := b.PostForm(f.srv.URL+"/admin/reply-templates", url.Values{"name": {"Ask for the order number"}, "language": {"en"},
		"body": {"Dear {name}, could you send us the order number?"}, "then_status": {"pending_customer"}, "add_tags": {"needs-info, order"}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("save macro: %v %d", err, res.StatusCode)
	}
	tpls, _ := f.db.Cases.ListReplyTemplates(ctx, "en")
	if len(tpls) != 1 || tpls[0].ThenStatus != tp.CasePendingCustomer || fmt.Sprint(tpls[0].AddTags) != "[needs-info order]" {
		t.Fatalf("template: %+v", tpls)
	}
	res, _ = b.PostForm(f.srv.URL+"/cases/new", url.Values{"email": {"macro@example.com"}, "subject": {"Where is it?"}, "channel": {"phone"}, "department": {"Service"}})
	loc := strings.SplitN(res.Header.Get("Location"), "?", 2)[0]
	_, page := get(t, b, fmt.Sprintf("%s%s?template=%d", f.srv.URL, loc, tpls[0].ID))
	if !strings.Contains(page, `id="macro"`) || !strings.Contains(page, "waiting for the customer") && !strings.Contains(page, "pending") {
		t.Errorf("the case page does not say what the macro does")
	}
	res, err = b.PostForm(f.srv.URL+loc+"/act", url.Values{"action": {"reply"}, "body": {"Dear macro, could you send us the order number?"}, "template": {fmt.Sprint(tpls[0].ID)}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("reply: %v %d", err, res.StatusCode)
	}
	c, _, _ := f.db.Cases.FindCase(ctx, mustID(t, strings.TrimPrefix(loc, "/cases/")))
	if c.Status != tp.CasePendingCustomer || fmt.Sprint(c.Tags) != "[needs-info order]" || c.FirstReplyAt == nil {
		t.Errorf("after the macro: %s %v %v", c.Status, c.Tags, c.FirstReplyAt)
	}
	if r := f.api("PUT", "/api/v1/reply-templates", f.admin, `{"name":"x","language":"en","body":"y","then_status":"closed"}`); r.Code != 400 {
		t.Errorf("a macro that closes: %d", r.Code)
	}
}

// TestBulkPriority: a department head sets the priority of the chosen
// cases; one of another department is refused without sinking the rest.
func TestBulkPriority(t *testing.T) {
	f := newFixture(t)
	if err := f.db.Users.CreateUser(ctx, &tp.User{Email: "loghead@example.com", Role: tp.RoleDepartmentHead, Department: "Logistics"}, "a long passphrase"); err != nil {
		t.Fatal(err)
	}
	f.track("/v1/identify", `{"userId":"bp","traits":{"email":"bp@example.com"}}`)
	cust, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "bp"})
	var ids []string
	for _, dept := range []string{"Logistics", "Service"} {
		c := &tp.Case{CustomerID: cust.ID, Subject: "bulk " + dept, Department: dept}
		if err := f.db.Cases.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, fmt.Sprint(c.ID))
	}
	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"loghead@example.com"}, "password": {"a long passphrase"}})
	res, err := b.PostForm(f.srv.URL+"/cases/assign", url.Values{"case": ids, "bulk": {"priority"}, "priority": {"urgent"}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("bulk: %v %d", err, res.StatusCode)
	}
	if l, _ := url.QueryUnescape(res.Header.Get("Location")); !strings.Contains(l, "Priority set on 1 cases") || !strings.Contains(l, "1 could not be changed") {
		t.Errorf("flash: %s", l)
	}
	for i, want := range []tp.Priority{tp.PriorityUrgent, tp.PriorityNormal} {
		if c, _, _ := f.db.Cases.FindCase(ctx, mustID(t, ids[i])); c.Priority != want {
			t.Errorf("case %s: %s, want %s", ids[i], c.Priority, want)
		}
	}
}
