package tabular

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestCSVAndXLSX(t *testing.T) {
	score := 9
	rows := [][]any{{int64(1), &score, "Sehr gut, danke – Jürgen", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)},
		{int64(2), (*int)(nil), "=HYPERLINK(\"http://evil\")", time.Time{}}}
	var c bytes.Buffer
	w, err := New("csv", &c, []string{"id", "score", "comment", "at"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		w.Write(r)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][1] != "9" || recs[1][2] != "Sehr gut, danke – Jürgen" || recs[1][3] != "2026-11-01T08:00:00Z" ||
		recs[2][1] != "" || !strings.HasPrefix(recs[2][2], "'=") {
		t.Errorf("csv = %q", recs)
	}
	var x bytes.Buffer
	w, _ = New("xlsx", &x, []string{"id", "score", "comment", "at"})
	for _, r := range rows {
		w.Write(r)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.GetRows("Sheet1")
	if len(got) != 3 || got[1][1] != "9" || got[1][2] != "Sehr gut, danke – Jürgen" || got[2][2] != "=HYPERLINK(\"http://evil\")" {
		t.Errorf("xlsx = %q", got)
	}
	if _, err := New("pdf", &x, nil); err == nil {
		t.Error("unknown format accepted")
	}
}
