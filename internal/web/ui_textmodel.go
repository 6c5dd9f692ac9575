package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// The company's theme model: the taxonomy as text, corrections of single
// analyses, and sentiment models trained on the corrections.

// formatThemes writes a taxonomy in the editor's format:
//
//	delivery | Delivery time | Lieferzeit | Levertijd
//	  en: delivery, shipping, parcel
//	  de: liefer*, versand*
func formatThemes(themes []tp.Theme) string {
	var b strings.Builder
	for _, t := range themes {
		fmt.Fprintf(&b, "%s | %s | %s | %s\n", t.ID, t.Names["en"], t.Names["de"], t.Names["nl"])
		for _, lang := range []string{"en", "de", "nl"} {
			if len(t.Terms[lang]) > 0 {
				fmt.Fprintf(&b, "  %s: %s\n", lang, strings.Join(t.Terms[lang], ", "))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// parseThemes reads the editor's format back; errors name the line.
func parseThemes(text string) ([]tp.Theme, error) {
	var out []tp.Theme
	bad := func(line int, msg string) error {
		return tp.Errorf(tp.EINVALID, "line %d: %s", line, msg).WithFields(map[string]string{"themes": "invalid"})
	}
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case line[0] == ' ' || line[0] == '\t':
			if len(out) == 0 {
				return nil, bad(i+1, "terms before the first theme line")
			}
			lang, terms, ok := strings.Cut(trimmed, ":")
			if !ok {
				return nil, bad(i+1, `terms are written "en: word, word*"`)
			}
			t := &out[len(out)-1]
			lang = strings.TrimSpace(lang)
			for _, term := range strings.Split(terms, ",") {
				if term = strings.TrimSpace(term); term != "" {
					t.Terms[lang] = append(t.Terms[lang], term)
				}
			}
		default:
			parts := strings.Split(trimmed, "|")
			if len(parts) < 2 {
				return nil, bad(i+1, `a theme line is "id | English name | German name | Dutch name"`)
			}
			t := tp.Theme{ID: strings.TrimSpace(parts[0]), Names: map[string]string{}, Terms: map[string][]string{}}
			for j, lang := range []string{"en", "de", "nl"} {
				if j+1 < len(parts) {
					if n := strings.TrimSpace(parts[j+1]); n != "" {
						t.Names[lang] = n
					}
				}
			}
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, tp.Errorf(tp.EINVALID, "no themes: to go back to the shipped taxonomy, use the reset button").WithFields(map[string]string{"themes": "empty"})
	}
	return out, tp.ValidateThemes(out)
}

type textModelData struct {
	Names    map[string]string // theme id → name
	Phrases  []tp.Phrase       // found among texts without a theme
	Scanned  int
	Themes   string
	Custom   bool
	Labels   int
	ByLabel  map[string]int
	Models   []tp.TextModel
	Min      int
	CanSet   bool
	CanLabel bool
}

func (s *Server) textModelPage(w http.ResponseWriter, r *http.Request, v *view) error {
	custom, err := s.Text.Themes(r.Context())
	if err != nil {
		return err
	}
	d := textModelData{Custom: custom != nil, Themes: formatThemes(s.Analyzer.Taxonomy()), Min: tp.MinTrainingLabels,
		CanSet: v.Can(string(tp.ActCaseSettings)), CanLabel: v.Can(string(tp.ActTextLabel)), ByLabel: map[string]int{}, Names: map[string]string{}}
	for _, t := range s.Analyzer.Taxonomy() {
		d.Names[t.ID] = t.Name(v.Lang)
	}
	if d.CanLabel {
		labels, err := s.Text.Labels(r.Context())
		if err != nil {
			return err
		}
		for _, l := range labels {
			if l.Sentiment != "" {
				d.Labels++
				d.ByLabel[l.Sentiment]++
			}
		}
	}
	if d.Models, err = s.Text.Models(r.Context()); err != nil {
		return err
	}
	unassigned, err := s.Text.UnassignedTexts(r.Context(), tp.ThemeQuery{}, discoverTexts)
	if err != nil {
		return err
	}
	texts, langs := make([]string, len(unassigned)), make([]string, len(unassigned))
	for i, t := range unassigned {
		texts[i], langs[i] = t.Text, t.Analysis.Lang
	}
	d.Scanned, d.Phrases = len(texts), s.Discoverer.Discover(texts, langs, 15)
	v.Title = translate(v.Lang, "textmodel.title")
	return s.render(w, http.StatusOK, v, "textmodel", "", d)
}

// discoverTexts is how many of the newest unthemed texts discovery reads.
const discoverTexts = 3000

// themeFromPhrase turns a discovered phrase into a theme of the company's
// taxonomy (its name the phrase in every language until someone renames
// it) and queues every text for analysis, so that history counts it too.
func (s *Server) themeFromPhrase(r *http.Request, phrase, lang string) error {
	phrase = strings.TrimSpace(strings.ToLower(phrase))
	if phrase == "" || (lang != "de" && lang != "en" && lang != "nl") {
		return tp.Errorf(tp.EINVALID, "a phrase and its language (de, en, nl) are needed").WithFields(map[string]string{"phrase": "required"})
	}
	themes := append([]tp.Theme{}, s.Analyzer.Taxonomy()...)
	id := themeIDFor(phrase, themes)
	themes = append(themes, tp.Theme{ID: id, Names: map[string]string{"en": phrase, "de": phrase, "nl": phrase},
		Terms: map[string][]string{lang: {phrase}}})
	if err := s.Text.SetThemes(r.Context(), themes); err != nil {
		return err
	}
	s.refreshAnalyzer()
	return s.Text.Reanalyze(r.Context())
}

// themeIDFor makes an id from a phrase: its ASCII letters and digits joined
// by _, unique among themes.
func themeIDFor(phrase string, themes []tp.Theme) string {
	var b strings.Builder
	for _, r := range phrase {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' && b.Len() > 0:
			b.WriteRune('_')
		}
	}
	base := strings.Trim(b.String(), "_")
	if len(base) > 32 {
		base = base[:32]
	}
	if base == "" {
		base = "theme"
	}
	taken := map[string]bool{}
	for _, t := range themes {
		taken[t.ID] = true
	}
	id := base
	for i := 2; taken[id]; i++ {
		id = fmt.Sprintf("%s_%d", base, i)
	}
	return id
}

// refreshAnalyzer applies a change of taxonomy or model in this process at
// once (other replicas notice within seconds).
func (s *Server) refreshAnalyzer() {
	if r, ok := s.Analyzer.(interface{ Refresh() }); ok {
		r.Refresh()
	}
}

func (s *Server) textModelForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	ctx, f := r.Context(), r.PostForm
	var err error
	flash := translate(v.Lang, "casesettings.saved")
	switch strings.TrimPrefix(r.URL.Path, "/themes/model/") {
	case "themes":
		var themes []tp.Theme
		if themes, err = parseThemes(f.Get("themes")); err == nil {
			err = s.Text.SetThemes(ctx, themes)
		}
	case "reset":
		err = s.Text.SetThemes(ctx, nil)
	case "train":
		var m *tp.TextModel
		if m, err = s.trainSentiment(r); err == nil {
			flash = translate(v.Lang, "textmodel.trained", m.ID)
		}
	case "discover":
		err = s.themeFromPhrase(r, f.Get("phrase"), f.Get("lang"))
	case "activate":
		id, _ := strconv.ParseInt(f.Get("id"), 10, 64)
		err = s.Text.ActivateModel(ctx, id)
	default:
		return tp.Errorf(tp.ENOTFOUND, "no such form")
	}
	if tp.ErrorCode(err) == tp.EINVALID {
		flash, err = v.errText(err), nil
	}
	if err != nil {
		return err
	}
	s.refreshAnalyzer()
	http.Redirect(w, r, v.withFlash("/themes/model", flash), http.StatusSeeOther)
	return nil
}

func (s *Server) trainSentiment(r *http.Request) (*tp.TextModel, error) {
	labels, err := s.Text.Labels(r.Context())
	if err != nil {
		return nil, err
	}
	m, err := s.Learner.TrainModel(labels)
	if err != nil {
		return nil, err
	}
	return m, s.Text.SaveModel(r.Context(), m)
}

// labelForm takes a correction from a theme page.
func (s *Server) labelForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	id, _ := strconv.ParseInt(r.PostForm.Get("id"), 10, 64)
	l := tp.TextLabel{Source: r.PostForm.Get("source"), ID: id, Sentiment: r.PostForm.Get("sentiment")}
	if r.PostForm.Get("themes_set") == "1" {
		l.Themes = append([]string{}, r.PostForm["theme"]...)
	}
	flash := translate(v.Lang, "textmodel.labelled")
	err := s.knownThemes(l.Themes)
	if err == nil {
		err = s.Text.Label(r.Context(), l)
	}
	if tp.ErrorCode(err) == tp.EINVALID {
		flash, err = v.errText(err), nil
	}
	if err != nil {
		return err
	}
	back := safeNext(r.PostForm.Get("back"))
	if back == "/" {
		back = "/themes"
	}
	http.Redirect(w, r, v.withFlash(back, flash), http.StatusSeeOther)
	return nil
}
