package web

import (
	"net/http"
	"net/url"

	tp "github.com/touchpoint-cx/touchpoint"
)

// The source debugger: what a source sent lately (the live stream), what
// was refused and why (the quarantine), and the snippets that point the
// browser SDKs at this server.

type debuggerData struct {
	Source     tp.Source
	Live       []liveEntry
	Quarantine []tp.RejectedMessage
	Base       string // this server, for the snippets
	Host       string // host[:port][/path] of it, for analytics-next's apiHost
	Scheme     string
}

func (s *Server) sourceDebugger(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	srcs, err := s.Sources.ListSources(r.Context())
	if err != nil {
		return err
	}
	d := debuggerData{Base: s.baseURL(r)}
	found := false
	for _, src := range srcs {
		if src.ID == id {
			d.Source, found = src, true
		}
	}
	if !found {
		return tp.Errorf(tp.ENOTFOUND, "source %d not found", id)
	}
	if d.Quarantine, err = s.Ingester.ListQuarantine(r.Context(), id, 100); err != nil {
		return err
	}
	d.Live = s.live.last(id)
	if u, err := url.Parse(d.Base); err == nil {
		d.Host, d.Scheme = u.Host+u.Path, u.Scheme
	}
	v.Title = d.Source.Name
	block := ""
	if r.Header.Get("HX-Request") == "true" {
		block = "stream"
	}
	return s.render(w, http.StatusOK, v, "debugger", block, d)
}

func (s *Server) apiQuarantine(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	list, err := s.Ingester.ListQuarantine(r.Context(), id, n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rejected": list})
	return nil
}
