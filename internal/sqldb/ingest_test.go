package sqldb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

var ctx = tp.WithAccess(context.Background(), tp.SystemAccess) // set-up and checks act as the system

func source(t testing.TB, db *sqldb.Store, name, channel, dept string) *tp.Source {
	t.Helper()
	s := &tp.Source{Name: name, Channel: channel, Department: dept, Division: "Online"}
	if err := db.Sources.CreateSource(ctx, s); err != nil {
		t.Fatal(err)
	}
	return s
}

// send decodes a batch with the real decoder and ingests it.
func send(t testing.TB, db *sqldb.Store, src *tp.Source, msgs ...string) tp.IngestResult {
	t.Helper()
	body := `{"batch":[`
	for i, m := range msgs {
		if i > 0 {
			body += ","
		}
		body += m
	}
	d, err := track.DecodeBatch([]byte(body+"]}"), time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	res, err := db.Tracking.Ingest(ctx, src, d.Messages)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}

func customerOf(t testing.TB, db *sqldb.Store, typ, value string) *tp.Customer {
	t.Helper()
	c, err := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: typ, Value: value})
	if err != nil {
		t.Fatalf("customer of %s:%s: %v", typ, value, err)
	}
	return c
}

func trait(c *tp.Customer, k string) string {
	var s string
	_ = json.Unmarshal(c.Traits[k].Value, &s)
	return s
}

func TestIngestResolvesOneProfileAndDedupes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		web := source(t, db, "Web shop", "web", "Sales")
		res := send(t, db, web,
			`{"type":"page","name":"Home","anonymousId":"anon-1","messageId":"m1","timestamp":"2026-10-01T10:00:00Z"}`,
			`{"type":"identify","userId":"u-1","anonymousId":"anon-1","messageId":"m2","timestamp":"2026-10-01T10:01:00Z",
			  "traits":{"email":"Ada@Example.com","name":"Ada Lovelace","country":"NL","phone":"06 12345678"}}`,
			`{"type":"track","event":"Order Completed","userId":"u-1","messageId":"m3","timestamp":"2026-10-01T10:02:00Z",
			  "properties":{"total":42,"department":"Logistics"}}`)
		if res.Stored != 3 || res.Merges != 0 {
			t.Fatalf("result = %+v", res)
		}
		// A replay of the same messages is acknowledged and stored once.
		res = send(t, db, web, `{"type":"page","name":"Home","anonymousId":"anon-1","messageId":"m1"}`,
			`{"type":"page","name":"Home","anonymousId":"anon-1","messageId":"m1"}`)
		if res.Stored != 0 || res.Duplicates != 2 {
			t.Fatalf("replay result = %+v", res)
		}
		c := customerOf(t, db, "email", "ada@example.com")
		if c.Name != "Ada Lovelace" || c.Phone != "+31612345678" || c.Country != "NL" {
			t.Errorf("customer = %+v", c)
		}
		for _, id := range []tp.Identity{{Type: "anonymous_id", Value: "anon-1"}, {Type: "user_id", Value: "u-1"}, {Type: "phone", Value: "+31612345678"}} {
			if other := customerOf(t, db, id.Type, id.Value); other.ID != c.ID {
				t.Errorf("%s points at %d, want %d", id, other.ID, c.ID)
			}
		}
		page, err := db.Customers.Timeline(ctx, c.ID, tp.TimelineFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range page.Events {
			got = append(got, fmt.Sprintf("%s %s %s %s", e.Type, e.Name, e.Channel, e.Department))
		}
		want := []string{"track Order Completed web Logistics", "identify  web Sales", "page Home web Sales"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
	})
}

func TestTraitsLatestTimestampWins(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "CRM", "email", "")
		send(t, db, src, `{"type":"identify","userId":"u","timestamp":"2026-10-02T00:00:00Z","traits":{"plan":"gold"}}`)
		// An older event arrives late: it must not overwrite the newer value.
		send(t, db, src, `{"type":"identify","userId":"u","timestamp":"2026-10-01T00:00:00Z","traits":{"plan":"bronze","city":"Utrecht"}}`)
		send(t, db, src, `{"type":"identify","userId":"u","timestamp":"2026-10-03T00:00:00Z","traits":{"plan":"platinum"}}`)
		c := customerOf(t, db, "user_id", "u")
		if trait(c, "plan") != "platinum" || trait(c, "city") != "Utrecht" {
			t.Errorf("traits = plan %q city %q", trait(c, "plan"), trait(c, "city"))
		}
		hist, err := db.Customers.TraitHistory(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for _, h := range hist {
			if h.Key == "plan" {
				plan = append(plan, string(h.OldValue)+"→"+string(h.NewValue))
			}
		}
		if diff := cmp.Diff([]string{`"gold"→"platinum"`, `→"gold"`}, plan); diff != "" {
			t.Errorf("plan history (-want +got):\n%s", diff)
		}
	})
}

func TestMergeAndUnmergeExactly(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		web := source(t, db, "Web", "web", "Sales")
		phone := source(t, db, "Call center", "phone", "Service")
		send(t, db, web, `{"type":"identify","userId":"u-9","timestamp":"2026-10-01T00:00:00Z","traits":{"email":"bo@example.nl","name":"Bo","plan":"basic"}}`,
			`{"type":"track","event":"Viewed","userId":"u-9","timestamp":"2026-10-01T01:00:00Z"}`)
		send(t, db, phone, `{"type":"identify","userId":"crm-77","timestamp":"2026-10-02T00:00:00Z","traits":{"phone":"+31 6 11112222","plan":"premium","name":"Bo de Vries"}}`,
			`{"type":"track","event":"Called","userId":"crm-77","timestamp":"2026-10-02T01:00:00Z"}`)
		a, b := customerOf(t, db, "user_id", "u-9"), customerOf(t, db, "user_id", "crm-77")
		if a.ID == b.ID {
			t.Fatal("separate customers expected before the linking event")
		}
		beforeA, beforeB := snapshot(t, db, a.ID), snapshot(t, db, b.ID)

		res := send(t, db, web, `{"type":"identify","userId":"u-9","timestamp":"2026-10-03T00:00:00Z","traits":{"phone":"+31611112222"}}`)
		if res.Merges != 1 {
			t.Fatalf("merges = %d, want 1", res.Merges)
		}
		merged := customerOf(t, db, "phone", "+31611112222")
		if merged.ID != a.ID || trait(merged, "plan") != "premium" || trait(merged, "email") != "bo@example.nl" {
			t.Fatalf("survivor %d traits plan=%q email=%q", merged.ID, trait(merged, "plan"), trait(merged, "email"))
		}
		if len(merged.Merges) != 1 || merged.Merges[0].MergedID != b.ID || merged.Merges[0].Reason == "" {
			t.Fatalf("merge record = %+v", merged.Merges)
		}
		tl, _ := db.Customers.Timeline(ctx, a.ID, tp.TimelineFilter{})
		if len(tl.Events) != 5 {
			t.Errorf("survivor timeline has %d events, want 5", len(tl.Events))
		}
		gone, _ := db.Customers.FindCustomerByID(ctx, b.ID)
		if gone.MergedInto != a.ID {
			t.Errorf("merged customer points at %d", gone.MergedInto)
		}

		mid := merged.Merges[0].ID
		if _, err := db.Customers.Unmerge(tp.WithAccess(ctx, tp.Access{Actor: "user:admin@example.com", Role: tp.RoleAdmin}), a.ID, mid); err != nil {
			t.Fatal(err)
		}
		// The survivor keeps what arrived after the merge (the linking identify and
		// its phone identity); everything the merge moved is back.
		afterB := snapshot(t, db, b.ID)
		if diff := cmp.Diff(beforeB, afterB); diff != "" {
			t.Errorf("merged customer after unmerge (-before +after):\n%s", diff)
		}
		afterA := snapshot(t, db, a.ID)
		if afterA.Traits["plan"] != beforeA.Traits["plan"] || afterA.Traits["name"] != beforeA.Traits["name"] {
			t.Errorf("survivor traits not restored: %v, before %v", afterA.Traits, beforeA.Traits)
		}
		if _, err := db.Customers.Unmerge(ctx, a.ID, mid); tp.ErrorCode(err) != tp.ECONFLICT {
			t.Errorf("second unmerge: %v, want conflict", err)
		}
		if _, err := db.Customers.Unmerge(ctx, a.ID, 9999); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("unknown merge: %v, want not_found", err)
		}
	})
}

type snap struct {
	Traits     map[string]string
	Identities []tp.Identity
	Events     []int64
	MergedInto int64
}

func snapshot(t *testing.T, db *sqldb.Store, id int64) snap {
	t.Helper()
	c, err := db.Customers.FindCustomerByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	s := snap{Traits: map[string]string{}, Identities: c.Identities, MergedInto: c.MergedInto}
	for k, v := range c.Traits {
		s.Traits[k] = string(v.Value)
	}
	tl, err := db.Customers.Timeline(ctx, id, tp.TimelineFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tl.Events {
		s.Events = append(s.Events, e.ID)
	}
	return s
}

// TestConcurrentMerges sends, from many goroutines at once, events that each
// name a random pair of one person's identities. Whatever the interleaving,
// every person must end as exactly one live customer holding all their events.
func TestConcurrentMerges(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		const people, perPerson, workers = 6, 5, 8
		type job struct{ p, a, b, n int }
		var jobs []job
		r := rand.New(rand.NewPCG(1, 2))
		for p := range people {
			for n := range 12 {
				jobs = append(jobs, job{p, r.IntN(perPerson), r.IntN(perPerson), n})
			}
		}
		r.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
		ch := make(chan job)
		var wg sync.WaitGroup
		errs := make(chan error, len(jobs))
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range ch {
					body := fmt.Sprintf(`{"batch":[{"type":"track","event":"E","messageId":"p%d-%d","userId":"p%d-id%d","anonymousId":"p%d-id%d"}]}`,
						j.p, j.n, j.p, j.a, j.p, j.b)
					d, err := track.DecodeBatch([]byte(body), time.Now())
					if err == nil {
						_, err = db.Tracking.Ingest(ctx, src, d.Messages)
					}
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		for _, j := range jobs {
			ch <- j
		}
		close(ch)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// Link each person's identities in a chain so every person is one customer.
		for p := range people {
			for i := 0; i+1 < perPerson; i++ {
				send(t, db, src, fmt.Sprintf(`{"type":"alias","userId":"p%d-id%d","previousId":"p%d-id%d","messageId":"link-%d-%d"}`, p, i+1, p, i, p, i),
					fmt.Sprintf(`{"type":"alias","userId":"p%d-id%d","previousId":"p%d-id%d","messageId":"link2-%d-%d"}`, p, i, p, i+1, p, i))
			}
		}
		for p := range people {
			want := customerOf(t, db, "user_id", fmt.Sprintf("p%d-id0", p))
			if want.MergedInto != 0 {
				t.Fatalf("person %d resolves to merged customer %d", p, want.ID)
			}
			for i := range perPerson {
				for _, typ := range []string{"user_id", "anonymous_id"} {
					c, err := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: typ, Value: fmt.Sprintf("p%d-id%d", p, i)})
					if err == nil && c.ID != want.ID {
						t.Errorf("person %d: %s p%d-id%d is on customer %d, want %d", p, typ, p, i, c.ID, want.ID)
					}
				}
			}
			tl, err := db.Customers.Timeline(ctx, want.ID, tp.TimelineFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			tracks := 0
			for _, e := range tl.Events {
				if e.Type == tp.EventTrack {
					tracks++
				}
			}
			if tracks != 12 {
				t.Errorf("person %d has %d track events, want 12", p, tracks)
			}
		}
		live, err := db.Customers.FindCustomers(ctx, tp.CustomerFilter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		if len(live) != people {
			t.Errorf("%d live customers, want %d", len(live), people)
		}
	})
}

func TestTimelinePagingAndFilters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		web := source(t, db, "Web", "web", "Sales")
		var msgs []string
		for i := range 25 {
			ch := "web"
			if i%5 == 0 {
				ch = "phone"
			}
			msgs = append(msgs, fmt.Sprintf(`{"type":"track","event":"E%d","userId":"u","messageId":"m%d","timestamp":"2026-10-01T00:%02d:00Z","properties":{"channel":%q}}`, i, i, i, ch))
		}
		send(t, db, web, msgs...)
		c := customerOf(t, db, "user_id", "u")
		var names []string
		cursor := ""
		for range 10 {
			page, err := db.Customers.Timeline(ctx, c.ID, tp.TimelineFilter{Limit: 10, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Events {
				names = append(names, e.Name)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if len(names) != 25 || names[0] != "E24" || names[24] != "E0" {
			t.Errorf("paged %d events: first %q last %q", len(names), names[0], names[len(names)-1])
		}
		page, err := db.Customers.Timeline(ctx, c.ID, tp.TimelineFilter{Channel: "phone"})
		if err != nil || len(page.Events) != 5 {
			t.Errorf("phone filter: %d events, %v", len(page.Events), err)
		}
		if _, err := db.Customers.Timeline(ctx, c.ID, tp.TimelineFilter{Cursor: "garbage!"}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("bad cursor: %v", err)
		}
	})
}

func TestSearch(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "CRM", "email", "")
		send(t, db, src, `{"type":"identify","userId":"a","traits":{"name":"Jürgen Müller","email":"j.mueller@example.de","phone":"+49 170 1234567","city":"Köln"}}`,
			`{"type":"identify","userId":"b","traits":{"name":"Anna 50%_off","email":"anna@example.nl"}}`)
		for q, want := range map[string]int{"müller": 1, "EXAMPLE": 2, "0170 1234567": 1, "köln": 1, "50%": 1, "%": 1, "nobody": 0, "": 2} {
			got, err := db.Customers.FindCustomers(ctx, tp.CustomerFilter{Query: q})
			if err != nil || len(got) != want {
				t.Errorf("search %q: %d results (%v), want %d", q, len(got), err, want)
			}
		}
	})
}

func TestUsersSessionsTokens(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		u := &tp.User{Email: "Ada@Example.com", Role: tp.RoleAdmin}
		if err := db.Users.CreateUser(ctx, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if err := db.Users.CreateUser(ctx, &tp.User{Email: "ada@example.com", Role: tp.RoleAdmin}, "correct horse battery"); tp.ErrorCode(err) != tp.ECONFLICT {
			t.Errorf("duplicate user: %v", err)
		}
		if err := db.Users.CreateUser(ctx, &tp.User{Email: "x@example.com", Role: tp.RoleAgent}, "correct horse battery"); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("agent without department: %v", err)
		}
		if _, err := db.Users.Authenticate(ctx, "ada@example.com", "wrong password"); tp.ErrorCode(err) != tp.EUNAUTHORIZED {
			t.Errorf("wrong password: %v", err)
		}
		got, err := db.Users.Authenticate(ctx, "ADA@example.com", "correct horse battery")
		if err != nil || got.ID != u.ID {
			t.Fatalf("authenticate: %v", err)
		}
		sess, err := db.Users.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if su, err := db.Users.UserBySession(ctx, sess); err != nil || su.Email != "ada@example.com" {
			t.Errorf("session user: %v %v", su, err)
		}
		_ = db.Users.DeleteSession(ctx, sess)
		if _, err := db.Users.UserBySession(ctx, sess); tp.ErrorCode(err) != tp.EUNAUTHORIZED {
			t.Errorf("after logout: %v", err)
		}
		tok := &tp.Token{Name: "crm", Role: tp.RoleAnalyst}
		secret, err := db.Users.CreateToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if a, err := db.Users.AccessByToken(ctx, secret); err != nil || a.Role != tp.RoleAnalyst || a.Actor != "token:crm" {
			t.Errorf("token access: %+v %v", a, err)
		}
		if err := db.Users.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Users.AccessByToken(ctx, secret); tp.ErrorCode(err) != tp.EUNAUTHORIZED {
			t.Errorf("revoked token: %v", err)
		}
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Errorf("second migrate applied %v, %v", applied, err)
		}
		if err := db.Ping(ctx); err != nil {
			t.Error(err)
		}
	})
}

// TestSeenAndProfileColumns: first and last seen span every event, in one
// batch and across batches, and the profile's columns follow the traits,
// for customers with traits (one update per transaction) and without.
func TestSeenAndProfileColumns(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "Sales")
		at := func(day int) time.Time { return time.Date(2026, 10, day, 0, 0, 0, 0, time.UTC) }
		send(t, db, src,
			`{"type":"track","event":"Viewed","userId":"u-1","messageId":"a1","timestamp":"2026-10-05T00:00:00Z"}`,
			`{"type":"identify","userId":"u-1","messageId":"a2","timestamp":"2026-10-06T00:00:00Z","traits":{"name":"Ada","email":"ada@example.com"}}`,
			`{"type":"track","event":"Viewed","userId":"u-1","messageId":"a3","timestamp":"2026-10-09T00:00:00Z"}`,
			`{"type":"track","event":"Viewed","anonymousId":"an-2","messageId":"b1","timestamp":"2026-10-07T00:00:00Z"}`,
			`{"type":"track","event":"Viewed","anonymousId":"an-2","messageId":"b2","timestamp":"2026-10-03T00:00:00Z"}`)
		check := func(typ, value, name, email string, first, last time.Time) {
			t.Helper()
			c := customerOf(t, db, typ, value)
			if c.Name != name || c.Email != email || !c.FirstSeen.Equal(first) || !c.LastSeen.Equal(last) {
				t.Errorf("%s: name %q email %q seen %s–%s, want %q %q %s–%s", value, c.Name, c.Email,
					c.FirstSeen.Format(time.DateOnly), c.LastSeen.Format(time.DateOnly), name, email, first.Format(time.DateOnly), last.Format(time.DateOnly))
			}
		}
		check("user_id", "u-1", "Ada", "ada@example.com", at(5), at(9))
		check("anonymous_id", "an-2", "", "", at(3), at(7))
		send(t, db, src,
			`{"type":"track","event":"Viewed","userId":"u-1","messageId":"a4","timestamp":"2026-10-02T00:00:00Z"}`,
			`{"type":"identify","userId":"u-1","messageId":"a5","timestamp":"2026-10-08T00:00:00Z","traits":{"email":"ada@example.nl"}}`,
			`{"type":"track","event":"Viewed","anonymousId":"an-2","messageId":"b3","timestamp":"2026-10-20T00:00:00Z"}`)
		check("user_id", "u-1", "Ada", "ada@example.nl", at(2), at(9))
		check("anonymous_id", "an-2", "", "", at(3), at(20))
	})
}
