package web

import (
	"net/http"
	"net/url"
	"strconv"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Settings endpoints, so that the browser SDKs can be pointed at touchpoint
// alone: analytics-next loads its settings from cdnURL, RudderStack's JS SDK
// its source config from configUrl. Both are keyed by the write key, which
// the page that loads them shows anyway.

// segmentSettings answers analytics-next's GET {cdnURL}/v1/projects/{writeKey}/settings:
// the Segment.io destination aimed at this server, nothing else to load.
func (s *Server) segmentSettings(w http.ResponseWriter, r *http.Request) {
	setCORS(w, r)
	key := r.PathValue("writeKey")
	if _, err := s.Sources.FindSourceByWriteKey(r.Context(), key); err != nil {
		writeJSONError(w, r, tp.Errorf(tp.ENOTFOUND, "no source has this write key"))
		return
	}
	base, _ := url.Parse(s.baseURL(r))
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, map[string]any{
		"integrations": map[string]any{"Segment.io": map[string]any{
			"apiKey": key, "apiHost": base.Host + base.Path + "/v1", "protocol": base.Scheme,
			"unbundledIntegrations": []string{}, "addBundledMetadata": true, "maybeBundledConfigIds": map[string]any{},
		}},
		"plan": map[string]any{"track": map[string]any{"__default": map[string]any{"enabled": true, "integrations": map[string]any{}}},
			"identify": map[string]any{"__default": map[string]any{"enabled": true}}, "group": map[string]any{"__default": map[string]any{"enabled": true}}},
		"edgeFunction": map[string]any{}, "analyticsNextEnabled": true, "middlewareSettings": map[string]any{}, "enabledMiddleware": map[string]any{},
		"metrics": map[string]any{"sampleRate": 0}, "legacyVideoPluginsEnabled": false, "remotePlugins": []any{},
	})
}

// rudderSourceConfig answers RudderStack's JS SDK: GET {configUrl}/sourceConfig/?writeKey=…
// (or the key as Basic user): the source, enabled, with no destinations.
func (s *Server) rudderSourceConfig(w http.ResponseWriter, r *http.Request) {
	setCORS(w, r)
	src, err := s.sourceOf(r, "")
	if err != nil {
		writeJSONError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=300")
	writeJSON(w, http.StatusOK, map[string]any{"isHosted": false, "source": map[string]any{
		"id": strconv.FormatInt(src.ID, 10), "name": src.Name, "writeKey": r.URL.Query().Get("writeKey"), "enabled": true,
		"workspaceId": "touchpoint", "updatedAt": src.CreatedAt, "destinations": []any{},
		"config": map[string]any{"statsCollection": map[string]any{"errors": map[string]any{"enabled": false}, "metrics": map[string]any{"enabled": false}}},
	}})
}
