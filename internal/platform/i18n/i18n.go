// Package i18n holds Warta's message catalogs and formats dates and numbers for a locale and a
// time zone. Each domain ships its own catalog (en.json and id.json in an embedded folder); the
// app merges them into one Bundle. Only two languages exist: Bahasa Indonesia and English.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones must work on machines without a zoneinfo database

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the supported languages, in the order the language switch shows them.
var Languages = []string{"id", "en"}

// Catalog is one domain's messages: files en.json and id.json at the root of FS, each a flat
// object of key → text, or key → {"one": …, "other": …} for plurals.
type Catalog struct {
	Name string
	FS   fs.FS
}

// Bundle holds every catalog.
type Bundle struct {
	b       *goi18n.Bundle
	keys    map[string]map[string]string // lang → key → catalog name
	missing sync.Map
	// localizers are made once per language: every request needs one, and making it parses tags.
	localizers map[string]*goi18n.Localizer
}

// NewBundle loads the catalogs. Two catalogs may not define the same key.
func NewBundle(catalogs ...Catalog) (*Bundle, error) {
	b := &Bundle{b: goi18n.NewBundle(language.English), keys: map[string]map[string]string{}}
	for _, lang := range Languages {
		b.keys[lang] = map[string]string{}
		tag := language.MustParse(lang)
		for _, c := range catalogs {
			raw, err := fs.ReadFile(c.FS, lang+".json")
			if err != nil {
				return nil, fmt.Errorf("catalog %s: %w", c.Name, err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, fmt.Errorf("catalog %s/%s.json: %w", c.Name, lang, err)
			}
			for k := range m {
				if other, dup := b.keys[lang][k]; dup {
					return nil, fmt.Errorf("key %q is in catalogs %s and %s", k, other, c.Name)
				}
				b.keys[lang][k] = c.Name
			}
			if _, err := b.b.ParseMessageBytes(tag, raw, json.Unmarshal); err != nil {
				return nil, fmt.Errorf("catalog %s/%s.json: %w", c.Name, lang, err)
			}
		}
	}
	b.localizers = map[string]*goi18n.Localizer{}
	for _, lang := range Languages {
		b.localizers[lang] = goi18n.NewLocalizer(b.b, lang)
	}
	return b, nil
}

// Keys returns the sorted keys of one language.
func (b *Bundle) Keys(lang string) []string {
	var keys []string
	for k := range b.keys[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether a key exists in every language.
func (b *Bundle) Has(key string) bool {
	for _, lang := range Languages {
		if _, ok := b.keys[lang][key]; !ok {
			return false
		}
	}
	return true
}

// Supported returns lang when Warta speaks it, otherwise "".
func Supported(lang string) string {
	for _, l := range Languages {
		if l == lang {
			return l
		}
	}
	return ""
}

var matcher = language.NewMatcher([]language.Tag{language.Indonesian, language.English})

// FromAcceptLanguage picks id or en from an Accept-Language header, fallback when nothing matches.
func FromAcceptLanguage(header, fallback string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return fallback
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return fallback
	}
	return Languages[idx]
}

// Locale translates and formats for one language and time zone.
type Locale struct {
	Lang string
	Zone *time.Location
	b    *Bundle
	l    *goi18n.Localizer
}

// Locale returns a Locale; an unknown language falls back to English, a nil zone to UTC.
func (b *Bundle) Locale(lang string, zone *time.Location) *Locale {
	if Supported(lang) == "" {
		lang = "en"
	}
	if zone == nil {
		zone = time.UTC
	}
	return &Locale{Lang: lang, Zone: zone, b: b, l: b.localizers[lang]}
}

// T translates key. args are name/value pairs for the message's {{.Name}} fields; a "Count" pair
// also picks the plural form.
func (l *Locale) T(key string, args ...any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: key}
	if len(args) > 0 {
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			name := fmt.Sprint(args[i])
			data[name] = args[i+1]
			if name == "Count" {
				cfg.PluralCount = args[i+1]
			}
		}
		cfg.TemplateData = data
	}
	s, err := l.l.Localize(cfg)
	if err != nil && cfg.PluralCount != nil {
		// A message without plural forms given a Count: use its one form.
		cfg.PluralCount = nil
		s, err = l.l.Localize(cfg)
	}
	if err != nil {
		if _, seen := l.b.missing.LoadOrStore(l.Lang+":"+key, true); !seen {
			slog.Warn("missing or broken translation", "lang", l.Lang, "key", key, "err", err)
		}
		return key
	}
	return s
}

// Zones lists the time zones the setup form offers first: Indonesia's three, then a few the
// users' partners use. Any other IANA zone is accepted when typed.
var Zones = []string{"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Manila", "Asia/Bangkok", "Australia/Sydney", "Europe/London", "Europe/Amsterdam", "America/New_York", "UTC"}

// LoadZone accepts any IANA zone name.
func LoadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	// time.LoadLocation reads the zone's file every time; a page served thousands of times a
	// second must not.
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location), nil
	}
	z, err := time.LoadLocation(name)
	if err == nil {
		zones.Store(name, z)
	}
	return z, err
}

// zones keeps the zones loaded so far by name.
var zones sync.Map

// Dir returns the folder dir of an embedded tree, for a domain's catalog: i18n.Dir(files, "i18n").
func Dir(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // only a wrong literal folder name gets here
	}
	return sub
}
