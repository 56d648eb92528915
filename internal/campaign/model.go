// Package campaign is a workspace's campaigns: a name, dates, a colour for the calendar, an anchor
// (the launch moment) that content items can be scheduled relative to, and the UTM tags its
// links carry on each channel. Content items live in the content studio, which this package
// reaches only through the small Scheduled interface.
package campaign

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

// Migrations creates the campaign tables.
var Migrations = db.Migrations{Name: "campaign", FS: migrations}

// Catalog holds the campaign screens' words.
var Catalog = i18n.Catalog{Name: "campaign", FS: i18n.Dir(catalogFiles, "i18n")}

// Campaign is one campaign of a workspace.
type Campaign struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"-"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Colour      string     `json:"colour"`
	StartsOn    Date       `json:"starts_on"`
	EndsOn      Date       `json:"ends_on"`
	Anchor      *time.Time `json:"anchor"`
	UTMCampaign string     `json:"utm_campaign"`
	Version     int        `json:"version"`
	CreatedBy   int64      `json:"created_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ArchivedAt  *time.Time `json:"archived_at"`
}

// Date is a calendar day without time or zone, "2026-11-27"; empty when the campaign has none.
// It is stored as that text on both engines: a day is not an instant, and the text sorts in
// date order.
type Date string

// dateLayout is how a Date is written.
const dateLayout = "2006-01-02"

// Time is noon of the day in zone, so the locale's date formats show that same day.
func (d Date) Time(zone *time.Location) time.Time {
	t, err := time.ParseInLocation(dateLayout, string(d), zone)
	if err != nil {
		return time.Time{}
	}
	return t.Add(12 * time.Hour)
}

// MarshalJSON writes null for an open date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return []byte(`"` + string(d) + `"`), nil
}

// Input is what a person gives to create or change a campaign. Field names in errors are the
// form's and the API's: name, description, colour, starts_on, ends_on, utm_campaign.
type Input struct {
	Name        string
	Description string
	Colour      string // "#RRGGBB"; empty means the default colour
	StartsOn    Date
	EndsOn      Date
	UTMCampaign string // empty means a slug of the name
}

// DefaultColour is the colour of a campaign created without one (Warta's accent).
const DefaultColour = "#0b5f73"

// Filter narrows a list of campaigns.
type Filter struct {
	Query    string // in the name or description
	Archived bool   // the archived campaigns instead of the current ones
	Sort     string // "starts" (latest start first, the default), "name", "created", or "id" (for the API's cursor)
	After    int64  // with Sort "id": only ids above this
	Limit    int
	Offset   int
}

// Sorts are the orders the list page offers.
var Sorts = []string{"starts", "name", "created"}

// Scheduled is what campaigns need from the content studio: the items scheduled relative to a
// campaign's anchor.
type Scheduled interface {
	// RelativeItems lists the campaign's items scheduled relative to its anchor, with their current time.
	RelativeItems(ctx context.Context, workspaceID, campaignID int64) ([]RelativeItem, error)
	// MoveAnchor reschedules those items for a new anchor, inside tx.
	MoveAnchor(ctx context.Context, tx *db.Tx, workspaceID, campaignID int64, anchor time.Time, zone *time.Location) (int, error)
}

// RelativeItem is a content item scheduled relative to its campaign's anchor. Link is the item's
// page, At its current time (zero when it has none yet).
type RelativeItem struct {
	ID     int64     `json:"id"`
	Title  string    `json:"title"`
	Link   string    `json:"link"`
	Offset Offset    `json:"offset"`
	At     time.Time `json:"at"`
}

// Shift is where moving the anchor takes an item: from its current time to its new one.
type Shift struct {
	Item     RelativeItem
	From, To time.Time
}

// Past reports whether the new time has already gone by (the item would be late at once).
func (s Shift) Past() bool { return s.To.Before(time.Now()) }

// UTM is the set of tags a link gets: utm_source, utm_medium, utm_campaign and utm_content.
type UTM struct {
	Source, Medium, Campaign, Content string
}

// ChannelUTM is one channel's row of a campaign's UTM table.
type ChannelUTM struct {
	Channel string `json:"channel"`
	Source  string `json:"source"`
	Medium  string `json:"medium"`
	Content string `json:"content"`
}

// Channels are where a campaign's links go: the social networks, the newsroom and email.
var Channels = []string{"x", "bluesky", "mastodon", "linkedin", "threads", "facebook", "instagram", "telegram", "newsroom", "email"}

// KnownChannel reports whether ch is one of Channels.
func KnownChannel(ch string) bool {
	for _, c := range Channels {
		if c == ch {
			return true
		}
	}
	return false
}

// defaultUTM is a channel's row when the campaign has not set one: the channel is the source,
// and the medium says what kind of traffic it is.
func defaultUTM(ch string) ChannelUTM {
	medium := "social"
	switch ch {
	case "newsroom":
		medium = "referral"
	case "email":
		medium = "email"
	}
	return ChannelUTM{Channel: ch, Source: ch, Medium: medium}
}

// Errors a user can act on. Their keys are in the campaign catalog.
var (
	ErrChanged    = &web.Error{Status: http.StatusConflict, Code: "changed", Key: "campaign.error.changed"}
	ErrBadOffset  = &web.Error{Status: http.StatusUnprocessableEntity, Code: "bad_offset", Key: "campaign.error.offset"}
	ErrBadChannel = &web.Error{Status: http.StatusUnprocessableEntity, Code: "bad_channel", Key: "campaign.error.channel"}
	ErrNoAnchor   = &web.Error{Status: http.StatusUnprocessableEntity, Code: "no_anchor", Key: "campaign.error.anchor"}
)
