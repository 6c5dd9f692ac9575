// Package track decodes and validates calls of the Segment HTTP Tracking API
// (identify, track, page, screen, group, alias, batch, import) into
// touchpoint.Messages. It is pure: no I/O, no clock (the caller passes the
// receive time), so it can be fuzzed.
package track

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tp "github.com/touchpoint-cx/touchpoint"
)

// The spec's limits: 32 KB for one call or one message inside a batch, 500 KB
// for a batch. They apply to the decompressed body.
const (
	MaxMessageBytes = 32 << 10
	MaxBatchBytes   = 500 << 10
	MaxBatchLen     = 2500 // a batch of 500 KB cannot hold more meaningful messages
	maxNameLen      = 512
	maxDeptLen      = 64
)

// raw is the wire shape of one message. Flexible fields stay raw so that type
// errors name the field instead of failing the whole decode obscurely.
type raw struct {
	Type              string          `json:"type"`
	MessageID         json.RawMessage `json:"messageId"`
	UserID            json.RawMessage `json:"userId"`
	AnonymousID       json.RawMessage `json:"anonymousId"`
	PreviousID        json.RawMessage `json:"previousId"`
	GroupID           json.RawMessage `json:"groupId"`
	Event             json.RawMessage `json:"event"`
	Name              json.RawMessage `json:"name"`
	Timestamp         json.RawMessage `json:"timestamp"`
	OriginalTimestamp json.RawMessage `json:"originalTimestamp"`
	SentAt            json.RawMessage `json:"sentAt"`
	Traits            json.RawMessage `json:"traits"`
	Properties        json.RawMessage `json:"properties"`
	Context           json.RawMessage `json:"context"`
	WriteKey          string          `json:"writeKey"`
}

type batch struct {
	Batch    []json.RawMessage `json:"batch"`
	SentAt   json.RawMessage   `json:"sentAt"`
	Context  json.RawMessage   `json:"context"`
	WriteKey string            `json:"writeKey"`
}

// Decoded is the result of decoding one request body: the valid messages,
// and the refused ones of a batch (each message stands on its own).
type Decoded struct {
	WriteKey string // from the body, if the client put it there
	Kind     string // "batch", or the event type of a single call (see Replay)
	Body     []byte // as given to the decoder
	Messages []tp.Message
	Rejected []tp.RejectedMessage
}

// DecodeCall decodes the body of /v1/{identify,track,page,screen,group,alias}.
func DecodeCall(typ tp.EventType, body []byte, receivedAt time.Time) (*Decoded, error) {
	if len(body) > MaxMessageBytes {
		return nil, tooLarge("message", len(body), MaxMessageBytes)
	}
	var r raw
	if err := decodeRaw(body, &r, false); err != nil {
		return nil, err
	}
	if r.Type != "" && r.Type != string(typ) {
		return nil, invalid("type", "type %q does not match the endpoint /v1/%s", r.Type, typ)
	}
	r.Type = string(typ)
	m, err := message(&r, body, nil, nil, receivedAt)
	if err != nil {
		return nil, err
	}
	return &Decoded{WriteKey: r.WriteKey, Kind: string(typ), Body: body, Messages: []tp.Message{m}}, nil
}

// DecodeBatch decodes the body of /v1/batch and /v1/import. Every message
// is validated on its own: a bad one is refused (with its reason and JSON)
// and the others go on, because a client that sees its batch refused sends
// it again and again and finally drops the good events with the bad. The
// body as a whole must be JSON, within the size limit, with a batch.
func DecodeBatch(body []byte, receivedAt time.Time) (*Decoded, error) {
	if len(body) > MaxBatchBytes {
		return nil, tooLarge("batch", len(body), MaxBatchBytes)
	}
	var b batch
	if err := strictObject(body, &b); err != nil {
		return nil, err
	}
	if len(b.Batch) == 0 {
		return nil, invalid("batch", "batch must be a non-empty array of messages")
	}
	if len(b.Batch) > MaxBatchLen {
		return nil, invalid("batch", "batch holds %d messages; at most %d are accepted", len(b.Batch), MaxBatchLen)
	}
	if b.Context != nil && !isObject(b.Context) {
		return nil, invalid("context", "context must be an object")
	}
	d := &Decoded{WriteKey: b.WriteKey, Kind: KindBatch, Body: body, Messages: make([]tp.Message, 0, len(b.Batch))}
	for i, rm := range b.Batch {
		m, err := batchMessage(rm, true, b.SentAt, b.Context, receivedAt)
		if d.WriteKey == "" {
			d.WriteKey = m.writeKey
		}
		if err != nil {
			d.Rejected = append(d.Rejected, Refused(rm, i, err, receivedAt))
			continue
		}
		d.Messages = append(d.Messages, m.Message)
	}
	return d, nil
}

// KindBatch is the Kind of a /v1/batch (or /v1/import, beacon) body.
const KindBatch = "batch"

// Replay decodes a body the intake accepted before, with the time it was
// received then, into the same messages and refusals. It is a tp.ReplayFunc.
func Replay(kind string, body []byte, receivedAt time.Time) ([]tp.Message, []tp.RejectedMessage, error) {
	if kind == KindBatch {
		d, err := DecodeBatch(body, receivedAt)
		if err != nil {
			return nil, nil, err
		}
		return d.Messages, d.Rejected, nil
	}
	d, err := DecodeCall(tp.EventType(kind), body, receivedAt)
	if tp.ErrorCode(err) == tp.EINVALID { // a single call refused on its own
		return nil, []tp.RejectedMessage{Refused(body, 0, err, receivedAt)}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return d.Messages, nil, nil
}

// DecodeWriteKey reads only the writeKey of a body, for a message refused
// before its source was known.
func DecodeWriteKey(body []byte) (string, error) {
	var b struct {
		WriteKey string `json:"writeKey"`
	}
	err := json.Unmarshal(body, &b)
	return b.WriteKey, err
}

// Refused describes a message that failed validation, for the quarantine:
// its reason, and as much of it as can be read.
func Refused(rm json.RawMessage, index int, err error, receivedAt time.Time) tp.RejectedMessage {
	r := tp.RejectedMessage{ReceivedAt: receivedAt.UTC(), Index: index, Reason: tp.ErrorMessage(err), Raw: string(rm)}
	var head struct {
		Type      string          `json:"type"`
		MessageID json.RawMessage `json:"messageId"`
	}
	if json.Unmarshal(rm, &head) == nil {
		r.Type = head.Type
		r.MessageID, _ = idString("messageId", head.MessageID)
	}
	for f := range tp.ErrorFields(err) {
		// Most messages name their field already ("type is required").
		if !strings.HasPrefix(r.Reason, f) {
			r.Reason = f + ": " + r.Reason
		}
		break
	}
	return r
}

type keyed struct {
	tp.Message
	writeKey string
}

// batchMessage decodes one member of a batch (checked: known to be valid
// JSON) or one line of an import.
func batchMessage(rm json.RawMessage, checked bool, sentAt, ctx json.RawMessage, receivedAt time.Time) (keyed, error) {
	if len(rm) > MaxMessageBytes {
		return keyed{}, tooLarge("message", len(rm), MaxMessageBytes)
	}
	var r raw
	if err := decodeRaw(rm, &r, checked); err != nil {
		return keyed{}, err
	}
	switch tp.EventType(r.Type) {
	case tp.EventIdentify, tp.EventTrack, tp.EventPage, tp.EventScreen, tp.EventGroup, tp.EventAlias:
	case "":
		return keyed{}, invalid("type", "type is required (identify, track, page, screen, group or alias)")
	default:
		return keyed{}, invalid("type", "unknown type %q", r.Type)
	}
	m, err := message(&r, rm, sentAt, ctx, receivedAt)
	return keyed{m, r.WriteKey}, err
}

// message validates r and turns it into a Message. body is the message's own
// JSON, used to derive a stable messageId when the client sent none.
func message(r *raw, body, batchSentAt, batchCtx json.RawMessage, receivedAt time.Time) (tp.Message, error) {
	m := tp.Message{Type: tp.EventType(r.Type), ReceivedAt: receivedAt.UTC()}
	var err error
	if m.MessageID, err = idString("messageId", r.MessageID); err != nil {
		return m, err
	}
	if m.MessageID == "" {
		sum := sha256.Sum256(body)
		m.MessageID = "h-" + hex.EncodeToString(sum[:12])
	}
	if len(m.MessageID) > 255 {
		return m, invalid("messageId", "messageId is longer than 255 characters")
	}
	if m.UserID, err = idString("userId", r.UserID); err != nil {
		return m, err
	}
	if m.AnonymousID, err = idString("anonymousId", r.AnonymousID); err != nil {
		return m, err
	}
	if m.PreviousID, err = idString("previousId", r.PreviousID); err != nil {
		return m, err
	}
	if m.GroupID, err = idString("groupId", r.GroupID); err != nil {
		return m, err
	}
	if err := names(r, &m); err != nil {
		return m, err
	}
	ctx, err := objects(r, batchCtx, &m)
	if err != nil {
		return m, err
	}
	if m.Timestamp, err = timestamp(r, batchSentAt, &m); err != nil {
		return m, err
	}
	if err := overrides(&m, ctx); err != nil {
		return m, err
	}
	if m.Identities, err = identities(&m, ctx); err != nil {
		return m, err
	}
	return m, nil
}

func names(r *raw, m *tp.Message) error {
	ev, err := optString("event", r.Event)
	if err != nil {
		return err
	}
	name, err := optString("name", r.Name)
	if err != nil {
		return err
	}
	switch m.Type {
	case tp.EventTrack:
		if strings.TrimSpace(ev) == "" {
			return invalid("event", "a track call needs an event name")
		}
		m.Name = strings.TrimSpace(ev)
	case tp.EventPage, tp.EventScreen:
		m.Name = strings.TrimSpace(name)
	case tp.EventGroup:
		if m.GroupID == "" {
			return invalid("groupId", "a group call needs a groupId")
		}
		m.Name = m.GroupID
	case tp.EventAlias:
		if m.PreviousID == "" || m.UserID == "" {
			return invalid("previousId", "an alias call needs both previousId and userId")
		}
	}
	if len(m.Name) > maxNameLen {
		return invalid("event", "the event name is longer than %d characters", maxNameLen)
	}
	return nil
}

// wireContext is what touchpoint reads of a message's context, decoded
// once (it is half of a typical message) and checked where each part is used.
type wireContext struct {
	Traits      json.RawMessage `json:"traits"`
	Consent     json.RawMessage `json:"consent"`
	Channel     any             `json:"channel"`
	Locale      any             `json:"locale"`
	ExternalIDs json.RawMessage `json:"externalIds"`
}

func objects(r *raw, batchCtx json.RawMessage, m *tp.Message) (*wireContext, error) {
	for _, f := range []struct {
		name string
		v    json.RawMessage
	}{{"traits", r.Traits}, {"properties", r.Properties}, {"context", r.Context}} {
		if f.v != nil && !isNull(f.v) && !isObject(f.v) {
			return nil, invalid(f.name, "%s must be an object", f.name)
		}
	}
	if !isNull(r.Properties) {
		m.Properties = r.Properties
	}
	m.Context = r.Context
	if isNull(m.Context) {
		m.Context = batchCtx
	}
	if isNull(m.Context) {
		m.Context = nil
	}
	// Identity and trait updates come from the call's traits and, as Segment's
	// libraries send them on track/page calls, from context.traits.
	traits := map[string]json.RawMessage{}
	ctx := &wireContext{}
	if m.Context != nil {
		if err := json.Unmarshal(m.Context, ctx); err != nil {
			return nil, invalid("context", "context is not valid JSON: %v", err)
		}
		if !isNull(ctx.Consent) {
			var c struct {
				CategoryPreferences json.RawMessage `json:"categoryPreferences"`
			}
			if !isObject(ctx.Consent) || json.Unmarshal(ctx.Consent, &c) != nil {
				return nil, invalid("context.consent", "context.consent must be an object")
			}
			if err := consent(m, "context.consent.categoryPreferences", c.CategoryPreferences); err != nil {
				return nil, err
			}
		}
		if ctx.Traits != nil && !isNull(ctx.Traits) {
			if !isObject(ctx.Traits) {
				return nil, invalid("context.traits", "context.traits must be an object")
			}
			_ = json.Unmarshal(ctx.Traits, &traits)
		}
	}
	if !isNull(r.Traits) && m.Type != tp.EventGroup {
		// group traits describe the company, not the person.
		var own map[string]json.RawMessage
		_ = json.Unmarshal(r.Traits, &own)
		for k, v := range own {
			traits[k] = v
		}
	}
	if len(traits) > 0 {
		m.Traits = traits
	}
	return ctx, consent(m, "traits.consent", traits["consent"])
}

// consent reads consent statements: an object of purpose (or a consent
// tool's category name) → true (consent) or false (objection). Categories
// touchpoint has no purpose for are ignored; a value that is not a boolean
// is an error, since a consent must never be guessed.
func consent(m *tp.Message, field string, v json.RawMessage) error {
	if isNull(v) {
		return nil
	}
	var prefs map[string]json.RawMessage
	if !isObject(v) || json.Unmarshal(v, &prefs) != nil {
		return invalid(field, "%s must be an object of purpose → true or false", field)
	}
	for k, raw := range prefs {
		p, ok := tp.ParsePurpose(k)
		if !ok {
			continue
		}
		var granted bool
		if err := json.Unmarshal(raw, &granted); err != nil {
			return invalid(field, "%s.%s must be true or false", field, k)
		}
		if m.Consent == nil {
			m.Consent = map[tp.Purpose]bool{}
		}
		m.Consent[p] = granted
	}
	return nil
}

// timestamp applies the spec's clock-skew correction: when the client says
// when it sent the message (sentAt), the event time is shifted by the
// difference between the server's and the client's clocks.
func timestamp(r *raw, batchSentAt json.RawMessage, m *tp.Message) (time.Time, error) {
	receivedAt := m.ReceivedAt
	tsRaw := r.Timestamp
	field := "timestamp"
	if isNull(tsRaw) {
		tsRaw, field = r.OriginalTimestamp, "originalTimestamp"
	}
	ts, warning, err := optTime(field, tsRaw)
	if err != nil {
		return time.Time{}, err
	}
	if warning != "" {
		m.Warnings = append(m.Warnings, warning)
	}
	sentRaw := r.SentAt
	if isNull(sentRaw) {
		sentRaw = batchSentAt
	}
	sent, warning, err := optTime("sentAt", sentRaw)
	if err != nil {
		return time.Time{}, err
	}
	if warning != "" {
		m.Warnings = append(m.Warnings, warning)
	}
	switch {
	case ts.IsZero():
		return receivedAt, nil
	case sent.IsZero():
		return ts.UTC(), nil
	default:
		return receivedAt.Add(-sent.Sub(ts)).UTC(), nil
	}
}

func overrides(m *tp.Message, ctx *wireContext) error {
	if c, ok := ctx.Channel.(string); ok && tp.IsChannel(strings.ToLower(c)) {
		m.Channel = strings.ToLower(c)
	}
	if m.Properties == nil {
		return nil
	}
	var props struct {
		Channel    any `json:"channel"`
		Department any `json:"department"`
		Division   any `json:"division"`
	}
	_ = json.Unmarshal(m.Properties, &props)
	if c, ok := props.Channel.(string); ok && c != "" {
		if !tp.IsChannel(strings.ToLower(c)) {
			return invalid("properties.channel", "unknown channel %q (want one of %s)", c, strings.Join(tp.Channels, ", "))
		}
		m.Channel = strings.ToLower(c)
	}
	if d, ok := props.Department.(string); ok && strings.TrimSpace(d) != "" {
		d = strings.TrimSpace(d)
		if len(d) > maxDeptLen {
			return invalid("properties.department", "department is longer than %d characters", maxDeptLen)
		}
		m.Department = d
	}
	if d, ok := props.Division.(string); ok && strings.TrimSpace(d) != "" {
		d = strings.TrimSpace(d)
		if len(d) > maxDeptLen {
			return invalid("properties.division", "division is longer than %d characters", maxDeptLen)
		}
		m.Division = d
	}
	return nil
}

// identities lists every identity the message names. Explicit ids must be
// valid; e-mail and phone traits link only when they normalise, because a
// malformed contact detail is still worth keeping as a trait.
func identities(m *tp.Message, ctx *wireContext) ([]tp.Identity, error) {
	var out []tp.Identity
	add := func(typ, v string) error {
		id, err := tp.NormalizeIdentity(typ, v, "")
		if err != nil {
			return err
		}
		for _, have := range out {
			if have == id {
				return nil
			}
		}
		out = append(out, id)
		return nil
	}
	if m.UserID != "" {
		if err := add(tp.IdentityUserID, m.UserID); err != nil {
			return nil, invalid("userId", "%s", err)
		}
	}
	if m.AnonymousID != "" {
		if err := add(tp.IdentityAnonymousID, m.AnonymousID); err != nil {
			return nil, invalid("anonymousId", "%s", err)
		}
	}
	country := countryHint(m, ctx)
	if email := traitString(m.Traits, "email"); email != "" {
		if id, err := tp.NormalizeIdentity(tp.IdentityEmail, email, ""); err == nil {
			out = appendNew(out, id)
		}
	}
	if phone := traitString(m.Traits, "phone"); phone != "" {
		if id, err := tp.NormalizeIdentity(tp.IdentityPhone, phone, country); err == nil {
			out = appendNew(out, id)
		}
	}
	ext, err := externalIDs(ctx.ExternalIDs)
	if err != nil {
		return nil, err
	}
	for _, id := range ext {
		out = appendNew(out, id)
	}
	if len(out) == 0 {
		return nil, invalid("userId", "the message names no identity: send userId or anonymousId (or traits.email, traits.phone, context.externalIds)")
	}
	return out, nil
}

func appendNew(ids []tp.Identity, id tp.Identity) []tp.Identity {
	for _, have := range ids {
		if have == id {
			return ids
		}
	}
	return append(ids, id)
}

func externalIDs(v json.RawMessage) ([]tp.Identity, error) {
	if isNull(v) {
		return nil, nil
	}
	var ext []struct {
		ID   any    `json:"id"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(v, &ext); err != nil {
		return nil, invalid("context.externalIds", "context.externalIds must be an array of {id, type}")
	}
	var out []tp.Identity
	for i, e := range ext {
		var v string
		switch x := e.ID.(type) {
		case string:
			v = x
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		}
		id, err := tp.NormalizeIdentity(e.Type, v, "")
		if err != nil {
			return nil, invalid("context.externalIds", "context.externalIds[%d]: %s", i, err)
		}
		out = append(out, id)
	}
	return out, nil
}

var countryNames = map[string]string{
	"germany": "DE", "deutschland": "DE", "netherlands": "NL", "nederland": "NL",
	"the netherlands": "NL", "belgium": "BE", "belgië": "BE", "belgique": "BE",
	"austria": "AT", "österreich": "AT", "switzerland": "CH", "united kingdom": "GB",
}

// countryHint finds the customer's country for national phone numbers:
// traits.country, traits.address.country, then the region of context.locale.
func countryHint(m *tp.Message, ctx *wireContext) string {
	norm := func(c string) string {
		c = strings.TrimSpace(c)
		if len(c) == 2 {
			return strings.ToUpper(c)
		}
		return countryNames[strings.ToLower(c)]
	}
	if c := norm(traitString(m.Traits, "country")); c != "" {
		return c
	}
	if a, ok := m.Traits["address"]; ok {
		var addr struct {
			Country string `json:"country"`
		}
		if json.Unmarshal(a, &addr) == nil {
			if c := norm(addr.Country); c != "" {
				return c
			}
		}
	}
	if l, ok := ctx.Locale.(string); ok {
		if i := strings.LastIndexAny(l, "-_"); i > 0 && len(l)-i == 3 {
			return strings.ToUpper(l[i+1:])
		}
	}
	return ""
}

func traitString(traits map[string]json.RawMessage, k string) string {
	if v, ok := traits[k]; ok {
		if s, ok := jsonString(v); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// strictObject decodes a JSON object into v with errors that name the problem.
func strictObject(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return invalid("body", "the request body is empty; send a JSON object")
	}
	if body[0] != '{' {
		return invalid("body", "the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			f := te.Field
			if i := strings.LastIndex(f, "."); i >= 0 {
				f = f[i+1:]
			}
			return invalid(f, "%s must be a %s, not %s", f, jsonKind(te.Type.Kind().String()), te.Value)
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return invalid("body", "malformed JSON at byte %d: %v", se.Offset, err)
		}
		return invalid("body", "malformed JSON: %v", err)
	}
	if dec.More() {
		return invalid("body", "unexpected data after the JSON object")
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return k
}

func idString(field string, v json.RawMessage) (string, error) {
	if isNull(v) {
		return "", nil
	}
	if s, ok := jsonString(v); ok {
		return strings.TrimSpace(s), nil
	}
	// Libraries may send numeric ids; the spec treats them as strings.
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String(), nil
	}
	return "", invalid(field, "%s must be a string", field)
}

func optString(field string, v json.RawMessage) (string, error) {
	if isNull(v) {
		return "", nil
	}
	s, ok := jsonString(v)
	if !ok {
		return "", invalid(field, "%s must be a string", field)
	}
	return s, nil
}

// jsonString reads a JSON string value. Most are plain (no escapes, valid
// UTF-8, no control characters) and are taken as they stand, without
// encoding/json's reflection: a message has a dozen of them.
func jsonString(v json.RawMessage) (string, bool) {
	v = bytes.Trim(v, " \t\r\n") // JSON's white space, no more
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		inner := v[1 : len(v)-1]
		plain := utf8.Valid(inner)
		for _, c := range inner {
			if c == '\\' || c == '"' || c < 0x20 {
				plain = false
				break
			}
		}
		if plain {
			return string(inner), true
		}
	}
	var s string
	return s, json.Unmarshal(v, &s) == nil
}

func optTime(field string, v json.RawMessage) (time.Time, string, error) {
	s, err := optString(field, v)
	if err != nil || s == "" {
		return time.Time{}, "", err
	}
	t, warning, err := ParseTime(s)
	if err != nil {
		return time.Time{}, "", invalid(field, "%s: %v", field, err)
	}
	if t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}, "", invalid(field, "%s %q is out of range", field, s)
	}
	if warning != "" {
		warning = field + ": " + warning
	}
	return t, warning, nil
}

func isNull(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) == 0 || string(v) == "null"
}

func isObject(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && v[0] == '{'
}

func invalid(field, format string, args ...any) error {
	return tp.Errorf(tp.EINVALID, format, args...).WithFields(map[string]string{field: "invalid"})
}

func tooLarge(what string, n, max int) error {
	return tp.Errorf(tp.ETOOLARGE, "the %s is %d bytes; the limit is %d bytes (%d KB)", what, n, max, max>>10).WithFields(map[string]string{what: "too large"})
}

// DecodeLine decodes one message of a JSONL import: the shape of a batch
// member, with its own type.
func DecodeLine(line []byte, receivedAt time.Time) (tp.Message, error) {
	k, err := batchMessage(line, false, nil, nil, receivedAt)
	return k.Message, err
}
