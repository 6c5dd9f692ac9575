package web

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// peopleData is the coaching page: CX per team and agent, the training
// needs found in it, and the trainings with their measured effect.
type peopleData struct {
	Q          tp.PeopleQuery
	From, To   string // the form's dates (To inclusive)
	Report     tp.PeopleReport
	Needs      []tp.TrainingNeed
	Trainings  []tp.TrainingView
	Metrics    []tp.MetricDef
	NeedMetric []string
	Depts      []string // the department filter (only for those who see every department)
	Agents     []tp.User
	CanManage  bool
	Today      string
	Days       int
	Prefill    trainingPrefill   // the form filled from a training need's link
	ThemeNames map[string]string // needs in a theme of the cases' texts
}

// trainingPrefill is what a need's "assign a training" link carries.
type trainingPrefill struct {
	Title, Dept, Metric, Category string
	User                          int64
}

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request, v *view) error {
	q, err := s.peopleQuery(r)
	if err != nil {
		return err
	}
	d := peopleData{Q: q, From: q.From.Format(time.DateOnly), To: q.To.Add(-time.Microsecond).Format(time.DateOnly),
		Metrics: tp.PeopleMetrics, NeedMetric: tp.NeedMetrics, CanManage: v.Can(string(tp.ActTrainingManage)),
		Today: s.Now().Format(time.DateOnly), Days: int(tp.EffectWindow.Hours() / 24)}
	if d.Report, d.Needs, err = s.People.PeoplePage(r.Context(), q); err != nil {
		return err
	}
	if d.Trainings, err = s.People.ListTrainings(r.Context()); err != nil {
		return err
	}
	if v.scope(tp.ActPeopleRead) == "" { // the filter: every department someone works in
		staff, err := s.Cases.ListAgents(r.Context(), "")
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, u := range staff {
			if u.Department != "" && !seen[u.Department] {
				seen[u.Department] = true
				d.Depts = append(d.Depts, u.Department)
			}
		}
		sort.Strings(d.Depts)
	}
	d.ThemeNames = map[string]string{}
	if s.Analyzer != nil {
		for _, th := range s.Analyzer.Taxonomy() {
			d.ThemeNames[th.ID] = th.Name(v.Lang)
		}
	}
	qv := r.URL.Query()
	d.Prefill = trainingPrefill{Dept: qv.Get("train_dept"), Metric: qv.Get("train_metric"), Category: qv.Get("train_cat")}
	d.Prefill.User, _ = strconv.ParseInt(qv.Get("train_user"), 10, 64)
	if d.Prefill.Metric != "" {
		topic := d.Prefill.Category
		if th := qv.Get("train_theme"); th != "" {
			topic = d.ThemeNames[th]
		}
		d.Prefill.Title = translate(v.Lang, "people.training.suggest", translate(v.Lang, "kpi.name."+d.Prefill.Metric), topic)
	}
	if d.Prefill.Dept == "" {
		d.Prefill.Dept = q.Department
		if d.Prefill.Dept == "" && v.User != nil {
			d.Prefill.Dept = v.User.Department
		}
	}
	if d.CanManage {
		if d.Agents, err = s.Cases.ListAgents(r.Context(), q.Department); err != nil {
			return err
		}
	}
	v.Title = translate(v.Lang, "people.title")
	return s.render(w, http.StatusOK, v, "people", "", d)
}

// createTrainingForm assigns a training from the coaching page.
func (s *Server) createTrainingForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := trainingInput{Title: r.FormValue("title"), Kind: r.FormValue("kind"), Department: r.FormValue("department"),
		Metric: r.FormValue("metric"), Category: r.FormValue("category"), Due: r.FormValue("due"), OwnerID: v.User.ID}
	for _, p := range r.Form["participant"] {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			in.Participants = append(in.Participants, id)
		}
	}
	flash := translate(v.Lang, "people.training.saved", in.Title)
	t, err := in.training()
	if err == nil {
		err = s.People.CreateTraining(r.Context(), t)
	}
	if err != nil {
		if tp.ErrorCode(err) != tp.EINVALID {
			return err
		}
		flash = v.errText(err)
	}
	http.Redirect(w, r, v.withFlash("/people", flash)+"#trainings", http.StatusSeeOther)
	return nil
}

// completeTrainingForm records one participant's completion today.
func (s *Server) completeTrainingForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	user, _ := strconv.ParseInt(r.FormValue("user_id"), 10, 64)
	flash := translate(v.Lang, "people.training.completed")
	if err := s.People.CompleteTraining(r.Context(), id, user, time.Time{}); err != nil {
		if tp.ErrorCode(err) != tp.EINVALID {
			return err
		}
		flash = v.errText(err)
	}
	http.Redirect(w, r, v.withFlash("/people", flash)+"#trainings", http.StatusSeeOther)
	return nil
}
