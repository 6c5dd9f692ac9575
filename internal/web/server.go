// Package web serves touchpoint over HTTP: the Segment-compatible tracking
// API (/v1), the JSON API (/api/v1), the server-rendered UI and the ops
// endpoints. It sees the store only through the root package's interfaces.
package web

import (
	"context"
	"embed"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	tp "github.com/touchpoint-cx/touchpoint"
)

//go:embed templates static
var assets embed.FS

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server holds the services the handlers use.
type Server struct {
	Ingester tp.Ingester
	Intake   tp.Intake
	// IntakeStats reports the intake's resolver for /metrics.
	IntakeStats func() tp.IntakeStats
	Customers   tp.CustomerService
	Sources     tp.SourceService
	Users       tp.UserService
	Surveys     tp.SurveyService
	Segments    tp.SegmentService
	Cases       tp.CaseService
	Routing     tp.RoutingService
	SLA         tp.SLAService
	Actions     tp.ActionService
	Cockpit     tp.CockpitService
	Alerts      tp.AlertService
	Audit       tp.AuditService
	Privacy     tp.PrivacyService
	Text        tp.ThemeService
	Risk        tp.RiskService
	Playbooks   tp.PlaybookService
	People      tp.PeopleService
	Digest      tp.DigestService
	Council     tp.CouncilService
	Push        tp.SegmentPushService
	Analyzer    tp.TextAnalyzer
	Learner     tp.TextLearner
	Discoverer  tp.TextDiscoverer
	DB          Pinger
	Log         *slog.Logger
	Now         func() time.Time
	// SecureCookies marks the session cookie Secure; on by default, off for plain-HTTP local use.
	SecureCookies bool
	// PublicURL is the address respondents reach (https://cx.example.com), for
	// links in e-mails; empty uses the request's own host.
	PublicURL string
	// RateLimit is answers per minute per client address on public
	// endpoints; 0 for the default (60), negative for none (benchmarks).
	RateLimit int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (rate limits, audit); none by default.
	TrustedProxies []netip.Prefix

	metrics *metrics
	pages   map[string]*pageTemplate
	limiter *limiter // public endpoints, per client address
	logins  *limiter // failed sign-ins per client address
	live    *liveStreams

	tokenReads sync.Map // "token:name route" → the hour its reads were last audited
}

// SessionTTL is how long a login lasts.
const SessionTTL = 12 * time.Hour

// Handler returns the complete HTTP handler.
func (s *Server) Handler() http.Handler {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	s.metrics = newMetrics(prometheus.NewRegistry(), s.IntakeStats)
	s.pages = parsePages()
	s.limiter = newLimiter(s.RateLimit, 30)
	s.live = newLiveStreams()
	// 10 failed sign-ins from one address, then one every 3 minutes: enough
	// for people who mistype, too few to guess passwords across accounts.
	s.logins = &limiter{rate: 1.0 / 180, burst: 10, buckets: map[string]*bucket{}, now: time.Now}
	if s.RateLimit < 0 { // benchmarks
		s.logins.rate = -1
	}
	return s.routes()
}

// metricsRegistry is what /metrics serves: this server's own registry, so
// several servers in one process (tests, benchmarks) do not collide.
func (s *Server) metricsRegistry() *prometheus.Registry { return s.metrics.reg }

// public marks a customer-facing handler's requests: the signed link, the
// public page or the form is the authorisation, and the policy sees the
// caller as the public.
func (s *Server) public(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(tp.WithAccess(r.Context(), tp.Access{Actor: "public", Role: tp.RolePublic})))
	})
}

// noListing answers 404 for a folder instead of listing its files.
func noListing(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}
