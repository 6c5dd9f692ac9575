package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// readableCase reads case id for a caller allowed to read it; a case they
// may not read does not exist for them.
func (s *CaseService) readableCase(ctx context.Context, id int64) (*tp.Case, error) {
	if err := mayAtAll(ctx, tp.ActCaseRead); err != nil {
		return nil, err
	}
	c, err := scanCase(s.db.r.QueryRowContext(ctx, "SELECT "+caseCols+" FROM cases WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && authorize(ctx, tp.ActCaseRead, caseObject(c)) != nil) {
		return nil, tp.Errorf(tp.ENOTFOUND, "case %d not found", id)
	}
	return c, err
}

// ListAttachments lists the files that came with a case's mails, without
// their contents.
func (s *CaseService) ListAttachments(ctx context.Context, caseID int64) ([]tp.Attachment, error) {
	if _, err := s.readableCase(ctx, caseID); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, case_id, filename, content_type, size, data IS NOT NULL, created_us
		FROM case_attachments WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.Attachment{}
	for rows.Next() {
		var a tp.Attachment
		var us int64
		if err := rows.Scan(&a.ID, &a.CaseID, &a.Filename, &a.ContentType, &a.Size, &a.Stored, &us); err != nil {
			return nil, err
		}
		a.CreatedAt = tp.FromMicros(us)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Attachment returns one file of a case with its contents; a file over the
// size limit was recorded without them (ENOTFOUND names that).
func (s *CaseService) Attachment(ctx context.Context, caseID, id int64) (*tp.Attachment, []byte, error) {
	if _, err := s.readableCase(ctx, caseID); err != nil {
		return nil, nil, err
	}
	var a tp.Attachment
	var us int64
	var data []byte
	err := s.db.r.QueryRowContext(ctx, `SELECT id, case_id, filename, content_type, size, data, created_us
		FROM case_attachments WHERE case_id = $1 AND id = $2`, caseID, id).Scan(&a.ID, &a.CaseID, &a.Filename, &a.ContentType, &a.Size, &data, &us)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, tp.Errorf(tp.ENOTFOUND, "attachment %d of case %d not found", id, caseID)
	}
	if err != nil {
		return nil, nil, err
	}
	a.CreatedAt, a.Stored = tp.FromMicros(us), data != nil
	if data == nil {
		return &a, nil, tp.Errorf(tp.ENOTFOUND, "%s was larger than the size limit and was not kept", a.Filename)
	}
	return &a, data, nil
}

// MaxAttachmentBytes bounds a file added on the case page (as the SMTP
// intake bounds a mail's).
const MaxAttachmentBytes = 10 << 20

// AddAttachment keeps a file an agent adds to a case (a photo sent by
// messenger, a scanned letter), with a "field" event in the case's trail.
func (s *CaseService) AddAttachment(ctx context.Context, caseID int64, filename, contentType string, data []byte) (*tp.Attachment, error) {
	if err := mayAtAll(ctx, tp.ActCaseUpdate); err != nil {
		return nil, err
	}
	filename = strings.TrimSpace(filepath.Base(strings.ReplaceAll(filename, "\\", "/")))
	switch {
	case filename == "" || filename == "." || filename == "/" || len(filename) > 255:
		return nil, tp.Errorf(tp.EINVALID, "the file needs a name of at most 255 characters").WithFields(map[string]string{"file": "no name"})
	case len(data) == 0:
		return nil, tp.Errorf(tp.EINVALID, "the file is empty").WithFields(map[string]string{"file": "empty"})
	case len(data) > MaxAttachmentBytes:
		return nil, tp.Errorf(tp.EINVALID, "the file is larger than 10 MB").WithFields(map[string]string{"file": "too large"})
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	a := &tp.Attachment{CaseID: caseID, Filename: filename, ContentType: contentType, Size: int64(len(data)), Stored: true, CreatedAt: s.db.Now()}
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.db.lockCase(ctx, tx, caseID, tp.ActCaseUpdate); err != nil {
			return err
		}
		us := tp.ToMicros(a.CreatedAt)
		if err := tx.QueryRowContext(ctx, `INSERT INTO case_attachments (case_id, filename, content_type, size, data, created_us)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, caseID, filename, contentType, len(data), data, us).Scan(&a.ID); err != nil {
			return err
		}
		return addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: caseID, At: a.CreatedAt, Actor: actorOf(ctx), Kind: "field", Field: "attachment", New: filename})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
