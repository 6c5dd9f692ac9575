package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

// decodeFunc reads a tracking request's body into messages; a batch's bad
// messages come back refused, one by one.
type decodeFunc func(r *http.Request) (*track.Decoded, error)

func (s *Server) trackCall(typ tp.EventType) decodeFunc {
	return func(r *http.Request) (*track.Decoded, error) {
		body, err := readBody(r, track.MaxMessageBytes, "message")
		if err != nil {
			return nil, err
		}
		now := s.receivedAt()
		d, err := track.DecodeCall(typ, body, now)
		if err != nil && tp.ErrorCode(err) == tp.EINVALID {
			// One message that fails on its own: refused, kept in the quarantine, and a 400.
			return &track.Decoded{WriteKey: writeKeyOf(body), Kind: string(typ), Body: body,
				Rejected: []tp.RejectedMessage{track.Refused(body, 0, err, now)}}, err
		}
		return d, err
	}
}

func (s *Server) trackBatch(r *http.Request) (*track.Decoded, error) {
	body, err := readBody(r, track.MaxBatchBytes, "batch")
	if err != nil {
		return nil, err
	}
	return track.DecodeBatch(body, s.receivedAt())
}

// receivedAt is the receive time of a tracking call, to the microsecond the
// intake stores: decoding its body again must give the same times.
func (s *Server) receivedAt() time.Time { return s.Now().Truncate(time.Microsecond) }

// writeKeyOf reads the writeKey field of a body that failed validation, so
// that its refusal can land in its source's quarantine.
func writeKeyOf(body []byte) string {
	d, err := track.DecodeWriteKey(body)
	if err != nil {
		return ""
	}
	return d
}

// trackAnswer is what a tracking call answers: every message accepted, or
// the refused ones named (the others are stored all the same, so a client
// has no reason to send them again).
type trackAnswer struct {
	Success  bool                 `json:"success"`
	Accepted int                  `json:"accepted"`
	Refused  []tp.RejectedMessage `json:"rejected,omitempty"`
	Warnings []string             `json:"warnings,omitempty"`
}

// track serves a tracking endpoint. The write key is the HTTP Basic user
// name, writeKey in the body, or (beacons) ?writeKey=. A 200 is sent only
// after the commit. Every answer, errors too, carries CORS headers: browsers
// drop what they cannot read.
func (s *Server) track(decode decodeFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCORS(w, r)
		ans, err := s.ingest(r, decode)
		if err != nil {
			if tp.ErrorCode(err) == tp.EUNAVAILABLE {
				w.Header().Set("Retry-After", "5")
			}
			s.logErr(r, err)
			writeJSONError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, ans)
	})
}

func (s *Server) ingest(r *http.Request, decode decodeFunc) (*trackAnswer, error) {
	src, err := s.sourceOf(r, "")
	if err != nil && tp.ErrorCode(err) != tp.EUNAUTHORIZED {
		return nil, err
	}
	d, derr := decode(r)
	if d == nil {
		return nil, derr
	}
	if src == nil {
		if src, err = s.sourceOf(r, d.WriteKey); err != nil {
			return nil, err
		}
	}
	ctx := tp.WithAccess(r.Context(), tp.Access{Actor: "source:" + src.Name, Role: tp.RoleSource})
	s.live.record(src.ID, d.Messages, d.Rejected)
	// The answer names refused messages without their JSON (the sender has
	// it; the quarantine keeps it): a copy, as the resolver holds d.Rejected.
	ans := &trackAnswer{Success: true, Accepted: len(d.Messages), Refused: slices.Clone(d.Rejected)}
	if derr == nil && len(d.Messages) == 0 {
		derr = tp.Errorf(tp.EINVALID, "every message of the batch is invalid; see the source debugger").WithFields(refusedFields(d.Rejected))
	}
	var at time.Time
	if len(d.Rejected) > 0 {
		at = d.Rejected[0].ReceivedAt
	}
	if len(d.Messages) > 0 {
		at = d.Messages[0].ReceivedAt
	}
	// One commit for the call: refused messages to the quarantine, the body
	// (when any message is good) to the intake.
	b := tp.IntakeBatch{Kind: d.Kind, Body: d.Body, ReceivedAt: at, Messages: d.Messages, Rejected: d.Rejected}
	if err := s.Intake.Append(ctx, src, b); err != nil {
		return nil, err
	}
	s.metrics.refused.Add(float64(len(d.Rejected)))
	if derr != nil {
		return nil, derr
	}
	for i := range ans.Refused {
		ans.Refused[i].Raw = ""
	}
	for _, m := range d.Messages {
		ans.Warnings = append(ans.Warnings, m.Warnings...)
	}
	return ans, nil
}

func refusedFields(rs []tp.RejectedMessage) map[string]string {
	out := map[string]string{}
	for _, r := range rs {
		out["batch["+strconv.Itoa(r.Index)+"]"] = r.Reason
	}
	return out
}

// sourceOf finds the source of a request: by the HTTP Basic user name, by
// ?writeKey= (beacons cannot set headers), or by the key a body carried.
func (s *Server) sourceOf(r *http.Request, bodyKey string) (*tp.Source, error) {
	key, _, ok := r.BasicAuth()
	if !ok || key == "" {
		key = r.URL.Query().Get("writeKey")
	}
	if key == "" {
		key = bodyKey
	}
	if key == "" {
		return nil, tp.Errorf(tp.EUNAUTHORIZED, "no write key: send it as the HTTP Basic user name, as writeKey in the body, or as ?writeKey=")
	}
	return s.Sources.FindSourceByWriteKey(r.Context(), key)
}

// Browsers send tracking calls from the company's own sites, so /v1 answers
// CORS for any origin; it needs no cookies, only the write key (beacons
// send credentials, which the origin must then be echoed for).
func setCORS(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Vary", "Origin")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}
}

func (s *Server) trackPreflight(w http.ResponseWriter, r *http.Request) {
	setCORS(w, r)
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h := r.Header.Get("Access-Control-Request-Headers")
	if h == "" {
		h = "Authorization, Content-Type, Content-Encoding"
	}
	w.Header().Set("Access-Control-Allow-Headers", strings.ToLower(h))
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// clientMetrics takes the usage metrics analytics-next reports about
// itself (/v1/m) and drops them: they are Segment's business, but a 404
// would fill the browser's console.
func (s *Server) clientMetrics(w http.ResponseWriter, r *http.Request) {
	setCORS(w, r)
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
