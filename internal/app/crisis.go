package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/crisis"
	"warta.dev/warta/internal/newsroom"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press/distribute"
	"warta.dev/warta/internal/press/pitch"
	"warta.dev/warta/internal/publish"
)

// buildCrisis wires the crisis room to publishing (its pause), distributions (their hold), the
// newsroom (statements and status updates), the content studio (statements and their one-step
// approval) and monitoring (the crisis topic).
func (a *App) buildCrisis() error {
	a.Crisis = crisis.New(crisis.Deps{DB: a.DB, Queue: a.Queue, Bundle: a.Bundle, Log: a.Log, BaseURL: a.Config.BaseURL, Mail: a.Mailer,
		Members: crisisMembers{a}, Publishing: crisisPublishing{a}, Distributions: crisisDistributions{a}, Newsroom: crisisNewsroom{a},
		Studio: crisisStudio{a}, Monitoring: crisisMonitoring{a}})
	a.Crisis.RegisterJobs(a.Queue)
	a.Approvals.SetFastTrack(crisisFastTrack{a.Crisis})
	pages, err := crisis.NewHandlers(a.Crisis, a.Server)
	if err != nil {
		return err
	}
	a.Server.Handle(pages.Routes()...)
	a.Server.Handle(pages.APIRoutes()...)
	return nil
}

// crisisBanners adds the open crises to every page's notices, before publishing's.
func (a *App) crisisBanners(ctx context.Context, wsID int64) ([]web.Banner, error) {
	open, err := a.Crisis.OpenCrises(ctx, wsID)
	if err != nil {
		return nil, err
	}
	var out []web.Banner
	for _, c := range open {
		key := "crisis.banner.open"
		if c.Exercise {
			key = "crisis.banner.exercise"
		}
		out = append(out, web.Banner{Kind: "error", Key: key, Args: []any{"Name", c.Name}, Link: "/crisis/" + itoa(c.ID), LinkKey: "crisis.banner.link"})
	}
	rest, err := a.Publish.Banners(ctx, wsID)
	return append(out, rest...), err
}

// crisisFastTrack lets a crisis statement go to the crisis approvers in one step.
type crisisFastTrack struct{ c *crisis.Service }

func (f crisisFastTrack) Steps(ctx context.Context, tx *db.Tx, wsID, itemID int64) ([]approval.Step, error) {
	users, ok, err := f.c.FastTrackApprovers(ctx, tx, wsID, itemID)
	if err != nil || !ok {
		return nil, err
	}
	return []approval.Step{{Name: "crisis", Users: users, Rule: approval.Any}}, nil
}

func (f crisisFastTrack) Decided(ctx context.Context, tx *db.Tx, wsID, itemID int64, approved bool, by, note string) error {
	return f.c.StatementDecided(ctx, tx, wsID, itemID, approved, by, note)
}

type crisisMembers struct{ a *App }

func (m crisisMembers) Members(ctx context.Context, wsID int64) ([]crisis.Colleague, error) {
	members, _, err := m.a.Auth.Members(ctx, wsID)
	if err != nil {
		return nil, err
	}
	var out []crisis.Colleague
	for _, x := range members {
		if !x.Disabled {
			out = append(out, crisis.Colleague{UserID: x.UserID, Name: x.Name, Email: x.Email, Approver: x.Role.Can("content.approve")})
		}
	}
	return out, nil
}

// chatNetworks can carry a call to the crisis team.
var chatNetworks = []channel.Network{channel.Telegram, channel.Slack, channel.Teams, channel.Discord}

type crisisPublishing struct{ a *App }

func (p crisisPublishing) Accounts(ctx context.Context, wsID int64) ([]crisis.Account, error) {
	accts, err := p.a.Publish.Accounts(ctx, wsID)
	if err != nil {
		return nil, err
	}
	out := make([]crisis.Account, 0, len(accts))
	for _, acc := range accts {
		out = append(out, crisis.Account{ID: acc.ID, Name: acc.Name, Network: string(acc.Network), Chat: slices.Contains(chatNetworks, acc.Network)})
	}
	return out, nil
}

func (p crisisPublishing) Paused(ctx context.Context, tx *db.Tx, wsID int64) (bool, error) {
	return p.a.Publish.PausedTx(ctx, tx, wsID)
}

func (p crisisPublishing) Pause(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, reason string, keep []int64) error {
	return p.a.Publish.PauseKeepingTx(ctx, tx, a, wsID, reason, keep)
}

// Resume lifts the pause; one lifted by hand meanwhile is no reason to fail the closing.
func (p crisisPublishing) Resume(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64) error {
	if err := p.a.Publish.ResumeWorkspaceTx(ctx, tx, a, wsID); err != nil && !errors.Is(err, publish.ErrNotPaused) {
		return err
	}
	return nil
}

func (p crisisPublishing) HeldPosts(ctx context.Context, wsID int64) ([]crisis.HeldPost, error) {
	pubs, err := p.a.Publish.Publications(ctx, wsID, publish.Filter{State: publish.Held, Limit: 1000})
	if err != nil {
		return nil, err
	}
	out := make([]crisis.HeldPost, 0, len(pubs))
	for _, x := range pubs {
		out = append(out, crisis.HeldPost{ID: x.ID, ItemID: x.ItemID, Title: x.ItemTitle, Account: x.Account, Network: string(x.Network), DueAt: x.DueAt})
	}
	return out, nil
}

func (p crisisPublishing) DecidePosts(ctx context.Context, a audit.Actor, wsID int64, ids []int64, decision string, at time.Time) (int, error) {
	d := map[string]publish.Decision{crisis.Release: publish.PublishNow, crisis.Reschedule: publish.Reschedule, crisis.Cancel: publish.Cancel}[decision]
	return p.a.Publish.Decide(ctx, a, wsID, ids, d, at, "")
}

// PublishNow publishes a statement on the chosen accounts, each needing a text for its network:
// publishing would otherwise quietly choose others.
func (p crisisPublishing) PublishNow(ctx context.Context, a audit.Actor, wsID, itemID int64, accounts []int64) error {
	it, err := p.a.Content.Get(ctx, wsID, itemID)
	if err != nil {
		return err
	}
	accts, err := p.a.Publish.Accounts(ctx, wsID)
	if err != nil {
		return err
	}
	for _, id := range accounts {
		i := slices.IndexFunc(accts, func(acc publish.Account) bool { return acc.ID == id })
		if i < 0 || !slices.ContainsFunc(it.Variants, func(v content.Variant) bool { return v.Network == accts[i].Network }) {
			return crisis.ErrNoText
		}
	}
	if err := p.a.Publish.LetThrough(ctx, nil, wsID, itemID); err != nil {
		return err
	}
	_, err = p.a.Content.Schedule(ctx, a, wsID, itemID, content.When{At: new(time.Now().Add(time.Second)), Accounts: accounts, ConfirmPaused: true,
		Statement: true}, time.UTC)
	return err
}

func (p crisisPublishing) SendChat(ctx context.Context, wsID, accountID int64, key, text string) error {
	err := p.a.Publish.SendText(ctx, wsID, accountID, key, text)
	switch refused, uncertain := chatOutcome(err); {
	case refused:
		return fmt.Errorf("%w: %w", crisis.ErrRefused, err)
	case uncertain:
		return fmt.Errorf("%w: %w", crisis.ErrUncertain, err)
	}
	return err
}

type crisisDistributions struct{ a *App }

func (d crisisDistributions) Holding(ctx context.Context, tx *db.Tx, wsID int64) (bool, error) {
	return d.a.Distribute.HeldTx(ctx, tx, wsID)
}

func (d crisisDistributions) Hold(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64, reason string) error {
	return d.a.Distribute.HoldTx(ctx, tx, a, wsID, reason)
}

// Unhold lifts the hold; one lifted by hand meanwhile is no reason to fail the closing.
func (d crisisDistributions) Unhold(ctx context.Context, tx *db.Tx, a audit.Actor, wsID int64) error {
	if err := d.a.Distribute.UnholdTx(ctx, tx, a, wsID); err != nil && !errors.Is(err, distribute.ErrNotHeld) {
		return err
	}
	return nil
}

func (d crisisDistributions) Held(ctx context.Context, wsID int64) ([]crisis.HeldDistribution, error) {
	list, err := d.a.Distribute.HeldDistributions(ctx, wsID)
	if err != nil {
		return nil, err
	}
	out := make([]crisis.HeldDistribution, 0, len(list))
	for _, x := range list {
		out = append(out, crisis.HeldDistribution{ID: x.ID, Title: x.Title, ScheduledAt: x.ScheduledAt})
	}
	return out, nil
}

func (d crisisDistributions) Decide(ctx context.Context, a audit.Actor, wsID int64, ids []int64, decision string, at time.Time) (int, error) {
	dd := map[string]string{crisis.Release: distribute.DecideSend, crisis.Reschedule: distribute.DecideReschedule, crisis.Cancel: distribute.DecideCancel}[decision]
	return d.a.Distribute.DecideHeld(ctx, a, wsID, ids, dd, at)
}

func (d crisisDistributions) Lists(ctx context.Context, wsID int64) ([]crisis.List, error) {
	lists, err := d.a.Press.Lists(ctx, wsID, "")
	if err != nil {
		return nil, err
	}
	out := make([]crisis.List, 0, len(lists))
	for _, l := range lists {
		out = append(out, crisis.List{ID: l.ID, Name: l.Name, Count: l.Count})
	}
	return out, nil
}

// SendStatement emails a statement to journalists' lists as a pitch: the distribution engine
// sends it once per recipient, with consent, suppression and unsubscribe as for any pitch.
func (d crisisDistributions) SendStatement(ctx context.Context, a audit.Actor, wsID int64, title, body string, lists []int64) (int64, error) {
	p, err := d.a.Pitches.Create(ctx, a, wsID, pitch.Input{Title: title, Subject: title, Body: body})
	if err != nil {
		return 0, err
	}
	dist, err := d.a.Distribute.Create(ctx, a, wsID, distribute.Input{Kind: distribute.KindPitch, ID: p.ID, Lists: lists, ThroughHold: true}, false)
	if err != nil {
		return 0, err
	}
	return dist.ID, nil
}

type crisisNewsroom struct{ a *App }

func (n crisisNewsroom) Enabled(ctx context.Context, wsID int64) (bool, error) {
	set, err := n.a.Newsroom.Settings(ctx, wsID)
	if err != nil {
		return false, err
	}
	return set.Enabled, nil
}

func (n crisisNewsroom) PublishNotice(ctx context.Context, a audit.Actor, wsID int64, in crisis.Notice) (int64, string, error) {
	notice, err := n.a.Newsroom.PublishNotice(ctx, a, wsID, newsroom.NoticeInput{Kind: newsroom.NoticeKind(in.Kind), Incident: in.Incident,
		IncidentKey: in.IncidentKey, State: newsroom.NoticeState(in.State), Lang: in.Lang, Title: in.Title, Body: in.Body})
	if err != nil {
		return 0, "", err
	}
	return notice.ID, notice.URL, nil
}

type crisisStudio struct{ a *App }

// statementLimit is the length a statement's social text is cut to: it must fit every network,
// X's 280 characters the tightest; the whole text is on the newsroom.
const statementLimit = 280

func (s crisisStudio) CreateStatement(ctx context.Context, a audit.Actor, wsID int64, title, body, lang string, networks []string) (int64, error) {
	short := socialText(title, body, statementLimit)
	in := content.Input{Title: title, Body: body, Lang: lang, Kind: content.KindStatement}
	for _, n := range networks {
		in.Variants = append(in.Variants, content.Variant{Network: channel.Network(n), Text: short})
	}
	it, problems, err := s.a.Content.Save(ctx, a, wsID, 0, in)
	if err != nil {
		return 0, err
	}
	if !problems.OK() {
		// A network refusing the short text still leaves the statement to finish in the studio.
		in.Variants = nil
		if it, problems, err = s.a.Content.Save(ctx, a, wsID, 0, in); err != nil {
			return 0, err
		}
		if !problems.OK() {
			return 0, crisis.ErrStatementText
		}
	}
	return it.ID, nil
}

// socialText is the headline and as much of the first paragraph as fits in limit characters.
func socialText(title, body string, limit int) string {
	first, _, _ := cutParagraph(body)
	text := title + "\n\n" + first
	if r := []rune(text); len(r) > limit {
		// Cut at a space, so no word (nor a blank such as "[dampak]") is broken.
		cut := string(r[:limit-1])
		if i := strings.LastIndexAny(cut, " \n"); i > len(title) {
			cut = cut[:i]
		}
		text = strings.TrimRight(cut, " ,;:") + "…"
	}
	return text
}

func cutParagraph(s string) (string, string, bool) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\n' && s[i+1] == '\n' {
			return s[:i], s[i+2:], true
		}
	}
	return s, "", false
}

func (s crisisStudio) Item(ctx context.Context, wsID, itemID int64) (*crisis.Item, error) {
	it, err := s.a.Content.Get(ctx, wsID, itemID)
	if err != nil {
		return nil, err
	}
	out := &crisis.Item{Title: it.Title, Body: it.Body, Lang: it.Lang, Status: string(it.Status)}
	for _, v := range it.Variants {
		out.Texts = append(out.Texts, v.Text)
	}
	return out, nil
}

func (s crisisStudio) Submit(ctx context.Context, a audit.Actor, wsID, itemID int64) error {
	return s.a.Content.Submit(ctx, a, wsID, itemID)
}

type crisisMonitoring struct{ a *App }

func (m crisisMonitoring) Topics(ctx context.Context, wsID int64) ([]crisis.Topic, error) {
	topics, err := m.a.Monitor.Topics(ctx, wsID)
	if err != nil {
		return nil, err
	}
	out := make([]crisis.Topic, 0, len(topics))
	for _, t := range topics {
		out = append(out, crisis.Topic{ID: t.ID, Name: t.Name})
	}
	return out, nil
}

func (m crisisMonitoring) Series(ctx context.Context, wsID, topicID int64, from, to time.Time, step time.Duration) ([]crisis.Point, error) {
	buckets, err := m.a.Monitor.Series(ctx, wsID, topicID, from, to, step)
	if err != nil {
		return nil, err
	}
	out := make([]crisis.Point, len(buckets))
	for i, b := range buckets {
		out[i] = crisis.Point{At: b.At, Total: b.Total, Negative: b.Negative, Positive: b.Positive}
	}
	return out, nil
}

func (m crisisMonitoring) MentionsAfter(ctx context.Context, wsID, topicID, afterID int64, since time.Time, limit int) ([]crisis.Mention, error) {
	ms, err := m.a.Monitor.MentionsSince(ctx, wsID, topicID, afterID, since, limit)
	if err != nil {
		return nil, err
	}
	out := make([]crisis.Mention, 0, len(ms))
	for _, x := range ms {
		out = append(out, crisis.Mention{ID: x.ID, Title: x.Item.Title, Outlet: x.Item.OutletName, URL: x.Item.URL, Sentiment: x.Item.Sentiment,
			At: x.Item.PublishedAt})
	}
	return out, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
