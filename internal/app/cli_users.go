package app

import (
	"fmt"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

func user(e *env, args []string) error {
	if len(args) > 0 && args[0] == "unlock" {
		return userUnlock(e, args[1:])
	}
	const u = "user create --email E --role ROLE [--department D] [--locale en|de|nl] --password-stdin [--db DSN] | user unlock --email E"
	args, err := subcommand(args, "create", u)
	if err != nil {
		return err
	}
	fs := e.flags("user create", u)
	dsn := e.dbFlag(fs)
	email := fs.String("email", "", "e-mail address (the login)")
	role := fs.String("role", "", "admin, cco, department_head, agent or analyst")
	dept := fs.String("department", "", "department (required for department_head and agent)")
	locale := fs.String("locale", "", "UI language: en, de, nl (empty follows the browser)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if !*pwStdin {
		return fmt.Errorf("pass --password-stdin and the password on standard input (it never goes on the command line): %w", errUsage)
	}
	pw, err := readLine(e.stdin)
	if err != nil {
		return err
	}
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	usr := &tp.User{Email: *email, Role: tp.Role(*role), Department: *dept, Locale: *locale}
	if err := db.Users.CreateUser(e.ctx, usr, pw); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "created user %d %s (%s)\n", usr.ID, usr.Email, usr.Role)
	return nil
}

// userUnlock lifts a sign-in lock (after too many failed sign-ins).
func userUnlock(e *env, args []string) error {
	fs := e.flags("user unlock", "user unlock --email E [--db DSN]")
	dsn := e.dbFlag(fs)
	email := fs.String("email", "", "the locked user's e-mail address")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := db.Users.ListUsers(e.ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Email == strings.ToLower(strings.TrimSpace(*email)) {
			if err := db.Users.UnlockUser(e.ctx, u.ID); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "unlocked %s\n", u.Email)
			return nil
		}
	}
	return tp.Errorf(tp.ENOTFOUND, "no user has the e-mail address %q", *email)
}
