// Package instagram publishes to Instagram professional accounts through the Instagram API
// with Facebook Login: the account is reached through the Facebook Page it is linked to, and
// every image or video is fetched by Meta from its public URL into a media container that is
// then published.
package instagram

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
var Catalog = i18n.Catalog{Name: "instagram", FS: i18n.Dir(catalogFiles, "i18n")}

// scopes: publishing (instagram_basic, instagram_content_publish, pages_read_engagement per the
// IG Container reference), the first comment (instagram_manage_comments), and listing the
// Pages the accounts are linked to (pages_show_list, business_management for Pages of a
// business portfolio).
var scopes = []string{"instagram_basic", "instagram_content_publish", "instagram_manage_comments",
	"pages_show_list", "pages_read_engagement", "business_management"}

// Connector is the Instagram connector.
type Connector struct{ env channel.Env }

// New returns the connector.
func New(env channel.Env) channel.Connector { return &Connector{env: env} }

func (c *Connector) Network() channel.Network { return channel.Instagram }

func (c *Connector) Guide() channel.Guide {
	g := channel.Guide{Needs: "instagram.guide.needs", DocsURL: "https://developers.facebook.com/docs/instagram-platform/content-publishing"}
	for i := 1; i <= 7; i++ {
		g.Steps = append(g.Steps, "instagram.guide.step"+strconv.Itoa(i))
	}
	return g
}

func (c *Connector) Fields() []channel.Field {
	return []channel.Field{
		{Name: "client_id", Label: "instagram.field.client_id", Help: "instagram.field.client_id.help", App: true, Placeholder: "1234567890123456"},
		{Name: "client_secret", Label: "instagram.field.client_secret", Help: "instagram.field.client_secret.help", App: true, Secret: true},
	}
}

func (c *Connector) login() meta.Login { return meta.Login{Env: c.env, Scopes: scopes} }

func (c *Connector) api(app *channel.App) meta.Client {
	return meta.NewClient(c.env, meta.FacebookHosts(c.env).API+"/"+meta.Version).WithSecret(app)
}

func (c *Connector) Start(ctx context.Context, req channel.Start) (channel.Step, error) {
	return c.login().Start(ctx, req)
}

// Finish makes one account of each Instagram professional account linked to a Page the user
// manages; it keeps that Page's token, which does not expire.
func (c *Connector) Finish(ctx context.Context, req channel.Finish) ([]channel.Account, error) {
	token, app, err := c.login().Finish(ctx, req)
	if err != nil {
		return nil, err
	}
	api := c.api(app)
	var out []channel.Account
	q := url.Values{"fields": {"id,name,access_token,instagram_business_account{id,username,name}"}, "limit": {"100"}}
	for {
		var res struct {
			Data []struct {
				ID          string
				AccessToken string `json:"access_token"`
				IG          *struct {
					ID, Username, Name string
				} `json:"instagram_business_account"`
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
			if p.IG == nil {
				continue // a Page without a linked professional account
			}
			if p.IG.ID == "" || p.AccessToken == "" {
				return nil, meta.Unexpected(200, nil)
			}
			a := account(p.IG.ID, p.IG.Username, p.IG.Name)
			a.Secret = channel.Secret{AccessToken: p.AccessToken, App: app, Extra: map[string]string{"page_id": p.ID}}
			out = append(out, a)
		}
		if res.Paging.Next == "" || res.Paging.Cursors.After == "" {
			return out, nil
		}
		q.Set("after", res.Paging.Cursors.After)
	}
}

func account(id, username, name string) channel.Account {
	if name == "" {
		name = username
	}
	return channel.Account{Network: channel.Instagram, RemoteID: id, Handle: "@" + username, Name: name,
		URL: "https://www.instagram.com/" + username}
}

// Verify reads the account and how many posts it may still publish in the 24-hour window.
func (c *Connector) Verify(ctx context.Context, a *channel.Account) (channel.Profile, error) {
	var u struct{ ID, Username, Name string }
	if err := c.api(a.Secret.App).Get(ctx, "/"+a.RemoteID, url.Values{"fields": {"id,username,name"}}, a.Secret.AccessToken, &u); err != nil {
		return channel.Profile{}, err
	}
	q, err := c.quota(ctx, a)
	if err != nil {
		return channel.Profile{}, err
	}
	acct := account(a.RemoteID, u.Username, u.Name)
	return channel.Profile{Handle: acct.Handle, Name: acct.Name, URL: acct.URL, QuotaLeft: max(q.Total-q.Usage, 0)}, nil
}

type quota struct {
	Usage, Total int
	Window       time.Duration
}

// quota reads the IG User Content Publishing Limit.
func (c *Connector) quota(ctx context.Context, a *channel.Account) (quota, error) {
	var res struct {
		Data []struct {
			Usage  int `json:"quota_usage"`
			Config struct {
				Total    int `json:"quota_total"`
				Duration int `json:"quota_duration"`
			} `json:"config"`
		} `json:"data"`
	}
	q := url.Values{"fields": {"quota_usage,config"}}
	if err := c.api(a.Secret.App).Get(ctx, "/"+a.RemoteID+"/content_publishing_limit", q, a.Secret.AccessToken, &res); err != nil {
		return quota{}, err
	}
	if len(res.Data) == 0 || res.Data[0].Config.Total == 0 {
		return quota{}, meta.Unexpected(200, nil)
	}
	d := res.Data[0]
	return quota{Usage: d.Usage, Total: d.Config.Total, Window: time.Duration(d.Config.Duration) * time.Second}, nil
}

// Refresh does nothing: the Page token does not expire.
func (c *Connector) Refresh(context.Context, *channel.Account, time.Duration) (bool, error) {
	return false, nil
}

// Publish checks the quota, makes the containers (one image or reel, or the items of a
// carousel and the carousel), waits for them to be processed, and publishes.
func (c *Connector) Publish(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	if len(p.Media) == 0 {
		return channel.Published{}, &channel.Error{Kind: channel.Rejected, Reason: "media"}
	}
	for _, m := range p.Media {
		if m.PublicURL == "" {
			return channel.Published{}, &channel.Error{Kind: channel.Rejected, Key: channel.KeyPublicURL}
		}
	}
	q, err := c.quota(ctx, a)
	if err != nil {
		return channel.Published{}, err
	}
	if q.Usage >= q.Total {
		return channel.Published{}, &channel.Error{Kind: channel.RateLimited, Key: channel.KeyQuota,
			Reason: fmt.Sprintf("%d/%d", q.Usage, q.Total), RetryAt: c.env.Clock().Add(q.Window)}
	}
	api, tok, user := c.api(a.Secret.App), a.Secret.AccessToken, "/"+a.RemoteID
	var creation string
	if len(p.Media) == 1 {
		form := item(p.Media[0], false)
		form.Set("caption", p.Text)
		if creation, err = c.container(ctx, api, tok, user, form); err != nil {
			return channel.Published{}, err
		}
	} else {
		var children []string
		for _, m := range p.Media {
			id, err := c.container(ctx, api, tok, user, item(m, true))
			if err != nil {
				return channel.Published{}, err
			}
			children = append(children, id)
		}
		form := url.Values{"media_type": {"CAROUSEL"}, "children": {strings.Join(children, ",")}, "caption": {p.Text}}
		if creation, err = c.container(ctx, api, tok, user, form); err != nil {
			return channel.Published{}, err
		}
	}
	var res struct{ ID string }
	if err := api.Post(ctx, user+"/media_publish", url.Values{"creation_id": {creation}}, tok, &res); err != nil {
		return channel.Published{}, err
	}
	if res.ID == "" {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Reason: "no media id"}
	}
	out := channel.Published{RemoteID: res.ID, At: c.env.Clock()}
	// The post is out from here on: nothing below may fail the publication.
	var media struct{ Permalink string }
	if api.Get(ctx, "/"+res.ID, url.Values{"fields": {"permalink"}}, tok, &media) == nil {
		out.URL = media.Permalink
	}
	if out.URL == "" {
		out.URL = a.URL
	}
	if p.FirstComment != "" {
		// A failed comment is reported as what did not go out, not as a failed post, which the
		// engine would publish again. It is not retried: a comment takes no idempotency key, so a
		// repeat after a lost answer could comment twice.
		if err := api.Post(ctx, "/"+res.ID+"/comments", url.Values{"message": {p.FirstComment}}, tok, nil); err != nil {
			out.Incomplete = channel.IncompleteComment(err)
		}
	}
	return out, nil
}

// item is the form of one image or video container; alt_text is taken on images only
// (Content Publishing: "alt_text field for image posts … Reels and stories are not supported").
func item(m channel.MediaFile, carousel bool) url.Values {
	form := url.Values{}
	if m.Kind == channel.KindVideo {
		form.Set("video_url", m.PublicURL)
		form.Set("media_type", "REELS")
		if carousel {
			form.Set("media_type", "VIDEO")
		}
	} else {
		form.Set("image_url", m.PublicURL)
		if m.Alt != "" {
			form.Set("alt_text", m.Alt)
		}
	}
	if carousel {
		form.Set("is_carousel_item", "true")
	}
	return form
}

// container creates a media container and waits until Instagram has processed it.
func (c *Connector) container(ctx context.Context, api meta.Client, tok, user string, form url.Values) (string, error) {
	var res struct{ ID string }
	if err := api.Post(ctx, user+"/media", form, tok, &res); err != nil {
		return "", err
	}
	if res.ID == "" {
		// A container is not a post: nothing is on the account yet.
		return "", &channel.Error{Kind: channel.Temporary, Reason: "no container id"}
	}
	err := meta.Await(ctx, c.env, func(ctx context.Context) (bool, error) {
		var st struct {
			Code   string `json:"status_code"`
			Status string
		}
		if err := api.Get(ctx, "/"+res.ID, url.Values{"fields": {"status_code,status"}}, tok, &st); err != nil {
			return false, err
		}
		switch st.Code {
		case "FINISHED", "PUBLISHED":
			return true, nil
		case "IN_PROGRESS":
			return false, nil
		case "ERROR", "EXPIRED":
			return false, &channel.Error{Kind: channel.Rejected, Key: channel.KeyMediaFailed, Reason: strings.TrimSpace(st.Code + " " + st.Status)}
		}
		return false, meta.Unexpected(200, []byte(st.Code))
	})
	return res.ID, err
}

// Find looks for the post among the account's 25 latest media by its caption.
func (c *Connector) Find(ctx context.Context, a *channel.Account, p channel.Post) (*channel.Published, error) {
	if p.Fingerprint() == (channel.Post{}).Fingerprint() {
		return nil, channel.ErrCannotTell // a post without a caption looks like any other
	}
	var res struct {
		Data []struct{ ID, Caption, Permalink, Timestamp string } `json:"data"`
	}
	q := url.Values{"fields": {"id,caption,permalink,timestamp"}, "limit": {"25"}}
	if err := c.api(a.Secret.App).Get(ctx, "/"+a.RemoteID+"/media", q, a.Secret.AccessToken, &res); err != nil {
		return nil, err
	}
	for _, d := range res.Data {
		if channel.SameText(p, d.Caption) {
			return &channel.Published{RemoteID: d.ID, URL: d.Permalink, At: meta.Time(d.Timestamp)}, nil
		}
	}
	return nil, nil
}

// Metrics reads likes and comments of each media; Instagram gives no reposts, and views need
// instagram_manage_insights, which is not asked.
func (c *Connector) Metrics(ctx context.Context, a *channel.Account, ids []string) (map[string]channel.Metrics, error) {
	api := c.api(a.Secret.App)
	out := map[string]channel.Metrics{}
	for _, id := range ids {
		var res struct {
			Likes    int64 `json:"like_count"`
			Comments int64 `json:"comments_count"`
		}
		err := api.Get(ctx, "/"+id, url.Values{"fields": {"like_count,comments_count"}}, a.Secret.AccessToken, &res)
		var e *channel.Error
		if errors.As(err, &e) && e.Kind == channel.Rejected {
			continue // deleted from the account
		}
		if err != nil {
			return nil, err
		}
		out[id] = channel.Metrics{Likes: res.Likes, Replies: res.Comments, Reposts: -1, Views: -1}
	}
	return out, nil
}
