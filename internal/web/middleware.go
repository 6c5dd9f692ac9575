package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	refused  prometheus.Counter
}

func newMetrics(reg *prometheus.Registry, intake func() tp.IntakeStats) *metrics {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "touchpoint_http_requests_total",
			Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "touchpoint_http_request_duration_seconds",
			Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12)}, []string{"route"}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{Name: "touchpoint_events_refused_total",
			Help: "Tracking messages refused as invalid (kept in their source's quarantine)."}),
	}
	reg.MustRegister(m.requests, m.latency, m.refused,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if intake != nil {
		registerIntake(reg, intake)
	}
	return m
}

// registerIntake exports what the intake's resolver did and how far behind
// it is: the lag from receipt to visible on the timeline (over the last
// minute) and the age of the oldest call still waiting.
func registerIntake(reg *prometheus.Registry, stats func() tp.IntakeStats) {
	stat := func(f func(tp.IntakeStats) float64) func() float64 { return func() float64 { return f(stats()) } }
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "touchpoint_events_ingested_total",
			Help: "Tracking events stored (by this process's resolver)."}, stat(func(s tp.IntakeStats) float64 { return float64(s.Resolved.Stored) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "touchpoint_events_duplicate_total",
			Help: "Tracking events acknowledged as replays of a stored message id."}, stat(func(s tp.IntakeStats) float64 { return float64(s.Resolved.Duplicates) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "touchpoint_customer_merges_total",
			Help: "Customers merged by identity resolution."}, stat(func(s tp.IntakeStats) float64 { return float64(s.Resolved.Merges) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "touchpoint_intake_calls_resolved_total",
			Help: "Tracking calls resolved from the intake."}, stat(func(s tp.IntakeStats) float64 { return float64(s.Calls) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "touchpoint_intake_lag_p50_seconds",
			Help: "Median time from receipt of a tracking call to its events on the timeline, last minute."}, stat(func(s tp.IntakeStats) float64 { return s.LagP50.Seconds() })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "touchpoint_intake_lag_p99_seconds",
			Help: "99th percentile of the time from receipt of a tracking call to its events on the timeline, last minute."}, stat(func(s tp.IntakeStats) float64 { return s.LagP99.Seconds() })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "touchpoint_intake_behind_seconds",
			Help: "Age of the oldest tracking call not yet resolved (0: none); beyond the bound the intake answers 503."}, stat(func(s tp.IntakeStats) float64 { return s.Pending.Seconds() })),
	)
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs every request as JSON, records metrics and turns panics into 500s.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.Log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(p))
				if sw.code == 0 {
					writeJSONError(sw, r, errors.New("panic"))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			s.metrics.requests.WithLabelValues(route, fmt.Sprint(sw.code)).Inc()
			s.metrics.latency.WithLabelValues(route).Observe(d.Seconds())
			level := slog.LevelInfo
			if sw.code >= 500 {
				level = slog.LevelError
			}
			s.Log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "route", route,
				"status", sw.code, "duration_ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(sw, r)
	})
}

func statusOf(err error) int {
	switch tp.ErrorCode(err) {
	case tp.EINVALID, tp.ETOOLARGE:
		return http.StatusBadRequest
	case tp.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case tp.EFORBIDDEN:
		return http.StatusForbidden
	case tp.ENOTFOUND:
		return http.StatusNotFound
	case tp.ECONFLICT:
		return http.StatusConflict
	case tp.ETOOMANY:
		return http.StatusTooManyRequests
	case tp.EMEDIATYPE:
		return http.StatusUnsupportedMediaType
	case tp.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// The message is in the language the request asks for (?lang=, then
// Accept-Language; English by default); code and fields stay as they are,
// for programs.
func writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Fields = tp.ErrorCode(err), i18n.Error(requestLang(r), err), tp.ErrorFields(err)
	writeJSON(w, statusOf(err), b)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// logErr logs the internal cause of a 5xx; clients only see the safe message.
func (s *Server) logErr(r *http.Request, err error) {
	if statusOf(err) >= 500 {
		s.Log.Error("request failed", "path", r.URL.Path, "err", err)
	}
}

type apiHandler func(w http.ResponseWriter, r *http.Request) error

// api wraps a JSON API handler: a bearer token or a session authenticates,
// the policy is asked for the route's action (the store asks again for each
// object), and errors become {"error":{…}} with a stable code. A session
// cookie is accepted only from this site: a page elsewhere cannot use a
// logged-in browser to change anything.
func (s *Server) api(act tp.Action, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(tp.WithAddress(r.Context(), s.clientIP(r)))
		a, err := s.authenticateAPI(r)
		if err == nil && act != "" && !tp.Can(a, act) {
			err = tp.Authorize(a, act, tp.Object{})
		}
		if err == nil {
			r = r.WithContext(tp.WithAccess(r.Context(), a))
			sw := &statusWriter{ResponseWriter: w}
			err = h(sw, r)
			code := sw.code
			if err != nil {
				code = statusOf(err)
			}
			s.auditToken(r, a, r.Pattern, code)
		}
		if err != nil {
			s.logErr(r, err)
			if statusOf(err) == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="touchpoint"`)
			}
			writeJSONError(w, r, err)
		}
	})
}

// auditExport records a bulk export in the audit log before it streams.
func (s *Server) auditExport(r *http.Request, what, format string) error {
	return s.Audit.Record(r.Context(), tp.AuditEntry{Action: tp.AuditExport, Object: what, Detail: format + " " + r.URL.RequestURI()})
}

// auditToken records an API token's use: every change, and its reads once
// an hour per token and route (per replica), so an integration that polls
// leaves a trace without filling the log.
func (s *Server) auditToken(r *http.Request, a tp.Access, route string, code int) {
	if !strings.HasPrefix(a.Actor, "token:") {
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		key := a.Actor + " " + route
		hour := s.Now().Unix() / 3600
		if last, ok := s.tokenReads.Load(key); ok && last.(int64) == hour {
			return
		}
		s.tokenReads.Store(key, hour)
	}
	err := s.Audit.Record(r.Context(), tp.AuditEntry{Action: tp.AuditTokenUse, Object: route, Detail: fmt.Sprintf("%s %s → %d", r.Method, r.URL.Path, code)})
	if err != nil {
		s.Log.Error("audit token use", "err", err)
	}
}

func (s *Server) authenticateAPI(r *http.Request) (tp.Access, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || secret == "" {
			return tp.Access{}, tp.Errorf(tp.EUNAUTHORIZED, "the Authorization header must be \"Bearer <API token>\"")
		}
		return s.Users.AccessByToken(r.Context(), strings.TrimSpace(secret))
	}
	if u := s.sessionUser(r); u != nil {
		if err := csrf.Check(r); err != nil {
			return tp.Access{}, tp.Errorf(tp.EFORBIDDEN, "a cross-origin request with a session cookie is refused; other sites must use an API token")
		}
		return userAccess(u), nil
	}
	return tp.Access{}, tp.Errorf(tp.EUNAUTHORIZED, "send an API token as \"Authorization: Bearer <token>\" (touchpoint token create)")
}

func userAccess(u *tp.User) tp.Access {
	return tp.Access{Actor: "user:" + u.Email, Role: u.Role, Department: u.Department, UserID: u.ID}
}

// readBody reads a request body, gunzipping it when Content-Encoding says so,
// and reports a body over max bytes (after decompression) as ETOOLARGE.
func readBody(r *http.Request, max int64, what string) ([]byte, error) {
	var src io.Reader = http.MaxBytesReader(nil, r.Body, 4*max) // compressed bytes are bounded too
	switch strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))) {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, tp.Errorf(tp.EINVALID, "the body says Content-Encoding: gzip but is not gzip data").WithFields(map[string]string{"body": "invalid gzip"})
		}
		defer zr.Close()
		src = zr
	default:
		return nil, tp.Errorf(tp.EINVALID, "unsupported Content-Encoding %q (send gzip or nothing)", r.Header.Get("Content-Encoding"))
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(src, max+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || n > max {
		return nil, tp.Errorf(tp.ETOOLARGE, "the %s is larger than the limit of %d bytes (%d KB)", what, max, max>>10).WithFields(map[string]string{what: "too large"})
	}
	if err != nil {
		return nil, tp.Errorf(tp.EINVALID, "could not read the request body: %v", err)
	}
	return buf.Bytes(), nil
}

func cacheForever(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}
