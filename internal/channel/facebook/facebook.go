// Package facebook publishes to Facebook Pages through the Pages API (Graph API): Facebook
// Login for Business gives a user token, each Page the user manages becomes an account with its
// own Page token, which does not expire once read with a long-lived user token.
package facebook

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/meta"
	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the guide and the connect form's labels.
var Catalog = i18n.Catalog{Name: "facebook", FS: i18n.Dir(catalogFiles, "i18n")}

// scopes: listing Pages and their tokens, reading posts and their counts, posting, and
// commenting as the Page (Pages API, Posts: "Before you start"). business_management is
// required by the "Manage everything on your Page" use case and lists Pages owned by a
// business portfolio.
var scopes = []string{"pages_show_list", "pages_read_engagement", "pages_manage_posts", "pages_manage_engagement", "business_management"}

// Connector is the Facebook Pages connector.
type Connector struct{ env channel.Env }

// New returns the connector.
func New(env channel.Env) channel.Connector { return &Connector{env: env} }

func (c *Connector) Network() channel.Network { return channel.Facebook }

func (c *Connector) Guide() channel.Guide {
	g := channel.Guide{Needs: "facebook.guide.needs", DocsURL: "https://developers.facebook.com/docs/pages-api/getting-started"}
	for i := 1; i <= 7; i++ {
		g.Steps = append(g.Steps, "facebook.guide.step"+strconv.Itoa(i))
	}
	return g
}

func (c *Connector) Fields() []channel.Field {
	return []channel.Field{
		{Name: "client_id", Label: "facebook.field.client_id", Help: "facebook.field.client_id.help", App: true, Placeholder: "1234567890123456"},
		{Name: "client_secret", Label: "facebook.field.client_secret", Help: "facebook.field.client_secret.help", App: true, Secret: true},
	}
}

func (c *Connector) login() meta.Login { return meta.Login{Env: c.env, Scopes: scopes} }

func (c *Connector) api(app *channel.App) meta.Client {
	return meta.NewClient(c.env, meta.FacebookHosts(c.env).API+"/"+meta.Version).WithSecret(app)
}

func (c *Connector) Start(ctx context.Context, req channel.Start) (channel.Step, error) {
	return c.login().Start(ctx, req)
}

// Finish makes one account of each Page the user manages.
func (c *Connector) Finish(ctx context.Context, req channel.Finish) ([]channel.Account, error) {
	token, app, err := c.login().Finish(ctx, req)
	if err != nil {
		return nil, err
	}
	api := c.api(app)
	var out []channel.Account
	q := url.Values{"fields": {"id,name,username,access_token"}, "limit": {"100"}}
	for {
		var res struct {
			Data []struct {
				ID, Name, Username string
				AccessToken        string `json:"access_token"`
			} `json:"data"`
			Paging struct {
				Cursors struct{ After string } `json:"cursors"`
				Next    string                 `json:"next"`
			} `json:"paging"`
		}
		if err := api.Get(ctx, "/me/accounts", q, token, &res); err != nil {
			return nil, err
		}
		for _, p := range res.Data {
			if p.ID == "" || p.AccessToken == "" {
				return nil, meta.Unexpected(200, nil)
			}
			out = append(out, account(p.ID, p.Name, p.Username, p.AccessToken, app))
		}
		if res.Paging.Next == "" || res.Paging.Cursors.After == "" {
			return out, nil
		}
		q.Set("after", res.Paging.Cursors.After)
	}
}

func account(id, name, username, token string, app *channel.App) channel.Account {
	handle := name
	if username != "" {
		handle = "@" + username
	}
	return channel.Account{Network: channel.Facebook, Kind: "page", RemoteID: id, Handle: handle, Name: name,
		URL: "https://www.facebook.com/" + id, Secret: channel.Secret{AccessToken: token, App: app}}
}

func (c *Connector) Verify(ctx context.Context, a *channel.Account) (channel.Profile, error) {
	var p struct{ ID, Name, Username, Link string }
	if err := c.api(a.Secret.App).Get(ctx, "/"+a.RemoteID, url.Values{"fields": {"id,name,username,link"}}, a.Secret.AccessToken, &p); err != nil {
		return channel.Profile{}, err
	}
	acct := account(a.RemoteID, p.Name, p.Username, "", nil)
	return channel.Profile{Handle: acct.Handle, Name: p.Name, URL: acct.URL, QuotaLeft: -1}, nil
}

// Refresh does nothing: a Page token read with a long-lived user token does not expire.
func (c *Connector) Refresh(context.Context, *channel.Account, time.Duration) (bool, error) {
	return false, nil
}

type created struct {
	ID     string `json:"id"`
	PostID string `json:"post_id"`
}

// Publish posts text with /feed, one photo with /photos, several photos as unpublished photos
// attached to a /feed post, or one video with /videos (Pages API, Posts; Photo Uploads).
func (c *Connector) Publish(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	api, tok, page := c.api(a.Secret.App), a.Secret.AccessToken, "/"+a.RemoteID
	var res created
	var err error
	switch {
	case len(p.Media) == 0:
		err = api.Post(ctx, page+"/feed", url.Values{"message": {p.Text}}, tok, &res)
	case len(p.Media) == 1 && p.Media[0].Kind == channel.KindVideo:
		res, err = c.video(ctx, api, a, p)
	case len(p.Media) == 1:
		form := url.Values{"caption": {p.Text}, "published": {"true"}}
		if alt := p.Media[0].Alt; alt != "" {
			form.Set("alt_text_custom", alt)
		}
		err = photo(ctx, api, page, form, p.Media[0], tok, &res)
		res.ID = res.PostID // the photo's story is the post
	default:
		res, err = c.photos(ctx, api, a, p)
	}
	if err != nil {
		return channel.Published{}, err
	}
	if res.ID == "" {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "no post id"}
	}
	out := channel.Published{RemoteID: res.ID, URL: "https://www.facebook.com/" + res.ID, At: c.env.Clock()}
	if len(p.Media) == 1 && p.Media[0].Kind == channel.KindVideo {
		out.URL = "https://www.facebook.com/" + a.RemoteID + "/videos/" + res.ID
	}
	if p.FirstComment != "" {
		// The post is out whatever happens to the comment: a failure is reported as what did not
		// go out, not as a failed post, which the engine would publish again. It is not retried:
		// a comment takes no idempotency key, so a repeat after a lost answer could comment twice.
		if err := api.Post(ctx, "/"+res.ID+"/comments", url.Values{"message": {p.FirstComment}}, tok, nil); err != nil {
			out.Incomplete = channel.IncompleteComment(err)
		}
	}
	return out, nil
}

func file(m channel.MediaFile) meta.File {
	return meta.File{Field: "source", Name: m.Name, MIME: m.MIME, Open: m.Open}
}

// photo sends a photo's bytes, or, for a file Warta cannot open itself, its public URL for
// Facebook to fetch.
func photo(ctx context.Context, api meta.Client, page string, form url.Values, m channel.MediaFile, tok string, out *created) error {
	if m.Open == nil && m.PublicURL != "" {
		form.Set("url", m.PublicURL)
		return api.Post(ctx, page+"/photos", form, tok, out)
	}
	return api.Upload(ctx, page+"/photos", form, file(m), tok, out)
}

// photos uploads each photo unpublished, then publishes one post that attaches them.
func (c *Connector) photos(ctx context.Context, api meta.Client, a *channel.Account, p channel.Post) (created, error) {
	form := url.Values{"message": {p.Text}}
	for i, m := range p.Media {
		if m.Kind == channel.KindVideo {
			return created{}, &channel.Error{Kind: channel.Rejected, Reason: "a video cannot share a post with photos"}
		}
		up := url.Values{"published": {"false"}}
		if m.Alt != "" {
			up.Set("alt_text_custom", m.Alt)
		}
		var ph created
		if err := photo(ctx, api, "/"+a.RemoteID, up, m, a.Secret.AccessToken, &ph); err != nil {
			return created{}, err
		}
		if ph.ID == "" {
			return created{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "no photo id"}
		}
		form.Set(fmt.Sprintf("attached_media[%d]", i), fmt.Sprintf(`{"media_fbid":%q}`, ph.ID))
	}
	var res created
	err := api.Post(ctx, "/"+a.RemoteID+"/feed", form, a.Secret.AccessToken, &res)
	return res, err
}

// video uploads one video: Facebook fetches it from the public URL when there is one, or
// takes the file (Video API, non-resumable upload).
func (c *Connector) video(ctx context.Context, api meta.Client, a *channel.Account, p channel.Post) (created, error) {
	m := p.Media[0]
	form := url.Values{"description": {p.Text}}
	var res created
	var err error
	if m.PublicURL != "" {
		form.Set("file_url", m.PublicURL)
		err = api.Post(ctx, "/"+a.RemoteID+"/videos", form, a.Secret.AccessToken, &res)
	} else {
		err = api.Upload(ctx, "/"+a.RemoteID+"/videos", form, file(m), a.Secret.AccessToken, &res)
	}
	return res, err
}

// Find looks for the post among the Page's 25 latest by its text.
func (c *Connector) Find(ctx context.Context, a *channel.Account, p channel.Post) (*channel.Published, error) {
	if p.Fingerprint() == (channel.Post{}).Fingerprint() {
		return nil, channel.ErrCannotTell // a post without text looks like any other
	}
	var res struct {
		Data []struct {
			ID, Message string
			Created     string `json:"created_time"`
			Permalink   string `json:"permalink_url"`
		} `json:"data"`
	}
	q := url.Values{"fields": {"id,message,created_time,permalink_url"}, "limit": {"25"}}
	if err := c.api(a.Secret.App).Get(ctx, "/"+a.RemoteID+"/posts", q, a.Secret.AccessToken, &res); err != nil {
		return nil, err
	}
	for _, d := range res.Data {
		if channel.SameText(p, d.Message) {
			u := d.Permalink
			if u == "" {
				u = "https://www.facebook.com/" + d.ID
			}
			return &channel.Published{RemoteID: d.ID, URL: u, At: meta.Time(d.Created)}, nil
		}
	}
	return nil, nil
}

// Metrics reads reactions, comments and shares of each post, one request each (Graph API
// v27.0 closes multi-ID requests to new apps). Views need read_insights: not asked, so -1.
func (c *Connector) Metrics(ctx context.Context, a *channel.Account, ids []string) (map[string]channel.Metrics, error) {
	api := c.api(a.Secret.App)
	out := map[string]channel.Metrics{}
	q := url.Values{"fields": {"reactions.limit(0).summary(total_count),comments.limit(0).summary(true),shares"}}
	for _, id := range ids {
		var res struct {
			Reactions struct {
				Summary struct {
					Total int64 `json:"total_count"`
				} `json:"summary"`
			} `json:"reactions"`
			Comments struct {
				Summary struct {
					Total int64 `json:"total_count"`
				} `json:"summary"`
			} `json:"comments"`
			Shares struct{ Count int64 } `json:"shares"`
		}
		err := api.Get(ctx, "/"+id, q, a.Secret.AccessToken, &res)
		var e *channel.Error
		if errors.As(err, &e) && e.Kind == channel.Rejected {
			continue // deleted from the Page
		}
		if err != nil {
			return nil, err
		}
		out[id] = channel.Metrics{Likes: res.Reactions.Summary.Total, Replies: res.Comments.Summary.Total, Reposts: res.Shares.Count, Views: -1}
	}
	return out, nil
}
