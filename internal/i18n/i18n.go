// Package i18n holds touchpoint's texts, one JSON file per language (en.json,
// de.json, nl.json), for the web UI and the board pack alike. A fourth
// language is one new file (and its code in tp.Locales).
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

//go:embed *.json
var files embed.FS

// catalogues maps a language to its texts; English is the reference.
var catalogues = load()

func load() map[string]map[string]string {
	out := map[string]map[string]string{}
	entries, err := files.ReadDir(".")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := files.ReadFile(e.Name())
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", e.Name(), err))
		}
		out[strings.TrimSuffix(e.Name(), ".json")] = m
	}
	if err := Check(out); err != nil {
		panic(err) // a broken catalogue must not ship: the tests and every start catch it
	}
	return out
}

var verbRE = regexp.MustCompile(`%[-+#0]*[0-9]*(?:\.[0-9]+)?[vTtbcdoOqxXUeEfFgGsp]`) // fmt verbs, not "95 % interval"

// Check reports every problem of a set of catalogues: a language lacking a
// key of English or holding one English lacks, an empty text, or a text
// whose format verbs (%d, %s, …) differ from English's.
func Check(cats map[string]map[string]string) error {
	en, ok := cats["en"]
	if !ok {
		return fmt.Errorf("i18n: no en.json")
	}
	var problems []string
	for lang, m := range cats {
		for k, ref := range en {
			s, ok := m[k]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s.json lacks %q", lang, k))
			case strings.TrimSpace(s) == "":
				problems = append(problems, fmt.Sprintf("%s.json: %q is empty", lang, k))
			case !slices.Equal(verbRE.FindAllString(s, -1), verbRE.FindAllString(ref, -1)):
				problems = append(problems, fmt.Sprintf("%s.json: %q has other format verbs than English", lang, k))
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				problems = append(problems, fmt.Sprintf("%s.json has %q, which en.json lacks", lang, k))
			}
		}
	}
	for _, l := range tp.Locales {
		if _, ok := cats[l]; !ok {
			problems = append(problems, fmt.Sprintf("no %s.json for locale %s", l, l))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("i18n: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	_, ok := catalogues["en"][key]
	return ok
}

// Keys lists every key, sorted.
func Keys() []string {
	keys := make([]string, 0, len(catalogues["en"]))
	for k := range catalogues["en"] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// T returns the catalogue text for key in lang (English for a language
// without a catalogue), formatted with args; an unknown key shows itself.
func T(lang, key string, args ...any) string {
	m, ok := catalogues[lang]
	if !ok {
		m = catalogues["en"]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

// TooFew is "too few responses" (or cases, or customers: what e's KPI
// counts) in lang, for a value below tp.MinResponses.
func TooFew(lang string, e tp.Estimate) string {
	key := "results.toofew"
	if g := tp.KPIGroup(e.Metric); g == "case" || g == "customer" {
		key += "." + g
	}
	return T(lang, key)
}

// Formula is a KPI's formula in lang ("kpi.formula.<id>"); the registry's
// English text where the catalogue has none.
func Formula(lang string, m tp.MetricDef) string {
	return kpiText(lang, "kpi.formula."+m.ID, m.Formula)
}

// Interval is how a KPI's interval is computed, in lang ("kpi.interval.<id>").
func Interval(lang string, m tp.MetricDef) string {
	return kpiText(lang, "kpi.interval."+m.ID, m.Interval)
}

func kpiText(lang, key, english string) string {
	if english == "" || !Has(key) {
		return english
	}
	return T(lang, key)
}

// KPIName is a KPI's name in lang ("kpi.name.<id>").
func KPIName(lang string, m tp.MetricDef) string { return kpiText(lang, "kpi.name."+m.ID, m.Name) }

// KPIDefinition is a KPI's definition in words, in lang ("kpi.definition.<id>").
func KPIDefinition(lang string, m tp.MetricDef) string {
	return kpiText(lang, "kpi.definition."+m.ID, m.Definition)
}
