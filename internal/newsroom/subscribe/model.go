// Package subscribe is a newsroom's email subscribers, with double opt-in: a visitor's request
// makes a pending subscriber and mails a confirmation link (in the same transaction); only the
// link makes the subscription real, and only confirmed subscribers are ever given to the
// distribution engine, which mails them the newsroom's releases. Each subscriber keeps a consent
// record: the words they agreed to, in their language, and when they asked, confirmed and left.
// Staff read, export and erase subscribers from the newsroom's pages and the API.
package subscribe

import (
	"context"
	"embed"
	"net/http"
	"time"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/web"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations create the subscriber tables.
var Migrations = db.Migrations{Name: "subscribe", FS: migrations}

// Catalog holds the words of the subscriber pages and of the confirmation email.
var Catalog = i18n.Catalog{Name: "subscribe", FS: i18n.Dir(catalogFiles, "i18n")}

// States of a subscriber.
const (
	Pending      = "pending"      // asked, not (yet) confirmed: sent nothing but the confirmation email
	Confirmed    = "confirmed"    // opened the link: receives the newsroom's releases
	Unsubscribed = "unsubscribed" // left; the consent record stays
)

// States are the states in the order the filter offers them.
var States = []string{Confirmed, Pending, Unsubscribed}

// Subscriber is one address subscribed (or asking to be) to a workspace's newsroom.
type Subscriber struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	Email       string `json:"email"`
	Name        string `json:"name"`
	// Lang is the language the subscriber reads the newsroom in: "id" or "en".
	Lang string `json:"language"`
	// Topics are the newsroom topics chosen; empty means every topic.
	Topics    []int64   `json:"topics"`
	State     string    `json:"state"`
	Consent   Consent   `json:"consent"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Consent is a subscriber's consent record.
type Consent struct {
	// Text is the words the person agreed to, as they read them, in Lang.
	Text           string     `json:"text"`
	Lang           string     `json:"language"`
	RequestedAt    time.Time  `json:"requested_at"`
	ConfirmedAt    *time.Time `json:"confirmed_at"`
	UnsubscribedAt *time.Time `json:"unsubscribed_at"`
	// UnsubscribeSource is how the subscription ended, as the caller of Unsubscribe named it.
	UnsubscribeSource string `json:"unsubscribe_source,omitempty"`
}

// Confirmation is a confirmation link mailed and not yet opened (its token is not kept).
type Confirmation struct {
	Name        string    `json:"name"`
	Lang        string    `json:"language"`
	Topics      []int64   `json:"topics"`
	ConsentText string    `json:"consent_text"`
	RequestedAt time.Time `json:"requested_at"`
	MailedAt    time.Time `json:"mailed_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// Request is a visitor's subscription from the newsroom's public form.
type Request struct {
	WorkspaceID int64
	Email       string
	Name        string
	// Lang is the language the visitor read the form in; the email and the consent are in it.
	Lang string
	// Topics chosen on the form; none means every topic. Ids the newsroom does not have are ignored.
	Topics []int64
	// NewsroomName names the newsroom in the email and the consent words.
	NewsroomName string
	// ConfirmURL is the absolute address of the confirmation page for a token.
	ConfirmURL func(token string) string
}

// Filter narrows a list of subscribers.
type Filter struct {
	Query string // in the email or the name
	State string // one of States, or "" for all
	// Sort "" lists the newest first; "id" lists oldest first from After (the API's cursor).
	Sort   string
	After  int64
	Limit  int // 0: all
	Offset int
}

// TopicName is a topic with its name, for exports.
type TopicName struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Export is everything held on one subscriber, for the person who asks for it.
type Export struct {
	ExportedAt time.Time   `json:"exported_at"`
	Subscriber *Subscriber `json:"subscriber"`
	// TopicNames names the subscriber's topics in their language.
	TopicNames []TopicName `json:"topic_names"`
	// Confirmations are the links mailed and not yet opened.
	Confirmations []Confirmation `json:"pending_confirmations"`
}

// Mailer sends the confirmation email in the caller's transaction (*mail.Mailer has it).
type Mailer interface {
	SendTx(ctx context.Context, tx *db.Tx, m mail.Message) (int64, error)
}

// Topics names a newsroom's topics in a language (the newsroom has them).
type Topics interface {
	TopicNames(ctx context.Context, wsID int64, lang string) (map[int64]string, error)
}

// Errors a visitor or a caller can act on. Their keys are in the subscribe catalog.
var (
	// ErrEmail answers a subscription whose address is not one plain email address.
	ErrEmail = &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid_email", Key: "subscribe.error.email",
		Fields: map[string]string{"email": "subscribe.error.email"}}
	// ErrName answers a name too long to be one.
	ErrName = &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid_name", Key: "subscribe.error.name",
		Fields: map[string]string{"name": "subscribe.error.name"}}
	errState = &web.Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Key: "error.invalid",
		Fields: map[string]string{"state": "subscribe.error.state"}}
)
