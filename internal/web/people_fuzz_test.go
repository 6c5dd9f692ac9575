package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"
	"unicode/utf8"

	tp "github.com/touchpoint-cx/touchpoint"
)

// FuzzTrainingInput: any JSON body for a training gives a training that
// validates or a clear EINVALID naming its fields, never a panic.
func FuzzTrainingInput(f *testing.F) {
	f.Add([]byte(`{"title":"Billing basics","kind":"course","owner_id":3,"department":"Service","metric":"fcr","due":"2027-01-31","participant_ids":[5,6]}`))
	f.Add([]byte(`{"title":"","kind":"talk","metric":"mood","due":"31.01.2027","participant_ids":[5,5,0]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in trainingInput
		if json.Unmarshal(body, &in) != nil {
			return
		}
		tr, err := in.training()
		if err == nil {
			err = tr.Validate()
		}
		if err != nil {
			var e *tp.Error
			if !errors.As(err, &e) || e.Code != tp.EINVALID || len(e.Fields) == 0 {
				t.Fatalf("%s: %v is not a clear error", body, err)
			}
			return
		}
		if tr.Title == "" || utf8.RuneCountInString(tr.Title) > 200 || len(tr.Participants) == 0 || tr.Due.IsZero() {
			t.Fatalf("%s: accepted %+v", body, tr)
		}
	})
}

// FuzzCouncilForms: what a council member or the CCO types into a form (an
// idea, a session with its questions, the digest's week) is accepted within
// its limits or refused with EINVALID, never a panic.
func FuzzCouncilForms(f *testing.F) {
	f.Add("title=Saturday+delivery&body=Please", "topic=Delivery&at=2027-01-15&questions=Why%3F%0AHow%3F", "week=2026-11-25")
	f.Add("title=%20%20&body=", "topic=&at=yesterday&questions=%0A%0A", "week=2026-13-40")
	s := &Server{Now: func() time.Time { return time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC) }}
	f.Fuzz(func(t *testing.T, ideaForm, sessionForm, query string) {
		iv, err1 := url.ParseQuery(ideaForm)
		sv, err2 := url.ParseQuery(sessionForm)
		if err1 != nil || err2 != nil {
			return
		}
		idea := &tp.CouncilIdea{Title: iv.Get("title"), Body: iv.Get("body")}
		if err := idea.Validate(); err != nil {
			if tp.ErrorCode(err) != tp.EINVALID {
				t.Fatalf("idea %q: %v", ideaForm, err)
			}
		} else if idea.Title == "" || utf8.RuneCountInString(idea.Title) > tp.MaxCouncilTitle {
			t.Fatalf("idea %q accepted as %+v", ideaForm, idea)
		}
		cs := &tp.CouncilSession{Topic: sv.Get("topic"), Agenda: sv.Get("agenda")}
		cs.At, _ = time.Parse(time.DateOnly, sv.Get("at"))
		if err := cs.Validate(); err != nil && tp.ErrorCode(err) != tp.EINVALID {
			t.Fatalf("session %q: %v", sessionForm, err)
		}
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/digest", RawQuery: query}}
		if _, from, err := s.digestQuery(r, tp.Access{Department: "Service"}); err != nil {
			if tp.ErrorCode(err) != tp.EINVALID {
				t.Fatalf("week %q: %v", query, err)
			}
		} else if from.Weekday() != time.Monday {
			t.Fatalf("week %q starts on %v", query, from.Weekday())
		}
	})
}
