// Package tabular writes tables as CSV or XLSX, streaming: rows go out as
// they come, so exports of any size use little memory.
package tabular

import (
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// Writer writes rows of one table.
type Writer interface {
	Write(row []any) error
	Close() error // flushes; the table is complete only after Close
}

// Formats and their content types.
var ContentTypes = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// New returns a writer for format ("csv" or "xlsx") that starts with header.
func New(format string, w io.Writer, header []string) (Writer, error) {
	switch format {
	case "csv":
		cw := &csvWriter{w: csv.NewWriter(w)}
		// A byte-order mark makes spreadsheet programs read UTF-8 (umlauts) right.
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return nil, err
		}
		row := make([]any, len(header))
		for i, h := range header {
			row[i] = h
		}
		return cw, cw.Write(row)
	case "xlsx":
		return newXLSX(w, header)
	}
	return nil, fmt.Errorf("unknown format %q (want csv or xlsx)", format)
}

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) Write(row []any) error {
	rec := make([]string, len(row))
	for i, v := range row {
		rec[i] = cell(v)
	}
	return c.w.Write(rec)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	case *int:
		if x == nil {
			return ""
		}
		return fmt.Sprint(*x)
	case string:
		return neutralize(x)
	}
	return fmt.Sprint(v)
}

// neutralize keeps a spreadsheet from running text as a formula (CSV
// injection): customers write the comments we export.
func neutralize(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

type xlsxWriter struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	out io.Writer
	n   int
}

func newXLSX(w io.Writer, header []string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	x := &xlsxWriter{f: f, sw: sw, out: w}
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = h
	}
	return x, x.Write(row)
}

func (x *xlsxWriter) Write(row []any) error {
	x.n++
	vals := make([]any, len(row))
	for i, v := range row {
		switch t := v.(type) {
		case *int:
			if t != nil {
				vals[i] = *t
			}
		case time.Time:
			if !t.IsZero() {
				vals[i] = t.UTC()
			}
		case string:
			vals[i] = t // XLSX cells hold text as text: no formula injection
		default:
			vals[i] = v
		}
	}
	ref, err := excelize.CoordinatesToCellName(1, x.n)
	if err != nil {
		return err
	}
	return x.sw.SetRow(ref, vals)
}

func (x *xlsxWriter) Close() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.out)
	return err
}
