// Package export writes a person's data export (GDPR Art. 15) as one JSON
// document, or as a ZIP of that document and the attachments, for the API
// and the command line alike.
package export

import (
	"archive/zip"
	"encoding/json"
	"io"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Write writes ex in format "json" (attachments' bytes base64 under
// attachment_data, by path) or "zip" (export.json and the files).
func Write(w io.Writer, ex *tp.CustomerExport, format string) error {
	switch format {
	case "", "json":
		doc := struct {
			*tp.CustomerExport
			Files map[string][]byte `json:"attachment_data,omitempty"`
		}{ex, map[string][]byte{}}
		for _, a := range ex.Attachments {
			if a.Path != "" {
				doc.Files[a.Path] = a.Data
			}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	case "zip":
		z := zip.NewWriter(w)
		f, err := z.Create("export.json")
		if err != nil {
			return err
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ex); err != nil {
			return err
		}
		for _, a := range ex.Attachments {
			if a.Path == "" {
				continue
			}
			f, err := z.Create(a.Path)
			if err != nil {
				return err
			}
			if _, err := f.Write(a.Data); err != nil {
				return err
			}
		}
		return z.Close()
	}
	return tp.Errorf(tp.EINVALID, "format must be json or zip").WithFields(map[string]string{"format": "invalid"})
}
