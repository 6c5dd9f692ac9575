package web

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

// maxAnalyzeTexts bounds one analyze request (about 50 ms of work).
const maxAnalyzeTexts = 1000

type analyzeInput struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
}

// apiAnalyze analyses one text ({"text", "lang"}) or a list of them and
// returns the analysis (or the list of them, in order). Nothing is stored.
func (s *Server) apiAnalyze(w http.ResponseWriter, r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return tp.Errorf(tp.EMEDIATYPE, "send the body as JSON with Content-Type: application/json").WithFields(map[string]string{"Content-Type": "must be application/json"})
	}
	body, err := readBody(r, 1<<20, "body")
	if err != nil {
		return err
	}
	body = bytes.TrimSpace(body)
	strict := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return tp.Errorf(tp.EINVALID, "send {\"text\": \"…\", \"lang\": \"de\"} or a list of them: %s", err.Error()).WithFields(map[string]string{"body": "invalid"})
		}
		return nil
	}
	check := func(in analyzeInput, field string) error {
		if in.Lang != "" && in.Lang != "de" && in.Lang != "en" && in.Lang != "nl" {
			return tp.Errorf(tp.EINVALID, "lang must be de, en or nl, or left out to detect it").WithFields(map[string]string{field: "unknown language"})
		}
		return nil
	}
	if len(body) > 0 && body[0] == '[' {
		var list []analyzeInput
		if err := strict(&list); err != nil {
			return err
		}
		if len(list) > maxAnalyzeTexts {
			return tp.Errorf(tp.EINVALID, "at most 1000 texts per request").WithFields(map[string]string{"body": "too many texts"})
		}
		out := make([]tp.TextAnalysis, len(list))
		for i, in := range list {
			if err := check(in, "["+strconv.Itoa(i)+"].lang"); err != nil {
				return err
			}
			out[i] = s.Analyzer.Analyze(in.Text, in.Lang)
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	var in analyzeInput
	if err := strict(&in); err != nil {
		return err
	}
	if err := check(in, "lang"); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.Analyzer.Analyze(in.Text, in.Lang))
	return nil
}

// themeQuery reads division, survey, from and to (dates, to inclusive).
func themeQuery(r *http.Request) (tp.ThemeQuery, error) {
	v := r.URL.Query()
	q := tp.ThemeQuery{Division: v.Get("division"), Channel: v.Get("channel")}
	if sg := v.Get("segment"); sg != "" {
		id, err := strconv.ParseInt(sg, 10, 64)
		if err != nil || id <= 0 {
			return q, tp.Errorf(tp.EINVALID, "segment must be a segment id").WithFields(map[string]string{"segment": "invalid"})
		}
		q.SegmentID = id
	}
	if sv := v.Get("survey"); sv != "" {
		id, err := strconv.ParseInt(sv, 10, 64)
		if err != nil || id <= 0 {
			return q, tp.Errorf(tp.EINVALID, "survey must be a survey id").WithFields(map[string]string{"survey": "invalid"})
		}
		q.SurveyID = id
	}
	for name, dst := range map[string]*time.Time{"from": &q.From, "to": &q.To} {
		if s := v.Get(name); s != "" {
			t, err := time.Parse("2006-01-02", s)
			if err != nil {
				return q, tp.Errorf(tp.EINVALID, "%s must be a date like 2026-10-31", name).WithFields(map[string]string{name: "invalid"})
			}
			*dst = t
		}
	}
	if !q.To.IsZero() {
		q.To = q.To.Add(24 * time.Hour) // the whole last day
	}
	return q, nil
}

// themeNames names themes in lang from the analyzer's taxonomy.
func (s *Server) themeNames(lang string) func(string) string {
	names := map[string]string{}
	for _, t := range s.Analyzer.Taxonomy() {
		names[t.ID] = t.Name(lang)
	}
	return func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
}

func (s *Server) apiThemes(w http.ResponseWriter, r *http.Request) error {
	q, err := themeQuery(r)
	if err != nil {
		return err
	}
	lang := apiLang(r)
	stats, err := s.Text.ThemeStats(r.Context(), q, s.themeNames(lang))
	if err != nil {
		return err
	}
	done, total, err := s.Text.TextProgress(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"themes": stats, "taxonomy": s.Analyzer.Taxonomy(),
		"analysed": done, "texts": total})
	return nil
}

func (s *Server) apiThemeTexts(w http.ResponseWriter, r *http.Request) error {
	q, err := themeQuery(r)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 50)
	if err != nil {
		return err
	}
	texts, err := s.Text.ThemeTexts(r.Context(), r.PathValue("theme"), q, min(max(limit, 1), 500))
	if err != nil {
		return err
	}
	if texts == nil {
		texts = []tp.ThemeText{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"texts": texts})
	return nil
}

// drivers runs the key-driver analysis of a survey's answers.
func (s *Server) drivers(r *http.Request, q tp.ThemeQuery, lang string) (*tp.DriverAnalysis, error) {
	if q.SurveyID == 0 {
		return nil, tp.Errorf(tp.EINVALID, "name the survey: ?survey=ID").WithFields(map[string]string{"survey": "required"})
	}
	sv, err := s.Surveys.FindSurvey(r.Context(), q.SurveyID)
	if err != nil {
		return nil, err
	}
	rows, err := s.Text.DriverRows(r.Context(), q)
	if err != nil {
		return nil, err
	}
	tp.WithQuestionDrivers(sv, rows)
	a := tp.KeyDrivers(sv.Type, rows, uint64(q.SurveyID))
	names := s.themeNames(lang)
	for i := range a.Drivers {
		a.Drivers[i].Name = driverName(sv, a.Drivers[i].Theme, lang, names)
	}
	return &a, nil
}

func (s *Server) apiDrivers(w http.ResponseWriter, r *http.Request) error {
	q, err := themeQuery(r)
	if err != nil {
		return err
	}
	a, err := s.drivers(r, q, apiLang(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) apiReanalyze(w http.ResponseWriter, r *http.Request) error {
	if err := s.Text.Reanalyze(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "every text is queued for analysis; GET /api/v1/themes shows the progress"})
	return nil
}

// apiLang is the language of names in API answers: ?lang=, else English.
func apiLang(r *http.Request) string {
	switch l := strings.ToLower(r.URL.Query().Get("lang")); l {
	case "de", "nl":
		return l
	}
	return "en"
}

// emerging returns the themes rising in a division over the last weeks.
func (s *Server) emerging(r *http.Request, lang string) ([]tp.EmergingTopic, error) {
	q, err := themeQuery(r)
	if err != nil {
		return nil, err
	}
	var out []tp.EmergingTopic
	for _, by := range tp.EmergingSlicings {
		themes, texts, err := s.Text.ThemeWeeks(r.Context(), tp.ThemeQuery{Division: q.Division, Channel: q.Channel}, s.Now(), by)
		if err != nil {
			return nil, err
		}
		out = append(out, tp.EmergingBy(by, themes, texts)...)
	}
	names := s.themeNames(lang)
	for i := range out {
		out[i].Name = names(out[i].Theme)
	}
	return out, nil
}

func (s *Server) apiEmerging(w http.ResponseWriter, r *http.Request) error {
	out, err := s.emerging(r, apiLang(r))
	if err != nil {
		return err
	}
	if out == nil {
		out = []tp.EmergingTopic{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"emerging": out, "weeks": tp.EmergingWeeks, "recent_weeks": tp.EmergingRecentWeeks})
	return nil
}

// apiTaxonomyThemes returns the themes in force and whether they are the company's.
func (s *Server) apiTaxonomyThemes(w http.ResponseWriter, r *http.Request) error {
	custom, err := s.Text.Themes(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"themes": s.Analyzer.Taxonomy(), "custom": custom != nil})
	return nil
}

// apiSetTaxonomyThemes replaces the company's taxonomy ({"themes": null}
// goes back to the shipped one). Texts keep their analysis until re-analysed.
func (s *Server) apiSetTaxonomyThemes(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Themes []tp.Theme `json:"themes"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Text.SetThemes(r.Context(), in.Themes); err != nil {
		return err
	}
	s.refreshAnalyzer()
	return s.apiTaxonomyThemes(w, r)
}

func (s *Server) apiLabel(w http.ResponseWriter, r *http.Request) error {
	var l tp.TextLabel
	if err := decodeJSON(r, &l); err != nil {
		return err
	}
	if err := s.knownThemes(l.Themes); err != nil {
		return err
	}
	if err := s.Text.Label(r.Context(), l); err != nil {
		return err
	}
	a, err := s.Text.Analysis(r.Context(), l.Source, l.ID)
	if err != nil {
		return err
	}
	if a == nil { // the job applies the correction when it analyses the text
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "saved; the text is not analysed yet"})
		return nil
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) apiTextModels(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.Text.Models(r.Context())
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []tp.TextModel{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": ms})
	return nil
}

// apiTrainTextModel trains a sentiment model on the corrections; it is
// stored switched off, with its accuracy beside the current one's.
func (s *Server) apiTrainTextModel(w http.ResponseWriter, r *http.Request) error {
	m, err := s.trainSentiment(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) apiActivateTextModel(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 0 {
		return tp.Errorf(tp.EINVALID, "the model id is a number (0: the shipped model)").WithFields(map[string]string{"id": "invalid"})
	}
	if err := s.Text.ActivateModel(r.Context(), id); err != nil {
		return err
	}
	s.refreshAnalyzer()
	return s.apiTextModels(w, r)
}

// driverName names a driver: a theme by the taxonomy, a question driver by
// the survey's wording of the question (and option) in lang.
func driverName(sv *tp.Survey, id, lang string, themes func(string) string) string {
	rest, ok := strings.CutPrefix(id, tp.QuestionDriverPrefix)
	if !ok {
		return themes(id)
	}
	text := i18n.SurveyText(sv, lang)
	label := func(q string) string {
		if qt, ok := text.Questions[q]; ok && qt.Label != "" {
			return qt.Label
		}
		return q
	}
	if q, ok := strings.CutSuffix(rest, ":low"); ok {
		return label(q) + " " + translate(lang, "drivers.ratedlow")
	}
	q, opt, _ := strings.Cut(rest, "=")
	if qt, ok := text.Questions[q]; ok && qt.Options[opt] != "" {
		opt = qt.Options[opt]
	}
	return label(q) + ": " + opt
}

// knownThemes refuses a correction naming a theme the taxonomy in force
// does not have (a typo would become a theme nobody defined).
func (s *Server) knownThemes(ids []string) error {
	known := map[string]bool{}
	for _, t := range s.Analyzer.Taxonomy() {
		known[t.ID] = true
	}
	for _, id := range ids {
		if !known[id] {
			return tp.Errorf(tp.EINVALID, "no theme %s in the taxonomy (GET /api/v1/themes/taxonomy)", id).WithFields(map[string]string{"themes": "unknown theme"})
		}
	}
	return nil
}
