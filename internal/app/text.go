package app

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint/internal/learn"
	"github.com/touchpoint-cx/touchpoint/internal/textan"
)

// evalCmd runs an evaluation on the public data sets (DESIGN.md §7).
func evalCmd(e *env, args []string) error {
	if len(args) > 0 && args[0] == "churn" {
		fs := e.flags("eval churn", "eval churn FILE.csv --label COLUMN")
		label := fs.String("label", "churn", "the yes/no column to predict")
		var file string
		rest := args[1:]
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			file, rest = rest[0], rest[1:]
		}
		if err := e.parse(fs, rest); err != nil {
			return err
		}
		if file == "" {
			return fmt.Errorf("usage: touchpoint eval churn FILE.csv --label COLUMN: %w", errUsage)
		}
		return learn.EvalChurn(file, *label, e.stdout)
	}
	if len(args) > 0 && args[0] == "crosssell" {
		fs := e.flags("eval crosssell", "eval crosssell [--data DIR]")
		data := fs.String("data", "../shared/data", "folder of the public data sets")
		if err := e.parse(fs, args[1:]); err != nil {
			return err
		}
		return learn.EvalCrossSell(*data, e.stdout)
	}
	if len(args) > 0 && args[0] == "clv" {
		fs := e.flags("eval clv", "eval clv [--data DIR]")
		data := fs.String("data", "../shared/data", "folder of the public data sets")
		if err := e.parse(fs, args[1:]); err != nil {
			return err
		}
		return learn.EvalCLV(*data, e.stdout)
	}
	rest, err := subcommand(args, "text", "eval text [--data DIR] [--write-models DIR] | eval clv [--data DIR]")
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

// textCmd analyses the texts not analysed yet, with progress; --all forgets
// every analysis first (after a taxonomy or model change).
func textCmd(e *env, args []string) error {
	rest, err := subcommand(args, "analyze", "text analyze [--all] [--db DSN]")
	if err != nil {
		return err
	}
	fs := e.flags("text analyze", "text analyze [--all] [--db DSN]")
	dsn := e.dbFlag(fs)
	all := fs.Bool("all", false, "analyse every text again (after the taxonomy or the model changed)")
	if err := e.parse(fs, rest); err != nil {
		return err
	}
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *all {
		if err := db.Text.Reanalyze(e.ctx); err != nil {
			return err
		}
	}
	_, total, err := db.Text.TextProgress(e.ctx)
	if err != nil {
		return err
	}
	an := NewTextAnalyzer(db, slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	an.Refresh()
	start, n, last := time.Now(), 0, time.Now()
	for {
		k, err := db.Text.AnalyzePending(e.ctx, an, 1000)
		if err != nil {
			return err
		}
		n += k
		if k == 0 || time.Since(last) > 2*time.Second {
			last = time.Now()
			fmt.Fprintf(e.stdout, "analysed %d texts (%d in the database) in %s\n", n, total, time.Since(start).Round(time.Millisecond))
		}
		if k == 0 {
			return nil
		}
	}
}
