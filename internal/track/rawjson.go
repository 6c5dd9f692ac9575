package track

import (
	"bytes"
	"encoding/json"
	"strings"
)

// A message's top level is read by hand: encoding/json would scan each
// message of a batch a second time (the batch's own decoding has checked it
// already) and fill the fields by reflection, which was 60 % of a batch's
// decoding (BENCHMARKS.md, issue 10). Anything out of the ordinary (a
// string field that is not a string, a body that is not an object) goes to
// strictObject, whose errors name the problem; FuzzDecodeRaw checks that both
// ways give the same message.

// rawField is where one field of raw takes its value from the JSON key name.
type rawField struct {
	name string
	str  *string          // a string field
	val  *json.RawMessage // or a raw one
}

func rawFields(r *raw) []rawField {
	return []rawField{
		{"type", &r.Type, nil}, {"messageId", nil, &r.MessageID}, {"userId", nil, &r.UserID},
		{"anonymousId", nil, &r.AnonymousID}, {"previousId", nil, &r.PreviousID}, {"groupId", nil, &r.GroupID},
		{"event", nil, &r.Event}, {"name", nil, &r.Name}, {"timestamp", nil, &r.Timestamp},
		{"originalTimestamp", nil, &r.OriginalTimestamp}, {"sentAt", nil, &r.SentAt}, {"traits", nil, &r.Traits},
		{"properties", nil, &r.Properties}, {"context", nil, &r.Context}, {"writeKey", &r.WriteKey, nil},
	}
}

// decodeRaw fills r from one message's JSON; checked says the bytes are
// known to be valid JSON.
func decodeRaw(body []byte, r *raw, checked bool) error {
	if !checked && !json.Valid(body) {
		return strictObject(body, r)
	}
	fields := rawFields(r)
	ok := walkObject(body, func(key, val []byte) bool {
		k := string(key[1 : len(key)-1])
		if bytes.IndexByte(key, '\\') >= 0 {
			if json.Unmarshal(key, &k) != nil {
				return false
			}
		}
		at := -1
		for i, f := range fields { // as encoding/json: the exact name first, then any case
			if f.name == k {
				at = i
				break
			}
			if at < 0 && strings.EqualFold(f.name, k) {
				at = i
			}
		}
		switch {
		case at < 0:
		case fields[at].val != nil:
			*fields[at].val = json.RawMessage(val)
		case string(val) == "null": // encoding/json leaves the string as it is
		default:
			s, ok := jsonString(val)
			if !ok {
				return false
			}
			*fields[at].str = s
		}
		return true
	})
	if !ok {
		*r = raw{}
		return strictObject(body, r)
	}
	return nil
}

// walkObject calls f with each key (quoted, as written) and value of the
// JSON object b, which must be valid JSON; it returns false when b is not an
// object or f refuses.
func walkObject(b []byte, f func(key, val []byte) bool) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for i < len(b) {
		kEnd := valueEnd(b, i)
		if kEnd < 0 || b[i] != '"' {
			return false
		}
		key := b[i:kEnd]
		i = skipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		vEnd := valueEnd(b, i)
		if vEnd < 0 || !f(key, b[i:vEnd]) {
			return false
		}
		i = skipSpace(b, vEnd)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		return i < len(b) && b[i] == '}' && skipSpace(b, i+1) == len(b)
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd is the index just after the JSON value starting at b[i], or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	depth, inString := 0, false
	for j := i; j < len(b); j++ {
		c := b[j]
		switch {
		case inString:
			if c == '\\' {
				j++
			} else if c == '"' {
				inString = false
				if depth == 0 {
					return j + 1
				}
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return j + 1
			}
			if depth < 0 {
				return j // the end of a literal before the enclosing object's close
			}
		case depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return j
		}
	}
	if depth == 0 && !inString && b[i] != '"' {
		return len(b)
	}
	return -1
}
