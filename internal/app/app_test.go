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

func run(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = Run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range commands() {
		args := []string{c.name, "-h"}
		out, _, err := run(t, "", args...)
		if err != nil || !strings.Contains(out, "usage: touchpoint") {
			t.Errorf("%s -h: %v, %q", c.name, err, out)
		}
	}
	if _, _, err := run(t, "", "frobnicate"); ExitCode(err) != 2 {
		t.Errorf("unknown command: %v", err)
	}
	if out, _, _ := run(t, "", "version"); !strings.HasPrefix(out, "touchpoint ") {
		t.Errorf("version: %q", out)
	}
}

func TestSetupCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tp.db")
	if _, _, err := run(t, "", "user", "create", "--email", "ops@example.com", "--role", "admin", "--db", db); ExitCode(err) != 2 {
		t.Errorf("user create without --password-stdin: %v", err)
	}
	if _, errs, err := run(t, "long enough password\n", "user", "create", "--email", "ops@example.com", "--role", "admin", "--password-stdin", "--db", db); err != nil {
		t.Fatalf("user create: %v %s", err, errs)
	}
	if _, _, err := run(t, "short\n", "user", "create", "--email", "x@example.com", "--role", "admin", "--password-stdin", "--db", db); tp.ErrorCode(err) != tp.EINVALID {
		t.Errorf("short password: %v", err)
	}
	key, _, err := run(t, "", "source", "create", "--name", "Web shop", "--channel", "web", "--department", "Sales", "--db", db)
	if err != nil || !strings.HasPrefix(key, "wk_") || strings.Count(key, "\n") != 1 {
		t.Errorf("source create printed %q, %v", key, err)
	}
	if _, _, err := run(t, "", "source", "create", "--name", "Fax", "--channel", "fax", "--db", db); tp.ErrorCode(err) != tp.EINVALID {
		t.Errorf("bad channel: %v", err)
	}
	tok, _, err := run(t, "", "token", "create", "--name", "ci", "--role", "analyst", "--db", db)
	if err != nil || !strings.HasPrefix(tok, "tp_") {
		t.Errorf("token create printed %q, %v", tok, err)
	}
	if _, errs, err := run(t, "", "migrate", "--db", db); err != nil || !strings.Contains(errs, "up to date") {
		t.Errorf("migrate: %v %q", err, errs)
	}
}

func TestImportCustomersTwiceAndReportRejects(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "tp.db")
	csv := filepath.Join(dir, "customers.csv")
	os.WriteFile(csv, []byte("user_id,email,phone,first_name,last_name,country,plan\n"+
		"c-1,ada@example.com,0170 1234567,Ada,Lovelace,DE,gold\n"+
		"c-2,not-an-email,,Bob,Builder,NL,basic\n"+
		",,,,No,Identity,\n"+
		"c-3,cy@example.nl,06 12345678,Cy,de Vries,NL,silver\n"+
		"c-4,too,many,fields,in,this,row,here\n"), 0o644)
	_, errs, err := run(t, "", "import", "customers", csv, "--db", db)
	if err == nil || !strings.Contains(err.Error(), "3 of 5 rows were rejected") {
		t.Fatalf("import: %v\n%s", err, errs)
	}
	for _, want := range []string{"line 3: rejected: column email", "line 4: rejected: the row has no identity", "line 6: rejected: the row has 8 fields",
		"done: read 5, imported 2, already present 0, rejected 3"} {
		if !strings.Contains(errs, want) {
			t.Errorf("report lacks %q:\n%s", want, errs)
		}
	}
	_, errs, _ = run(t, "", "import", "customers", csv, "--db", db)
	if !strings.Contains(errs, "imported 0, already present 2") {
		t.Errorf("second import:\n%s", errs)
	}
	sdb, err := sqldb.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	s := sqldb.NewStore(sdb)
	c, err := s.Customers.FindCustomerByIdentity(tp.WithAccess(context.Background(), tp.SystemAccess), tp.Identity{Type: "phone", Value: "+491701234567"})
	if err != nil || c.Name != "Ada Lovelace" {
		t.Errorf("imported customer: %+v %v", c, err)
	}
	all, _ := s.Customers.FindCustomers(tp.WithAccess(context.Background(), tp.SystemAccess), tp.CustomerFilter{})
	if len(all) != 2 {
		t.Errorf("%d customers after two imports, want 2", len(all))
	}
}

func TestImportEvents(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "tp.db")
	jsonl := filepath.Join(dir, "events.jsonl")
	os.WriteFile(jsonl, []byte(`{"type":"identify","userId":"u1","messageId":"e1","traits":{"email":"u1@example.com"}}
{"type":"track","userId":"u1","event":"Order Completed","messageId":"e2","timestamp":"2026-01-02T03:04:05Z"}

{"type":"track","userId":"u1","messageId":"e3"}
not json
`), 0o644)
	_, errs, err := run(t, "", "import", "events", jsonl, "--source", "Legacy CRM", "--channel", "email", "--db", db)
	if err == nil || !strings.Contains(errs, "line 4: rejected: a track call needs an event name") || !strings.Contains(errs, "line 5: rejected") ||
		!strings.Contains(errs, "imported 2") || !strings.Contains(errs, `created source "Legacy CRM"`) {
		t.Errorf("import events: %v\n%s", err, errs)
	}
}

func FuzzCustomersCSV(f *testing.F) {
	f.Add([]byte("email,phone,country\nada@example.com,0170 1234567,DE\n"))
	f.Add([]byte("user_id,updated_at\nu,2026-01-01T00:00:00Z\n\"unterminated\n"))
	f.Add([]byte("\ufeffUser_ID;name\nx;y\n"))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = readCustomersCSV(bytes.NewReader(data), now, func(line int, m tp.Message, err error) error {
			if err == nil && (len(m.Identities) == 0 || m.MessageID == "" || m.Type != tp.EventIdentify) {
				t.Fatalf("line %d accepted without identity or id: %+v", line, m)
			}
			if err != nil && tp.ErrorCode(err) != tp.EINVALID {
				t.Fatalf("line %d: rejection without a clear code: %v", line, err)
			}
			return nil
		})
	})
}

// A person's export and erasure from the command line, and the retention
// periods.
func TestCustomerExportEraseAndRetentionCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "tp.db")
	csv := filepath.Join(dir, "customers.csv")
	os.WriteFile(csv, []byte("user_id,email,first_name,last_name\nc-1,grete@example.com,Grete,Gdprsen\n"), 0o644)
	if _, errs, err := run(t, "", "import", "customers", csv, "--db", db); err != nil {
		t.Fatal(err, errs)
	}
	zipPath := filepath.Join(dir, "grete.zip")
	if _, errs, err := run(t, "", "customer", "export", "--email", "grete@example.com", "--out", zipPath, "--db", db); err != nil ||
		!strings.Contains(errs, "exported customer") {
		t.Fatalf("export: %v %s", err, errs)
	}
	if b, _ := os.ReadFile(zipPath); !bytes.Contains(b, []byte("export.json")) {
		t.Error("the export is not a ZIP with export.json")
	}
	out, _, err := run(t, "", "customer", "export", "--email", "grete@example.com", "--db", db)
	if err != nil || !strings.Contains(out, "Gdprsen") {
		t.Errorf("export to standard output: %v", err)
	}
	if _, _, err := run(t, "", "customer", "erase", "--email", "grete@example.com", "--db", db); ExitCode(err) != 2 {
		t.Errorf("erase without --yes: %v", err)
	}
	out, _, err = run(t, "", "customer", "erase", "--email", "grete@example.com", "--yes", "--db", db)
	if err != nil || !strings.Contains(out, `"suppressed_identities": 2`) {
		t.Fatalf("erase: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(db); bytes.Contains(b, []byte("Gdprsen")) || bytes.Contains(b, []byte("grete@example.com")) {
		t.Error("the database file still holds the erased person")
	}
	out, _, err = run(t, "", "retention", "--db", db)
	if err != nil || !strings.Contains(out, "events     1095 days") {
		t.Errorf("retention: %v %q", err, out)
	}
	if out, _, err := run(t, "", "retention", "--run", "--db", db); err != nil || !strings.Contains(out, "retention ") {
		t.Errorf("retention --run: %v %q", err, out)
	}
}
