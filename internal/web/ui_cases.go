package web

import (
	"cmp"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

type queueData struct {
	Cases    []tp.Case
	Agents   []tp.User
	AgentOf  map[int64]string
	Filter   url.Values
	Overdue  map[int64]bool
	CanWork  bool
	Statuses []tp.CaseStatus
	Customer map[int64]string // names (or e-mail) of the listed cases' customers
	Views    []tp.SavedView   // the user's saved views
	Query    string           // this view's filter, to save it
}

var openStatuses = []tp.CaseStatus{tp.CaseNew, tp.CaseOpen, tp.CasePendingCustomer}

func (s *Server) casesPage(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := tp.CaseFilter{Department: q.Get("department"), Priority: tp.Priority(q.Get("priority")), Triage: q.Get("triage") == "1",
		Unassigned: q.Get("assignee") == "none", Query: q.Get("q"), WorkOrder: true, Limit: 200}
	if q.Get("assignee") == "me" {
		f.AssigneeID = v.User.ID
	}
	switch st := q.Get("status"); st {
	case "", "open":
		f.Status = openStatuses
	case "all":
	default:
		f.Status = []tp.CaseStatus{tp.CaseStatus(st)}
	}
	cases, err := s.Cases.ListCases(ctx, f)
	if err != nil {
		return err
	}
	now := time.Now()
	d := queueData{Filter: q, Overdue: map[int64]bool{}, AgentOf: map[int64]string{}, CanWork: v.Can(string(tp.ActCaseUpdate)),
		Statuses: []tp.CaseStatus{tp.CaseNew, tp.CaseOpen, tp.CasePendingCustomer, tp.CaseResolved, tp.CaseClosed}}
	for _, c := range cases {
		if q.Get("sla") == "overdue" && !c.Overdue(now) {
			continue
		}
		d.Overdue[c.ID] = c.Overdue(now)
		d.Cases = append(d.Cases, c)
	}
	if d.Customer, err = s.customerNames(r, d.Cases); err != nil {
		return err
	}
	if d.Views, err = s.Users.ListViews(ctx); err != nil {
		return err
	}
	d.Query = r.URL.RawQuery
	if d.Agents, err = s.Cases.ListAgents(ctx, ""); err != nil { // the store narrows it to the caller's department
		return err
	}
	for _, a := range d.Agents {
		d.AgentOf[a.ID] = a.Email
	}
	v.Title = translate(v.Lang, "nav.cases")
	return s.render(w, http.StatusOK, v, "cases", "", d)
}

// bulkAssign gives the checked cases to one agent.
func (s *Server) bulkAssign(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	ctx := r.Context()
	agent, _ := strconv.ParseInt(r.PostForm.Get("assignee"), 10, 64)
	prio := tp.Priority(r.PostForm.Get("priority"))
	setPriority := r.PostForm.Get("bulk") == "priority"
	n, refused := 0, 0
	var firstRefusal error
	for _, idText := range r.PostForm["case"] {
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			continue
		}
		if setPriority {
			_, err = s.Cases.UpdateCase(ctx, id, tp.CaseChange{Priority: &prio})
		} else {
			err = s.Cases.AssignCase(ctx, id, agent)
		}
		switch tp.ErrorCode(err) {
		case "":
			n++
		case tp.EINVALID, tp.ECONFLICT, tp.EFORBIDDEN, tp.ENOTFOUND: // this case only; the others go on
			refused++
			if firstRefusal == nil {
				firstRefusal = err
			}
		default:
			return err
		}
	}
	if n == 0 && firstRefusal != nil {
		return firstRefusal // nothing was done: the refusal is the answer
	}
	flash := translate(v.Lang, "cases.assigned", n)
	if setPriority {
		flash = translate(v.Lang, "cases.prioritised", n)
	}
	if refused > 0 {
		flash += " " + translate(v.Lang, "cases.refused", refused)
	}
	http.Redirect(w, r, v.withFlash("/cases?"+r.PostForm.Get("filter"), flash), http.StatusSeeOther)
	return nil
}

type caseData struct {
	Case     *tp.Case
	Events   []tp.CaseEvent
	Customer *tp.Customer
	Timeline *tp.TimelinePage
	Next     []tp.CaseStatus
	Overdue  bool
	CanWork  bool
	// Reply templates in the customer's language (all when it has none) and
	// the chosen one filled in, to start the reply from.
	Templates   []tp.ReplyTemplate
	TemplateID  int64
	Draft       string
	Taxonomy    tp.Taxonomy
	Attachments []tp.Attachment
	Macro       tp.ReplyTemplate // the chosen template, for its follow-up
	Priorities  []tp.Priority
	TagText     string
	Analysis    *tp.TextAnalysis  // of subject and description; nil until analysed
	ThemeNames  map[string]string // theme id → name in the reader's language
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	c, events, err := s.Cases.FindCase(ctx, id)
	if err != nil {
		return err
	}
	cust, err := s.Customers.FindCustomerByID(ctx, c.CustomerID)
	if err != nil {
		return err
	}
	tl, err := s.Customers.Timeline(ctx, c.CustomerID, tp.TimelineFilter{Limit: 30})
	if err != nil {
		return err
	}
	d := caseData{Case: c, Events: events, Customer: cust, Timeline: tl, Overdue: c.Overdue(time.Now()), CanWork: v.Can(string(tp.ActCaseUpdate))}
	for _, to := range []tp.CaseStatus{tp.CaseOpen, tp.CasePendingCustomer, tp.CaseResolved, tp.CaseClosed} {
		if tp.CanMove(c.Status, to) == nil {
			d.Next = append(d.Next, to)
		}
	}
	if d.Templates, err = s.Cases.ListReplyTemplates(ctx, tp.LanguageOf(cust.Locale)); err == nil && len(d.Templates) == 0 {
		d.Templates, err = s.Cases.ListReplyTemplates(ctx, "")
	}
	if err != nil {
		return err
	}
	if d.Taxonomy, err = s.Cases.Taxonomy(ctx); err != nil {
		return err
	}
	if d.Attachments, err = s.Cases.ListAttachments(ctx, c.ID); err != nil {
		return err
	}
	d.Priorities, d.TagText = tp.Priorities, strings.Join(c.Tags, ", ")
	if d.Analysis, err = s.Text.Analysis(ctx, tp.TextCase, c.ID); err != nil {
		return err
	}
	d.ThemeNames = map[string]string{}
	for _, t := range s.Analyzer.Taxonomy() {
		d.ThemeNames[t.ID] = t.Name(v.Lang)
	}
	if tid, _ := strconv.ParseInt(r.URL.Query().Get("template"), 10, 64); tid > 0 {
		for _, t := range d.Templates {
			if t.ID == tid {
				d.TemplateID, d.Draft, d.Macro = t.ID, t.Fill(c, cust, v.User.Email), t
			}
		}
	}
	v.Title = fmt.Sprintf("#%d %s", c.ID, c.Subject)
	return s.render(w, http.StatusOK, v, "case", "", d)
}

// caseAction handles the case page's forms: reply, note, status, assign.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	ctx := r.Context()
	flash := ""
	switch r.PostForm.Get("action") {
	case "reply", "note":
		_, err = s.Cases.AddCaseNote(ctx, id, r.PostForm.Get("body"), r.PostForm.Get("action") == "reply")
		flash = translate(v.Lang, "case.saved."+r.PostForm.Get("action"))
		if tid, _ := strconv.ParseInt(r.PostForm.Get("template"), 10, 64); err == nil && tid > 0 && r.PostForm.Get("action") == "reply" {
			err = s.applyMacro(r, id, tid)
		}
	case "status":
		_, err = s.Cases.MoveCase(ctx, id, tp.CaseStatus(r.PostForm.Get("status")), strings.TrimSpace(r.PostForm.Get("note")))
		flash = translate(v.Lang, "case.moved", translate(v.Lang, "status."+r.PostForm.Get("status")))
	case "merge":
		from, _ := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(r.PostForm.Get("from")), "#"), 10, 64)
		if _, err = s.Cases.MergeCases(ctx, id, from); tp.ErrorCode(err) == tp.ENOTFOUND {
			flash, err = translate(v.Lang, "case.nosuchcase", r.PostForm.Get("from")), nil
		} else if err == nil {
			flash = translate(v.Lang, "case.merged", from)
		}
	case "split":
		ev, _ := strconv.ParseInt(r.PostForm.Get("event"), 10, 64)
		var nc *tp.Case
		if nc, err = s.Cases.SplitCase(ctx, id, ev, r.PostForm.Get("subject")); err == nil {
			http.Redirect(w, r, v.withFlash(fmt.Sprintf("/cases/%d", nc.ID), translate(v.Lang, "case.splitdone", id)), http.StatusSeeOther)
			return nil
		}
	case "fields":
		_, err = s.Cases.UpdateCase(ctx, id, caseChangeFromForm(r.PostForm))
		flash = translate(v.Lang, "case.saved.fields")
	case "assign":
		uid, _ := strconv.ParseInt(r.PostForm.Get("assignee"), 10, 64)
		if r.PostForm.Get("assignee") == "me" {
			uid = v.User.ID
		}
		err = s.Cases.AssignCase(ctx, id, uid)
		flash = translate(v.Lang, "cases.assigned", 1)
	default:
		return tp.Errorf(tp.EINVALID, "unknown action")
	}
	if code := tp.ErrorCode(err); code == tp.EINVALID || code == tp.ECONFLICT {
		flash, err = v.errText(err), nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash(fmt.Sprintf("/cases/%d", id), flash), http.StatusSeeOther)
	return nil
}

// attachmentFile serves a complaint mail's file as a download: never inline,
// types a browser would run served as bytes, sniffing off, and a sandbox
// should a browser show it anyway.
func (s *Server) attachmentFile(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	aid, err := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	if err != nil {
		return tp.Errorf(tp.ENOTFOUND, "no such attachment")
	}
	a, data, err := s.Cases.Attachment(r.Context(), id, aid)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", a.DownloadType())
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, err = w.Write(data)
	return err
}

// applyMacro carries out a reply template's follow-up once its reply is
// sent: the status it names (where the case may move there) and its tags.
func (s *Server) applyMacro(r *http.Request, caseID, templateID int64) error {
	ctx := r.Context()
	list, err := s.Cases.ListReplyTemplates(ctx, "")
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list, func(t tp.ReplyTemplate) bool { return t.ID == templateID })
	if i < 0 {
		return nil // deleted meanwhile: the reply went out, nothing more to do
	}
	t := list[i]
	c, _, err := s.Cases.FindCase(ctx, caseID)
	if err != nil {
		return err
	}
	if t.ThenStatus != "" && t.ThenStatus != c.Status && tp.CanMove(c.Status, t.ThenStatus) == nil {
		if _, err := s.Cases.MoveCase(ctx, caseID, t.ThenStatus, "macro: "+t.Name); err != nil {
			return err
		}
	}
	if len(t.AddTags) > 0 {
		tags := slices.Clone(c.Tags)
		for _, tag := range t.AddTags {
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
		if _, err := s.Cases.UpdateCase(ctx, caseID, tp.CaseChange{Tags: &tags}); err != nil {
			return err
		}
	}
	return nil
}

// saveView keeps the queue's current filter under a name for the user.
func (s *Server) saveView(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	sv := &tp.SavedView{Name: r.PostForm.Get("name"), Query: r.PostForm.Get("query"), Shared: r.PostForm.Get("shared") == "1"}
	q, err := url.ParseQuery(strings.TrimPrefix(sv.Query, "?"))
	if err != nil {
		return tp.Errorf(tp.EINVALID, "the view's filter could not be read").WithFields(map[string]string{"query": "invalid"})
	}
	q.Del("flash")
	sv.Query = q.Encode()
	flash := translate(v.Lang, "cases.viewsaved", strings.TrimSpace(sv.Name))
	if err := s.Users.SaveView(r.Context(), sv); tp.ErrorCode(err) == tp.EINVALID {
		flash = v.errText(err)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash("/cases?"+sv.Query, flash), http.StatusSeeOther)
	return nil
}

func (s *Server) deleteView(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// A view already gone (deleted in another tab) is what was asked for.
	if err := s.Users.DeleteView(r.Context(), id); err != nil && tp.ErrorCode(err) != tp.ENOTFOUND {
		return err
	}
	http.Redirect(w, r, "/cases", http.StatusSeeOther)
	return nil
}

// addAttachment takes a file from the case page's upload form.
func (s *Server) addAttachment(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 11<<20)
	file, head, err := r.FormFile("file")
	if err != nil {
		return tp.Errorf(tp.EINVALID, "choose a file of at most 10 MB").WithFields(map[string]string{"file": "missing or too large"})
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return tp.Errorf(tp.EINVALID, "the file could not be read").WithFields(map[string]string{"file": "unreadable"})
	}
	ct := head.Header.Get("Content-Type")
	if ct == "" || ct == "application/octet-stream" {
		ct = http.DetectContentType(data)
	}
	flash := translate(v.Lang, "case.attached", head.Filename)
	if _, err := s.Cases.AddAttachment(r.Context(), id, head.Filename, ct, data); tp.ErrorCode(err) == tp.EINVALID {
		flash = v.errText(err)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash(fmt.Sprintf("/cases/%d", id), flash), http.StatusSeeOther)
	return nil
}

// customerNames looks up the customers of a list of cases in one query.
func (s *Server) customerNames(r *http.Request, cases []tp.Case) (map[int64]string, error) {
	out := map[int64]string{}
	var ids []int64
	for _, c := range cases {
		if _, ok := out[c.CustomerID]; !ok {
			out[c.CustomerID] = ""
			ids = append(ids, c.CustomerID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	cs, err := s.Customers.FindCustomers(r.Context(), tp.CustomerFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		out[c.ID] = cmp.Or(c.Name, c.Email, fmt.Sprintf("#%d", c.ID))
	}
	return out, nil
}

// caseChangeFromForm reads the case page's details form: every field the
// API can change, each only when the form carries it.
func caseChangeFromForm(f url.Values) tp.CaseChange {
	var ch tp.CaseChange
	text := func(name string) *string {
		if !f.Has(name) {
			return nil
		}
		v := strings.TrimSpace(f.Get(name))
		return &v
	}
	if p := text("priority"); p != nil {
		pr := tp.Priority(*p)
		ch.Priority = &pr
	}
	ch.Department, ch.Category, ch.SubCategory = text("department"), text("category"), text("sub_category")
	ch.ResolutionCode, ch.RootCause = text("resolution_code"), text("root_cause")
	if t := text("tags"); t != nil {
		tags := []string{}
		for _, tag := range strings.Split(*t, ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				tags = append(tags, tag)
			}
		}
		ch.Tags = &tags
	}
	return ch
}

// newCase is manual entry: an agent records a complaint taken by phone or
// at the counter, for a customer found by e-mail address.
func (s *Server) newCase(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	f := r.PostForm
	ctx := r.Context()
	dept := strings.TrimSpace(f.Get("department")) // "" for a department-scoped user: theirs (the store decides)
	flash := ""
	cust, err := s.Surveys.CustomerForEmail(ctx, f.Get("email"))
	if err == nil {
		c := &tp.Case{CustomerID: cust.ID, Subject: f.Get("subject"), Description: f.Get("description"), Channel: f.Get("channel"),
			Source: tp.CaseFromManual, Category: strings.TrimSpace(f.Get("category")), Priority: tp.Priority(f.Get("priority")), Department: dept}
		if c.Channel == "phone" {
			c.Source = tp.CaseFromPhone
		}
		if err = s.Cases.CreateCase(ctx, c); err == nil {
			http.Redirect(w, r, fmt.Sprintf("/cases/%d", c.ID), http.StatusSeeOther)
			return nil
		}
	}
	if tp.ErrorCode(err) != tp.EINVALID {
		return err
	}
	flash = v.errText(err)
	http.Redirect(w, r, v.withFlash("/cases#new", flash), http.StatusSeeOther)
	return nil
}
