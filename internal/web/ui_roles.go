package web

import (
	"net/http"

	tp "github.com/touchpoint-cx/touchpoint"
)

type rolesRow struct {
	Action tp.Action
	Cells  []string // one per tp.PolicyRoles: the scope's words, or "" for none
}

// rolesPage shows the one policy: every action, every role, its scope. Every
// logged-in user may read it: knowing what one may do is not a secret.
func (s *Server) rolesPage(w http.ResponseWriter, r *http.Request, v *view) error {
	var rows []rolesRow
	for _, act := range tp.Actions() {
		if act == tp.ActSystemWork {
			continue
		}
		row := rolesRow{Action: act}
		for _, role := range tp.PolicyRoles {
			cell := ""
			if scope, ok := tp.RuleFor(role, act); ok {
				cell = translate(v.Lang, "roles.scope."+string(scope))
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	v.Title = translate(v.Lang, "roles.title")
	return s.render(w, http.StatusOK, v, "roles", "", map[string]any{"Roles": tp.PolicyRoles, "Rows": rows})
}
