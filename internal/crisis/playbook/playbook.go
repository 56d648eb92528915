// Package playbook holds the crisis room's guidance and statement templates in Indonesian and
// English. The advice follows Coombs' Situational Crisis Communication Theory (SCCT: match the
// response to how much responsibility stakeholders attribute) and the CDC's Crisis and Emergency
// Risk Communication principles (CERC). It is data only: no database, no HTTP.
package playbook

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Type is an SCCT crisis cluster: how much responsibility stakeholders lay on the organisation.
type Type string

const (
	Victim      Type = "victim"
	Accidental  Type = "accidental"
	Preventable Type = "preventable"
)

// Types lists the clusters from least to most attributed responsibility.
var Types = []Type{Victim, Accidental, Preventable}

// Valid reports whether t is one of Types, for checking a value from a form or the API.
func (t Type) Valid() bool { return slices.Contains(Types, t) }

// Guidance is what SCCT and CERC advise for a crisis type, in one language.
type Guidance struct {
	Type       Type
	Name       string     // the type's name for a chooser, e.g. "Krisis korban"
	Summary    string     // what the type means for responsibility and what stakeholders expect
	Examples   []string   // typical situations
	Strategies []Strategy // recommended SCCT response strategies, in order
	Avoid      []string   // what not to do for this type
}

// Strategy is one SCCT response strategy. Key is stable across languages (e.g. "apology").
type Strategy struct{ Key, Name, Advice string }

// Principle is one of the six CERC principles. Key is stable across languages (e.g. "be-first").
type Principle struct{ Key, Name, Advice string }

// Template kinds, in the order a crisis uses them.
const (
	KindHolding  = "holding" // the first statement, within the first hour
	KindUpdate   = "update"
	KindApology  = "apology"
	KindResolved = "resolved"
)

var kinds = []string{KindHolding, KindUpdate, KindApology, KindResolved}

// Template is a ready-to-adapt statement with {{placeholders}}.
type Template struct {
	Key   string // stable across languages, e.g. "holding-victim"
	Kind  string // one of the Kind constants
	Types []Type // the crisis types it suits
	Name  string // shown in the chooser
	Title string // the statement's headline
	Body  string // paragraphs separated by blank lines
}

// QA is an anticipated question with a suggested answer, both with placeholders.
type QA struct{ Question, Answer string }

// Placeholder documents one {{name}} a template may use.
type Placeholder struct{ Name, Description string }

type typeData struct {
	Type       Type       `json:"type"`
	Name       string     `json:"name"`
	Summary    string     `json:"summary"`
	Examples   []string   `json:"examples"`
	Strategies []Strategy `json:"strategies"`
	Avoid      []string   `json:"avoid"`
	Questions  []QA       `json:"questions"`
}

type book struct {
	Types        []typeData    `json:"types"`
	Principles   []Principle   `json:"principles"`
	Templates    []Template    `json:"templates"`
	Placeholders []Placeholder `json:"placeholders"`
}

//go:embed data/*.json
var dataFS embed.FS

// The data ships inside the binary, so a malformed file is a build defect the tests catch;
// loading it once at start keeps every lookup free of errors.
var books = map[string]*book{"id": mustLoad("id"), "en": mustLoad("en")}

func mustLoad(lang string) *book {
	raw, err := dataFS.ReadFile("data/" + lang + ".json")
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var b book
	if err := dec.Decode(&b); err != nil {
		panic(fmt.Sprintf("playbook: data/%s.json: %v", lang, err))
	}
	return &b
}

// bookFor picks the language; a regional tag ("en-GB") counts as its language, and anything
// unknown falls back to Indonesian.
func bookFor(lang string) *book {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	base, _, _ = strings.Cut(base, "_")
	if b, ok := books[base]; ok {
		return b
	}
	return books["id"]
}

func (b *book) typeData(t Type) (typeData, bool) {
	for _, d := range b.Types {
		if d.Type == t {
			return d, true
		}
	}
	return typeData{}, false
}

// GuidanceFor returns the advice for t in lang ("id" or "en"; anything else gives "id").
// An unknown type gives a Guidance with only Type set.
func GuidanceFor(t Type, lang string) Guidance {
	d, ok := bookFor(lang).typeData(t)
	if !ok {
		return Guidance{Type: t}
	}
	return Guidance{
		Type:       d.Type,
		Name:       d.Name,
		Summary:    d.Summary,
		Examples:   slices.Clone(d.Examples),
		Strategies: slices.Clone(d.Strategies),
		Avoid:      slices.Clone(d.Avoid),
	}
}

// Principles returns the six CERC principles in their usual order.
func Principles(lang string) []Principle {
	return slices.Clone(bookFor(lang).Principles)
}

// Templates returns the templates that suit t: holding statements first, then updates,
// apologies and the closing statement.
func Templates(t Type, lang string) []Template {
	var out []Template
	for _, tp := range bookFor(lang).Templates {
		if slices.Contains(tp.Types, t) {
			out = append(out, clone(tp))
		}
	}
	slices.SortStableFunc(out, func(a, b Template) int {
		return slices.Index(kinds, a.Kind) - slices.Index(kinds, b.Kind)
	})
	return out
}

// TemplateByKey finds a template by its stable key.
func TemplateByKey(key, lang string) (Template, bool) {
	for _, tp := range bookFor(lang).Templates {
		if tp.Key == key {
			return clone(tp), true
		}
	}
	return Template{}, false
}

func clone(t Template) Template {
	t.Types = slices.Clone(t.Types)
	return t
}

// Questions returns the anticipated questions for the Q&A bank of a crisis of type t.
func Questions(t Type, lang string) []QA {
	d, _ := bookFor(lang).typeData(t)
	return slices.Clone(d.Questions)
}

// Placeholders lists every placeholder the templates and answers use, with what to write in it.
// The names are the same (Indonesian) in both languages.
func Placeholders(lang string) []Placeholder {
	return slices.Clone(bookFor(lang).Placeholders)
}

var placeholder = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

var known = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range books["id"].Placeholders {
		m[p.Name] = true
	}
	return m
}()

// Fill puts values into the {{name}} placeholders of text. A placeholder that is unknown, or
// whose value is missing or blank, becomes "[name]", so the writer sees what is left to fill
// before publishing.
func Fill(text string, values map[string]string) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		if v := strings.TrimSpace(values[name]); known[name] && v != "" {
			return v
		}
		return "[" + name + "]"
	})
}

// Used returns the placeholder names text uses, in order of first use, so a form can ask for
// exactly those.
func Used(text string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}
