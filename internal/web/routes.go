package web

import (
	"io/fs"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Route is one entry of the route table: its pattern, the policy action it
// performs, and how its caller is known. The authorization matrix test and
// /admin/roles read this table.
type Route struct {
	Pattern string
	Action  tp.Action // "" for doors every caller may knock on: ops, login, documentation
	Door    Door
	handler http.Handler
}

// Door says how a route knows its caller.
type Door string

const (
	DoorOpen     Door = "open"      // no caller: health, metrics, documentation, login
	DoorWriteKey Door = "write key" // the tracking API
	DoorAPI      Door = "api"       // an API token, or a session from this site
	DoorUI       Door = "ui"        // a session; forms from this site only
	DoorPublic   Door = "public"    // customers: what they carry (a signed link) authorises them
)

// Routes is the route table: every route on one screen. Three trees: the
// tracking API for write keys, the JSON API for tokens and sessions, and the
// UI for sessions; plus the doors customers use.
func (s *Server) Routes() []Route {
	open := func(p string, h http.Handler) Route { return Route{p, "", DoorOpen, h} }
	api := func(p string, act tp.Action, h apiHandler) Route { return Route{p, act, DoorAPI, s.api(act, h)} }
	ui := func(p string, act tp.Action, h uiHandler) Route { return Route{p, act, DoorUI, s.ui(act, h, true)} }
	pub := func(p string, act tp.Action, h http.HandlerFunc) Route { return Route{p, act, DoorPublic, s.public(h)} }
	static, _ := fs.Sub(assets, "static")
	rs := []Route{
		// Ops.
		open("GET /healthz", http.HandlerFunc(s.healthz)),
		open("GET /metrics", promhttp.HandlerFor(s.metricsRegistry(), promhttp.HandlerOpts{})),

		// Segment-compatible tracking API (write key; cross-origin by design),
		// with analytics-next's short paths, RudderStack's beacon, and the
		// settings both browser SDKs load.
		{"POST /v1/batch", tp.ActEventIngest, DoorWriteKey, s.track(s.trackBatch)},
		{"POST /v1/b", tp.ActEventIngest, DoorWriteKey, s.track(s.trackBatch)},
		{"POST /v1/import", tp.ActEventIngest, DoorWriteKey, s.track(s.trackBatch)},
		{"POST /beacon/v1/batch", tp.ActEventIngest, DoorWriteKey, s.track(s.trackBatch)},
		{"GET /v1/projects/{writeKey}/settings", "", DoorWriteKey, http.HandlerFunc(s.segmentSettings)},
		{"GET /sourceConfig/", "", DoorWriteKey, http.HandlerFunc(s.rudderSourceConfig)},
		open("POST /v1/m", http.HandlerFunc(s.clientMetrics)),
		open("OPTIONS /v1/", http.HandlerFunc(s.trackPreflight)),
		open("OPTIONS /beacon/", http.HandlerFunc(s.trackPreflight)),
		open("OPTIONS /sourceConfig/", http.HandlerFunc(s.trackPreflight)),

		// JSON API (bearer token, or a session cookie from this site).
		open("GET /api/v1/openapi.json", http.HandlerFunc(s.openapi)),
		api("GET /api/v1/customers", tp.ActCustomerRead, s.apiSearchCustomers),
		api("GET /api/v1/customers/by-identity", tp.ActCustomerRead, s.apiCustomerByIdentity),
		api("GET /api/v1/customers/{id}", tp.ActCustomerRead, s.apiCustomer),
		api("GET /api/v1/customers/{id}/timeline", tp.ActCustomerRead, s.apiTimeline),
		api("GET /api/v1/customers/{id}/trait-history", tp.ActCustomerRead, s.apiTraitHistory),
		api("POST /api/v1/customers/{id}/unmerge", tp.ActCustomerUnmerge, s.apiUnmerge),
		api("GET /api/v1/customers/{id}/export", tp.ActCustomerExport, s.apiExportCustomer),
		api("POST /api/v1/customers/{id}/erase", tp.ActCustomerErase, s.apiEraseCustomer),
		api("GET /api/v1/customers/{id}/consents", tp.ActCustomerRead, s.apiConsents),
		api("GET /api/v1/customers/{id}/score", tp.ActRiskRead, s.apiCustomerScore),
		api("PUT /api/v1/customers/{id}/consents", tp.ActConsentUpdate, s.apiSetConsent),
		api("GET /api/v1/privacy/retention", tp.ActPrivacyManage, s.apiRetention),
		api("PUT /api/v1/privacy/retention", tp.ActPrivacyManage, s.apiSetRetention),
		api("POST /api/v1/privacy/retention/run", tp.ActPrivacyManage, s.apiRunRetention),
		api("POST /api/v1/privacy/scrub", tp.ActPrivacyManage, s.apiScrub),
		api("GET /api/v1/surveys", tp.ActSurveyRead, s.apiListSurveys),
		api("POST /api/v1/surveys", tp.ActSurveyManage, s.apiCreateSurvey),
		api("GET /api/v1/surveys/{id}", tp.ActSurveyRead, s.apiSurvey),
		api("PUT /api/v1/surveys/{id}", tp.ActSurveyManage, s.apiUpdateSurvey),
		api("DELETE /api/v1/surveys/{id}", tp.ActSurveyManage, s.apiDeleteSurvey),
		api("POST /api/v1/surveys/{id}/invitations", tp.ActSurveySend, s.apiInvite),
		api("POST /api/v1/surveys/{id}/send", tp.ActSurveySend, s.apiSend),
		api("GET /api/v1/surveys/{id}/triggers", tp.ActSurveyRead, s.apiListTriggers),
		api("POST /api/v1/surveys/{id}/triggers", tp.ActSurveyManage, s.apiCreateTrigger),
		api("DELETE /api/v1/triggers/{id}", tp.ActSurveyManage, s.apiDeleteTrigger),
		api("GET /api/v1/surveys/{id}/results", tp.ActResultsRead, s.apiResults),
		api("GET /api/v1/surveys/{id}/responses", tp.ActResponsesRead, s.apiResponses),
		api("GET /api/v1/cases", tp.ActCaseRead, s.apiListCases),
		api("GET /api/v1/metrics/cases", tp.ActScorecardRead, s.apiCaseKPIs),
		api("POST /api/v1/cases", tp.ActCaseCreate, s.apiCreateCase),
		api("GET /api/v1/cases/{id}", tp.ActCaseRead, s.apiCase),
		api("POST /api/v1/cases/{id}/merge", tp.ActCaseUpdate, s.apiMergeCases),
		api("PATCH /api/v1/cases/{id}", tp.ActCaseUpdate, s.apiUpdateCase),
		api("POST /api/v1/cases/{id}/status", tp.ActCaseUpdate, s.apiMoveCase),
		api("POST /api/v1/cases/{id}/notes", tp.ActCaseUpdate, s.apiCaseNote),
		api("GET /api/v1/case-taxonomy", tp.ActCaseSettingsRd, s.apiTaxonomy),
		api("PUT /api/v1/case-taxonomy", tp.ActCaseSettings, s.apiSetTaxonomy),
		api("POST /api/v1/text/analyze", tp.ActTextAnalyze, s.apiAnalyze),
		api("GET /api/v1/themes", tp.ActResultsRead, s.apiThemes),
		api("GET /api/v1/themes/{theme}/texts", tp.ActResponsesRead, s.apiThemeTexts),
		api("POST /api/v1/themes/reanalyze", tp.ActCaseSettings, s.apiReanalyze),
		api("GET /api/v1/drivers", tp.ActResultsRead, s.apiDrivers),
		api("GET /api/v1/themes/emerging", tp.ActResultsRead, s.apiEmerging),
		api("GET /api/v1/themes/taxonomy", tp.ActResultsRead, s.apiTaxonomyThemes),
		api("PUT /api/v1/themes/taxonomy", tp.ActCaseSettings, s.apiSetTaxonomyThemes),
		api("POST /api/v1/text/labels", tp.ActTextLabel, s.apiLabel),
		api("GET /api/v1/text/models", tp.ActResultsRead, s.apiTextModels),
		api("POST /api/v1/text/models", tp.ActTextLabel, s.apiTrainTextModel),
		api("POST /api/v1/text/models/{id}/activate", tp.ActCaseSettings, s.apiActivateTextModel),
		api("GET /api/v1/kpis", tp.ActKPIRead, s.apiKPIs),
		api("GET /api/v1/scorecard", tp.ActScorecardRead, s.apiScorecard),
		api("GET /api/v1/divisions", tp.ActKPIRead, s.apiDivisions),
		api("PUT /api/v1/divisions", tp.ActKPIManage, s.apiSetDivisions),
		api("GET /api/v1/kpis/churn_rate/definition", tp.ActKPIRead, s.apiChurnDefinition),
		api("PUT /api/v1/kpis/churn_rate/definition", tp.ActKPIManage, s.apiSetChurnDefinition),
		api("GET /api/v1/alerts", tp.ActAlertRead, s.apiListAlerts),
		api("POST /api/v1/alerts", tp.ActAlertManage, s.apiCreateAlert),
		api("DELETE /api/v1/alerts/{id}", tp.ActAlertManage, s.apiDeleteAlert),
		api("GET /api/v1/alert-events", tp.ActAlertRead, s.apiAlertEvents),
		api("GET /api/v1/board-pack", tp.ActAlertRead, s.apiBoardPack),
		api("PUT /api/v1/board-pack", tp.ActAlertManage, s.apiSetBoardPack),
		api("GET /api/v1/actions", tp.ActActionRead, s.apiListActions),
		api("POST /api/v1/actions", tp.ActActionCreate, s.apiCreateAction),
		api("GET /api/v1/actions/{id}", tp.ActActionRead, s.apiAction),
		api("PATCH /api/v1/actions/{id}", tp.ActActionUpdate, s.apiUpdateAction),
		api("GET /api/v1/reply-templates", tp.ActCaseSettingsRd, s.apiReplyTemplates),
		api("PUT /api/v1/reply-templates", tp.ActCaseSettings, s.apiSaveReplyTemplate),
		api("DELETE /api/v1/reply-templates/{id}", tp.ActCaseSettings, s.apiDeleteReplyTemplate),
		api("GET /api/v1/sla-policies", tp.ActCaseSettingsRd, s.apiListSLAPolicies),
		api("POST /api/v1/sla-policies", tp.ActCaseSettings, s.apiCreateSLAPolicy),
		api("GET /api/v1/routing-rules", tp.ActCaseSettingsRd, s.apiListRules),
		api("POST /api/v1/routing-rules", tp.ActCaseSettings, s.apiCreateRule),
		api("DELETE /api/v1/routing-rules/{id}", tp.ActCaseSettings, s.apiDeleteRule),
		api("GET /api/v1/segments", tp.ActSegmentRead, s.apiListSegments),
		api("POST /api/v1/segments", tp.ActSegmentManage, s.apiCreateSegment),
		api("POST /api/v1/segments/preview", tp.ActSegmentRead, s.apiPreviewSegment),
		api("GET /api/v1/segments/{id}", tp.ActSegmentRead, s.apiSegment),
		api("GET /api/v1/segments/{id}/value", tp.ActRiskRead, s.apiSegmentValue),
		api("GET /api/v1/segments/{id}/history", tp.ActSegmentRead, s.apiSegmentHistory),
		api("GET /api/v1/segments/{id}/export", tp.ActRiskRead, s.apiExportSegment),
		api("PUT /api/v1/segments/{id}/webhook", tp.ActSegmentPush, s.apiSetSegmentWebhook),
		api("DELETE /api/v1/segments/{id}/webhook", tp.ActSegmentPush, s.apiDeleteSegmentWebhook),
		api("POST /api/v1/segments/{id}/push", tp.ActSegmentPush, s.apiPushSegment),
		api("GET /api/v1/risk", tp.ActRiskRead, s.apiRisk),
		api("GET /api/v1/risk/models", tp.ActRiskRead, s.apiRiskModels),
		api("GET /api/v1/playbooks", tp.ActPlaybookRead, s.apiListPlaybooks),
		api("POST /api/v1/playbooks", tp.ActPlaybookManage, s.apiCreatePlaybook),
		api("PATCH /api/v1/playbooks/{id}", tp.ActPlaybookManage, s.apiPatchPlaybook),
		api("GET /api/v1/playbooks/{id}/entries", tp.ActPlaybookRead, s.apiPlaybookEntries),
		api("GET /api/v1/people", tp.ActPeopleRead, s.apiPeople),
		api("GET /api/v1/people/needs", tp.ActPeopleRead, s.apiTrainingNeeds),
		api("GET /api/v1/trainings", tp.ActPeopleRead, s.apiListTrainings),
		api("POST /api/v1/trainings", tp.ActTrainingManage, s.apiCreateTraining),
		api("POST /api/v1/trainings/{id}/complete", tp.ActTrainingManage, s.apiCompleteTraining),
		api("GET /api/v1/digest", tp.ActScorecardRead, s.apiDigest),
		api("PUT /api/v1/digest/members", tp.ActDigestManage, s.apiDigestMembers),
		api("GET /api/v1/councils", tp.ActCouncilRead, s.apiListCouncils),
		api("POST /api/v1/councils", tp.ActCouncilManage, s.apiCreateCouncil),
		api("GET /api/v1/councils/voice", tp.ActCouncilRead, s.apiCouncilVoice),
		api("GET /api/v1/councils/{id}", tp.ActCouncilRead, s.apiCouncil),
		api("POST /api/v1/councils/{id}/recruit", tp.ActCouncilManage, s.apiRecruit),
		api("POST /api/v1/councils/{id}/sessions", tp.ActCouncilManage, s.apiCreateSession),
		api("PUT /api/v1/council-sessions/{id}/minutes", tp.ActCouncilManage, s.apiMinutes),
		api("POST /api/v1/council-ideas/{id}/decision", tp.ActCouncilManage, s.apiDecideIdea),
		api("POST /api/v1/council-ideas/{id}/action", tp.ActCouncilManage, s.apiIdeaAction),
		api("GET /api/v1/users", tp.ActUserManage, s.apiListUsers),
		api("POST /api/v1/users", tp.ActUserManage, s.apiCreateUser),
		api("POST /api/v1/users/{id}/unlock", tp.ActUserManage, s.apiUnlockUser),
		api("PATCH /api/v1/users/{id}", tp.ActUserManage, s.apiUpdateUser),
		api("GET /api/v1/audit", tp.ActAuditRead, s.apiAudit),
		api("GET /api/v1/sources", tp.ActCaseSettingsRd, s.apiListSources),
		api("POST /api/v1/sources", tp.ActSourceManage, s.apiCreateSource),
		api("GET /api/v1/sources/{id}/quarantine", tp.ActSourceManage, s.apiQuarantine),
		{"/api/", "", DoorOpen, s.api("", s.apiNotFound)},

		// Customers (the signed link, the public page or the form is the authorisation; rate-limited).
		pub("POST /v1/responses/{token}", tp.ActSurveyRespond, s.apiRespond),
		pub("GET /s/{token}", tp.ActSurveyRespond, s.respondPage),
		pub("POST /s/{token}", tp.ActSurveyRespond, s.respondSubmit),
		pub("GET /p/{id}", tp.ActSurveyRespond, s.publicPage),
		pub("POST /p/{id}", tp.ActSurveyRespond, s.publicSubmit),
		pub("GET /v1/surveys/{id}/widget", tp.ActSurveyRespond, s.widgetConfig),
		pub("POST /v1/surveys/{id}/responses", tp.ActSurveyRespond, s.widgetRespond),
		pub("GET /complaint", tp.ActCaseSubmit, s.complaintForm),
		pub("POST /complaint", tp.ActCaseSubmit, s.complaintSubmit),
		pub("GET /u/{token}", tp.ActConsentOptOut, s.unsubscribePage),
		pub("GET /c/{token}", tp.ActCouncilRespond, s.councilMemberPage),
		pub("GET /v1/council/{token}", tp.ActCouncilRespond, s.apiMemberPage),
		pub("POST /c/{token}/join", tp.ActCouncilRespond, s.memberAct(s.memberJoin, "join")),
		pub("POST /c/{token}/answer", tp.ActCouncilRespond, s.memberAct(s.memberAnswer, "answer")),
		pub("POST /c/{token}/idea", tp.ActCouncilRespond, s.memberAct(s.memberIdea, "idea")),
		pub("POST /c/{token}/vote", tp.ActCouncilRespond, s.memberAct(s.memberVote, "vote")),
		pub("GET /digest/unsubscribe/{token}", tp.ActDigestUnsub, s.digestUnsubscribePage),
		pub("POST /digest/unsubscribe/{token}", tp.ActDigestUnsub, s.digestUnsubscribe),
		pub("POST /u/{token}", tp.ActConsentOptOut, s.unsubscribe),

		// UI (session cookie; forms work without JavaScript).
		open("GET /static/", http.StripPrefix("/static/", cacheForever(noListing(http.FileServerFS(static))))),
		{"GET /login", "", DoorOpen, s.ui("", s.loginPage, false)},
		{"POST /login", "", DoorOpen, s.ui("", s.login, false)},
		ui("POST /logout", "", s.logout),
		ui("POST /settings/language", tp.ActOwnSettings, s.setLanguage),
		ui("POST /cases/views", tp.ActOwnSettings, s.saveView),
		ui("POST /cases/views/{id}/delete", tp.ActOwnSettings, s.deleteView),
		ui("GET /{$}", "", s.home),
		ui("GET /customers", tp.ActCustomerRead, s.customersPage),
		ui("GET /customers/{id}", tp.ActCustomerRead, s.customerPage),
		ui("GET /customers/{id}/timeline", tp.ActCustomerRead, s.timelineFragment),
		ui("POST /customers/{id}/unmerge", tp.ActCustomerUnmerge, s.unmerge),
		ui("POST /customers/{id}/consents", tp.ActConsentUpdate, s.consentForm),
		ui("GET /customers/{id}/export", tp.ActCustomerExport, s.exportCustomerFile),
		ui("GET /customers/{id}/erase", tp.ActCustomerErase, s.eraseConfirmPage),
		ui("POST /customers/{id}/erase", tp.ActCustomerErase, s.eraseCustomerForm),
		ui("GET /surveys", tp.ActSurveyRead, s.surveysPage),
		ui("GET /surveys/new", tp.ActSurveyManage, s.surveyForm),
		ui("POST /surveys", tp.ActSurveyManage, s.saveSurvey),
		ui("GET /surveys/{id}", tp.ActResultsRead, s.surveyResultsPage),
		ui("GET /surveys/{id}/edit", tp.ActSurveyManage, s.surveyForm),
		ui("POST /surveys/{id}", tp.ActSurveyManage, s.saveSurvey),
		ui("GET /surveys/{id}/preview", tp.ActSurveyRead, s.surveyPreview),
		ui("GET /surveys/{id}/comments", tp.ActResponsesRead, s.commentsPage),
		ui("POST /surveys/{id}/send", tp.ActSurveySend, s.sendToList),
		ui("POST /surveys/{id}/triggers", tp.ActSurveyManage, s.addTrigger),
		ui("POST /surveys/{id}/triggers/{tid}/delete", tp.ActSurveyManage, s.removeTrigger),
		ui("GET /cases", tp.ActCaseRead, s.casesPage),
		ui("GET /kpis", tp.ActKPIRead, s.kpisPage),
		ui("GET /themes", tp.ActResultsRead, s.themesPage),
		ui("GET /themes/{theme}", tp.ActResultsRead, s.themePage),
		ui("POST /themes/reanalyze", tp.ActCaseSettings, s.reanalyzeForm),
		ui("GET /themes/model", tp.ActResultsRead, s.textModelPage),
		ui("POST /themes/model/themes", tp.ActCaseSettings, s.textModelForm),
		ui("POST /themes/model/reset", tp.ActCaseSettings, s.textModelForm),
		ui("POST /themes/model/discover", tp.ActCaseSettings, s.textModelForm),
		ui("POST /themes/model/activate", tp.ActCaseSettings, s.textModelForm),
		ui("POST /themes/model/train", tp.ActTextLabel, s.textModelForm),
		ui("POST /themes/labels", tp.ActTextLabel, s.labelForm),
		ui("GET /overview", tp.ActScorecardRead, s.overviewPage),
		ui("GET /cockpit", tp.ActScorecardRead, s.cockpitPage),
		ui("GET /cockpit/detail", tp.ActScorecardRead, s.cockpitDetail),
		ui("GET /cockpit/export", tp.ActScorecardRead, s.cockpitExport),
		ui("POST /cockpit/actions", tp.ActActionCreate, s.createActionForm),
		ui("POST /actions/{id}/status", tp.ActActionUpdate, s.actionStatusForm),
		ui("POST /kpis/churn_rate", tp.ActKPIManage, s.churnDefinitionForm),
		ui("GET /alerts", tp.ActAlertRead, s.alertsPage),
		ui("POST /alerts", tp.ActAlertManage, s.createAlertForm),
		ui("POST /alerts/{id}/delete", tp.ActAlertManage, s.deleteAlertForm),
		ui("POST /alerts/board-pack", tp.ActAlertManage, s.boardPackForm),
		ui("GET /board-pack/{month}", tp.ActAlertRead, s.boardPackFile),
		ui("POST /cases/assign", tp.ActCaseUpdate, s.bulkAssign),
		ui("POST /cases/new", tp.ActCaseCreate, s.newCase),
		ui("GET /cases/{id}", tp.ActCaseRead, s.casePage),
		ui("POST /cases/{id}/act", tp.ActCaseUpdate, s.caseAction),
		ui("GET /cases/{id}/attachments/{aid}", tp.ActCaseRead, s.attachmentFile),
		ui("POST /cases/{id}/attachments", tp.ActCaseUpdate, s.addAttachment),
		ui("GET /segments", tp.ActSegmentRead, s.segmentsPage),
		ui("POST /segments", tp.ActSegmentManage, s.createSegment),
		ui("GET /segments/{id}", tp.ActSegmentRead, s.segmentPage),
		ui("GET /segments/{id}/export", tp.ActRiskRead, s.segmentExportFile),
		ui("POST /segments/{id}/webhook", tp.ActSegmentPush, s.segmentWebhookForm),
		ui("POST /segments/{id}/push", tp.ActSegmentPush, s.segmentPushForm),
		ui("GET /risk", tp.ActRiskRead, s.riskPage),
		ui("GET /playbooks", tp.ActPlaybookRead, s.playbooksPage),
		ui("POST /playbooks", tp.ActPlaybookManage, s.createPlaybookForm),
		ui("POST /playbooks/{id}/enabled", tp.ActPlaybookManage, s.playbookEnabledForm),
		ui("GET /people", tp.ActPeopleRead, s.peoplePage),
		ui("POST /people/trainings", tp.ActTrainingManage, s.createTrainingForm),
		ui("POST /people/trainings/{id}/complete", tp.ActTrainingManage, s.completeTrainingForm),
		ui("GET /digest", tp.ActScorecardRead, s.digestPage),
		ui("POST /digest/subscription", tp.ActOwnSettings, s.digestSubscriptionForm),
		ui("POST /digest/members", tp.ActDigestManage, s.digestMembersForm),
		ui("GET /councils", tp.ActCouncilRead, s.councilsPage),
		ui("POST /councils", tp.ActCouncilManage, s.createCouncilForm),
		ui("GET /councils/{id}", tp.ActCouncilRead, s.councilPage),
		ui("POST /councils/{id}/recruit", tp.ActCouncilManage, s.recruitForm),
		ui("POST /councils/{id}/sessions", tp.ActCouncilManage, s.createSessionForm),
		ui("POST /councils/sessions/{id}/minutes", tp.ActCouncilManage, s.minutesForm),
		ui("POST /councils/ideas/{id}/decide", tp.ActCouncilManage, s.decideIdeaForm),
		ui("POST /councils/ideas/{id}/action", tp.ActCouncilManage, s.ideaActionForm),
		ui("GET /councils/members/{id}/link", tp.ActCouncilManage, s.memberLinkPage),
		ui("GET /admin", tp.ActSourceManage, s.adminPage),
		ui("GET /admin/roles", "", s.rolesPage),
		ui("GET /admin/users", tp.ActUserManage, s.usersPage),
		ui("GET /admin/cases", tp.ActCaseSettingsRd, s.caseSettingsPage),
		ui("POST /admin/cases/{what}", tp.ActCaseSettings, s.caseSettingsForm),
		ui("POST /admin/users", tp.ActUserManage, s.createUserForm),
		ui("POST /admin/users/{id}/unlock", tp.ActUserManage, s.unlockUserForm),
		ui("POST /admin/users/{id}", tp.ActUserManage, s.updateUserForm),
		ui("GET /admin/audit", tp.ActAuditRead, s.auditPage),
		ui("GET /admin/privacy", tp.ActPrivacyManage, s.privacyPage),
		ui("POST /admin/privacy/retention", tp.ActPrivacyManage, s.retentionForm),
		ui("POST /admin/privacy/retention/run", tp.ActPrivacyManage, s.runRetentionForm),
		ui("POST /admin/privacy/scrub", tp.ActPrivacyManage, s.scrubForm),
		ui("POST /admin/sources", tp.ActSourceManage, s.createSource),
		ui("GET /admin/sources/{id}", tp.ActSourceManage, s.sourceDebugger),
		ui("POST /admin/tokens", tp.ActTokenManage, s.createToken),
		ui("POST /admin/tokens/{id}/revoke", tp.ActTokenManage, s.revokeToken),
		ui("POST /admin/reply-templates", tp.ActCaseSettings, s.saveReplyTemplate),
		ui("POST /admin/reply-templates/{id}/delete", tp.ActCaseSettings, s.deleteReplyTemplate),
		{"/", "", DoorOpen, s.ui("", s.notFoundPage, false)},
	}
	for _, typ := range []tp.EventType{tp.EventIdentify, tp.EventTrack, tp.EventPage, tp.EventScreen, tp.EventGroup, tp.EventAlias} {
		short := map[tp.EventType]string{tp.EventIdentify: "i", tp.EventTrack: "t", tp.EventPage: "p", tp.EventScreen: "s", tp.EventGroup: "g", tp.EventAlias: "a"}[typ]
		rs = append(rs, Route{"POST /v1/" + string(typ), tp.ActEventIngest, DoorWriteKey, s.track(s.trackCall(typ))},
			Route{"POST /v1/" + short, tp.ActEventIngest, DoorWriteKey, s.track(s.trackCall(typ))})
	}
	return rs
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.Routes() {
		mux.Handle(r.Pattern, r.handler)
	}
	return s.observe(mux)
}
