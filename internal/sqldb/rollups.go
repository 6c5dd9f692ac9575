package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

const usPerDay = 86400000000

// overlap is how far back each refresh looks beyond its last mark, so a
// transaction that began before the mark and committed after it is not missed.
const overlap = time.Minute

func (db *DB) mark(ctx context.Context, q querier, name string) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, "SELECT value FROM rollup_state WHERE name = $1", name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

func setMark(ctx context.Context, tx *sql.Tx, name string, v int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rollup_state (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, v)
	return err
}

// RollupReport says what a refresh did.
type RollupReport struct {
	CaseDays  int  // days of the case rollup recomputed
	Churn     bool // churn base changed
	Customers int  // customers whose division activity was (re)computed
}

// RefreshRollups brings the case and churn rollups up to date with the raw
// data changed since the last refresh. The job runs it every minute; the
// survey rollups are kept current in the answer's own transaction.
func (s *CockpitService) RefreshRollups(ctx context.Context) (RollupReport, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return RollupReport{}, err
	}
	var rep RollupReport
	var err error
	if rep.CaseDays, err = s.db.refreshCaseRollup(ctx, nil); err != nil {
		return rep, fmt.Errorf("case rollup: %w", err)
	}
	if rep.Churn, rep.Customers, err = s.db.refreshChurn(ctx); err != nil {
		return rep, fmt.Errorf("churn rollup: %w", err)
	}
	return rep, nil
}

// RecomputeRollups rebuilds every rollup from raw data: the survey rollups
// of every survey, the case rollup and the churn base.
func (s *CockpitService) RecomputeRollups(ctx context.Context, progress func(string)) (RollupReport, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return RollupReport{}, err
	}
	surveys, err := s.db.surveys().ListSurveys(ctx)
	if err != nil {
		return RollupReport{}, err
	}
	for _, x := range surveys {
		if err := s.db.surveys().RecomputeRollup(ctx, x.ID); err != nil {
			return RollupReport{}, fmt.Errorf("survey %d: %w", x.ID, err)
		}
	}
	progress(fmt.Sprintf("survey rollups: %d surveys", len(surveys)))
	if err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, q := range []string{"DELETE FROM case_rollup", "DELETE FROM case_rollup_month", "DELETE FROM customer_divisions", "DELETE FROM churn_rollup", "DELETE FROM rollup_state WHERE name <> 'board_pack_month'"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return RollupReport{}, err
	}
	var rep RollupReport
	if rep.CaseDays, err = s.db.refreshCaseRollup(ctx, progress); err != nil {
		return rep, fmt.Errorf("case rollup: %w", err)
	}
	if rep.Churn, rep.Customers, err = s.db.refreshChurn(ctx); err != nil {
		return rep, fmt.Errorf("churn rollup: %w", err)
	}
	progress(fmt.Sprintf("case rollup: %d days; churn base: %d customers", rep.CaseDays, rep.Customers))
	return rep, nil
}

type caseRollupKey struct {
	day                     int64
	div, dept, ch, category string
}

// refreshCaseRollup recomputes the days whose cases changed, whose SLA due
// times passed, or whose detractor cases' customers answered again.
func (db *DB) refreshCaseRollup(ctx context.Context, progress func(string)) (int, error) {
	last, err := db.mark(ctx, db.r, "case_rollup_us")
	if err != nil {
		return 0, err
	}
	now := tp.ToMicros(db.Now())
	since := last - overlap.Microseconds()
	if last == 0 {
		since = 0
	}
	// Four indexed questions rather than one OR, which would scan every case.
	rows, err := db.r.QueryContext(ctx, `SELECT created_us / 86400000000 FROM cases WHERE updated_us >= $1
		UNION SELECT created_us / 86400000000 FROM cases WHERE first_due_us >= $1 AND first_due_us <= $2
		UNION SELECT created_us / 86400000000 FROM cases WHERE resolve_due_us >= $1 AND resolve_due_us <= $2
		UNION SELECT c.created_us / 86400000000 FROM responses r JOIN cases c ON c.customer_id = r.customer_id
			WHERE r.updated_us >= $1 AND c.source = 'survey' AND c.category = 'detractor'`, since, now)
	if err != nil {
		return 0, err
	}
	var days []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return 0, err
		}
		days = append(days, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	// Runs of consecutive days, at most 31 long, are read and replaced together.
	for i := 0; i < len(days); {
		j := i + 1
		for j < len(days) && days[j] == days[j-1]+1 && days[j]-days[i] < 31 {
			j++
		}
		if err := db.rollupCaseDays(ctx, days[i], days[j-1]); err != nil {
			return 0, err
		}
		if progress != nil {
			progress(fmt.Sprintf("case rollup: %d of %d days", j, len(days)))
		}
		i = j
	}
	return len(days), db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return setMark(ctx, tx, "case_rollup_us", now)
	})
}

func (db *DB) rollupCaseDays(ctx context.Context, first, last int64) error {
	outcomes, err := db.caseOutcomes(ctx, "c.created_us >= $1 AND c.created_us < $2", []any{first * usPerDay, (last + 1) * usPerDay})
	if err != nil {
		return err
	}
	sums := map[caseRollupKey]*caseCounts{}
	for _, o := range outcomes {
		k := caseRollupKey{tp.ToMicros(o.CreatedAt) / usPerDay, o.Division, o.Department, o.Channel, o.Category}
		c := sums[k]
		if c == nil {
			c = &caseCounts{}
			sums[k] = c
		}
		c.add(o)
	}
	return db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM case_rollup WHERE day >= $1 AND day <= $2", first, last); err != nil {
			return err
		}
		for k, c := range sums {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_rollup (day, month, division, department, channel, category,
				volume, sla_n, sla_met, resolved, reopened, fcr, recovery_n, recovered)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
				k.day, monthIndex(time.Unix(k.day*86400, 0)), k.div, k.dept, k.ch, k.category,
				c.volume, c.slaN, c.slaMet, c.resolved, c.reopened, c.fcr, c.recoveryN, c.recovered); err != nil {
				return err
			}
		}
		// The months these days fall in are summed again from the days.
		m1, m2 := monthIndex(time.Unix(first*86400, 0)), monthIndex(time.Unix(last*86400, 0))
		if _, err := tx.ExecContext(ctx, "DELETE FROM case_rollup_month WHERE month >= $1 AND month <= $2", m1, m2); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO case_rollup_month (month, division, department, channel, category,
			volume, sla_n, sla_met, resolved, reopened, fcr, recovery_n, recovered)
			SELECT month, division, department, channel, category, SUM(volume), SUM(sla_n), SUM(sla_met), SUM(resolved),
			SUM(reopened), SUM(fcr), SUM(recovery_n), SUM(recovered) FROM case_rollup WHERE month >= $1 AND month <= $2
			GROUP BY month, division, department, channel, category`, m1, m2)
		return err
	})
}

// Churn rule: the current version of the churn definition.

// ChurnRule returns the churn definition in force and its version (0 = the default).
func (s *CockpitService) ChurnRule(ctx context.Context) (tp.ChurnRule, int, error) {
	if err := can(ctx, tp.ActKPIRead); err != nil {
		return tp.ChurnRule{}, 0, err
	}
	return s.db.churnRule(ctx)
}

func (db *DB) churnRule(ctx context.Context) (tp.ChurnRule, int, error) {
	var params string
	var version int
	err := db.r.QueryRowContext(ctx, "SELECT params, version FROM kpi_definitions WHERE kpi = 'churn_rate' ORDER BY version DESC LIMIT 1").Scan(&params, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return tp.DefaultChurnRule, 0, nil
	}
	if err != nil {
		return tp.ChurnRule{}, 0, err
	}
	var r tp.ChurnRule
	return r, version, json.Unmarshal([]byte(params), &r)
}

// SetChurnRule stores a new version of the churn definition (the actor and
// time are recorded); the next refresh rebuilds the churn base under it.
func (s *CockpitService) SetChurnRule(ctx context.Context, r tp.ChurnRule, note string) (*tp.DefinitionVersion, error) {
	if err := can(ctx, tp.ActKPIManage); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if err := can(ctx, tp.ActKPIManage); err != nil {
		return nil, err
	}
	params, _ := json.Marshal(r)
	v := &tp.DefinitionVersion{KPI: "churn_rate", Params: params, Note: strings.TrimSpace(note), Actor: actorOf(ctx), CreatedAt: s.db.Now()}
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM kpi_definitions WHERE kpi = $1", v.KPI).Scan(&v.Version); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO kpi_definitions (kpi, version, params, note, actor, created_us) VALUES ($1, $2, $3, $4, $5, $6)`,
			v.KPI, v.Version, string(params), v.Note, v.Actor, tp.ToMicros(v.CreatedAt))
		if err != nil {
			return err
		}
		return audit(ctx, tx, tp.ToMicros(v.CreatedAt), "kpi.define", fmt.Sprintf("%s version %d", v.KPI, v.Version), string(params)+" "+v.Note)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// DefinitionHistory lists every stored definition version, newest first.
func (s *CockpitService) DefinitionHistory(ctx context.Context) ([]tp.DefinitionVersion, error) {
	if err := can(ctx, tp.ActKPIRead); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT kpi, version, params, note, actor, created_us FROM kpi_definitions ORDER BY created_us DESC, version DESC")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.DefinitionVersion{}
	for rows.Next() {
		var v tp.DefinitionVersion
		var params string
		var at int64
		if err := rows.Scan(&v.KPI, &v.Version, &params, &v.Note, &v.Actor, &at); err != nil {
			return nil, err
		}
		v.Params, v.CreatedAt = json.RawMessage(params), tp.FromMicros(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// divisionActivitySQL computes customer_divisions rows from events: per
// customer and division (and ” for any division) the first event and the
// first churn event. The caller adds the event selection as $1.. and the
// churn event name.
const divisionActivitySQL = `SELECT * FROM (
	SELECT customer_id, division, MIN(ts_us) AS first_us, MIN(CASE WHEN type = 'track' AND name = $%[1]d THEN ts_us END) AS churned_us
	FROM events WHERE %[2]s AND division <> '' GROUP BY customer_id, division
	UNION ALL
	SELECT customer_id, '', MIN(ts_us), MIN(CASE WHEN type = 'track' AND name = $%[1]d THEN ts_us END)
	FROM events WHERE %[2]s GROUP BY customer_id) AS x WHERE true
	ON CONFLICT (customer_id, division) DO UPDATE SET
	first_us = CASE WHEN excluded.first_us < customer_divisions.first_us THEN excluded.first_us ELSE customer_divisions.first_us END,
	churned_us = CASE WHEN customer_divisions.churned_us IS NULL OR excluded.churned_us < customer_divisions.churned_us
		THEN excluded.churned_us ELSE customer_divisions.churned_us END`

// refreshChurn brings customer_divisions up to date with new events, merges,
// unmerges and (for a trait rule) trait changes, then rebuilds the small
// churn rollup if anything changed.
func (db *DB) refreshChurn(ctx context.Context) (changed bool, customers int, err error) {
	rule, version, err := db.churnRule(ctx)
	if err != nil {
		return false, 0, err
	}
	ruleMark, err := db.mark(ctx, db.r, "churn_rule_version")
	if err != nil {
		return false, 0, err
	}
	rebuild := ruleMark != int64(version)
	var lastEvent, lastMerge, lastTrait int64
	if !rebuild {
		for name, p := range map[string]*int64{"churn_event_id": &lastEvent, "churn_merge_us": &lastMerge, "churn_trait_id": &lastTrait} {
			if *p, err = db.mark(ctx, db.r, name); err != nil {
				return false, 0, err
			}
		}
	}
	now := tp.ToMicros(db.Now())
	err = db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		changed, customers = false, 0
		var maxEvent, maxTrait int64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM events").Scan(&maxEvent); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM trait_history").Scan(&maxTrait); err != nil {
			return err
		}
		if rebuild {
			if _, err := tx.ExecContext(ctx, "DELETE FROM customer_divisions"); err != nil {
				return err
			}
			changed = true
		}
		if maxEvent > lastEvent {
			res, err := tx.ExecContext(ctx, "INSERT INTO customer_divisions (customer_id, division, first_us, churned_us) "+
				fmt.Sprintf(divisionActivitySQL, 3, "id > $1 AND id <= $2"), lastEvent, maxEvent, rule.Event)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			customers += int(n)
			changed = true
		}
		// Merged and unmerged customers' events moved: recompute them whole.
		var moved []int64
		if lastMerge > 0 {
			rows, err := tx.QueryContext(ctx, `SELECT survivor_id, merged_id FROM merges WHERE created_us >= $1 OR undone_us >= $1`, lastMerge-overlap.Microseconds())
			if err != nil {
				return err
			}
			for rows.Next() {
				var a, b int64
				if err := rows.Scan(&a, &b); err != nil {
					rows.Close()
					return err
				}
				moved = append(moved, a, b)
			}
			rows.Close()
		}
		for _, id := range moved {
			if _, err := tx.ExecContext(ctx, "DELETE FROM customer_divisions WHERE customer_id = $1", id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO customer_divisions (customer_id, division, first_us, churned_us) "+
				fmt.Sprintf(divisionActivitySQL, 2, "customer_id = $1"), id, rule.Event); err != nil {
				return err
			}
			changed = true
		}
		customers += len(moved)
		if rule.Trait != "" && (maxTrait > lastTrait || len(moved) > 0) {
			// Traits are stored as compact JSON: "cancelled" matches the string, true the boolean.
			quoted, _ := json.Marshal(rule.Value)
			if _, err := tx.ExecContext(ctx, `UPDATE customer_divisions SET churned_us = (SELECT MIN(COALESCE(h.new_us, h.changed_us))
				FROM trait_history h WHERE h.customer_id = customer_divisions.customer_id AND h.key = $1 AND (h.new_value = $2 OR h.new_value = $3))
				WHERE customer_id IN (SELECT customer_id FROM trait_history WHERE id > $4 AND key = $1)`, rule.Trait, string(quoted), rule.Value, lastTrait); err != nil {
				return err
			}
			for _, id := range moved {
				if _, err := tx.ExecContext(ctx, `UPDATE customer_divisions SET churned_us = (SELECT MIN(COALESCE(h.new_us, h.changed_us))
					FROM trait_history h WHERE h.customer_id = $4 AND h.key = $1 AND (h.new_value = $2 OR h.new_value = $3)) WHERE customer_id = $4`,
					rule.Trait, string(quoted), rule.Value, id); err != nil {
					return err
				}
			}
			changed = true
		}
		if changed {
			if err := rebuildChurnRollup(ctx, tx); err != nil {
				return err
			}
		}
		for name, v := range map[string]int64{"churn_event_id": maxEvent, "churn_merge_us": now, "churn_trait_id": maxTrait, "churn_rule_version": int64(version)} {
			if err := setMark(ctx, tx, name, v); err != nil {
				return err
			}
		}
		return nil
	})
	return changed, customers, err
}

// rebuildChurnRollup recounts, per division, the live customers by the day
// they became active and the day they churned (−1: not churned).
func rebuildChurnRollup(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM churn_rollup"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO churn_rollup (division, join_day, churn_day, n)
		SELECT cd.division, cd.first_us / 86400000000, COALESCE(cd.churned_us / 86400000000, -1), COUNT(*)
		FROM customer_divisions cd JOIN customers cu ON cu.id = cd.customer_id WHERE cu.merged_into IS NULL
		GROUP BY cd.division, cd.first_us / 86400000000, COALESCE(cd.churned_us / 86400000000, -1)`)
	return err
}
