package app

import (
	"context"
	"fmt"
	"time"

	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/content"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/newsroom/subscribe"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/distribute"
	"warta.dev/warta/internal/press/importer"
	"warta.dev/warta/internal/press/pitch"
	"warta.dev/warta/internal/press/release"
	"warta.dev/warta/internal/publish"
)

// buildPress wires media relations: contacts, imports, pitches, releases and their distribution
// by email.
func (a *App) buildPress() error {
	cfg := a.Config
	members := pressMembers{a.Auth}
	a.Press = press.NewService(a.DB, members)
	imports := importer.NewService(a.DB, a.Queue, a.Press)
	a.Pitches = pitch.NewService(a.DB, a.Press, members, a.Notify)
	a.Pitches.RegisterJobs(a.Queue)
	a.Releases = release.NewService(a.DB, a.Content, a.Approvals, releaseMedia{a.contentMedia, a.Library, cfg.BaseURL, a.SigningKey}, a.Bundle, cfg.BaseURL)
	// Newsroom subscribers are an audience of distributions; the newsroom, built later, names
	// their topics.
	a.Subscribers = subscribe.NewService(a.DB, a.Mailer, a.Bundle, &a.topicNames)
	a.Subscribers.RegisterJobs(a.Queue)
	var server *distribute.Server
	if cfg.SMTPHost != "" {
		server = &distribute.Server{Host: cfg.SMTPHost, Port: cfg.SMTPPort, TLS: cfg.SMTPTLS, User: cfg.SMTPUser, Password: cfg.SMTPPassword}
	}
	a.Distribute = distribute.New(distribute.Deps{DB: a.DB, Queue: a.Queue, Keys: a.Keys, Bundle: a.Bundle, Log: a.Log,
		Audience: pressAudience{a.Press}, Sources: pressSources{d: a.DB, releases: a.Releases, pitches: a.Pitches, app: a},
		Subscribers: newsroomAudience{a.Subscribers, a.Press},
		BaseURL:     cfg.BaseURL, SigningKey: a.SigningKey, Server: server, From: cfg.MailFrom, Finished: a.distributionFinished},
		distribute.Options{Lease: cfg.DistributeLease, Backoff: cfg.DistributeBackoff})

	// Erasing a contact reaches every package that keeps something of them.
	a.Press.AddEraser(a.Distribute)
	a.Press.AddEraser(imports)
	a.Subscribers.AddEraser(a.Distribute)
	pressPages, err := press.NewHandlers(a.Press, a.Server)
	if err != nil {
		return err
	}
	importPages, err := importer.NewHandlers(imports, a.Server)
	if err != nil {
		return err
	}
	pitchPages, err := pitch.NewHandlers(a.Pitches, a.Server)
	if err != nil {
		return err
	}
	releasePages, err := release.NewHandlers(a.Releases, a.Server)
	if err != nil {
		return err
	}
	distributePages, err := distribute.NewHandlers(a.Distribute, a.Server)
	if err != nil {
		return err
	}
	for _, h := range []interface {
		Routes() []web.Route
		APIRoutes() []web.Route
	}{pressPages, importPages, pitchPages, releasePages, distributePages} {
		a.Server.Handle(h.Routes()...)
		a.Server.Handle(h.APIRoutes()...)
	}
	a.Server.Handle(distributePages.PublicRoutes()...)
	return nil
}

// distributionFinished tells whoever sent a distribution that it is done, with what it reached.
func (a *App) distributionFinished(ctx context.Context, tx *db.Tx, id int64) error {
	var ws, by int64
	var title string
	var sent, uncertain int
	if err := tx.QueryRow(ctx, `SELECT d.workspace_id, COALESCE(d.created_by, 0), d.title,
		(SELECT COUNT(*) FROM distribution_recipients r WHERE r.distribution_id = d.id AND r.state = 'sent'),
		(SELECT COUNT(*) FROM distribution_recipients r WHERE r.distribution_id = d.id AND r.state = 'uncertain')
		FROM distributions d WHERE d.id = ?`, id).Scan(&ws, &by, &title, &sent, &uncertain); err != nil || by == 0 {
		return err
	}
	key := "distribute.notice.finished"
	if uncertain > 0 {
		key = "distribute.notice.finished_uncertain"
	}
	return a.Notify.Notify(ctx, tx, notify.Notice{WorkspaceID: ws, UserID: by, Key: key,
		Args: []any{"Title", title, "Count", sent, "Uncertain", uncertain}, Link: fmt.Sprintf("/press/distributions/%d", id)})
}

// pressMembers gives contacts and pitches the workspace's active members.
type pressMembers struct{ *auth.Service }

func (m pressMembers) WorkspaceMembers(ctx context.Context, wsID int64) ([]press.Member, error) {
	members, _, err := m.Service.Members(ctx, wsID)
	if err != nil {
		return nil, err
	}
	out := make([]press.Member, 0, len(members))
	for _, x := range members {
		if !x.Disabled {
			out = append(out, press.Member{ID: x.UserID, Name: x.Name, Email: x.Email})
		}
	}
	return out, nil
}

// attachmentLife is how long a release's attachment links in an email keep working: journalists
// come back to a release weeks later.
const attachmentLife = 365 * 24 * time.Hour

// releaseMedia gives releases the media library, with signed links recipients can open.
type releaseMedia struct {
	contentMedia
	library    *medialib.Library
	base       string
	signingKey []byte
}

func (m releaseMedia) Attachments(ctx context.Context, wsID int64, ids []int64) ([]release.Attachment, error) {
	assets, err := m.library.GetMany(ctx, wsID, ids)
	if err != nil {
		return nil, err
	}
	until := time.Now().Add(attachmentLife)
	out := make([]release.Attachment, 0, len(assets))
	for _, x := range assets {
		out = append(out, release.Attachment{ID: x.ID, Name: x.Filename, URL: publish.MediaURL(m.base, m.signingKey, wsID, x.ID, until),
			Kind: string(x.Kind), Alt: x.Alt, Credit: x.Credit})
	}
	return out, nil
}

// pressAudience gives distributions the contacts.
type pressAudience struct{ *press.Service }

func (p pressAudience) Audience(ctx context.Context, wsID int64, lists, segments []int64, fn func(distribute.Contact) error) error {
	return p.Service.Audience(ctx, wsID, lists, segments, func(r press.Recipient) error {
		return fn(distribute.Contact{ContactID: r.ContactID, Email: r.Email, Name: r.Name, Salutation: r.Salutation, Outlet: r.Outlet,
			Language: r.Language, Skip: r.Skip})
	})
}

func (p pressAudience) Count(ctx context.Context, wsID int64, lists, segments []int64) (int, int, error) {
	return p.Service.AudienceCount(ctx, wsID, lists, segments)
}

func (p pressAudience) Lists(ctx context.Context, wsID int64) ([]distribute.Choice, error) {
	return choices(p.Service.ListChoices(ctx, wsID))
}

func (p pressAudience) Segments(ctx context.Context, wsID int64) ([]distribute.Choice, error) {
	return choices(p.Service.SegmentChoices(ctx, wsID))
}

func choices(in []press.Choice, err error) ([]distribute.Choice, error) {
	out := make([]distribute.Choice, 0, len(in))
	for _, c := range in {
		out = append(out, distribute.Choice{ID: c.ID, Name: c.Name, Count: c.Count})
	}
	return out, err
}

func (p pressAudience) Record(ctx context.Context, tx *db.Tx, wsID, contactID int64, e distribute.Event) error {
	return p.Service.RecordEvent(ctx, tx, wsID, contactID, press.Event{Kind: e.Kind, At: e.At, Title: e.Title, Link: e.Link, Detail: e.Detail, By: e.By})
}

func (p pressAudience) RecordMany(ctx context.Context, tx *db.Tx, wsID int64, contactIDs []int64, e distribute.Event) error {
	return p.Service.RecordEvents(ctx, tx, wsID, contactIDs, press.Event{Kind: e.Kind, At: e.At, Title: e.Title, Link: e.Link, Detail: e.Detail, By: e.By})
}

// pressSources gives distributions the releases, the newsroom's copies of them (for its
// subscribers) and pitches.
type pressSources struct {
	d        *db.DB
	releases *release.Service
	pitches  *pitch.Service
	// app.Newsroom is built after the distributions.
	app *App
}

func (p pressSources) Letter(ctx context.Context, wsID int64, ref distribute.Ref, lang string) (*distribute.Letter, error) {
	if ref.Kind == distribute.KindNewsroom {
		subject, html, text, used, err := p.app.Newsroom.Letter(ctx, wsID, ref.ID, lang)
		if err != nil {
			return nil, err
		}
		return &distribute.Letter{Lang: used, Subject: subject, HTML: html, Text: text}, nil
	}
	if ref.Kind == distribute.KindPitch {
		subject, body, err := p.pitches.Email(ctx, wsID, ref.ID)
		if err != nil {
			return nil, err
		}
		return &distribute.Letter{Lang: lang, Subject: subject, HTML: string(content.Render(body)), Text: body}, nil
	}
	r, err := p.releases.Render(ctx, wsID, ref.ID, lang)
	if err != nil {
		return nil, err
	}
	return &distribute.Letter{Lang: r.Lang, Subject: r.Subject, HTML: string(r.HTML), Text: r.Text}, nil
}

// Languages are a release's language versions, its own first; a pitch is written in the
// workspace's language.
func (p pressSources) Languages(ctx context.Context, wsID int64, ref distribute.Ref) ([]string, error) {
	if ref.Kind == distribute.KindNewsroom {
		return p.app.Newsroom.MailLanguages(ctx, wsID, ref.ID)
	}
	if ref.Kind == distribute.KindPitch {
		var lang string
		err := p.d.QueryRow(ctx, `SELECT lang FROM workspaces WHERE id = ?`, wsID).Scan(&lang)
		return []string{lang}, err
	}
	r, err := p.releases.Get(ctx, wsID, ref.ID)
	if err != nil {
		return nil, err
	}
	// A version still in draft or review is not sent: its readers get the release's own language.
	out := []string{r.Lang}
	for lang, id := range r.Versions {
		if lang != r.Lang && p.releases.Sendable(ctx, wsID, id) == nil {
			out = append(out, lang)
		}
	}
	return out, nil
}

func (p pressSources) Sendable(ctx context.Context, wsID int64, ref distribute.Ref) error {
	if ref.Kind == distribute.KindNewsroom {
		langs, err := p.app.Newsroom.MailLanguages(ctx, wsID, ref.ID)
		if err == nil && len(langs) == 0 {
			err = release.ErrNotApproved // no longer public on the newsroom
		}
		return err
	}
	if ref.Kind == distribute.KindPitch {
		_, _, err := p.pitches.Email(ctx, wsID, ref.ID)
		return err
	}
	return p.releases.Sendable(ctx, wsID, ref.ID)
}

func (p pressSources) Choices(ctx context.Context, wsID int64, kind string) ([]distribute.Choice, error) {
	var out []distribute.Choice
	if kind == distribute.KindPitch {
		list, err := p.pitches.Choices(ctx, wsID)
		for _, c := range list {
			out = append(out, distribute.Choice{ID: c.ID, Name: c.Label})
		}
		return out, err
	}
	list, err := p.releases.Choices(ctx, wsID)
	for _, c := range list {
		out = append(out, distribute.Choice{ID: c.ID, Name: c.Label})
	}
	return out, err
}

func (p pressSources) Delivered(ctx context.Context, tx *db.Tx, wsID int64, ref distribute.Ref, contactID int64, at time.Time) error {
	if ref.Kind != distribute.KindPitch {
		return nil
	}
	return p.pitches.Pitched(ctx, tx, wsID, ref.ID, contactID, at)
}

// newsroomAudience gives distributions the newsroom's confirmed subscribers. An address the
// workspace suppressed for a delivery reason (a hard bounce, by hand) is skipped for them too; one
// that unsubscribed from press mail is not, since confirming the subscription is a newer consent.
type newsroomAudience struct {
	subs  *subscribe.Service
	press *press.Service
}

func (n newsroomAudience) Subscribers(ctx context.Context, wsID int64, topics []int64, fn func(distribute.Contact) error) error {
	return n.subs.Audience(ctx, wsID, topics, func(s subscribe.Subscriber) error {
		c := distribute.Contact{Email: s.Email, Name: s.Name, Language: s.Lang}
		reason, err := n.press.Suppressed(ctx, wsID, s.Email)
		if err != nil {
			return err
		}
		if reason != "" && reason != "unsubscribed" {
			c.Skip = "suppressed"
		}
		return fn(c)
	})
}

func (n newsroomAudience) Unsubscribe(ctx context.Context, tx *db.Tx, wsID int64, email, source string) error {
	return n.subs.Unsubscribe(ctx, tx, wsID, email, source)
}
