// Package press is the media-relations core: journalists and other press contacts, the outlets
// they work for, static lists and saved segments, each contact's timeline, consent under UU PDP
// No. 27/2022 and the GDPR, the suppression list, export of everything held on a contact and its
// erasure. Releases, pitches, imports and distribution live in sub-packages and use the small
// API of this one (Audience, RecordEvent, Unsubscribe, ApplyImport…).
package press

import (
	"context"
	"embed"
	"net/http"
	"time"

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

// Migrations creates the media-relations tables.
var Migrations = db.Migrations{Name: "press", FS: migrations}

// Catalog holds the media-relations screens' words.
var Catalog = i18n.Catalog{Name: "press", FS: i18n.Dir(catalogFiles, "i18n")}

// ContactInput is a contact's field set as forms, the API and imports give it.
type ContactInput struct {
	Name         string            `json:"name"`
	Salutation   string            `json:"salutation"`
	Outlets      []OutletRole      `json:"outlets"`
	Beats        []string          `json:"beats"`
	Province     string            `json:"province"`
	City         string            `json:"city"`
	Country      string            `json:"country"` // ISO 3166-1 alpha-2, default "ID"
	Languages    []string          `json:"languages"`
	Emails       []string          `json:"emails"`
	Phones       []string          `json:"phones"`
	WhatsApp     string            `json:"whatsapp"`
	Socials      map[string]string `json:"socials"`
	Notes        string            `json:"notes"`
	Labels       []string          `json:"labels"`
	OwnerID      int64             `json:"owner_id"`
	Consent      Consent           `json:"consent"`
	DoNotContact bool              `json:"do_not_contact"`
}

// OutletRole is one outlet a contact works for, by OutletID or by name (Outlet), with their role.
type OutletRole struct {
	OutletID int64  `json:"outlet_id"`
	Outlet   string `json:"outlet"`
	Role     string `json:"role"`
}

// Consent is a contact's consent to the processing of their data, its legal basis and source.
type Consent struct {
	Status string    `json:"status"` // unknown, granted, withdrawn
	Basis  string    `json:"basis"`  // UU PDP art. 20 bases
	Source string    `json:"source"`
	At     time.Time `json:"at,omitzero"`
}

// Consent statuses and legal bases (UU PDP art. 20).
var (
	ConsentStatuses = []string{"unknown", "granted", "withdrawn"}
	ConsentBases    = []string{"consent", "contract", "legal_obligation", "vital_interest", "public_task", "legitimate_interest"}
	SocialKeys      = []string{"x", "instagram", "linkedin", "facebook", "tiktok", "youtube", "threads", "bluesky", "mastodon", "website"}
	OutletTypes     = []string{"online", "print", "tv", "radio", "wire", "podcast", "blog"}
	DewanPers       = []string{"administrative", "factual", "unverified"} // Dewan Pers verification
	// SuppressionReasons are why an address is on the suppression list.
	SuppressionReasons = []string{"unsubscribed", "bounced", "manual", "erased"}
	// EventKinds are what a contact's timeline records.
	EventKinds = []string{"release_sent", "pitch_sent", "delivered", "bounced", "opened", "clicked", "replied",
		"unsubscribed", "call", "meeting", "note", "coverage", "imported", "merged", "consent", "pitch_stage"}
	// HandKinds are the events a person logs by hand on the contact page.
	HandKinds = []string{"call", "meeting", "note"}
)

// Contact is a contact as stored, with its outlets, emails and the rest in order.
type Contact struct {
	ID            int64             `json:"id"`
	WorkspaceID   int64             `json:"-"`
	Name          string            `json:"name"`
	Salutation    string            `json:"salutation"`
	Outlets       []ContactOutlet   `json:"outlets"`
	Beats         []string          `json:"beats"`
	Province      string            `json:"province"`
	City          string            `json:"city"`
	Country       string            `json:"country"`
	Languages     []string          `json:"languages"`
	Emails        []string          `json:"emails"`
	Phones        []string          `json:"phones"`
	WhatsApp      string            `json:"whatsapp"`
	Socials       map[string]string `json:"socials"`
	Notes         string            `json:"notes"`
	Labels        []string          `json:"labels"`
	OwnerID       int64             `json:"owner_id"`
	Consent       Consent           `json:"consent"`
	DoNotContact  bool              `json:"do_not_contact"`
	LastContacted *time.Time        `json:"last_contacted_at"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
}

// ContactOutlet is one of a contact's outlets as shown.
type ContactOutlet struct {
	ID   int64  `json:"outlet_id"`
	Name string `json:"outlet"`
	Type string `json:"type"`
	Role string `json:"role"`
}

// Email is the contact's primary address, "" when it has none.
func (c *Contact) Email() string {
	if len(c.Emails) == 0 {
		return ""
	}
	return c.Emails[0]
}

// Outlet is the primary outlet's name.
func (c *Contact) Outlet() string {
	if len(c.Outlets) == 0 {
		return ""
	}
	return c.Outlets[0].Name
}

// Input is the contact as a form or a PATCH starts from.
func (c *Contact) Input() ContactInput {
	in := ContactInput{Name: c.Name, Salutation: c.Salutation, Beats: c.Beats, Province: c.Province, City: c.City, Country: c.Country,
		Languages: c.Languages, Emails: c.Emails, Phones: c.Phones, WhatsApp: c.WhatsApp, Socials: c.Socials, Notes: c.Notes,
		Labels: c.Labels, OwnerID: c.OwnerID, Consent: c.Consent, DoNotContact: c.DoNotContact}
	for _, o := range c.Outlets {
		in.Outlets = append(in.Outlets, OutletRole{OutletID: o.ID, Outlet: o.Name, Role: o.Role})
	}
	return in
}

// Outlet is a media outlet.
type Outlet struct {
	ID               int64     `json:"id"`
	WorkspaceID      int64     `json:"-"`
	Name             string    `json:"name"`
	Type             string    `json:"type"`
	Reach            int64     `json:"reach"`
	ReachSource      string    `json:"reach_source"`
	ReachDate        string    `json:"reach_date"`
	Province         string    `json:"province"`
	City             string    `json:"city"`
	Country          string    `json:"country"`
	Language         string    `json:"language"`
	Website          string    `json:"website"`
	RSS              string    `json:"rss_url"`
	DewanPers        string    `json:"dewan_pers"`
	DewanPersChecked string    `json:"dewan_pers_checked"`
	Contacts         int       `json:"contacts"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// OutletInput is what a person gives to create or change an outlet. Dates are YYYY-MM-DD.
type OutletInput struct {
	Name             string `json:"name"`
	Type             string `json:"type"`
	Reach            int64  `json:"reach"`
	ReachSource      string `json:"reach_source"`
	ReachDate        string `json:"reach_date"`
	Province         string `json:"province"`
	City             string `json:"city"`
	Country          string `json:"country"`
	Language         string `json:"language"`
	Website          string `json:"website"`
	RSS              string `json:"rss_url"`
	DewanPers        string `json:"dewan_pers"`
	DewanPersChecked string `json:"dewan_pers_checked"`
}

// List is a static list of contacts.
type List struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Count       int       `json:"count"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Segment is a saved filter; its members are whoever matches now.
type Segment struct {
	ID         int64       `json:"id"`
	Name       string      `json:"name"`
	Conditions []Condition `json:"conditions"`
	Count      int         `json:"count"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// Condition is one clause of a segment: the field holds one of Values (OR). Conditions of a
// segment all hold together (AND).
type Condition struct {
	Field  string   `json:"field"`
	Values []string `json:"values"`
}

// SegmentFields are what a condition can test.
var SegmentFields = []string{"beat", "province", "city", "country", "language", "outlet_type", "outlet", "label", "consent", "dewan_pers"}

// Suppression is an address that is never mailed. Email is "" once its contact was erased.
type Suppression struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Hash      string    `json:"email_sha256"`
	Reason    string    `json:"reason"`
	Detail    string    `json:"detail"`
	CreatedAt time.Time `json:"created_at"`
}

// Event is one thing that happened with a contact, for the timeline.
type Event struct {
	Kind   string    `json:"kind"`
	At     time.Time `json:"at"`
	Title  string    `json:"title"`
	Link   string    `json:"link"`
	Detail string    `json:"detail"`
	By     int64     `json:"by"`
}

// TimelineEntry is an event as the contact page shows it.
type TimelineEntry struct {
	ID int64 `json:"id"`
	Event
}

// Recipient is a contact as a distribution sees it.
type Recipient struct {
	ContactID  int64
	Email      string
	Name       string
	Salutation string
	Outlet     string
	Language   string
	Skip       string // "", suppressed, unsubscribed, bounced, do_not_contact, no_email
}

// Choice is a list or segment (or a contact) for a picker.
type Choice struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Match is an existing contact that looks like an import row.
type Match struct {
	ContactID           int64
	Name, Outlet, Email string
	Reason              string // email, phone, name_outlet
}

// ImportRow is one contact of an import: created, or merged into an existing contact.
type ImportRow struct {
	Input     ContactInput
	MergeInto int64
}

// ImportResult says what an import did. ContactIDs are in the order of the rows.
type ImportResult struct {
	Created, Merged int
	ContactIDs      []int64
}

// Member is a workspace member who can own a contact relationship.
type Member struct {
	ID          int64
	Name, Email string
}

// Members lists a workspace's members; the app passes auth's.
type Members interface {
	WorkspaceMembers(ctx context.Context, wsID int64) ([]Member, error)
}

// Eraser is another package that holds a contact's personal data (a distribution's recipients, a
// pitch's pipeline): Erase calls it in its transaction, before the contact goes, with the
// contact's addresses, so nothing of the person stays anywhere.
type Eraser interface {
	EraseContact(ctx context.Context, tx *db.Tx, wsID, contactID int64, emails []string) error
}

// Filter narrows the contact list. Conditions are a segment's (AND of ORs); Query searches names,
// emails and outlets.
type Filter struct {
	Query      string
	Conditions []Condition
	List       int64
	Segment    int64
	Sort       string // name (default), outlet, created, contacted, id (API cursor)
	After      int64
	Limit      int
	Offset     int
}

// Sorts are the contact list's orders.
var Sorts = []string{"name", "outlet", "created", "contacted"}

// Errors a user can act on. Their keys are in the press catalog.
var (
	ErrUnsubscribedStays = &web.Error{Status: http.StatusConflict, Code: "unsubscribed_stays", Key: "press.suppression.error.unsubscribed"}
	ErrBadCondition      = &web.Error{Status: http.StatusUnprocessableEntity, Code: "bad_condition", Key: "press.segment.error.condition"}
)
