package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Data-subject rights: export (GDPR Art. 15) and erasure (Art. 17), both by
// the customer-data list, and the suppression list that keeps an erased
// identity from coming back through a tracking SDK.

// profiles lists the customer id (followed to the profile that survived a
// merge) and every profile merged into it, the survivor first.
func profiles(ctx context.Context, q querier, id int64) ([]int64, error) {
	for {
		c, err := findCustomerRow(ctx, q, id)
		if err != nil {
			return nil, err
		}
		if c.MergedInto == 0 {
			break
		}
		id = c.MergedInto
	}
	rows, err := q.QueryContext(ctx, `WITH RECURSIVE p(id) AS (SELECT CAST($1 AS BIGINT) UNION SELECT c.id FROM customers c JOIN p ON c.merged_into = p.id)
		SELECT id FROM p`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{id}
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		if p != id {
			out = append(out, p)
		}
	}
	return out, rows.Err()
}

// findCustomerRow reads the customers row alone.
func findCustomerRow(ctx context.Context, q querier, id int64) (*tp.Customer, error) {
	c, err := scanCustomer(q.QueryRowContext(ctx, "SELECT "+customerCols+" FROM customers WHERE id = $1", id))
	if err == sql.ErrNoRows {
		return nil, tp.Errorf(tp.ENOTFOUND, "customer %d not found", id)
	}
	return c, err
}

// ExportCustomer gathers every row the customer-data list names for the
// person (their profile and every profile merged into it).
func (s *PrivacyService) ExportCustomer(ctx context.Context, id int64) (*tp.CustomerExport, error) {
	if err := can(ctx, tp.ActCustomerExport); err != nil {
		return nil, err
	}
	if err := s.db.DrainIntake(ctx); err != nil { // everything acknowledged is in the export
		return nil, err
	}
	ps, err := profiles(ctx, s.db.r, id)
	if err != nil {
		return nil, err
	}
	ex := &tp.CustomerExport{CustomerID: ps[0], ExportedAt: s.db.Now(), Profiles: ps, Tables: map[string][]map[string]any{}}
	for _, t := range s.db.tables() {
		for _, p := range ps {
			rows, err := dumpRows(ctx, s.db.r, "SELECT * FROM "+t.Table+" WHERE "+t.rowsOf(), p)
			if err != nil {
				return nil, fmt.Errorf("export %s: %w", t.Table, err)
			}
			for _, r := range rows {
				if t.Table == "case_attachments" {
					a := tp.ExportAttachment{ID: toInt(r["id"]), CaseID: toInt(r["case_id"]), Filename: toString(r["filename"]),
						ContentType: toString(r["content_type"]), Size: toInt(r["size"])}
					a.Data, _ = r["data"].([]byte)
					if s, ok := r["data"].(string); ok {
						a.Data = []byte(s)
					}
					r["data"] = nil
					if a.Data != nil {
						a.Path = fmt.Sprintf("attachments/%d-%s", a.ID, safeFilename(a.Filename))
						r["data"] = a.Path
					}
					ex.Attachments = append(ex.Attachments, a)
				}
				ex.Tables[t.Table] = append(ex.Tables[t.Table], r)
			}
		}
	}
	err = s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return audit(ctx, tx, tp.ToMicros(s.db.Now()), "customer.export", fmt.Sprintf("customer %d", ps[0]), fmt.Sprintf("%d profiles", len(ps)))
	})
	return ex, err
}

// dumpRows reads any rows as column → value, text where it is text.
func dumpRows(ctx context.Context, q querier, query string, args ...any) ([]map[string]any, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			v := vals[i]
			if b, ok := v.([]byte); ok && utf8.Valid(b) && c != "data" {
				v = string(b)
			}
			if s, ok := v.(string); ok && strings.HasSuffix(c, "_us") {
				v = s
			}
			m[c] = v
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// safeFilename keeps a file name usable inside a ZIP: no folders, no controls.
func safeFilename(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == '/' || r == '\\' || r == ':' {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}

// identityHash is how the suppression list knows an identity: never in
// clear text, so that the list itself holds nothing of the person.
func identityHash(id tp.Identity) string {
	sum := sha256.Sum256([]byte(id.Type + ":" + id.Value))
	return hex.EncodeToString(sum[:])
}

// EraseCustomer erases a person: every row the customer-data list names is
// deleted or irreversibly anonymised in one transaction (the numbers stay:
// case statistics, survey scores, activity counts), their identities go on
// the suppression list, and the storage is scrubbed so that no byte of
// them is left in the database files: at once on SQLite (secure_delete and
// a WAL checkpoint), by the scrub job on PostgreSQL (the tables touched are
// rewritten).
func (s *PrivacyService) EraseCustomer(ctx context.Context, id int64) (*tp.ErasureReport, error) {
	if err := can(ctx, tp.ActCustomerErase); err != nil {
		return nil, err
	}
	if err := s.db.DrainIntake(ctx); err != nil { // nothing of the person waits unresolved
		return nil, err
	}
	rep := &tp.ErasureReport{Deleted: map[string]int{}, Anonymised: map[string]int{}}
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := s.db.lockIdentities(ctx, tx); err != nil {
			return err
		}
		if err := s.db.idents.changed(ctx, tx); err != nil { // the person's identities go
			return err
		}
		ps, err := profiles(ctx, tx, id)
		if err != nil {
			return err
		}
		rep.CustomerID, rep.Profiles = ps[0], ps
		now := tp.ToMicros(s.db.Now())
		for _, p := range ps {
			n, err := suppress(ctx, tx, p, now)
			if err != nil {
				return err
			}
			rep.Suppressed += n
		}
		for _, t := range s.db.tables() {
			for _, p := range ps {
				n, err := eraseRows(ctx, tx, t, p)
				if err != nil {
					return fmt.Errorf("erase %s: %w", t.Table, err)
				}
				switch {
				case n == 0:
				case t.Erase == eraseDelete:
					rep.Deleted[t.Table] += n
				case t.Erase == eraseAnonymise:
					rep.Anonymised[t.Table] += n
				}
			}
			if t.Erase != eraseKeep {
				if err := s.db.scrubLater(ctx, tx, t.Table, now); err != nil {
					return err
				}
			}
		}
		for _, p := range ps {
			if _, err := tx.ExecContext(ctx, "UPDATE customers SET erased_us = $1, updated_us = $1 WHERE id = $2", now, p); err != nil {
				return err
			}
		}
		b, _ := json.Marshal(map[string]any{"deleted": rep.Deleted, "anonymised": rep.Anonymised, "suppressed": rep.Suppressed})
		return audit(ctx, tx, now, "customer.erase", fmt.Sprintf("customer %d", ps[0]), string(b))
	})
	if err != nil {
		return nil, err
	}
	s.db.suppressed.Store(true)
	rep.Scrub, err = s.db.scrubSoon(ctx)
	return rep, err
}

// eraseRows deletes or anonymises a table's rows of customer p.
func eraseRows(ctx context.Context, tx *sql.Tx, t dataTable, p int64) (int, error) {
	var q string
	switch t.Erase {
	case eraseDelete:
		q = "DELETE FROM " + t.Table + " WHERE " + t.rowsOf()
	case eraseAnonymise:
		var sets []string
		for _, c := range t.PII {
			if v, ok := t.Anon[c]; ok {
				sets = append(sets, c+" = "+v)
			}
		}
		q = "UPDATE " + t.Table + " SET " + strings.Join(sets, ", ") + " WHERE " + t.rowsOf()
	default:
		return 0, nil
	}
	res, err := tx.ExecContext(ctx, q, p)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// suppress puts a profile's identities on the suppression list.
func suppress(ctx context.Context, tx *sql.Tx, cust, now int64) (int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT type, value FROM identities WHERE customer_id = $1", cust)
	if err != nil {
		return 0, err
	}
	var ids []tp.Identity
	for rows.Next() {
		var id tp.Identity
		if err := rows.Scan(&id.Type, &id.Value); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, "INSERT INTO suppressions (identity_hash, erased_us) VALUES ($1, $2) ON CONFLICT (identity_hash) DO NOTHING",
			identityHash(id), now); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// Suppressions counts the identities on the suppression list.
func (s *PrivacyService) Suppressions(ctx context.Context) (int, error) {
	if err := can(ctx, tp.ActPrivacyManage); err != nil {
		return 0, err
	}
	var n int
	return n, s.db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM suppressions").Scan(&n)
}

// suppressedOf marks the messages that name an erased identity: they are
// acknowledged and dropped, so that an SDK sending an erased person again
// does not bring them back. While the list is known empty (looked at every
// few seconds, and set at once by an erasure here) it costs nothing.
func (db *DB) suppressedOf(ctx context.Context, tx *sql.Tx, msgs []tp.Message) (map[int]bool, error) {
	if !db.suppressed.Load() {
		now := time.Now().Unix()
		if now-db.suppressedSeen.Load() < 5 {
			return nil, nil
		}
		var any int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM suppressions LIMIT 1) s").Scan(&any); err != nil {
			return nil, err
		}
		db.suppressedSeen.Store(now)
		if any == 0 {
			return nil, nil
		}
		db.suppressed.Store(true)
	}
	byHash := map[string][]int{}
	var hashes []string
	for i := range msgs {
		for _, id := range append(msgs[i].Identities, aliasCandidates(&msgs[i])...) {
			h := identityHash(id)
			if byHash[h] == nil {
				hashes = append(hashes, h)
			}
			byHash[h] = append(byHash[h], i)
		}
	}
	out := map[int]bool{}
	for start := 0; start < len(hashes); start += flushAt {
		part := hashes[start:min(len(hashes), start+flushAt)]
		args := make([]any, len(part))
		for i, h := range part {
			args[i] = h
		}
		rows, err := tx.QueryContext(ctx, "SELECT identity_hash FROM suppressions WHERE identity_hash IN "+db.placeholders(1, len(part), 1), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return nil, err
			}
			for _, i := range byHash[h] {
				out[i] = true
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
