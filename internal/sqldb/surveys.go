package sqldb

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// CreateSurvey creates a survey at version 1.
func (s *SurveyService) CreateSurvey(ctx context.Context, sv *tp.Survey) error {
	if err := can(ctx, tp.ActSurveyManage); err != nil {
		return err
	}
	if err := sv.Validate(); err != nil {
		return err
	}
	if sv.Questions == nil {
		sv.Questions = []tp.Question{}
	}
	now := s.db.Now()
	sv.Version, sv.CreatedAt, sv.UpdatedAt = 1, now, now
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO surveys (name, type, status, default_lang, version, department, close_loop, after_case, created_us, updated_us)
			VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $8) RETURNING id`, sv.Name, string(sv.Type), string(sv.Status), sv.DefaultLang,
			sv.Department, boolInt(sv.CloseLoop), boolInt(sv.AfterCase), tp.ToMicros(now)).Scan(&sv.ID); err != nil {
			return fmt.Errorf("create survey: %w", err)
		}
		return insertSurveyVersion(ctx, tx, sv, now)
	})
}

func insertSurveyVersion(ctx context.Context, tx *sql.Tx, s *tp.Survey, now time.Time) error {
	qs, _ := json.Marshal(s.Questions)
	ts, _ := json.Marshal(s.Texts)
	_, err := tx.ExecContext(ctx, `INSERT INTO survey_versions (survey_id, version, questions, texts, created_us)
		VALUES ($1, $2, $3, $4, $5)`, s.ID, s.Version, string(qs), string(ts), tp.ToMicros(now))
	return err
}

// UpdateSurvey saves a survey. A draft is edited in place; changing the
// questions or texts of an active or closed survey makes a new version, so
// earlier responses keep the wording they answered. Status moves only
// forward: draft → active → closed.
func (s *SurveyService) UpdateSurvey(ctx context.Context, sv *tp.Survey) error {
	if err := can(ctx, tp.ActSurveyManage); err != nil {
		return err
	}
	if err := sv.Validate(); err != nil {
		return err
	}
	if sv.Questions == nil {
		sv.Questions = []tp.Question{}
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		cur, err := findSurvey(ctx, tx, sv.ID, 0, s.db.forUpdate())
		if err != nil {
			return err
		}
		if rank(sv.Status) < rank(cur.Status) {
			return tp.Errorf(tp.ECONFLICT, "a survey cannot go from %s back to %s", cur.Status, sv.Status)
		}
		if sv.Type != cur.Type {
			return tp.Errorf(tp.ECONFLICT, "the type of a survey cannot change; create a new survey")
		}
		now := s.db.Now()
		sv.Version, sv.CreatedAt, sv.UpdatedAt = cur.Version, cur.CreatedAt, now
		oldQ, _ := json.Marshal(cur.Questions)
		oldT, _ := json.Marshal(cur.Texts)
		newQ, _ := json.Marshal(sv.Questions)
		newT, _ := json.Marshal(sv.Texts)
		if string(oldQ) != string(newQ) || string(oldT) != string(newT) {
			if cur.Status == tp.SurveyDraft {
				if _, err := tx.ExecContext(ctx, "UPDATE survey_versions SET questions = $1, texts = $2 WHERE survey_id = $3 AND version = $4",
					string(newQ), string(newT), sv.ID, sv.Version); err != nil {
					return err
				}
			} else {
				sv.Version++
				if err := insertSurveyVersion(ctx, tx, sv, now); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE surveys SET name = $1, status = $2, default_lang = $3, version = $4, department = $5,
			close_loop = $6, after_case = $7, updated_us = $8 WHERE id = $9`, sv.Name, string(sv.Status), sv.DefaultLang, sv.Version, sv.Department,
			boolInt(sv.CloseLoop), boolInt(sv.AfterCase), tp.ToMicros(now), sv.ID)
		return err
	})
}

// DeleteSurvey deletes a draft that never invited anyone. A survey that may
// have answers is closed instead, so that no answer is ever lost.
func (s *SurveyService) DeleteSurvey(ctx context.Context, id int64) error {
	if err := can(ctx, tp.ActSurveyManage); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		sv, err := findSurvey(ctx, tx, id, 0, s.db.forUpdate())
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM invitations WHERE survey_id = $1", id).Scan(&n); err != nil {
			return err
		}
		if sv.Status != tp.SurveyDraft || n > 0 {
			return tp.Errorf(tp.ECONFLICT, "survey %d is %s and has %d invitations; close it instead of deleting it", id, sv.Status, n)
		}
		for _, q := range []string{"DELETE FROM survey_triggers WHERE survey_id = $1", "DELETE FROM survey_versions WHERE survey_id = $1",
			"DELETE FROM surveys WHERE id = $1"} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
}

func rank(s tp.SurveyStatus) int {
	return map[tp.SurveyStatus]int{tp.SurveyDraft: 0, tp.SurveyActive: 1, tp.SurveyClosed: 2}[s]
}

// FindSurvey returns a survey at its current version. The public (a
// customer on the public page or the widget) does not find drafts.
func (s *SurveyService) FindSurvey(ctx context.Context, id int64) (*tp.Survey, error) {
	if err := can(ctx, tp.ActSurveyRead); err != nil {
		if can(ctx, tp.ActSurveyRespond) != nil {
			return nil, err
		}
		sv, err := findSurvey(ctx, s.db.r, id, 0, "")
		if err == nil && sv.Status == tp.SurveyDraft {
			return nil, tp.Errorf(tp.ENOTFOUND, "survey %d not found", id)
		}
		return sv, err
	}
	return findSurvey(ctx, s.db.r, id, 0, "")
}

// FindSurveyVersion returns a survey with the questions and texts of one version.
func (s *SurveyService) FindSurveyVersion(ctx context.Context, id int64, version int) (*tp.Survey, error) {
	if err := can(ctx, tp.ActSurveyRead); err != nil {
		return nil, err
	}
	return findSurvey(ctx, s.db.r, id, version, "")
}

func findSurvey(ctx context.Context, q querier, id int64, version int, lock string) (*tp.Survey, error) {
	return findSurveyVia(ctx, q, nil, id, version, lock)
}

// surveyVersion is a version's questions and texts, decoded.
type surveyVersion struct {
	questions []tp.Question
	texts     map[string]tp.SurveyText
}

// findSurveyVia is findSurvey with a cache of decoded versions: a version
// of a survey past its draft never changes (an edit makes a new one), and
// answering a link read and decoded it for every answer.
func findSurveyVia(ctx context.Context, q querier, cache *sync.Map, id int64, version int, lock string) (*tp.Survey, error) {
	var s tp.Survey
	var typ, status string
	var created, updated int64
	var closeLoop, afterCase int
	err := q.QueryRowContext(ctx, `SELECT id, name, type, status, default_lang, version, department, close_loop, after_case, created_us, updated_us
		FROM surveys WHERE id = $1`+lock, id).Scan(&s.ID, &s.Name, &typ, &status, &s.DefaultLang, &s.Version, &s.Department, &closeLoop,
		&afterCase, &created, &updated)
	s.CloseLoop, s.AfterCase = closeLoop == 1, afterCase == 1
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.ENOTFOUND, "survey %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load survey: %w", err)
	}
	s.Type, s.Status, s.CreatedAt, s.UpdatedAt = tp.SurveyType(typ), tp.SurveyStatus(status), tp.FromMicros(created), tp.FromMicros(updated)
	if version != 0 {
		s.Version = version
	}
	type key struct {
		id int64
		v  int
	}
	if cache != nil && s.Status != tp.SurveyDraft {
		if v, ok := cache.Load(key{id, s.Version}); ok {
			s.Questions, s.Texts = v.(surveyVersion).questions, v.(surveyVersion).texts
			return &s, nil
		}
	}
	var qs, ts string
	err = q.QueryRowContext(ctx, "SELECT questions, texts FROM survey_versions WHERE survey_id = $1 AND version = $2", id, s.Version).Scan(&qs, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.ENOTFOUND, "survey %d has no version %d", id, s.Version)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(qs), &s.Questions); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ts), &s.Texts); err != nil {
		return nil, err
	}
	if cache != nil && s.Status != tp.SurveyDraft {
		cache.Store(key{id, s.Version}, surveyVersion{s.Questions, s.Texts})
	}
	return &s, nil
}

// ListSurveys lists surveys, newest first, at their current version.
func (s *SurveyService) ListSurveys(ctx context.Context) ([]tp.Survey, error) {
	if err := can(ctx, tp.ActSurveyRead); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT id FROM surveys ORDER BY id DESC")
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []tp.Survey{}
	for _, id := range ids {
		sv, err := findSurvey(ctx, s.db.r, id, 0, "")
		if err != nil {
			return nil, err
		}
		out = append(out, *sv)
	}
	return out, nil
}

// setting returns an instance-wide setting, creating it with make() the first
// time. Replicas racing to create it agree on the first value stored. Settings
// never change once stored, so each is read once per process.
func (db *DB) setting(ctx context.Context, key string, make func() string) (string, error) {
	if v, ok := db.settings.Load(key); ok {
		return v.(string), nil
	}
	var v string
	err := db.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", key).Scan(&v)
	if err == nil {
		db.settings.Store(key, v)
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if _, err := db.w.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key, make()); err != nil {
		return "", err
	}
	if err = db.w.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", key).Scan(&v); err == nil {
		db.settings.Store(key, v)
	}
	return v, err
}

func (db *DB) tokenSecret(ctx context.Context) ([]byte, error) {
	v, err := db.setting(ctx, "link_secret", func() string {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	})
	if err != nil {
		return nil, fmt.Errorf("link secret: %w", err)
	}
	return hex.DecodeString(v)
}

// Survey links carry the invitation id and expiry, signed with HMAC-SHA256:
// unguessable, unforgeable, and checkable without a lookup.
func signToken(secret []byte, id int64, expires time.Time) string {
	payload := binary.BigEndian.AppendUint64(nil, uint64(id))
	payload = binary.BigEndian.AppendUint64(payload, uint64(expires.Unix()))
	mac := hmac.New(sha256.New, secret)
	mac.Write(payload)
	return base64.RawURLEncoding.EncodeToString(append(payload, mac.Sum(nil)[:16]...))
}

func verifyToken(secret []byte, token string, now time.Time) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 32 {
		return 0, tp.Errorf(tp.ENOTFOUND, "this survey link is not valid")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(b[:16])
	if !hmac.Equal(mac.Sum(nil)[:16], b[16:]) {
		return 0, tp.Errorf(tp.ENOTFOUND, "this survey link is not valid")
	}
	if exp := time.Unix(int64(binary.BigEndian.Uint64(b[8:16])), 0); now.After(exp) {
		return 0, tp.Errorf(tp.ECONFLICT, "this survey link has expired").WithFields(map[string]string{"token": "expired"})
	}
	return int64(binary.BigEndian.Uint64(b[:8])), nil
}

// CreateInvitation records a personal invitation and returns its link token.
func (s *SurveyService) CreateInvitation(ctx context.Context, inv *tp.Invitation, ttl time.Duration) (string, error) {
	if err := can(ctx, tp.ActSurveySend); err != nil {
		return "", err
	}
	sv, err := findSurvey(ctx, s.db.r, inv.SurveyID, 0, "")
	if err != nil {
		return "", err
	}
	if sv.Status != tp.SurveyActive {
		return "", tp.Errorf(tp.ECONFLICT, "survey %d is %s; only active surveys take invitations", sv.ID, sv.Status)
	}
	c, err := findCustomer(ctx, s.db.r, inv.CustomerID)
	if err != nil {
		return "", err
	}
	if c.MergedInto != 0 {
		inv.CustomerID = c.MergedInto
	}
	if inv.Channel != "" && !tp.IsChannel(inv.Channel) {
		return "", tp.Errorf(tp.EINVALID, "unknown channel %q", inv.Channel)
	}
	secret, err := s.db.tokenSecret(ctx)
	if err != nil {
		return "", err
	}
	now := s.db.Now()
	inv.Status, inv.CreatedAt, inv.ExpiresAt = "created", now, now.Add(ttl).Truncate(time.Second)
	if err := s.db.w.QueryRowContext(ctx, `INSERT INTO invitations (survey_id, customer_id, channel, department, division, status, expires_us, created_us)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, inv.SurveyID, inv.CustomerID, inv.Channel, inv.Department, inv.Division,
		inv.Status, tp.ToMicros(inv.ExpiresAt), tp.ToMicros(now)).Scan(&inv.ID); err != nil {
		return "", fmt.Errorf("create invitation: %w", err)
	}
	return signToken(secret, inv.ID, inv.ExpiresAt), nil
}

const invitationCols = "id, survey_id, customer_id, channel, department, division, status, reason, expires_us, created_us"

func scanInvitation(row interface{ Scan(...any) error }) (*tp.Invitation, error) {
	var inv tp.Invitation
	var exp, created int64
	if err := row.Scan(&inv.ID, &inv.SurveyID, &inv.CustomerID, &inv.Channel, &inv.Department, &inv.Division, &inv.Status, &inv.Reason,
		&exp, &created); err != nil {
		return nil, err
	}
	inv.ExpiresAt, inv.CreatedAt = tp.FromMicros(exp), tp.FromMicros(created)
	return &inv, nil
}

// InvitationByToken checks a link and returns its invitation, the survey at
// the version the respondent answers (the one already answered, if any), and
// the customer.
func (s *SurveyService) InvitationByToken(ctx context.Context, token string) (*tp.Invitation, *tp.Survey, *tp.Customer, error) {
	if err := can(ctx, tp.ActSurveyRespond); err != nil {
		return nil, nil, nil, err
	}
	secret, err := s.db.tokenSecret(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	id, err := verifyToken(secret, token, s.db.Now())
	if err != nil {
		return nil, nil, nil, err
	}
	inv, err := scanInvitation(s.db.rc.QueryRowContext(ctx, "SELECT "+invitationCols+" FROM invitations WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, tp.Errorf(tp.ENOTFOUND, "this survey link is not valid")
	}
	if err != nil {
		return nil, nil, nil, err
	}
	version := 0
	_ = s.db.rc.QueryRowContext(ctx, "SELECT version FROM responses WHERE invitation_id = $1", id).Scan(&version)
	sv, err := findSurveyVia(ctx, &s.db.rc, &s.db.versions, inv.SurveyID, version, "")
	if err != nil {
		return nil, nil, nil, err
	}
	// Only the customer's own columns (locale, name): not traits and history.
	c, err := scanCustomer(s.db.rc.QueryRowContext(ctx, "SELECT "+customerCols+" FROM customers WHERE id = $1", inv.CustomerID))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("invitation's customer: %w", err)
	}
	return inv, sv, c, nil
}

// ResponseByInvitation returns the response given through an invitation, if any.
func (s *SurveyService) ResponseByInvitation(ctx context.Context, invitationID int64) (*tp.Response, error) {
	if err := can(ctx, tp.ActSurveyRespond); err != nil {
		return nil, err
	}
	return scanResponse(s.db.r.QueryRowContext(ctx, "SELECT "+responseCols+" FROM responses WHERE invitation_id = $1", invitationID))
}

const responseCols = "id, survey_id, version, customer_id, invitation_id, score, answers, comment, lang, channel, department, division, complete, created_us, updated_us"

func scanResponse(row interface{ Scan(...any) error }) (*tp.Response, error) {
	var r tp.Response
	var cust, inv, score sql.NullInt64
	var answers string
	var complete int
	var created, updated int64
	err := row.Scan(&r.ID, &r.SurveyID, &r.Version, &cust, &inv, &score, &answers, &r.Comment, &r.Language, &r.Channel,
		&r.Department, &r.Division, &complete, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.ENOTFOUND, "no response")
	}
	if err != nil {
		return nil, err
	}
	r.CustomerID, r.InvitationID = cust.Int64, inv.Int64
	if score.Valid {
		v := int(score.Int64)
		r.Score = &v
	}
	_ = json.Unmarshal([]byte(answers), &r.Answers)
	r.Complete, r.CreatedAt, r.UpdatedAt = complete == 1, tp.FromMicros(created), tp.FromMicros(updated)
	return &r, nil
}

// SaveResponse stores an answer given through a personal link. A second
// submission updates the same response: a new score replaces the old one in
// the counts, answers are merged, and the response's timeline event changes
// with it. Everything happens in one transaction.
func (s *SurveyService) SaveResponse(ctx context.Context, token string, in tp.ResponseInput) (*tp.Response, error) {
	if err := can(ctx, tp.ActSurveyRespond); err != nil {
		return nil, err
	}
	inv, sv, c, err := s.InvitationByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if sv.Status != tp.SurveyActive {
		return nil, tp.Errorf(tp.ECONFLICT, "this survey is %s and takes no more answers", sv.Status)
	}
	if err := sv.ValidateResponse(&in); err != nil {
		return nil, err
	}
	if in.Language == "" {
		in.Language = sv.RespondentLanguage(c.Locale, "")
	}
	srcID, err := s.db.surveySource(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.db.prepareHot(ctx); err != nil {
		return nil, err
	}
	var out *tp.Response
	err = s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out, err = s.db.saveResponseTx(ctx, tx, inv, sv, c.ID, in, s.db.Now(), srcID)
		return err
	})
	return out, err
}

// saveResponseTx stores or updates the response to one invitation at time
// at: the response row, its score in the rollup, its timeline event, and the
// invitation's status.
func (db *DB) saveResponseTx(ctx context.Context, tx *sql.Tx, inv *tp.Invitation, s *tp.Survey, cust int64, in tp.ResponseInput,
	at time.Time, srcID int64) (*tp.Response, error) {
	old, err := scanResponse(db.queryRow(ctx, tx, db.responseByInvitationSQL(), inv.ID))
	if err != nil && tp.ErrorCode(err) != tp.ENOTFOUND {
		return nil, err
	}
	r := &tp.Response{SurveyID: s.ID, Version: s.Version, CustomerID: cust, InvitationID: inv.ID, Answers: map[string]json.RawMessage{},
		Language: in.Language, Channel: inv.Channel, Department: inv.Department, Division: inv.Division, CreatedAt: at}
	var oldScore *int
	if old != nil {
		r = old
		oldScore = old.Score
		r.Language = in.Language
	}
	if in.Score != nil {
		r.Score = in.Score
	}
	for k, v := range in.Answers {
		if r.Answers == nil {
			r.Answers = map[string]json.RawMessage{}
		}
		r.Answers[k] = v
	}
	if in.Comment != "" || in.Complete {
		r.Comment = in.Comment
	}
	r.Complete = r.Complete || in.Complete
	r.UpdatedAt = at
	answers, _ := json.Marshal(r.Answers)
	var score any
	if r.Score != nil {
		score = *r.Score
	}
	complete := 0
	if r.Complete {
		complete = 1
	}
	p := map[string]any{"survey_id": s.ID, "survey": s.Name, "survey_type": s.Type, "version": r.Version,
		"score": r.Score, "comment": r.Comment, "language": r.Language, "complete": r.Complete}
	if in.Page != "" {
		p["page"] = in.Page
	}
	props, _ := json.Marshal(p)
	msgID := fmt.Sprintf("survey-invitation-%d", inv.ID)
	us := tp.ToMicros(at)
	if old == nil {
		var evID int64
		if err := db.queryRow(ctx, tx, db.insertEventsSQL(1)+" RETURNING id",
			msgID, srcID, cust, string(tp.EventTrack), "Survey Responded", channelOr(r.Channel),
			r.Department, r.Division, us, us, "", "", string(props), nil, nil).Scan(&evID); err != nil {
			return nil, fmt.Errorf("timeline event: %w", err)
		}
		if err := db.queryRow(ctx, tx, insertResponseSQL,
			r.SurveyID, r.Version, r.CustomerID, r.InvitationID, score, string(answers), r.Comment, r.Language, r.Channel,
			r.Department, r.Division, complete, evID, us).Scan(&r.ID); err != nil {
			return nil, fmt.Errorf("save response: %w", err)
		}
		if _, err := db.exec(ctx, tx, touchCustomerSQL, us, cust); err != nil {
			return nil, err
		}
	} else {
		if _, err := tx.ExecContext(ctx, `UPDATE responses SET score = $1, answers = $2, comment = $3, lang = $4, complete = $5,
			updated_us = $6 WHERE id = $7`, score, string(answers), r.Comment, r.Language, complete, us, r.ID); err != nil {
			return nil, fmt.Errorf("update response: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE events SET properties = $1 WHERE message_id = $2 AND source_id = $3",
			string(props), msgID, srcID); err != nil {
			return nil, err
		}
	}
	if err := db.rollupMove(ctx, tx, r, oldScore); err != nil {
		return nil, err
	}
	if err := db.closeLoop(ctx, tx, s, r); err != nil {
		return nil, err
	}
	if _, err := db.exec(ctx, tx, respondedSQL, us, inv.ID); err != nil {
		return nil, err
	}
	return r, nil
}

// ImportResponses records answers given elsewhere (another survey tool, or
// the demo data): for each, an invitation dated At and its response, in
// transactions of up to 500, through the same path as SaveResponse.
func (s *SurveyService) ImportResponses(ctx context.Context, recs []tp.ResponseImport) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	srcID, err := s.db.surveySource(ctx)
	if err != nil {
		return err
	}
	if err := s.db.prepareHot(ctx); err != nil {
		return err
	}
	surveys := map[int64]*tp.Survey{}
	for _, rec := range recs {
		if surveys[rec.SurveyID] == nil {
			if surveys[rec.SurveyID], err = findSurvey(ctx, s.db.r, rec.SurveyID, 0, ""); err != nil {
				return err
			}
		}
		if rec.NoAnswer {
			continue
		}
		in := tp.ResponseInput{Score: rec.Score, Comment: rec.Comment, Language: rec.Language, Complete: true}
		if err := surveys[rec.SurveyID].ValidateResponse(&in); err != nil {
			return err
		}
	}
	for start := 0; start < len(recs); start += 500 {
		chunk := recs[start:min(start+500, len(recs))]
		err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, rec := range chunk {
				inv := &tp.Invitation{SurveyID: rec.SurveyID, CustomerID: rec.CustomerID, Channel: rec.Channel, Department: rec.Department,
					Division: rec.Division, Status: "created"}
				if rec.NoAnswer {
					inv.Status = "sent"
				}
				us := tp.ToMicros(rec.At)
				if err := tx.QueryRowContext(ctx, `INSERT INTO invitations (survey_id, customer_id, channel, department, division, status, expires_us, created_us)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, inv.SurveyID, inv.CustomerID, inv.Channel, inv.Department,
					inv.Division, inv.Status, us, us).Scan(&inv.ID); err != nil {
					return fmt.Errorf("import invitation: %w", err)
				}
				if rec.NoAnswer {
					continue
				}
				in := tp.ResponseInput{Score: rec.Score, Comment: rec.Comment, Language: rec.Language, Complete: true}
				if _, err := s.db.saveResponseTx(ctx, tx, inv, surveys[rec.SurveyID], rec.CustomerID, in, rec.At, srcID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func channelOr(c string) string {
	if c == "" {
		return "web"
	}
	return c
}

// rollupMove moves a response from its old score's counts to its new one,
// in the daily and the monthly rollup.
func (db *DB) rollupMove(ctx context.Context, tx *sql.Tx, r *tp.Response, old *int) error {
	if old != nil && r.Score != nil && *old == *r.Score {
		return nil
	}
	move := func(score, delta int) error {
		for _, q := range []struct {
			sql    string
			bucket int64
		}{{rollupDaySQL, r.CreatedAt.Unix() / 86400}, {rollupMonthSQL, monthIndex(r.CreatedAt)}} {
			if _, err := db.exec(ctx, tx, q.sql, r.SurveyID, q.bucket, r.Division, r.Channel, r.Department, score, delta); err != nil {
				return fmt.Errorf("rollup: %w", err)
			}
		}
		return nil
	}
	if old != nil {
		if err := move(*old, -1); err != nil {
			return err
		}
	}
	if r.Score != nil {
		return move(*r.Score, 1)
	}
	return nil
}

// Statements of the answer path, prepared once (see DB.prepareHot).
const (
	insertResponseSQL = `INSERT INTO responses (survey_id, version, customer_id, invitation_id, score, answers, comment,
		lang, channel, department, division, complete, event_id, created_us, updated_us)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`
	touchCustomerSQL = "UPDATE customers SET last_seen_us = $1 WHERE id = $2 AND last_seen_us < $1"
	respondedSQL     = "UPDATE invitations SET status = 'responded', responded_us = $1 WHERE id = $2 AND responded_us IS NULL"
	rollupDaySQL     = `INSERT INTO response_rollup (survey_id, day, division, channel, department, score, n) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (survey_id, day, division, channel, department, score) DO UPDATE SET n = response_rollup.n + excluded.n`
	rollupMonthSQL = `INSERT INTO response_rollup_month (survey_id, month, division, channel, department, score, n) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (survey_id, month, division, channel, department, score) DO UPDATE SET n = response_rollup_month.n + excluded.n`
)

// monthIndex numbers months: year × 12 + month − 1, in UTC.
func monthIndex(t time.Time) int64 {
	t = t.UTC()
	return int64(t.Year())*12 + int64(t.Month()) - 1
}

// surveySource is the built-in source that survey responses are recorded
// under on customers' timelines.
func (db *DB) surveySource(ctx context.Context) (int64, error) {
	v, err := db.setting(ctx, "surveys_source_id", func() string {
		s := &tp.Source{Name: "Surveys", Channel: "web"}
		if err := db.createSource(ctx, s); err != nil {
			return "0"
		}
		return strconv.FormatInt(s.ID, 10)
	})
	if err != nil {
		return 0, err
	}
	id, _ := strconv.ParseInt(v, 10, 64)
	if id == 0 {
		return 0, fmt.Errorf("the Surveys source could not be created")
	}
	return id, nil
}

// ListInvitations lists a survey's invitations, newest first.
func (s *SurveyService) ListInvitations(ctx context.Context, surveyID int64, limit int) ([]tp.Invitation, error) {
	if err := can(ctx, tp.ActSurveySend); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT "+invitationCols+" FROM invitations WHERE survey_id = $1 ORDER BY id DESC LIMIT $2", surveyID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.Invitation{}
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *inv)
	}
	return out, rows.Err()
}

// PublicToken returns the link token for an anonymous respondent of a public
// link or widget: the anonymous id joins (or starts) a customer profile, and
// the same respondent always gets the same invitation, so a second answer
// updates the first.
func (s *SurveyService) PublicToken(ctx context.Context, surveyID int64, anonymousID string) (string, error) {
	if err := can(ctx, tp.ActSurveyRespond); err != nil {
		return "", err
	}
	id, err := tp.NormalizeIdentity(tp.IdentityAnonymousID, anonymousID, "")
	if err != nil {
		return "", tp.Errorf(tp.EINVALID, "anonymousId: %s", err).WithFields(map[string]string{"anonymousId": "invalid"})
	}
	sv, err := findSurvey(ctx, s.db.r, surveyID, 0, "")
	if err != nil {
		return "", err
	}
	if sv.Status != tp.SurveyActive {
		return "", tp.Errorf(tp.ECONFLICT, "this survey is %s and takes no more answers", sv.Status)
	}
	srcID, err := s.db.surveySource(ctx)
	if err != nil {
		return "", err
	}
	src, err := scanSource(s.db.r.QueryRowContext(ctx, "SELECT "+sourceCols+" FROM sources WHERE id = $1", srcID))
	if err != nil {
		return "", err
	}
	now := s.db.Now()
	c, err := s.db.identifyVia(ctx, src, id, tp.Message{AnonymousID: id.Value})
	if err != nil {
		return "", err
	}
	key := fmt.Sprintf("public:%d:%s", surveyID, id.Value)
	var invID, exp int64
	err = s.db.r.QueryRowContext(ctx, "SELECT id, expires_us FROM invitations WHERE trigger_key = $1", key).Scan(&invID, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		exp = tp.ToMicros(now.AddDate(1, 0, 0).Truncate(time.Second))
		err = s.db.w.QueryRowContext(ctx, `INSERT INTO invitations (survey_id, customer_id, channel, status, expires_us, created_us, trigger_key)
			VALUES ($1, $2, 'web', 'created', $3, $4, $5) ON CONFLICT (trigger_key) WHERE trigger_key IS NOT NULL DO NOTHING RETURNING id`,
			surveyID, c.ID, exp, tp.ToMicros(now), key).Scan(&invID)
		if errors.Is(err, sql.ErrNoRows) { // a concurrent request made it
			err = s.db.w.QueryRowContext(ctx, "SELECT id, expires_us FROM invitations WHERE trigger_key = $1", key).Scan(&invID, &exp)
		}
	}
	if err != nil {
		return "", fmt.Errorf("public invitation: %w", err)
	}
	secret, err := s.db.tokenSecret(ctx)
	if err != nil {
		return "", err
	}
	return signToken(secret, invID, tp.FromMicros(exp)), nil
}

// CustomerForEmail returns the customer of an e-mail address, creating one
// (through the surveys source, as an identify) when it is new.
func (s *SurveyService) CustomerForEmail(ctx context.Context, email string) (*tp.Customer, error) {
	// A complaint (form or mail), a case an agent opens and an invitation
	// by address each start from a customer found or made by e-mail.
	if err := canAny(ctx, tp.ActCaseSubmit, tp.ActCaseCreate, tp.ActSurveySend); err != nil {
		return nil, err
	}
	id, err := tp.NormalizeIdentity(tp.IdentityEmail, email, "")
	if err != nil {
		return nil, err
	}
	srcID, err := s.db.surveySource(ctx)
	if err != nil {
		return nil, err
	}
	src, err := scanSource(s.db.r.QueryRowContext(ctx, "SELECT "+sourceCols+" FROM sources WHERE id = $1", srcID))
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(id.Value)
	return s.db.identifyVia(ctx, src, id, tp.Message{Traits: map[string]json.RawMessage{"email": b}})
}

// identifyVia ingests an identify naming id (once: its message id is derived
// from it) and returns the identity's customer.
func (db *DB) identifyVia(ctx context.Context, src *tp.Source, id tp.Identity, m tp.Message) (*tp.Customer, error) {
	now := db.Now()
	// The message id is derived from the identity (an identity is identified
	// once) but does not spell it: it stays when an erasure blanks the rest.
	m.Type, m.MessageID, m.Identities, m.Timestamp, m.ReceivedAt = tp.EventIdentify, "survey-"+identityHash(id)[:24], []tp.Identity{id}, now, now
	if _, err := db.ingest(ctx, src, []tp.Message{m}); err != nil {
		return nil, err
	}
	return customerByIdentity(ctx, db.r, id)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// closeLoop opens a case for a detractor's answer, once per answer, routed to
// the department the answer is about (the triage queue when none), in the
// answer's transaction.
func (db *DB) closeLoop(ctx context.Context, tx *sql.Tx, s *tp.Survey, r *tp.Response) error {
	if !s.CloseLoop || r.Score == nil || !s.Type.Detractor(*r.Score) || r.CustomerID == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM cases WHERE response_id = $1", r.ID).Scan(&n); err != nil || n > 0 {
		return err
	}
	dept := r.Department
	if dept == "" {
		dept = s.Department
	}
	desc := r.Comment
	if desc == "" {
		desc = "(no comment)"
	}
	c := &tp.Case{CustomerID: r.CustomerID, Subject: fmt.Sprintf("Detractor: %s %s %d", s.Name, s.Type, *r.Score), Description: desc,
		Channel: channelOr(r.Channel), Source: tp.CaseFromSurvey, Category: tp.CategoryDetractor, Priority: tp.PriorityHigh,
		Department: dept, Division: r.Division, ResponseID: r.ID}
	if err := c.Validate(); err != nil {
		return err
	}
	return db.createCaseTx(ctx, tx, c, r.UpdatedAt)
}

func (db *DB) responseByInvitationSQL() string {
	return "SELECT " + responseCols + " FROM responses WHERE invitation_id = $1" + db.forUpdate()
}
