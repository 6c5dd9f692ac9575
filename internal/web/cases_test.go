package web_test

import (
	"fmt"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
)

func TestCasesAPI(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/identify", `{"userId":"c-1","traits":{"name":"Greta","email":"greta@example.de"}}`)
	cust, _ := f.db.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "c-1"})
	logistics, _ := f.db.CreateToken(ctx, &tp.Token{Name: "log", Role: tp.RoleAgent, Department: "Logistics"})
	billing, _ := f.db.CreateToken(ctx, &tp.Token{Name: "bill", Role: tp.RoleAgent, Department: "Billing"})
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
	r = f.api("GET", fmt.Sprintf("/api/v1/cases/%d", id), logistics, "")
	if events := r.JSON["events"].([]any); len(events) != 4 {
		t.Errorf("audit trail has %d events, want 4 (created, reply, resolved, closed)", len(events))
	}
}
