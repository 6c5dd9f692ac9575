package touchpoint

import (
	"context"
	"strings"
	"time"
)

// Role decides what a user or token may see and change (see DESIGN.md §2).
type Role string

const (
	RoleAdmin          Role = "admin"
	RoleCCO            Role = "cco"
	RoleDepartmentHead Role = "department_head"
	RoleAgent          Role = "agent"
	RoleAnalyst        Role = "analyst"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleCCO, RoleDepartmentHead, RoleAgent, RoleAnalyst}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "unknown role %q (want admin, cco, department_head, agent or analyst)", s)
}

// DepartmentScoped reports whether the role sees only its own department's work.
func (r Role) DepartmentScoped() bool { return r == RoleDepartmentHead || r == RoleAgent }

// Locales are the UI and survey languages.
var Locales = []string{"en", "de", "nl"}

// LangIndex is a language's place in Locales, which orders every [3]string
// of texts (KPI names, catalogues); English for anything else.
func LangIndex(lang string) int {
	switch lang {
	case "de":
		return 1
	case "nl":
		return 2
	}
	return 0
}

// User is a person who logs in.
type User struct {
	ID         int64     `json:"id"`
	Email      string    `json:"email"`
	Role       Role      `json:"role"`
	Department string    `json:"department,omitempty"`
	Locale     string    `json:"locale,omitempty"` // "" follows the browser
	CreatedAt  time.Time `json:"created_at"`
	// Sign-in throttling (see LockAfter): failures in a row, and the lock.
	FailedLogins int        `json:"failed_logins,omitempty"`
	LockedUntil  *time.Time `json:"locked_until,omitempty"`
	// Deactivated users cannot sign in; their name stays on their work.
	Deactivated bool `json:"deactivated,omitempty"`
}

// UserChange is what an admin changes of a user; nil fields stay.
type UserChange struct {
	Role       *Role   `json:"role"`
	Department *string `json:"department"`
	Active     *bool   `json:"active"`
}

// Apply checks a change against the user and returns the user after it:
// the same rules as creation (a role, a department for department-scoped
// roles), and nobody changes their own role or deactivates themselves (so
// the last admin cannot lock everyone out by a slip).
func (ch UserChange) Apply(u User, actorID int64) (User, error) {
	if ch.Role != nil {
		u.Role = *ch.Role
	}
	if ch.Department != nil {
		u.Department = strings.TrimSpace(*ch.Department)
	}
	if ch.Active != nil {
		u.Deactivated = !*ch.Active
	}
	if u.ID == actorID && ((ch.Role != nil && *ch.Role != RoleAdmin) || u.Deactivated) {
		return u, Errorf(ECONFLICT, "you cannot take away your own admin role or deactivate yourself; another admin can")
	}
	if err := u.Validate(); err != nil {
		return u, err
	}
	return u, nil
}

// Validate checks a user before it is created.
func (u *User) Validate() error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if !emailRE.MatchString(u.Email) {
		return Errorf(EINVALID, "a user needs a valid e-mail address").WithFields(map[string]string{"email": "invalid"})
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if u.Role.DepartmentScoped() && u.Department == "" {
		return Errorf(EINVALID, "role %s needs a department", string(u.Role)).WithFields(map[string]string{"department": "required"})
	}
	return nil
}

// MinPasswordLen is the shortest accepted password.
const MinPasswordLen = 10

// Token is an API token; its secret is shown once, at creation.
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       Role       `json:"role"`
	Department string     `json:"department,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// SavedView is a user's named queue filter: the queue's query string.
type SavedView struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Query  string `json:"query"`
	// Shared views show in the queue of everyone in the owner's department;
	// only the owner changes or deletes them.
	Shared bool   `json:"shared"`
	Owner  string `json:"owner,omitempty"` // a colleague's shared view: whose it is
}

// Validate checks a view before it is saved.
func (v *SavedView) Validate() error {
	if v.Name == "" || len(v.Name) > 60 {
		return Errorf(EINVALID, "a saved view needs a name of at most 60 characters").WithFields(map[string]string{"name": "required"})
	}
	if len(v.Query) > 1000 {
		return Errorf(EINVALID, "the view's filter is too long").WithFields(map[string]string{"query": "too long"})
	}
	return nil
}

// UserService manages users, sessions and API tokens.
type UserService interface {
	CreateUser(ctx context.Context, u *User, password string) error
	// Authenticate checks a sign-in, counts failures, locks the account after
	// LockAfter of them (ETOOMANY while locked) and records it in the audit log.
	Authenticate(ctx context.Context, email, password string) (*User, error)
	ListUsers(ctx context.Context) ([]User, error)
	UnlockUser(ctx context.Context, id int64) error
	// UpdateUser changes a user's role, department or whether they may sign in.
	UpdateUser(ctx context.Context, id int64, ch UserChange) (*User, error)
	// Saved queue views of the calling user.
	SaveView(ctx context.Context, v *SavedView) error
	ListViews(ctx context.Context) ([]SavedView, error)
	DeleteView(ctx context.Context, id int64) error
	SetUserLocale(ctx context.Context, userID int64, locale string) error
	CreateSession(ctx context.Context, userID int64, ttl time.Duration) (token string, err error)
	UserBySession(ctx context.Context, token string) (*User, error)
	DeleteSession(ctx context.Context, token string) error
	CreateToken(ctx context.Context, t *Token) (secret string, err error)
	ListTokens(ctx context.Context) ([]Token, error)
	RevokeToken(ctx context.Context, id int64) error
	AccessByToken(ctx context.Context, secret string) (Access, error)
}

// HomePath is where a user lands after logging in: an agent on their own
// cases, the analyst on the scorecard grid, the people who steer (CCO,
// admins, department heads) on the overview.
func HomePath(r Role) string {
	switch r {
	case RoleAgent:
		return "/cases?assignee=me"
	case RoleAnalyst:
		return "/cockpit"
	}
	return "/overview" // the CCO, admins, and department heads (their department)
}
