package i18n

import (
	"strings"
	"testing"
)

func TestCatalogueComplete(t *testing.T) {
	for k, v := range Catalogue {
		for i, s := range v {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s has no text in language %d", k, i)
			}
			if strings.Count(s, "%") != strings.Count(v[0], "%") {
				t.Errorf("%s: language %d has other format verbs than English", k, i)
			}
		}
	}
}
