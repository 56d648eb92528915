// Package x publishes to X through its API v2: OAuth 2.0 with PKCE, posts (threads and a first
// comment as replies), media upload v2 with alt text, and public metrics.
package x

import (
	"context"
	"embed"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the guide and the form's labels.
var Catalog = i18n.Catalog{Name: "x", FS: i18n.Dir(catalogFiles, "i18n")}

// X's fixed hosts (docs.x.com "OAuth 2.0 Authorization Code Flow with PKCE"); Env.Endpoint
// replaces all three, keeping the paths.
const (
	authorizeURL = "https://x.com/i/oauth2/authorize"
	tokenURL     = "https://api.x.com/2/oauth2/token"
	apiURL       = "https://api.x.com"
)

// scopes: read and write posts, read the user, upload media (media.write, needed by the v2
// media endpoints) and offline.access for a refresh token.
const scopes = "tweet.read tweet.write users.read media.write offline.access"

type connector struct{ env channel.Env }

// New returns the X connector.
func New(env channel.Env) channel.Connector { return &connector{env: env} }

func (c *connector) Network() channel.Network { return channel.X }

func (c *connector) Guide() channel.Guide {
	return channel.Guide{
		Needs:   "x.guide.needs",
		Steps:   []string{"x.guide.step1", "x.guide.step2", "x.guide.step3", "x.guide.step4", "x.guide.step5"},
		DocsURL: "https://developer.x.com/en/portal/dashboard",
	}
}

func (c *connector) Fields() []channel.Field {
	return []channel.Field{
		{Name: "client_id", Label: "x.field.client_id", Help: "x.field.client_id.help", App: true},
		{Name: "client_secret", Label: "x.field.client_secret", Help: "x.field.client_secret.help", App: true, Secret: true, Optional: true},
	}
}

// url places a fixed X address on the Endpoint when one is set.
func (c *connector) url(fixed string) string {
	if c.env.Endpoint == "" {
		return fixed
	}
	u, _ := url.Parse(fixed)
	return strings.TrimRight(c.env.Endpoint, "/") + u.Path
}

func (c *connector) api(path string) string { return c.url(apiURL) + path }

// app is the OAuth client of a connection: the form's values over the saved app.
func app(saved *channel.App, values map[string]string) channel.App {
	var a channel.App
	if saved != nil {
		a = *saved
	}
	if v := strings.TrimSpace(values["client_id"]); v != "" {
		a.ClientID = v
		a.ClientSecret = strings.TrimSpace(values["client_secret"])
	}
	return a
}

func (c *connector) Start(ctx context.Context, req channel.Start) (channel.Step, error) {
	a := app(req.App, req.Values)
	if a.ClientID == "" {
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "client_id"}
	}
	if req.RedirectURL == "" {
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "redirect_uri"}
	}
	verifier := oauth2.GenerateVerifier()
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {a.ClientID},
		"redirect_uri":          {req.RedirectURL},
		"scope":                 {scopes},
		"state":                 {req.State},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"},
	}
	return channel.Step{AuthURL: c.url(authorizeURL) + "?" + q.Encode(), Verifier: verifier, App: &a}, nil
}

func (c *connector) Finish(ctx context.Context, req channel.Finish) ([]channel.Account, error) {
	if e := req.Query.Get("error"); e != "" {
		reason := req.Query.Get("error_description")
		if reason == "" {
			reason = e
		}
		return nil, &channel.Error{Kind: channel.Rejected, Reason: reason}
	}
	code := req.Query.Get("code")
	if code == "" {
		return nil, &channel.Error{Kind: channel.Rejected, Reason: "code"}
	}
	if req.App == nil || req.App.ClientID == "" {
		return nil, &channel.Error{Kind: channel.Rejected, Reason: "client_id"}
	}
	sec, err := c.token(ctx, req.App, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {req.RedirectURL},
		"code_verifier": {req.Verifier},
	})
	if err != nil {
		return nil, err
	}
	me, err := c.me(ctx, sec.AccessToken)
	if err != nil {
		return nil, err
	}
	return []channel.Account{{
		Network:  channel.X,
		RemoteID: me.ID,
		Handle:   "@" + me.Username,
		Name:     me.Name,
		URL:      "https://x.com/" + me.Username,
		Secret:   sec,
	}}, nil
}

type user struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// me reads the token's user: GET /2/users/me (docs.x.com "User lookup me").
func (c *connector) me(ctx context.Context, token string) (user, error) {
	var out struct {
		Data user `json:"data"`
	}
	if err := c.call(ctx, http.MethodGet, c.api("/2/users/me"), token, nil, &out); err != nil {
		return user{}, err
	}
	if out.Data.ID == "" || out.Data.Username == "" {
		return user{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "GET /2/users/me without data.id"}
	}
	return out.Data, nil
}

func (c *connector) Verify(ctx context.Context, a *channel.Account) (channel.Profile, error) {
	me, err := c.me(ctx, a.Secret.AccessToken)
	if err != nil {
		return channel.Profile{}, err
	}
	return channel.Profile{Handle: "@" + me.Username, Name: me.Name, URL: "https://x.com/" + me.Username, QuotaLeft: -1}, nil
}

// Refresh renews the access token (2 hours) with the refresh token. X rotates refresh tokens: the
// one used is dead afterwards, so the new one is kept. A refused refresh token means the user
// must connect again; it is never retried here.
func (c *connector) Refresh(ctx context.Context, a *channel.Account, within time.Duration) (bool, error) {
	now := c.env.Clock()
	if a.Secret.Expiry.IsZero() || a.Secret.Expiry.After(now.Add(within)) {
		return false, nil
	}
	if a.Secret.RefreshToken == "" || a.Secret.App == nil {
		return false, &channel.Error{Kind: channel.Unauthorized, Reason: "no refresh token"}
	}
	sec, err := c.token(ctx, a.Secret.App, url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {a.Secret.RefreshToken},
	})
	if err != nil {
		if e := channel.AsError(err); e.Status == http.StatusBadRequest || e.Status == http.StatusUnauthorized {
			e.Kind = channel.Unauthorized // invalid_request / invalid_grant: the refresh token is dead
		}
		return false, err
	}
	if sec.RefreshToken == "" {
		sec.RefreshToken = a.Secret.RefreshToken
	}
	a.Secret = sec
	return true, nil
}
