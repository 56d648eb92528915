// Package distribute sends press releases and pitches to journalists by email, once per recipient:
// each recipient is recorded as sending (committed) before their SMTP transaction and as sent,
// bounced or failed after it, so a crash neither loses nor repeats anyone; a recipient whose
// transaction was cut off is uncertain, for a person to decide. It also keeps the sending
// settings, the tracking of opens and clicks, one-click unsubscribe (RFC 8058) and the replies and
// bounces read from the reply mailbox.
//
// Contacts, releases, pitches and the newsroom's subscribers are other packages, reached through
// the small Audience, Sources and Subscribers interfaces the app implements.
package distribute

import (
	"context"
	"embed"
	"time"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations create the distribution tables.
var Migrations = db.Migrations{Name: "distribute", FS: migrations}

// Catalog holds the distribution screens' and emails' words.
var Catalog = i18n.Catalog{Name: "distribute", FS: i18n.Dir(catalogFiles, "i18n")}

// State is where a distribution stands.
type State string

// The states of a distribution.
const (
	Draft     State = "draft"
	Scheduled State = "scheduled"
	Sending   State = "sending"
	Paused    State = "paused"
	Cancelled State = "cancelled"
	Done      State = "done"
)

// RecipientState is where one recipient stands.
type RecipientState string

// The states of a recipient.
const (
	Queued    RecipientState = "queued"
	Skipped   RecipientState = "skipped"
	InFlight  RecipientState = "sending"
	Sent      RecipientState = "sent"
	Bounced   RecipientState = "bounced"
	Failed    RecipientState = "failed"
	Uncertain RecipientState = "uncertain"
	Withdrawn RecipientState = "cancelled"
)

// RecipientStates in the order the report lists them.
var RecipientStates = []RecipientState{Sent, Queued, InFlight, Skipped, Bounced, Failed, Uncertain, Withdrawn}

// The kinds of thing a distribution sends.
const (
	KindRelease = "release"
	KindPitch   = "pitch"
)

// Who a distribution goes to.
const (
	// AudienceContacts are the contacts of the distribution's lists and segments.
	AudienceContacts = "contacts"
	// AudienceSubscribers are the newsroom's subscribers of its topics (all of them when it names none).
	AudienceSubscribers = "subscribers"
)

// Ref names the release or pitch a distribution sends.
type Ref struct {
	Kind string
	ID   int64
}

// Distribution is one sending of a release or pitch.
type Distribution struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"-"`
	Kind        string     `json:"kind"`
	ReleaseID   int64      `json:"release_id,omitempty"`
	PitchID     int64      `json:"pitch_id,omitempty"`
	Title       string     `json:"title"`
	Lists       []int64    `json:"lists"`
	Segments    []int64    `json:"segments"`
	Audience    string     `json:"audience"`
	Topics      []int64    `json:"topics"`
	State       State      `json:"state"`
	ScheduledAt *time.Time `json:"scheduled_at,omitempty"`
	Zone        string     `json:"zone,omitempty"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	FromAddress string     `json:"from_address,omitempty"`
	TrackOpens  bool       `json:"track_opens"`
	TrackClicks bool       `json:"track_clicks"`
	ThroughHold bool       `json:"through_hold"`      // it goes out although its workspace's distributions are held
	HeldAt      *time.Time `json:"held_at,omitempty"` // when a hold stopped it or kept it from starting, until a person decides
	CreatedBy   int64      `json:"created_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Counts      Counts     `json:"counts"`
}

// KindNewsroom names, in a Ref only, a release as the newsroom published it: what its
// subscribers are sent is the newsroom's approved, public copy, not the release as it is now.
const KindNewsroom = "newsroom"

// Ref is what the distribution sends.
func (d *Distribution) Ref() Ref {
	switch {
	case d.Kind == KindPitch:
		return Ref{KindPitch, d.PitchID}
	case d.ToSubscribers():
		return Ref{KindNewsroom, d.ReleaseID}
	}
	return Ref{KindRelease, d.ReleaseID}
}

// ToSubscribers reports whether it goes to the newsroom's subscribers rather than contacts.
func (d *Distribution) ToSubscribers() bool { return d.Audience == AudienceSubscribers }

// Active reports whether recipients may still be sent to.
func (d *Distribution) Active() bool { return d.State == Sending || d.State == Paused }

// Counts are a distribution's recipients by state, and what they did.
type Counts struct {
	Total        int            `json:"total"`
	Queued       int            `json:"queued"`
	Sending      int            `json:"sending"`
	Sent         int            `json:"sent"`
	Skipped      int            `json:"skipped"`
	Bounced      int            `json:"bounced"`
	Failed       int            `json:"failed"`
	Uncertain    int            `json:"uncertain"`
	Cancelled    int            `json:"cancelled"`
	Opened       int            `json:"opened"`
	Clicked      int            `json:"clicked"`
	Replied      int            `json:"replied"`
	Unsubscribed int            `json:"unsubscribed"`
	Skips        map[string]int `json:"skipped_by_reason"`
}

// Done is how many recipients have an outcome, for the progress bar.
func (c Counts) Done() int { return c.Total - c.Queued - c.Sending }

// Percent is the progress bar's value.
func (c Counts) Percent() int {
	if c.Total == 0 {
		return 100
	}
	return c.Done() * 100 / c.Total
}

// Recipient is one person a distribution goes to, as recorded.
type Recipient struct {
	ID           int64          `json:"id"`
	ContactID    int64          `json:"contact_id,omitempty"`
	Email        string         `json:"email"`
	Name         string         `json:"name"`
	Salutation   string         `json:"salutation,omitempty"`
	Outlet       string         `json:"outlet,omitempty"`
	Lang         string         `json:"language"`
	State        RecipientState `json:"state"`
	Reason       string         `json:"reason,omitempty"`
	Attempts     int            `json:"attempts"`
	SentAt       *time.Time     `json:"sent_at,omitempty"`
	OpenedAt     *time.Time     `json:"opened_at,omitempty"`
	ClickedAt    *time.Time     `json:"clicked_at,omitempty"`
	RepliedAt    *time.Time     `json:"replied_at,omitempty"`
	Unsubscribed *time.Time     `json:"unsubscribed_at,omitempty"`
}

// Contact is a person an audience yields.
type Contact struct {
	ContactID  int64
	Email      string
	Name       string
	Salutation string
	Outlet     string
	Language   string // "id", "en" or "" (then the release's own language)
	Skip       string // "" to send; else why not ("suppressed", "unsubscribed", "bounced", "do_not_contact", "no_email")
}

// Event is something to put on a contact's timeline.
type Event struct {
	Kind   string
	At     time.Time
	Title  string
	Link   string
	Detail string
	By     int64
}

// Choice is a list, segment, release or pitch as a form offers it.
type Choice struct {
	ID    int64
	Name  string
	Count int
}

// Audience is what distributions need from the contacts.
type Audience interface {
	// Audience yields each address of the lists and segments once, with why it must be skipped.
	Audience(ctx context.Context, wsID int64, lists, segments []int64, fn func(Contact) error) error
	// Count says how many would be sent to and how many skipped.
	Count(ctx context.Context, wsID int64, lists, segments []int64) (send, skip int, err error)
	Lists(ctx context.Context, wsID int64) ([]Choice, error)
	Segments(ctx context.Context, wsID int64) ([]Choice, error)
	// Record puts an event on a contact's timeline, in tx.
	Record(ctx context.Context, tx *db.Tx, wsID, contactID int64, e Event) error
	// RecordMany puts the same event on many contacts' timelines, in tx.
	RecordMany(ctx context.Context, tx *db.Tx, wsID int64, contactIDs []int64, e Event) error
	// Unsubscribe withdraws the contact's consent and suppresses the address, in tx.
	Unsubscribe(ctx context.Context, tx *db.Tx, wsID, contactID int64, email, source string) error
	// Bounce records a bounce; a hard one suppresses the address.
	Bounce(ctx context.Context, tx *db.Tx, wsID int64, email string, hard bool, detail string) error
}

// Subscribers is what distributions need from the newsroom's subscribers.
type Subscribers interface {
	// Subscribers yields each confirmed subscriber of any of the topics (every one when topics is
	// empty) once, as a Contact without a ContactID.
	Subscribers(ctx context.Context, wsID int64, topics []int64, fn func(Contact) error) error
	// Unsubscribe ends the address's subscription, in tx.
	Unsubscribe(ctx context.Context, tx *db.Tx, wsID int64, email, source string) error
}

// Letter is a release or pitch written out in one language, ready to send.
type Letter struct {
	Lang    string
	Subject string
	// HTML is a sanitised fragment; Text the same as plain text. Both may hold merge fields.
	HTML string
	Text string
}

// Sources is what distributions need from releases and pitches.
type Sources interface {
	// Letter is the release or pitch in lang, or in its own language when it has no such version.
	Letter(ctx context.Context, wsID int64, ref Ref, lang string) (*Letter, error)
	// Languages are the languages it is written in; the first is its own.
	Languages(ctx context.Context, wsID int64, ref Ref) ([]string, error)
	// Sendable is nil when it may be sent now (a release must be approved where approval is required).
	Sendable(ctx context.Context, wsID int64, ref Ref) error
	// Choices lists what of a kind can be sent.
	Choices(ctx context.Context, wsID int64, kind string) ([]Choice, error)
	// Delivered is told, in the recording transaction, that a contact received it.
	Delivered(ctx context.Context, tx *db.Tx, wsID int64, ref Ref, contactID int64, at time.Time) error
}
