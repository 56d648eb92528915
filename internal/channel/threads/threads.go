// Package threads publishes to Threads through the Threads API: a Threads app's own login
// gives a one-hour token, traded at once for a 60-day token that Refresh renews; every post is
// a media container, published once Threads has fetched and processed its media.
package threads

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/meta"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the guide and the connect form's labels.
var Catalog = i18n.Catalog{Name: "threads", FS: i18n.Dir(catalogFiles, "i18n")}

// scopes: every endpoint (threads_basic), publishing, the first comment as a reply
// (threads_manage_replies) and insights for metrics (Threads API, Get Started: Authorization).
var scopes = []string{"threads_basic", "threads_content_publish", "threads_manage_replies", "threads_manage_insights"}

// Long-lived tokens "are valid for 60 days and can be refreshed as long as they are at least
// 24 hours old but have not expired" (Threads API, Long-Lived Access Tokens).
const (
	longLived  = 60 * 24 * time.Hour
	refreshAge = 25 * time.Hour // 24 hours, and a margin: the issue time is read back from the expiry
)

// Connector is the Threads connector.
type Connector struct{ env channel.Env }

// New returns the connector.
func New(env channel.Env) channel.Connector { return &Connector{env: env} }

func (c *Connector) Network() channel.Network { return channel.Threads }

func (c *Connector) Guide() channel.Guide {
	g := channel.Guide{Needs: "threads.guide.needs", DocsURL: "https://developers.facebook.com/docs/threads/get-started"}
	for i := 1; i <= 7; i++ {
		g.Steps = append(g.Steps, "threads.guide.step"+strconv.Itoa(i))
	}
	return g
}

func (c *Connector) Fields() []channel.Field {
	return []channel.Field{
		{Name: "client_id", Label: "threads.field.client_id", Help: "threads.field.client_id.help", App: true, Placeholder: "1234567890123456"},
		{Name: "client_secret", Label: "threads.field.client_secret", Help: "threads.field.client_secret.help", App: true, Secret: true},
	}
}

// oauth is the client of the unversioned token endpoints; api of the versioned API.
func (c *Connector) oauth() meta.Client { return meta.NewClient(c.env, meta.ThreadsHosts(c.env).API) }
func (c *Connector) api() meta.Client {
	return meta.NewClient(c.env, meta.ThreadsHosts(c.env).API+"/"+meta.ThreadsVersion)
}

// Start checks the Threads app and returns the Authorization Window.
func (c *Connector) Start(ctx context.Context, req channel.Start) (channel.Step, error) {
	app, err := meta.App(req)
	if err != nil {
		return channel.Step{}, err
	}
	if err := meta.CheckApp(ctx, c.oauth(), app); err != nil {
		return channel.Step{}, err
	}
	q := url.Values{"client_id": {app.ClientID}, "redirect_uri": {req.RedirectURL},
		"scope": {strings.Join(scopes, ",")}, "response_type": {"code"}, "state": {req.State}}
	return channel.Step{AuthURL: meta.ThreadsHosts(c.env).Web + "/oauth/authorize?" + q.Encode(), App: app}, nil
}

// Finish exchanges the code for a short-lived token and that for a long-lived one.
func (c *Connector) Finish(ctx context.Context, req channel.Finish) ([]channel.Account, error) {
	if err := meta.Denied(req.Query); err != nil {
		return nil, err
	}
	app := req.App
	if app == nil || app.ClientID == "" {
		return nil, &channel.Error{Kind: channel.Rejected, Reason: "client_id"}
	}
	var short struct {
		AccessToken string `json:"access_token"`
	}
	form := url.Values{"client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "grant_type": {"authorization_code"},
		"redirect_uri": {req.RedirectURL}, "code": {req.Query.Get("code")}}
	if err := c.oauth().Post(ctx, "/oauth/access_token", form, "", &short); err != nil {
		return nil, err
	}
	var long token
	q := url.Values{"grant_type": {"th_exchange_token"}, "client_secret": {app.ClientSecret}, "access_token": {short.AccessToken}}
	if err := c.oauth().Get(ctx, "/access_token", q, "", &long); err != nil {
		return nil, err
	}
	if long.AccessToken == "" {
		return nil, meta.Unexpected(200, nil)
	}
	var me user
	if err := c.api().Get(ctx, "/me", url.Values{"fields": {"id,username,name"}}, long.AccessToken, &me); err != nil {
		return nil, err
	}
	if me.ID == "" {
		return nil, meta.Unexpected(200, nil)
	}
	a := me.account()
	a.Secret = channel.Secret{AccessToken: long.AccessToken, Expiry: long.expiry(c.env.Clock()), App: app}
	return []channel.Account{a}, nil
}

type token struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (t token) expiry(now time.Time) time.Time {
	if t.ExpiresIn <= 0 {
		return now.Add(longLived)
	}
	return now.Add(time.Duration(t.ExpiresIn) * time.Second)
}

type user struct{ ID, Username, Name string }

func (u user) account() channel.Account {
	name := u.Name
	if name == "" {
		name = u.Username
	}
	return channel.Account{Network: channel.Threads, RemoteID: u.ID, Handle: "@" + u.Username, Name: name,
		URL: "https://www.threads.com/@" + u.Username}
}

// Verify reads the profile and how many posts the account may still publish in 24 hours.
func (c *Connector) Verify(ctx context.Context, a *channel.Account) (channel.Profile, error) {
	var me user
	api := c.api()
	if err := api.Get(ctx, "/me", url.Values{"fields": {"id,username,name"}}, a.Secret.AccessToken, &me); err != nil {
		return channel.Profile{}, err
	}
	var lim struct {
		Data []struct {
			Usage  int `json:"quota_usage"`
			Config struct {
				Total int `json:"quota_total"`
			} `json:"config"`
		} `json:"data"`
	}
	q := url.Values{"fields": {"quota_usage,config"}}
	if err := api.Get(ctx, "/"+a.RemoteID+"/threads_publishing_limit", q, a.Secret.AccessToken, &lim); err != nil {
		return channel.Profile{}, err
	}
	p := me.account()
	left := -1
	if len(lim.Data) > 0 && lim.Data[0].Config.Total > 0 {
		left = max(lim.Data[0].Config.Total-lim.Data[0].Usage, 0)
	}
	return channel.Profile{Handle: p.Handle, Name: p.Name, URL: p.URL, QuotaLeft: left}, nil
}

// Refresh renews the long-lived token when it expires within the window; an expired token
// cannot be renewed, and one under a day old may not be yet.
func (c *Connector) Refresh(ctx context.Context, a *channel.Account, within time.Duration) (bool, error) {
	exp, now := a.Secret.Expiry, c.env.Clock()
	switch {
	case exp.IsZero() || exp.Sub(now) > within:
		return false, nil
	case !now.Before(exp):
		return false, &channel.Error{Kind: channel.Unauthorized, Reason: "expired"}
	case now.Sub(exp.Add(-longLived)) < refreshAge:
		return false, nil
	}
	var t token
	q := url.Values{"grant_type": {"th_refresh_token"}, "access_token": {a.Secret.AccessToken}}
	if err := c.oauth().Get(ctx, "/refresh_access_token", q, "", &t); err != nil {
		return false, err
	}
	if t.AccessToken == "" {
		return false, meta.Unexpected(200, nil)
	}
	a.Secret.AccessToken, a.Secret.Expiry = t.AccessToken, t.expiry(now)
	return true, nil
}

// maxText: "Text posts are limited to 500 characters", emojis counted as their UTF-8 bytes.
const maxText = 500

// Publish makes the container (text, one image or video, or a carousel of items), waits for
// Threads to process it, and publishes it (Threads Posts).
func (c *Connector) Publish(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	if n := channel.Count(channel.Threads, p.Text, channel.CountOptions{}); n > maxText {
		return channel.Published{}, &channel.Error{Kind: channel.Rejected, Reason: fmt.Sprintf("text: %d/%d", n, maxText)}
	}
	for _, m := range p.Media {
		if m.PublicURL == "" {
			return channel.Published{}, &channel.Error{Kind: channel.Rejected, Key: channel.KeyPublicURL}
		}
	}
	api, tok := c.api(), a.Secret.AccessToken
	var form url.Values
	switch len(p.Media) {
	case 0:
		form = url.Values{"media_type": {"TEXT"}}
	case 1:
		form = item(p.Media[0], false)
	default:
		var children []string
		for _, m := range p.Media {
			id, err := c.container(ctx, a, item(m, true))
			if err != nil {
				return channel.Published{}, err
			}
			children = append(children, id)
		}
		form = url.Values{"media_type": {"CAROUSEL"}, "children": {strings.Join(children, ",")}}
	}
	if p.Text != "" {
		form.Set("text", p.Text)
	}
	id, err := c.post(ctx, a, form)
	if err != nil {
		return channel.Published{}, err
	}
	out := channel.Published{RemoteID: id, URL: a.URL, At: c.env.Clock()}
	// The post is out from here on: nothing below may fail the publication.
	var media struct{ Permalink string }
	if api.Get(ctx, "/"+id, url.Values{"fields": {"permalink"}}, tok, &media) == nil && media.Permalink != "" {
		out.URL = media.Permalink
	}
	if p.FirstComment != "" {
		// The first comment is a reply with its own container. A failure is reported as what did
		// not go out, not as a failed post, which the engine would publish again; it is not
		// retried, since a repeat after a lost answer could reply twice.
		if _, err := c.post(ctx, a, url.Values{"media_type": {"TEXT"}, "text": {p.FirstComment}, "reply_to_id": {id}}); err != nil {
			out.Incomplete = channel.IncompleteComment(err)
		}
	}
	return out, nil
}

// item is the form of one image or video container, with its alt text (Threads Posts,
// Accessibility: alt_text for images and videos).
func item(m channel.MediaFile, carousel bool) url.Values {
	form := url.Values{}
	if m.Kind == channel.KindVideo {
		form.Set("media_type", "VIDEO")
		form.Set("video_url", m.PublicURL)
	} else {
		form.Set("media_type", "IMAGE")
		form.Set("image_url", m.PublicURL)
	}
	if m.Alt != "" {
		form.Set("alt_text", m.Alt)
	}
	if carousel {
		form.Set("is_carousel_item", "true")
	}
	return form
}

// post creates a container, waits for it, and publishes it.
func (c *Connector) post(ctx context.Context, a *channel.Account, form url.Values) (string, error) {
	creation, err := c.container(ctx, a, form)
	if err != nil {
		return "", err
	}
	var res struct{ ID string }
	if err := c.api().Post(ctx, "/"+a.RemoteID+"/threads_publish", url.Values{"creation_id": {creation}}, a.Secret.AccessToken, &res); err != nil {
		return "", err
	}
	if res.ID == "" {
		return "", &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "no media id"}
	}
	return res.ID, nil
}

// container creates a media container and waits until Threads reports it FINISHED.
func (c *Connector) container(ctx context.Context, a *channel.Account, form url.Values) (string, error) {
	api, tok := c.api(), a.Secret.AccessToken
	var res struct{ ID string }
	if err := api.Post(ctx, "/"+a.RemoteID+"/threads", form, tok, &res); err != nil {
		return "", err
	}
	if res.ID == "" {
		// A container is not a post: nothing is on the account yet.
		return "", &channel.Error{Kind: channel.Temporary, Reason: "no container id"}
	}
	err := meta.Await(ctx, c.env, func(ctx context.Context) (bool, error) {
		var st struct {
			Status string
			Error  string `json:"error_message"`
		}
		if err := api.Get(ctx, "/"+res.ID, url.Values{"fields": {"status,error_message"}}, tok, &st); err != nil {
			return false, err
		}
		switch st.Status {
		case "FINISHED", "PUBLISHED":
			return true, nil
		case "IN_PROGRESS":
			return false, nil
		case "ERROR", "EXPIRED":
			return false, &channel.Error{Kind: channel.Rejected, Key: channel.KeyMediaFailed, Reason: strings.TrimSpace(st.Status + " " + st.Error)}
		}
		return false, meta.Unexpected(200, []byte(st.Status))
	})
	return res.ID, err
}

// Find looks for the post among the account's 25 latest by its text.
func (c *Connector) Find(ctx context.Context, a *channel.Account, p channel.Post) (*channel.Published, error) {
	if p.Fingerprint() == (channel.Post{}).Fingerprint() {
		return nil, channel.ErrCannotTell // a post without text looks like any other
	}
	var res struct {
		Data []struct{ ID, Text, Permalink, Timestamp string } `json:"data"`
	}
	q := url.Values{"fields": {"id,text,permalink,timestamp"}, "limit": {"25"}}
	if err := c.api().Get(ctx, "/"+a.RemoteID+"/threads", q, a.Secret.AccessToken, &res); err != nil {
		return nil, err
	}
	for _, d := range res.Data {
		if channel.SameText(p, d.Text) {
			return &channel.Published{RemoteID: d.ID, URL: d.Permalink, At: meta.Time(d.Timestamp)}, nil
		}
	}
	return nil, nil
}

// Metrics reads likes, replies, reposts and views of each post from its insights.
func (c *Connector) Metrics(ctx context.Context, a *channel.Account, ids []string) (map[string]channel.Metrics, error) {
	out := map[string]channel.Metrics{}
	for _, id := range ids {
		var res struct {
			Data []struct {
				Name   string
				Values []struct{ Value int64 }
			} `json:"data"`
		}
		q := url.Values{"metric": {"likes,replies,reposts,views"}}
		err := c.api().Get(ctx, "/"+id+"/insights", q, a.Secret.AccessToken, &res)
		var e *channel.Error
		if errors.As(err, &e) && e.Kind == channel.Rejected {
			continue // deleted from the account
		}
		if err != nil {
			return nil, err
		}
		m := channel.Metrics{Likes: -1, Replies: -1, Reposts: -1, Views: -1}
		for _, d := range res.Data {
			if len(d.Values) == 0 {
				continue
			}
			v := d.Values[0].Value
			switch d.Name {
			case "likes":
				m.Likes = v
			case "replies":
				m.Replies = v
			case "reposts":
				m.Reposts = v
			case "views":
				m.Views = v
			}
		}
		out[id] = m
	}
	return out, nil
}
