package textan

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func analyzer(t testing.TB) *Analyzer {
	t.Helper()
	a, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func themeIDs(r Result) []string {
	var ids []string
	for _, h := range r.Themes {
		ids = append(ids, h.Theme)
	}
	return ids
}

func has(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestNegationTurnsSentiment(t *testing.T) {
	a := analyzer(t)
	for _, c := range []struct{ pos, neg, lang string }{
		{"The service was good.", "The service was not good.", "en"},
		{"Der Service war gut.", "Der Service war nicht gut.", "de"},
		{"De service was goed.", "De service was niet goed.", "nl"},
	} {
		p, n := a.Analyze(c.pos, ""), a.Analyze(c.neg, "")
		if p.Lang != c.lang || n.Lang != c.lang {
			t.Errorf("%q → %s, %q → %s; want %s", c.pos, p.Lang, c.neg, n.Lang, c.lang)
		}
		if p.Sentiment != "positive" || n.Score >= p.Score || n.Sentiment == "positive" {
			t.Errorf("%q → %s %.2f; %q → %s %.2f", c.pos, p.Sentiment, p.Score, c.neg, n.Sentiment, n.Score)
		}
	}
}

func TestThemesWithSpansCompoundsAndNegation(t *testing.T) {
	a := analyzer(t)
	text := "Die Lieferzeit war viel zu lang und das Paket kam beschädigt an 😡"
	r := a.Analyze(text, "")
	ids := themeIDs(r)
	if !has(ids, "delivery") || !has(ids, "damaged_goods") || r.Sentiment != "negative" {
		t.Fatalf("%q → %v %s", text, ids, r.Sentiment)
	}
	for _, h := range r.Themes {
		for _, s := range h.Spans {
			got := text[s.Start:s.End]
			if h.Theme == "damaged_goods" && got != "beschädigt" {
				t.Errorf("damaged_goods span %q, want the umlaut word whole", got)
			}
			if h.Theme == "delivery" && got != "Lieferzeit" && got != "Paket" {
				t.Errorf("delivery span %q", got)
			}
		}
	}
	// A problem word under negation is not the problem.
	for _, s := range []string{"Das Paket kam nicht beschädigt an.", "Het pakket was niet kapot.", "The parcel was not damaged."} {
		if ids := themeIDs(a.Analyze(s, "")); has(ids, "damaged_goods") || !has(ids, "delivery") {
			t.Errorf("%q → %v: want delivery without damaged_goods", s, ids)
		}
	}
	// Dutch compounds by prefix: bezorgdienst, pakketbezorger.
	if ids := themeIDs(a.Analyze("De bezorgdienst was vriendelijk", "")); !has(ids, "delivery") || !has(ids, "staff") {
		t.Errorf("Dutch compound → %v", ids)
	}
}

func TestEdgeInputs(t *testing.T) {
	a := analyzer(t)
	for _, text := range []string{"", "   ", "!!!", "😡", "12345", "\x00\xff\xfe", "@someone https://example.com/x"} {
		r := a.Analyze(text, "")
		if r.Sentiment == "" || r.Lang == "" || r.Themes == nil || r.Sentences == nil {
			t.Errorf("%q → %+v: every field set", text, r)
		}
	}
	if r := a.Analyze("", ""); r.Lang != "other" || r.Sentiment != "neutral" || r.Score != 0 {
		t.Errorf("empty → %+v", r)
	}
	if r := a.Analyze("😡😡", ""); r.Sentiment != "negative" {
		t.Errorf("angry emoji → %s", r.Sentiment)
	}
	// A 100 KB mail: analysed on its first part, said so, fast.
	big := strings.Repeat("Die Lieferung kam zu spät und niemand hat geantwortet. ", 2000)
	r := a.Analyze(big, "")
	if !r.Truncated || r.Lang != "de" || !has(themeIDs(r), "delivery") {
		t.Errorf("100 KB → truncated %v lang %s themes %v", r.Truncated, r.Lang, themeIDs(r))
	}
	// A hint is taken; an unknown hint is not.
	if r := a.Analyze("gut", "nl"); r.Lang != "nl" {
		t.Errorf("hint nl → %s", r.Lang)
	}
	if r := a.Analyze("Das war wirklich gut", "fr"); r.Lang != "de" {
		t.Errorf("hint fr → %s", r.Lang)
	}
}

func TestMixedLanguageFindsThemesOfBoth(t *testing.T) {
	a := analyzer(t)
	// Mostly English with a German word: English is detected, and the taxonomy
	// of the detected language is used.
	r := a.Analyze("The refund never came, the Rechnung is wrong and nobody answers", "")
	if r.Lang != "en" || !has(themeIDs(r), "refund") {
		t.Errorf("mixed → %s %v", r.Lang, themeIDs(r))
	}
	// For "other" every language's rules are tried.
	tax := DefaultTaxonomy()
	if ids := tax.Match("other", Tokenize("Rechnung falsch")); len(ids) != 1 || ids[0].Theme != "billing" {
		t.Errorf("other → %v", ids)
	}
}

func TestTaxonomyRefusesBadThemes(t *testing.T) {
	for _, th := range [][]Theme{
		{{ID: ""}},
		{{ID: "a"}, {ID: "a"}},
		{{ID: "a", Terms: map[string][]string{"fr": {"prix"}}}},
		{{ID: "a", Terms: map[string][]string{"en": {"*"}}}},
	} {
		if _, err := NewTaxonomy(th); err == nil {
			t.Errorf("%+v accepted", th)
		}
	}
}

func TestLearnerLearnsAndRoundTrips(t *testing.T) {
	// Two made-up topics told apart by their words; the learner must find
	// them, and a model written and read back must answer the same.
	rng := rand.New(rand.NewPCG(3, 4))
	a := []string{"invoice", "charged", "payment", "bill"}
	b := []string{"parcel", "courier", "delivery", "late"}
	filler := []string{"the", "my", "was", "and", "again", "today"}
	var ex []Example
	var test []string
	var want []string
	for i := 0; i < 400; i++ {
		words, label := a, "billing"
		if i%2 == 1 {
			words, label = b, "delivery"
		}
		s := fmt.Sprintf("%s %s %s %s", filler[rng.IntN(6)], words[rng.IntN(4)], filler[rng.IntN(6)], words[rng.IntN(4)])
		if i < 300 {
			ex = append(ex, Example{Tokens: Tokenize(s), Label: label})
		} else {
			test, want = append(test, s), append(want, label)
		}
	}
	m := Train(ex, SentimentFeatures, 16, TrainOptions{})
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range test {
		l1, _ := m.Best(m.Predict(Tokenize(s)))
		l2, _ := m2.Best(m2.Predict(Tokenize(s)))
		if l1 != want[i] || l2 != want[i] {
			t.Fatalf("%q: trained %s, decoded %s, want %s", s, l1, l2, want[i])
		}
	}
	if _, err := Decode(bytes.NewReader([]byte("not a model"))); err == nil {
		t.Error("garbage decoded")
	}
}

func FuzzAnalyze(f *testing.F) {
	a := analyzer(f)
	for _, s := range []string{"", "nicht gut", "niet goed 😡", "The parcel was not damaged.", "@x https://y", "\xff\xfe", "Lieferzeit!!!"} {
		f.Add(s, "")
	}
	f.Add("gut", "de")
	f.Fuzz(func(t *testing.T, text, hint string) {
		r := a.Analyze(text, hint)
		if r.Score < -1 || r.Score > 1 || r.Lang == "" {
			t.Fatalf("%q → %+v", text, r)
		}
		for _, h := range r.Themes {
			for _, s := range h.Spans {
				if s.Start < 0 || s.End > len(text) || s.Start >= s.End {
					t.Fatalf("%q: span %+v out of the text", text, s)
				}
			}
		}
	})
}

// comments makes n comments of 30–60 words from a small mixed vocabulary.
func comments(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := strings.Fields(`the delivery was late and the parcel arrived damaged I waited two weeks for my refund
		staff were friendly but the app crashes at checkout die Lieferung kam zu spät und das Paket war beschädigt
		der Mitarbeiter war sehr freundlich aber die Rechnung ist falsch de bezorging was traag en het pakket kapot
		de medewerker was vriendelijk maar de factuur klopt niet price quality good bad never again thank you`)
	out := make([]string, n)
	for i := range out {
		w := make([]string, 30+rng.IntN(31))
		for j := range w {
			w[j] = vocab[rng.IntN(len(vocab))]
		}
		out[i] = strings.Join(w, " ") + "."
	}
	return out
}

// BenchmarkAnalyze is the analysis speed of one core on comments of 30–60
// words (issue 12: ≥ 20 000 per second per core).
func BenchmarkAnalyze(b *testing.B) {
	a := analyzer(b)
	texts := comments(1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Analyze(texts[i%len(texts)], "")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
}

func TestDiscoverFindsAPhraseNoThemeCatches(t *testing.T) {
	a := analyzer(t)
	var texts []string
	for i := 0; i < 12; i++ {
		texts = append(texts, fmt.Sprintf("The loyalty points disappeared from my account again %d", i))
	}
	texts = append(texts, "Nice weather today", "Something else entirely", "Loyalty is nice")
	got := a.Discover(texts, nil, 5)
	if len(got) == 0 || got[0].Text != "loyalty points disappeared" || got[0].Count != 12 || got[0].Lang != "en" || len(got[0].Examples) != 3 {
		t.Fatalf("%+v", got)
	}
	for _, p := range got {
		if p.Text == "loyalty points" || p.Text == "points disappeared" {
			t.Errorf("a part of the top phrase came back: %+v", p)
		}
	}
}

func TestDiscoverMixedLanguages(t *testing.T) {
	a := analyzer(t)
	var texts []string
	for i := 0; i < 8; i++ {
		texts = append(texts, "Die Treuepunkte sind verschwunden", "De spaarpunten zijn verdwenen", "The loyalty points vanished")
	}
	got := a.Discover(texts, nil, 10)
	langs := map[string]bool{}
	for _, p := range got {
		langs[p.Lang] = true
	}
	if len(langs) != 3 {
		t.Errorf("%+v", got)
	}
}
