package sqldb

import (
	"context"
	"database/sql"
	"sort"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Divisions lists the division registry, sorted (empty: not set).
func (s *CockpitService) Divisions(ctx context.Context) ([]string, error) {
	if err := can(ctx, tp.ActKPIRead); err != nil {
		return nil, err
	}
	known, err := s.db.divisionRegistry(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(known))
	for n := range known {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// SetDivisions replaces the division registry.
func (s *CockpitService) SetDivisions(ctx context.Context, names []string) error {
	if err := can(ctx, tp.ActKPIManage); err != nil {
		return err
	}
	clean, err := tp.CleanDivisions(names)
	if err != nil {
		return err
	}
	return s.db.auditTx(ctx, "divisions.set", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		if _, err := tx.ExecContext(ctx, "DELETE FROM divisions"); err != nil {
			return "", "", err
		}
		for _, n := range clean {
			if _, err := tx.ExecContext(ctx, "INSERT INTO divisions (name) VALUES ($1)", n); err != nil {
				return "", "", err
			}
		}
		return "divisions", strings.Join(clean, ", "), nil
	})
}

func (db *DB) divisionRegistry(ctx context.Context) (map[string]bool, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT name FROM divisions")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// foldUnknownDivisions moves the numbers of divisions not in the registry
// into the one tp.DivisionUnassigned slice and returns their names.
func foldUnknownDivisions(known map[string]bool, all []sliceStats, churn churnDays) []string {
	unknown := map[string]bool{}
	for _, ss := range all {
		for name, st := range ss { // the row added here may come up in this loop: skip it
			if name == "" || name == tp.DivisionUnassigned || known[name] {
				continue
			}
			unknown[name] = true
			if ss[tp.DivisionUnassigned] == nil {
				ss[tp.DivisionUnassigned] = stats{}
			}
			for kpi, sc := range st {
				ss[tp.DivisionUnassigned].add(kpi, sc)
			}
			delete(ss, name)
		}
	}
	for name, counts := range churn {
		if name == "" || name == tp.DivisionUnassigned || known[name] {
			continue
		}
		unknown[name] = true
		churn[tp.DivisionUnassigned] = append(churn[tp.DivisionUnassigned], counts...)
		delete(churn, name)
	}
	out := make([]string, 0, len(unknown))
	for n := range unknown {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
