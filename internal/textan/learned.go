package textan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Learned is what a company's corrections taught: a sentiment model (nil:
// the shipped one) and, per theme, a yes/no model that finds the theme
// where its rules do not (learned themes have no span: no word triggered them).
type Learned struct {
	Sentiment *Model
	Themes    map[string]*Model
}

// learnedBundle is Learned as stored: each model in Encode's format.
type learnedBundle struct {
	Sentiment []byte            `json:"sentiment,omitempty"`
	Themes    map[string][]byte `json:"themes,omitempty"`
}

// Encode writes l as one JSON document of encoded models.
func (l *Learned) Encode() ([]byte, error) {
	var b learnedBundle
	enc := func(m *Model) ([]byte, error) {
		var buf bytes.Buffer
		err := m.Encode(&buf)
		return buf.Bytes(), err
	}
	var err error
	if l.Sentiment != nil {
		if b.Sentiment, err = enc(l.Sentiment); err != nil {
			return nil, err
		}
	}
	if len(l.Themes) > 0 {
		b.Themes = map[string][]byte{}
		for id, m := range l.Themes {
			if b.Themes[id], err = enc(m); err != nil {
				return nil, err
			}
		}
	}
	return json.Marshal(b)
}

// DecodeLearned reads what Encode wrote.
func DecodeLearned(data []byte) (*Learned, error) {
	var b learnedBundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("learned models: %w", err)
	}
	l := &Learned{Themes: map[string]*Model{}}
	var err error
	if b.Sentiment != nil {
		if l.Sentiment, err = Decode(bytes.NewReader(b.Sentiment)); err != nil {
			return nil, err
		}
	}
	for id, data := range b.Themes {
		if l.Themes[id], err = Decode(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("learned theme %s: %w", id, err)
		}
	}
	return l, nil
}

// learnedTheme is one theme's yes/no model, in a fixed order.
type learnedTheme struct {
	id  string
	m   *Model
	yes int // index of the "yes" label
}

func learnedThemes(themes map[string]*Model) []learnedTheme {
	var out []learnedTheme
	for id, m := range themes {
		yes := -1
		for k, l := range m.Labels {
			if l == "yes" {
				yes = k
			}
		}
		if yes >= 0 {
			out = append(out, learnedTheme{id, m, yes})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// addLearned adds the themes the learned models find and the rules did not.
func (a *Analyzer) addLearned(toks []Token, hits []ThemeHit) []ThemeHit {
	for _, lt := range a.learned {
		found := false
		for _, h := range hits {
			if h.Theme == lt.id {
				found = true
				break
			}
		}
		if !found && lt.m.Predict(toks)[lt.yes] >= 0.5 {
			hits = append(hits, ThemeHit{Theme: lt.id, Spans: []Span{}})
		}
	}
	return hits
}
