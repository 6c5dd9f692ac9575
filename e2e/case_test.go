package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/touchpoint-cx/touchpoint/internal/mailer/smtptest"
)

// TestAgentWorksCaseInBrowser: an agent opens the queue, opens the case,
// replies and resolves it in Chromium; the reply reaches the customer by mail.
func TestAgentWorksCaseInBrowser(t *testing.T) {
	ctx := browser(t)
	out := smtptest.Start(t)
	srv := start(t, "serve", "--smtp-relay", fmt.Sprintf("smtp://%s?from=service@example.com", out.Addr))
	key := cli(t, "", "source", "create", "--name", "Shop", "--db", srv.DB)
	token := cli(t, "", "token", "create", "--name", "e2e", "--role", "admin", "--db", srv.DB)
	cli(t, "agent password 1\n", "user", "create", "--email", "agent@example.com", "--role", "agent", "--department", "Logistics",
		"--password-stdin", "--db", srv.DB)
	req, _ := http.NewRequest("POST", srv.URL+"/v1/identify", strings.NewReader(`{"userId":"k7","traits":{"name":"Lotte Visser","email":"lotte@example.nl","locale":"nl"}}`))
	req.SetBasicAuth(key, "")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("identify: %v", err)
	}
	var cust struct{ ID int64 }
	drained(t, srv.URL)
	getJSON(t, srv.URL+"/api/v1/customers/by-identity?type=user_id&value=k7", token, &cust)
	var c struct{ ID int64 }
	if code := post(t, srv.URL+"/api/v1/cases", token, fmt.Sprintf(`{"customer_id":%d,"subject":"Pakket kwijt","description":"Mijn pakket is niet aangekomen.","department":"Logistics","priority":"high","channel":"email","source":"email"}`, cust.ID), &c); code != 201 {
		t.Fatalf("create case: %d", code)
	}
	if code := send(t, "PUT", srv.URL+"/api/v1/reply-templates", token, `{"name":"Nieuw pakket","language":"nl","body":"Beste {name}, over zaak {case}: we zoeken het uit en sturen vandaag een nieuw pakket."}`, nil); code != 200 {
		t.Fatalf("reply template: %d", code)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	logIn(t, ctx, srv.URL+"/cases", "agent@example.com", "agent password 1", "table.list tbody tr")
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		artifact(t, "cases-queue.png", png)
	}
	// Keyboard only: j focuses the first case, Enter opens it, r goes to the reply.
	js := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	loaded := func() { // keys.js is deferred: wait until it has run
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete"`)); err != nil {
			t.Fatalf("page load: %v", err)
		}
	}
	loaded()
	step(t, ctx, "j", chromedp.KeyEvent("j"))
	if got := js(`document.activeElement.getAttribute("href") || ""`); got != fmt.Sprintf("/cases/%d", c.ID) {
		t.Fatalf("after j the focus is on %q, want the case link", got)
	}
	step(t, ctx, "enter opens the case", chromedp.KeyEvent("\r"), chromedp.WaitVisible(css("#body")))
	loaded()
	step(t, ctx, "r", chromedp.KeyEvent("r"))
	if got := js(`document.activeElement.id`); got != "body" {
		t.Fatalf("after r the focus is on %q, want the reply box", got)
	}
	if got := js(`document.getElementById("body").value`); got != "" {
		t.Fatalf("reply box holds %q (the r must not be typed into it)", got)
	}
	// Start the reply from the Dutch template, filled with her name and the case.
	step(t, ctx, "use the template", chromedp.Click(css(`form[method="get"] button`)))
	// The old page also has #body: wait for the new one, whose address names the template.
	until := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.search.includes("template=") && document.readyState === "complete"`))
		if err == nil && ok {
			break
		}
		if time.Now().After(until) {
			t.Fatalf("the page with the template did not load: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	want := fmt.Sprintf("Beste Lotte Visser, over zaak #%d: we zoeken het uit en sturen vandaag een nieuw pakket.", c.ID)
	if got := js(`document.getElementById("body").value`); got != want {
		t.Fatalf("reply box after the template: %q, want %q", got, want)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		artifact(t, "case-template.png", png)
	}
	step(t, ctx, "send",
		chromedp.Click(css(`button[value="reply"]`)),
		chromedp.WaitVisible(css("li.ev-reply")),
	)
	step(t, ctx, "resolve", chromedp.Click(css("#to-resolved")), chromedp.WaitVisible(css("#to-closed")))
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		artifact(t, "case.png", png)
	}
	// The agent's pages at desktop and phone width, checked by axe-core.
	lookAt(t, ctx, fmt.Sprintf("%s/cases/%d", srv.URL, c.ID), "agent-case")
	lookAt(t, ctx, srv.URL+"/cases?assignee=me&status=all", "agent-queue")
	var got struct {
		Case struct {
			Status       string
			FirstReplyAt *time.Time `json:"first_reply_at"`
		}
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/cases/%d", srv.URL, c.ID), token, &got)
	if got.Case.Status != "resolved" || got.Case.FirstReplyAt == nil {
		t.Errorf("case after the agent's work: %+v", got.Case)
	}
	mails := out.Wait(1, 30*time.Second)
	if len(mails) != 1 {
		t.Fatalf("%d mails to the customer", len(mails))
	}
	subject, text, _ := mails[0].Text()
	if mails[0].To[0] != "lotte@example.nl" || !strings.Contains(subject, fmt.Sprintf("[#%d]", c.ID)) ||
		!strings.Contains(text, "nieuw pakket") || !strings.Contains(text, "Met vriendelijke groet") {
		t.Errorf("reply mail: %q\n%s", subject, text)
	}
}
