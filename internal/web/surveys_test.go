package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

func (f *fixture) surveyWithLink(t *testing.T) (surveyID int64, token, link string) {
	t.Helper()
	f.track("/v1/identify", `{"userId":"s-1","traits":{"name":"Sanne","locale":"nl","email":"sanne@example.nl"}}`)
	r := f.api("POST", "/api/v1/surveys", f.admin, `{"name":"Relationship","type":"nps","status":"active",
		"questions":[{"id":"reason","kind":"single","options":["price","service"]}],
		"texts":{"nl":{"questions":{"reason":{"label":"Belangrijkste reden","options":{"price":"Prijs","service":"Service"}}}}}}`)
	if r.Code != 201 {
		t.Fatalf("create survey: %d %s", r.Code, r.Body)
	}
	surveyID = int64(r.JSON["id"].(float64))
	c, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "s-1"})
	r = f.api("POST", fmt.Sprintf("/api/v1/surveys/%d/invitations", surveyID), f.admin,
		fmt.Sprintf(`{"customer_id":%d,"channel":"email","department":"Service","division":"Retail"}`, c.ID))
	if r.Code != 201 {
		t.Fatalf("invite: %d %s", r.Code, r.Body)
	}
	return surveyID, r.JSON["token"].(string), r.JSON["url"].(string)
}

func TestSurveyLinkOneClickThenComment(t *testing.T) {
	f := newFixture(t)
	id, _, link := f.surveyWithLink(t)
	if !strings.HasPrefix(link, f.srv.URL+"/s/") {
		t.Errorf("link %q", link)
	}
	// One click on 9 in the e-mail shows the form with 9 chosen, in Dutch; nothing is recorded before the submit.
	code, body := get(t, http.DefaultClient, link+"?score=9")
	if code != 200 || !strings.Contains(body, `value="9" checked`) || !strings.Contains(body, "Belangrijkste reden") || !strings.Contains(body, `lang="nl"`) {
		t.Fatalf("one-click page: %d\n%s", code, body)
	}
	if r, _ := f.db.Surveys.ResponseByInvitation(ctx, 1); r != nil {
		t.Fatalf("opening the score link recorded an answer: %+v", r)
	}
	if code, body := get(t, http.DefaultClient, link+"?score=12"); code != 200 || strings.Contains(body, "checked") || !strings.Contains(body, "niet op de schaal") {
		t.Errorf("score off the scale: %d\n%s", code, body)
	}
	res, err := http.PostForm(link, url.Values{"score": {"4"}, "comment": {"<script>alert(1)</script> te laat"}, "q_reason": {"service"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(b), "Hartelijk dank") {
		t.Fatalf("submit: %d\n%s", res.StatusCode, b)
	}
	r := f.api("GET", fmt.Sprintf("/api/v1/surveys/%d/results?by=division", id), f.admin, "")
	total := r.JSON["total"].(map[string]any)["estimate"].(map[string]any)
	if r.Code != 200 || total["n"].(float64) != 1 || total["value"].(float64) != -100 || total["too_few"] != true {
		t.Fatalf("results: %d %s", r.Code, r.Body)
	}
	// The comment shows escaped on the customer's timeline page.
	b2 := f.browser("en")
	b2.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	c, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "s-1"})
	_, page := get(t, b2, fmt.Sprintf("%s/customers/%d", f.srv.URL, c.ID))
	if !strings.Contains(page, "Survey Responded") || strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;") {
		t.Errorf("timeline does not show the escaped answer")
	}
	// The summary card and the timeline show the answer as one: 4 of 10, a detractor.
	if !strings.Contains(page, `id="summary"`) || strings.Count(page, `<strong class="score g-detractor">4</strong>`) != 2 || strings.Contains(page, "<dt>survey_id</dt>") {
		t.Errorf("the customer page does not render the answer as such")
	}
	_, page = get(t, b2, fmt.Sprintf("%s/surveys/%d", f.srv.URL, id))
	if !strings.Contains(page, "too few responses") || !strings.Contains(page, "Retail") {
		t.Errorf("results page lacks the n < 30 note or the division")
	}
}

func TestSurveyLinkBadInput(t *testing.T) {
	f := newFixture(t)
	_, token, link := f.surveyWithLink(t)
	for _, c := range []struct {
		form  url.Values
		words string
	}{
		{url.Values{"score": {"11"}}, "score"},
		{url.Values{"score": {"x"}}, "score"},
		{url.Values{}, "score"},
		{url.Values{"score": {"5"}, "q_reason": {"weather"}}, "answers.reason"},
		{url.Values{"score": {"5"}, "comment": {strings.Repeat("x", tp.MaxCommentLen+1)}}, "opmerking"},
	} {
		res, _ := http.PostForm(link, c.form)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 400 || !strings.Contains(string(b), c.words) {
			t.Errorf("%v: %d, want 400 naming %q\n%s", c.form, res.StatusCode, c.words, b)
		}
	}
	if r, _ := f.db.Surveys.ResponseByInvitation(ctx, 1); r != nil {
		t.Errorf("bad input stored a response: %+v", r)
	}
	for _, c := range []struct {
		path  string
		code  int
		words string
	}{
		{"/s/" + token[:len(token)-3] + "abc", 404, "niet geldig"},
		{"/s/nonsense", 404, "niet geldig"},
	} {
		req, _ := http.NewRequest("GET", f.srv.URL+c.path, nil)
		req.Header.Set("Accept-Language", "nl")
		res, _ := http.DefaultClient.Do(req)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != c.code || !strings.Contains(string(b), c.words) {
			t.Errorf("%s: %d\n%s", c.path, res.StatusCode, b)
		}
	}
	c, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "s-1"})
	expired, _ := f.db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: 1, CustomerID: c.ID}, -time.Minute)
	req, _ := http.NewRequest("GET", f.srv.URL+"/s/"+expired, nil)
	req.Header.Set("Accept-Language", "nl-NL")
	res, _ := http.DefaultClient.Do(req)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 410 || !strings.Contains(string(b), "verlopen") {
		t.Errorf("expired: %d\n%s", res.StatusCode, b)
	}
	// JSON answers for widgets go through the same checks.
	r := f.api("POST", "/v1/responses/"+token, "", `{"score":99}`)
	if r.Code != 400 || errCode(r) != "invalid" {
		t.Errorf("JSON bad score: %d %s", r.Code, r.Body)
	}
}

func TestSurveyRateLimit(t *testing.T) {
	f := newFixture(t)
	_, _, link := f.surveyWithLink(t)
	limited := 0
	for range 40 {
		res, _ := http.Get(link)
		res.Body.Close()
		if res.StatusCode == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Error("40 requests at once from one address were never limited")
	}
}

func TestSurveyPermissions(t *testing.T) {
	f := newFixture(t)
	if r := f.api("POST", "/api/v1/surveys", f.analyst, `{"name":"x","type":"nps"}`); r.Code != 403 {
		t.Errorf("analyst creates survey: %d", r.Code)
	}
	if r := f.api("POST", "/api/v1/surveys", f.admin, `{"name":"","type":"stars"}`); r.Code != 400 || r.JSON["error"].(map[string]any)["fields"] == nil {
		t.Errorf("bad survey: %d %s", r.Code, r.Body)
	}
	r := f.api("POST", "/api/v1/surveys", f.admin, `{"name":"Draft","type":"csat"}`)
	draft := int64(r.JSON["id"].(float64))
	if r := f.api("DELETE", fmt.Sprintf("/api/v1/surveys/%d", draft), f.analyst, ""); r.Code != 403 {
		t.Errorf("analyst deletes: %d", r.Code)
	}
	if r := f.api("DELETE", fmt.Sprintf("/api/v1/surveys/%d", draft), f.admin, ""); r.Code != 204 {
		t.Errorf("delete draft: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", fmt.Sprintf("/api/v1/surveys/%d", draft), f.admin, ""); r.Code != 404 {
		t.Errorf("deleted draft still there: %d", r.Code)
	}
	id, _, _ := f.surveyWithLink(t)
	if r := f.api("DELETE", fmt.Sprintf("/api/v1/surveys/%d", id), f.admin, ""); r.Code != 409 || !strings.Contains(string(r.Body), "close it") {
		t.Errorf("delete an active survey with invitations: %d %s", r.Code, r.Body)
	}
}

func TestResponsesListAndExport(t *testing.T) {
	f := newFixture(t)
	id, _, link := f.surveyWithLink(t)
	http.PostForm(link, url.Values{"score": {"3"}, "comment": {"=1+1 Lieferung kam zu spät"}})
	base := fmt.Sprintf("/api/v1/surveys/%d/responses", id)
	r := f.api("GET", base+"?max_score=6&q=SPÄT", f.analyst, "")
	list, _ := r.JSON["responses"].([]any)
	if r.Code != 200 || len(list) != 1 || list[0].(map[string]any)["customer_name"] != "Sanne" {
		t.Fatalf("list: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", base+"?min_score=7", f.analyst, ""); len(r.JSON["responses"].([]any)) != 0 {
		t.Errorf("min_score filter ignored: %s", r.Body)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+base+"?format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+f.analyst)
	res, _ := http.DefaultClient.Do(req)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(string(b), "'=1+1 Lieferung kam zu spät") || !strings.Contains(res.Header.Get("Content-Disposition"), ".csv") {
		t.Errorf("csv: %d %s\n%s", res.StatusCode, res.Header, b)
	}
	req, _ = http.NewRequest("GET", f.srv.URL+base+"?format=xlsx", nil)
	req.Header.Set("Authorization", "Bearer "+f.analyst)
	res, _ = http.DefaultClient.Do(req)
	b, _ = io.ReadAll(res.Body)
	if res.StatusCode != 200 || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("xlsx: %d, %d bytes", res.StatusCode, len(b))
	}
	if r := f.api("GET", base+"?format=pdf", f.analyst, ""); r.Code != 400 {
		t.Errorf("format=pdf: %d", r.Code)
	}
	if r := f.api("GET", base+"?min_score=x", f.analyst, ""); r.Code != 400 {
		t.Errorf("min_score=x: %d", r.Code)
	}
}

func TestPublicLinkAndWidget(t *testing.T) {
	f := newFixture(t)
	id, _, _ := f.surveyWithLink(t)
	// A visitor the web shop already tracked answers in the widget on its site.
	f.track("/v1/page", `{"anonymousId":"visitor-42","name":"Checkout"}`)
	r := f.api("GET", fmt.Sprintf("/v1/surveys/%d/widget?lang=de", id), "", "")
	if r.Code != 200 || r.JSON["question"] == "" || r.JSON["max"].(float64) != 10 {
		t.Fatalf("widget config: %d %s", r.Code, r.Body)
	}
	for _, body := range []string{`{"anonymousId":"visitor-42","score":10,"page":"https://shop.example/checkout"}`,
		`{"anonymousId":"visitor-42","score":8,"comment":"Schnell!","complete":true,"page":"https://shop.example/checkout"}`} {
		if r := f.api("POST", fmt.Sprintf("/v1/surveys/%d/responses", id), "", body); r.Code != 200 {
			t.Fatalf("widget answer: %d %s", r.Code, r.Body)
		}
	}
	c, _ := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "anonymous_id", Value: "visitor-42"})
	tl, _ := f.db.Customers.Timeline(ctx, c.ID, tp.TimelineFilter{})
	answers := 0
	for _, e := range tl.Events {
		if e.Name == "Survey Responded" {
			answers++
			if !strings.Contains(string(e.Properties), `"score":8`) || !strings.Contains(string(e.Properties), "shop.example/checkout") {
				t.Errorf("widget answer on the timeline: %s", e.Properties)
			}
		}
	}
	if answers != 1 {
		t.Errorf("%d answers on the visitor's timeline, want 1 (the second updates the first)", answers)
	}
	if r := f.api("POST", fmt.Sprintf("/v1/surveys/%d/responses", id), "", `{"score":8}`); r.Code != 400 {
		t.Errorf("widget answer without anonymousId: %d %s", r.Code, r.Body)
	}
	// The public link: the browser gets an anonymous id and can change its answer.
	jar := f.browser("en")
	code, body := get(t, jar, fmt.Sprintf("%s/p/%d", f.srv.URL, id))
	if code != 200 || !strings.Contains(body, fmt.Sprintf(`action="/p/%d"`, id)) {
		t.Fatalf("public page: %d", code)
	}
	for _, score := range []string{"2", "6"} {
		res, err := jar.PostForm(fmt.Sprintf("%s/p/%d", f.srv.URL, id), url.Values{"score": {score}, "q_reason": {"price"}})
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("public answer: %v %d", err, res.StatusCode)
		}
	}
	res, _ := f.db.Surveys.SurveyResults(ctx, tp.ResultsQuery{SurveyID: id})
	if res.Total.Estimate.N != 2 { // the widget visitor and the public-link visitor
		t.Errorf("n = %d, want 2", res.Total.Estimate.N)
	}
	if r := f.api("GET", "/p/999", "", ""); r.Code != 404 {
		t.Errorf("unknown public survey: %d", r.Code)
	}
}

func TestSendToListFromSurveyPage(t *testing.T) {
	f := newFixture(t)
	id, _, _ := f.surveyWithLink(t)
	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	res, err := b.PostForm(fmt.Sprintf("%s/surveys/%d/send", f.srv.URL, id), url.Values{"emails": {"new@example.com\n\"x\";sanne@example.nl"}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("send: %v %d", err, res.StatusCode)
	}
	// Sanne already has the invitation the fixture made: the budget skips her.
	if loc, _ := url.QueryUnescape(res.Header.Get("Location")); !strings.Contains(loc, "1 invitations queued, 1 skipped") ||
		!strings.Contains(loc, "contacted in the last 30 days") {
		t.Errorf("flash: %s", loc)
	}
	r := f.api("POST", fmt.Sprintf("/api/v1/surveys/%d/send", id), f.admin, `{"emails":["not-an-address"]}`)
	if r.Code != 400 || !strings.Contains(string(r.Body), "emails[0]") {
		t.Errorf("bad address: %d %s", r.Code, r.Body)
	}
	if c, err := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "email", Value: "new@example.com"}); err != nil || c.Email != "new@example.com" {
		t.Errorf("the new address did not become a customer: %v", err)
	}
}

func TestSegmentsAPIAndSend(t *testing.T) {
	f := newFixture(t)
	id, _, _ := f.surveyWithLink(t) // Sanne already holds an invitation
	f.track("/v1/identify", `{"userId":"vip","traits":{"plan":"vip","email":"vip@example.com"}}`)
	r := f.api("POST", "/api/v1/segments", f.analyst, `{"name":"VIP","conditions":[{"kind":"trait","key":"plan","op":"eq","value":"vip"}]}`)
	if r.Code != 201 {
		t.Fatalf("analyst saves segment: %d %s", r.Code, r.Body)
	}
	seg := int64(r.JSON["id"].(float64))
	if r := f.api("GET", fmt.Sprintf("/api/v1/segments/%d", seg), f.analyst, ""); r.JSON["members"].(float64) != 1 {
		t.Errorf("members: %s", r.Body)
	}
	if r := f.api("POST", "/api/v1/segments", f.analyst, `{"name":"bad","conditions":[{"kind":"mood"}]}`); r.Code != 400 {
		t.Errorf("bad segment: %d", r.Code)
	}
	r = f.api("POST", fmt.Sprintf("/api/v1/surveys/%d/send", id), f.admin, fmt.Sprintf(`{"segment_id":%d}`, seg))
	if r.Code != 202 || r.JSON["queued"].(float64) != 1 {
		t.Errorf("send to segment: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", fmt.Sprintf("/api/v1/surveys/%d/results?by=segment", id), f.admin, ""); r.Code != 200 || len(r.JSON["rows"].([]any)) != 1 {
		t.Errorf("results by segment: %d %s", r.Code, r.Body)
	}
}
