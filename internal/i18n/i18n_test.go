package i18n

import (
	"strings"
	"testing"
)

func TestCatalogueComplete(t *testing.T) {
	if err := Check(catalogues); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFindsProblems(t *testing.T) {
	cats := map[string]map[string]string{
		"en": {"a": "%d cases", "b": "Hello"},
		"de": {"a": "Fälle", "b": " ", "c": "extra"},
		"nl": {"a": "%d zaken"},
	}
	err := Check(cats)
	if err == nil {
		t.Fatal("no problem found")
	}
	for _, want := range []string{`de.json: "a" has other format verbs`, `de.json: "b" is empty`, `de.json has "c"`, `nl.json lacks "b"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q missing from %v", want, err)
		}
	}
}

func TestT(t *testing.T) {
	if got := T("de", "nav.customers"); got != "Kunden" {
		t.Errorf("de nav.customers = %q", got)
	}
	if got := T("fr", "nav.customers"); got != "Customers" {
		t.Errorf("unknown language falls back to English, got %q", got)
	}
	if got := T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key = %q", got)
	}
}
