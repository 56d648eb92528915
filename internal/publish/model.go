// Package publish puts scheduled content on the organisation's accounts: it keeps the connected
// accounts and their encrypted credentials, turns each (content item × account) into a
// publication due at its time, publishes it exactly once through the network's connector, pauses
// and holds, and keeps the publish log.
//
// Exactly once: a publication is claimed in a transaction that records the attempt before any
// call; the outcome is recorded after it. An attempt whose outcome was lost (a crash, a timeout)
// is never simply repeated: the next attempt first asks the network (Find), or relies on the
// network's idempotency key, and where the network cannot tell, the publication becomes
// "uncertain" for a person to decide.
//
// Timing: the publications table is the schedule. A dispatcher in each process sleeps until the
// next publication is due (or a second at most) and then inserts its job, available at once, so a
// post goes out within a second of its time; River's own scheduler (every 5 s) is not used for it.
package publish

import (
	"embed"
	"time"

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

// Migrations creates the accounts, publications and publish log tables.
var Migrations = db.Migrations{Name: "publish", FS: migrations}

// Catalog holds publishing's words.
var Catalog = i18n.Catalog{Name: "publish", FS: i18n.Dir(catalogFiles, "i18n")}

// State is where a publication stands.
type State string

// The states of a publication.
const (
	// Queued: waiting for its time.
	Queued State = "queued"
	// Sending: an attempt is under way (or was, when the process died: its lease tells).
	Sending State = "sending"
	// Retrying: a temporary failure or a rate limit; tried again at RetryAt.
	Retrying State = "retrying"
	// Checking: the answer of an attempt was lost; the next attempt first asks the network.
	Checking State = "checking"
	// Published: on the network, with its remote ID and URL.
	Published State = "published"
	// Failed: the network refused it, or the account needs reconnecting; a person acts.
	Failed State = "failed"
	// Uncertain: an attempt's answer was lost and the network cannot tell whether it posted.
	Uncertain State = "uncertain"
	// Held: its time passed while publishing was paused (and neither its account was kept
	// running nor its item let through); a person decides.
	Held State = "held"
	// Cancelled: taken off by a person.
	Cancelled State = "cancelled"
)

// States lists the states in the order filters show them.
var States = []State{Queued, Sending, Retrying, Checking, Published, Failed, Uncertain, Held, Cancelled}

// pending are the states the dispatcher works.
var pending = []State{Queued, Sending, Retrying, Checking}

// Health of an account.
const (
	Working     = "working"
	Reconnect   = "reconnect"
	RateLimited = "rate_limited"
)

// Account is a connected account.
type Account struct {
	ID           int64
	WorkspaceID  int64
	Network      channel.Network
	Kind         string
	Server       string
	RemoteID     string
	Handle       string
	Name         string
	URL          string
	Health       string
	HealthReason string
	LimitedUntil *time.Time
	MaxText      int
	ConnectedBy  int64
	ConnectedAt  time.Time
	CheckedAt    *time.Time

	secret string
}

// HealthNow is the account's health at t: a rate limit that has passed is working again.
func (a Account) HealthNow(t time.Time) string {
	if a.Health == RateLimited && (a.LimitedUntil == nil || !a.LimitedUntil.After(t)) {
		return Working
	}
	return a.Health
}

// Publication is one content item to one account.
type Publication struct {
	ID          int64
	WorkspaceID int64
	ItemID      int64
	ItemTitle   string
	AccountID   int64
	Account     string
	Network     channel.Network
	State       State
	DueAt       time.Time
	Zone        string
	Attempts    int
	RemoteID    string
	RemoteURL   string
	PublishedAt *time.Time
	// Incomplete says what did not go out although the post did, in the network's words.
	Incomplete string
	Error      *channel.Error
	RetryAt    *time.Time
	Metrics    channel.Metrics
	MetricsAt  *time.Time
	UpdatedAt  time.Time
}

// Attempt is one line of the publish log.
type Attempt struct {
	Number     int
	Action     string // publish, find
	StartedAt  time.Time
	FinishedAt *time.Time
	Outcome    string // published, found, not_found, an error kind
	Error      *channel.Error
	RemoteURL  string
}

// Pause is a workspace's paused publishing.
type Pause struct {
	Reason   string
	ByUserID int64
	ByName   string
	At       time.Time
	// Keep are the accounts that go on publishing during the pause.
	Keep []int64
}
