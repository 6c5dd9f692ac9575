package web

import (
	"io/fs"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes shows every route on one screen. Three trees: the tracking API for
// write keys, the JSON API for tokens and sessions, and the UI for sessions.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Ops.
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metricsRegistry(), promhttp.HandlerOpts{}))

	// Segment-compatible tracking API (write key; cross-origin by design).
	for _, typ := range []string{"identify", "track", "page", "screen", "group", "alias"} {
		mux.Handle("POST /v1/"+typ, s.track(s.trackCall(typ)))
	}
	mux.Handle("POST /v1/batch", s.track(s.trackBatch))
	mux.Handle("POST /v1/import", s.track(s.trackBatch))
	mux.HandleFunc("OPTIONS /v1/", s.trackPreflight)

	// JSON API (bearer token or session).
	mux.Handle("GET /api/v1/openapi.json", http.HandlerFunc(s.openapi))
	mux.Handle("GET /api/v1/customers", s.api(s.apiSearchCustomers))
	mux.Handle("GET /api/v1/customers/by-identity", s.api(s.apiCustomerByIdentity))
	mux.Handle("GET /api/v1/customers/{id}", s.api(s.apiCustomer))
	mux.Handle("GET /api/v1/customers/{id}/timeline", s.api(s.apiTimeline))
	mux.Handle("GET /api/v1/customers/{id}/trait-history", s.api(s.apiTraitHistory))
	mux.Handle("POST /api/v1/customers/{id}/unmerge", s.api(s.apiUnmerge))
	mux.Handle("GET /api/v1/surveys", s.api(s.apiListSurveys))
	mux.Handle("POST /api/v1/surveys", s.api(s.apiCreateSurvey))
	mux.Handle("GET /api/v1/surveys/{id}", s.api(s.apiSurvey))
	mux.Handle("PUT /api/v1/surveys/{id}", s.api(s.apiUpdateSurvey))
	mux.Handle("DELETE /api/v1/surveys/{id}", s.api(s.apiDeleteSurvey))
	mux.Handle("POST /api/v1/surveys/{id}/invitations", s.api(s.apiInvite))
	mux.Handle("POST /api/v1/surveys/{id}/send", s.api(s.apiSend))
	mux.Handle("GET /api/v1/surveys/{id}/triggers", s.api(s.apiListTriggers))
	mux.Handle("POST /api/v1/surveys/{id}/triggers", s.api(s.apiCreateTrigger))
	mux.Handle("DELETE /api/v1/triggers/{id}", s.api(s.apiDeleteTrigger))
	mux.Handle("GET /api/v1/surveys/{id}/results", s.api(s.apiResults))
	mux.Handle("GET /api/v1/surveys/{id}/responses", s.api(s.apiResponses))
	mux.Handle("GET /api/v1/cases", s.api(s.apiListCases))
	mux.Handle("GET /api/v1/metrics/cases", s.api(s.apiCaseKPIs))
	mux.Handle("POST /api/v1/cases", s.api(s.apiCreateCase))
	mux.Handle("GET /api/v1/cases/{id}", s.api(s.apiCase))
	mux.Handle("PATCH /api/v1/cases/{id}", s.api(s.apiUpdateCase))
	mux.Handle("POST /api/v1/cases/{id}/status", s.api(s.apiMoveCase))
	mux.Handle("POST /api/v1/cases/{id}/notes", s.api(s.apiCaseNote))
	mux.Handle("GET /api/v1/case-taxonomy", s.api(s.apiTaxonomy))
	mux.Handle("PUT /api/v1/case-taxonomy", s.api(s.apiSetTaxonomy))
	mux.Handle("GET /api/v1/kpis", s.api(s.apiKPIs))
	mux.Handle("GET /api/v1/actions", s.api(s.apiListActions))
	mux.Handle("POST /api/v1/actions", s.api(s.apiCreateAction))
	mux.Handle("GET /api/v1/actions/{id}", s.api(s.apiAction))
	mux.Handle("PATCH /api/v1/actions/{id}", s.api(s.apiUpdateAction))
	mux.Handle("GET /api/v1/reply-templates", s.api(s.apiReplyTemplates))
	mux.Handle("PUT /api/v1/reply-templates", s.api(s.apiSaveReplyTemplate))
	mux.Handle("DELETE /api/v1/reply-templates/{id}", s.api(s.apiDeleteReplyTemplate))
	mux.Handle("GET /api/v1/sla-policies", s.api(s.apiListSLAPolicies))
	mux.Handle("POST /api/v1/sla-policies", s.api(s.apiCreateSLAPolicy))
	mux.Handle("GET /api/v1/routing-rules", s.api(s.apiListRules))
	mux.Handle("POST /api/v1/routing-rules", s.api(s.apiCreateRule))
	mux.Handle("DELETE /api/v1/routing-rules/{id}", s.api(s.apiDeleteRule))
	mux.Handle("GET /api/v1/segments", s.api(s.apiListSegments))
	mux.Handle("POST /api/v1/segments", s.api(s.apiCreateSegment))
	mux.Handle("GET /api/v1/segments/{id}", s.api(s.apiSegment))
	mux.Handle("GET /api/v1/sources", s.api(s.apiListSources))
	mux.Handle("POST /api/v1/sources", s.api(s.apiCreateSource))
	mux.Handle("/api/", s.api(s.apiNotFound))

	// Respondents (public: the signed link is the authorisation; rate-limited).
	mux.HandleFunc("POST /v1/responses/{token}", s.apiRespond)
	mux.HandleFunc("GET /s/{token}", s.respondPage)
	mux.HandleFunc("POST /s/{token}", s.respondSubmit)
	mux.HandleFunc("GET /p/{id}", s.publicPage)
	mux.HandleFunc("POST /p/{id}", s.publicSubmit)
	mux.HandleFunc("GET /v1/surveys/{id}/widget", s.widgetConfig)
	mux.HandleFunc("POST /v1/surveys/{id}/responses", s.widgetRespond)
	mux.HandleFunc("GET /complaint", s.complaintForm)
	mux.HandleFunc("POST /complaint", s.complaintSubmit)
	mux.HandleFunc("GET /u/{token}", s.unsubscribePage)
	mux.HandleFunc("POST /u/{token}", s.unsubscribe)

	// UI (session cookie; forms work without JavaScript).
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	mux.Handle("GET /login", s.ui(s.loginPage, false))
	mux.Handle("POST /login", s.ui(s.login, false))
	mux.Handle("POST /logout", s.ui(s.logout, true))
	mux.Handle("POST /settings/language", s.ui(s.setLanguage, true))
	mux.Handle("GET /{$}", s.ui(s.home, true))
	mux.Handle("GET /customers", s.ui(s.customersPage, true))
	mux.Handle("GET /customers/{id}", s.ui(s.customerPage, true))
	mux.Handle("GET /customers/{id}/timeline", s.ui(s.timelineFragment, true))
	mux.Handle("POST /customers/{id}/unmerge", s.ui(s.unmerge, true))
	mux.Handle("GET /surveys", s.ui(s.surveysPage, true))
	mux.Handle("GET /surveys/new", s.ui(s.surveyForm, true))
	mux.Handle("POST /surveys", s.ui(s.saveSurvey, true))
	mux.Handle("GET /surveys/{id}", s.ui(s.surveyResultsPage, true))
	mux.Handle("GET /surveys/{id}/edit", s.ui(s.surveyForm, true))
	mux.Handle("POST /surveys/{id}", s.ui(s.saveSurvey, true))
	mux.Handle("GET /surveys/{id}/preview", s.ui(s.surveyPreview, true))
	mux.Handle("GET /surveys/{id}/comments", s.ui(s.commentsPage, true))
	mux.Handle("POST /surveys/{id}/send", s.ui(s.sendToList, true))
	mux.Handle("POST /surveys/{id}/triggers", s.ui(s.addTrigger, true))
	mux.Handle("POST /surveys/{id}/triggers/{tid}/delete", s.ui(s.removeTrigger, true))
	mux.Handle("GET /cases", s.ui(s.casesPage, true))
	mux.Handle("GET /kpis", s.ui(s.kpisPage, true))
	mux.Handle("POST /cases/assign", s.ui(s.bulkAssign, true))
	mux.Handle("POST /cases/new", s.ui(s.newCase, true))
	mux.Handle("GET /cases/{id}", s.ui(s.casePage, true))
	mux.Handle("POST /cases/{id}/act", s.ui(s.caseAction, true))
	mux.Handle("GET /segments", s.ui(s.segmentsPage, true))
	mux.Handle("POST /segments", s.ui(s.createSegment, true))
	mux.Handle("GET /admin", s.ui(s.adminPage, true))
	mux.Handle("POST /admin/sources", s.ui(s.createSource, true))
	mux.Handle("POST /admin/tokens", s.ui(s.createToken, true))
	mux.Handle("POST /admin/tokens/{id}/revoke", s.ui(s.revokeToken, true))
	mux.Handle("POST /admin/reply-templates", s.ui(s.saveReplyTemplate, true))
	mux.Handle("POST /admin/reply-templates/{id}/delete", s.ui(s.deleteReplyTemplate, true))
	mux.Handle("/", s.ui(s.notFoundPage, false))

	return s.observe(mux)
}
