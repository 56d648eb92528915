package app

import (
	"context"
	"errors"
	"net"
	"net/url"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/bluesky"
	"warta.dev/warta/internal/channel/facebook"
	"warta.dev/warta/internal/channel/instagram"
	"warta.dev/warta/internal/channel/linkedin"
	"warta.dev/warta/internal/channel/mastodon"
	"warta.dev/warta/internal/channel/telegram"
	"warta.dev/warta/internal/channel/threads"
	"warta.dev/warta/internal/channel/webhook"
	"warta.dev/warta/internal/channel/x"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/netsafe"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/publish"
)

// connectors builds one connector per network. Every request goes through the safe client:
// instances, PDS hosts and webhooks are addresses users type.
func (a *App) connectors() []channel.Connector {
	client := netsafe.New(netsafe.Options{Timeout: 60 * time.Second, MaxBytes: 64 << 20,
		UserAgent: netsafe.UserAgent(Version, a.Config.BaseURL), AllowPrivate: a.Config.AllowPrivateURLs})
	env := func(n channel.Network) channel.Env {
		return channel.Env{Client: client, Endpoint: a.Config.ChannelEndpoints[string(n)]}
	}
	conns := []channel.Connector{
		x.New(env(channel.X)),
		bluesky.New(env(channel.Bluesky)),
		mastodon.New(env(channel.Mastodon)),
		linkedin.New(env(channel.LinkedIn)),
		threads.New(env(channel.Threads)),
		facebook.New(env(channel.Facebook)),
		instagram.New(env(channel.Instagram)),
		telegram.New(env(channel.Telegram)),
	}
	for _, n := range []channel.Network{channel.Slack, channel.Discord, channel.Teams, channel.Webhook} {
		conns = append(conns, webhook.New(env(n), n))
	}
	return conns
}

// publicBaseURL is the installation's address when the internet can reach it: networks that
// fetch media themselves (Instagram, Threads) cannot fetch from a loopback or private address.
func publicBaseURL(base string, allowPrivate bool) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return ""
	}
	if allowPrivate {
		return base
	}
	host := u.Hostname()
	if host == "localhost" {
		return ""
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast()) {
		return ""
	}
	return base
}

// buildPublishing wires the connected accounts and the publishing engine to the content studio.
func (a *App) buildPublishing(renderer *web.Renderer) error {
	a.Publish = publish.New(publish.Deps{DB: a.DB, Keys: a.Keys, Queue: a.Queue, Connectors: a.connectors(), Content: a.Content,
		Media: a.Library, Links: campaignLinks{a.Campaigns}, People: publishAdmins{a.Auth}, Notify: a.Notify, Log: a.Log,
		RedirectURL: a.Config.BaseURL + publish.CallbackPath, PublicBaseURL: publicBaseURL(a.Config.BaseURL, a.Config.AllowPrivateURLs),
		SigningKey: a.SigningKey}, publish.Options{Lease: a.Config.PublishLease,
		Backoff: a.Config.PublishBackoff, Overdue: a.Config.PublishOverdue})
	a.Content.SetPublisher(a.Publish)
	renderer.Banners = a.Publish.Banners
	pages, err := publish.NewHandlers(a.Publish, a.Server)
	if err != nil {
		return err
	}
	a.contentPages.SetPublishView(a.Publish)
	a.Server.Handle(pages.Routes()...)
	a.Server.Handle(pages.APIRoutes()...)
	a.Server.Handle(pages.MediaRoutes()...)
	return nil
}

// campaignLinks tags a post's links with its campaign's UTM parameters for the network.
type campaignLinks struct{ *campaign.Service }

func (c campaignLinks) Tag(ctx context.Context, wsID, campaignID int64, n channel.Network, text string) (string, error) {
	if !campaign.KnownChannel(string(n)) {
		return text, nil // a webhook or chat tool: no UTM row of its own
	}
	utm, err := c.Service.UTMFor(ctx, wsID, campaignID, string(n))
	if errors.Is(err, db.ErrNotFound) {
		return text, nil
	}
	if err != nil {
		return "", err
	}
	return campaign.TagLinks(text, utm), nil
}

// publishAdmins gives publishing the people to alert: a workspace's owners and admins.
type publishAdmins struct{ *auth.Service }

func (p publishAdmins) Admins(ctx context.Context, wsID int64) ([]int64, error) {
	members, _, err := p.Service.Members(ctx, wsID)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, m := range members {
		if !m.Disabled && (m.Role == access.Owner || m.Role == access.Admin) {
			out = append(out, m.UserID)
		}
	}
	return out, nil
}
