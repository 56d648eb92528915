package calendar

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"time"
	"warta.dev/warta/internal/platform/secrets"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/platform/db"
)

// Service gathers the sources' entries and keeps the feeds.
type Service struct {
	d         *db.DB
	campaigns CampaignList
	sources   []Source
}

// New builds the calendar over its sources; campaigns colour the entries that belong to one.
func New(d *db.DB, campaigns CampaignList, sources ...Source) *Service {
	return &Service{d: d, campaigns: campaigns, sources: sources}
}

var colourRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Entries lists what the sources have in the span that passes the filter, in time order, each
// coloured by its campaign.
func (s *Service) Entries(ctx context.Context, wsID int64, span Span, f Filter) ([]Entry, error) {
	if span.Zone == nil {
		span.Zone = time.UTC
	}
	var out []Entry
	for _, src := range s.sources {
		list, err := src.Entries(ctx, wsID, span)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			if span.Contains(e.At) && f.Match(e) {
				out = append(out, e)
			}
		}
	}
	colours, err := s.colours(ctx, wsID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Colour == "" {
			out[i].Colour = colours[out[i].CampaignID]
		}
		if !colourRE.MatchString(out[i].Colour) {
			out[i].Colour = ""
		}
	}
	slices.SortStableFunc(out, func(a, b Entry) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Part, b.Part))
	})
	return out, nil
}

// colours maps the workspace's campaigns, archived ones too, to their colours.
func (s *Service) colours(ctx context.Context, wsID int64) (map[int64]string, error) {
	m := map[int64]string{}
	if s.campaigns == nil {
		return m, nil
	}
	for _, archived := range []bool{false, true} {
		list, err := s.campaigns.List(ctx, wsID, campaign.Filter{Archived: archived})
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			m[c.ID] = c.Colour
		}
	}
	return m, nil
}

// Campaigns lists the workspace's current campaigns, for the filter.
func (s *Service) Campaigns(ctx context.Context, wsID int64) ([]campaign.Campaign, error) {
	if s.campaigns == nil {
		return nil, nil
	}
	return s.campaigns.List(ctx, wsID, campaign.Filter{Sort: "name"})
}

// Move reschedules the entry named by key to at, through the rules of the domain it belongs to.
func (s *Service) Move(ctx context.Context, a audit.Actor, wsID int64, key string, at time.Time, zone *time.Location) error {
	kind, id, part, ok := ParseKey(key)
	if !ok {
		return db.ErrNotFound
	}
	for _, src := range s.sources {
		if src.Kind() != kind {
			continue
		}
		m, ok := src.(Mover)
		if !ok || part != "" {
			return ErrNotMovable
		}
		return m.Move(ctx, a, wsID, id, at, zone)
	}
	return db.ErrNotFound
}

// Feed returns the member's current feed, nil when they have none.
func (s *Service) Feed(ctx context.Context, wsID, userID int64) (*Feed, error) {
	return activeFeed(ctx, s.d, wsID, userID)
}

// ResetFeed gives the member a new feed secret; the one before stops working at once. The
// secret is returned only here: only its hash is kept.
func (s *Service) ResetFeed(ctx context.Context, a audit.Actor, wsID, userID int64) (string, error) {
	secret := tokenPrefix + secrets.NewToken()
	err := s.d.Tx(ctx, func(tx *db.Tx) error {
		revoked, err := revokeFeeds(ctx, tx, wsID, userID)
		if err != nil {
			return err
		}
		id, err := insertFeed(ctx, tx, wsID, userID, secrets.HashToken(secret))
		if err != nil {
			return err
		}
		action := "calendar.feed_created"
		if revoked > 0 {
			action = "calendar.feed_reset"
		}
		return audit.Record(ctx, tx, a.Entry(wsID, action, "calendar_feed", id, nil))
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// RevokeFeed stops the member's feed; with none, nothing changes.
func (s *Service) RevokeFeed(ctx context.Context, a audit.Actor, wsID, userID int64) error {
	return s.d.Tx(ctx, func(tx *db.Tx) error {
		f, err := activeFeed(ctx, tx, wsID, userID)
		if err != nil || f == nil {
			return err
		}
		if _, err := revokeFeeds(ctx, tx, wsID, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "calendar.feed_revoked", "calendar_feed", f.ID, nil))
	})
}

// FeedEntries is what a feed secret shows: its workspace's entries from 30 days back to 180 days
// ahead. An unknown or revoked secret, or one of someone no longer a member, is db.ErrNotFound.
func (s *Service) FeedEntries(ctx context.Context, secret string, now time.Time) (*FeedOwner, []Entry, error) {
	o, err := feedByHash(ctx, s.d, secrets.HashToken(secret))
	if err != nil {
		return nil, nil, err
	}
	touchFeed(ctx, s.d, o.WorkspaceID, o.FeedID, now)
	list, err := s.Entries(ctx, o.WorkspaceID, Span{From: now.Add(-feedBack), To: now.Add(feedAhead), Zone: o.Zone}, Filter{})
	return o, list, err
}
