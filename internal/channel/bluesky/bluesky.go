// Package bluesky publishes to Bluesky, or to any AT Protocol PDS, with an app password: a
// session from com.atproto.server.createSession, records through com.atproto.repo, and
// counts through the AppView the PDS proxies app.bsky.* calls to.
package bluesky

import (
	"context"
	"embed"
	"net/http"
	"net/url"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the guide and the connect form's texts.
var Catalog = i18n.Catalog{Name: "bluesky", FS: i18n.Dir(catalogFiles, "i18n")}

// defaultServer is the PDS of accounts made on bsky.app.
const defaultServer = "https://bsky.social"

// Connector speaks XRPC to the account's PDS.
type Connector struct{ env channel.Env }

// New returns the Bluesky connector.
func New(env channel.Env) channel.Connector { return &Connector{env: env} }

// Network is Bluesky.
func (c *Connector) Network() channel.Network { return channel.Bluesky }

// Guide says how to make an app password.
func (c *Connector) Guide() channel.Guide {
	return channel.Guide{
		Needs: "bluesky.guide.needs",
		Steps: []string{"bluesky.guide.step1", "bluesky.guide.step2", "bluesky.guide.step3",
			"bluesky.guide.step4", "bluesky.guide.step5", "bluesky.guide.step6"},
		DocsURL: "https://bsky.app/settings/app-passwords",
	}
}

// Fields are the handle (or email), the app password and, for accounts on another PDS, its address.
func (c *Connector) Fields() []channel.Field {
	return []channel.Field{
		{Name: "handle", Label: "bluesky.field.handle.label", Help: "bluesky.field.handle.help", Placeholder: "humas.bsky.social"},
		{Name: "app_password", Label: "bluesky.field.app_password.label", Help: "bluesky.field.app_password.help", Secret: true, Placeholder: "xxxx-xxxx-xxxx-xxxx"},
		{Name: "server", Label: "bluesky.field.server.label", Help: "bluesky.field.server.help", Optional: true, Placeholder: defaultServer},
	}
}

// Start signs in with the app password and returns the account at once.
func (c *Connector) Start(ctx context.Context, req channel.Start) (channel.Step, error) {
	// The reference PDS looks the identifier up as typed: a leading "@" would not match.
	id := strings.TrimPrefix(strings.TrimSpace(req.Values["handle"]), "@")
	password := strings.TrimSpace(req.Values["app_password"])
	if id == "" {
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "handle"}
	}
	if password == "" {
		return channel.Step{}, &channel.Error{Kind: channel.Rejected, Reason: "app_password"}
	}
	server, err := c.server(req.Values["server"])
	if err != nil {
		return channel.Step{}, err
	}
	a := channel.Account{Network: channel.Bluesky, Server: server, Secret: channel.Secret{Password: password}}
	s, err := c.createSession(ctx, server, id, password)
	if err != nil {
		return channel.Step{}, err
	}
	c.keep(&a, s)
	a.RemoteID = s.DID
	a.Handle = "@" + s.Handle
	a.URL = profileURL(s.Handle)
	a.Name = c.displayName(ctx, &a)
	if a.Name == "" {
		a.Name = s.Handle
	}
	return channel.Step{Accounts: []channel.Account{a}, Server: server}, nil
}

// Finish is not used: Bluesky connects with an app password, not OAuth.
func (c *Connector) Finish(context.Context, channel.Finish) ([]channel.Account, error) {
	return nil, &channel.Error{Kind: channel.Rejected, Reason: "Bluesky connects with an app password"}
}

// Verify reads the session (renewing it if needed) and the profile.
func (c *Connector) Verify(ctx context.Context, a *channel.Account) (channel.Profile, error) {
	var s session
	if err := c.call(ctx, a, xrpc{method: http.MethodGet, nsid: "com.atproto.server.getSession", auth: true}, &s); err != nil {
		return channel.Profile{}, err
	}
	name := c.displayName(ctx, a)
	if name == "" {
		name = a.Name // a PDS without an AppView has no profile to read
	}
	if name == "" {
		name = s.Handle
	}
	return channel.Profile{Handle: "@" + s.Handle, Name: name, URL: profileURL(s.Handle), QuotaLeft: -1}, nil
}

// Refresh renews the session when the access token expires within the window: with the refresh
// token, and only when that is dead with the app password, since createSession is limited to
// 30 per 5 minutes and 300 a day per account (docs.bsky.app/docs/advanced-guides/rate-limits).
func (c *Connector) Refresh(ctx context.Context, a *channel.Account, within time.Duration) (bool, error) {
	if a.Secret.AccessToken != "" && (a.Secret.Expiry.IsZero() || a.Secret.Expiry.After(c.env.Clock().Add(within))) {
		return false, nil
	}
	if err := c.renew(ctx, a); err != nil {
		return false, err
	}
	return true, nil
}

// getPostsMax is app.bsky.feed.getPosts' limit: uris maxLength 25 (lexicon).
const getPostsMax = 25

// Metrics reads likes, reposts and replies from the AppView through the PDS; Bluesky counts no views.
func (c *Connector) Metrics(ctx context.Context, a *channel.Account, remoteIDs []string) (map[string]channel.Metrics, error) {
	out := make(map[string]channel.Metrics, len(remoteIDs))
	for start := 0; start < len(remoteIDs); start += getPostsMax {
		end := min(start+getPostsMax, len(remoteIDs))
		var res struct {
			Posts []struct {
				URI         string `json:"uri"`
				LikeCount   int64  `json:"likeCount"`
				RepostCount int64  `json:"repostCount"`
				ReplyCount  int64  `json:"replyCount"`
			} `json:"posts"`
		}
		x := xrpc{method: http.MethodGet, nsid: "app.bsky.feed.getPosts", query: url.Values{"uris": remoteIDs[start:end]}, auth: true}
		if err := c.call(ctx, a, x, &res); err != nil {
			if noAppView(err) {
				return nil, channel.ErrNotOffered
			}
			return nil, err
		}
		for _, p := range res.Posts {
			out[p.URI] = channel.Metrics{Likes: p.LikeCount, Reposts: p.RepostCount, Replies: p.ReplyCount, Views: -1}
		}
	}
	return out, nil
}

// displayName reads the profile's display name from the AppView; "" when the PDS has none or the
// profile sets no name.
func (c *Connector) displayName(ctx context.Context, a *channel.Account) string {
	var p struct {
		DisplayName string `json:"displayName"`
	}
	x := xrpc{method: http.MethodGet, nsid: "app.bsky.actor.getProfile", query: url.Values{"actor": {a.RemoteID}}, auth: true}
	if err := c.call(ctx, a, x, &p); err != nil {
		return ""
	}
	return strings.TrimSpace(p.DisplayName)
}

// noAppView tells a PDS that proxies app.bsky.* nowhere: the reference PDS answers 400 "No
// service configured for <method>"; other implementations answer 404 or 501.
func noAppView(err error) bool {
	f := failure(err)
	return f != nil && (f.status == http.StatusNotFound || f.status == http.StatusNotImplemented ||
		strings.HasPrefix(f.Message, "No service configured"))
}

// server normalises the PDS address a user typed; empty means bsky.social (or the Endpoint).
func (c *Connector) server(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return c.defaultServer(), nil
	}
	if !strings.Contains(v, "://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", &channel.Error{Kind: channel.Rejected, Reason: "server", Err: err}
	}
	// XRPC lives at the root of the host (atproto.com/specs/xrpc: /xrpc/<NSID>).
	return u.Scheme + "://" + u.Host, nil
}

func (c *Connector) defaultServer() string {
	if c.env.Endpoint != "" {
		return strings.TrimRight(c.env.Endpoint, "/")
	}
	return defaultServer
}

// profileURL is the account's page on the Bluesky app.
func profileURL(handle string) string { return "https://bsky.app/profile/" + handle }
