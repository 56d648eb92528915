// Package content is the content studio's core: content items written once and adapted per
// channel, their versions, comments, status and schedule. Media, campaigns, approvals and the
// calendar are their own packages; this one declares the small interfaces it needs from them.
package content

import (
	"embed"
	"time"

	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations creates the content tables.
var Migrations = db.Migrations{Name: "content", FS: migrations}

// Catalog holds the content studio's words.
var Catalog = i18n.Catalog{Name: "content", FS: i18n.Dir(catalogFiles, "i18n")}

// Status is where an item stands.
type Status string

// The statuses, in the glossary's words.
const (
	Draft     Status = "draft"
	InReview  Status = "in_review"
	Approved  Status = "approved"
	Scheduled Status = "scheduled"
	Published Status = "published"
	Failed    Status = "failed"
	Held      Status = "held"
	Archived  Status = "archived"
)

// Statuses in the order filters show them.
var Statuses = []Status{Draft, InReview, Approved, Scheduled, Published, Failed, Held, Archived}

// Kind is what sort of thing an item is. Posts go out on channels through their variants; a
// press release (package press/release) keeps its headline, body and approval here and the rest
// in its own table, and has no variants.
type Kind string

// The kinds.
const (
	KindPost    Kind = "post"
	KindRelease Kind = "release"
	// KindStatement is a crisis statement (package crisis): it goes to the newsroom and journalists'
	// lists, and to channels only through the variants it has, which may be none.
	KindStatement Kind = "statement"
)

// Item is a content item with its variants.
type Item struct {
	ID            int64            `json:"id"`
	WorkspaceID   int64            `json:"-"`
	Kind          Kind             `json:"kind"`
	Title         string           `json:"title"`
	Body          string           `json:"body"`
	Lang          string           `json:"language"`
	TranslationOf int64            `json:"translation_of,omitempty"`
	OwnerID       int64            `json:"owner_id,omitempty"`
	OwnerName     string           `json:"owner_name,omitempty"`
	CampaignID    int64            `json:"campaign_id,omitempty"`
	Status        Status           `json:"status"`
	Labels        []string         `json:"labels"`
	Attachments   []int64          `json:"attachments"`
	ScheduledAt   *time.Time       `json:"scheduled_at,omitempty"`
	Offset        *campaign.Offset `json:"schedule_offset,omitempty"`
	PublishedAt   *time.Time       `json:"published_at,omitempty"`
	Version       int              `json:"version"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
	Variants      []Variant        `json:"variants"`
}

// Variant is an item's text for one channel.
type Variant struct {
	Network      channel.Network `json:"network"`
	Text         string          `json:"text"`
	FirstComment string          `json:"first_comment,omitempty"`
	Media        []int64         `json:"media"`
	// Thread asks for a text over the network's limit to go out as a thread, where it allows one.
	Thread bool `json:"thread,omitempty"`
}

// Version is a saved state of an item.
type Version struct {
	ID        int64     `json:"id"`
	Version   int       `json:"version"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Variants  []Variant `json:"variants"`
	AuthorID  int64     `json:"author_id,omitempty"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// Comment is a remark on an item; replies have a ParentID.
type Comment struct {
	ID          int64      `json:"id"`
	ParentID    int64      `json:"parent_id,omitempty"`
	AuthorID    int64      `json:"author_id,omitempty"`
	AuthorName  string     `json:"author_name"`
	AuthorEmail string     `json:"author_email"`
	Body        string     `json:"body"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	Replies     []Comment  `json:"replies,omitempty"`
}
