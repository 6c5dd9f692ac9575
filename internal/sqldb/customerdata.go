package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// The one list of customer data: every table that points at a customer or
// holds what a customer said or is. Merge, unmerge, export, erasure and
// retention walk this list; TestCustomerDataListIsComplete reads the schema
// and fails when a table with a customer_id column, or a column named like
// personal data, is on neither this list nor notCustomerData.

// How a table's rows follow a merge.
type mergeRule string

const (
	mergeMove       mergeRule = "move"       // rows follow the survivor; recorded in merge_moves, so unmerge puts them back
	mergeIdentities mergeRule = "identities" // the same, recorded in merge_identities (no id column)
	mergeTraits     mergeRule = "traits"     // merged newest-wins; trait_history keeps what was overwritten
	mergeRecompute  mergeRule = "recompute"  // derived from other rows, recomputed after a merge or unmerge
	mergeChild      mergeRule = "child"      // belongs to a row of another table and goes where it goes
	mergeKeep       mergeRule = "keep"       // stays with its customer (a record of the merge itself, history)
)

// What an erasure does with a table's rows of the person.
type eraseRule string

const (
	eraseDelete    eraseRule = "delete"
	eraseAnonymise eraseRule = "anonymise" // the row stays for the numbers; its personal columns get Anon's values
	eraseKeep      eraseRule = "keep"      // no personal data once the customer row is anonymous (counts, ids, times)
)

type dataTable struct {
	Table string
	// Rows of customer $1: the column holding the customer's id, or a
	// condition for rows that belong through another table.
	Key, Where string
	PII        []string          // columns holding e-mail, phone, name or the customer's own words
	Plain      []string          // columns named like personal data that hold none, each a reason in Why
	Anon       map[string]string // eraseAnonymise: column → SQL expression it is set to
	Merge      mergeRule
	Erase      eraseRule
	Why        string
	// PostgresOnly: on SQLite the table is in a file of its own (the intake's).
	PostgresOnly bool
}

// tables is the list as it applies to db's main database.
func (db *DB) tables() []dataTable {
	out := make([]dataTable, 0, len(customerData))
	for _, t := range customerData {
		if !t.PostgresOnly || db.dialect == Postgres {
			out = append(out, t)
		}
	}
	return out
}

// rowsOf is the condition selecting the table's rows of customer $1.
func (t dataTable) rowsOf() string {
	if t.Where != "" {
		return t.Where
	}
	return t.Key + " = $1"
}

const ofCases = "case_id IN (SELECT id FROM cases WHERE customer_id = $1)"
const textOf = "(source = 'case' AND ref_id IN (SELECT id FROM cases WHERE customer_id = $1)) OR " +
	"(source = 'response' AND ref_id IN (SELECT id FROM responses WHERE customer_id = $1))"
const ofMembers = "member_id IN (SELECT id FROM council_members WHERE customer_id = $1)"
const ofMerges = "merge_id IN (SELECT id FROM merges WHERE survivor_id = $1 OR merged_id = $1)"

// customerData is the list. Its order is the erasure's: children before
// parents, and inbound mail (found through the person's e-mail identities)
// before the identities go.
var customerData = []dataTable{
	{Table: "intake", Where: "$1 < 0", PII: []string{"body"}, Merge: mergeKeep, Erase: eraseDelete, PostgresOnly: true,
		Why: "tracking calls acknowledged but not yet resolved (for seconds; on SQLite in the intake file beside the database): " +
			"an export or erasure first resolves every one (DrainIntake), so none of the person's is left here; " +
			"calls after an erasure are dropped by the suppression list"},
	{Table: "quarantine", Where: "EXISTS (SELECT 1 FROM identities i WHERE i.customer_id = $1 AND quarantine.raw LIKE '%' || i.value || '%')",
		PII: []string{"raw", "message_id", "reason"}, Merge: mergeKeep, Erase: eraseDelete,
		Why: "messages the intake refused, as sent: found by the person's identities in them (they belong to no customer)"},
	{Table: "case_attachments", Where: ofCases, PII: []string{"filename", "data"}, Merge: mergeChild, Erase: eraseDelete,
		Why: "files the customer's complaint mails carried"},
	{Table: "case_messages", Where: ofCases, PII: []string{"message_id"}, Merge: mergeChild, Erase: eraseDelete,
		Why: "Message-IDs of the customer's mails (they name the sender's mail host), for threading"},
	{Table: "inbound_mail", Where: ofCases + " OR lower(envelope_from) IN (SELECT value FROM identities WHERE customer_id = $1 AND type = 'email')",
		PII: []string{"envelope_from", "recipients", "raw", "reason"}, Merge: mergeChild, Erase: eraseDelete,
		Why: "complaint mails as received, whole"},
	{Table: "case_events", Where: ofCases, PII: []string{"body", "metadata", "actor", "old", "new"}, Merge: mergeChild, Erase: eraseAnonymise,
		Anon: map[string]string{"body": "''", "metadata": "NULL",
			"actor": "CASE WHEN actor LIKE 'mail:%' OR actor LIKE 'web form:%' THEN 'customer' ELSE actor END",
			"old":   "CASE WHEN field IN ('subject', 'description', 'root_cause') THEN '' ELSE old END",
			"new":   "CASE WHEN field IN ('subject', 'description', 'root_cause') THEN '' ELSE new END"},
		Why: "the case trail: the customer's messages, replies to them, who changed what"},
	{Table: "text_labels", Where: textOf, Merge: mergeChild, Erase: eraseDelete,
		Why: "analysts' corrections of the sentiment and themes of the customer's comments and cases; labelled_by is staff"},
	{Table: "text_themes", Where: textOf, Merge: mergeChild, Erase: eraseDelete,
		Why: "themes found in the customer's comments and cases"},
	{Table: "text_analyses", Where: textOf, Merge: mergeChild, Erase: eraseDelete,
		Why: "language, sentiment and themes of the customer's comments and cases; themes hold theme ids and byte offsets, no words"},
	{Table: "cases", Key: "customer_id", PII: []string{"subject", "description", "root_cause"}, Plain: []string{"tags", "redress"},
		Merge: mergeMove, Erase: eraseAnonymise, Anon: map[string]string{"subject": "'[erased]'", "description": "''", "root_cause": "''"},
		Why: "complaints: the text goes, category, times and outcome stay for the case statistics; tags and redress are the company's"},
	{Table: "responses", Key: "customer_id", PII: []string{"comment", "answers"}, Merge: mergeMove, Erase: eraseAnonymise,
		Anon: map[string]string{"comment": "''", "answers": "'{}'"},
		Why:  "survey answers: the words go, the score stays in the results"},
	{Table: "invitations", Key: "customer_id", Plain: []string{"message_id", "reason"}, Merge: mergeMove, Erase: eraseKeep,
		Why: "survey invitations: survey, channel, status, times (response rates); the Message-ID and skip reason are ours"},
	{Table: "events", Key: "customer_id", PII: []string{"user_id", "anonymous_id", "properties", "traits", "context", "message_id"}, Plain: []string{"name"},
		Merge: mergeMove, Erase: eraseAnonymise,
		Anon: map[string]string{"user_id": "''", "anonymous_id": "''", "properties": "NULL", "traits": "NULL", "context": "NULL",
			"message_id": "'erased-' || CAST(id AS TEXT)"},
		Why: "the timeline: what happened stays (counts, churn activity), who and the payloads go; a sender may build message ids from " +
			"what it knows of the person; the event name is the sender's schema"},
	{Table: "consents", Key: "customer_id", Plain: []string{"source"}, Merge: mergeMove, Erase: eraseDelete,
		Why: "the customer's consents and objections as stated; the source names a system, a link or a member of staff"},
	{Table: "consent_state", Key: "customer_id", Plain: []string{"source"}, Merge: mergeRecompute, Erase: eraseDelete,
		Why: "where the statements leave each purpose"},
	{Table: "merge_identities", Where: ofMerges, PII: []string{"value"}, Merge: mergeChild, Erase: eraseDelete,
		Why: "identities a merge moved"},
	{Table: "merge_moves", Where: ofMerges, Merge: mergeChild, Erase: eraseDelete, Why: "rows a merge moved"},
	{Table: "merges", Where: "survivor_id = $1 OR merged_id = $1", PII: []string{"reason"}, Plain: []string{"actor", "undone_by"},
		Merge: mergeKeep, Erase: eraseDelete, Why: "merge records; the reason names the identities that matched"},
	{Table: "trait_history", Key: "customer_id", PII: []string{"key", "old_value", "new_value"}, Merge: mergeKeep, Erase: eraseDelete,
		Why: "every earlier value of every trait"},
	{Table: "customer_traits", Key: "customer_id", PII: []string{"key", "value"}, Merge: mergeTraits, Erase: eraseDelete,
		Why: "traits: name, e-mail, phone, address, plan, anything a source sent"},
	{Table: "identities", Key: "customer_id", PII: []string{"value"}, Merge: mergeIdentities, Erase: eraseDelete,
		Why: "user ids, anonymous ids, e-mail addresses, phone numbers (erased ones go on the suppression list, hashed)"},
	{Table: "customer_scores", Key: "customer_id", PII: []string{"features", "detail", "value_tier"}, Merge: mergeRecompute, Erase: eraseDelete,
		Why: "value and churn risk as the risk job computed them: figures from the customer's events, orders, cases and answers, " +
			"their country and the products they bought; recomputed within the job's period after a merge"},
	{Table: "council_votes", Where: ofMembers + " OR idea_id IN (SELECT id FROM council_ideas WHERE " + ofMembers + ")", Merge: mergeChild, Erase: eraseDelete,
		Why: "which council ideas the member voted for, and the votes on the member's own ideas"},
	{Table: "council_answers", Where: ofMembers, PII: []string{"text"}, Merge: mergeChild, Erase: eraseDelete,
		Why: "the council member's answers to session questions, in their own words"},
	{Table: "council_ideas", Where: ofMembers, PII: []string{"title", "body"}, Plain: []string{"decision"}, Merge: mergeChild, Erase: eraseDelete,
		Why: "ideas the council member posted; the decision is the company's words; an action item made from an idea keeps its own copy of the title"},
	{Table: "council_members", Key: "customer_id", Merge: mergeMove, Erase: eraseDelete,
		Why: "membership of a customer council: invitation and acceptance"},
	{Table: "segment_memberships", Key: "customer_id", Merge: mergeKeep, Erase: eraseDelete,
		Why: "when the customer entered and left each segment; after a merge the merged-away customer's stays end and the survivor's are recorded as the job sees them"},
	{Table: "playbook_entries", Key: "customer_id", Merge: mergeMove, Erase: eraseKeep,
		Why: "which retention playbook reached the customer when, acted on or held out, and the case it opened: ids and times, no personal data; the playbooks' measured results count them"},
	{Table: "customer_divisions", Key: "customer_id", Merge: mergeRecompute, Erase: eraseKeep,
		Why: "first activity and churn per division: the churn rate's base, no personal data"},
	{Table: "customers", Key: "id", PII: []string{"name", "email", "phone", "search", "locale", "country"}, Merge: mergeRecompute,
		Erase: eraseAnonymise, Anon: map[string]string{"name": "''", "email": "''", "phone": "''", "search": "''", "locale": "''", "country": "''"},
		Why: "the profile: display columns derived from traits; the row stays, empty, for the counts that point at it"},
}

// notCustomerData are tables with columns named like personal data that
// hold none of a customer's, each with the reason.
var notCustomerData = map[string]string{
	"playbooks":             "retention playbook definitions: a name, a segment, a department",
	"users":                 "staff accounts",
	"trainings":             "staff trainings: a title, an owner, a department, a metric",
	"councils":              "customer council names",
	"risk_overview":         "value and revenue at risk per division: sums",
	"segment_webhooks":      "where a segment's opportunity list is pushed: an address and its signing secret",
	"council_sessions":      "council sessions: topic, date, agenda and minutes written by staff",
	"council_questions":     "questions staff ask the council",
	"digest_subscriptions":  "which staff receive the weekly digest, and their unsubscribe token",
	"digest_departments":    "whether a department's digest goes to every member",
	"digest_sent":           "which staff member got which week's digest",
	"training_participants": "which staff took part in a training and when they completed it",
	"sessions":              "staff sign-in sessions",
	"api_tokens":            "API tokens (hashed) and their names",
	"sources":               "systems that send events",
	"surveys":               "survey definitions",
	"survey_versions":       "survey wording",
	"survey_triggers":       "when to invite: event names",
	"segments":              "segment rules",
	"business_calendars":    "opening hours",
	"sla_policies":          "SLA targets",
	"routing_rules":         "routing rules",
	"routing_turns":         "whose turn it is in a department (staff)",
	"case_taxonomy":         "category names",
	"reply_templates":       "answer templates with placeholders",
	"action_items":          "improvement work (staff)",
	"action_comments":       "staff comments on action items",
	"alert_rules":           "alert rules; their e-mails are staff addresses",
	"alert_events":          "KPI alerts: aggregates",
	"alert_deliveries":      "where alerts went: staff addresses and webhooks",
	"kpi_definitions":       "KPI definitions and who changed them (staff)",
	"settings":              "settings; the board pack's recipients are staff",
	"audit_log":             "who did what: staff and systems; customers appear by id only",
	"suppressions":          "hashes of erased identities, kept so that they stay erased",
	"scrub_pending":         "table names",
	"schema_migrations":     "migration names",
	"response_rollup":       "counts per score",
	"response_rollup_month": "counts per score",
	"case_rollup":           "counts per day",
	"case_rollup_month":     "counts per month",
	"churn_rollup":          "counts per join and churn day",
	"rollup_state":          "watermarks",
	"divisions":             "the company's division names",
	"saved_views":           "staff's saved queue filters",
	"text_models":           "sentiment models trained on labelled texts: weights, no texts",
}

// dataTableOf returns the entry of a table.
func dataTableOf(name string) (dataTable, bool) {
	for _, t := range customerData {
		if t.Table == name {
			return t, true
		}
	}
	return dataTable{}, false
}

// personalName matches column names that suggest personal data.
var personalName = regexp.MustCompile(`(^|_)(customer_id|email|e_mail|phone|name|first_name|last_name|comment|body|subject|description|` +
	`text|value|raw|address|recipients|traits|properties|context|answers|filename|data|reason|note|title|search|actor|user_id|anonymous_id|message_id)($|_)`)

// CustomerDataGaps reads the schema and lists every table or column that
// looks like customer data and is on neither list, and every listed table
// or column the schema lacks. Empty means the list is complete.
func (db *DB) CustomerDataGaps(ctx context.Context) ([]string, error) {
	cols, err := db.columns(ctx)
	if err != nil {
		return nil, err
	}
	var gaps []string
	for table, cs := range cols {
		if strings.HasPrefix(table, "river_") { // the job queue's own tables: ids and job names
			continue
		}
		t, listed := dataTableOf(table)
		if _, exempt := notCustomerData[table]; exempt && !listed {
			if slices.Contains(cs, "customer_id") {
				gaps = append(gaps, table+": has customer_id but is listed as holding no customer data")
			}
			continue
		}
		for _, c := range cs {
			if !personalName.MatchString(c) || c == t.Key {
				continue
			}
			switch {
			case !listed:
				gaps = append(gaps, fmt.Sprintf("%s.%s looks like customer data; the table is on neither list", table, c))
			case !slices.Contains(t.PII, c) && !slices.Contains(t.Plain, c):
				gaps = append(gaps, fmt.Sprintf("%s.%s looks like customer data; name it in PII or Plain", table, c))
			}
		}
	}
	for _, t := range db.tables() {
		cs, ok := cols[t.Table]
		if !ok {
			gaps = append(gaps, t.Table+": listed but not in the schema")
			continue
		}
		for _, c := range append(append([]string{}, t.PII...), t.Plain...) {
			if !slices.Contains(cs, c) {
				gaps = append(gaps, fmt.Sprintf("%s.%s: listed but not in the schema", t.Table, c))
			}
		}
		for c := range t.Anon {
			if !slices.Contains(t.PII, c) {
				gaps = append(gaps, fmt.Sprintf("%s.%s: anonymised but not named in PII", t.Table, c))
			}
		}
		if t.Erase == eraseAnonymise && len(t.Anon) == 0 || t.Key == "" && t.Where == "" {
			gaps = append(gaps, t.Table+": the entry is incomplete")
		}
	}
	sort.Strings(gaps)
	return gaps, nil
}

// columns lists every table's columns, from the database's own catalogue.
func (db *DB) columns(ctx context.Context) (map[string][]string, error) {
	q := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	if db.dialect == Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	rows, err := db.r.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		out[t] = append(out[t], c)
	}
	return out, rows.Err()
}

// recomputed rebuilds the tables marked mergeRecompute for one customer
// after rows moved to or from it. The customers row and customer_divisions
// are recomputed by their own code (refreshCustomer in the same
// transaction, the rollup job within the minute).
var recomputed = map[string]func(ctx context.Context, tx *sql.Tx, cust int64) error{
	"consent_state":   recomputeConsent,
	"customer_scores": forgetScores,
}

// forgetScores drops a customer's scores after a merge or unmerge moved
// their history: the risk job scores them again on its next run, rather
// than leaving figures of a history that changed.
func forgetScores(ctx context.Context, tx *sql.Tx, cust int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM customer_scores WHERE customer_id = $1", cust)
	return err
}

// moveCustomerRows moves every row of customer x to survivor as the list
// says, recording under merge mid what moved, so that unmerge can put
// exactly that back.
func moveCustomerRows(ctx context.Context, tx *sql.Tx, mid, survivor, x int64) error {
	for _, t := range customerData {
		var qs []string
		switch t.Merge {
		case mergeMove:
			qs = []string{"INSERT INTO merge_moves (merge_id, tbl, row_id) SELECT $1, '" + t.Table + "', id FROM " + t.Table + " WHERE " + t.Key + " = $2",
				"UPDATE " + t.Table + " SET " + t.Key + " = $1 WHERE " + t.Key + " = $2"}
		case mergeIdentities:
			qs = []string{"INSERT INTO merge_identities (merge_id, type, value) SELECT $1, type, value FROM identities WHERE customer_id = $2",
				"UPDATE identities SET customer_id = $1 WHERE customer_id = $2"}
		default:
			continue
		}
		if _, err := tx.ExecContext(ctx, qs[0], mid, x); err != nil {
			return fmt.Errorf("%s: %w", t.Table, err)
		}
		if _, err := tx.ExecContext(ctx, qs[1], survivor, x); err != nil {
			return fmt.Errorf("%s: %w", t.Table, err)
		}
	}
	for _, fn := range recomputed {
		if err := fn(ctx, tx, survivor); err != nil {
			return err
		}
	}
	return nil
}

// unmoveCustomerRows moves back what merge mid moved from merged to
// survivor (rows that moved on since stay where they are).
func unmoveCustomerRows(ctx context.Context, tx *sql.Tx, mid, survivor, merged int64) error {
	for _, t := range customerData {
		var q string
		switch t.Merge {
		case mergeMove:
			q = "UPDATE " + t.Table + " SET " + t.Key + " = $1 WHERE " + t.Key + " = $2 AND id IN (SELECT row_id FROM merge_moves WHERE merge_id = $3 AND tbl = '" + t.Table + "')"
		case mergeIdentities:
			q = `UPDATE identities SET customer_id = $1 WHERE customer_id = $2 AND EXISTS (SELECT 1 FROM merge_identities m
				WHERE m.merge_id = $3 AND m.type = identities.type AND m.value = identities.value)`
		default:
			continue
		}
		if _, err := tx.ExecContext(ctx, q, merged, survivor, mid); err != nil {
			return fmt.Errorf("unmerge %s: %w", t.Table, err)
		}
	}
	for _, fn := range recomputed {
		for _, c := range []int64{survivor, merged} {
			if err := fn(ctx, tx, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// CustomerDataList describes the list for the privacy page.
func (s *PrivacyService) CustomerDataList(ctx context.Context) ([]tp.DataTableInfo, error) {
	if err := can(ctx, tp.ActPrivacyManage); err != nil {
		return nil, err
	}
	out := make([]tp.DataTableInfo, 0, len(customerData))
	for _, t := range customerData {
		out = append(out, tp.DataTableInfo{Table: t.Table, Why: t.Why, PII: t.PII, Merge: string(t.Merge), Erase: string(t.Erase)})
	}
	return out, nil
}
