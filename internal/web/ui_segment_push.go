package web

import (
	"net/http"
	"strconv"

	tp "github.com/touchpoint-cx/touchpoint"
)

// segmentWebhookForm sets where a segment's opportunity list goes; the
// signing secret is shown once, in the flash.
func (s *Server) segmentWebhookForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	back := "/segments/" + strconv.FormatInt(id, 10)
	h, err := s.Push.SetSegmentWebhook(r.Context(), id, r.FormValue("url"))
	if err != nil {
		if tp.ErrorCode(err) != tp.EINVALID {
			return err
		}
		http.Redirect(w, r, v.withFlash(back, v.errText(err)), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, v.withFlash(back, translate(v.Lang, "segment.webhook.saved", h.Secret)), http.StatusSeeOther)
	return nil
}

func (s *Server) segmentPushForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Push.QueuePush(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash("/segments/"+strconv.FormatInt(id, 10), translate(v.Lang, "segment.webhook.queued")), http.StatusSeeOther)
	return nil
}

// apiSetSegmentWebhook: {"url": "https://…"}; the answer carries the secret once.
func (s *Server) apiSetSegmentWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		URL string `json:"url"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	h, err := s.Push.SetSegmentWebhook(r.Context(), id, in.URL)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func (s *Server) apiDeleteSegmentWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Push.DeleteSegmentWebhook(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiPushSegment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Push.QueuePush(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"segment_id": id, "queued": true})
	return nil
}
