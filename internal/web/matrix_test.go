package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/app"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
	"github.com/touchpoint-cx/touchpoint/internal/web"
)

// The authorization matrix: every route of web.Routes × every staff role
// (by session and, on the API, by token) × an object of the caller's own
// department, of another one and (where the policy looks at it) one assigned
// to a colleague. The expected outcome comes from the policy table; a route
// without an entry in matrixRoutes fails the test. Lists are checked for
// what they show: the own department's marker when the policy allows it,
// never the other department's when it does not.

const own, other = "Service", "Logistics"

// kinds of route for the matrix
const (
	kObject = iota // one object of a department: Authorize(access, action, object)
	kList          // a list narrowed by the policy: allowed when Can; markers show what it holds
	kGlobal        // no department: Can(access, action)
	kDoor          // public, write-key and open doors: checked with what they carry
)

type mreq struct {
	method, path, body string
	form               bool      // the body is a form, not JSON
	mine, theirs       string    // list markers: of the own and of the other department
	want               int       // doors: the status expected
	header             [2]string // one extra header for doors
}

type mroute struct {
	kind  int
	build func(w *world, obj tp.Object) mreq
}

type world struct {
	labelledDone bool
	t            *testing.T
	db           *sqldb.Store
	srv          *httptest.Server
	server       *web.Server
	users        map[string]*tp.User // by key: admin, cco, head, agent, colleague, analyst, headL, agentL
	sessions     map[string]string
	tokens       map[string]string
	writeKey     string
	customer     int64
	customerUID  string
	survey       int64
	segment      int64
	playbook     int64
	seq          int
	council      int64  // made on first use, with one accepted member
	memberToken  string // that member's link
	question     int64  // a question of the council's session
}

var staffKeys = []string{"admin", "cco", "head", "agent", "analyst"}

func newWorld(t *testing.T, db *sqldb.Store) *world {
	s := app.WebServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.RateLimit = -1
	w := &world{t: t, db: db, srv: httptest.NewServer(s.Handler()), server: s, users: map[string]*tp.User{}, sessions: map[string]string{}, tokens: map[string]string{}}
	t.Cleanup(w.srv.Close)
	for _, u := range []struct {
		key  string
		role tp.Role
		dept string
	}{{"admin", tp.RoleAdmin, ""}, {"cco", tp.RoleCCO, ""}, {"head", tp.RoleDepartmentHead, own}, {"agent", tp.RoleAgent, own},
		{"colleague", tp.RoleAgent, own}, {"analyst", tp.RoleAnalyst, ""}, {"headL", tp.RoleDepartmentHead, other}, {"agentL", tp.RoleAgent, other}} {
		usr := &tp.User{Email: u.key + "@example.com", Role: u.role, Department: u.dept}
		must(t, db.Users.CreateUser(ctx, usr, "correct horse battery"))
		w.users[u.key] = usr
		sess, err := db.Users.CreateSession(ctx, usr.ID, time.Hour)
		must(t, err)
		w.sessions[u.key] = sess
		tok, err := db.Users.CreateToken(ctx, &tp.Token{Name: u.key, Role: u.role, Department: u.dept})
		must(t, err)
		w.tokens[u.key] = tok
	}
	src := &tp.Source{Name: "Shop", Channel: "web", Division: "Online"}
	must(t, db.Sources.CreateSource(ctx, src))
	w.writeKey = src.WriteKey
	w.customer = w.newCustomer("matrix")
	w.customerUID = fmt.Sprintf("matrix-%d", w.seq)
	sv := &tp.Survey{Name: "NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive, DefaultLang: "en", CloseLoop: false}
	must(t, db.Surveys.CreateSurvey(ctx, sv))
	w.survey = sv.ID
	for dept, comment := range map[string]string{own: "svc-answer-7f3: the delivery was late", other: "log-answer-9c1: the delivery was late"} {
		tok, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: sv.ID, CustomerID: w.customer, Department: dept}, time.Hour)
		must(t, err)
		score := 9
		_, err = db.Surveys.SaveResponse(tp.WithAccess(ctx, tp.Access{Actor: "public", Role: tp.RolePublic}), tok, tp.ResponseInput{Score: &score, Comment: comment, Complete: true})
		must(t, err)
	}
	seg := &tp.Segment{Name: "Matrix", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "matrix"}}}
	must(t, db.Segments.CreateSegment(ctx, seg))
	w.segment = seg.ID
	pb := &tp.Playbook{Name: "Matrix", SegmentID: seg.ID, Department: own}
	must(t, db.Playbooks.CreatePlaybook(ctx, pb))
	w.playbook = pb.ID
	for dept, marker := range map[string]string{own: "case-svc-5d1", other: "case-log-2b8"} {
		w.newCase(tp.Object{Department: dept}, marker)
		w.newAction(tp.Object{Department: dept}, marker+"-action")
	}
	w.analyze()
	return w
}

// analyze does what the job does: the comments' analysis, for the theme routes.
func (w *world) analyze() {
	_, err := w.db.Text.AnalyzePending(tp.WithAccess(ctx, tp.SystemAccess), w.server.Analyzer, 100)
	must(w.t, err)
}

// labelled gives the world enough corrected answers to train a model on (once).
func (w *world) labelled() {
	if w.labelledDone {
		return
	}
	w.labelledDone = true
	sys := tp.WithAccess(ctx, tp.SystemAccess)
	var recs []tp.ResponseImport
	for i := 0; i < tp.MinTrainingLabels+10; i++ {
		score, text := 10, fmt.Sprintf("zorble %d", i)
		if i%2 == 1 {
			score, text = 0, fmt.Sprintf("klumpf %d", i)
		}
		recs = append(recs, tp.ResponseImport{SurveyID: w.survey, CustomerID: w.customer, Score: &score, Comment: text, Language: "en",
			Department: own, At: time.Now().Add(-time.Hour)})
	}
	must(w.t, w.db.Surveys.ImportResponses(sys, recs))
	w.analyze()
	must(w.t, w.db.Surveys.ListResponses(sys, tp.ResponseFilter{SurveyID: w.survey}, func(r tp.ResponseRow) error {
		label := map[bool]string{true: "positive", false: "negative"}[strings.HasPrefix(r.Comment, "zorble")]
		if strings.HasPrefix(r.Comment, "zorble") || strings.HasPrefix(r.Comment, "klumpf") {
			return w.db.Text.Label(sys, tp.TextLabel{Source: tp.TextResponse, ID: r.ID, Sentiment: label})
		}
		return nil
	}))
}

// analysedResponse is the id of an analysed survey answer, for corrections.
func (w *world) analysedResponse() int64 {
	w.analyze()
	texts, err := w.db.Text.ThemeTexts(tp.WithAccess(ctx, tp.SystemAccess), "delivery", tp.ThemeQuery{}, 100)
	must(w.t, err)
	for _, t := range texts {
		if t.Source == tp.TextResponse {
			return t.ID
		}
	}
	w.t.Fatal("no analysed answer")
	return 0
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (w *world) next() int { w.seq++; return w.seq }

func (w *world) newCustomer(name string) int64 {
	id := fmt.Sprintf("%s-%d", name, w.next())
	msg := tp.Message{Type: tp.EventIdentify, MessageID: "m-" + id, UserID: id, Identities: []tp.Identity{{Type: "user_id", Value: id}},
		Traits:    map[string]json.RawMessage{"email": json.RawMessage(`"` + id + `@example.com"`), "name": json.RawMessage(`"` + id + `"`)},
		Timestamp: time.Now(), ReceivedAt: time.Now()}
	src, err := w.db.Sources.FindSourceByWriteKey(ctx, w.writeKey)
	must(w.t, err)
	_, err = w.db.Tracking.Ingest(ctx, src, []tp.Message{msg})
	must(w.t, err)
	c, err := w.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: id})
	must(w.t, err)
	return c.ID
}

func (w *world) newCase(obj tp.Object, subject string) int64 {
	c := &tp.Case{CustomerID: w.customer, Subject: subject, Department: obj.Department, AssigneeID: obj.User, Channel: "email",
		Source: tp.CaseFromEmail, Priority: tp.PriorityNormal}
	must(w.t, w.db.Cases.CreateCase(ctx, c))
	return c.ID
}

func (w *world) newAction(obj tp.Object, title string) int64 {
	a := &tp.ActionItem{Title: title, Department: obj.Department, OwnerID: obj.User, Due: "2030-01-31", KPI: "nps"}
	must(w.t, w.db.Actions.CreateAction(ctx, a))
	return a.ID
}

// merge makes two customers one and returns the survivor and the merge.
func (w *world) merge() (int64, int64) {
	a, b := fmt.Sprintf("ma-%d", w.next()), fmt.Sprintf("mb-%d", w.next())
	src, _ := w.db.Sources.FindSourceByWriteKey(ctx, w.writeKey)
	now := time.Now()
	for i, ids := range [][]tp.Identity{{{Type: "user_id", Value: a}}, {{Type: "anonymous_id", Value: b}}, {{Type: "user_id", Value: a}, {Type: "anonymous_id", Value: b}}} {
		_, err := w.db.Tracking.Ingest(ctx, src, []tp.Message{{Type: tp.EventTrack, Name: "Seen", MessageID: fmt.Sprintf("%s-%d", a, i),
			Identities: ids, Timestamp: now, ReceivedAt: now}})
		must(w.t, err)
	}
	c, err := w.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: a})
	must(w.t, err)
	if len(c.Merges) == 0 {
		w.t.Fatal("no merge made")
	}
	return c.ID, c.Merges[len(c.Merges)-1].ID
}

func (w *world) newSurvey(status tp.SurveyStatus) int64 {
	sv := &tp.Survey{Name: fmt.Sprintf("S%d", w.next()), Type: tp.SurveyCSAT, Status: status, DefaultLang: "en"}
	must(w.t, w.db.Surveys.CreateSurvey(ctx, sv))
	return sv.ID
}

func (w *world) respondToken() string {
	tok, err := w.db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: w.survey, CustomerID: w.newCustomer("resp")}, time.Hour)
	must(w.t, err)
	return tok
}

// do sends req as key ("" for nobody) by session or token.
func (w *world) do(req mreq, key string, byToken bool) (int, string) {
	var body io.Reader
	if req.body != "" {
		body = strings.NewReader(req.body)
	}
	r, _ := http.NewRequest(req.method, w.srv.URL+req.path, body)
	switch {
	case req.form:
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case req.body != "":
		r.Header.Set("Content-Type", "application/json")
	}
	if req.header[0] != "" {
		r.Header.Set(req.header[0], req.header[1])
	}
	if key != "" {
		if byToken {
			r.Header.Set("Authorization", "Bearer "+w.tokens[key])
		} else {
			r.AddCookie(&http.Cookie{Name: "tp_session", Value: w.sessions[key]})
		}
	}
	res, err := noRedirect.Do(r)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func accessOf(w *world, key string) tp.Access {
	u := w.users[key]
	return tp.Access{Actor: "user:" + u.Email, Role: u.Role, Department: u.Department, UserID: u.ID}
}

func TestAuthorizationMatrix(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		w := newWorld(t, db)
		probes := 0
		for _, route := range w.server.Routes() {
			mr, ok := matrixRoutes[route.Pattern]
			if !ok {
				t.Errorf("route %q has no entry in the authorization matrix (matrixRoutes)", route.Pattern)
				continue
			}
			if mr.kind == kDoor {
				req := mr.build(w, tp.Object{})
				if code, body := w.do(req, "", false); code != req.want {
					t.Errorf("%s (%s): %d, want %d: %.200s", route.Pattern, route.Door, code, req.want, body)
				}
				probes++
				continue
			}
			modes := []bool{false}
			if route.Door == web.DoorAPI {
				modes = []bool{false, true}
			}
			objs := []tp.Object{{Department: own}, {Department: other}, {Department: own, User: w.users["colleague"].ID}}
			if mr.kind != kObject {
				objs = objs[:1]
			}
			for _, key := range staffKeys {
				a := accessOf(w, key)
				for _, byToken := range modes {
					for _, obj := range objs {
						probes++
						req := mr.build(w, obj)
						code, body := w.do(req, key, byToken)
						if route.Pattern == "POST /logout" { // the session ended: a new one for the next probe
							sess, err := w.db.Users.CreateSession(ctx, w.users[key].ID, time.Hour)
							must(t, err)
							w.sessions[key] = sess
						}
						how := map[bool]string{false: "session", true: "token"}[byToken]
						name := fmt.Sprintf("%s as %s by %s on %+v", route.Pattern, key, how, obj)
						var allowed bool
						switch mr.kind {
						case kObject:
							allowed = tp.Authorize(a, route.Action, obj) == nil
						default:
							allowed = route.Action == "" || tp.Can(a, route.Action)
						}
						switch {
						case allowed && code >= 400:
							t.Errorf("%s: %d, want allowed: %.300s", name, code, body[max(0, strings.Index(body, "<main")):])
						case !allowed && code != http.StatusForbidden && code != http.StatusNotFound:
							t.Errorf("%s: %d, want 403 or 404: %.300s", name, code, body)
						}
						if mr.kind == kList && allowed && code < 400 {
							sees := func(dept string) bool { return tp.Authorize(a, route.Action, tp.Object{Department: dept}) == nil }
							if req.mine != "" && sees(own) && !strings.Contains(body, req.mine) {
								t.Errorf("%s: the list lacks %s's %q", name, own, req.mine)
							}
							if req.theirs != "" && !sees(other) && strings.Contains(body, req.theirs) {
								t.Errorf("%s: the list shows %s's %q to a caller who may not see it", name, other, req.theirs)
							}
							if req.theirs != "" && sees(other) && !strings.Contains(body, req.theirs) {
								t.Errorf("%s: the list lacks %s's %q", name, other, req.theirs)
							}
						}
					}
				}
			}
		}
		t.Logf("%d routes, %d requests", len(w.server.Routes()), probes)
	})
}

func form(v url.Values) string { return v.Encode() }
