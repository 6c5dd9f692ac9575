package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	tp "github.com/touchpoint-cx/touchpoint"
)

// randomSecret returns a URL-safe random string with the given prefix.
func randomSecret(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret stores tokens by hash: a database leak does not leak usable tokens.
func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// argon2id parameters per OWASP's 2023 recommendation (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func checkPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash makes a login for an unknown e-mail cost as much as a wrong password.
var dummyHash = hashPassword("not a real password")

// CreateUser creates a user with an argon2id password hash.
func (s *UserService) CreateUser(ctx context.Context, u *tp.User, password string) error {
	if err := can(ctx, tp.ActUserManage); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if len(password) < tp.MinPasswordLen {
		return tp.Errorf(tp.EINVALID, "the password must have at least %d characters", tp.MinPasswordLen).WithFields(map[string]string{"password": "too short"})
	}
	u.CreatedAt = s.db.Now()
	hash := hashPassword(password) // slow on purpose: outside the transaction
	return s.db.auditTx(ctx, "user.create", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (email, role, department, locale, password_hash, created_us)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, u.Email, string(u.Role), u.Department, u.Locale,
			hash, tp.ToMicros(u.CreatedAt)).Scan(&u.ID)
		if isUnique(err) {
			return "", "", tp.Errorf(tp.ECONFLICT, "a user with e-mail %s exists already", u.Email)
		}
		return fmt.Sprintf("user %d", u.ID), fmt.Sprintf("%s, %s %s", u.Email, u.Role, u.Department), err
	})
}

const userCols = "id, email, role, department, locale, created_us"

func scanUser(row interface{ Scan(...any) error }) (*tp.User, error) {
	var u tp.User
	var role string
	var created int64
	if err := row.Scan(&u.ID, &u.Email, &role, &u.Department, &u.Locale, &created); err != nil {
		return nil, err
	}
	u.Role, u.CreatedAt = tp.Role(role), tp.FromMicros(created)
	return &u, nil
}

// Authenticate checks an e-mail and password. Every attempt is in the audit
// log; LockAfter failures in a row lock the account for tp.LockDuration, and
// a locked account refuses even the right password until the lock ends or an
// admin lifts it.
func (s *UserService) Authenticate(ctx context.Context, email, password string) (*tp.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	ctx = tp.WithAccess(ctx, tp.Access{Actor: "user:" + email})
	var hash string
	var u tp.User
	var role string
	var created, lockedUntil, deactivated int64
	var locks int
	err := s.db.r.QueryRowContext(ctx, "SELECT password_hash, "+userCols+", failed_logins, locks, locked_until_us, deactivated_us FROM users WHERE email = $1", email).
		Scan(&hash, &u.ID, &u.Email, &role, &u.Department, &u.Locale, &created, &u.FailedLogins, &locks, &lockedUntil, &deactivated)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(dummyHash, password)
		return nil, s.failedLogin(ctx, 0, "unknown account")
	}
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	if until := tp.FromMicros(lockedUntil); lockedUntil > 0 && now.Before(until) {
		// No password check: a locked account tells nothing, right or wrong.
		if err := s.failedLogin(ctx, 0, "locked"); tp.ErrorCode(err) != tp.EUNAUTHORIZED {
			return nil, err
		}
		return nil, lockedError(until)
	}
	if !checkPassword(hash, password) {
		return nil, s.failedLogin(ctx, u.ID, "wrong password")
	}
	if deactivated > 0 { // said only after the right password: it reveals nothing to a guesser
		if err := s.failedLogin(ctx, 0, "deactivated"); tp.ErrorCode(err) != tp.EUNAUTHORIZED {
			return nil, err
		}
		return nil, tp.Errorf(tp.EFORBIDDEN, "this account has been deactivated; ask an admin")
	}
	u.Role, u.CreatedAt, u.FailedLogins = tp.Role(role), tp.FromMicros(created), 0
	err = s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = 0, locks = 0, locked_until_us = 0 WHERE id = $1", u.ID); err != nil {
			return err
		}
		return audit(ctx, tx, tp.ToMicros(now), tp.AuditLogin, fmt.Sprintf("user %d", u.ID), string(u.Role))
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func lockedError(until time.Time) error {
	return tp.Errorf(tp.ETOOMANY, "this account is locked after too many failed sign-ins until %s UTC; an admin can unlock it sooner",
		until.UTC().Format("2006-01-02 15:04"))
}

// failedLogin counts a failed sign-in of user id (0: none to count) and
// records it; the LockAfter-th failure in a row locks the account.
func (s *UserService) failedLogin(ctx context.Context, id int64, why string) error {
	now := s.db.Now()
	var out error = tp.Errorf(tp.EUNAUTHORIZED, "wrong e-mail or password")
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := audit(ctx, tx, tp.ToMicros(now), tp.AuditLoginFailed, "", why); err != nil || id == 0 {
			return err
		}
		var failed, locks int
		if err := tx.QueryRowContext(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins, locks", id).
			Scan(&failed, &locks); err != nil {
			return err
		}
		if failed < tp.LockAfter {
			return nil
		}
		until := now.Add(tp.LockDuration(locks + 1))
		if _, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = 0, locks = locks + 1, locked_until_us = $1 WHERE id = $2",
			tp.ToMicros(until), id); err != nil {
			return err
		}
		out = lockedError(until)
		return audit(ctx, tx, tp.ToMicros(now), tp.AuditLocked, fmt.Sprintf("user %d", id),
			fmt.Sprintf("%d failed sign-ins in a row; locked until %s", failed, until.UTC().Format(time.RFC3339)))
	})
	if err != nil {
		return err
	}
	return out
}

// ListUsers lists every user with the state of their sign-in lock.
func (s *UserService) ListUsers(ctx context.Context) ([]tp.User, error) {
	if err := can(ctx, tp.ActUserManage); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT "+userCols+", failed_logins, locked_until_us, deactivated_us FROM users ORDER BY email")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.User{}
	now := s.db.Now()
	for rows.Next() {
		var u tp.User
		var role string
		var created, until, deactivated int64
		if err := rows.Scan(&u.ID, &u.Email, &role, &u.Department, &u.Locale, &created, &u.FailedLogins, &until, &deactivated); err != nil {
			return nil, err
		}
		u.Role, u.CreatedAt, u.Deactivated = tp.Role(role), tp.FromMicros(created), deactivated > 0
		if t := tp.FromMicros(until); until > 0 && now.Before(t) {
			u.LockedUntil = &t
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UnlockUser lifts a sign-in lock at once and forgets the failures.
func (s *UserService) UnlockUser(ctx context.Context, id int64) error {
	if err := can(ctx, tp.ActUserManage); err != nil {
		return err
	}
	return s.db.auditTx(ctx, tp.AuditUnlocked, func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		var email string
		err := tx.QueryRowContext(ctx, "UPDATE users SET failed_logins = 0, locks = 0, locked_until_us = 0 WHERE id = $1 RETURNING email", id).Scan(&email)
		if errors.Is(err, sql.ErrNoRows) {
			return "", "", tp.Errorf(tp.ENOTFOUND, "user %d not found", id)
		}
		return fmt.Sprintf("user %d", id), email, err
	})
}

// SetUserLocale stores a user's UI language ("" follows the browser).
func (s *UserService) SetUserLocale(ctx context.Context, userID int64, locale string) error {
	if err := authorize(ctx, tp.ActOwnSettings, tp.Object{User: userID}); err != nil {
		return err
	}
	ok := locale == ""
	for _, l := range tp.Locales {
		ok = ok || l == locale
	}
	if !ok {
		return tp.Errorf(tp.EINVALID, "unknown language %q", locale)
	}
	_, err := s.db.w.ExecContext(ctx, "UPDATE users SET locale = $1 WHERE id = $2", locale, userID)
	return err
}

// CreateSession starts a login session and returns its cookie value.
func (s *UserService) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, error) {
	token := randomSecret("", 32)
	now := s.db.Now()
	if _, err := s.db.w.ExecContext(ctx, "DELETE FROM sessions WHERE expires_us < $1", tp.ToMicros(now)); err != nil {
		return "", err
	}
	_, err := s.db.w.ExecContext(ctx, "INSERT INTO sessions (token_hash, user_id, expires_us) VALUES ($1, $2, $3)",
		hashSecret(token), userID, tp.ToMicros(now.Add(ttl)))
	return token, err
}

// UserBySession returns the user of a live session.
func (s *UserService) UserBySession(ctx context.Context, token string) (*tp.User, error) {
	u, err := scanUser(s.db.r.QueryRowContext(ctx, "SELECT u.id, u.email, u.role, u.department, u.locale, u.created_us "+
		"FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_us > $2 AND u.deactivated_us = 0",
		hashSecret(token), tp.ToMicros(s.db.Now())))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.EUNAUTHORIZED, "the session has ended; log in again")
	}
	return u, err
}

// DeleteSession ends a session (logout).
func (s *UserService) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.w.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", hashSecret(token))
	return err
}

// CreateToken creates an API token and returns its secret, which is not stored.
func (s *UserService) CreateToken(ctx context.Context, t *tp.Token) (string, error) {
	if err := can(ctx, tp.ActTokenManage); err != nil {
		return "", err
	}
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return "", tp.Errorf(tp.EINVALID, "a token needs a name").WithFields(map[string]string{"name": "required"})
	}
	if _, err := tp.ParseRole(string(t.Role)); err != nil {
		return "", err
	}
	if t.Role.DepartmentScoped() && t.Department == "" {
		return "", tp.Errorf(tp.EINVALID, "role %s needs a department", t.Role)
	}
	secret := randomSecret("tp_", 32)
	t.CreatedAt = s.db.Now()
	err := s.db.auditTx(ctx, "token.create", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (name, token_hash, role, department, created_us)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, t.Name, hashSecret(secret), string(t.Role), t.Department,
			tp.ToMicros(t.CreatedAt)).Scan(&t.ID)
		return fmt.Sprintf("token %d", t.ID), fmt.Sprintf("%s, %s %s", t.Name, t.Role, t.Department), err
	})
	return secret, err
}

// ListTokens lists tokens that are not revoked.
func (s *UserService) ListTokens(ctx context.Context) ([]tp.Token, error) {
	if err := can(ctx, tp.ActTokenManage); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, name, role, department, created_us, last_used_us FROM api_tokens
		WHERE revoked_us IS NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.Token{}
	for rows.Next() {
		var t tp.Token
		var role string
		var created int64
		var used sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &role, &t.Department, &created, &used); err != nil {
			return nil, err
		}
		t.Role, t.CreatedAt = tp.Role(role), tp.FromMicros(created)
		if used.Valid {
			u := tp.FromMicros(used.Int64)
			t.LastUsedAt = &u
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes a token at once.
func (s *UserService) RevokeToken(ctx context.Context, id int64) error {
	if err := can(ctx, tp.ActTokenManage); err != nil {
		return err
	}
	return s.db.auditTx(ctx, "token.revoke", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		var name string
		err := tx.QueryRowContext(ctx, "UPDATE api_tokens SET revoked_us = $1 WHERE id = $2 AND revoked_us IS NULL RETURNING name",
			tp.ToMicros(s.db.Now()), id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return "", "", tp.Errorf(tp.ENOTFOUND, "token %d not found", id)
		}
		return fmt.Sprintf("token %d", id), name, err
	})
}

// AccessByToken resolves a bearer token to its access.
func (s *UserService) AccessByToken(ctx context.Context, secret string) (tp.Access, error) {
	var a tp.Access
	var id int64
	var name, role string
	err := s.db.r.QueryRowContext(ctx, "SELECT id, name, role, department FROM api_tokens WHERE token_hash = $1 AND revoked_us IS NULL",
		hashSecret(secret)).Scan(&id, &name, &role, &a.Department)
	if errors.Is(err, sql.ErrNoRows) {
		return a, tp.Errorf(tp.EUNAUTHORIZED, "unknown or revoked API token")
	}
	if err != nil {
		return a, err
	}
	a.Actor, a.Role = "token:"+name, tp.Role(role)
	// last_used is advisory; a failure to record it must not fail the request.
	_, _ = s.db.w.ExecContext(ctx, "UPDATE api_tokens SET last_used_us = $1 WHERE id = $2", tp.ToMicros(s.db.Now()), id)
	return a, nil
}
