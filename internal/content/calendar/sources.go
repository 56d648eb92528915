package calendar

import (
	"context"
	"fmt"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/content"
)

// ContentItems is what the calendar needs from the content studio.
type ContentItems interface {
	Dated(ctx context.Context, wsID int64, from, to time.Time) ([]content.Dated, error)
	Schedule(ctx context.Context, a audit.Actor, wsID, id int64, w content.When, zone *time.Location) (time.Time, error)
}

// ContentSource puts content items on the calendar and moves them through content's Schedule,
// so approval and channel rules apply to a drag as to the editor's schedule button.
type ContentSource struct{ items ContentItems }

// NewContentSource is the content studio as a calendar source.
func NewContentSource(items ContentItems) *ContentSource { return &ContentSource{items: items} }

// Kind implements Source.
func (ContentSource) Kind() string { return "content" }

// Entries implements Source.
func (s *ContentSource) Entries(ctx context.Context, wsID int64, span Span) ([]Entry, error) {
	items, err := s.items.Dated(ctx, wsID, span.From, span.To)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(items))
	for _, it := range items {
		e := Entry{Kind: "content", ID: it.ID, Title: it.Title, At: it.At, Status: string(it.Status),
			StatusLabel: "content.status." + string(it.Status), Link: it.Link, CampaignID: it.CampaignID,
			Labels: it.Labels, OwnerID: it.OwnerID, Owner: it.OwnerName}
		for _, n := range it.Channels {
			e.Channels = append(e.Channels, string(n))
		}
		switch it.Status {
		case content.Draft, content.InReview, content.Approved, content.Scheduled:
			e.Movable = !it.Published
		}
		out = append(out, e)
	}
	return out, nil
}

// Move implements Mover: the item is scheduled at the new time, no longer relative to an anchor.
func (s *ContentSource) Move(ctx context.Context, a audit.Actor, wsID, id int64, at time.Time, zone *time.Location) error {
	_, err := s.items.Schedule(ctx, a, wsID, id, content.When{At: &at, KeepRelative: true}, zone)
	return err
}

// CampaignList is what the calendar needs from campaigns; *campaign.Service has it.
type CampaignList interface {
	List(ctx context.Context, wsID int64, f campaign.Filter) ([]campaign.Campaign, error)
}

// Milestones puts each current campaign's start, end and anchor on the calendar. They move on
// the campaign's own page, where moving the anchor shows what moves with it first.
type Milestones struct{ campaigns CampaignList }

// NewMilestones is the campaigns as a calendar source.
func NewMilestones(campaigns CampaignList) *Milestones { return &Milestones{campaigns: campaigns} }

// Kind implements Source.
func (Milestones) Kind() string { return "campaign" }

// Entries implements Source.
func (m *Milestones) Entries(ctx context.Context, wsID int64, span Span) ([]Entry, error) {
	list, err := m.campaigns.List(ctx, wsID, campaign.Filter{})
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, c := range list {
		base := Entry{Kind: "campaign", ID: c.ID, Title: c.Name, Colour: c.Colour, CampaignID: c.ID, Link: fmt.Sprintf("/campaigns/%d", c.ID)}
		day := func(d campaign.Date, part string) {
			t, err := time.ParseInLocation(dateLayout, string(d), span.Zone)
			if d == "" || err != nil || !span.Contains(t) {
				return
			}
			e := base
			e.Part, e.Label, e.At, e.AllDay = part, "calendar.milestone."+part, t, true
			out = append(out, e)
		}
		day(c.StartsOn, "start")
		day(c.EndsOn, "end")
		if c.Anchor != nil && span.Contains(*c.Anchor) {
			e := base
			e.Part, e.Label, e.At = "anchor", "calendar.milestone.anchor", *c.Anchor
			out = append(out, e)
		}
	}
	return out, nil
}
