package web

import (
	"net/http"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

type decodeFunc func(r *http.Request) (*track.Decoded, error)

func (s *Server) trackCall(typ string) decodeFunc {
	return func(r *http.Request) (*track.Decoded, error) {
		body, err := readBody(r, track.MaxMessageBytes, "message")
		if err != nil {
			return nil, err
		}
		return track.DecodeCall(tp.EventType(typ), body, s.Now())
	}
}

func (s *Server) trackBatch(r *http.Request) (*track.Decoded, error) {
	body, err := readBody(r, track.MaxBatchBytes, "batch")
	if err != nil {
		return nil, err
	}
	return track.DecodeBatch(body, s.Now())
}

// track serves a tracking endpoint. The write key is the HTTP Basic user
// name, or writeKey in the body. A 200 is sent only after the commit.
func (s *Server) track(decode decodeFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCORS(w, r)
		err := s.ingest(r, decode)
		if err != nil {
			s.logErr(r, err)
			writeJSONError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	})
}

func (s *Server) ingest(r *http.Request, decode decodeFunc) error {
	var src *tp.Source
	key, _, hasBasic := r.BasicAuth()
	if hasBasic {
		var err error
		if src, err = s.Sources.FindSourceByWriteKey(r.Context(), key); err != nil {
			return err
		}
	}
	d, err := decode(r)
	if err != nil {
		return err
	}
	if src == nil {
		if d.WriteKey == "" {
			return tp.Errorf(tp.EUNAUTHORIZED, "no write key: send it as the HTTP Basic user name or as writeKey in the body")
		}
		if src, err = s.Sources.FindSourceByWriteKey(r.Context(), d.WriteKey); err != nil {
			return err
		}
	}
	ctx := tp.WithAccess(r.Context(), tp.Access{Actor: "source:" + src.Name, Role: tp.RoleSource})
	res, err := s.Ingester.Ingest(ctx, src, d.Messages)
	if err != nil {
		return err
	}
	s.metrics.events.Add(float64(res.Stored))
	s.metrics.dupes.Add(float64(res.Duplicates))
	s.metrics.merges.Add(float64(res.Merges))
	return nil
}

// Browsers send tracking calls from the company's own sites, so /v1 answers
// CORS for any origin; it needs no cookies, only the write key.
func setCORS(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Vary", "Origin")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}
}

func (s *Server) trackPreflight(w http.ResponseWriter, r *http.Request) {
	setCORS(w, r)
	w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h := r.Header.Get("Access-Control-Request-Headers")
	if h == "" {
		h = "Authorization, Content-Type, Content-Encoding"
	}
	w.Header().Set("Access-Control-Allow-Headers", strings.ToLower(h))
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.DB.Ping(r.Context()); err != nil {
		s.Log.Error("health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": tp.Version})
}
