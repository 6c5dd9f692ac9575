package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/tabular"
)

// maxSegmentExport bounds one export: the CRM's opportunity list, not a
// dump of the customer base.
const maxSegmentExport = 100000

var segmentExportHeader = []string{"customer_id", "name", "risk", "risk_band", "top_reasons", "value_tier", "rfm", "revenue_365d",
	"clv_12m", "clv_12m_low", "clv_12m_high", "offer", "offer_because", "offer_share", "offer_expected_value", "no_offer"}

// exportSegment writes a segment's scored members, the likeliest to leave
// first, with their reasons (in lang) and their next best offer: the
// opportunity list for a CRM. An offer's expected value is its share times
// the customer's average order.
func (s *Server) exportSegment(w http.ResponseWriter, r *http.Request, lang string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	ct, ok := tabular.ContentTypes[format]
	if !ok {
		return tp.Errorf(tp.EINVALID, "format must be csv or xlsx").WithFields(map[string]string{"format": "invalid"})
	}
	seg, err := s.Segments.FindSegment(r.Context(), id)
	if err != nil {
		return err
	}
	list, err := s.Risk.SegmentScores(r.Context(), id, maxSegmentExport)
	if err != nil {
		return err
	}
	if err := s.auditExport(r, fmt.Sprintf("segment %d", seg.ID), format); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="segment-%d-%s.%s"`, seg.ID, time.Now().UTC().Format("2006-01-02"), format))
	tw, err := tabular.New(format, w, segmentExportHeader)
	if err != nil {
		return err
	}
	for i := range list {
		c := &list[i]
		v := newRiskView(lang, c)
		row := []any{c.CustomerID, c.Name, c.Risk, c.RiskBand, strings.Join(v.Reasons, "; "), c.ValueTier,
			fmt.Sprintf("%d-%d-%d", c.RFM[0], c.RFM[1], c.RFM[2]), c.Features.Revenue365, c.CLV, c.CLVLow, c.CLVHigh}
		if len(c.Offers) > 0 {
			o := c.Offers[0]
			var expected any
			if c.Features.AvgOrder != nil {
				expected = o.Share * *c.Features.AvgOrder
			}
			row = append(row, o.Product, o.Because, o.Share, expected, "")
		} else {
			row = append(row, "", "", nil, nil, c.NoOffer)
		}
		if err := tw.Write(row); err != nil {
			return nil // the client went away
		}
	}
	if err := tw.Close(); err != nil {
		s.logErr(r, err)
	}
	return nil
}

func (s *Server) apiExportSegment(w http.ResponseWriter, r *http.Request) error {
	lang := r.URL.Query().Get("lang")
	if lang != "de" && lang != "nl" {
		lang = "en"
	}
	return s.exportSegment(w, r, lang)
}

func (s *Server) segmentExportFile(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.exportSegment(w, r, v.Lang)
}
