package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/channel"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/home"
	"warta.dev/warta/internal/monitor"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/netsafe"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/publish"
)

// buildMonitor wires media monitoring to media relations (outlets, releases, journalists'
// timelines), to the connected accounts (searches, chat alerts) and to the notifications.
func (a *App) buildMonitor() error {
	client := netsafe.New(netsafe.Options{Timeout: 30 * time.Second, MaxBytes: 10 << 20,
		UserAgent: netsafe.UserAgent(Version, a.Config.BaseURL), AllowPrivate: a.Config.AllowPrivateURLs})
	accounts := monitorAccounts{a.Publish}
	a.Monitor = monitor.New(monitor.Deps{DB: a.DB, Fetcher: fetch.New(client, fetch.Options{UserAgent: netsafe.UserAgent(Version, a.Config.BaseURL)}),
		Queue: a.Queue, Bundle: a.Bundle, Log: a.Log, BaseURL: a.Config.BaseURL, Outlets: monitorOutlets{a.Press}, Accounts: accounts,
		Notifier: a.Notify, Releases: monitorReleases{a}, Press: monitorPress{a}, Chat: accounts, Files: monitorFiles{a.Library}})
	a.Monitor.RegisterJobs(a.Queue)
	pages, err := monitor.NewHandlers(a.Monitor, a.Server)
	if err != nil {
		return err
	}
	a.Server.Handle(pages.Routes()...)
	a.Server.Handle(pages.APIRoutes()...)
	return nil
}

// monitorFiles keeps clippings' files in the media library.
type monitorFiles struct{ l *medialib.Library }

func (f monitorFiles) Upload(ctx context.Context, a audit.Actor, wsID int64, name string, r io.Reader) (int64, error) {
	asset, err := f.l.Upload(ctx, a, wsID, name, r)
	return asset.ID, err
}

// monitorOutlets is media relations' outlets as monitoring reads them.
type monitorOutlets struct{ p *press.Service }

func (o monitorOutlets) Outlet(ctx context.Context, wsID, id int64) (*monitor.Outlet, error) {
	out, err := o.p.Outlet(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	return &monitor.Outlet{ID: out.ID, Name: out.Name, Type: out.Type, Province: out.Province, Reach: out.Reach}, nil
}

func (o monitorOutlets) EnsureOutlet(ctx context.Context, tx *db.Tx, wsID int64, in monitor.OutletInput) (int64, error) {
	return o.p.EnsureOutletTx(ctx, tx, audit.Actor{Label: "monitoring"}, wsID, press.OutletInput{Name: in.Name, Website: in.Website,
		RSS: in.FeedURL, Type: in.Type, Province: in.Province, City: in.City, Country: in.Country, Language: in.Language})
}

// monitorAccounts are the connected accounts monitoring searches with (Mastodon, Bluesky) and
// sends alerts through (Telegram, Slack, Teams).
type monitorAccounts struct{ p *publish.Service }

func (m monitorAccounts) list(ctx context.Context, wsID int64, networks ...channel.Network) ([]monitor.Account, error) {
	accts, err := m.p.Accounts(ctx, wsID)
	if err != nil {
		return nil, err
	}
	var out []monitor.Account
	for _, acc := range accts {
		for _, n := range networks {
			if acc.Network == n {
				out = append(out, monitor.Account{ID: acc.ID, Network: string(acc.Network), Name: acc.Name})
			}
		}
	}
	return out, nil
}

func (m monitorAccounts) SearchAccounts(ctx context.Context, wsID int64) ([]monitor.Account, error) {
	return m.list(ctx, wsID, channel.Mastodon, channel.Bluesky)
}

func (m monitorAccounts) SearchCredentials(ctx context.Context, wsID, accountID int64) (fetch.Kind, fetch.Credentials, error) {
	n, server, token, err := m.p.AccessToken(ctx, wsID, accountID)
	if err != nil {
		return "", fetch.Credentials{}, err
	}
	switch n {
	case channel.Mastodon:
		return fetch.Mastodon, fetch.Credentials{BaseURL: server, Token: token}, nil
	case channel.Bluesky:
		return fetch.Bluesky, fetch.Credentials{BaseURL: server, Token: token}, nil
	}
	return "", fetch.Credentials{}, errors.New("monitor: the account cannot search")
}

func (m monitorAccounts) ChatAccounts(ctx context.Context, wsID int64) ([]monitor.Account, error) {
	return m.list(ctx, wsID, channel.Telegram, channel.Slack, channel.Teams)
}

func (m monitorAccounts) SendChat(ctx context.Context, wsID, accountID int64, key, text string) error {
	err := m.p.SendText(ctx, wsID, accountID, key, text)
	if _, uncertain := chatOutcome(err); uncertain {
		return fmt.Errorf("%w: %w", monitor.ErrUncertain, err)
	}
	return err
}

// chatOutcome says of a chat message that failed whether trying again will not help (refused: the
// account is disconnected, the channel gone) or could post it twice (uncertain: the answer was lost).
func chatOutcome(err error) (refused, uncertain bool) {
	var ce *channel.Error
	if !errors.As(err, &ce) {
		return false, false
	}
	return ce.Kind == channel.Unauthorized || ce.Kind == channel.Rejected, ce.Kind == channel.Unknown
}

// monitorReleases are the distributed releases, with their campaigns, for coverage.
type monitorReleases struct{ a *App }

func (m monitorReleases) SentReleases(ctx context.Context, wsID int64, since time.Time) ([]monitor.SentRelease, error) {
	sends, err := m.a.Distribute.ReleasesSentSince(ctx, wsID, since)
	if err != nil {
		return nil, err
	}
	var out []monitor.SentRelease
	for _, s := range sends {
		r, err := m.a.Releases.Get(ctx, wsID, s.ReleaseID)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sr := monitor.SentRelease{ID: r.ID, Headline: r.Headline, Subheadline: r.Subheadline, Lang: r.Lang, SentAt: s.StartedAt}
		if it, err := m.a.Content.Get(ctx, wsID, r.ItemID); err == nil && it.CampaignID != 0 {
			if c, err := m.a.Campaigns.Get(ctx, wsID, it.CampaignID); err == nil {
				sr.CampaignID, sr.CampaignName = c.ID, c.Name
			}
		}
		out = append(out, sr)
	}
	return out, nil
}

// monitorPress gives coverage the journalists a release reached and their timelines.
type monitorPress struct{ a *App }

func (m monitorPress) Recipients(ctx context.Context, wsID, releaseID int64) ([]monitor.Contact, error) {
	rs, err := m.a.Distribute.ReleaseRecipients(ctx, wsID, releaseID)
	if err != nil {
		return nil, err
	}
	out := make([]monitor.Contact, len(rs))
	for i, r := range rs {
		out[i] = monitor.Contact{ID: r.ContactID, Name: r.Name, Outlet: r.Outlet}
	}
	return out, nil
}

func (m monitorPress) RecordCoverage(ctx context.Context, tx *db.Tx, wsID, contactID int64, title, link, storyURL string, at time.Time, by int64) error {
	err := m.a.Press.RecordEvent(ctx, tx, wsID, contactID, press.Event{Kind: "coverage", At: at, Title: title, Link: link, Detail: storyURL, By: by})
	if errors.Is(err, db.ErrNotFound) {
		return nil // the contact was erased meanwhile: the coverage stands without its timeline entry
	}
	return err
}

// homeMonitoring gives the home page the mentions to triage and the week's alerts.
type homeMonitoring struct{ *monitor.Service }

func (m homeMonitoring) RecentAlerts(ctx context.Context, wsID int64, since time.Time) ([]home.Alert, error) {
	alerts, err := m.Alerts(ctx, wsID, 5)
	if err != nil {
		return nil, err
	}
	var out []home.Alert
	for _, a := range alerts {
		if a.FiredAt.After(since) {
			out = append(out, home.Alert{Kind: a.Kind, Topic: a.TopicName, Link: "/monitoring/alerts/" + strconv.FormatInt(a.ID, 10), At: a.FiredAt})
		}
	}
	return out, nil
}
