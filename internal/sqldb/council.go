package sqldb

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// CouncilService runs customer councils: recruitment with consent, sessions,
// ideas and their decisions (staff); the member's page (by link).
type CouncilService struct{ db *DB }

// MaxRecruit is how many customers one recruitment invites at most.
const MaxRecruit = 500

// CreateCouncil starts a council.
func (s *CouncilService) CreateCouncil(ctx context.Context, c *tp.Council) error {
	if err := can(ctx, tp.ActCouncilManage); err != nil {
		return err
	}
	bad := map[string]string{}
	if c.Name = strings.TrimSpace(c.Name); c.Name == "" || len([]rune(c.Name)) > tp.MaxCouncilTitle {
		bad["name"] = "1–200 characters"
		return tp.Errorf(tp.EINVALID, "a council needs a name of 1–200 characters").WithFields(bad)
	}
	c.CreatedAt, c.CreatedBy = s.db.Now(), actorOf(ctx)
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "INSERT INTO councils (name, created_us, created_by) VALUES ($1, $2, $3) RETURNING id",
			c.Name, tp.ToMicros(c.CreatedAt), c.CreatedBy).Scan(&c.ID)
	})
}

// ListCouncils lists every council.
func (s *CouncilService) ListCouncils(ctx context.Context) ([]tp.Council, error) {
	if err := can(ctx, tp.ActCouncilRead); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT id, name, created_us, created_by FROM councils ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.Council{}
	for rows.Next() {
		var c tp.Council
		var at int64
		if err := rows.Scan(&c.ID, &c.Name, &at, &c.CreatedBy); err != nil {
			return nil, err
		}
		c.CreatedAt = tp.FromMicros(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindCouncil reads one council.
func (s *CouncilService) FindCouncil(ctx context.Context, id int64) (*tp.Council, error) {
	if err := can(ctx, tp.ActCouncilRead); err != nil {
		return nil, err
	}
	return findCouncil(ctx, s.db.r, id)
}

func findCouncil(ctx context.Context, q querier, id int64) (*tp.Council, error) {
	var c tp.Council
	var at int64
	err := q.QueryRowContext(ctx, "SELECT id, name, created_us, created_by FROM councils WHERE id = $1", id).Scan(&c.ID, &c.Name, &at, &c.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.ENOTFOUND, "council %d not found", id)
	}
	c.CreatedAt = tp.FromMicros(at)
	return &c, err
}

// A member's personal link carries their member id signed with HMAC-SHA256
// under the link secret, apart from survey links ("council" is signed too):
// unguessable, unforgeable, nothing stored.
func memberToken(secret []byte, id int64) string {
	payload := binary.BigEndian.AppendUint64(nil, uint64(id))
	return base64.RawURLEncoding.EncodeToString(append(payload, memberMAC(secret, payload)...))
}

func memberMAC(secret, payload []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("council\x00"))
	mac.Write(payload)
	return mac.Sum(nil)[:16]
}

// memberOfToken checks a personal link and returns its member id.
func (s *CouncilService) memberOfToken(ctx context.Context, token string) (int64, error) {
	if err := can(ctx, tp.ActCouncilRespond); err != nil {
		return 0, err
	}
	secret, err := s.db.tokenSecret(ctx)
	if err != nil {
		return 0, err
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 24 || !hmac.Equal(memberMAC(secret, b[:8]), b[8:]) {
		return 0, tp.Errorf(tp.ENOTFOUND, "this council link is not known")
	}
	return int64(binary.BigEndian.Uint64(b[:8])), nil
}

// Recruit invites up to n members of a segment, picked at random among
// those who may be asked: with an e-mail address, not erased, not objecting
// to being asked for feedback and not invited already. Each
// gets a mail with their personal link (a job).
func (s *CouncilService) Recruit(ctx context.Context, councilID, segmentID int64, n int) (tp.RecruitReport, error) {
	rep := tp.RecruitReport{Skipped: map[string]int{}}
	if err := can(ctx, tp.ActCouncilManage); err != nil {
		return rep, err
	}
	if n < 1 || n > MaxRecruit {
		return rep, tp.Errorf(tp.EINVALID, "invite 1–%d customers at a time", MaxRecruit).WithFields(map[string]string{"n": "1–500"})
	}
	if _, err := findCouncil(ctx, s.db.r, councilID); err != nil {
		return rep, err
	}
	seg, err := findSegment(ctx, s.db.r, segmentID)
	if tp.ErrorCode(err) == tp.ENOTFOUND {
		return rep, tp.Errorf(tp.EINVALID, "segment %d does not exist", segmentID).WithFields(map[string]string{"segment_id": "unknown"})
	}
	if err != nil {
		return rep, err
	}
	where, args := s.db.segmentWhere(seg, 1)
	args = append(args, councilID)
	member := fmt.Sprintf("c.id IN (SELECT customer_id FROM council_members WHERE council_id = $%d)", len(args))
	// Why each member of the segment is left out, or "" when they may be asked.
	reason := `CASE WHEN ` + member + ` THEN 'member' WHEN c.erased_us IS NOT NULL OR c.email = '' THEN 'no_email'
		WHEN ` + objected("c.id", tp.PurposeSurvey) + ` THEN 'objected' ELSE '' END`
	// A fixed hash of council and customer orders them: random for the pick,
	// yet the same on every replica and in every demo.
	order := fmt.Sprintf(" ORDER BY (c.id * 2654435761 + $%d * 40503) %% 1000003, c.id", len(args))
	rows, err := s.db.r.QueryContext(ctx, "SELECT c.id, "+reason+" FROM customers c WHERE "+where+order, args...)
	if err != nil {
		return rep, fmt.Errorf("recruit: %w", err)
	}
	var pick []int64
	for rows.Next() {
		var id int64
		var why string
		if err := rows.Scan(&id, &why); err != nil {
			rows.Close()
			return rep, err
		}
		switch {
		case why != "":
			rep.Skipped[why]++
		case len(pick) < n:
			pick = append(pick, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, err
	}
	now := s.db.Now()
	err = s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, c := range pick {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO council_members (council_id, customer_id, status, invited_us)
				VALUES ($1, $2, 'invited', $3) RETURNING id`, councilID, c, tp.ToMicros(now)).Scan(&id); err != nil {
				return err
			}
			if err := s.db.enqueue(ctx, tx, tp.SendCouncilInvite{MemberID: id}, now); err != nil {
				return err
			}
		}
		return nil
	})
	rep.Invited = len(pick)
	return rep, err
}

const memberCols = "m.id, m.council_id, m.customer_id, c.name, m.status, c.locale, m.invited_us, m.answered_us"

func scanMember(row scanner) (tp.CouncilMember, error) {
	var m tp.CouncilMember
	var invited int64
	var answered sql.NullInt64
	err := row.Scan(&m.ID, &m.CouncilID, &m.CustomerID, &m.Name, &m.Status, &m.Locale, &invited, &answered)
	m.InvitedAt = tp.FromMicros(invited)
	if answered.Valid {
		at := tp.FromMicros(answered.Int64)
		m.AnsweredAt = &at
	}
	return m, err
}

// CouncilMembers lists a council's members, accepted first.
func (s *CouncilService) CouncilMembers(ctx context.Context, councilID int64) ([]tp.CouncilMember, error) {
	if err := can(ctx, tp.ActCouncilRead); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT "+memberCols+` FROM council_members m JOIN customers c ON c.id = m.customer_id
		WHERE m.council_id = $1 ORDER BY CASE m.status WHEN 'accepted' THEN 0 WHEN 'invited' THEN 1 ELSE 2 END, m.id`, councilID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.CouncilMember{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MemberLink returns a member's personal link token, for a manager who hands
// it over in person or by phone.
func (s *CouncilService) MemberLink(ctx context.Context, memberID int64) (string, error) {
	if err := can(ctx, tp.ActCouncilManage); err != nil {
		return "", err
	}
	var n int
	if err := s.db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM council_members WHERE id = $1", memberID).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		return "", tp.Errorf(tp.ENOTFOUND, "council member %d not found", memberID)
	}
	secret, err := s.db.tokenSecret(ctx)
	if err != nil {
		return "", err
	}
	return memberToken(secret, memberID), nil
}

// InviteFor is what the invitation job needs: the member, their address and
// the council, read fresh (an erased or objecting customer gets no mail).
func (s *CouncilService) InviteFor(ctx context.Context, memberID int64) (tp.CouncilMember, string, *tp.Council, bool, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return tp.CouncilMember{}, "", nil, false, err
	}
	var email string
	var objecting int
	row := s.db.r.QueryRowContext(ctx, "SELECT "+memberCols+`, c.email, CASE WHEN `+objected("c.id", tp.PurposeSurvey)+
		` THEN 1 ELSE 0 END FROM council_members m JOIN customers c ON c.id = m.customer_id WHERE m.id = $1`, memberID)
	m, err := scanMember(scanWith(row, &email, &objecting))
	if errors.Is(err, sql.ErrNoRows) {
		return m, "", nil, false, tp.Errorf(tp.ENOTFOUND, "council member %d not found", memberID)
	}
	if err != nil {
		return m, "", nil, false, err
	}
	secret, err := s.db.tokenSecret(ctx)
	if err != nil {
		return m, "", nil, false, err
	}
	m.Link = memberToken(secret, m.ID)
	c, err := findCouncil(ctx, s.db.r, m.CouncilID)
	return m, email, c, objecting == 1 || email == "" || m.Status != tp.MemberInvited, err
}

// scanWith scans a row into the scanner's fields followed by more.
type extraScanner struct {
	row   *sql.Row
	extra []any
}

func scanWith(row *sql.Row, extra ...any) scanner { return extraScanner{row, extra} }

func (e extraScanner) Scan(dst ...any) error { return e.row.Scan(append(dst, e.extra...)...) }

// checkSessionDay bounds session dates to sensible years.
func checkSessionDay(t time.Time) error {
	if t.Year() < 2000 || t.Year() > 2100 {
		return tp.Errorf(tp.EINVALID, "the session date must lie between 2000 and 2100").WithFields(map[string]string{"at": "out of range"})
	}
	return nil
}
