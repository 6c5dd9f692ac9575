package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// TestReportWithoutChromium: without a browser the command says so, still
// writes the HTML pack with every division's page, and succeeds.
func TestReportWithoutChromium(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "tp.db")
	ctx := tp.WithAccess(context.Background(), tp.SystemAccess)
	sdb, err := sqldb.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db := sqldb.NewStore(sdb)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC) }
	src := &tp.Source{Name: "Shop", Channel: "web", Division: "Online"}
	db.Sources.CreateSource(ctx, src)
	custs, _ := db.BenchCreateCustomers(ctx, 1)
	s := &tp.Survey{Name: "NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive}
	db.Surveys.CreateSurvey(ctx, s)
	for i := range 40 {
		tok, _ := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: custs[0], Division: []string{"Online", "Retail"}[i%2]}, time.Hour)
		score := 10 - i%4
		if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: &score}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	t.Setenv("TOUCHPOINT_CHROMIUM", filepath.Join(dir, "no-such-browser"))
	var out, errb bytes.Buffer
	pdf := filepath.Join(dir, "pack.pdf")
	if err := Run(ctx, []string{"report", "--db", dbPath, "--month", "2026-10", "--out", pdf, "--lang", "nl"}, os.Getenv, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("report: %v\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "no PDF") || !strings.Contains(errb.String(), "Chromium") {
		t.Errorf("the command does not say why there is no PDF: %s", errb.String())
	}
	if _, err := os.Stat(pdf); err == nil {
		t.Error("a PDF was written without a browser")
	}
	html, err := os.ReadFile(filepath.Join(dir, "pack.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Klantbeleving", `data-division="Online"`, `data-division="Retail"`, "Definities", "<svg", "2026-10"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the pack lacks %q", want)
		}
	}
	// A bad month is a clear error.
	if err := Run(ctx, []string{"report", "--db", dbPath, "--month", "October"}, os.Getenv, strings.NewReader(""), &out, &errb); err == nil || !strings.Contains(err.Error(), "YYYY-MM") {
		t.Errorf("bad month: %v", err)
	}
}
