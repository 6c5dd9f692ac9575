package track

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestDecodeCallIdentify(t *testing.T) {
	body := `{"userId":"u1","anonymousId":"a1","messageId":"m1","timestamp":"2026-11-23T11:59:00Z",
	  "traits":{"email":"Ada@Example.COM","phone":"0170 1234567","country":"DE","name":"Ada"}}`
	d, err := DecodeCall(tp.EventIdentify, []byte(body), now)
	if err != nil {
		t.Fatal(err)
	}
	m := d.Messages[0]
	want := []tp.Identity{{Type: "user_id", Value: "u1"}, {Type: "anonymous_id", Value: "a1"}, {Type: "email", Value: "ada@example.com"}, {Type: "phone", Value: "+491701234567"}}
	if len(m.Identities) != len(want) {
		t.Fatalf("identities = %v, want %v", m.Identities, want)
	}
	for i := range want {
		if m.Identities[i] != want[i] {
			t.Errorf("identity %d = %v, want %v", i, m.Identities[i], want[i])
		}
	}
	if !m.Timestamp.Equal(time.Date(2026, 11, 23, 11, 59, 0, 0, time.UTC)) {
		t.Errorf("timestamp = %v", m.Timestamp)
	}
}

func TestClockSkewCorrection(t *testing.T) {
	// The client clock is 1 hour ahead: it says it sent at 13:00 an event of 12:59.
	body := `{"batch":[{"type":"track","event":"Order Completed","userId":"u1","timestamp":"2026-11-23T12:59:00Z"}],
	  "sentAt":"2026-11-23T13:00:00Z"}`
	d, err := DecodeBatch([]byte(body), now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Messages[0].Timestamp, now.Add(-time.Minute); !got.Equal(want) {
		t.Errorf("corrected timestamp = %v, want %v", got, want)
	}
}

func TestOverrides(t *testing.T) {
	body := `{"type":"track","event":"Called","userId":"u","context":{"channel":"phone"},"properties":{"department":"Billing"}}`
	d, err := DecodeCall(tp.EventTrack, []byte(body), now)
	if err != nil {
		t.Fatal(err)
	}
	if m := d.Messages[0]; m.Channel != "phone" || m.Department != "Billing" {
		t.Errorf("channel, department = %q, %q", m.Channel, m.Department)
	}
	// A server library's context.channel ("server") is not ours and is ignored.
	d, err = DecodeCall(tp.EventTrack, []byte(`{"event":"x","userId":"u","context":{"channel":"server"}}`), now)
	if err != nil || d.Messages[0].Channel != "" {
		t.Errorf("server channel: %v %q", err, d.Messages[0].Channel)
	}
}

func TestMessageIDDerivedWhenMissing(t *testing.T) {
	body := []byte(`{"event":"x","userId":"u"}`)
	a, _ := DecodeCall(tp.EventTrack, body, now)
	b, _ := DecodeCall(tp.EventTrack, body, now.Add(time.Hour))
	if a.Messages[0].MessageID == "" || a.Messages[0].MessageID != b.Messages[0].MessageID {
		t.Errorf("derived ids %q, %q should be equal and non-empty", a.Messages[0].MessageID, b.Messages[0].MessageID)
	}
}

func TestErrors(t *testing.T) {
	big := `{"event":"x","userId":"u","properties":{"p":"` + strings.Repeat("a", MaxMessageBytes) + `"}}`
	for _, tc := range []struct {
		name, body, code, contains string
		batch                      bool
	}{
		{"malformed", `{"userId":`, tp.EINVALID, "malformed JSON", false},
		{"not object", `[1]`, tp.EINVALID, "JSON object", false},
		{"no identity", `{"event":"x"}`, tp.EINVALID, "no identity", false},
		{"no event name", `{"userId":"u"}`, tp.EINVALID, "event name", false},
		{"wrong type", `{"userId":{"a":1},"event":"x"}`, tp.EINVALID, "userId must be a string", false},
		{"traits not object", `{"userId":"u","event":"x","traits":[1]}`, tp.EINVALID, "traits must be an object", false},
		{"bad timestamp", `{"userId":"u","event":"x","timestamp":"yesterday"}`, tp.EINVALID, "ISO-8601", false},
		{"oversize", big, tp.ETOOLARGE, "limit is 32768", false},
		{"empty batch", `{"batch":[]}`, tp.EINVALID, "non-empty", true},
		{"oversize batch", `{"batch":[` + strings.Repeat(`{"type":"track","userId":"u","event":"ok"},`, 13000) + `{}]}`, tp.ETOOLARGE, "batch is", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.batch {
				_, err = DecodeBatch([]byte(tc.body), now)
			} else {
				_, err = DecodeCall(tp.EventTrack, []byte(tc.body), now)
			}
			if tp.ErrorCode(err) != tc.code || !strings.Contains(tp.ErrorMessage(err), tc.contains) {
				t.Errorf("err = %v, want code %s containing %q", err, tc.code, tc.contains)
			}
		})
	}
}

// A batch is taken message by message: the bad ones are refused with their
// reason, index and JSON, the good ones go on.
func TestBatchRefusesOnlyBadMessages(t *testing.T) {
	big := `{"type":"track","event":"x","userId":"u","properties":{"p":"` + strings.Repeat("a", MaxMessageBytes) + `"}}`
	body := `{"batch":[{"type":"track","userId":"u","event":"ok","messageId":"m0"},{"type":"nope","userId":"u","messageId":"m1"},` +
		`{"type":"track","userId":"u","event":"late","timestamp":"2026-10-14t09:30:00+0200"},` + big + `,` +
		`{"type":"identify","userId":"u","timestamp":"soon","messageId":"m4"}],"writeKey":"wk"}`
	d, err := DecodeBatch([]byte(body), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Messages) != 2 || d.Messages[1].Timestamp.UTC().Hour() != 7 || d.WriteKey != "wk" {
		t.Fatalf("accepted: %+v", d.Messages)
	}
	if len(d.Rejected) != 3 {
		t.Fatalf("refused: %+v", d.Rejected)
	}
	for i, want := range []struct {
		index    int
		id, text string
	}{{1, "m1", "unknown type"}, {3, "", "limit is 32768"}, {4, "m4", "timestamp"}} {
		r := d.Rejected[i]
		if r.Index != want.index || r.MessageID != want.id || !strings.Contains(r.Reason, want.text) || r.Raw == "" {
			t.Errorf("refused %d: %+v", i, r)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, country, want string }{
		{"+49 170 1234567", "", "+491701234567"},
		{"0031 6 12345678", "", "+31612345678"},
		{"06-12345678", "NL", "+31612345678"},
		{"(0)170/1234567", "DE", "+491701234567"},
		{"12345", "", ""},
		{"0170 1234567", "", ""},
	} {
		got, err := tp.NormalizePhone(tc.in, tc.country)
		if tc.want == "" && err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want error", tc.in, got)
		}
		if tc.want != "" && got != tc.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", tc.in, tc.country, got, err, tc.want)
		}
	}
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add([]byte(`{"batch":[{"type":"identify","userId":"u","traits":{"email":"a@b.c","phone":"+31612345678"}}],"sentAt":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"batch":[{"type":"alias","userId":"u","previousId":"a","context":{"externalIds":[{"id":1,"type":"crm"}]}}]}`))
	f.Add([]byte(`{"batch":[{"type":"track","event":"e","anonymousId":7,"timestamp":"2026-01-01T00:00:00.123+02:00"}]}`))
	f.Add([]byte(`{"batch":[{"type":"page","userId":"u","context":{"consent":{"categoryPreferences":{"Advertising":false,"profiling":true,"x":1}}}}]}`))
	f.Add([]byte(`{"batch":[{"type":"identify","userId":"u","traits":{"consent":{"survey":"no"}}}]}`))
	// Beacons and analytics-next post text/plain with the key inside; times come in many spellings.
	f.Add([]byte(`{"batch":[{"type":"track","event":"Left","anonymousId":"a","timestamp":"2026-10-14t09:30:00.123456+0200"},{"type":"page"}],"writeKey":"wk_x","sentAt":"2026-10-14 09:30"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := DecodeBatch(body, now)
		if err != nil {
			if tp.ErrorCode(err) == tp.EINTERNAL {
				t.Fatalf("decoder error without a code: %v", err)
			}
			return
		}
		for _, m := range d.Messages {
			for p := range m.Consent {
				if p != tp.PurposeSurvey && p != tp.PurposeMarketing && p != tp.PurposeProfiling {
					t.Fatalf("decoded consent to unknown purpose %q", p)
				}
			}
			if m.MessageID == "" || len(m.Identities) == 0 || m.Timestamp.IsZero() {
				t.Fatalf("accepted an incomplete message: %+v", m)
			}
		}
	})
}

func FuzzDecodeCall(f *testing.F) {
	f.Add([]byte(`{"userId":"u","event":"x","properties":{"channel":"phone"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := DecodeCall(tp.EventTrack, body, now)
		if err != nil && tp.ErrorCode(err) == tp.EINTERNAL {
			t.Fatalf("decoder error without a code: %v", err)
		}
	})
}

// Consent statements ride on context.consent.categoryPreferences (consent
// tools' category names map to purposes; others are ignored) and on
// traits.consent; a value that is not a boolean is refused, never guessed.
func TestConsentDecoding(t *testing.T) {
	d, err := DecodeCall(tp.EventPage, []byte(`{"userId":"u","context":{"consent":{"categoryPreferences":{"Advertising":false,"Personalization":true,"Functional":true}}},
		"traits":{"consent":{"survey":false}}}`), now)
	if err != nil {
		t.Fatal(err)
	}
	got := d.Messages[0].Consent
	if len(got) != 3 || got[tp.PurposeMarketing] || !got[tp.PurposeProfiling] || got[tp.PurposeSurvey] {
		t.Errorf("consent: %v", got)
	}
	if _, err := DecodeCall(tp.EventTrack, []byte(`{"userId":"u","event":"x","context":{"consent":{"categoryPreferences":{"marketing":"yes"}}}}`), now); tp.ErrorCode(err) != tp.EINVALID {
		t.Errorf("a consent that is not a boolean: %v", err)
	}
}

// FuzzReplay: the intake decodes a call's body again after a crash, and
// must get what the live decode gave: the same messages and refusals, for
// any body a client could send (beacon bodies included), never a panic.
func FuzzReplay(f *testing.F) {
	f.Add("batch", []byte(`{"batch":[{"type":"track","event":"Left","anonymousId":"a","timestamp":"2026-10-14t09:30:00.123456+0200"},{"type":"page"}],"writeKey":"wk_x","sentAt":"2026-10-14 09:30"}`))
	f.Add("track", []byte(`{"event":"Viewed","userId":"u","properties":{"x":1},"context":{"traits":{"email":"a@b.c"}}}`))
	f.Add("identify", []byte(`{"userId":"u","traits":"not an object"}`))
	f.Add("page", []byte(`{"anonymousId":"a","timestamp":"2026-10-14"}`))
	f.Fuzz(func(t *testing.T, kind string, body []byte) {
		switch kind {
		case KindBatch, "identify", "track", "page", "screen", "group", "alias":
		default:
			return
		}
		at := now.Truncate(time.Microsecond)
		msgs, refused, err := Replay(kind, body, at)
		again, refusedAgain, err2 := Replay(kind, body, at)
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(msgs, again) || !reflect.DeepEqual(refused, refusedAgain) {
			t.Fatalf("two decodes of %q differ", body)
		}
		if err != nil && tp.ErrorCode(err) == tp.EINTERNAL {
			t.Fatalf("decoder error without a code: %v", err)
		}
		if kind == KindBatch && err == nil {
			d, _ := DecodeBatch(body, at)
			if len(d.Messages) != len(msgs) || len(d.Rejected) != len(refused) {
				t.Fatalf("replay gave %d+%d, the live decode %d+%d", len(msgs), len(refused), len(d.Messages), len(d.Rejected))
			}
		}
	})
}

// jsonString's shortcut for plain strings reads what encoding/json reads,
// and refuses what it refuses.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b"`, `"ü"`, "\"\xff\"", `"a\u0041"`, `5`, `"x`, `"tab	"`, ` "spaced" `, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want string
		werr := json.Unmarshal(b, &want)
		got, ok := jsonString(b)
		if ok != (werr == nil) || ok && got != want {
			t.Fatalf("%q: %q %v, encoding/json %q %v", b, got, ok, want, werr)
		}
	})
}

// The hand-read top level of a message gives what encoding/json gives, and
// an error exactly when it does.
func FuzzDecodeRaw(f *testing.F) {
	for _, s := range []string{`{"type":"track","event":"A","userId":5,"context":{"a":[1,{"b":"}"}]}}`,
		`{"TYPE":"x","Type":"y","writekey":"k"}`, `{"type":5}`, `{"type":null,"name":"n"}`, `{"us\u0065rId":"u"}`,
		` { "traits" : { } , "sentAt" : "2026-11-01T10:00:00Z" } `, `[1]`, `{}`, `{"a":"\"","type":"t"}`, `{"\u212aey":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want, got raw
		werr := strictObject(b, &want)
		gerr := decodeRaw(b, &got, false)
		if (werr == nil) != (gerr == nil) || werr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n hand %+v %v\n json %+v %v", b, got, gerr, want, werr)
		}
		if werr != nil && werr.Error() != gerr.Error() {
			t.Fatalf("%q: %v, want %v", b, gerr, werr)
		}
	})
}
