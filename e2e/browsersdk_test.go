package e2e

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser SDKs people put on their sites, from npm, in Chromium, on a
// page of another origin: Segment's analytics-next (settings loaded from
// touchpoint as its cdnURL, events to /v1/i, /v1/t, /v1/p) and RudderStack's
// analytics-js (source config from touchpoint as configUrl, events by
// beacon to /beacon/v1/batch). Both land on one profile.
func TestBrowserSDKs(t *testing.T) {
	_, npm := requireNode(t)
	ctx := browser(t)
	dir := t.TempDir()
	ictx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	install := exec.CommandContext(ictx, npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir,
		"@segment/analytics-next@1", "@rudderstack/analytics-js@3")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install: %v\n%s", err, out)
	}
	srv := start(t, "serve")
	key := cli(t, "", "source", "create", "--name", "Web shop", "--channel", "web", "--department", "Sales", "--db", srv.DB)
	token := cli(t, "", "token", "create", "--name", "e2e", "--role", "admin", "--db", srv.DB)

	mux := http.NewServeMux()
	mux.Handle("/ajs/", http.StripPrefix("/ajs/", http.FileServer(http.Dir(filepath.Join(dir, "node_modules/@segment/analytics-next/dist/umd")))))
	mux.HandleFunc("/rudder.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(dir, "node_modules/@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js"))
	})
	mux.HandleFunc("/shop", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		shopPage.Execute(w, map[string]string{"TP": srv.URL, "Key": key})
	})
	site := httptest.NewServer(mux) // another origin than touchpoint's
	defer site.Close()

	step(t, ctx, "open the shop", chromedp.Navigate(site.URL+"/shop"), chromedp.WaitReady(chromedp.CSS("body")))
	deadline := time.Now().Add(60 * time.Second)
	var got map[string]bool
	for time.Now().Before(deadline) {
		got = timelineOf(t, srv.URL, token, "web-user-1")
		if got["identify  web Sales"] && got["track Added to Cart web Sales"] && got["page Home web Sales"] && got["track Checked Out web Sales"] &&
			got["identify rudder web Sales"] {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, want := range []string{"identify  web Sales", "track Added to Cart web Sales", "page Home web Sales", "track Checked Out web Sales"} {
		if !got[want] {
			t.Errorf("timeline lacks %q; has %v", want, got)
		}
	}
	errs, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(window.errors || []).join("\n")`))
	if errs != "" {
		t.Errorf("the page saw errors:\n%s", errs)
	}
	metrics := fetchText(t, srv.URL+"/metrics")
	for _, route := range []string{`route="GET /v1/projects/{writeKey}/settings"`, `route="GET /sourceConfig/"`, `route="POST /beacon/v1/batch"`, `route="POST /v1/t"`} {
		if !strings.Contains(metrics, route) {
			t.Errorf("the SDKs never called %s", route)
		}
	}
}

// timelineOf lists "type name channel department" of a user's events.
func timelineOf(t *testing.T, base, token, userID string) map[string]bool {
	var c struct{ ID int64 }
	if getJSON(t, base+"/api/v1/customers/by-identity?type=user_id&value="+userID, token, &c) != 200 {
		return nil
	}
	var tl struct {
		Events []struct{ Type, Name, Channel, Department, Source string }
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/timeline?limit=100", base, c.ID), token, &tl)
	out := map[string]bool{}
	for _, e := range tl.Events {
		name := e.Name
		if e.Type == "identify" && strings.Contains(e.Source, "rudder") {
			name = "rudder"
		}
		out[fmt.Sprintf("%s %s %s %s", e.Type, name, e.Channel, e.Department)] = true
	}
	return out
}

func fetchText(t *testing.T, url string) string {
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

var shopPage = template.Must(template.New("shop").Parse(`<!doctype html><title>A shop</title>
<script src="/ajs/index.js"></script>
<script src="/rudder.js"></script>
<script>
window.errors = [];
window.addEventListener("error", (e) => window.errors.push(String(e.message)));
(async () => {
  const tp = {{.TP}}, key = {{.Key}};
  const [ajs] = await AnalyticsNext.AnalyticsBrowser.load({ writeKey: key, cdnURL: tp });
  await ajs.identify("web-user-1", { email: "web.user@example.com", name: "Web User" });
  await ajs.track("Added to Cart", { sku: "A-1" });
  await ajs.page("Shop", "Home");
  const ra = new rudderanalytics.RudderAnalytics();
  ra.load(key, tp, { configUrl: tp, useBeacon: true, polyfillIfRequired: false, logLevel: "ERROR",
    beaconQueueOptions: { flushQueueInterval: 200 }, onLoaded: () => {
      ra.identify("web-user-1", { plan: "gold" });
      ra.track("Checked Out", { total: 10 });
    } });
})().catch((e) => window.errors.push(String(e)));
</script><body>shop</body>`))
