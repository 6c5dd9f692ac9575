package report

import (
	"regexp"
	"testing"

	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

func TestPackUsesKnownKeys(t *testing.T) {
	b, _ := assets.ReadFile("pack.html")
	for _, m := range regexp.MustCompile(`t \$?\.Lang "([a-z0-9._]+)"`).FindAllStringSubmatch(string(b), -1) {
		if !i18n.Has(m[1]) {
			t.Errorf("pack.html uses unknown catalogue key %q", m[1])
		}
	}
}
