// Package newsroom is the organisation's public press room: its releases, media kit and
// spokespeople on the web, at /newsroom/{slug}/ or on its own domain, in Indonesian and English,
// with feeds, a sitemap and email subscriptions.
//
// A release reaches the newsroom as a copy taken when it is approved (sync.go), so a later edit
// waiting for approval never shows; the copy carries its lift time and every public query asks
// for lift_at <= now, so a release appears at its embargo lift by itself. Pages are rendered once
// and kept in a cache that a change to the newsroom invalidates (cache.go).
package newsroom

import (
	"context"
	"embed"
	"io"
	"net/http"
	"time"

	"warta.dev/warta/internal/audit"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/newsroom/kit"
	"warta.dev/warta/internal/newsroom/subscribe"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press/release"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates
var templates embed.FS

// Migrations create the newsroom tables.
var Migrations = db.Migrations{Name: "newsroom", FS: migrations}

// Catalog holds the newsroom's words, in the app and on the public site.
var Catalog = i18n.Catalog{Name: "newsroom", FS: i18n.Dir(catalogFiles, "i18n")}

// Settings are a workspace's newsroom: where it is served and how it looks.
type Settings struct {
	WorkspaceID int64  `json:"-"`
	Enabled     bool   `json:"enabled"`
	Slug        string `json:"slug"`
	Domain      string `json:"domain"`
	// Title is the newsroom's name; empty means the workspace's name.
	Title       string `json:"title"`
	TaglineID   string `json:"tagline_id"`
	TaglineEN   string `json:"tagline_en"`
	LogoAssetID int64  `json:"logo_asset_id,omitempty"`
	// Colours are #rrggbb; empty means the defaults.
	ColorPrimary  string    `json:"color_primary"`
	ColorAccent   string    `json:"color_accent"`
	Font          string    `json:"font"`
	BoilerplateID string    `json:"boilerplate_id"`
	BoilerplateEN string    `json:"boilerplate_en"`
	FactsID       string    `json:"facts_id"`
	FactsEN       string    `json:"facts_en"`
	UpdatedAt     time.Time `json:"updated_at"`

	generation int64
	// workspace's name and language, for defaults
	wsName, wsLang, wsZone string
}

// Name is what the newsroom is called on its pages.
func (s *Settings) Name() string {
	if s.Title != "" {
		return s.Title
	}
	return s.wsName
}

// Tagline is the newsroom's tagline in lang, else in the other language.
func (s *Settings) Tagline(lang string) string { return pick(lang, s.TaglineID, s.TaglineEN) }

// Boilerplate is "about us" in lang, else in the other language.
func (s *Settings) Boilerplate(lang string) string {
	return pick(lang, s.BoilerplateID, s.BoilerplateEN)
}

// Facts is the fact sheet in lang, else in the other language.
func (s *Settings) Facts(lang string) string { return pick(lang, s.FactsID, s.FactsEN) }

func pick(lang, id, en string) string {
	if lang == "en" && en != "" || id == "" {
		return en
	}
	return id
}

// Fonts are the accent fonts a newsroom may choose: font stacks every phone and laptop already
// has, so the public pages load nothing from elsewhere.
var Fonts = map[string]string{
	"":          `system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif`,
	"serif":     `Georgia, "Noto Serif", "Times New Roman", serif`,
	"humanist":  `"Gill Sans", "Trebuchet MS", Calibri, "Noto Sans", sans-serif`,
	"rounded":   `ui-rounded, "Nunito", "Arial Rounded MT Bold", system-ui, sans-serif`,
	"monospace": `ui-monospace, "SF Mono", Menlo, Consolas, monospace`,
}

// FontNames are the choices of Fonts in the order the form shows them.
var FontNames = []string{"", "serif", "humanist", "rounded", "monospace"}

// Topic is a subject the newsroom files releases under.
type Topic struct {
	ID     int64  `json:"id"`
	Slug   string `json:"slug"`
	NameID string `json:"name_id"`
	NameEN string `json:"name_en"`
}

// Name is the topic's name in lang.
func (t Topic) Name(lang string) string { return pick(lang, t.NameID, t.NameEN) }

// Visibility says who may open a release on the newsroom.
type Visibility string

// The visibilities.
const (
	Public   Visibility = "public"   // listed, in the feeds and the sitemap, mailed to subscribers
	Unlisted Visibility = "unlisted" // opens only through its secret link
	Hidden   Visibility = "hidden"   // not on the newsroom at all
)

// Visibilities in the order the form offers them.
var Visibilities = []Visibility{Public, Unlisted, Hidden}

// Placement is how one release version is shown on the newsroom, as the app edits it.
type Placement struct {
	ReleaseID  int64      `json:"release_id"`
	Visibility Visibility `json:"visibility"`
	Featured   bool       `json:"featured"`
	Topics     []int64    `json:"topics"`
	// Secret opens an unlisted release; part of SecretURL.
	Secret string `json:"-"`
	// What is on the newsroom now: empty until the release is first approved.
	Headline string     `json:"headline"`
	Lang     string     `json:"language"`
	LiftAt   *time.Time `json:"lift_at,omitempty"`
	GoneAt   *time.Time `json:"gone_at,omitempty"`
	Views    int64      `json:"views"`
	// Mailed is when subscribers were emailed the release, nil while they were not.
	Mailed         *time.Time `json:"mailed_at,omitempty"`
	DistributionID int64      `json:"distribution_id,omitempty"`
}

// Copied reports whether an approved copy of the release is on the newsroom.
func (p *Placement) Copied() bool { return p.Headline != "" }

// Story is a release as the public sees it.
type Story struct {
	ReleaseID       int64
	GroupID         int64
	Lang            string
	Number          string
	Headline        string
	Subheadline     string
	Dateline        string
	BodyHTML        string
	Lead            string
	BoilerplateHTML string
	Contact         Contact
	Files           []File
	LiftAt          time.Time
	UpdatedAt       time.Time
	Featured        bool
	Visibility      Visibility
	Secret          string
	Gone            bool
	Topics          []int64
}

// Images are the story's pictures, shown in the page; Documents the rest, to download.
func (s *Story) Images() []File { return filesOf(s.Files, true) }

// Documents are the story's files that are not pictures.
func (s *Story) Documents() []File { return filesOf(s.Files, false) }

func filesOf(all []File, images bool) []File {
	var out []File
	for _, f := range all {
		if (f.Kind == string(medialib.Image)) == images {
			out = append(out, f)
		}
	}
	return out
}

// Contact is a release's narahubung.
type Contact struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// File is a release's attachment as the newsroom serves it.
type File struct {
	AssetID     int64  `json:"asset_id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	Alt         string `json:"alt"`
	Credit      string `json:"credit"`
	Licence     string `json:"licence"`
}

// Releases is what the newsroom needs from press releases (release.Service has it).
type Releases interface {
	Get(ctx context.Context, wsID, id int64) (*release.Release, error)
	SendableRelease(ctx context.Context, r *release.Release) error
	ChangedSince(ctx context.Context, since time.Time, after release.Change, limit int) ([]release.Change, error)
	Dateline(r *release.Release) string
}

// Media is what the newsroom needs from the media library (*medialib.Library has it).
type Media interface {
	GetMany(ctx context.Context, wsID int64, ids []int64) ([]medialib.Asset, error)
	Open(ctx context.Context, wsID, id int64, thumb bool) (io.ReadCloser, medialib.Asset, error)
	Upload(ctx context.Context, a audit.Actor, wsID int64, filename string, r io.Reader) (medialib.Asset, error)
	SetUsage(ctx context.Context, tx *db.Tx, wsID int64, entity, entityID, label, link string, ids []int64) error
}

// Kit is what the public pages need from the media kit (*kit.Service has it).
type Kit interface {
	Public(ctx context.Context, wsID int64, lang string) (*kit.Kit, error)
	IsPublic(ctx context.Context, wsID, assetID int64) (bool, error)
	WriteZip(ctx context.Context, w io.Writer, wsID int64, lang string, extra []kit.ZipText) error
}

// Subscribers is what the public pages need from subscriptions (*subscribe.Service has it).
type Subscribers interface {
	Subscribe(ctx context.Context, req subscribe.Request) error
	Pending(ctx context.Context, token string) (*subscribe.Subscriber, error)
	Confirm(ctx context.Context, token string) (*subscribe.Subscriber, error)
	ConsentText(lang, newsroom string) string
}

// Mailer emails a newly public release to the subscribers (distribute.Service has it).
type Mailer interface {
	SendToSubscribers(ctx context.Context, tx *db.Tx, wsID, releaseID int64, title string, topics []int64) (int64, error)
}

// Errors a user can act on. Their keys are in the newsroom catalog.
var (
	ErrSlugTaken   = &web.Error{Status: http.StatusConflict, Code: "slug_taken", Key: "newsroom.error.slug_taken"}
	ErrDomainTaken = &web.Error{Status: http.StatusConflict, Code: "domain_taken", Key: "newsroom.error.domain_taken"}
	// ErrNewsroomOff refuses a notice while the newsroom is switched off: nobody could read it.
	ErrNewsroomOff = &web.Error{Status: http.StatusConflict, Code: "newsroom_off", Key: "newsroom.error.notice_off"}
)

// NoticeKind says what a notice is: an official statement, or an update of an incident's status.
type NoticeKind string

// The kinds of notices.
const (
	Statement    NoticeKind = "statement" // its own page, on the home page while recent, in the feeds
	StatusUpdate NoticeKind = "status"    // on the status page; a banner on every page until resolved
)

// NoticeState is where an incident stands, as a status page says it.
type NoticeState string

// The states of an incident, in the order an incident usually goes through them.
const (
	Investigating NoticeState = "investigating"
	Identified    NoticeState = "identified"
	Monitoring    NoticeState = "monitoring"
	Resolved      NoticeState = "resolved"
)

// NoticeStates in their usual order.
var NoticeStates = []NoticeState{Investigating, Identified, Monitoring, Resolved}

// NoticeInput is a notice to publish on the newsroom.
type NoticeInput struct {
	Kind NoticeKind
	// Incident is the incident's public name, the same for all updates of one crisis; required
	// for a status update.
	Incident string
	// IncidentKey groups one crisis's notices; a status update without one is grouped by its
	// incident's name.
	IncidentKey string
	State       NoticeState // status updates only
	Lang        string      // "id" or "en": the language it is written in
	// Title is a statement's headline (its incident's name when empty); optional for a status
	// update.
	Title string
	// Body is plain text: paragraphs split by blank lines, line breaks kept, http(s) addresses
	// linked.
	Body                                    string
	ContactName, ContactPhone, ContactEmail string
}

// Notice is a published statement or status update.
type Notice struct {
	ID           int64       `json:"id"`
	Kind         NoticeKind  `json:"kind"`
	Incident     string      `json:"incident"`
	IncidentKey  string      `json:"incident_key"`
	State        NoticeState `json:"state,omitempty"`
	Lang         string      `json:"language"`
	Title        string      `json:"title"`
	Body         string      `json:"body"`
	ContactName  string      `json:"contact_name"`
	ContactPhone string      `json:"contact_phone"`
	ContactEmail string      `json:"contact_email"`
	PublishedAt  time.Time   `json:"published_at"`
	// WithdrawnAt is set once the notice was taken off the public newsroom.
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
	// URL is where the public reads it: a statement's page, or the status page at the update.
	URL string `json:"url"`
}

// incident is one crisis as the status page shows it: its updates, newest first.
type incident struct {
	Key     string
	Name    string // as its latest update names it
	Lang    string // the language of that name
	State   NoticeState
	Updated time.Time
	Updates []Notice
}

// Active reports whether the incident is not resolved yet: every page then carries its banner.
func (i incident) Active() bool { return i.State != Resolved }
