package channel

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Connector speaks one network's API: it connects accounts, publishes posts, renews credentials
// and reads metrics. One sub-package per network implements it; publishing (internal/publish)
// drives it and keeps every record, so a connector holds no state of its own between calls.
//
// Errors a connector returns from a network call are *Error, so the engine knows whether to retry,
// wait, ask for reconnection or stop.
type Connector interface {
	Network() Network
	// Guide says what a user needs before connecting (an app on the network's developer site, a
	// bot token, an app password) and the steps, as catalog keys of the connector's catalog.
	Guide() Guide
	// Fields are what the connect form asks (an instance address, an app password, a client ID).
	Fields() []Field
	// Start begins a connection. A form-connected network returns the accounts at once; an
	// OAuth network returns where to send the user.
	Start(ctx context.Context, req Start) (Step, error)
	// Finish completes an OAuth connection with what the network sent back to the redirect URL.
	// It may return several accounts (a member and the organisation pages they manage).
	Finish(ctx context.Context, req Finish) ([]Account, error)
	// Verify checks that an account still works and reads what may have changed (name, the
	// instance's text limit, the remaining publishing quota).
	Verify(ctx context.Context, a *Account) (Profile, error)
	// Refresh renews short-lived credentials in a.Secret when they expire within the given
	// window; it reports whether it changed them (the caller saves them). No-op where nothing
	// expires.
	Refresh(ctx context.Context, a *Account, within time.Duration) (bool, error)
	// Publish sends one post. The engine calls it only for a post that is not on the network:
	// the first attempt, or after Find found nothing.
	Publish(ctx context.Context, a *Account, p Post) (Published, error)
	// Find looks for a post an earlier attempt may have made though its answer was lost, by
	// the post's Key (an idempotency key or a record key) or by its fingerprint among the
	// account's recent posts. It returns nil, nil when the post is certainly not there, and
	// ErrCannotTell when the network offers no way to know.
	Find(ctx context.Context, a *Account, p Post) (*Published, error)
	// Metrics reads the counts of published posts by remote ID; ErrNotOffered where the network
	// gives none to this kind of account.
	Metrics(ctx context.Context, a *Account, remoteIDs []string) (map[string]Metrics, error)
}

// Env is what every connector is built with.
type Env struct {
	// Client makes every request. For addresses a user typed (an instance, a PDS, a webhook) it
	// is the safe client that refuses private addresses.
	Client *http.Client
	// Endpoint replaces the network's fixed hosts (API, OAuth, upload) with one base URL: tests
	// point it at a contract server. Empty means the network's real hosts.
	Endpoint string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits between polls (media processing, container status); nil means a timer that
	// stops with ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Clock returns the current time.
func (e Env) Clock() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Wait sleeps d or until ctx ends.
func (e Env) Wait(ctx context.Context, d time.Duration) error {
	if e.Sleep != nil {
		return e.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Guide explains how to connect a network, as catalog keys.
type Guide struct {
	// Needs is one sentence: what to have ready.
	Needs string
	// Steps are the steps in order.
	Steps []string
	// DocsURL is the network's own page for developers or for the credential.
	DocsURL string
}

// Field is one input of the connect form.
type Field struct {
	Name string
	// Label and Help are catalog keys.
	Label, Help string
	// Secret fields are typed into a password input, stored encrypted and never shown again.
	Secret bool
	// Optional fields may be left empty.
	Optional bool
	// App fields are the credentials of the organisation's app on the network's developer site
	// (client ID and secret). They are kept per workspace and network (and instance), so a second
	// account connects without typing them again.
	App         bool
	Placeholder string
}

// App is an OAuth client registered on a network (for Mastodon, on one instance).
type App struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
}

// Start is the beginning of a connection.
type Start struct {
	// Values are the connect form's fields by name.
	Values map[string]string
	// App is the saved app for this network (and server), if any; values of App fields, when
	// given, replace it.
	App *App
	// RedirectURL is Warta's OAuth callback, to register and to send.
	RedirectURL string
	// State is the opaque value the network must send back.
	State string
}

// Step is what Start returns.
type Step struct {
	// Accounts connected at once (form-connected networks).
	Accounts []Account
	// AuthURL is where to send the user (OAuth networks).
	AuthURL string
	// Verifier is the PKCE code verifier to keep until Finish.
	Verifier string
	// Server is the instance the connection is for, normalised (Mastodon).
	Server string
	// App, when set, is an app the connector registered or was given: save it for next time.
	App *App
}

// Finish completes an OAuth connection.
type Finish struct {
	Server      string
	App         *App
	RedirectURL string
	Verifier    string
	// Query is what the network appended to the redirect URL (code, state, error).
	Query url.Values
}

// Account is a connected account as a connector sees it.
type Account struct {
	Network Network `json:"network"`
	// Kind tells apart accounts of one network: "member" or "organization" (LinkedIn), "page"
	// (Facebook), "channel" or "group" (Telegram), "slack", "discord", "teams", "generic"
	// (webhooks). Empty where a network has one kind.
	Kind string `json:"kind,omitempty"`
	// Server is the instance, PDS or webhook base the account lives on; empty for networks with
	// fixed hosts.
	Server string `json:"server,omitempty"`
	// RemoteID is the network's ID of the account (user, page, chat, DID); with Network, Kind and
	// Server it identifies the account, so connecting it again updates it.
	RemoteID string `json:"remote_id"`
	Handle   string `json:"handle"`
	Name     string `json:"name"`
	URL      string `json:"url,omitempty"`
	// Secret holds the credentials; it is stored encrypted and never leaves the server.
	Secret Secret `json:"-"`
}

// Secret is an account's credentials.
type Secret struct {
	AccessToken  string    `json:"access_token,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitempty"`
	// App is the OAuth client the tokens were issued to (needed to refresh them).
	App *App `json:"app,omitempty"`
	// Password is a credential the user typed (Bluesky app password, Telegram bot token, a
	// webhook URL with its secret path).
	Password string `json:"password,omitempty"`
	// Extra holds what else a network needs (a page token, a signing secret, an Instagram user ID).
	Extra map[string]string `json:"extra,omitempty"`
}

// Profile is what Verify reads.
type Profile struct {
	Handle, Name, URL string
	// MaxText is the account's own text limit where the network lets a server set it (a Mastodon
	// instance); 0 means the network's default.
	MaxText int
	// QuotaLeft is how many posts the account may still publish in the network's window
	// (Instagram: its content_publishing_limit, 50 a day for most accounts); -1 means the network sets none or does not say.
	QuotaLeft int
}

// Post is one post to publish.
type Post struct {
	// Key is stable across every attempt of one publication: an idempotency key, or the seed of
	// a record key, so a retry can be recognised.
	Key  string
	Text string
	// FirstComment, when set, is posted as a reply or comment to the post.
	FirstComment string
	// Thread asks for text over the limit to go out as a thread (X) instead of being refused.
	Thread bool
	Media  []MediaFile
	// Language is the post's BCP 47 language ("id", "en").
	Language string
}

// Fingerprint identifies a post by its text, for networks that can only be searched by content.
func (p Post) Fingerprint() string { return fingerprint(p.Text) }

// MediaFile is one image or video of a post.
type MediaFile struct {
	Name   string
	MIME   string
	Kind   string
	Size   int64
	Width  int
	Height int
	Alt    string
	// Open reads the file.
	Open func(ctx context.Context) (io.ReadCloser, error)
	// PublicURL is a signed, expiring URL on Warta's public base URL, for networks that fetch
	// media themselves (Instagram, Threads); empty when no public base URL is configured.
	PublicURL string
}

// Published is where a post ended up.
type Published struct {
	RemoteID string    `json:"remote_id"`
	URL      string    `json:"url"`
	At       time.Time `json:"at"`
	// Incomplete, when set, says in the network's words what did not go out although the post
	// did (a first comment, a later part of a thread): the post counts as published, and the
	// person is told.
	Incomplete string `json:"incomplete,omitempty"`
}

// Metrics are a published post's counts; -1 where the network does not give one.
type Metrics struct {
	Likes   int64 `json:"likes"`
	Reposts int64 `json:"reposts"`
	Replies int64 `json:"replies"`
	Views   int64 `json:"views"`
}

// Errors a connector returns where no network answer is involved.
var (
	// ErrCannotTell: the network offers no way to know whether an earlier attempt posted.
	ErrCannotTell = errors.New("channel: the network cannot tell whether the post exists")
	// ErrNotOffered: the network gives no metrics to this kind of account.
	ErrNotOffered = errors.New("channel: the network offers no metrics here")
)

// Idempotent is implemented by connectors whose network recognises a repeated Publish by the
// post's Key for a while (Mastodon's Idempotency-Key, kept an hour): within that window the
// engine repeats the call after a lost answer instead of searching with Find.
type Idempotent interface {
	IdempotencyWindow() time.Duration
}

// AppServer is implemented by connectors whose apps belong to one server (a Mastodon instance):
// it names the server the connect form's values point at, normalised as Start normalises it, so
// the app saved for it is found before Start.
type AppServer interface {
	AppServer(values map[string]string) (string, error)
}
