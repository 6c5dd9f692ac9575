package app

import (
	"github.com/touchpoint-cx/touchpoint/internal/textan"
)

// evalCmd runs an evaluation on the public data sets (DESIGN.md §7).
func evalCmd(e *env, args []string) error {
	rest, err := subcommand(args, "text", "eval text [--data DIR] [--write-models DIR]")
	if err != nil {
		return err
	}
	fs := e.flags("eval text", "eval text [--data DIR] [--write-models DIR]")
	data := fs.String("data", "../shared/data", "folder of the public data sets")
	write := fs.String("write-models", "", "retrain the shipped models from the permissive sets and write them to this folder first (internal/textan/models)")
	if err := e.parse(fs, rest); err != nil {
		return err
	}
	return textan.Eval(*data, *write, e.stdout)
}
