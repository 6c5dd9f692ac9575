package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

const sessionCookie = "tp_session"

// view is what every UI handler knows about the request.
type view struct {
	User   *tp.User
	Access tp.Access
	Lang   string
	Flash  string
	// FlashError marks the flash as a refusal (red, read out at once);
	// errText sets it, and withFlash carries it over a redirect.
	FlashError bool
	Title      string
	Path       string
}

// Can asks the policy whether the user may do act at all, to show or hide a
// control (templates: {{if .Can "case.update"}}); the store decides each object.
func (v *view) Can(act string) bool { return tp.Can(v.Access, tp.Action(act)) }

// scope is the department a list for act is narrowed to ("" for all).
func (v *view) scope(act tp.Action) string {
	d, _ := tp.ListScope(v.Access, act)
	return d
}

type uiHandler func(w http.ResponseWriter, r *http.Request, v *view) error

var csrf = http.NewCrossOriginProtection()

// ui wraps a page handler: session, language, cross-origin protection on
// unsafe methods, the policy asked for the route's action, and errors
// rendered as a friendly page.
func (s *Server) ui(act tp.Action, h uiHandler, needLogin bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := csrf.Check(r); err != nil {
			http.Error(w, "cross-origin request refused", http.StatusForbidden)
			return
		}
		r = r.WithContext(tp.WithAddress(r.Context(), s.clientIP(r)))
		u := s.sessionUser(r)
		v := &view{User: u, Lang: negotiateLanguage(r, u), Path: r.URL.Path, Flash: r.URL.Query().Get("flash"),
			FlashError: r.URL.Query().Get("flash_error") == "1"}
		if needLogin && u == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		if u != nil {
			// The store checks every change and scopes every list by this access.
			v.Access = userAccess(u)
			r = r.WithContext(tp.WithAccess(r.Context(), v.Access))
		}
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		err := error(nil)
		if act != "" && !v.Can(string(act)) {
			err = tp.Authorize(v.Access, act, tp.Object{})
		}
		if err == nil {
			err = h(w, r, v)
		}
		if err != nil {
			s.logErr(r, err)
			s.errorPage(w, r, v, err)
		}
	})
}

func (s *Server) sessionUser(r *http.Request) *tp.User {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	u, err := s.Users.UserBySession(r.Context(), c.Value)
	if err != nil {
		return nil
	}
	return u
}

type pageTemplate struct{ t *template.Template }

// page is the data every template gets.
type page struct {
	*view
	Data any
}

// T translates a catalogue key in the request's language.
func (p page) T(key string, args ...any) string { return translate(p.Lang, key, args...) }

// Reason is a reason kept with a record (a quarantined message's, a model
// card's) in the page's language.
func (p page) Reason(text string) string { return i18n.Reason(p.Lang, text) }

var funcs = template.FuncMap{
	"fmtTime": func(v any) string {
		var t time.Time
		switch x := v.(type) {
		case time.Time:
			t = x
		case *time.Time:
			if x != nil {
				t = *x
			}
		}
		if t.IsZero() {
			return "—"
		}
		return t.Local().Format("2006-01-02 15:04")
	},
	"fmtDate": func(v any) string {
		switch x := v.(type) {
		case time.Time:
			return x.Local().Format("2006-01-02")
		case *time.Time:
			if x != nil {
				return x.Local().Format("2006-01-02")
			}
		}
		return "—"
	},
	"isoTime":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"jsonText": jsonText,
	"props":    props,
	"answer":   surveyAnswer,
	"channels": func() []string { return tp.Channels },
	"hours":    func(min int) string { return strconv.FormatFloat(float64(min)/60, 'f', -1, 64) + " h" },
	"locales":  func() []string { return tp.Locales },
	"roles":    func() []tp.Role { return tp.Roles },
	"estimate": fmtEstimate,
	"json": func(v any) string {
		b, _ := json.Marshal(v)
		if string(b) == "null" {
			return ""
		}
		return string(b)
	},
	"list":       func(xs ...string) []string { return xs },
	"upper":      func(v any) string { return strings.ToUpper(fmt.Sprint(v)) },
	"list2":      func(a, b any) []any { return []any{a, b} },
	"money":      money,
	"deref":      func(p *float64) float64 { return *p },
	"mul":        func(a, b int) int { return a * b },
	"add":        func(a, b int) int { return a + b },
	"sentiments": func() []string { return tp.Sentiments },
	"isTheme":    func(driver string) bool { return !strings.HasPrefix(driver, tp.QuestionDriverPrefix) },
	"share": func(k, n int) float64 { // percent, 0 of nothing
		if n == 0 {
			return 0
		}
		return 100 * float64(k) / float64(n)
	},
	"bytes":       byteSize,
	"mul100":      func(f float64) float64 { return 100 * f },
	"sub90":       func(h float64) float64 { return 90 - h },
	"barh":        func(pct float64) string { return fmt.Sprintf("%.1f", pct*0.9) },
	"sub100":      func(pct float64) string { return fmt.Sprintf("%.1f", 90-pct*0.9) },
	"ci":          func(e tp.Estimate) string { return e.CIText() },
	"pct":         func(f float64) string { return fmt.Sprintf("%.0f %%", f) },
	"defaultText": func(t tp.SurveyType, lang string) tp.SurveyText { return i18n.DefaultSurveyText(t, lang) },
	"has": func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	},
	"seq": func(a, b int) []int {
		var out []int
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
		return out
	},
}

// parsePages parses each page together with the layout, so that every page
// can define its own "content" block.
func parsePages() map[string]*pageTemplate {
	out := map[string]*pageTemplate{}
	for _, name := range []string{"login", "customers", "customer", "admin", "error", "surveys", "survey", "survey_form", "comments", "segments", "segment", "risk", "playbooks", "people", "digest", "councils", "council", "cases", "case", "kpis", "cockpit", "cockpit_detail", "overview", "casesettings", "alerts", "roles", "users", "audit", "erase", "privacy", "debugger", "themes", "theme", "textmodel"} {
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/admin_nav.html", "templates/riskrows.html", "templates/"+name+".html"))
		out[name] = &pageTemplate{t}
	}
	// The respondent page has its own minimal layout: no app chrome, no script.
	out["respond"] = &pageTemplate{template.Must(template.New("respond.html").Funcs(funcs).ParseFS(assets, "templates/respond.html"))}
	out["council_member"] = &pageTemplate{template.Must(template.New("council_member.html").Funcs(funcs).ParseFS(assets, "templates/council_member.html"))}
	out["complaint"] = &pageTemplate{template.Must(template.New("complaint.html").Funcs(funcs).ParseFS(assets, "templates/complaint.html"))}
	return out
}

// render writes a page, or only one named block of it for htmx requests.
func (s *Server) render(w http.ResponseWriter, code int, v *view, name, block string, data any) error {
	t := s.pages[name].t
	var buf bytes.Buffer
	tmpl := "layout.html"
	if block != "" {
		tmpl = block
	}
	if err := t.ExecuteTemplate(&buf, tmpl, page{v, data}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, err := buf.WriteTo(w)
	return err
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, v *view, err error) {
	code := statusOf(err)
	msg := v.errText(err)
	switch code {
	case http.StatusNotFound:
		msg = translate(v.Lang, "error.notfound") + " " + msg
	case http.StatusForbidden:
		msg = translate(v.Lang, "error.forbidden")
	}
	v.Title = translate(v.Lang, "error.title")
	if rerr := s.render(w, code, v, "error", "", msg); rerr != nil {
		s.Log.Error("render error page", "err", rerr)
	}
}

func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return tp.Errorf(tp.ENOTFOUND, "%s", r.URL.Path)
}

// home is the cockpit for the people who steer (CCO, department heads,
// admins, analysts) and the customer search for agents.
func (s *Server) home(w http.ResponseWriter, r *http.Request, v *view) error {
	http.Redirect(w, r, tp.HomePath(v.User.Role), http.StatusSeeOther)
	return nil
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = translate(v.Lang, "login.title")
	return s.render(w, http.StatusOK, v, "login", "", map[string]string{"Next": safeNext(r.URL.Query().Get("next"))})
}

// safeNext keeps redirects (after login, after a form) on this site: a path
// of this site, or "/". Browsers drop tabs and line breaks from URLs and read
// a backslash as a slash, so "/\t/evil.example" would leave the site.
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.ContainsFunc(n, func(r rune) bool {
		return r < 0x20 || r == 0x7f || r == '\\'
	}) {
		return "/"
	}
	u, err := url.Parse(n)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return n
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	next := safeNext(r.PostForm.Get("next"))
	again := func(code int, msg string) error {
		v.Title, v.Flash = translate(v.Lang, "login.title"), translate(v.Lang, msg)
		return s.render(w, code, v, "login", "", map[string]string{"Next": next, "Email": r.PostForm.Get("email")})
	}
	addr := s.clientIP(r)
	if !s.logins.has(addr) { // too many failures from this address, whichever accounts
		return again(http.StatusTooManyRequests, "login.throttled")
	}
	u, err := s.Users.Authenticate(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("password"))
	switch tp.ErrorCode(err) {
	case "":
	case tp.EUNAUTHORIZED:
		s.logins.allow(addr)
		return again(http.StatusUnauthorized, "login.failed")
	case tp.ETOOMANY:
		s.logins.allow(addr)
		return again(http.StatusTooManyRequests, "login.locked")
	case tp.EFORBIDDEN:
		return again(http.StatusForbidden, "login.deactivated")
	default:
		return err
	}
	token, err := s.Users.CreateSession(r.Context(), u.ID, SessionTTL)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(SessionTTL.Seconds())})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, v *view) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = s.Users.DeleteSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	if err := s.Users.SetUserLocale(r.Context(), v.User.ID, r.PostForm.Get("language")); err != nil {
		return err
	}
	http.Redirect(w, r, safeNext(r.PostForm.Get("back")), http.StatusSeeOther)
	return nil
}

func (s *Server) customersPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	cs, err := s.Customers.FindCustomers(r.Context(), tp.CustomerFilter{Query: q, Limit: 50})
	if err != nil {
		return err
	}
	v.Title = translate(v.Lang, "customers.title")
	block := ""
	if r.Header.Get("HX-Request") == "true" {
		block = "results"
	}
	return s.render(w, http.StatusOK, v, "customers", block, map[string]any{"Q": q, "Customers": cs})
}

type customerData struct {
	C         *tp.Customer
	Traits    []traitView
	Timeline  *tp.TimelinePage
	Filter    tp.TimelineFilter
	MoreURL   string
	CanRepair bool
	Consents  []tp.Consent
	Summary   customerSummary
}

type traitView struct {
	Key, Value string
	UpdatedAt  time.Time
}

func (s *Server) customerPage(w http.ResponseWriter, r *http.Request, v *view) error {
	c, err := s.customerFromPath(r)
	if err != nil {
		return err
	}
	if c.MergedInto != 0 { // an old link to a merged-away customer leads to the survivor
		http.Redirect(w, r, "/customers/"+strconv.FormatInt(c.MergedInto, 10), http.StatusSeeOther)
		return nil
	}
	d, err := s.timelineData(r, c)
	if err != nil {
		return err
	}
	for k, t := range c.Traits {
		d.Traits = append(d.Traits, traitView{k, jsonText(t.Value), t.UpdatedAt})
	}
	sort.Slice(d.Traits, func(i, j int) bool { return d.Traits[i].Key < d.Traits[j].Key })
	d.CanRepair = v.Can(string(tp.ActCustomerUnmerge))
	if d.Consents, _, err = s.Privacy.Consents(r.Context(), c.ID); err != nil {
		return err
	}
	if d.Summary, err = s.customerSummary(r, v.Lang, c, d.Consents); err != nil {
		return err
	}
	v.Title = c.Name
	if v.Title == "" {
		v.Title = translate(v.Lang, "customer.unnamed")
	}
	return s.render(w, http.StatusOK, v, "customer", "", d)
}

func (s *Server) timelineData(r *http.Request, c *tp.Customer) (*customerData, error) {
	f, err := timelineFilter(r)
	if err != nil {
		return nil, err
	}
	f.Limit = 50
	tl, err := s.Customers.Timeline(r.Context(), c.ID, f)
	if err != nil {
		return nil, err
	}
	d := &customerData{C: c, Timeline: tl, Filter: f}
	if tl.NextCursor != "" {
		q := url.Values{"cursor": {tl.NextCursor}}
		if f.Channel != "" {
			q.Set("channel", f.Channel)
		}
		if f.Department != "" {
			q.Set("department", f.Department)
		}
		d.MoreURL = "/customers/" + strconv.FormatInt(c.ID, 10) + "/timeline?" + q.Encode()
	}
	return d, nil
}

// timelineFragment serves the next page of events: rows only for htmx's
// "show older", the whole customer page otherwise.
func (s *Server) timelineFragment(w http.ResponseWriter, r *http.Request, v *view) error {
	if r.Header.Get("HX-Request") != "true" {
		return s.customerPage(w, r, v)
	}
	c, err := s.customerFromPath(r)
	if err != nil {
		return err
	}
	d, err := s.timelineData(r, c)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, v, "customer", "events", d)
}

func (s *Server) unmerge(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	mid, err := strconv.ParseInt(r.FormValue("merge_id"), 10, 64)
	if err != nil {
		return tp.Errorf(tp.EINVALID, "merge_id must be a number")
	}
	ctx := r.Context()
	restored, err := s.Customers.Unmerge(ctx, id, mid)
	if err != nil {
		return err
	}
	flash := translate(v.Lang, "customer.unmerged", restored.ID)
	http.Redirect(w, r, v.withFlash("/customers/"+strconv.FormatInt(id, 10), flash), http.StatusSeeOther)
	return nil
}

// jsonText shows a JSON value as text: strings without quotes, others compact.
func jsonText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

type prop struct{ Key, Value string }

// props lists an event's top-level properties for the timeline, shortened.
func props(v json.RawMessage) []prop {
	var m map[string]json.RawMessage
	if json.Unmarshal(v, &m) != nil {
		return nil
	}
	out := make([]prop, 0, len(m))
	for k, val := range m {
		t := jsonText(val)
		if len(t) > 80 {
			t = t[:77] + "…"
		}
		out = append(out, prop{k, t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	if len(out) > 8 {
		out = out[:8]
	}
	return out
}

// byteSize writes a file size for people: 812 B, 14.2 KB, 3.1 MB.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
