package i18n

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	tp "github.com/touchpoint-cx/touchpoint"
)

// errorFormats reads every Go file of the module (tests aside) and returns
// the message formats given to tp.Errorf and to the package-local wrappers
// that forward a format to it (a func with "format string, args ...any"),
// with where each is. A message that is not a literal is reported as a
// problem: the catalogue could not hold it.
func errorFormats(t *testing.T) (formats map[string]string, problems []string) {
	t.Helper()
	root := filepath.Join("..", "..")
	formats = map[string]string{}
	byDir := map[string][]*ast.File{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rootWrappers := wrappersOf(byDir[root])
	for dir, files := range byDir {
		wrappers := wrappersOf(files)
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				if u, ok := n.(*ast.CompositeLit); ok && isErrorType(u.Type) && dir != root {
					problems = append(problems, fset.Position(u.Pos()).String()+": build errors with tp.Errorf, not a literal tp.Error")
				}
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				name := ""
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok && x.Name == "tp" {
						name = "tp." + fn.Sel.Name
					}
				}
				i, ok := wrappers[name]
				if n, isTP := strings.CutPrefix(name, "tp."); isTP {
					i, ok = rootWrappers[n]
				}
				if !ok || i >= len(call.Args) {
					return true
				}
				where := fset.Position(call.Pos()).String()
				switch a := call.Args[i].(type) {
				case *ast.BasicLit:
					s, err := strconv.Unquote(a.Value)
					if err != nil {
						t.Fatal(where, err)
					}
					if strings.IndexFunc(verbRE.ReplaceAllString(s, ""), unicode.IsLetter) >= 0 { // "%s: %s" has nothing to translate
						formats[s] = where
					}
				case *ast.Ident:
					if a.Name != "format" { // a wrapper forwarding its own format
						problems = append(problems, where+": the message format is not a literal")
					}
				default:
					problems = append(problems, where+": the message format is not a literal")
				}
				return true
			})
		}
	}
	return formats, problems
}

// wrappersOf finds the functions of a package that take a message format:
// name → index of the format parameter.
func wrappersOf(files []*ast.File) map[string]int {
	wrappers := map[string]int{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if i := formatParam(n.Type); i >= 0 {
					wrappers[n.Name.Name] = i
				}
			case *ast.AssignStmt:
				if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
					if fl, ok := n.Rhs[0].(*ast.FuncLit); ok {
						if i := formatParam(fl.Type); i >= 0 {
							wrappers[n.Lhs[0].(*ast.Ident).Name] = i
						}
					}
				}
			}
			return true
		})
	}
	return wrappers
}

// formatParam is the index of a "format string" parameter followed by a
// final "args ...any", or -1.
func formatParam(ft *ast.FuncType) int {
	i := 0
	for _, f := range ft.Params.List {
		for _, n := range f.Names {
			if n.Name == "format" {
				if id, ok := f.Type.(*ast.Ident); !ok || id.Name != "string" {
					return -1
				}
				if _, ok := ft.Params.List[len(ft.Params.List)-1].Type.(*ast.Ellipsis); ok {
					return i
				}
			}
			i++
		}
	}
	return -1
}

func isErrorType(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name == "Error"
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && x.Name == "tp" && t.Sel.Name == "Error"
	}
	return false
}

// Every message an error can carry is in the catalogue (so in de and nl,
// TestCatalogueComplete sees to that), and the catalogue holds no message
// the code no longer has.
func TestEveryErrorMessageIsTranslated(t *testing.T) {
	formats, problems := errorFormats(t)
	if len(formats) < 200 {
		t.Fatalf("found only %d error messages; the scan misses calls", len(formats))
	}
	var missing []string
	for f, where := range formats {
		en, ok := catalogues["en"][ErrorKey(f)]
		switch {
		case !ok:
			missing = append(missing, strconv.Quote(f)+" // "+where)
		case en != f:
			problems = append(problems, "en.json: "+strconv.Quote(ErrorKey(f))+" must be the format itself")
		}
	}
	for k := range catalogues["en"] {
		if f, ok := strings.CutPrefix(k, "err:"); ok {
			if _, used := formats[f]; !used {
				problems = append(problems, "en.json has "+strconv.Quote(k)+", which no error uses")
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d error messages are not in the catalogue:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	for _, p := range problems {
		t.Error(p)
	}
}

func TestErrorIsTranslated(t *testing.T) {
	inner := tp.Errorf(tp.EINVALID, "segment %d does not exist", 7)
	outer := tp.Errorf(tp.EINVALID, "emails[%d]: %s", 2, inner)
	if got, want := outer.Message, "emails[2]: segment 7 does not exist"; got != want {
		t.Errorf("English message %q, want %q", got, want)
	}
	if got, want := Error("en", outer), outer.Message; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	de := Error("de", outer)
	if de == outer.Message || !strings.Contains(de, "7") || !strings.Contains(de, T("de", ErrorKey("segment %d does not exist"), 7)) {
		t.Errorf("de: %q is not the German message with the nested one in German", de)
	}
	if got := Error("nl", errors.New("disk on fire")); got != T("nl", "error.internal") || strings.Contains(got, "disk") {
		t.Errorf("an internal error reads %q in Dutch; want the catalogue's text and no cause", got)
	}
}

// A field's reason is translated from its text, its arguments too, and a
// message listing reasons translates each.
func TestReasonIsTranslated(t *testing.T) {
	for _, c := range []struct{ lang, text, want string }{
		{"de", tp.Reason("required"), "erforderlich"},
		{"nl", tp.Reason("at most %d characters", 4000), "hoogstens 4000 tekens"},
		{"de", tp.Reason("required, at most %d characters", 200), "erforderlich, höchstens 200 Zeichen"},
		{"de", tp.Reason("any[%d]: %s", 2, tp.Reason("op %s needs a value", "gt")), "any[2]: op gt braucht einen Wert"},
		{"nl", "a reason nobody wrote", "a reason nobody wrote"},
		{"nl", "timestamp: " + tp.Reason("no time zone; read as UTC"), "timestamp: geen tijdzone; gelezen als UTC"},
		{"de", "timestamp: a reason nobody wrote", "timestamp: a reason nobody wrote"},
		{"en", tp.Reason("at most %d characters", 4000), "at most 4000 characters"},
	} {
		if got := Reason(c.lang, c.text); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.lang, c.text, got, c.want)
		}
	}
	err := tp.Errorf(tp.EINVALID, "the segment is not valid: %s", tp.Reasons{"name": tp.Reason("required"), "conditions": tp.Reason("1 to 10 conditions")})
	if got, want := err.Message, "the segment is not valid: conditions: 1 to 10 conditions; name: required"; got != want {
		t.Errorf("English: %q, want %q", got, want)
	}
	if got, want := Error("de", err), "Das Segment ist nicht gültig: conditions: 1 bis 10 Bedingungen; name: erforderlich"; got != want {
		t.Errorf("German: %q, want %q", got, want)
	}
}
