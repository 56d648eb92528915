// Package monitor is media monitoring: the sources a workspace follows (feeds, news sitemaps, web
// pages, aggregators' search feeds, Mastodon and Bluesky searches), polled as jobs through the safe
// HTTP client; the items read from them, each kept once and grouped with its syndicated copies;
// topics defined by boolean queries that pick mentions out of the items; the mention inbox with
// triage, labels, notes, assignment and sentiment; hand-entered clippings; coverage of releases;
// and alerts when a topic is mentioned, mentioned badly by a large outlet, or suddenly much more
// than usual.
//
// Fetching lives in monitor/fetch, queries in monitor/query, sentiment in monitor/sentiment and
// duplicate detection in monitor/dedupe; this package stores and ties them together.
package monitor

import (
	"context"
	"embed"
	"io"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations create the monitoring tables.
var Migrations = db.Migrations{Name: "monitor", FS: migrations}

// Catalog holds the monitoring pages' words.
var Catalog = i18n.Catalog{Name: "monitor", FS: i18n.Dir(catalogFiles, "i18n")}

// Source kinds are fetch's.
var SourceKinds = []fetch.Kind{fetch.Feed, fetch.Sitemap, fetch.Page, fetch.Search, fetch.Mastodon, fetch.Bluesky}

// Source is a place the workspace reads news from.
type Source struct {
	ID          int64
	WorkspaceID int64
	Kind        fetch.Kind
	Name        string
	URL         string
	Query       string
	Aggregator  string
	Language    string
	AccountID   int64
	OutletID    int64
	CatalogKey  string
	Interval    time.Duration
	Enabled     bool
	NextPollAt  time.Time
	LastPolled  *time.Time
	LastSuccess *time.Time
	LastErrorAt *time.Time
	// LastError is the last failure as a catalog key with its values; "" after a success.
	LastError     string
	LastErrorArgs map[string]any
	Failures      int
	ItemsTotal    int64
	// ItemsWeek is how many items the source gave in the last seven days (health view).
	ItemsWeek int
	CreatedAt time.Time
	// The validators of the last answer, for a conditional request.
	etag, lastModified string
}

// Healthy reports whether the source's last poll worked.
func (s *Source) Healthy() bool { return s.LastError == "" }

// SourceInput is what a person sets on a source.
type SourceInput struct {
	Kind       fetch.Kind
	Name       string
	URL        string
	Query      string
	Aggregator string
	Language   string
	AccountID  int64
	OutletID   int64
	Interval   time.Duration
	Enabled    bool
}

// Polling intervals a person may choose; the default suits news sites.
var (
	Intervals       = []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 24 * time.Hour}
	DefaultInterval = 15 * time.Minute
)

// Topic kinds.
const (
	Brand      = "brand"
	Person     = "person"
	Issue      = "issue"
	Campaign   = "campaign"
	Competitor = "competitor"
)

// TopicKinds in the order the forms offer them.
var TopicKinds = []string{Brand, Person, Issue, Campaign, Competitor}

// Topic is a boolean query that picks mentions out of the items.
type Topic struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Kind        string
	Query       string
	KeyMessages []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Counts of its mentions by state, for the topic list and the inbox tabs.
	Counts map[string]int
}

// TopicInput is what a person sets on a topic.
type TopicInput struct {
	Name        string
	Kind        string
	Query       string
	KeyMessages []string
}

// Mention states.
const (
	MentionNew        = "new"
	MentionRelevant   = "relevant"
	MentionIrrelevant = "irrelevant"
	MentionFlagged    = "flagged"
)

// States of a mention, in the inbox's order.
var States = []string{MentionNew, MentionRelevant, MentionFlagged, MentionIrrelevant}

// Sentiments.
const (
	Positive = "positive"
	Neutral  = "neutral"
	Negative = "negative"
)

// Sentiments in the order the pages show them.
var Sentiments = []string{Positive, Neutral, Negative}

// Item is one story or post, or a clipping.
type Item struct {
	ID          int64
	WorkspaceID int64
	SourceID    int64
	URL         string
	Canonical   string
	Title       string
	Author      string
	Summary     string
	Body        string
	Lang        string
	OutletID    int64
	OutletName  string
	OutletType  string
	Region      string
	Reach       int64
	Medium      string
	Placement   string
	AssetID     int64
	PublishedAt time.Time
	FetchedAt   time.Time
	DuplicateOf int64
	Sentiment   string
	// SentimentAuto is what the lexicon said; SentimentBy is who overrode it (0: nobody).
	SentimentAuto string
	SentimentBy   int64
	// Copies are the other addresses of the same story (filled by Mention).
	Copies []Copy
}

// Copy is another address of the same story.
type Copy struct {
	ID         int64
	URL        string
	Title      string
	OutletName string
	Published  time.Time
}

// Text is what queries, sentiment and fingerprints read.
func (it *Item) Text() string {
	body := it.Body
	if body == "" {
		body = it.Summary
	}
	return it.Title + "\n" + body
}

// Mention is an item a topic matched, with its triage.
type Mention struct {
	ID         int64
	TopicID    int64
	TopicName  string
	State      string
	AssigneeID int64
	Assignee   string
	Note       string
	Labels     []string
	CreatedAt  time.Time
	Item       Item
	// CopyCount is how many other addresses carry the same story.
	CopyCount int
}

// MentionFilter narrows the inbox.
type MentionFilter struct {
	TopicID    int64
	State      string // a state, "any", or "" for what needs a person (new and flagged)
	Sentiment  string
	Label      string
	AssigneeID int64
	Query      string
	From, To   time.Time
	Limit      int
	Offset     int
	// After lists by mention id from after it, oldest first (the API's cursor), instead of by date.
	After int64
	ByID  bool
}

// Triage is a change to one or more mentions; nil fields stay as they are.
type Triage struct {
	State       *string
	AssigneeID  *int64
	Note        *string
	AddLabel    string
	RemoveLabel string
}

// Outlet is what monitoring copies from media relations onto each item.
type Outlet struct {
	ID       int64
	Name     string
	Type     string
	Province string
	Reach    int64
}

// OutletInput is a catalogue entry to find or create in media relations.
type OutletInput struct {
	Name, Website, FeedURL, Type, Province, City, Country, Language string
}

// Outlets is media relations as monitoring uses it.
type Outlets interface {
	Outlet(ctx context.Context, wsID, id int64) (*Outlet, error)
	// EnsureOutlet finds the outlet by name or creates it, returning its id.
	EnsureOutlet(ctx context.Context, tx *db.Tx, wsID int64, in OutletInput) (int64, error)
}

// Accounts gives the credentials of a connected Mastodon or Bluesky account for searching.
type Accounts interface {
	SearchAccounts(ctx context.Context, wsID int64) ([]Account, error)
	SearchCredentials(ctx context.Context, wsID, accountID int64) (fetch.Kind, fetch.Credentials, error)
}

// Account is a connected account monitoring can search or alert through.
type Account struct {
	ID      int64
	Network string
	Name    string
}

// Files keeps clippings' scans, photos and recordings in the media library.
type Files interface {
	Upload(ctx context.Context, a audit.Actor, wsID int64, name string, r io.Reader) (int64, error)
}

// Notifier tells members in the app and by email, in the caller's transaction.
type Notifier interface {
	Notify(ctx context.Context, tx *db.Tx, n notify.Notice) error
}
