// Package release is the press release (siaran pers): a content item of the content studio
// (headline, body, language, attachments, approval) and a row of its own with the number,
// subheadline, dateline, boilerplate, narahubung and embargo. It writes a release out in a
// recipient's language for distribution and the newsroom (Render), keeps the record of where it
// was shared by hand, and plans social posts relative to the embargo lift.
package release

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/content"
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

// Migrations creates the release tables.
var Migrations = db.Migrations{Name: "release", FS: migrations}

// Catalog holds the release screens' words.
var Catalog = i18n.Catalog{Name: "release", FS: i18n.Dir(catalogFiles, "i18n")}

// Release is one language version of a press release.
type Release struct {
	ID          int64 `json:"id"`
	WorkspaceID int64 `json:"-"`
	// ItemID is the content item holding headline (Title), body (Body) and language (Lang).
	ItemID       int64  `json:"item_id"`
	Lang         string `json:"language"`
	Number       string `json:"number"`
	Headline     string `json:"headline"`
	Subheadline  string `json:"subheadline"`
	DatelineCity string `json:"dateline_city"`
	// DatelineDate is the civil day shown in the dateline, YYYY-MM-DD.
	DatelineDate string `json:"dateline_date"`
	Body         string `json:"body"`
	Boilerplate  string `json:"boilerplate"`
	ContactName  string `json:"contact_name"`
	ContactRole  string `json:"contact_role"`
	ContactPhone string `json:"contact_phone"`
	ContactEmail string `json:"contact_email"`
	// Embargo is nil for immediate release.
	Embargo *time.Time `json:"embargo"`
	// Zone is the IANA zone the embargo was set in.
	Zone        string           `json:"zone"`
	Status      content.Status   `json:"status"`
	Attachments []int64          `json:"attachments"`
	Versions    map[string]int64 `json:"versions"` // linked language versions by lang, this one included
	Version     int              `json:"version"`  // the content item's version, for edits
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

// Location is the zone of the embargo, UTC when it is unknown.
func (r *Release) Location() *time.Location {
	if z, err := i18n.LoadZone(r.Zone); err == nil {
		return z
	}
	return time.UTC
}

// Input is what a person gives to create or change a release. Field names in errors are the
// form's and the API's.
type Input struct {
	Lang         string // only when creating; a version's language does not change
	Number       string // empty on create: the next number of the workspace's pattern
	Headline     string
	Subheadline  string
	DatelineCity string
	DatelineDate string
	Body         string
	Boilerplate  string
	ContactName  string
	ContactRole  string
	ContactPhone string
	ContactEmail string
	Embargo      *time.Time
	Zone         string
	Attachments  []int64
	// BaseVersion is the content item's version the editor started from.
	BaseVersion int
}

// Filter narrows the release list.
type Filter struct {
	Query   string
	Status  content.Status
	Lang    string
	Embargo string // "", "immediate", "embargoed" (lift ahead), "lifted"
	Sort    string // "updated" (default), "title"
	Page    int
	Limit   int
}

// EmbargoFilters are the embargo choices of the list.
var EmbargoFilters = []string{"immediate", "embargoed", "lifted"}

// Choice is a release that can be sent, for the distribution's picker.
type Choice struct {
	ID    int64
	Label string
	Lang  string
}

// Rendered is a release written out in one of its language versions.
type Rendered struct {
	ReleaseID int64
	Lang      string
	Subject   string // "[EMBARGO SAMPAI …] Headline" or the headline
	Embargo   string // the embargo line, "" when immediate
	HTML      template.HTML
	Text      string
	Lift      *time.Time
}

// Share is a record that someone shared a release by hand in a group.
type Share struct {
	ID        int64     `json:"id"`
	Channel   string    `json:"channel"`
	Group     string    `json:"group"`
	Note      string    `json:"note"`
	By        string    `json:"by"`
	SharedAt  time.Time `json:"shared_at"`
	ReleaseID int64     `json:"release_id"`
}

// Post is a social post planned relative to the lift.
type Post struct {
	ItemID int64
	Title  string
	Status content.Status
	At     *time.Time // when it is scheduled, nil while it is not
	Offset time.Duration
	// Due is lift + offset: where the post belongs; differs from At when the embargo moved.
	Due *time.Time
}

// Moved reports whether a scheduled post no longer sits at lift + offset.
func (p Post) Moved() bool {
	return p.At != nil && p.Due != nil && !p.At.Equal(*p.Due)
}

// PostOffsets are the offsets from the lift a person may pick, in minutes.
var PostOffsets = []int{0, 15, 60, 180, 1440}

// Content is what releases need from the content studio (content.Service has it all).
type Content interface {
	Get(ctx context.Context, wsID, id int64) (*content.Item, error)
	List(ctx context.Context, wsID int64, f content.Filter) ([]content.Item, int, error)
	Save(ctx context.Context, a audit.Actor, wsID, id int64, in content.Input) (*content.Item, content.Problems, error)
	Submit(ctx context.Context, a audit.Actor, wsID, id int64) error
	TranslateAlso(ctx context.Context, a audit.Actor, wsID, id int64, also content.Hook) (*content.Item, error)
	Translations(ctx context.Context, wsID int64, it *content.Item) ([]content.Translation, error)
	Schedule(ctx context.Context, a audit.Actor, wsID, id int64, w content.When, zone *time.Location) (time.Time, error)
}

// Approvals is what releases need from the approval process (approval.Service has it).
type Approvals interface {
	Required(ctx context.Context, wsID int64) (bool, error)
}

// Media is what releases need from the media library.
type Media interface {
	// Choices lists the assets given and then recent ones, for the attachments picker.
	Choices(ctx context.Context, wsID int64, limit int, include []int64) ([]content.MediaChoice, error)
	// Attachments describes the assets given, in that order, with a URL a recipient can open;
	// missing ones are left out.
	Attachments(ctx context.Context, wsID int64, ids []int64) ([]Attachment, error)
}

// Attachment is a file of a release as a recipient sees it.
type Attachment struct {
	ID     int64
	Name   string
	URL    string
	Kind   string // "image", "video", "document"…
	Alt    string
	Credit string
}

// DefaultPattern numbers releases "001/HUMAS/XI/2026": {n} the number in the year (three digits),
// {roman} the month in Roman numerals, {month} the month as two digits, {year} the year.
const DefaultPattern = "{n}/HUMAS/{roman}/{year}"

// Errors a user can act on. Their keys are in the release catalog.
var (
	ErrNotApproved = &web.Error{Status: http.StatusConflict, Code: "not_approved", Key: "release.error.not_approved"}
	ErrArchived    = &web.Error{Status: http.StatusConflict, Code: "archived", Key: "release.error.archived"}
	ErrChanged     = &web.Error{Status: http.StatusConflict, Code: "changed", Key: "release.error.changed"}
	ErrNoEmbargo   = &web.Error{Status: http.StatusUnprocessableEntity, Code: "no_embargo", Key: "release.error.no_embargo"}
	ErrHasVersion  = &web.Error{Status: http.StatusConflict, Code: "version_exists", Key: "release.error.version_exists"}
)
