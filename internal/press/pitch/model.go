// Package pitch is a workspace's pitches: stories offered to journalists, each with the email that
// offers it and a pipeline of the contacts it was offered to (pitched → replied → interested →
// covered or declined), with follow-up reminders for the pitch's owner. Contacts belong to package
// press, reached through the small Contacts interface.
package pitch

import (
	"context"
	"embed"
	"net/http"
	"time"

	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations creates the pitch tables.
var Migrations = db.Migrations{Name: "pitch", FS: migrations}

// Catalog holds the pitch screens' words.
var Catalog = i18n.Catalog{Name: "pitch", FS: i18n.Dir(catalogFiles, "i18n")}

// Pitch is one story offered to journalists.
type Pitch struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"-"`
	Title       string    `json:"title"`
	Angle       string    `json:"angle"`
	Subject     string    `json:"subject"`
	Body        string    `json:"body"`
	ReleaseID   int64     `json:"release_id,omitempty"`
	CampaignID  int64     `json:"campaign_id,omitempty"`
	OwnerID     int64     `json:"owner_id,omitempty"`
	Status      string    `json:"status"`
	Version     int       `json:"version"`
	CreatedBy   int64     `json:"created_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Counts is how many contacts are at each stage (list and API).
	Counts map[string]int `json:"counts"`
}

// Statuses of a pitch.
const (
	Open   = "open"
	Closed = "closed"
)

// Statuses are a pitch's statuses, as the forms offer them.
var Statuses = []string{Open, Closed}

// Stages of a contact in a pitch's pipeline, in the order the board shows them.
const (
	Pitched    = "pitched"
	Replied    = "replied"
	Interested = "interested"
	Covered    = "covered"
	Declined   = "declined"
)

// Stages are the pipeline's columns.
var Stages = []string{Pitched, Replied, Interested, Covered, Declined}

// KnownStage reports whether s is one of Stages.
func KnownStage(s string) bool {
	for _, x := range Stages {
		if x == s {
			return true
		}
	}
	return false
}

// Finished reports whether a stage ends the contact's part in the pitch: no follow-up is due.
func Finished(stage string) bool { return stage == Covered || stage == Declined }

// Card is one contact in a pitch's pipeline.
type Card struct {
	ContactID   int64      `json:"contact_id"`
	Name        string     `json:"name"` // "" when press no longer knows the contact
	Stage       string     `json:"stage"`
	Note        string     `json:"note"`
	CoverageURL string     `json:"coverage_url"`
	FollowUp    *time.Time `json:"follow_up_at"`
	RemindedAt  *time.Time `json:"reminded_at"`
	AddedAt     time.Time  `json:"added_at"`
	StageAt     time.Time  `json:"stage_at"`
}

// Due reports whether the card's follow-up date has come.
func (c Card) Due(now time.Time) bool {
	return c.FollowUp != nil && !Finished(c.Stage) && !c.FollowUp.After(now)
}

// Input is what a person gives to create or change a pitch. Field names in errors are the form's
// and the API's: title, angle, subject, body, release_id, campaign_id, owner_id, status.
type Input struct {
	Title      string
	Angle      string
	Subject    string
	Body       string
	ReleaseID  int64
	CampaignID int64
	OwnerID    int64
	Status     string // "" means open
}

// CardInput changes a card: its stage, note, coverage link and follow-up. FollowUp nil clears it.
type CardInput struct {
	Stage       string
	Note        string
	CoverageURL string
	FollowUp    *time.Time
}

// Filter narrows a list of pitches.
type Filter struct {
	Query  string // in the title, angle or subject
	Status string // "open", "closed", or "" for both
	Sort   string // "updated" (the default), "title", "created", "follow_up" (soonest follow-up first), or "id" (the API's cursor)
	After  int64  // with Sort "id": only ids above this
	Limit  int
	Offset int
}

// Sorts are the orders the list page offers.
var Sorts = []string{"updated", "title", "created", "follow_up"}

// Choice is a pitch as a picker shows it (a distribution choosing what to send).
type Choice struct {
	ID    int64
	Label string
}

// Contacts is what pitches need from package press.
type Contacts interface {
	// ContactNames names contacts; missing ids are left out.
	ContactNames(ctx context.Context, wsID int64, ids []int64) (map[int64]string, error)
	// SearchContacts finds contacts by name, email or outlet, for the add-a-contact box.
	SearchContacts(ctx context.Context, wsID int64, q string, limit int) ([]press.Choice, error)
	// RecordEvent writes an entry on the contact's timeline in tx.
	RecordEvent(ctx context.Context, tx *db.Tx, wsID, contactID int64, e press.Event) error
}

// Members names the people of a workspace: a pitch's owner is one of them. It is the same as
// press.Members, so one adapter serves both.
type Members interface {
	WorkspaceMembers(ctx context.Context, wsID int64) ([]press.Member, error)
}

// Notifier tells a pitch's owner that a follow-up is due.
type Notifier interface {
	Notify(ctx context.Context, tx *db.Tx, n notify.Notice) error
}

// MergeFields are the fields a pitch's subject and body may hold, filled per recipient when sent.
var MergeFields = []string{"name", "first_name", "salutation", "outlet"}

// Errors a user can act on. Their keys are in the pitch catalog.
var (
	ErrChanged = &web.Error{Status: http.StatusConflict, Code: "changed", Key: "pitch.error.changed"}
	ErrNoCard  = &web.Error{Status: http.StatusNotFound, Code: "not_in_pipeline", Key: "pitch.error.no_card"}
	// ErrNoContact answers for a contact id the workspace does not have.
	ErrNoContact = &web.Error{Status: http.StatusUnprocessableEntity, Code: "unknown_contact", Key: "pitch.error.contact"}
)
