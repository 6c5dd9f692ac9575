package sqldb

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

const customerCols = "id, name, email, phone, locale, country, merged_into, first_seen_us, last_seen_us, created_us, updated_us"

func scanCustomer(row interface{ Scan(...any) error }) (*tp.Customer, error) {
	var c tp.Customer
	var merged sql.NullInt64
	var first, last, created, updated int64
	if err := row.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.Locale, &c.Country, &merged, &first, &last, &created, &updated); err != nil {
		return nil, err
	}
	if first != 0 {
		c.FirstSeen, c.LastSeen = tp.FromMicros(first), tp.FromMicros(last)
	}
	c.MergedInto = merged.Int64
	c.CreatedAt, c.UpdatedAt = tp.FromMicros(created), tp.FromMicros(updated)
	return &c, nil
}

// FindCustomers searches live customers by name, e-mail, phone or any trait
// value, most recently updated first.
func (s *CustomerService) FindCustomers(ctx context.Context, f tp.CustomerFilter) ([]tp.Customer, error) {
	if err := can(ctx, tp.ActCustomerRead); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	where, args := "merged_into IS NULL", []any{}
	if q != "" {
		args = append(args, "%"+likeEscape(q)+"%")
		cond := "search LIKE $1 ESCAPE '\\'"
		// A phone number typed in national form ("0170 123…") still finds "+49170123…".
		if digits := strings.TrimLeft(onlyDigits(q), "0"); len(digits) >= 6 && len(digits)*2 >= len(q) {
			args = append(args, "%"+digits+"%")
			cond = "(" + cond + " OR phone LIKE $2)"
		}
		where += " AND " + cond
	}
	if len(f.IDs) > 0 {
		if len(f.IDs) > 500 {
			return nil, tp.Errorf(tp.EINVALID, "at most 500 customer ids at once")
		}
		var ph []string
		for _, id := range f.IDs {
			args = append(args, id)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		where += " AND id IN (" + strings.Join(ph, ", ") + ")"
		limit = len(f.IDs)
	}
	args = append(args, limit)
	rows, err := s.db.r.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM customers WHERE %s ORDER BY last_seen_us DESC, id DESC LIMIT $%d",
		customerCols, where, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("search customers: %w", err)
	}
	defer rows.Close()
	out := []tp.Customer{}
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindCustomerByID returns a customer with traits, identities and merges. A
// customer merged away is returned too, with MergedInto naming the survivor.
func (s *CustomerService) FindCustomerByID(ctx context.Context, id int64) (*tp.Customer, error) {
	if err := can(ctx, tp.ActCustomerRead); err != nil {
		return nil, err
	}
	return findCustomer(ctx, s.db.r, id)
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func findCustomer(ctx context.Context, q querier, id int64) (*tp.Customer, error) {
	c, err := scanCustomer(q.QueryRowContext(ctx, "SELECT "+customerCols+" FROM customers WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.ENOTFOUND, "customer %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load customer: %w", err)
	}
	c.Traits = map[string]tp.Trait{}
	rows, err := q.QueryContext(ctx, "SELECT key, value, updated_us FROM customer_traits WHERE customer_id = $1", id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k, v string
		var us int64
		if err := rows.Scan(&k, &v, &us); err != nil {
			rows.Close()
			return nil, err
		}
		c.Traits[k] = tp.Trait{Value: []byte(v), UpdatedAt: tp.FromMicros(us)}
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, "SELECT type, value FROM identities WHERE customer_id = $1 ORDER BY type, value", id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var i tp.Identity
		if err := rows.Scan(&i.Type, &i.Value); err != nil {
			rows.Close()
			return nil, err
		}
		c.Identities = append(c.Identities, i)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, survivor_id, merged_id, reason, actor, created_us, undone_us, undone_by
		FROM merges WHERE survivor_id = $1 OR merged_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m tp.Merge
		var created int64
		var undone sql.NullInt64
		if err := rows.Scan(&m.ID, &m.SurvivorID, &m.MergedID, &m.Reason, &m.Actor, &created, &undone, &m.UndoneBy); err != nil {
			return nil, err
		}
		m.CreatedAt = tp.FromMicros(created)
		if undone.Valid {
			t := tp.FromMicros(undone.Int64)
			m.UndoneAt = &t
		}
		c.Merges = append(c.Merges, m)
	}
	return c, rows.Err()
}

// FindCustomerByIdentity returns the customer an identity points at.
func (s *CustomerService) FindCustomerByIdentity(ctx context.Context, id tp.Identity) (*tp.Customer, error) {
	if err := can(ctx, tp.ActCustomerRead); err != nil {
		return nil, err
	}
	return customerByIdentity(ctx, s.db.r, id)
}

func customerByIdentity(ctx context.Context, q querier, id tp.Identity) (*tp.Customer, error) {
	var cust int64
	err := q.QueryRowContext(ctx, "SELECT customer_id FROM identities WHERE type = $1 AND value = $2", id.Type, id.Value).Scan(&cust)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.ENOTFOUND, "no customer has identity %s", id)
	}
	if err != nil {
		return nil, fmt.Errorf("look up identity: %w", err)
	}
	return findCustomer(ctx, q, cust)
}

// Timeline returns one page of a customer's events, newest first.
func (s *CustomerService) Timeline(ctx context.Context, customerID int64, f tp.TimelineFilter) (*tp.TimelinePage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > 500 {
		return nil, tp.Errorf(tp.EINVALID, "limit may be at most 500").WithFields(map[string]string{"limit": "max 500"})
	}
	if _, err := s.FindCustomerByID(ctx, customerID); err != nil { // asks the policy too
		return nil, err
	}
	args := []any{customerID}
	where := "e.customer_id = $1"
	if f.Channel != "" {
		args = append(args, f.Channel)
		where += fmt.Sprintf(" AND e.channel = $%d", len(args))
	}
	if f.Department != "" {
		args = append(args, f.Department)
		where += fmt.Sprintf(" AND e.department = $%d", len(args))
	}
	if f.Cursor != "" {
		ts, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		args = append(args, ts, id)
		where += fmt.Sprintf(" AND (e.ts_us < $%d OR (e.ts_us = $%d AND e.id < $%d))", len(args)-1, len(args)-1, len(args))
	}
	args = append(args, limit+1)
	rows, err := s.db.r.QueryContext(ctx, fmt.Sprintf(`SELECT e.id, e.message_id, e.source_id, s.name, e.customer_id, e.type, e.name,
		e.channel, e.department, e.division, e.ts_us, e.received_us, e.user_id, e.anonymous_id, e.properties, e.traits, e.context
		FROM events e JOIN sources s ON s.id = e.source_id WHERE %s ORDER BY e.ts_us DESC, e.id DESC LIMIT $%d`, where, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	page := &tp.TimelinePage{Events: []tp.Event{}}
	for rows.Next() {
		var e tp.Event
		var ts, recv int64
		var props, traits, ectx sql.NullString
		if err := rows.Scan(&e.ID, &e.MessageID, &e.SourceID, &e.SourceName, &e.CustomerID, &e.Type, &e.Name, &e.Channel,
			&e.Department, &e.Division, &ts, &recv, &e.UserID, &e.AnonymousID, &props, &traits, &ectx); err != nil {
			return nil, err
		}
		e.Timestamp, e.ReceivedAt = tp.FromMicros(ts), tp.FromMicros(recv)
		e.Properties, e.Traits, e.Context = nullString(props), nullString(traits), nullString(ectx)
		page.Events = append(page.Events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Events) > limit {
		page.Events = page.Events[:limit]
		last := page.Events[limit-1]
		page.NextCursor = encodeCursor(tp.ToMicros(last.Timestamp), last.ID)
	}
	return page, nil
}

func encodeCursor(ts, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(ts, 10) + "." + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (ts, id int64, err error) {
	bad := tp.Errorf(tp.EINVALID, "the cursor is not one this server issued").WithFields(map[string]string{"cursor": "invalid"})
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, bad
	}
	a, z, ok := strings.Cut(string(b), ".")
	if !ok {
		return 0, 0, bad
	}
	if ts, err = strconv.ParseInt(a, 10, 64); err != nil {
		return 0, 0, bad
	}
	if id, err = strconv.ParseInt(z, 10, 64); err != nil {
		return 0, 0, bad
	}
	return ts, id, nil
}

// TraitHistory returns a customer's trait changes, newest first.
func (s *CustomerService) TraitHistory(ctx context.Context, customerID int64) ([]tp.TraitChange, error) {
	if err := can(ctx, tp.ActCustomerRead); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT key, old_value, new_value, new_us, changed_us, merge_id FROM trait_history
		WHERE customer_id = $1 ORDER BY id DESC LIMIT 500`, customerID)
	if err != nil {
		return nil, fmt.Errorf("trait history: %w", err)
	}
	defer rows.Close()
	out := []tp.TraitChange{}
	for rows.Next() {
		var c tp.TraitChange
		var oldV, newV sql.NullString
		var newUS sql.NullInt64
		var changed int64
		var mid sql.NullInt64
		if err := rows.Scan(&c.Key, &oldV, &newV, &newUS, &changed, &mid); err != nil {
			return nil, err
		}
		c.OldValue, c.NewValue, c.MergeID = nullString(oldV), nullString(newV), mid.Int64
		c.ChangedAt = tp.FromMicros(changed)
		if newUS.Valid {
			c.ChangedAt = tp.FromMicros(newUS.Int64)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Unmerge reverses merge mergeID of survivor customerID exactly: the events
// and identities that moved go back, the survivor's traits that the merge
// overwrote are restored (unless changed since), and the merged customer
// becomes live again.
func (s *CustomerService) Unmerge(ctx context.Context, customerID, mergeID int64) (*tp.Customer, error) {
	if err := can(ctx, tp.ActCustomerUnmerge); err != nil {
		return nil, err
	}
	actor := actorOf(ctx)
	var merged int64
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var survivor int64
		var undone sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT survivor_id, merged_id, undone_us FROM merges WHERE id = $1"+s.db.forUpdate(), mergeID).
			Scan(&survivor, &merged, &undone)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && survivor != customerID) {
			return tp.Errorf(tp.ENOTFOUND, "customer %d has no merge %d", customerID, mergeID)
		}
		if err != nil {
			return err
		}
		if undone.Valid {
			return tp.Errorf(tp.ECONFLICT, "merge %d was already undone", mergeID)
		}
		// Lock both customers (in id order, as ingestion does) against concurrent ingestion.
		var into sql.NullInt64
		rows, err := tx.QueryContext(ctx, "SELECT id, merged_into FROM customers WHERE id IN ($1, $2) ORDER BY id"+s.db.forUpdate(), survivor, merged)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var mi sql.NullInt64
			if err := rows.Scan(&id, &mi); err != nil {
				rows.Close()
				return err
			}
			if id == survivor {
				into = mi
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if into.Valid {
			return tp.Errorf(tp.ECONFLICT, "customer %d was itself merged into customer %d; undo that merge first", survivor, into.Int64)
		}
		now := tp.ToMicros(s.db.Now())
		if err := s.db.lockIdentities(ctx, tx); err != nil {
			return err
		}
		if err := s.db.idents.changed(ctx, tx); err != nil { // identities move back
			return err
		}
		if err := unmoveCustomerRows(ctx, tx, mergeID, survivor, merged); err != nil {
			return err
		}
		if err := restoreTraits(ctx, tx, survivor, mergeID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE customers SET merged_into = NULL, updated_us = $1 WHERE id = $2", now, merged); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE merges SET undone_us = $1, undone_by = $2 WHERE id = $3", now, actor, mergeID); err != nil {
			return err
		}
		for _, c := range []int64{survivor, merged} {
			if err := recomputeSeen(ctx, tx, c); err != nil {
				return err
			}
			t, err := loadTraits(ctx, tx, nil, c)
			if err != nil {
				return err
			}
			if err := refreshCustomer(ctx, s.db, tx, c, t, now); err != nil {
				return err
			}
		}
		return audit(ctx, tx, now, "customer.unmerge", fmt.Sprintf("customer %d", survivor), fmt.Sprintf("merge %d undone: customer %d restored", mergeID, merged))
	})
	if err != nil {
		return nil, err
	}
	return s.FindCustomerByID(ctx, merged)
}

// restoreTraits puts back the survivor's traits that merge mergeID overwrote,
// skipping any that changed again after the merge.
func restoreTraits(ctx context.Context, tx *sql.Tx, cust, mergeID, now int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT key, old_value, old_us, new_value, new_us FROM trait_history
		WHERE merge_id = $1 AND customer_id = $2 ORDER BY id DESC`, mergeID, cust)
	if err != nil {
		return err
	}
	type change struct {
		key          string
		oldV, newV   sql.NullString
		oldUS, newUS sql.NullInt64
	}
	var changes []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.key, &c.oldV, &c.oldUS, &c.newV, &c.newUS); err != nil {
			rows.Close()
			return err
		}
		changes = append(changes, c)
	}
	rows.Close()
	cur, err := loadTraits(ctx, tx, nil, cust)
	if err != nil {
		return err
	}
	for _, c := range changes {
		now_, ok := cur[c.key]
		if !ok || now_.value != c.newV.String || now_.us != c.newUS.Int64 {
			continue // changed since the merge: the newer value stands
		}
		if c.oldV.Valid {
			if _, err := tx.ExecContext(ctx, "UPDATE customer_traits SET value = $1, updated_us = $2 WHERE customer_id = $3 AND key = $4",
				c.oldV.String, c.oldUS.Int64, cust, c.key); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, "DELETE FROM customer_traits WHERE customer_id = $1 AND key = $2", cust, c.key); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO trait_history (customer_id, key, old_value, old_us, new_value, new_us, changed_us, merge_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, cust, c.key, c.newV, c.newUS, c.oldV, c.oldUS, now, mergeID); err != nil {
			return err
		}
	}
	return nil
}
