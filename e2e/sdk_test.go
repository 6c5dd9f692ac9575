package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// sdkScript sends identify, track and page through both SDKs. The Segment
// client posts plain JSON; the RudderStack client gzips by default.
const sdkScript = `
const { Analytics } = require('@segment/analytics-node');
const Rudder = require('@rudderstack/rudder-sdk-node');
const [url, key] = process.argv.slice(2);
const errors = [];
async function segment(send) {
  const seg = new Analytics({ writeKey: key, host: url, flushAt: 1, maxRetries: 0 });
  seg.on('error', (e) => errors.push(e));
  send(seg);
  await seg.closeAndFlush({ timeout: 20000 });
}
(async () => {
  // An anonymous visit first: it becomes its own profile…
  await segment((s) => s.page({ anonymousId: 'seg-anon-2', name: 'Pricing', properties: { url: 'https://shop.example/pricing' } }));
  // …then a known customer on another device…
  await segment((s) => {
    s.identify({ userId: 'sdk-user-1', anonymousId: 'seg-anon-1', traits: { email: 'Sdk.User@Example.com', name: 'Sdk User' } });
    s.track({ userId: 'sdk-user-1', event: 'Order Completed', properties: { total: 42.5, department: 'Logistics' } });
  });
  if (errors.length) { console.error('segment errors', errors); process.exit(1); }
  // …and the RudderStack backend links the two (a merge), then adds a call.
  const rud = new Rudder(key, { dataPlaneUrl: url, flushAt: 1, logLevel: 'error', retryCount: 0,
    errorHandler: (e) => { console.error('rudder error', e); process.exitCode = 1; } });
  rud.identify({ anonymousId: 'seg-anon-2', traits: { email: 'sdk.user@example.com', phone: '+31 6 12345678' } });
  await rud.flush();
  rud.track({ anonymousId: 'rud-anon-1', event: 'Support Call', properties: { channel: 'phone' },
              context: { traits: { phone: '+31612345678' } } });
  await rud.flush();
  rud.page({ userId: 'sdk-user-1', anonymousId: 'rud-anon-1', name: 'Account' });
  await rud.flush();
})().catch((e) => { console.error(e); process.exit(1); });
`

func requireNode(t *testing.T) (node, npm string) {
	node, err1 := exec.LookPath("node")
	npm, err2 := exec.LookPath("npm")
	if err1 != nil || err2 != nil {
		if os.Getenv("TOUCHPOINT_SDK_REQUIRED") == "1" {
			t.Fatal("TOUCHPOINT_SDK_REQUIRED=1 but node or npm is not installed")
		}
		t.Skip("node and npm are needed for the SDK test")
	}
	return node, npm
}

func TestSegmentAndRudderStackSDKs(t *testing.T) {
	node, npm := requireNode(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir,
		"@segment/analytics-node@3", "@rudderstack/rudder-sdk-node@3")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install: %v\n%s", err, out)
	}
	srv := start(t, "serve")
	key := cli(t, "", "source", "create", "--name", "Node backend", "--channel", "web", "--department", "Sales", "--db", srv.DB)
	token := cli(t, "", "token", "create", "--name", "e2e", "--role", "admin", "--db", srv.DB)
	script := filepath.Join(dir, "send.js")
	if err := os.WriteFile(script, []byte(sdkScript), 0o644); err != nil {
		t.Fatal(err)
	}
	run := exec.CommandContext(ctx, node, script, srv.URL, key)
	run.Dir = dir
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}

	// Every identity the two SDKs used ends on one profile.
	var c struct {
		ID         int64
		Name       string
		Phone      string
		Identities []struct{ Type, Value string }
		Merges     []struct{ Reason string }
	}
	drained(t, srv.URL)
	if code := getJSON(t, srv.URL+"/api/v1/customers/by-identity?type=email&value=sdk.user@example.com", token, &c); code != 200 {
		t.Fatalf("by-identity: %d", code)
	}
	have := map[string]bool{}
	for _, id := range c.Identities {
		have[id.Type+":"+id.Value] = true
	}
	for _, want := range []string{"user_id:sdk-user-1", "anonymous_id:seg-anon-1", "anonymous_id:seg-anon-2", "anonymous_id:rud-anon-1",
		"email:sdk.user@example.com", "phone:+31612345678"} {
		if !have[want] {
			t.Errorf("profile lacks identity %s; has %v", want, c.Identities)
		}
	}
	if c.Name != "Sdk User" || len(c.Merges) == 0 {
		t.Errorf("profile name %q, merges %v", c.Name, c.Merges)
	}
	var tl struct {
		Events []struct{ Type, Name, Channel, Department, Source string }
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/timeline?limit=100", srv.URL, c.ID), token, &tl)
	seen := map[string]bool{}
	for _, e := range tl.Events {
		seen[fmt.Sprintf("%s %s %s %s", e.Type, e.Name, e.Channel, e.Department)] = true
	}
	for _, want := range []string{"identify  web Sales", "track Order Completed web Logistics", "page Pricing web Sales",
		"track Support Call phone Sales", "page Account web Sales", "identify  web Sales"} {
		if !seen[want] {
			t.Errorf("timeline lacks %q; has %v", want, seen)
		}
	}
	if len(tl.Events) != 6 {
		t.Errorf("timeline has %d events, want 6 (3 per SDK)", len(tl.Events))
	}
}
