package touchpoint

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// ReplyTemplate is a saved answer an agent starts a reply from, one per name
// and language, so a Dutch customer gets the Dutch wording of the same answer.
type ReplyTemplate struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Language string `json:"language"` // en, de or nl
	Body     string `json:"body"`     // may use {name}, {case}, {subject}, {agent}
	// A macro's follow-up, applied when its reply is sent: a status to move
	// the case to ("" none) and tags to add.
	ThenStatus CaseStatus `json:"then_status,omitempty"`
	AddTags    []string   `json:"add_tags,omitempty"`
}

// Validate checks a template before it is saved.
func (t *ReplyTemplate) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	t.Language = strings.ToLower(strings.TrimSpace(t.Language))
	fields := map[string]string{}
	if t.Name == "" || len(t.Name) > 100 {
		fields["name"] = Reason("required, at most 100 characters")
	}
	if !slices.Contains(Locales, t.Language) {
		fields["language"] = Reason("must be en, de or nl")
	}
	switch t.ThenStatus {
	case "", CaseOpen, CasePendingCustomer, CaseResolved:
	default:
		fields["then_status"] = Reason("open, pending_customer or resolved (or empty)")
	}
	var tags []string
	for _, tag := range t.AddTags {
		if tag = strings.TrimSpace(tag); tag != "" && !strings.Contains(tag, ",") {
			tags = append(tags, tag)
		}
	}
	t.AddTags = tags
	if strings.TrimSpace(t.Body) == "" || len(t.Body) > 20000 {
		fields["body"] = Reason("required, at most 20000 bytes")
	}
	if len(fields) > 0 {
		return Errorf(EINVALID, "the reply template is not valid: %s", Reasons(fields)).WithFields(fields)
	}
	return nil
}

// Fill puts the case's details into the template's placeholders; unknown
// braces stay as written so a template can mention {anything} literally.
func (t *ReplyTemplate) Fill(c *Case, cust *Customer, agent string) string {
	name := cust.Name
	if name == "" {
		name = cust.Email
	}
	return strings.NewReplacer("{name}", name, "{case}", "#"+strconv.FormatInt(c.ID, 10),
		"{subject}", c.Subject, "{agent}", agent).Replace(t.Body)
}

// LanguageOf reduces a locale such as "nl-BE" to one of Locales, "" when it is
// none of them.
func LanguageOf(locale string) string {
	l, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(locale)), "-")
	l, _, _ = strings.Cut(l, "_")
	if slices.Contains(Locales, l) {
		return l
	}
	return ""
}

// ReplyTemplateService stores reply templates.
type ReplyTemplateService interface {
	SaveReplyTemplate(ctx context.Context, t *ReplyTemplate) error                    // by name and language: a second save replaces the body
	ListReplyTemplates(ctx context.Context, language string) ([]ReplyTemplate, error) // "" lists all
	DeleteReplyTemplate(ctx context.Context, id int64) error
}
