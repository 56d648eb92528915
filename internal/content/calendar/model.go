// Package calendar shows everything dated in a workspace on one calendar: content by its scheduled
// or published time, campaign milestones, and whatever later domains add through a Source. It
// moves entries (through their own domain's rules), serves a private iCalendar feed per member
// and the /api/v1/calendar list.
package calendar

import (
	"context"
	"embed"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations creates the calendar feed table.
var Migrations = db.Migrations{Name: "calendar", FS: migrations}

// Catalog holds the calendar's words.
var Catalog = i18n.Catalog{Name: "calendar", FS: i18n.Dir(catalogFiles, "i18n")}

// Entry is one dated thing on the calendar.
type Entry struct {
	// Kind is the source's name ("content", "campaign"); with ID and Part it names the entry.
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
	// Part tells apart the dates of one thing that has several: "start", "end", "anchor".
	Part string `json:"part,omitempty"`
	// Label is the catalog key of the entry's line, given the title as {{.Title}} ("{{.Title}}
	// starts"); empty when the title alone says it.
	Label  string    `json:"-"`
	Title  string    `json:"title"`
	At     time.Time `json:"at"`
	AllDay bool      `json:"all_day"`
	// Status is the thing's status in its own domain ("scheduled"), empty when it has none.
	Status string `json:"status,omitempty"`
	// StatusLabel is the catalog key of the status's name.
	StatusLabel string `json:"-"`
	// Colour is "#rrggbb"; the calendar fills it from the campaign when the source leaves it empty.
	Colour string `json:"colour,omitempty"`
	// Link is the thing's page inside the workspace: "/content/12".
	Link string `json:"link"`
	// Movable entries can be rescheduled from the calendar (their source is a Mover).
	Movable    bool     `json:"movable"`
	CampaignID int64    `json:"campaign_id,omitempty"`
	Channels   []string `json:"channels,omitempty"`
	Labels     []string `json:"labels,omitempty"`
	OwnerID    int64    `json:"owner_id,omitempty"`
	Owner      string   `json:"owner,omitempty"`
}

// Key names the entry on the page and in move requests: "content:12", "campaign:5:start".
func (e Entry) Key() string {
	k := e.Kind + ":" + strconv.FormatInt(e.ID, 10)
	if e.Part != "" {
		k += ":" + e.Part
	}
	return k
}

// DOMID is the key as an HTML id: "content-12".
func (e Entry) DOMID() string { return strings.ReplaceAll(e.Key(), ":", "-") }

// UTC is the entry's time for the browser's own clock (calendar.js) and the API.
func (e Entry) UTC() string { return e.At.UTC().Format(time.RFC3339) }

// ParseKey splits a key made by Entry.Key.
func ParseKey(key string) (kind string, id int64, part string, ok bool) {
	fields := strings.Split(key, ":")
	if len(fields) < 2 || len(fields) > 3 || fields[0] == "" {
		return "", 0, "", false
	}
	id, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, "", false
	}
	if len(fields) == 3 {
		part = fields[2]
	}
	return fields[0], id, part, true
}

// Day is the entry's calendar day in zone, "2026-12-03". An all-day entry's At is its day's
// midnight in the workspace's zone, so the same rule places both kinds.
func (e Entry) Day(zone *time.Location) string { return e.At.In(zone).Format(dateLayout) }

// Span is the stretch of time a calendar shows, [From, To), and the workspace's zone, in which
// all-day entries fall on their day.
type Span struct {
	From, To time.Time
	Zone     *time.Location
}

// Contains reports whether t falls in the span.
func (s Span) Contains(t time.Time) bool { return !t.Before(s.From) && t.Before(s.To) }

// Source gives the calendar one domain's dated things. Later domains (press releases, embargoes,
// events) add themselves by implementing it.
type Source interface {
	// Kind names the source's entries; unique among the calendar's sources.
	Kind() string
	// Entries lists the workspace's entries in the span. The calendar filters and colours them.
	Entries(ctx context.Context, wsID int64, span Span) ([]Entry, error)
}

// Mover is a Source whose entries can be moved to another time. It applies its own domain's rules
// and returns a *web.Error (or an error the calendar's page knows) when it refuses.
type Mover interface {
	Source
	Move(ctx context.Context, a audit.Actor, wsID, id int64, at time.Time, zone *time.Location) error
}

// Filter narrows the calendar. An entry that lacks what a filter asks for (a campaign milestone
// has no channel) is left out while that filter is on.
type Filter struct {
	Channel    string
	CampaignID int64
	Label      string
	Status     string
	OwnerID    int64
}

// Match reports whether an entry passes the filter.
func (f Filter) Match(e Entry) bool {
	return (f.Channel == "" || slices.Contains(e.Channels, f.Channel)) &&
		(f.CampaignID == 0 || e.CampaignID == f.CampaignID) &&
		(f.Label == "" || slices.Contains(e.Labels, f.Label)) &&
		(f.Status == "" || e.Status == f.Status) &&
		(f.OwnerID == 0 || e.OwnerID == f.OwnerID)
}

// Active reports whether any filter is on.
func (f Filter) Active() bool { return f != Filter{} }

// FilterOf reads a filter from a page's or the API's query: channel, campaign, label, status, owner.
func FilterOf(q map[string][]string) Filter {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := Filter{Channel: get("channel"), Label: strings.ToLower(get("label")), Status: get("status")}
	f.CampaignID, _ = strconv.ParseInt(get("campaign"), 10, 64)
	f.OwnerID, _ = strconv.ParseInt(get("owner"), 10, 64)
	return f
}

// Feed is a member's iCalendar subscription; the secret URL exists only when it is made.
type Feed struct {
	ID         int64
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// FeedOwner is whose feed a secret opens, and in which workspace and language it is served.
type FeedOwner struct {
	FeedID        int64
	WorkspaceID   int64
	WorkspaceSlug string
	WorkspaceName string
	Zone          *time.Location
	Lang          string
}

// MaxSpan bounds one request of the API.
const MaxSpan = 400 * 24 * time.Hour

// Feed range: what a subscribed calendar application sees around today.
const (
	feedBack  = 30 * 24 * time.Hour
	feedAhead = 180 * 24 * time.Hour
)

const dateLayout = "2006-01-02"

// Errors a user can act on.
var (
	ErrNotMovable = &web.Error{Status: http.StatusUnprocessableEntity, Code: "not_movable", Key: "calendar.error.not_movable"}
	ErrBadTime    = &web.Error{Status: http.StatusUnprocessableEntity, Code: "bad_time", Key: "calendar.error.at"}
)

// tokenPrefix marks feed secrets so people and secret scanners recognise them.
const tokenPrefix = "wcal_"
