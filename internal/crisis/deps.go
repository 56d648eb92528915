package crisis

import (
	"context"
	"errors"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/mail"
)

// Account is a connected channel account as the room sees it.
type Account struct {
	ID      int64
	Name    string
	Network string
	// Chat accounts (Telegram, Slack, Teams, Discord) can carry the team's call, when the
	// settings choose them as the team's chat.
	Chat bool
}

// HeldPost is a post publishing held during the pause.
type HeldPost struct {
	ID      int64
	ItemID  int64
	Title   string
	Account string
	Network string
	DueAt   time.Time
}

// HeldDistribution is a distribution kept from sending during the pause.
type HeldDistribution struct {
	ID          int64
	Title       string
	ScheduledAt *time.Time
}

// Decisions on what the pause held.
const (
	Release    = "release"    // publish or send now
	Reschedule = "reschedule" // at a later time
	Cancel     = "cancel"
)

// Publishing is the publishing engine and its accounts.
type Publishing interface {
	Accounts(ctx context.Context, wsID int64) ([]Account, error)
	// Paused, Pause and Resume work in the crisis's transaction; Pause keeps the kept accounts running.
	Paused(ctx context.Context, tx *db.Tx, wsID int64) (bool, error)
	Pause(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, reason string, keep []int64) error
	Resume(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64) error
	HeldPosts(ctx context.Context, wsID int64) ([]HeldPost, error)
	DecidePosts(ctx context.Context, a audit.Actor, wsID int64, ids []int64, decision string, at time.Time) (int, error)
	// PublishNow publishes an item now on the accounts, through the pause.
	PublishNow(ctx context.Context, a audit.Actor, wsID, itemID int64, accounts []int64) error
	// SendChat posts a message on a chat account; an error wrapping ErrRefused will not go better
	// by trying again (the account is disconnected, the channel gone).
	SendChat(ctx context.Context, wsID, accountID int64, key, text string) error
}

// Errors of a chat message, as SendChat wraps them.
var (
	// ErrRefused: the network refused it for good; the next account is tried.
	ErrRefused = errors.New("crisis: the chat account refused the message")
	// ErrUncertain: the answer was lost; it may have arrived, so it is not sent again.
	ErrUncertain = errors.New("crisis: the chat message may or may not have arrived")
)

// List is a distribution list.
type List struct {
	ID    int64
	Name  string
	Count int
}

// Distributions are media relations' sendings.
type Distributions interface {
	// Holding, Hold and Unhold work in the crisis's transaction: a hold keeps scheduled
	// distributions from sending.
	Holding(ctx context.Context, tx *db.Tx, wsID int64) (bool, error)
	Hold(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, reason string) error
	Unhold(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64) error
	Held(ctx context.Context, wsID int64) ([]HeldDistribution, error)
	Decide(ctx context.Context, a audit.Actor, wsID int64, ids []int64, decision string, at time.Time) (int, error)
	Lists(ctx context.Context, wsID int64) ([]List, error)
	// SendStatement emails a statement to the lists now, through the hold; it returns the distribution.
	SendStatement(ctx context.Context, a audit.Actor, wsID int64, title, body string, lists []int64) (int64, error)
}

// Notice is a statement or status update for the public newsroom.
type Notice struct {
	Kind        string // statement or status
	Incident    string
	IncidentKey string
	State       string
	Lang        string
	Title       string
	Body        string
}

// Newsroom is the public newsroom.
type Newsroom interface {
	Enabled(ctx context.Context, wsID int64) (bool, error)
	PublishNotice(ctx context.Context, a audit.Actor, wsID int64, n Notice) (int64, string, error)
}

// Item is a content studio item as the room shows a statement; Texts are its networks' texts.
type Item struct {
	Title, Body, Lang, Status string
	Texts                     []string
}

// Studio is the content studio, where statements are written and approved.
type Studio interface {
	// CreateStatement writes a new item with a variant of the text for each network.
	CreateStatement(ctx context.Context, a audit.Actor, wsID int64, title, body, lang string, networks []string) (int64, error)
	Item(ctx context.Context, wsID, itemID int64) (*Item, error)
	Submit(ctx context.Context, a audit.Actor, wsID, itemID int64) error
}

// Topic is a monitoring topic.
type Topic struct {
	ID   int64
	Name string
}

// Point is one bucket of a topic's mentions.
type Point struct {
	At                        time.Time
	Total, Negative, Positive int
}

// NegativePct is the bucket's share of negative mentions, in percent.
func (p Point) NegativePct() int {
	if p.Total == 0 {
		return 0
	}
	return p.Negative * 100 / p.Total
}

// Mention is a story found by the crisis topic.
type Mention struct {
	ID        int64
	Title     string
	Outlet    string
	URL       string
	Sentiment string
	At        time.Time
}

// Monitoring is media monitoring's view of a topic.
type Monitoring interface {
	Topics(ctx context.Context, wsID int64) ([]Topic, error)
	Series(ctx context.Context, wsID, topicID int64, from, to time.Time, step time.Duration) ([]Point, error)
	// MentionsAfter are the topic's mentions above an id, published since a time, oldest first.
	MentionsAfter(ctx context.Context, wsID, topicID, afterID int64, since time.Time, limit int) ([]Mention, error)
}

// Colleague is a member of the workspace.
type Colleague struct {
	UserID      int64
	Name, Email string
	// Approver: the member's role may approve content.
	Approver bool
}

// Members are the workspace's members.
type Members interface {
	Members(ctx context.Context, wsID int64) ([]Colleague, error)
}

// Mailer sends mail recorded in the caller's transaction and reports how it went.
type Mailer interface {
	SendTx(ctx context.Context, tx *db.Tx, msg mail.Message) (int64, error)
	GetWorkspace(ctx context.Context, wsID, id int64) (mail.Stored, error)
}
