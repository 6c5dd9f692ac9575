package sqldb_test

import (
	"context"
	"reflect"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// authentication is how a caller gets an access in the first place; these
// methods take credentials, not an access.
var authentication = map[string]bool{
	"UserService.Authenticate": true, "UserService.CreateSession": true, "UserService.UserBySession": true,
	"UserService.DeleteSession": true, "UserService.AccessByToken": true, "SourceService.FindSourceByWriteKey": true,
	"UserService.RecordFailedLogin": true, "UserService.LoginBlocked": true,
}

// Every exported method of every service refuses a context without access
// (the zero Access) with EFORBIDDEN before it touches its arguments: no
// method treats a missing access as "everything". New methods are covered
// as they are written.
func TestEveryServiceRefusesAMissingAccess(t *testing.T) {
	st := sqldbtest.SQLite(t)
	bare := context.Background()
	v := reflect.ValueOf(st).Elem()
	checked := 0
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Anonymous { // the DB handle itself: connections, not data
			continue
		}
		svc := v.Field(i)
		for m := 0; m < svc.NumMethod(); m++ {
			method := svc.Type().Method(m)
			name := svc.Type().Elem().Name() + "." + method.Name
			if authentication[name] {
				continue
			}
			fn := svc.Method(m)
			args := []reflect.Value{reflect.ValueOf(bare)}
			for a := 1; a < fn.Type().NumIn(); a++ {
				args = append(args, reflect.Zero(fn.Type().In(a)))
			}
			var out []reflect.Value
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s without access panics (it read its arguments before asking the policy): %v", name, p)
					}
				}()
				out = fn.Call(args)
			}()
			if out == nil {
				continue
			}
			last := out[len(out)-1]
			if last.Type() != reflect.TypeFor[error]() {
				t.Errorf("%s returns no error, so it cannot refuse", name)
				continue
			}
			err, _ := last.Interface().(error)
			if tp.ErrorCode(err) != tp.EFORBIDDEN {
				t.Errorf("%s without access: %v, want forbidden", name, err)
			}
			checked++
		}
	}
	if checked < 114 {
		t.Errorf("only %d methods checked; the reflection walk lost some", checked)
	}
	t.Logf("%d service methods refuse a missing access", checked)
	_ = sqldb.Store{}
}
