// Package catalog is the starter list of news outlets a workspace can add as monitoring sources in
// one click: Indonesian national and regional outlets and international ones that cover Indonesia
// and ASEAN, each with the address of its feed.
//
// The list lives in outlets.json. Nothing in it was fetched while it was written (the machine has
// no internet), so each entry says how its feed address is known (Evidence):
//
//	reported  a public project or feed audit from 2025–2026 reported a valid feed at this address
//	listed    the address appears in public code that reads it, with no report that it was checked
//	recalled  from memory alone
//
// A feed may move or close at any time; the monitor should treat a failing first fetch as a reason
// to ask the person for the outlet's current address, not as a bug here. Where an outlet publishes
// no feed, the entry points at its Google News sitemap (Kind "sitemap"). Reach is 0 for every
// entry: audience figures were not invented.
package catalog

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"slices"
	"strings"
	"sync"
)

// Entry is one outlet of the catalogue. Type uses the media-relations outlet types of
// internal/press (online, print, tv, radio, wire, podcast, blog).
type Entry struct {
	Key      string `json:"key"` // stable slug, kept when names change
	Name     string `json:"name"`
	Website  string `json:"website"`
	FeedURL  string `json:"feed_url"`
	Kind     string `json:"kind"`  // feed (RSS or Atom) or sitemap (Google News sitemap)
	Type     string `json:"type"`  // the outlet's main medium
	Scope    string `json:"scope"` // national, regional, international
	Country  string `json:"country"`
	Province string `json:"province"` // Indonesian province, for regional outlets
	City     string `json:"city"`
	Language string `json:"language"` // id or en
	Reach    int64  `json:"reach"`    // 0: unknown
	Evidence string `json:"evidence"` // reported, listed or recalled (see the package comment)
}

// The values the fields take.
var (
	Kinds     = []string{"feed", "sitemap"}
	Types     = []string{"online", "print", "tv", "radio", "wire", "podcast", "blog"}
	Scopes    = []string{"national", "regional", "international"}
	Languages = []string{"id", "en"}
	Evidences = []string{"reported", "listed", "recalled"}
)

//go:embed outlets.json
var outletsJSON []byte

var load = sync.OnceValue(func() []Entry {
	var all []Entry
	if err := json.Unmarshal(outletsJSON, &all); err != nil {
		panic("catalog: outlets.json: " + err.Error()) // the tests parse it; a broken build never ships
	}
	slices.SortStableFunc(all, func(a, b Entry) int {
		return cmp.Or(
			cmp.Compare(slices.Index(Scopes, a.Scope), slices.Index(Scopes, b.Scope)),
			cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
			cmp.Compare(a.Key, b.Key))
	})
	return all
})

// All returns every entry: national outlets first, then regional, then international, each group
// by name. The slice is the caller's to change.
func All() []Entry {
	return slices.Clone(load())
}

// Lookup returns the entry with the key.
func Lookup(key string) (Entry, bool) {
	i := slices.IndexFunc(load(), func(e Entry) bool { return e.Key == key })
	if i < 0 {
		return Entry{}, false
	}
	return load()[i], true
}
