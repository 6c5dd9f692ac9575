package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/touchpoint-cx/touchpoint/internal/mailer/smtptest"
)

func post(t *testing.T, url, token, body string, v any) int {
	t.Helper()
	return send(t, "POST", url, token, body, v)
}

// send calls the JSON API and decodes the answer into v (when not nil).
func send(t *testing.T, method, url, token, body string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, b)
		}
	}
	return res.StatusCode
}

// TestSurveyByMailAnsweredInBrowser: an invitation goes out through a real SMTP
// conversation; the link is read out of the received mail and answered in
// Chromium in German; the answer shows on the timeline and in the results.
func TestSurveyByMailAnsweredInBrowser(t *testing.T) {
	ctx := browser(t)
	smtp := smtptest.Start(t)
	srv := start(t, "serve", "--smtp-relay", fmt.Sprintf("smtp://%s?from=cx@example.com", smtp.Addr), "--reminder-after", "0")
	key := cli(t, "", "source", "create", "--name", "Shop", "--db", srv.DB)
	token := cli(t, "", "token", "create", "--name", "e2e", "--role", "admin", "--db", srv.DB)

	req, _ := http.NewRequest("POST", srv.URL+"/v1/identify", strings.NewReader(
		`{"userId":"kunde-1","traits":{"name":"Greta Becker","email":"greta@example.de","locale":"de","country":"DE"}}`))
	req.SetBasicAuth(key, "")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("identify: %v", err)
	}
	var cust struct{ ID int64 }
	drained(t, srv.URL)
	getJSON(t, srv.URL+"/api/v1/customers/by-identity?type=user_id&value=kunde-1", token, &cust)
	var survey struct{ ID int64 }
	if code := post(t, srv.URL+"/api/v1/surveys", token, `{"name":"Beziehung NPS","type":"nps","status":"active"}`, &survey); code != 201 {
		t.Fatalf("create survey: %d", code)
	}
	var rep struct{ Queued int }
	if code := post(t, fmt.Sprintf("%s/api/v1/surveys/%d/send", srv.URL, survey.ID), token,
		fmt.Sprintf(`{"customer_ids":[%d],"channel":"email","department":"Service","division":"Retail"}`, cust.ID), &rep); code != 202 || rep.Queued != 1 {
		t.Fatalf("send: %d %+v", code, rep)
	}
	msgs := smtp.Wait(1, 30*time.Second)
	if len(msgs) != 1 || msgs[0].To[0] != "greta@example.de" {
		t.Fatalf("mails: %+v", msgs)
	}
	link := answerLink(t, msgs[0])
	scanLinks(t, msgs[0])
	var before struct{ Responded int }
	getJSON(t, fmt.Sprintf("%s/api/v1/surveys/%d/results", srv.URL, survey.ID), token, &before)
	if before.Responded != 0 {
		t.Fatalf("a link scanner opening every link of the mail recorded %d answers", before.Responded)
	}

	// The customer clicks 9 in the mail: the page opens with 9 chosen and
	// records it on "Absenden".
	step(t, ctx, "open the score link from the mail", chromedp.Navigate(link+"?score=9"), chromedp.WaitVisible(chromedp.CSS(`form fieldset.score`)))
	chosen, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name=score][value="9"]').checked`))
	if err != nil {
		t.Fatal(err)
	}
	if !chosen {
		t.Fatalf("the score from the mail is not chosen on the page")
	}
	step(t, ctx, "answer",
		chromedp.SendKeys(chromedp.CSS(`#comment`), "Die Lieferung war schnell, danke schön!"),
		chromedp.Submit(chromedp.CSS(`#comment`)),
		chromedp.WaitVisible(chromedp.CSS(`main.survey p.muted`)), // only the thank-you page has it
	)
	thanks, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main.survey h1`)))
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		artifact(t, "survey-thanks.png", png)
	}
	if thanks != "Vielen Dank für Ihr Feedback!" {
		t.Fatalf("after submitting the page says %q", thanks)
	}
	var tl struct {
		Events []struct {
			Name       string
			Channel    string
			Department string
			Properties map[string]any
		}
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/timeline", srv.URL, cust.ID), token, &tl)
	found := false
	for _, e := range tl.Events {
		if e.Name == "Survey Responded" {
			found = e.Properties["score"] == 9.0 && e.Properties["comment"] == "Die Lieferung war schnell, danke schön!" &&
				e.Properties["language"] == "de" && e.Channel == "email" && e.Department == "Service"
		}
	}
	if !found {
		t.Errorf("timeline lacks the answer: %+v", tl.Events)
	}
	var res struct {
		Total struct {
			Estimate struct {
				Value float64
				N     int
			}
		}
		Responded int
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/surveys/%d/results", srv.URL, survey.ID), token, &res)
	if res.Total.Estimate.N != 1 || res.Total.Estimate.Value != 100 || res.Responded != 1 {
		t.Errorf("results: %+v", res)
	}
}

var answerLinkRE = regexp.MustCompile(`Oder antworten Sie hier: (http://\S+/s/\S+)`)

// answerLink reads the plain-text part of an invitation and returns its link.
func answerLink(t *testing.T, m smtptest.Received) string {
	t.Helper()
	_, text, err := m.Text()
	if err != nil {
		t.Fatal(err)
	}
	if l := answerLinkRE.FindStringSubmatch(text); l != nil {
		return l[1]
	}
	t.Fatalf("no answer link in:\n%s", text)
	return ""
}

var urlRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// scanLinks does what mail security scanners do: it opens every link of the
// mail (HEAD and GET) without running any script.
func scanLinks(t *testing.T, m smtptest.Received) {
	t.Helper()
	_, text, err := m.Text()
	if err != nil {
		t.Fatal(err)
	}
	links := urlRE.FindAllString(text, -1)
	if len(links) < 11 {
		t.Fatalf("the mail has %d links, want the 11 score links and more:\n%s", len(links), text)
	}
	for _, l := range links {
		for _, method := range []string{"HEAD", "GET"} {
			req, _ := http.NewRequest(method, l, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
	}
}
