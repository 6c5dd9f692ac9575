package touchpoint

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// Identity types. Any other type names an external system ("crm", "sap") whose
// id points at one customer; it is written "<system>:<id>".
const (
	IdentityUserID      = "user_id"
	IdentityAnonymousID = "anonymous_id"
	IdentityEmail       = "email"
	IdentityPhone       = "phone"
)

// Identity is a (type, value) pair that points at exactly one customer.
type Identity struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

func (id Identity) String() string { return id.Type + ":" + id.Value }

// Customer is one real person or company.
type Customer struct {
	ID         int64            `json:"id"`
	Name       string           `json:"name"`
	Email      string           `json:"email,omitempty"`
	Phone      string           `json:"phone,omitempty"`
	Locale     string           `json:"locale,omitempty"`
	Country    string           `json:"country,omitempty"`
	Traits     map[string]Trait `json:"traits"`
	Identities []Identity       `json:"identities,omitempty"`
	Merges     []Merge          `json:"merges,omitempty"`
	MergedInto int64            `json:"merged_into,omitempty"`
	FirstSeen  time.Time        `json:"first_seen"` // earliest event
	LastSeen   time.Time        `json:"last_seen"`  // latest event
	CreatedAt  time.Time        `json:"created_at"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// Trait is one trait value and the event time that set it: the latest time wins.
type Trait struct {
	Value     json.RawMessage `json:"value"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// TraitChange is one entry of a trait's history.
type TraitChange struct {
	Key       string          `json:"key"`
	OldValue  json.RawMessage `json:"old_value"`
	NewValue  json.RawMessage `json:"new_value"`
	ChangedAt time.Time       `json:"changed_at"`
	MergeID   int64           `json:"merge_id,omitempty"`
}

// Merge records that customer Merged was found to be Survivor.
type Merge struct {
	ID         int64      `json:"id"`
	SurvivorID int64      `json:"survivor_id"`
	MergedID   int64      `json:"merged_id"`
	Reason     string     `json:"reason"`
	Actor      string     `json:"actor"`
	CreatedAt  time.Time  `json:"created_at"`
	UndoneAt   *time.Time `json:"undone_at,omitempty"`
	UndoneBy   string     `json:"undone_by,omitempty"`
}

// CustomerFilter selects customers for search.
type CustomerFilter struct {
	Query string  // matches name, e-mail, phone or any trait value
	IDs   []int64 // only these customers (a list's names), at most 500
	Limit int
}

// TimelineFilter selects one page of a customer's timeline.
type TimelineFilter struct {
	Channel    string
	Department string
	Limit      int
	Cursor     string // opaque; from the previous page
}

// TimelinePage is one page of events, newest first.
type TimelinePage struct {
	Events     []Event `json:"events"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

// CustomerService reads and repairs customer profiles.
type CustomerService interface {
	FindCustomers(ctx context.Context, f CustomerFilter) ([]Customer, error)
	FindCustomerByID(ctx context.Context, id int64) (*Customer, error)
	FindCustomerByIdentity(ctx context.Context, id Identity) (*Customer, error)
	Timeline(ctx context.Context, customerID int64, f TimelineFilter) (*TimelinePage, error)
	TraitHistory(ctx context.Context, customerID int64) ([]TraitChange, error)
	Unmerge(ctx context.Context, customerID, mergeID int64) (*Customer, error)
}

var (
	systemTypeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	emailRE      = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// MaxIdentityLen bounds identity values; longer ones are rejected, not truncated.
const MaxIdentityLen = 255

// NormalizeIdentity returns the canonical form of an identity, or an EINVALID
// error naming the problem. countryHint (ISO 3166 alpha-2) lets a national phone
// number ("0170 1234567") become E.164.
func NormalizeIdentity(typ, value, countryHint string) (Identity, error) {
	typ = strings.ToLower(strings.TrimSpace(typ))
	value = strings.TrimSpace(value)
	if value == "" {
		return Identity{}, Errorf(EINVALID, "identity %q has an empty value", typ)
	}
	if len(value) > MaxIdentityLen {
		return Identity{}, Errorf(EINVALID, "identity %q is longer than %d characters", typ, MaxIdentityLen)
	}
	switch typ {
	case IdentityUserID, IdentityAnonymousID:
		return Identity{typ, value}, nil
	case IdentityEmail:
		v := strings.ToLower(value)
		if !emailRE.MatchString(v) {
			return Identity{}, Errorf(EINVALID, "%q is not an e-mail address", value)
		}
		return Identity{typ, v}, nil
	case IdentityPhone:
		v, err := NormalizePhone(value, countryHint)
		if err != nil {
			return Identity{}, err
		}
		return Identity{typ, v}, nil
	}
	if !systemTypeRE.MatchString(typ) {
		return Identity{}, Errorf(EINVALID, "identity type %q must be user_id, anonymous_id, email, phone or a system name of a-z, 0-9 and _", typ)
	}
	return Identity{typ, value}, nil
}

// countryCodes maps the countries we serve to their calling codes. A national
// number from another country must arrive in international form.
var countryCodes = map[string]string{
	"DE": "49", "NL": "31", "BE": "32", "AT": "43", "CH": "41", "LU": "352",
	"FR": "33", "GB": "44", "UK": "44", "IE": "353", "US": "1", "CA": "1",
	"DK": "45", "PL": "48", "ES": "34", "IT": "39",
}

// NormalizePhone returns the E.164 form (+491701234567) of a phone number.
func NormalizePhone(raw, countryHint string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(raw) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return "", Errorf(EINVALID, "%q is not a phone number", raw)
		}
	}
	s := b.String()
	switch {
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasPrefix(s, "00"):
		s = s[2:]
	case strings.HasPrefix(s, "0"):
		cc, ok := countryCodes[strings.ToUpper(strings.TrimSpace(countryHint))]
		if !ok {
			return "", Errorf(EINVALID, "phone %q is national but the customer's country is unknown; send it as +<country code>…", raw)
		}
		s = cc + strings.TrimPrefix(s, "0")
	default:
		if cc, ok := countryCodes[strings.ToUpper(strings.TrimSpace(countryHint))]; ok && cc == "1" && len(s) == 10 {
			s = "1" + s
		} else {
			return "", Errorf(EINVALID, "phone %q needs a leading + and country code", raw)
		}
	}
	if len(s) < 8 || len(s) > 15 || s[0] == '0' {
		return "", Errorf(EINVALID, "phone %q does not have 8 to 15 digits after the country code", raw)
	}
	return "+" + s, nil
}

// DisplayName picks a human name from traits: name, else first + last, else e-mail.
func DisplayName(traits map[string]json.RawMessage) string {
	str := func(k string) string {
		var s string
		if v, ok := traits[k]; ok && json.Unmarshal(v, &s) == nil {
			return strings.TrimSpace(s)
		}
		return ""
	}
	if n := str("name"); n != "" {
		return n
	}
	if n := strings.TrimSpace(str("firstName") + " " + str("lastName")); n != "" {
		return n
	}
	if n := strings.TrimSpace(str("first_name") + " " + str("last_name")); n != "" {
		return n
	}
	return ""
}
