package web

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

func TestNegotiateLanguage(t *testing.T) {
	for h, want := range map[string]string{"": "en", "de-DE,de;q=0.9": "de", "fr;q=1,nl;q=0.8,de;q=0.5": "nl", "en-GB;q=0.2,de;q=0.3": "de", "nl;q=x": "en"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", h)
		if got := negotiateLanguage(r, nil); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", h, got, want)
		}
	}
}

func TestTemplatesUseKnownKeys(t *testing.T) {
	entries, _ := assets.ReadDir("templates")
	re := regexp.MustCompile(`\.T "([a-z0-9._]+)"`)
	for _, e := range entries {
		b, _ := assets.ReadFile("templates/" + e.Name())
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !i18n.Has(m[1]) {
				t.Errorf("%s uses unknown catalogue key %q", e.Name(), m[1])
			}
		}
	}
}

// The roles page names every action, role and scope in each language.
func TestPolicyIsDescribed(t *testing.T) {
	for _, act := range tp.Actions() {
		if !i18n.Has("policy." + string(act)) {
			t.Errorf("no description policy.%s in the catalogue", act)
		}
	}
	for _, r := range tp.PolicyRoles {
		if !i18n.Has("roles.role." + string(r)) {
			t.Errorf("no name roles.role.%s in the catalogue", r)
		}
	}
	for _, s := range []tp.Scope{tp.ScopeAll, tp.ScopeDepartment, tp.ScopeAssigned, tp.ScopeSelf} {
		if !i18n.Has("roles.scope." + string(s)) {
			t.Errorf("no words roles.scope.%s in the catalogue", s)
		}
	}
}

// TestEveryRiskReasonReads: each input of the churn model says its reason in
// words in every language, with its value, missing or not.
func TestEveryRiskReasonReads(t *testing.T) {
	seven := 7.0
	zero := 0.0
	for _, lang := range []string{"en", "de", "nl"} {
		for _, f := range append(slices.Clone(tp.RiskFeatures), "country") {
			one := 1.0
			cases := []tp.RiskReason{{Feature: f, Value: &seven, Text: "DE"}, {Feature: f, Value: &one, Text: "DE"}}
			switch f {
			case "order_recency_days", "avg_order_value", "last_nps", "last_csat", "country":
				cases = append(cases, tp.RiskReason{Feature: f})
			case "recency_days":
				cases = append(cases, tp.RiskReason{Feature: f, Value: &zero})
			}
			for _, r := range cases {
				got := reasonText(lang, r)
				if strings.Contains(got, "risk.reason") || strings.Contains(got, "%!") || got == "" {
					t.Errorf("%s %s %v: %q", lang, f, r.Value, got)
				}
				if r.Value != nil && *r.Value != 0 && f != "country" && !strings.Contains(got, strconv.Itoa(int(*r.Value))) {
					t.Errorf("%s %s: %q lacks the value", lang, f, got)
				}
			}
		}
	}
	if got := money(1234567.4); got != "1\u202f234\u202f567" {
		t.Errorf("money: %q", got)
	}
}
