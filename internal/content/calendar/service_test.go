package calendar_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/calendar"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// plan is a workspace's month: a campaign with dates and an anchor, an item scheduled in it, one
// published before today, one far ahead, a draft without a time, an archived one, and an item of
// the other workspace at the same time.
type plan struct {
	campaign                               *campaign.Campaign
	scheduled, published, far, draft, gone int64
	other                                  int64
	editor                                 int64
	now                                    time.Time
}

func makePlan(t *testing.T, st *site) plan {
	t.Helper()
	ctx := context.Background()
	p := plan{now: time.Now()}
	p.editor = st.member("editor@makassar.example", "Citra Editor", access.Editor, "id")
	anchor := p.now.Add(10 * 24 * time.Hour).Truncate(time.Second)
	c, err := st.campaigns.Create(ctx, audit.Actor{Label: "test"}, st.ws.ID, campaign.Input{Name: "Hari Jadi Kota", Colour: "#c0392b",
		StartsOn: day(p.now.Add(2*24*time.Hour), wita), EndsOn: day(p.now.Add(20*24*time.Hour), wita)}, &anchor)
	if err != nil {
		t.Fatal(err)
	}
	p.campaign = c
	p.scheduled = st.item(st.ws.ID, st.owner, "Posko banjir dibuka", c.ID, []string{"banjir"}, channel.X, channel.Bluesky)
	if _, err := st.items.Schedule(ctx, audit.Actor{UserID: st.owner}, st.ws.ID, p.scheduled, content.When{At: ptr(p.now.Add(5 * 24 * time.Hour))}, wita); err != nil {
		t.Fatal(err)
	}
	p.published = st.item(st.ws.ID, p.editor, "Rilis anggaran 2027", 0, []string{"anggaran"}, channel.Mastodon)
	st.at(st.ws.ID, p.published, content.Published, p.now.Add(-3*24*time.Hour))
	p.far = st.item(st.ws.ID, st.owner, "Jauh di depan", 0, nil, channel.X)
	st.at(st.ws.ID, p.far, content.Scheduled, p.now.Add(90*24*time.Hour))
	p.draft = st.item(st.ws.ID, st.owner, "Draf tanpa waktu", 0, nil, channel.X)
	p.gone = st.item(st.ws.ID, st.owner, "Diarsipkan", 0, nil, channel.X)
	st.at(st.ws.ID, p.gone, content.Archived, p.now.Add(6*24*time.Hour))
	p.other = st.item(st.ws2.ID, st.owner2, "Rahasia Jakarta", 0, nil, channel.X)
	st.at(st.ws2.ID, p.other, content.Scheduled, p.now.Add(5*24*time.Hour))
	return p
}

func ptr[T any](v T) *T { return &v }

func keys(entries []calendar.Entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Key())
	}
	return out
}

func key(kind string, id int64, part ...string) string {
	return calendar.Entry{Kind: kind, ID: id, Part: strings.Join(part, "")}.Key()
}

// The calendar shows, between two dates, content by its scheduled or published time and the
// campaign's start, anchor and end, in time order, each content item in its campaign's colour;
// what is outside the dates, undated, archived or of another workspace stays off.
func TestEntriesBetweenDates(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		p := makePlan(t, st)
		span := calendar.Span{From: p.now.Add(-7 * 24 * time.Hour), To: p.now.Add(30 * 24 * time.Hour), Zone: wita}
		got, err := st.cal.Entries(ctx, st.ws.ID, span, calendar.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		c := p.campaign.ID
		want := []string{key("content", p.published), key("campaign", c, "start"), key("content", p.scheduled), key("campaign", c, "anchor"), key("campaign", c, "end")}
		if !slices.Equal(keys(got), want) {
			t.Fatalf("entries %v, want %v", keys(got), want)
		}
		pub, start, sched, anchor := got[0], got[1], got[2], got[3]
		if pub.Status != "published" || pub.Movable || pub.Owner != "Citra Editor" || pub.Colour != "" || pub.Link != "/content/"+itoa(p.published) {
			t.Errorf("published item: %+v", pub)
		}
		if sched.Status != "scheduled" || !sched.Movable || sched.Colour != "#c0392b" || !slices.Equal(sched.Channels, []string{"bluesky", "x"}) ||
			sched.Owner != "Andi Makassar" || !slices.Equal(sched.Labels, []string{"banjir"}) {
			t.Errorf("scheduled item: %+v", sched)
		}
		wantStart := time.Date(p.now.In(wita).Year(), p.now.In(wita).Month(), p.now.In(wita).Day()+2, 0, 0, 0, 0, wita)
		if !start.AllDay || !start.At.Equal(wantStart) || start.Colour != "#c0392b" || start.Movable || start.Link != "/campaigns/"+itoa(c) || start.Label != "calendar.milestone.start" {
			t.Errorf("campaign start: %+v, want all day on %s", start, wantStart)
		}
		if anchor.AllDay || !anchor.At.Equal(*p.campaign.Anchor) {
			t.Errorf("anchor: %+v", anchor)
		}

		// The other workspace sees its own item only.
		got, err = st.cal.Entries(ctx, st.ws2.ID, span, calendar.Filter{})
		if err != nil || !slices.Equal(keys(got), []string{key("content", p.other)}) {
			t.Errorf("other workspace: %v %v", keys(got), err)
		}
	})
}

// Each filter narrows to what has that property; milestones, which have no channel, label,
// status or owner, stay only under the campaign filter.
func TestFilters(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		p := makePlan(t, st)
		span := calendar.Span{From: p.now.Add(-7 * 24 * time.Hour), To: p.now.Add(30 * 24 * time.Hour), Zone: wita}
		c := p.campaign.ID
		for _, tc := range []struct {
			name string
			f    calendar.Filter
			want []string
		}{
			{"channel x", calendar.Filter{Channel: "x"}, []string{key("content", p.scheduled)}},
			{"channel mastodon", calendar.Filter{Channel: "mastodon"}, []string{key("content", p.published)}},
			{"channel facebook", calendar.Filter{Channel: "facebook"}, nil},
			{"campaign", calendar.Filter{CampaignID: c}, []string{key("campaign", c, "start"), key("content", p.scheduled), key("campaign", c, "anchor"), key("campaign", c, "end")}},
			{"label", calendar.Filter{Label: "anggaran"}, []string{key("content", p.published)}},
			{"status", calendar.Filter{Status: "scheduled"}, []string{key("content", p.scheduled)}},
			{"owner", calendar.Filter{OwnerID: p.editor}, []string{key("content", p.published)}},
			{"two at once", calendar.Filter{Channel: "x", Status: "published"}, nil},
		} {
			got, err := st.cal.Entries(ctx, st.ws.ID, span, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keys(got), tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, keys(got), tc.want)
			}
		}
	})
}

// A member's feed secret opens their workspace's entries; resetting kills the old secret,
// revoking kills the feed, and a member who left loses theirs. Each change is in the audit log.
func TestFeedSecrets(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		p := makePlan(t, st)
		me := audit.Actor{UserID: st.owner, Label: "owner@makassar.example"}
		if f, err := st.cal.Feed(ctx, st.ws.ID, st.owner); err != nil || f != nil {
			t.Fatalf("a feed before any was made: %+v %v", f, err)
		}
		first, err := st.cal.ResetFeed(ctx, me, st.ws.ID, st.owner)
		if err != nil || !strings.HasPrefix(first, "wcal_") {
			t.Fatalf("first secret %q: %v", first, err)
		}
		_, list, err := st.cal.FeedEntries(ctx, first, time.Now())
		if err != nil || !slices.Contains(keys(list), key("content", p.scheduled)) || slices.Contains(keys(list), key("content", p.other)) {
			t.Fatalf("feed: %v %v", keys(list), err)
		}
		if f, _ := st.cal.Feed(ctx, st.ws.ID, st.owner); f == nil || f.LastUsedAt == nil {
			t.Errorf("the feed's use was not recorded: %+v", f)
		}
		second, err := st.cal.ResetFeed(ctx, me, st.ws.ID, st.owner)
		if err != nil || second == first {
			t.Fatalf("reset: %q %v", second, err)
		}
		if _, _, err := st.cal.FeedEntries(ctx, first, time.Now()); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("the secret before the reset still works: %v", err)
		}
		if _, _, err := st.cal.FeedEntries(ctx, second, time.Now()); err != nil {
			t.Errorf("the new secret: %v", err)
		}
		if err := st.cal.RevokeFeed(ctx, me, st.ws.ID, st.owner); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.cal.FeedEntries(ctx, second, time.Now()); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("a revoked secret works: %v", err)
		}
		if f, _ := st.cal.Feed(ctx, st.ws.ID, st.owner); f != nil {
			t.Errorf("a revoked feed is still shown: %+v", f)
		}

		// The editor leaves: their feed dies with their membership, and stays dead if they come back.
		theirs, err := st.cal.ResetFeed(ctx, audit.Actor{UserID: p.editor}, st.ws.ID, p.editor)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.auth.RemoveMember(ctx, auth.CLI, access.Owner, st.ws.ID, p.editor); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.cal.FeedEntries(ctx, theirs, time.Now()); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("the feed of someone who left: %v", err)
		}
		if _, err := st.d.Exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
			st.ws.ID, p.editor, string(access.Editor), time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.cal.FeedEntries(ctx, theirs, time.Now()); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("the old feed of someone who came back: %v", err)
		}

		entries, err := audit.List(ctx, st.d, st.ws.ID, audit.Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "calendar.") {
				actions = append(actions, e.Action)
			}
		}
		slices.Sort(actions)
		if want := []string{"calendar.feed_created", "calendar.feed_created", "calendar.feed_reset", "calendar.feed_revoked"}; !slices.Equal(actions, want) {
			t.Errorf("audit: %v, want %v", actions, want)
		}
	})
}
