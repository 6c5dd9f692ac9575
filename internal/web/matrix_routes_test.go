package web_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// One entry per route of web.Routes: how to call it (creating the object it
// needs, of the department the matrix asks for) and what kind of answer the
// policy predicts.

func mget(path string) mreq { return mreq{method: "GET", path: path} }

func msend(method, path, body string) mreq { return mreq{method: method, path: path, body: body} }

func postForm(path string, v url.Values) mreq {
	return mreq{method: "POST", path: path, body: form(v), form: true}
}

func door(r mreq, want int) mreq { r.want = want; return r }

func global(build func(w *world) mreq) mroute {
	return mroute{kGlobal, func(w *world, _ tp.Object) mreq { return build(w) }}
}

func object(build func(w *world, obj tp.Object) mreq) mroute { return mroute{kObject, build} }

func list(build func(w *world) mreq) mroute {
	return mroute{kList, func(w *world, _ tp.Object) mreq { return build(w) }}
}

func doors(build func(w *world) mreq) mroute {
	return mroute{kDoor, func(w *world, _ tp.Object) mreq { return build(w) }}
}

// assigneeFor is a user who works obj's department.
func (w *world) assigneeFor(obj tp.Object) int64 {
	if obj.Department == own {
		return w.users["agent"].ID
	}
	return w.users["agentL"].ID
}

func (w *world) caseCase(obj tp.Object) int64 {
	return w.newCase(obj, fmt.Sprintf("matrix case %d", w.next()))
}

func (w *world) actionItem(obj tp.Object) int64 {
	return w.newAction(obj, fmt.Sprintf("matrix action %d", w.next()))
}

func (w *world) training(obj tp.Object) int64 {
	t := &tp.Training{Title: fmt.Sprintf("Training %d", w.next()), Kind: tp.TrainingCourse, OwnerID: w.users["admin"].ID, Department: obj.Department,
		Metric: "fcr", Due: time.Now().AddDate(0, 1, 0), Participants: []tp.TrainingParticipant{{UserID: w.assigneeFor(obj)}}}
	must(w.t, w.db.People.CreateTraining(ctx, t))
	return t.ID
}

// councilWorld makes a council with the matrix customer as an accepted
// member and a session with a question, once.
func (w *world) councilWorld() int64 {
	if w.council != 0 {
		return w.council
	}
	c := &tp.Council{Name: "Matrix council"}
	must(w.t, w.db.Council.CreateCouncil(ctx, c))
	seg := &tp.Segment{Name: "Matrix member", Conditions: []tp.Condition{{Kind: "trait", Key: "name", Op: "eq", Value: w.customerUID}}}
	must(w.t, w.db.Segments.CreateSegment(ctx, seg))
	if rep, err := w.db.Council.Recruit(ctx, c.ID, seg.ID, 1); err != nil || rep.Invited != 1 {
		w.t.Fatalf("recruit the matrix member: %+v %v", rep, err)
	}
	members, err := w.db.Council.CouncilMembers(ctx, c.ID)
	must(w.t, err)
	w.memberToken, err = w.db.Council.MemberLink(ctx, members[0].ID)
	must(w.t, err)
	public := tp.WithAccess(ctx, tp.Access{Actor: "public", Role: tp.RolePublic})
	must(w.t, w.db.Council.RespondInvitation(public, w.memberToken, true))
	sess := &tp.CouncilSession{CouncilID: c.ID, Topic: "Matrix", At: time.Now(), Questions: []tp.CouncilQuestion{{Text: "Why?"}}}
	must(w.t, w.db.Council.CreateSession(ctx, sess))
	w.council, w.question = c.ID, sess.Questions[0].ID
	return w.council
}

func (w *world) councilSession() int64 {
	w.councilWorld()
	sess := &tp.CouncilSession{CouncilID: w.council, Topic: fmt.Sprintf("Session %d", w.next()), At: time.Now()}
	must(w.t, w.db.Council.CreateSession(ctx, sess))
	return sess.ID
}

func (w *world) councilIdea() int64 {
	w.councilWorld()
	idea := &tp.CouncilIdea{Title: fmt.Sprintf("Idea %d", w.next())}
	must(w.t, w.db.Council.PostIdea(tp.WithAccess(ctx, tp.Access{Actor: "public", Role: tp.RolePublic}), w.memberToken, idea))
	return idea.ID
}

func (w *world) councilMember() int64 {
	ms, err := w.db.Council.CouncilMembers(ctx, w.councilWorld())
	must(w.t, err)
	return ms[0].ID
}

// pushedSegment is a new segment with a webhook.
func (w *world) pushedSegment() int64 {
	seg := &tp.Segment{Name: fmt.Sprintf("Pushed %d", w.next()), Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "matrix"}}}
	must(w.t, w.db.Segments.CreateSegment(ctx, seg))
	_, err := w.db.Push.SetSegmentWebhook(ctx, seg.ID, "http://127.0.0.1:9/hook")
	must(w.t, err)
	return seg.ID
}

func (w *world) trigger() int64 {
	t := &tp.Trigger{SurveyID: w.survey, EventName: fmt.Sprintf("Event %d", w.next()), DelayMin: 5}
	must(w.t, w.db.Surveys.CreateTrigger(ctx, t))
	return t.ID
}

func (w *world) template() int64 {
	t := &tp.ReplyTemplate{Name: fmt.Sprintf("T%d", w.next()), Language: "en", Body: "Dear {name}"}
	must(w.t, w.db.Cases.SaveReplyTemplate(ctx, t))
	return t.ID
}

func (w *world) rule() int64 {
	r := &tp.RoutingRule{Name: fmt.Sprintf("R%d", w.next()), Keywords: []string{"zz-no-match"}, Department: "Billing"}
	must(w.t, w.db.Routing.CreateRoutingRule(ctx, r))
	return r.ID
}

func (w *world) alert() int64 {
	r := &tp.AlertRule{Name: fmt.Sprintf("A%d", w.next()), KPI: "nps", Kind: "drop", Period: "month", Emails: []string{"a@example.com"}}
	must(w.t, w.db.Alerts.CreateAlertRule(ctx, r))
	return r.ID
}

func (w *world) token() int64 {
	t := &tp.Token{Name: fmt.Sprintf("t%d", w.next()), Role: tp.RoleAnalyst}
	_, err := w.db.Users.CreateToken(ctx, t)
	must(w.t, err)
	return t.ID
}

func basic(key string) [2]string {
	return [2]string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"))}
}

func id(n int64) string { return fmt.Sprint(n) }

var matrixRoutes = map[string]mroute{
	// Open doors, write keys, customers.
	"GET /healthz":             doors(func(w *world) mreq { return door(mget("/healthz"), 200) }),
	"GET /metrics":             doors(func(w *world) mreq { return door(mget("/metrics"), 200) }),
	"OPTIONS /v1/":             doors(func(w *world) mreq { return door(mreq{method: "OPTIONS", path: "/v1/track"}, 204) }),
	"GET /api/v1/openapi.json": doors(func(w *world) mreq { return door(mget("/api/v1/openapi.json"), 200) }),
	"/api/":                    doors(func(w *world) mreq { return door(mget("/api/v1/nothing"), 401) }),
	"GET /static/":             doors(func(w *world) mreq { return door(mget("/static/"), 404) }), // no listing
	"GET /login":               doors(func(w *world) mreq { return door(mget("/login"), 200) }),
	"POST /login": doors(func(w *world) mreq {
		return door(postForm("/login", url.Values{"email": {"admin@example.com"}, "password": {"wrong password!"}}), 401)
	}),
	"/": doors(func(w *world) mreq { return door(mget("/no/such/page"), 404) }),
	"POST /v1/batch": doors(func(w *world) mreq {
		r := msend("POST", "/v1/batch", `{"batch":[{"type":"track","event":"Viewed","userId":"door-1"}]}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/import": doors(func(w *world) mreq { // an API token is not a write key
		r := msend("POST", "/v1/import", `{"batch":[{"type":"track","event":"Viewed","userId":"door-2"}]}`)
		r.header = basic(w.tokens["admin"])
		return door(r, 401)
	}),
	"POST /v1/identify": doors(func(w *world) mreq {
		return door(msend("POST", "/v1/identify", `{"userId":"door-3"}`), 401) // no write key at all
	}),
	"POST /v1/track": doors(func(w *world) mreq {
		r := msend("POST", "/v1/track", `{"event":"Viewed","userId":"door-4"}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/page": doors(func(w *world) mreq {
		r := msend("POST", "/v1/page", `{"name":"Home","userId":"door-5"}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/screen": doors(func(w *world) mreq {
		r := msend("POST", "/v1/screen", `{"name":"Home","userId":"door-6"}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/group": doors(func(w *world) mreq {
		r := msend("POST", "/v1/group", `{"groupId":"g1","userId":"door-7"}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/alias": doors(func(w *world) mreq {
		r := msend("POST", "/v1/alias", `{"previousId":"door-7","userId":"door-8"}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/b": doors(func(w *world) mreq { // analytics-next's batch, text/plain with the key in the body
		r := mreq{method: "POST", path: "/v1/b", body: `{"batch":[{"type":"track","event":"Viewed","userId":"door-9"}],"writeKey":"` + w.writeKey + `"}`,
			header: [2]string{"Content-Type", "text/plain"}}
		return door(r, 200)
	}),
	"POST /beacon/v1/batch": doors(func(w *world) mreq {
		r := mreq{method: "POST", path: "/beacon/v1/batch?writeKey=" + url.QueryEscape(w.writeKey), body: `{"batch":[{"type":"track","event":"Left","userId":"door-10"}]}`,
			header: [2]string{"Content-Type", "text/plain"}}
		return door(r, 200)
	}),
	"GET /v1/projects/{writeKey}/settings": doors(func(w *world) mreq { return door(mget("/v1/projects/"+url.PathEscape(w.writeKey)+"/settings"), 200) }),
	"GET /sourceConfig/":                   doors(func(w *world) mreq { return door(mget("/sourceConfig/?writeKey=wk_not_a_key"), 401) }),
	"POST /v1/m":                           doors(func(w *world) mreq { return door(msend("POST", "/v1/m", `{"series":[]}`), 204) }),
	"OPTIONS /beacon/":                     doors(func(w *world) mreq { return door(mreq{method: "OPTIONS", path: "/beacon/v1/batch"}, 204) }),
	"OPTIONS /sourceConfig/":               doors(func(w *world) mreq { return door(mreq{method: "OPTIONS", path: "/sourceConfig/"}, 204) }),
	"POST /v1/i": doors(func(w *world) mreq {
		r := msend("POST", "/v1/i", `{"userId":"door-11","traits":{"plan":"gold"}}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/t": doors(func(w *world) mreq {
		r := msend("POST", "/v1/t", `{"userId":"door-12","event":"x","writeKey":"`+w.writeKey+`"}`)
		return door(r, 200)
	}),
	"POST /v1/p": doors(func(w *world) mreq {
		r := msend("POST", "/v1/p", `{"userId":"door-13","name":"Home"}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/s": doors(func(w *world) mreq {
		r := msend("POST", "/v1/s", `{"userId":"door-14","name":"Cart"}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/g": doors(func(w *world) mreq {
		r := msend("POST", "/v1/g", `{"userId":"door-15","groupId":"acme"}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/a": doors(func(w *world) mreq {
		r := msend("POST", "/v1/a", `{"userId":"door-16","previousId":"door-15"}`)
		r.header = basic(w.writeKey)
		return door(r, 200)
	}),
	"POST /v1/responses/{token}": doors(func(w *world) mreq {
		return door(msend("POST", "/v1/responses/"+w.respondToken(), `{"score":9,"complete":true}`), 200)
	}),
	"GET /s/{token}":  doors(func(w *world) mreq { return door(mget("/s/"+w.respondToken()), 200) }),
	"POST /s/{token}": doors(func(w *world) mreq { return door(postForm("/s/forged-token", url.Values{"score": {"9"}}), 404) }),
	"GET /p/{id}":     doors(func(w *world) mreq { return door(mget("/p/"+id(w.survey)), 200) }),
	"POST /p/{id}": doors(func(w *world) mreq { // a draft is nobody's to answer
		return door(postForm("/p/"+id(w.newSurvey(tp.SurveyDraft)), url.Values{"score": {"4"}}), 410)
	}),
	"GET /v1/surveys/{id}/widget": doors(func(w *world) mreq { return door(mget("/v1/surveys/"+id(w.survey)+"/widget"), 200) }),
	"POST /v1/surveys/{id}/responses": doors(func(w *world) mreq {
		return door(msend("POST", "/v1/surveys/"+id(w.survey)+"/responses", `{"anonymousId":"anon-door","score":9}`), 200)
	}),
	"GET /complaint": doors(func(w *world) mreq { return door(mget("/complaint"), 200) }),
	"POST /complaint": doors(func(w *world) mreq {
		return door(postForm("/complaint", url.Values{"email": {"door@example.com"}, "subject": {"Late"}, "message": {"Where is it?"}}), 200)
	}),
	"GET /u/{token}":  doors(func(w *world) mreq { return door(mget("/u/"+w.respondToken()), 200) }),
	"POST /u/{token}": doors(func(w *world) mreq { return door(postForm("/u/"+w.respondToken(), url.Values{}), 200) }),

	// Customers.
	"GET /api/v1/customers": global(func(w *world) mreq { return mget("/api/v1/customers?q=matrix") }),
	"GET /api/v1/customers/by-identity": global(func(w *world) mreq {
		return mget("/api/v1/customers/by-identity?type=user_id&value=" + url.QueryEscape(w.customerUID))
	}),
	"GET /api/v1/customers/{id}":               global(func(w *world) mreq { return mget("/api/v1/customers/" + id(w.customer)) }),
	"GET /api/v1/customers/{id}/timeline":      global(func(w *world) mreq { return mget("/api/v1/customers/" + id(w.customer) + "/timeline") }),
	"GET /api/v1/customers/{id}/trait-history": global(func(w *world) mreq { return mget("/api/v1/customers/" + id(w.customer) + "/trait-history") }),
	"POST /api/v1/customers/{id}/unmerge": global(func(w *world) mreq {
		c, m := w.merge()
		return msend("POST", "/api/v1/customers/"+id(c)+"/unmerge", fmt.Sprintf(`{"merge_id":%d}`, m))
	}),
	"GET /api/v1/customers/{id}/export": global(func(w *world) mreq { return mget("/api/v1/customers/" + id(w.customer) + "/export") }),
	"POST /api/v1/customers/{id}/erase": global(func(w *world) mreq {
		c := w.newCustomer("erasable")
		return msend("POST", "/api/v1/customers/"+id(c)+"/erase", fmt.Sprintf(`{"confirm":%d}`, c))
	}),
	"GET /api/v1/customers/{id}/consents": global(func(w *world) mreq { return mget("/api/v1/customers/" + id(w.customer) + "/consents") }),
	"PUT /api/v1/customers/{id}/consents": global(func(w *world) mreq {
		return msend("PUT", "/api/v1/customers/"+id(w.customer)+"/consents", `{"purpose":"marketing","granted":true}`)
	}),
	"POST /customers/{id}/consents": global(func(w *world) mreq {
		return postForm("/customers/"+id(w.customer)+"/consents", url.Values{"purpose": {"survey"}, "granted": {"1"}})
	}),
	"GET /customers/{id}/export": global(func(w *world) mreq { return mget("/customers/" + id(w.customer) + "/export?format=zip") }),
	"GET /customers/{id}/erase":  global(func(w *world) mreq { return mget("/customers/" + id(w.customer) + "/erase") }),
	"POST /customers/{id}/erase": global(func(w *world) mreq {
		c := w.newCustomer("erasable")
		return postForm("/customers/"+id(c)+"/erase", url.Values{"confirm": {id(c)}})
	}),
	"GET /api/v1/privacy/retention":      global(func(w *world) mreq { return mget("/api/v1/privacy/retention") }),
	"PUT /api/v1/privacy/retention":      global(func(w *world) mreq { return msend("PUT", "/api/v1/privacy/retention", `{"mail":400}`) }),
	"POST /api/v1/privacy/retention/run": global(func(w *world) mreq { return msend("POST", "/api/v1/privacy/retention/run", "") }),
	"POST /api/v1/privacy/scrub":         global(func(w *world) mreq { return msend("POST", "/api/v1/privacy/scrub", "") }),
	"POST /admin/privacy/scrub":          global(func(w *world) mreq { return postForm("/admin/privacy/scrub", url.Values{}) }),
	"GET /admin/privacy":                 global(func(w *world) mreq { return mget("/admin/privacy") }),
	"POST /admin/privacy/retention": global(func(w *world) mreq {
		return postForm("/admin/privacy/retention", url.Values{"events": {"1095"}, "comments": {"1095"}, "cases": {"2190"}, "mail": {"365"}})
	}),
	"POST /admin/privacy/retention/run": global(func(w *world) mreq { return postForm("/admin/privacy/retention/run", url.Values{}) }),
	"GET /customers":                    global(func(w *world) mreq { return mget("/customers?q=matrix") }),
	"GET /customers/{id}":               global(func(w *world) mreq { return mget("/customers/" + id(w.customer)) }),
	"GET /customers/{id}/timeline":      global(func(w *world) mreq { return mget("/customers/" + id(w.customer) + "/timeline") }),
	"POST /customers/{id}/unmerge": global(func(w *world) mreq {
		c, m := w.merge()
		return postForm("/customers/"+id(c)+"/unmerge", url.Values{"merge_id": {id(m)}})
	}),

	// Surveys.
	"GET /api/v1/surveys":      global(func(w *world) mreq { return mget("/api/v1/surveys") }),
	"POST /api/v1/surveys":     global(func(w *world) mreq { return msend("POST", "/api/v1/surveys", `{"name":"New","type":"nps"}`) }),
	"GET /api/v1/surveys/{id}": global(func(w *world) mreq { return mget("/api/v1/surveys/" + id(w.survey)) }),
	"PUT /api/v1/surveys/{id}": global(func(w *world) mreq {
		return msend("PUT", "/api/v1/surveys/"+id(w.newSurvey(tp.SurveyDraft)), `{"name":"Renamed","type":"csat","status":"draft","default_language":"en"}`)
	}),
	"DELETE /api/v1/surveys/{id}": global(func(w *world) mreq { return msend("DELETE", "/api/v1/surveys/"+id(w.newSurvey(tp.SurveyDraft)), "") }),
	"POST /api/v1/surveys/{id}/invitations": global(func(w *world) mreq {
		return msend("POST", "/api/v1/surveys/"+id(w.survey)+"/invitations", fmt.Sprintf(`{"customer_id":%d}`, w.customer))
	}),
	"POST /api/v1/surveys/{id}/send": global(func(w *world) mreq {
		return msend("POST", "/api/v1/surveys/"+id(w.survey)+"/send", fmt.Sprintf(`{"customer_ids":[%d]}`, w.customer))
	}),
	"GET /api/v1/surveys/{id}/triggers": global(func(w *world) mreq { return mget("/api/v1/surveys/" + id(w.survey) + "/triggers") }),
	"POST /api/v1/surveys/{id}/triggers": global(func(w *world) mreq {
		return msend("POST", "/api/v1/surveys/"+id(w.survey)+"/triggers", `{"event":"Order Completed","delay_minutes":5}`)
	}),
	"DELETE /api/v1/triggers/{id}": global(func(w *world) mreq { return msend("DELETE", "/api/v1/triggers/"+id(w.trigger()), "") }),
	"GET /api/v1/surveys/{id}/results": list(func(w *world) mreq {
		r := mget("/api/v1/surveys/" + id(w.survey) + "/results?by=department")
		r.mine, r.theirs = `"slice":"Service"`, `"slice":"Logistics"`
		return r
	}),
	"GET /api/v1/surveys/{id}/responses": list(func(w *world) mreq {
		r := mget("/api/v1/surveys/" + id(w.survey) + "/responses")
		r.mine, r.theirs = "svc-answer-7f3", "log-answer-9c1"
		return r
	}),
	"POST /api/v1/text/analyze": global(func(w *world) mreq {
		return msend("POST", "/api/v1/text/analyze", `{"text":"The delivery was late"}`)
	}),
	"GET /api/v1/themes":          list(func(w *world) mreq { return mget("/api/v1/themes") }),
	"GET /api/v1/themes/emerging": list(func(w *world) mreq { return mget("/api/v1/themes/emerging") }),
	"GET /api/v1/drivers":         list(func(w *world) mreq { return mget("/api/v1/drivers?survey=" + id(w.survey)) }),
	"GET /api/v1/themes/{theme}/texts": list(func(w *world) mreq {
		w.analyze() // again: the reanalyze routes forget every analysis
		r := mget("/api/v1/themes/delivery/texts")
		r.mine, r.theirs = "svc-answer-7f3", "log-answer-9c1"
		return r
	}),
	"POST /api/v1/themes/reanalyze": global(func(w *world) mreq { return msend("POST", "/api/v1/themes/reanalyze", "") }),
	"GET /themes":                   list(func(w *world) mreq { return mget("/themes") }),
	"GET /themes/{theme}": list(func(w *world) mreq {
		w.analyze()
		r := mget("/themes/delivery")
		r.mine, r.theirs = "svc-answer-7f3", "log-answer-9c1"
		return r
	}),
	"GET /api/v1/themes/taxonomy": global(func(w *world) mreq { return mget("/api/v1/themes/taxonomy") }),
	"PUT /api/v1/themes/taxonomy": global(func(w *world) mreq { return msend("PUT", "/api/v1/themes/taxonomy", `{"themes":null}`) }),
	"POST /api/v1/text/labels": global(func(w *world) mreq {
		return msend("POST", "/api/v1/text/labels", fmt.Sprintf(`{"source":"response","id":%d,"sentiment":"negative"}`, w.analysedResponse()))
	}),
	"GET /api/v1/text/models":                global(func(w *world) mreq { return mget("/api/v1/text/models") }),
	"POST /api/v1/text/models":               global(func(w *world) mreq { w.labelled(); return msend("POST", "/api/v1/text/models", "") }),
	"POST /api/v1/text/models/{id}/activate": global(func(w *world) mreq { return msend("POST", "/api/v1/text/models/0/activate", "") }),
	"GET /themes/model":                      global(func(w *world) mreq { return mget("/themes/model") }),
	"POST /themes/model/themes": global(func(w *world) mreq {
		return postForm("/themes/model/themes", url.Values{"themes": {"late | Late\n  en: late\n"}})
	}),
	"POST /themes/model/discover": global(func(w *world) mreq {
		return postForm("/themes/model/discover", url.Values{"phrase": {"loyalty points"}, "lang": {"en"}})
	}),
	"POST /themes/model/reset":    global(func(w *world) mreq { return postForm("/themes/model/reset", url.Values{}) }),
	"POST /themes/model/activate": global(func(w *world) mreq { return postForm("/themes/model/activate", url.Values{"id": {"0"}}) }),
	"POST /themes/model/train":    global(func(w *world) mreq { return postForm("/themes/model/train", url.Values{}) }),
	"POST /themes/labels": global(func(w *world) mreq {
		return postForm("/themes/labels", url.Values{"source": {"response"}, "id": {id(w.analysedResponse())}, "sentiment": {"positive"}, "back": {"/themes"}})
	}),
	"POST /themes/reanalyze": global(func(w *world) mreq { return postForm("/themes/reanalyze", url.Values{}) }),
	"GET /surveys":           global(func(w *world) mreq { return mget("/surveys") }),
	"GET /surveys/new":       global(func(w *world) mreq { return mget("/surveys/new") }),
	"POST /surveys": global(func(w *world) mreq {
		return postForm("/surveys", url.Values{"name": {"Form survey"}, "type": {"nps"}, "status": {"draft"}, "default_language": {"en"}})
	}),
	"GET /surveys/{id}":      list(func(w *world) mreq { return mget("/surveys/" + id(w.survey) + "?by=department") }),
	"GET /surveys/{id}/edit": global(func(w *world) mreq { return mget("/surveys/" + id(w.survey) + "/edit") }),
	"POST /surveys/{id}": global(func(w *world) mreq {
		return postForm("/surveys/"+id(w.newSurvey(tp.SurveyDraft)), url.Values{"name": {"Edited"}, "type": {"csat"}, "status": {"draft"}, "default_language": {"en"}})
	}),
	"GET /surveys/{id}/preview": global(func(w *world) mreq { return mget("/surveys/" + id(w.survey) + "/preview") }),
	"GET /surveys/{id}/comments": list(func(w *world) mreq {
		r := mget("/surveys/" + id(w.survey) + "/comments")
		r.mine, r.theirs = "svc-answer-7f3", "log-answer-9c1"
		return r
	}),
	"POST /surveys/{id}/send": global(func(w *world) mreq {
		return postForm("/surveys/"+id(w.survey)+"/send", url.Values{"emails": {w.customerEmail()}})
	}),
	"POST /surveys/{id}/triggers": global(func(w *world) mreq {
		return postForm("/surveys/"+id(w.survey)+"/triggers", url.Values{"event": {"Order Completed"}, "delay_minutes": {"5"}})
	}),
	"POST /surveys/{id}/triggers/{tid}/delete": global(func(w *world) mreq {
		return postForm("/surveys/"+id(w.survey)+"/triggers/"+id(w.trigger())+"/delete", url.Values{})
	}),

	// Cases.
	"GET /api/v1/cases": list(func(w *world) mreq {
		r := mget("/api/v1/cases")
		r.mine, r.theirs = "case-svc-5d1", "case-log-2b8"
		return r
	}),
	"GET /api/v1/metrics/cases": list(func(w *world) mreq {
		r := mget("/api/v1/metrics/cases?by=department")
		r.mine, r.theirs = `"slice":"Service"`, `"slice":"Logistics"`
		return r
	}),
	"POST /api/v1/cases": object(func(w *world, obj tp.Object) mreq {
		return msend("POST", "/api/v1/cases", fmt.Sprintf(`{"customer_id":%d,"subject":"New","department":%q,"channel":"phone","source":"phone"}`, w.customer, obj.Department))
	}),
	"GET /api/v1/cases/{id}": object(func(w *world, obj tp.Object) mreq { return mget("/api/v1/cases/" + id(w.caseCase(obj))) }),
	"PATCH /api/v1/cases/{id}": object(func(w *world, obj tp.Object) mreq {
		return msend("PATCH", "/api/v1/cases/"+id(w.caseCase(obj)), `{"priority":"high","tags":["matrix"]}`)
	}),
	"POST /api/v1/cases/{id}/status": object(func(w *world, obj tp.Object) mreq {
		return msend("POST", "/api/v1/cases/"+id(w.caseCase(obj))+"/status", `{"status":"open"}`)
	}),
	"POST /api/v1/cases/{id}/merge": object(func(w *world, obj tp.Object) mreq {
		return msend("POST", "/api/v1/cases/"+id(w.caseCase(obj))+"/merge", fmt.Sprintf(`{"from":%d}`, w.caseCase(obj)))
	}),
	"POST /api/v1/cases/{id}/notes": object(func(w *world, obj tp.Object) mreq {
		return msend("POST", "/api/v1/cases/"+id(w.caseCase(obj))+"/notes", `{"body":"Looked into it."}`)
	}),
	"GET /cases": list(func(w *world) mreq {
		r := mget("/cases?status=all&q=case-") // the two markers among the many cases the matrix makes
		r.mine, r.theirs = "case-svc-5d1", "case-log-2b8"
		return r
	}),
	"POST /cases/assign": object(func(w *world, obj tp.Object) mreq {
		return postForm("/cases/assign", url.Values{"case": {id(w.caseCase(obj))}, "assignee": {id(w.assigneeFor(obj))}})
	}),
	"POST /cases/new": object(func(w *world, obj tp.Object) mreq {
		return postForm("/cases/new", url.Values{"email": {w.customerEmail()}, "subject": {"By phone"}, "description": {"Called"},
			"channel": {"phone"}, "priority": {"normal"}, "department": {obj.Department}})
	}),
	"GET /cases/{id}": object(func(w *world, obj tp.Object) mreq { return mget("/cases/" + id(w.caseCase(obj))) }),
	"GET /cases/{id}/attachments/{aid}": object(func(w *world, obj tp.Object) mreq {
		c := w.caseCase(obj)
		a, err := w.db.Cases.AddAttachment(ctx, c, "photo.jpg", "image/jpeg", []byte("\xff\xd8\xff jpeg"))
		must(w.t, err)
		return mget(fmt.Sprintf("/cases/%d/attachments/%d", c, a.ID))
	}),
	"POST /cases/{id}/attachments": object(func(w *world, obj tp.Object) mreq {
		body := "--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"note.txt\"\r\nContent-Type: text/plain\r\n\r\nCalled back.\r\n--b0--\r\n"
		return mreq{method: "POST", path: "/cases/" + id(w.caseCase(obj)) + "/attachments", body: body, header: [2]string{"Content-Type", "multipart/form-data; boundary=b0"}}
	}),
	"POST /cases/{id}/act": object(func(w *world, obj tp.Object) mreq {
		return postForm("/cases/"+id(w.caseCase(obj))+"/act", url.Values{"action": {"note"}, "body": {"Checked."}})
	}),

	// Case settings.
	"GET /api/v1/case-taxonomy":   global(func(w *world) mreq { return mget("/api/v1/case-taxonomy") }),
	"PUT /api/v1/case-taxonomy":   global(func(w *world) mreq { return msend("PUT", "/api/v1/case-taxonomy", `{"categories":{}}`) }),
	"GET /api/v1/reply-templates": global(func(w *world) mreq { return mget("/api/v1/reply-templates") }),
	"PUT /api/v1/reply-templates": global(func(w *world) mreq {
		return msend("PUT", "/api/v1/reply-templates", `{"name":"Thanks","language":"en","body":"Thank you, {name}."}`)
	}),
	"DELETE /api/v1/reply-templates/{id}": global(func(w *world) mreq { return msend("DELETE", "/api/v1/reply-templates/"+id(w.template()), "") }),
	"GET /api/v1/sla-policies":            global(func(w *world) mreq { return mget("/api/v1/sla-policies") }),
	"POST /api/v1/sla-policies": global(func(w *world) mreq {
		return msend("POST", "/api/v1/sla-policies", `{"priority":"low","first_response_minutes":600,"resolution_minutes":6000}`)
	}),
	"GET /api/v1/routing-rules": global(func(w *world) mreq { return mget("/api/v1/routing-rules") }),
	"POST /api/v1/routing-rules": global(func(w *world) mreq {
		return msend("POST", "/api/v1/routing-rules", `{"name":"Invoices","keywords":["zz-never"],"department":"Billing"}`)
	}),
	"DELETE /api/v1/routing-rules/{id}": global(func(w *world) mreq { return msend("DELETE", "/api/v1/routing-rules/"+id(w.rule()), "") }),
	"POST /admin/reply-templates": global(func(w *world) mreq {
		return postForm("/admin/reply-templates", url.Values{"name": {"Form template"}, "language": {"de"}, "body": {"Hallo {name}"}})
	}),
	"POST /admin/reply-templates/{id}/delete": global(func(w *world) mreq {
		return postForm("/admin/reply-templates/"+id(w.template())+"/delete", url.Values{})
	}),

	// Cockpit, KPIs, alerts, board pack.
	"GET /api/v1/kpis":                       global(func(w *world) mreq { return mget("/api/v1/kpis") }),
	"GET /api/v1/scorecard":                  list(func(w *world) mreq { return mget("/api/v1/scorecard?by=department") }),
	"GET /api/v1/kpis/churn_rate/definition": global(func(w *world) mreq { return mget("/api/v1/kpis/churn_rate/definition") }),
	"PUT /api/v1/kpis/churn_rate/definition": global(func(w *world) mreq {
		return msend("PUT", "/api/v1/kpis/churn_rate/definition", `{"event":"Customer Churned","note":"matrix"}`)
	}),
	"GET /api/v1/alerts": global(func(w *world) mreq { return mget("/api/v1/alerts") }),
	"POST /api/v1/alerts": global(func(w *world) mreq {
		return msend("POST", "/api/v1/alerts", `{"name":"NPS drop","kpi":"nps","kind":"drop","period":"month","emails":["cco@example.com"]}`)
	}),
	"DELETE /api/v1/alerts/{id}": global(func(w *world) mreq { return msend("DELETE", "/api/v1/alerts/"+id(w.alert()), "") }),
	"GET /api/v1/alert-events":   global(func(w *world) mreq { return mget("/api/v1/alert-events") }),
	"GET /api/v1/board-pack":     global(func(w *world) mreq { return mget("/api/v1/board-pack") }),
	"PUT /api/v1/board-pack": global(func(w *world) mreq {
		return msend("PUT", "/api/v1/board-pack", `{"recipients":["board@example.com"],"lang":"de"}`)
	}),
	"GET /api/v1/divisions": global(func(w *world) mreq { return mget("/api/v1/divisions") }),
	"PUT /api/v1/divisions": global(func(w *world) mreq { return msend("PUT", "/api/v1/divisions", `{"divisions":[]}`) }),
	"GET /kpis":             global(func(w *world) mreq { return mget("/kpis") }),
	"POST /kpis/churn_rate": global(func(w *world) mreq {
		return postForm("/kpis/churn_rate", url.Values{"mode": {"event"}, "event": {"Customer Churned"}, "note": {"form"}})
	}),
	"GET /overview": list(func(w *world) mreq {
		r := mget("/overview")
		r.mine, r.theirs = "case-svc-5d1-action", "case-log-2b8-action"
		return r
	}),
	"GET /cockpit": list(func(w *world) mreq {
		r := mget("/cockpit")
		r.mine, r.theirs = "case-svc-5d1-action", "case-log-2b8-action"
		return r
	}),
	"GET /cockpit/detail":     list(func(w *world) mreq { return mget("/cockpit/detail?kpi=nps") }),
	"GET /cockpit/export":     list(func(w *world) mreq { return mget("/cockpit/export?format=csv") }),
	"GET /alerts":             global(func(w *world) mreq { return mget("/alerts") }),
	"GET /board-pack/{month}": global(func(w *world) mreq { return mget("/board-pack/2026-01?format=html&lang=de") }),
	"POST /alerts": global(func(w *world) mreq {
		return postForm("/alerts", url.Values{"name": {"Form alert"}, "kpi": {"nps"}, "kind": {"drop"}, "period": {"month"}, "emails": {"cco@example.com"}})
	}),
	"POST /alerts/{id}/delete": global(func(w *world) mreq { return postForm("/alerts/"+id(w.alert())+"/delete", url.Values{}) }),
	"POST /alerts/board-pack": global(func(w *world) mreq {
		return postForm("/alerts/board-pack", url.Values{"recipients": {"board@example.com"}, "lang": {"en"}})
	}),

	// Action items.
	"GET /api/v1/actions": list(func(w *world) mreq {
		r := mget("/api/v1/actions")
		r.mine, r.theirs = "case-svc-5d1-action", "case-log-2b8-action"
		return r
	}),
	"POST /api/v1/actions": object(func(w *world, obj tp.Object) mreq {
		return msend("POST", "/api/v1/actions", fmt.Sprintf(`{"title":"Fix it","department":%q,"due":"2030-06-30","kpi":"nps"}`, obj.Department))
	}),
	"GET /api/v1/actions/{id}": object(func(w *world, obj tp.Object) mreq { return mget("/api/v1/actions/" + id(w.actionItem(obj))) }),
	"PATCH /api/v1/actions/{id}": object(func(w *world, obj tp.Object) mreq {
		return msend("PATCH", "/api/v1/actions/"+id(w.actionItem(obj)), `{"comment":"On it."}`)
	}),
	"POST /cockpit/actions": object(func(w *world, obj tp.Object) mreq {
		return postForm("/cockpit/actions", url.Values{"title": {"From the cockpit"}, "department": {obj.Department}, "due": {"2030-06-30"},
			"kpi": {"nps"}, "back": {"/cockpit"}})
	}),
	"POST /actions/{id}/status": object(func(w *world, obj tp.Object) mreq {
		return postForm("/actions/"+id(w.actionItem(obj))+"/status", url.Values{"comment": {"Progress."}, "back": {"/cockpit"}})
	}),

	// Segments.
	"POST /api/v1/segments/preview": global(func(w *world) mreq {
		return msend("POST", "/api/v1/segments/preview", `{"conditions":[{"kind":"trait","key":"plan","op":"eq","value":"matrix"}]}`)
	}),
	"GET /api/v1/segments": global(func(w *world) mreq { return mget("/api/v1/segments") }),
	"POST /api/v1/segments": global(func(w *world) mreq {
		return msend("POST", "/api/v1/segments", `{"name":"VIP","conditions":[{"kind":"trait","key":"plan","op":"eq","value":"vip"}]}`)
	}),
	"GET /api/v1/segments/{id}":       global(func(w *world) mreq { return mget("/api/v1/segments/" + id(w.segment)) }),
	"GET /segments":                   global(func(w *world) mreq { return mget("/segments") }),
	"GET /segments/{id}":              global(func(w *world) mreq { return mget("/segments/" + id(w.segment)) }),
	"GET /api/v1/segments/{id}/value": global(func(w *world) mreq { return mget("/api/v1/segments/" + id(w.segment) + "/value") }),
	"GET /api/v1/people":              list(func(w *world) mreq { return mget("/api/v1/people") }),
	"GET /api/v1/people/needs":        list(func(w *world) mreq { return mget("/api/v1/people/needs") }),
	"GET /api/v1/trainings":           list(func(w *world) mreq { return mget("/api/v1/trainings") }),
	"GET /people":                     list(func(w *world) mreq { return mget("/people") }),
	"POST /api/v1/trainings": object(func(w *world, obj tp.Object) mreq {
		return msend("POST", "/api/v1/trainings", fmt.Sprintf(`{"title":"API","kind":"course","owner_id":%d,"department":%q,"metric":"fcr","due":"2027-01-31","participant_ids":[%d]}`,
			w.users["admin"].ID, obj.Department, w.assigneeFor(obj)))
	}),
	"POST /people/trainings": object(func(w *world, obj tp.Object) mreq {
		return postForm("/people/trainings", url.Values{"title": {"Form"}, "kind": {"coaching"}, "department": {obj.Department}, "metric": {"fcr"},
			"due": {"2027-01-31"}, "participant": {id(w.assigneeFor(obj))}})
	}),
	"POST /api/v1/trainings/{id}/complete": object(func(w *world, obj tp.Object) mreq {
		return msend("POST", "/api/v1/trainings/"+id(w.training(obj))+"/complete", fmt.Sprintf(`{"user_id":%d}`, w.assigneeFor(obj)))
	}),
	"POST /people/trainings/{id}/complete": object(func(w *world, obj tp.Object) mreq {
		return postForm("/people/trainings/"+id(w.training(obj))+"/complete", url.Values{"user_id": {id(w.assigneeFor(obj))}})
	}),
	"GET /api/v1/digest": object(func(w *world, obj tp.Object) mreq { return mget("/api/v1/digest?department=" + obj.Department) }),
	"GET /digest":        object(func(w *world, obj tp.Object) mreq { return mget("/digest?department=" + obj.Department) }),
	"PUT /api/v1/digest/members": object(func(w *world, obj tp.Object) mreq {
		return msend("PUT", "/api/v1/digest/members", `{"department":"`+obj.Department+`","members":true}`)
	}),
	"POST /digest/members": object(func(w *world, obj tp.Object) mreq {
		return postForm("/digest/members", url.Values{"department": {obj.Department}, "members": {"1"}})
	}),
	"POST /digest/subscription":       global(func(w *world) mreq { return postForm("/digest/subscription", url.Values{"subscribed": {"0"}}) }),
	"GET /digest/unsubscribe/{token}": doors(func(w *world) mreq { return door(mget("/digest/unsubscribe/some-token"), 200) }),
	"POST /digest/unsubscribe/{token}": doors(func(w *world) mreq {
		return door(postForm("/digest/unsubscribe/not-a-token", url.Values{}), 404)
	}),
	"GET /councils":                   global(func(w *world) mreq { w.councilWorld(); return mget("/councils") }),
	"POST /councils":                  global(func(w *world) mreq { return postForm("/councils", url.Values{"name": {"Form council"}}) }),
	"GET /councils/{id}":              global(func(w *world) mreq { return mget("/councils/" + id(w.councilWorld())) }),
	"GET /councils/members/{id}/link": global(func(w *world) mreq { return mget("/councils/members/" + id(w.councilMember()) + "/link") }),
	"POST /councils/{id}/recruit": global(func(w *world) mreq {
		return postForm("/councils/"+id(w.councilWorld())+"/recruit", url.Values{"segment_id": {id(w.segment)}, "n": {"1"}})
	}),
	"POST /councils/{id}/sessions": global(func(w *world) mreq {
		return postForm("/councils/"+id(w.councilWorld())+"/sessions", url.Values{"topic": {"Form"}, "at": {"2027-01-15"}, "questions": {"One?\nTwo?"}})
	}),
	"POST /councils/sessions/{id}/minutes": global(func(w *world) mreq {
		return postForm("/councils/sessions/"+id(w.councilSession())+"/minutes", url.Values{"minutes": {"Noted."}, "council_id": {id(w.council)}})
	}),
	"POST /councils/ideas/{id}/decide": global(func(w *world) mreq {
		return postForm("/councils/ideas/"+id(w.councilIdea())+"/decide", url.Values{"status": {"declined"}, "decision": {"Not now."}, "council_id": {id(w.council)}})
	}),
	"POST /councils/ideas/{id}/action": global(func(w *world) mreq {
		return postForm("/councils/ideas/"+id(w.councilIdea())+"/action", url.Values{"department": {own}, "due": {time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}, "council_id": {id(w.council)}})
	}),
	"GET /api/v1/councils":       global(func(w *world) mreq { return mget("/api/v1/councils") }),
	"POST /api/v1/councils":      global(func(w *world) mreq { return msend("POST", "/api/v1/councils", `{"name":"API council"}`) }),
	"GET /api/v1/councils/voice": global(func(w *world) mreq { w.councilWorld(); return mget("/api/v1/councils/voice") }),
	"GET /api/v1/councils/{id}":  global(func(w *world) mreq { return mget("/api/v1/councils/" + id(w.councilWorld())) }),
	"POST /api/v1/councils/{id}/recruit": global(func(w *world) mreq {
		return msend("POST", "/api/v1/councils/"+id(w.councilWorld())+"/recruit", `{"segment_id":`+id(w.segment)+`,"n":1}`)
	}),
	"POST /api/v1/councils/{id}/sessions": global(func(w *world) mreq {
		return msend("POST", "/api/v1/councils/"+id(w.councilWorld())+"/sessions", `{"topic":"API","at":"2027-01-15","questions":["Why?"]}`)
	}),
	"PUT /api/v1/council-sessions/{id}/minutes": global(func(w *world) mreq {
		return msend("PUT", "/api/v1/council-sessions/"+id(w.councilSession())+"/minutes", `{"minutes":"Noted."}`)
	}),
	"POST /api/v1/council-ideas/{id}/decision": global(func(w *world) mreq {
		return msend("POST", "/api/v1/council-ideas/"+id(w.councilIdea())+"/decision", `{"status":"adopted","decision":"Yes."}`)
	}),
	"POST /api/v1/council-ideas/{id}/action": global(func(w *world) mreq {
		return msend("POST", "/api/v1/council-ideas/"+id(w.councilIdea())+"/action", `{"department":"Service","due":"`+time.Now().AddDate(0, 1, 0).Format(time.DateOnly)+`"}`)
	}),
	"GET /c/{token}":          doors(func(w *world) mreq { w.councilWorld(); return door(mget("/c/"+w.memberToken), 200) }),
	"GET /v1/council/{token}": doors(func(w *world) mreq { w.councilWorld(); return door(mget("/v1/council/"+w.memberToken), 200) }),
	"POST /c/{token}/join": doors(func(w *world) mreq {
		w.councilWorld()
		return door(postForm("/c/"+w.memberToken+"/join", url.Values{"accept": {"1"}}), 303)
	}),
	"POST /c/{token}/answer": doors(func(w *world) mreq {
		w.councilWorld()
		return door(postForm("/c/"+w.memberToken+"/answer", url.Values{"question_id": {id(w.question)}, "text": {"Because."}}), 303)
	}),
	"POST /c/{token}/idea": doors(func(w *world) mreq {
		w.councilWorld()
		return door(postForm("/c/"+w.memberToken+"/idea", url.Values{"title": {"Door idea"}}), 303)
	}),
	"POST /c/{token}/vote": doors(func(w *world) mreq {
		return door(postForm("/c/"+w.memberToken+"/vote", url.Values{"idea_id": {id(w.councilIdea())}, "on": {"1"}}), 303)
	}),
	"PUT /api/v1/segments/{id}/webhook": global(func(w *world) mreq {
		return msend("PUT", "/api/v1/segments/"+id(w.segment)+"/webhook", `{"url":"http://127.0.0.1:9/hook"}`)
	}),
	"DELETE /api/v1/segments/{id}/webhook": global(func(w *world) mreq {
		return msend("DELETE", "/api/v1/segments/"+id(w.pushedSegment())+"/webhook", "")
	}),
	"POST /api/v1/segments/{id}/push": global(func(w *world) mreq { return msend("POST", "/api/v1/segments/"+id(w.pushedSegment())+"/push", "") }),
	"POST /segments/{id}/webhook": global(func(w *world) mreq {
		return postForm("/segments/"+id(w.segment)+"/webhook", url.Values{"url": {"http://127.0.0.1:9/hook"}})
	}),
	"POST /segments/{id}/push": global(func(w *world) mreq { return postForm("/segments/"+id(w.pushedSegment())+"/push", url.Values{}) }),
	"GET /api/v1/playbooks":    global(func(w *world) mreq { return mget("/api/v1/playbooks") }),
	"POST /api/v1/playbooks": global(func(w *world) mreq {
		return msend("POST", "/api/v1/playbooks", `{"name":"API","segment_id":`+id(w.segment)+`,"department":"Service"}`)
	}),
	"PATCH /api/v1/playbooks/{id}":       global(func(w *world) mreq { return msend("PATCH", "/api/v1/playbooks/"+id(w.playbook), `{"enabled":true}`) }),
	"GET /api/v1/playbooks/{id}/entries": global(func(w *world) mreq { return mget("/api/v1/playbooks/" + id(w.playbook) + "/entries") }),
	"GET /playbooks":                     global(func(w *world) mreq { return mget("/playbooks") }),
	"POST /playbooks": global(func(w *world) mreq {
		return postForm("/playbooks", url.Values{"name": {"Form"}, "segment_id": {id(w.segment)}, "department": {"Service"}})
	}),
	"POST /playbooks/{id}/enabled": global(func(w *world) mreq {
		return postForm("/playbooks/"+id(w.playbook)+"/enabled", url.Values{"enabled": {"1"}})
	}),
	"GET /api/v1/segments/{id}/history": global(func(w *world) mreq { return mget("/api/v1/segments/" + id(w.segment) + "/history") }),
	"GET /api/v1/segments/{id}/export":  global(func(w *world) mreq { return mget("/api/v1/segments/" + id(w.segment) + "/export?format=csv") }),
	"GET /segments/{id}/export":         global(func(w *world) mreq { return mget("/segments/" + id(w.segment) + "/export?format=xlsx") }),
	"GET /api/v1/risk":                  global(func(w *world) mreq { return mget("/api/v1/risk?band=high") }),
	"GET /api/v1/risk/models":           global(func(w *world) mreq { return mget("/api/v1/risk/models") }),
	"GET /risk":                         global(func(w *world) mreq { return mget("/risk") }),
	"GET /api/v1/customers/{id}/score":  global(func(w *world) mreq { return mget("/api/v1/customers/" + id(w.customer) + "/score") }),
	"POST /segments": global(func(w *world) mreq {
		return postForm("/segments", url.Values{"name": {"Form VIP"}, "conditions": {`[{"kind":"trait","key":"plan","op":"eq","value":"vip"}]`}})
	}),

	// Administration and the user's own settings.
	"GET /api/v1/sources":  global(func(w *world) mreq { return mget("/api/v1/sources") }),
	"POST /api/v1/sources": global(func(w *world) mreq { return msend("POST", "/api/v1/sources", `{"name":"POS","channel":"store"}`) }),
	"GET /admin":           global(func(w *world) mreq { return mget("/admin") }),
	"GET /admin/sources/{id}": global(func(w *world) mreq {
		src, _ := w.db.Sources.FindSourceByWriteKey(ctx, w.writeKey)
		return mget("/admin/sources/" + id(src.ID))
	}),
	"GET /api/v1/sources/{id}/quarantine": global(func(w *world) mreq {
		src, _ := w.db.Sources.FindSourceByWriteKey(ctx, w.writeKey)
		return mget("/api/v1/sources/" + id(src.ID) + "/quarantine")
	}),
	"GET /admin/roles": global(func(w *world) mreq { return mget("/admin/roles") }),
	"POST /admin/sources": global(func(w *world) mreq {
		return postForm("/admin/sources", url.Values{"name": {"Kiosk"}, "channel": {"store"}})
	}),
	"POST /admin/tokens": global(func(w *world) mreq {
		return postForm("/admin/tokens", url.Values{"name": {"bi"}, "role": {"analyst"}})
	}),
	"POST /admin/tokens/{id}/revoke": global(func(w *world) mreq { return postForm("/admin/tokens/"+id(w.token())+"/revoke", url.Values{}) }),
	"GET /api/v1/users":              global(func(w *world) mreq { return mget("/api/v1/users") }),
	"POST /api/v1/users": global(func(w *world) mreq {
		return msend("POST", "/api/v1/users", fmt.Sprintf(`{"email":"new%d@example.com","role":"analyst","password":"a long passphrase"}`, w.next()))
	}),
	"POST /api/v1/users/{id}/unlock": global(func(w *world) mreq { return msend("POST", "/api/v1/users/"+id(w.users["agentL"].ID)+"/unlock", "") }),
	"GET /api/v1/audit":              global(func(w *world) mreq { return mget("/api/v1/audit?action=auth.") }),
	"GET /admin/users":               global(func(w *world) mreq { return mget("/admin/users") }),
	"GET /admin/cases":               global(func(w *world) mreq { return mget("/admin/cases") }),
	"PATCH /api/v1/users/{id}": global(func(w *world) mreq {
		return msend("PATCH", "/api/v1/users/"+id(w.users["agentL"].ID), `{"department":"Logistics"}`)
	}),
	"POST /admin/users/{id}": global(func(w *world) mreq {
		return postForm("/admin/users/"+id(w.users["agentL"].ID), url.Values{"role": {"agent"}, "department": {"Logistics"}, "active": {"1"}})
	}),
	"POST /admin/cases/{what}": global(func(w *world) mreq {
		return postForm("/admin/cases/rules", url.Values{"name": {fmt.Sprintf("Form rule %d", w.next())}, "keywords": {"refund"}, "department": {"Billing"}})
	}),
	"POST /admin/users": global(func(w *world) mreq {
		return postForm("/admin/users", url.Values{"email": {fmt.Sprintf("form%d@example.com", w.next())}, "role": {"cco"}, "password": {"a long passphrase"}})
	}),
	"POST /admin/users/{id}/unlock": global(func(w *world) mreq { return postForm("/admin/users/"+id(w.users["agentL"].ID)+"/unlock", url.Values{}) }),
	"GET /admin/audit":              global(func(w *world) mreq { return mget("/admin/audit?action=auth.") }),
	"POST /cases/views": global(func(w *world) mreq {
		return postForm("/cases/views", url.Values{"name": {fmt.Sprintf("View %d", w.next())}, "query": {"assignee=me&priority=urgent"}})
	}),
	"POST /cases/views/{id}/delete": global(func(w *world) mreq {
		// Each user deletes only their own views (the store asks for them by user); one already gone is done.
		return postForm("/cases/views/999999/delete", url.Values{})
	}),
	"POST /settings/language": global(func(w *world) mreq {
		return postForm("/settings/language", url.Values{"language": {"en"}, "back": {"/customers"}})
	}),
	"POST /logout": global(func(w *world) mreq { return postForm("/logout", url.Values{}) }),
	"GET /{$}":     global(func(w *world) mreq { return mget("/") }),
}

func (w *world) customerEmail() string {
	c, err := w.db.Customers.FindCustomerByID(ctx, w.customer)
	must(w.t, err)
	return c.Email
}

var _ = time.Second
