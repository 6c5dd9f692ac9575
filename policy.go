package touchpoint

import (
	"fmt"
	"sort"
	"strings"
)

// The one access policy. Every store method that reads or changes scoped
// data asks Authorize (one object) or ListScope (a list) with the caller's
// access from the context; handlers hold no role checks. The table is data:
// it is rendered on /admin/roles and in the README, and the authorization
// matrix test derives every expected outcome from it.

// Action is something a caller does, named area.verb.
type Action string

// Actions. Descriptions (en/de/nl) are in the i18n catalogue as "policy.<action>".
const (
	ActCustomerRead    Action = "customer.read"    // search, profiles, timelines, trait history, consents
	ActCustomerUnmerge Action = "customer.unmerge" // undo a merge
	ActConsentUpdate   Action = "consent.update"   // record a consent or objection for a customer
	ActCustomerExport  Action = "customer.export"  // GDPR Art. 15: everything held about one person
	ActCustomerErase   Action = "customer.erase"   // GDPR Art. 17: erase one person

	ActEventIngest Action = "event.ingest" // send tracking events (write keys)

	ActSurveyRead     Action = "survey.read"        // survey definitions and their triggers
	ActSurveyManage   Action = "survey.manage"      // create, edit, close surveys and triggers
	ActSurveySend     Action = "survey.send"        // invite customers
	ActResultsRead    Action = "survey.results"     // survey results (numbers)
	ActResponsesRead  Action = "survey.responses"   // single answers: comments, customer ids
	ActSurveyRespond  Action = "survey.respond"     // answer through a signed link, the public page or the widget
	ActConsentOptOut  Action = "consent.optout"     // the unsubscribe link
	ActCaseRead       Action = "case.read"          // cases, their trail and attachments
	ActCaseCreate     Action = "case.create"        // open a case
	ActCaseSubmit     Action = "case.submit"        // a complaint from the web form or by mail
	ActCaseUpdate     Action = "case.update"        // work a case: status, fields, assignee, notes, replies
	ActCaseSettingsRd Action = "settings.read"      // taxonomy, reply templates, routing rules, SLA policies
	ActCaseSettings   Action = "settings.manage"    // change them
	ActScorecardRead  Action = "scorecard.read"     // cockpit, drill-downs, case KPIs, exports of numbers
	ActKPIRead        Action = "kpi.read"           // KPI definitions and their history
	ActKPIManage      Action = "kpi.manage"         // change the churn rule
	ActActionRead     Action = "action.read"        // action items
	ActActionCreate   Action = "action.create"      // create an action item
	ActActionUpdate   Action = "action.update"      // change, comment on or close an action item
	ActAlertRead      Action = "alert.read"         // alert rules, the alert log, board-pack recipients
	ActAlertManage    Action = "alert.manage"       // change them
	ActSegmentRead    Action = "segment.read"       // segments and their members
	ActSegmentManage  Action = "segment.manage"     // save segments
	ActUserRead       Action = "user.read"          // list users (to assign work)
	ActUserManage     Action = "user.manage"        // create users, lift lock-outs
	ActOwnSettings    Action = "user.settings"      // one's own language
	ActSourceManage   Action = "source.manage"      // sources and write keys
	ActTokenManage    Action = "token.manage"       // API tokens
	ActAuditRead      Action = "audit.read"         // the audit log
	ActAuditRecord    Action = "audit.record"       // leave a line in it (exports, token use); never read it
	ActPrivacyManage  Action = "privacy.manage"     // retention periods, the suppression list
	ActSystemWork     Action = "system.work"        // background jobs and maintenance: the system only
	ActTextAnalyze    Action = "text.analyze"       // analyse a text sent with the request (nothing is stored)
	ActTextLabel      Action = "text.label"         // correct an analysis; train a sentiment model on the corrections
	ActRiskRead       Action = "risk.read"          // churn risk and its reasons, value tiers, lifetime value, revenue at risk
	ActPlaybookRead   Action = "playbook.read"      // retention playbooks, their entrants and measured results
	ActPlaybookManage Action = "playbook.manage"    // create, switch on and off retention playbooks
	ActPeopleRead     Action = "people.read"        // CX figures per agent and team, training needs, trainings and their effect
	ActTrainingManage Action = "training.manage"    // assign trainings and record their completion
	ActDigestManage   Action = "digest.manage"      // send a department's weekly digest to every member, not only its heads
	ActDigestUnsub    Action = "digest.unsubscribe" // the digest mail's unsubscribe link
	ActSegmentPush    Action = "segment.push"       // send a segment's opportunity list to a CRM's webhook
	ActCouncilRead    Action = "council.read"       // customer councils: members, composition, sessions, answers, ideas
	ActCouncilManage  Action = "council.manage"     // recruit members, hold sessions, decide ideas and turn them into action items
	ActCouncilRespond Action = "council.respond"    // a member's personal link: accept, answer, post ideas, vote
)

// Scope says how far a rule reaches.
type Scope string

const (
	ScopeAll        Scope = "all"
	ScopeDepartment Scope = "department" // objects of the caller's own department
	ScopeAssigned   Scope = "assigned"   // own department, and assigned to the caller or to nobody
	ScopeSelf       Scope = "self"       // objects that are the caller's own (their settings, items they own)
)

// Pseudo-roles of callers that are not users. They never log in.
const (
	// RoleSource is a write key: it may only send events.
	RoleSource Role = "source"
	// RolePublic is a customer reaching a signed link, the public survey page,
	// the complaint form or the complaint mailbox: what they carry authorises them.
	RolePublic Role = "public"
	// RoleSystem is touchpoint's own work: jobs, the CLI, the demo loader.
	// It may do everything; no request from outside ever carries it.
	RoleSystem Role = "system"
)

// PolicyRoles are the columns of the policy table, in order.
var PolicyRoles = []Role{RoleAdmin, RoleCCO, RoleDepartmentHead, RoleAgent, RoleAnalyst, RoleSource, RolePublic}

// Object is what an action is about: its department and the user it is
// assigned to or owned by (0: nobody).
type Object struct {
	Department string
	User       int64
}

// Rule grants a role an action within a scope.
type Rule struct {
	Role  Role
	Scope Scope
}

func all(roles ...Role) []Rule {
	out := make([]Rule, len(roles))
	for i, r := range roles {
		out[i] = Rule{r, ScopeAll}
	}
	return out
}

func with(rules []Rule, more ...Rule) []Rule { return append(rules, more...) }

var (
	staff      = []Role{RoleAdmin, RoleCCO, RoleDepartmentHead, RoleAgent, RoleAnalyst}
	headOwn    = Rule{RoleDepartmentHead, ScopeDepartment}
	agentOwn   = Rule{RoleAgent, ScopeDepartment}
	everyStaff = all(staff...)
)

// policy is the one table. Decisions DESIGN.md left open, taken here: the
// CCO works cases of every department (the CCO's office runs the triage
// queue and escalations); admin and CCO undo merges (merges themselves are
// made by identity resolution only); export and erasure are the admin's;
// an agent changes action items they own; department-scoped roles read
// survey results and answers of their own department only.
var policy = map[Action][]Rule{
	ActCustomerRead:    everyStaff,
	ActCustomerUnmerge: all(RoleAdmin, RoleCCO),
	ActConsentUpdate:   all(RoleAdmin, RoleCCO, RoleDepartmentHead, RoleAgent),
	ActCustomerExport:  all(RoleAdmin),
	ActCustomerErase:   all(RoleAdmin),
	ActEventIngest:     all(RoleSource),
	ActSurveyRead:      everyStaff,
	ActTextAnalyze:     everyStaff,
	ActTextLabel:       all(RoleAdmin, RoleCCO, RoleAnalyst),
	ActRiskRead:        everyStaff,
	ActPlaybookRead:    with(all(RoleAdmin, RoleCCO, RoleAnalyst), headOwn),
	ActPlaybookManage:  all(RoleAdmin, RoleCCO),
	ActPeopleRead:      with(all(RoleAdmin, RoleCCO, RoleAnalyst), headOwn, Rule{RoleAgent, ScopeSelf}),
	ActTrainingManage:  with(all(RoleAdmin, RoleCCO), headOwn),
	ActDigestManage:    with(all(RoleAdmin, RoleCCO), headOwn),
	ActDigestUnsub:     all(RolePublic),
	ActSegmentPush:     all(RoleAdmin, RoleCCO),
	ActCouncilRead:     with(all(RoleAdmin, RoleCCO, RoleAnalyst), Rule{RoleDepartmentHead, ScopeAll}),
	ActCouncilManage:   all(RoleAdmin, RoleCCO),
	ActCouncilRespond:  all(RolePublic),
	ActSurveyManage:    all(RoleAdmin, RoleCCO),
	ActSurveySend:      all(RoleAdmin, RoleCCO),
	ActResultsRead:     with(all(RoleAdmin, RoleCCO, RoleAnalyst), headOwn, agentOwn),
	ActResponsesRead:   with(all(RoleAdmin, RoleCCO, RoleAnalyst), headOwn, agentOwn),
	ActSurveyRespond:   all(RolePublic),
	ActConsentOptOut:   all(RolePublic),
	ActCaseRead:        with(all(RoleAdmin, RoleCCO, RoleAnalyst), headOwn, agentOwn),
	ActCaseCreate:      with(all(RoleAdmin, RoleCCO), headOwn, agentOwn),
	ActCaseSubmit:      all(RolePublic),
	ActCaseUpdate:      with(all(RoleAdmin, RoleCCO), headOwn, Rule{RoleAgent, ScopeAssigned}),
	ActCaseSettingsRd:  everyStaff,
	ActCaseSettings:    all(RoleAdmin, RoleCCO),
	ActScorecardRead:   with(all(RoleAdmin, RoleCCO, RoleAnalyst), headOwn, agentOwn),
	ActKPIRead:         everyStaff,
	ActKPIManage:       all(RoleAdmin, RoleCCO),
	ActActionRead:      with(all(RoleAdmin, RoleCCO, RoleAnalyst), headOwn, agentOwn),
	ActActionCreate:    with(all(RoleAdmin, RoleCCO), headOwn),
	ActActionUpdate:    with(all(RoleAdmin, RoleCCO), headOwn, Rule{RoleAgent, ScopeSelf}),
	ActAlertRead:       all(RoleAdmin, RoleCCO, RoleAnalyst),
	ActAlertManage:     all(RoleAdmin, RoleCCO),
	ActSegmentRead:     everyStaff,
	ActSegmentManage:   all(RoleAdmin, RoleCCO, RoleAnalyst),
	ActUserRead:        with(all(RoleAdmin, RoleCCO, RoleAnalyst), headOwn, agentOwn),
	ActUserManage:      all(RoleAdmin),
	ActOwnSettings:     []Rule{{RoleAdmin, ScopeSelf}, {RoleCCO, ScopeSelf}, {RoleDepartmentHead, ScopeSelf}, {RoleAgent, ScopeSelf}, {RoleAnalyst, ScopeSelf}},
	ActSourceManage:    all(RoleAdmin),
	ActTokenManage:     all(RoleAdmin),
	ActAuditRead:       all(RoleAdmin),
	ActAuditRecord:     everyStaff,
	ActPrivacyManage:   all(RoleAdmin),
	ActSystemWork:      nil,
}

// Actions lists every action of the policy, sorted.
func Actions() []Action {
	out := make([]Action, 0, len(policy))
	for a := range policy {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// RuleFor returns role's scope for act, and whether it has one.
func RuleFor(role Role, act Action) (Scope, bool) {
	for _, r := range policy[act] {
		if r.Role == role {
			return r.Scope, true
		}
	}
	return "", false
}

// Can reports whether a may do act on some object at all: for showing or
// hiding a control. The store still decides each object.
func Can(a Access, act Action) bool {
	if a.Role == RoleSystem {
		return true
	}
	_, ok := RuleFor(a.Role, act)
	return ok && (!a.Role.DepartmentScoped() || a.Department != "")
}

// Authorize says whether a may do act on obj. It refuses a caller without
// access (the zero Access) and an action the table does not name.
func Authorize(a Access, act Action, obj Object) error {
	if _, known := policy[act]; !known {
		return Errorf(EFORBIDDEN, "unknown action %s", act)
	}
	if a.Role == RoleSystem {
		return nil
	}
	if a.Role == "" {
		return Errorf(EFORBIDDEN, "the request carries no access; it is refused")
	}
	scope, ok := RuleFor(a.Role, act)
	if !ok {
		return Errorf(EFORBIDDEN, "the %s role may not do %s", a.Role, act)
	}
	own := a.Department != "" && obj.Department == a.Department
	switch scope {
	case ScopeAll:
		return nil
	case ScopeDepartment:
		if own {
			return nil
		}
		return Errorf(EFORBIDDEN, "the %s role may do %s in the %s department only", a.Role, act, a.Department)
	case ScopeAssigned:
		if own && (obj.User == 0 || obj.User == a.UserID) {
			return nil
		}
		return Errorf(EFORBIDDEN, "the %s role may do %s only on %s work assigned to them or to nobody", a.Role, act, a.Department)
	case ScopeSelf:
		if a.UserID != 0 && obj.User == a.UserID {
			return nil
		}
		return Errorf(EFORBIDDEN, "the %s role may do %s only on their own", a.Role, act)
	}
	return Errorf(EFORBIDDEN, "the %s role may not do %s", a.Role, act)
}

// ListScope says which department a list for act is narrowed to: "" for
// every department, or the caller's own. It refuses as Authorize does.
func ListScope(a Access, act Action) (department string, err error) {
	if _, known := policy[act]; !known {
		return "", Errorf(EFORBIDDEN, "unknown action %s", act)
	}
	if a.Role == RoleSystem {
		return "", nil
	}
	if a.Role == "" {
		return "", Errorf(EFORBIDDEN, "the request carries no access; it is refused")
	}
	scope, ok := RuleFor(a.Role, act)
	switch {
	case !ok:
		return "", Errorf(EFORBIDDEN, "the %s role may not do %s", a.Role, act)
	case scope == ScopeAll:
		return "", nil
	case a.Department == "":
		return "", Errorf(EFORBIDDEN, "the %s role needs a department for %s", a.Role, act)
	}
	return a.Department, nil
}

// PolicyMarkdown renders the table for the README: one row per action,
// one column per role.
func PolicyMarkdown() string {
	var b strings.Builder
	b.WriteString("| action |")
	for _, r := range PolicyRoles {
		fmt.Fprintf(&b, " %s |", r)
	}
	b.WriteString("\n|---|")
	for range PolicyRoles {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, act := range Actions() {
		if act == ActSystemWork {
			continue
		}
		fmt.Fprintf(&b, "| `%s` |", act)
		for _, r := range PolicyRoles {
			s, ok := RuleFor(r, act)
			cell := ""
			if ok {
				cell = string(s)
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}
