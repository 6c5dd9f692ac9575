package sqldb

import (
	"context"

	tp "github.com/touchpoint-cx/touchpoint"
)

// One service type per area over the one DB handle (connections, group
// commit, dialect, migrations). Each is what the root package's interface of
// its area sees; internal/app wires them. Services ask the access policy
// (tp.Authorize) with the caller's access taken from the context.

// CustomerService reads customer profiles and repairs them (unmerge).
type CustomerService struct{ db *DB }

// TrackingService stores tracking messages (identity resolution included).
type TrackingService struct{ db *DB }

// UserService manages users, sessions and API tokens.
type UserService struct{ db *DB }

// SourceService manages sources and their write keys.
type SourceService struct{ db *DB }

// SurveyService manages surveys, invitations, responses and their results.
type SurveyService struct{ db *DB }

// SegmentService manages saved segments and computes their members.
type SegmentService struct{ db *DB }

// CaseService manages cases, their taxonomy, reply templates and case KPIs.
type CaseService struct{ db *DB }

// MailService takes complaint mail in and keeps the state of replies sent out.
type MailService struct{ db *DB }

// RoutingService manages routing rules.
type RoutingService struct{ db *DB }

// SLAService manages calendars and SLA policies and checks SLA clocks.
type SLAService struct{ db *DB }

// ActionService manages action items.
type ActionService struct{ db *DB }

// AlertService manages alert rules, evaluates them and logs deliveries.
type AlertService struct{ db *DB }

// CockpitService computes scorecards and keeps the rollups behind them, the
// KPI definitions and the board pack settings.
type CockpitService struct{ db *DB }

// Store is the handle with every service over it, for wiring and tests.
type Store struct {
	*DB
	Customers *CustomerService
	Tracking  *TrackingService
	Intake    *IntakeService
	Users     *UserService
	Sources   *SourceService
	Surveys   *SurveyService
	Segments  *SegmentService
	Cases     *CaseService
	Mail      *MailService
	Routing   *RoutingService
	SLA       *SLAService
	Actions   *ActionService
	Alerts    *AlertService
	Cockpit   *CockpitService
	Audit     *AuditService
	Privacy   *PrivacyService
	Text      *TextService
	Risk      *RiskService
	Playbooks *PlaybookService
	People    *PeopleService
	Digest    *DigestService
	Council   *CouncilService
	Push      *SegmentPushService
}

// NewStore returns every service over db.
func NewStore(db *DB) *Store {
	return &Store{DB: db, Customers: db.customers(), Tracking: db.tracking(), Intake: &IntakeService{db}, Users: db.users(), Sources: db.sources(),
		Surveys: db.surveys(), Segments: db.segments(), Cases: db.cases(), Mail: db.mail(), Routing: db.routing(),
		SLA: db.sla(), Actions: db.actions(), Alerts: db.alerts(), Cockpit: db.cockpit(),
		Audit: &AuditService{db}, Privacy: &PrivacyService{db}, Text: &TextService{db}, Risk: &RiskService{db}, Playbooks: &PlaybookService{db}, People: &PeopleService{db}, Digest: &DigestService{db}, Council: &CouncilService{db}, Push: &SegmentPushService{db}}
}

// The places where one area's work reads another's go through these.
func (db *DB) customers() *CustomerService { return &CustomerService{db} }
func (db *DB) tracking() *TrackingService  { return &TrackingService{db} }
func (db *DB) users() *UserService         { return &UserService{db} }
func (db *DB) sources() *SourceService     { return &SourceService{db} }
func (db *DB) surveys() *SurveyService     { return &SurveyService{db} }
func (db *DB) segments() *SegmentService   { return &SegmentService{db} }
func (db *DB) cases() *CaseService         { return &CaseService{db} }
func (db *DB) mail() *MailService          { return &MailService{db} }
func (db *DB) routing() *RoutingService    { return &RoutingService{db} }
func (db *DB) sla() *SLAService            { return &SLAService{db} }
func (db *DB) actions() *ActionService     { return &ActionService{db} }
func (db *DB) alerts() *AlertService       { return &AlertService{db} }
func (db *DB) cockpit() *CockpitService    { return &CockpitService{db} }

// authorize asks the one policy whether the caller (the access in ctx) may
// do act on obj.
func authorize(ctx context.Context, act tp.Action, obj tp.Object) error {
	return tp.Authorize(tp.AccessFrom(ctx), act, obj)
}

// listScope asks the policy which department a list for act is narrowed
// to ("" for all).
func listScope(ctx context.Context, act tp.Action) (string, error) {
	return tp.ListScope(tp.AccessFrom(ctx), act)
}

// mayAtAll asks whether the caller may do act to any object: the first
// question of a method that needs its arguments to ask about the object.
func mayAtAll(ctx context.Context, act tp.Action) error {
	a := tp.AccessFrom(ctx)
	if tp.Can(a, act) {
		return nil
	}
	return tp.Authorize(a, act, tp.Object{})
}

// canAny asks whether the caller may do at least one of acts at all.
func canAny(ctx context.Context, acts ...tp.Action) error {
	a := tp.AccessFrom(ctx)
	for _, act := range acts {
		if tp.Can(a, act) {
			return nil
		}
	}
	return tp.Authorize(a, acts[0], tp.Object{})
}

// can asks the policy about an action with no particular object (a
// setting, a whole-company list).
func can(ctx context.Context, act tp.Action) error {
	return authorize(ctx, act, tp.Object{})
}
