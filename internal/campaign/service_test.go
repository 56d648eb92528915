package campaign_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/fstest"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/web"
)

// peerSchema is the test's own stand-in for the content studio's table: real rows in the same
// database, moved in the same transaction, so a rollback can be seen.
var peerSchema = db.Migrations{Name: "campaign test peer", FS: fstest.MapFS{
	"00490_test_items.sql": {Data: []byte(`-- +goose Up
CREATE TABLE test_items (
	id           {{id}},
	workspace_id BIGINT NOT NULL,
	campaign_id  BIGINT NOT NULL REFERENCES campaigns (id),
	title        TEXT NOT NULL,
	offset_days  INTEGER NOT NULL,
	offset_clock TEXT NOT NULL,
	at           {{timestamp}} NOT NULL
);
-- +goose Down
DROP TABLE test_items;
`)},
}}

// items implements campaign.Scheduled over test_items. fail makes MoveAnchor fail after it has
// already moved its rows, as a content studio failing half-way would.
type items struct {
	d    *db.DB
	fail error
}

func (it *items) RelativeItems(ctx context.Context, wsID, campaignID int64) ([]campaign.RelativeItem, error) {
	rows, err := it.d.Query(ctx, `SELECT id, title, offset_days, offset_clock, at FROM test_items WHERE workspace_id = ? AND campaign_id = ? ORDER BY id`, wsID, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []campaign.RelativeItem
	for rows.Next() {
		var ri campaign.RelativeItem
		if err := rows.Scan(&ri.ID, &ri.Title, &ri.Offset.Days, &ri.Offset.Clock, &ri.At); err != nil {
			return nil, err
		}
		ri.At = ri.At.UTC()
		out = append(out, ri)
	}
	return out, rows.Err()
}

func (it *items) MoveAnchor(ctx context.Context, tx *db.Tx, wsID, campaignID int64, anchor time.Time, zone *time.Location) (int, error) {
	rows, err := tx.Query(ctx, `SELECT id, offset_days, offset_clock FROM test_items WHERE workspace_id = ? AND campaign_id = ?`, wsID, campaignID)
	if err != nil {
		return 0, err
	}
	type move struct {
		id int64
		o  campaign.Offset
	}
	var moves []move
	for rows.Next() {
		var m move
		if err := rows.Scan(&m.id, &m.o.Days, &m.o.Clock); err != nil {
			rows.Close()
			return 0, err
		}
		moves = append(moves, m)
	}
	rows.Close()
	for _, m := range moves {
		if _, err := tx.Exec(ctx, `UPDATE test_items SET at = ? WHERE workspace_id = ? AND id = ?`, m.o.From(anchor, zone).UTC(), wsID, m.id); err != nil {
			return 0, err
		}
	}
	if it.fail != nil {
		return 0, it.fail
	}
	return len(moves), nil
}

func (it *items) add(t *testing.T, wsID, campaignID int64, title string, o campaign.Offset, at time.Time) {
	t.Helper()
	err := it.d.Tx(context.Background(), func(tx *db.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO test_items (workspace_id, campaign_id, title, offset_days, offset_clock, at) VALUES (?, ?, ?, ?, ?, ?)`,
			wsID, campaignID, title, o.Days, o.Clock, at.UTC())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (it *items) times(t *testing.T, campaignID int64) map[string]time.Time {
	t.Helper()
	rows, err := it.d.Query(context.Background(), `SELECT title, at FROM test_items WHERE campaign_id = ?`, campaignID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var title string
		var at time.Time
		if err := rows.Scan(&title, &at); err != nil {
			t.Fatal(err)
		}
		out[title] = at.UTC()
	}
	return out
}

type fixture struct {
	d        *db.DB
	s        *campaign.Service
	items    *items
	wsA, wsB int64
	ani      audit.Actor
}

func setup(t *testing.T, engine db.Dialect) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, auth.Migrations, audit.Migrations, campaign.Migrations, peerSchema)
	f := &fixture{d: d, items: &items{d: d}}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, ws := range []struct {
			slug string
			id   *int64
		}{{"humas-a", &f.wsA}, {"humas-b", &f.wsB}} {
			if err := tx.QueryRow(ctx, `INSERT INTO workspaces (slug, name, lang, timezone, created_at) VALUES (?, ?, 'id', 'Asia/Jakarta', ?) RETURNING id`,
				ws.slug, ws.slug, time.Now().UTC()).Scan(ws.id); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `INSERT INTO users (email, name, created_at) VALUES ('ani@humas.example', 'Ani', ?) RETURNING id`, time.Now().UTC()).Scan(&f.ani.UserID)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.ani.Label = "ani@humas.example"
	f.s = campaign.NewService(d, f.items)
	return f
}

func (f *fixture) auditOf(t *testing.T, wsID int64) []audit.Entry {
	t.Helper()
	entries, err := audit.List(context.Background(), f.d, wsID, audit.Filter{Action: "campaign."})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

var wib, _ = time.LoadLocation("Asia/Jakarta")

// A campaign is created with sensible defaults, found by search, changed with its version,
// archived and restored; each change is in the audit log.
func TestCampaignLifecycle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		c, err := f.s.Create(ctx, f.ani, f.wsA, campaign.Input{Name: "  HUT RI ke-81  ", StartsOn: "2026-08-01", EndsOn: "2026-08-17"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "HUT RI ke-81" || c.Colour != campaign.DefaultColour || c.UTMCampaign != "hut-ri-ke-81" || c.Anchor != nil || c.Version != 1 || c.CreatedBy != f.ani.UserID {
			t.Fatalf("created %+v", c)
		}
		if _, err := f.s.Create(ctx, f.ani, f.wsA, campaign.Input{Name: "Ramadan 2026", Description: "Zakat dan sedekah", Colour: "#AA3311", StartsOn: "2026-02-18"}, nil); err != nil {
			t.Fatal(err)
		}
		// An open-ended campaign sorts after the dated ones.
		if _, err := f.s.Create(ctx, f.ani, f.wsA, campaign.Input{Name: "Kanal WhatsApp 50% diskon_x"}, nil); err != nil {
			t.Fatal(err)
		}
		names := func(fl campaign.Filter) []string {
			list, err := f.s.List(ctx, f.wsA, fl)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range list {
				out = append(out, c.Name)
			}
			return out
		}
		if got := names(campaign.Filter{}); len(got) != 3 || got[0] != "HUT RI ke-81" || got[1] != "Ramadan 2026" {
			t.Errorf("latest start first: %v", got)
		}
		if got := names(campaign.Filter{Query: "ZAKAT"}); len(got) != 1 || got[0] != "Ramadan 2026" {
			t.Errorf("search in the description: %v", got)
		}
		// % and _ are searched for as themselves, not as wildcards.
		if got := names(campaign.Filter{Query: "50%"}); len(got) != 1 {
			t.Errorf("search for 50%%: %v", got)
		}
		if got := names(campaign.Filter{Query: "n_x"}); len(got) != 1 {
			t.Errorf("search for n_x: %v", got)
		}
		if got := names(campaign.Filter{Sort: "name", Limit: 2, Offset: 1}); len(got) != 2 || got[0] != "Kanal WhatsApp 50% diskon_x" || got[1] != "Ramadan 2026" {
			t.Errorf("second page by name: %v", got)
		}

		up, err := f.s.Update(ctx, f.ani, f.wsA, c.ID, c.Version, campaign.Input{Name: "HUT RI ke-81", Colour: "#c0392b", StartsOn: "2026-08-01", EndsOn: "2026-08-18", UTMCampaign: "hutri81"})
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 || up.Colour != "#c0392b" || up.EndsOn != "2026-08-18" || up.UTMCampaign != "hutri81" {
			t.Errorf("updated %+v", up)
		}
		// A second person saving over the version they saw is told, and changes nothing.
		if _, err := f.s.Update(ctx, f.ani, f.wsA, c.ID, c.Version, campaign.Input{Name: "Tertimpa"}); !errors.Is(err, campaign.ErrChanged) {
			t.Errorf("stale save: %v", err)
		}
		if got, _ := f.s.Get(ctx, f.wsA, c.ID); got.Name != "HUT RI ke-81" || got.Version != 2 {
			t.Errorf("after the stale save: %+v", got)
		}

		if err := f.s.Archive(ctx, f.ani, f.wsA, c.ID); err != nil {
			t.Fatal(err)
		}
		if got := names(campaign.Filter{}); len(got) != 2 {
			t.Errorf("current after archiving: %v", got)
		}
		if got := names(campaign.Filter{Archived: true}); len(got) != 1 || got[0] != "HUT RI ke-81" {
			t.Errorf("archived: %v", got)
		}
		if err := f.s.Archive(ctx, f.ani, f.wsA, c.ID); err != nil {
			t.Errorf("archiving twice: %v", err)
		}
		if err := f.s.Restore(ctx, f.ani, f.wsA, c.ID); err != nil {
			t.Fatal(err)
		}
		if got := names(campaign.Filter{}); len(got) != 3 {
			t.Errorf("current after restoring: %v", got)
		}

		var actions []string
		for _, e := range f.auditOf(t, f.wsA) {
			actions = append(actions, e.Action)
			if e.ActorID != f.ani.UserID {
				t.Errorf("%s by %d", e.Action, e.ActorID)
			}
		}
		want := []string{"campaign.restored", "campaign.archived", "campaign.updated", "campaign.created", "campaign.created", "campaign.created"}
		if len(actions) != len(want) {
			t.Fatalf("audit: %v, want %v", actions, want)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Errorf("audit: %v, want %v", actions, want)
				break
			}
		}
		upd := f.auditOf(t, f.wsA)[2]
		if ch := upd.Changes["ends_on"]; ch.From != "2026-08-17" || ch.To != "2026-08-18" {
			t.Errorf("update entry: %+v", upd.Changes)
		}
		if _, ok := upd.Changes["name"]; ok {
			t.Errorf("the update entry lists the unchanged name: %+v", upd.Changes)
		}
	})
}

// Wrong input is refused field by field, with what to fix, and nothing is saved.
func TestCampaignValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		long := make([]byte, 121)
		for i := range long {
			long[i] = 'a'
		}
		cases := []struct {
			in     campaign.Input
			fields map[string]string
		}{
			{campaign.Input{}, map[string]string{"name": "form.required"}},
			{campaign.Input{Name: string(long)}, map[string]string{"name": "form.too_long"}},
			{campaign.Input{Name: "Rilis", Colour: "merah"}, map[string]string{"colour": "campaign.error.colour"}},
			{campaign.Input{Name: "Rilis", Colour: "#12345"}, map[string]string{"colour": "campaign.error.colour"}},
			{campaign.Input{Name: "Rilis", StartsOn: "2026-09-01", EndsOn: "2026-08-31"}, map[string]string{"ends_on": "campaign.error.ends_before_start"}},
			{campaign.Input{Name: "Rilis", StartsOn: "2026-13-01", EndsOn: "31/08/2026"}, map[string]string{"starts_on": "campaign.error.date", "ends_on": "campaign.error.date"}},
			{campaign.Input{Colour: "biru", EndsOn: "besok"}, map[string]string{"name": "form.required", "colour": "campaign.error.colour", "ends_on": "campaign.error.date"}},
		}
		for _, c := range cases {
			_, err := f.s.Create(ctx, f.ani, f.wsA, c.in, nil)
			var we *web.Error
			if !errors.As(err, &we) || we.Status != http.StatusUnprocessableEntity {
				t.Errorf("%+v: %v", c.in, err)
				continue
			}
			if len(we.Fields) != len(c.fields) {
				t.Errorf("%+v: fields %v, want %v", c.in, we.Fields, c.fields)
			}
			for k, v := range c.fields {
				if we.Fields[k] != v {
					t.Errorf("%+v: %s = %q, want %q", c.in, k, we.Fields[k], v)
				}
			}
		}
		ok, err := f.s.Create(ctx, f.ani, f.wsA, campaign.Input{Name: "Rilis", StartsOn: "2026-08-31", EndsOn: "2026-08-31"}, nil)
		if err != nil {
			t.Fatalf("a one-day campaign: %v", err)
		}
		if _, err := f.s.Update(ctx, f.ani, f.wsA, ok.ID, ok.Version, campaign.Input{Name: ""}); err == nil {
			t.Error("update without a name was accepted")
		}
		list, _ := f.s.List(ctx, f.wsA, campaign.Filter{})
		if len(list) != 1 || list[0].Name != "Rilis" || len(f.auditOf(t, f.wsA)) != 1 {
			t.Errorf("after the refusals: %d campaigns, %d audit entries", len(list), len(f.auditOf(t, f.wsA)))
		}
	})
}

// Moving the anchor moves every relative item in the same transaction; the preview shows the
// shift and saves nothing; when the content studio fails, nothing at all changes.
func TestMoveAnchor(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		launch := time.Date(2026, 12, 3, 10, 0, 0, 0, wib)
		c, err := f.s.Create(ctx, f.ani, f.wsA, campaign.Input{Name: "Peluncuran aplikasi"}, &launch)
		if err != nil {
			t.Fatal(err)
		}
		teaser := campaign.Offset{Days: -2, Clock: "09:00"}
		recap := campaign.Offset{Days: 1, Clock: "16:00"}
		f.items.add(t, f.wsA, c.ID, "teaser", teaser, teaser.From(launch, wib))
		f.items.add(t, f.wsA, c.ID, "recap", recap, recap.From(launch, wib))
		before := f.items.times(t, c.ID)

		later := time.Date(2026, 12, 10, 13, 0, 0, 0, wib)
		shifts, err := f.s.PreviewAnchor(ctx, f.wsA, c.ID, later, wib)
		if err != nil {
			t.Fatal(err)
		}
		if len(shifts) != 2 || shifts[0].Item.Title != "teaser" ||
			!shifts[0].From.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, wib)) || !shifts[0].To.Equal(time.Date(2026, 12, 8, 9, 0, 0, 0, wib)) ||
			!shifts[1].To.Equal(time.Date(2026, 12, 11, 16, 0, 0, 0, wib)) {
			t.Fatalf("preview: %+v", shifts)
		}
		if got, _ := f.s.Get(ctx, f.wsA, c.ID); !got.Anchor.Equal(launch) || f.items.times(t, c.ID)["teaser"] != before["teaser"] {
			t.Fatal("the preview saved something")
		}

		// The content studio fails after moving its rows: the anchor and the rows stay as they were.
		f.items.fail = errors.New("content studio unavailable")
		if _, err := f.s.MoveAnchor(ctx, f.ani, f.wsA, c.ID, later, wib); !errors.Is(err, f.items.fail) {
			t.Fatalf("failing move: %v", err)
		}
		if got, _ := f.s.Get(ctx, f.wsA, c.ID); !got.Anchor.Equal(launch) || got.Version != 1 {
			t.Errorf("anchor after the failed move: %v (version %d)", got.Anchor, got.Version)
		}
		for title, at := range f.items.times(t, c.ID) {
			if !at.Equal(before[title]) {
				t.Errorf("%s moved to %s although the move failed", title, at)
			}
		}
		if n := len(f.auditOf(t, f.wsA)); n != 1 {
			t.Errorf("%d audit entries after the failed move, want only the creation", n)
		}

		f.items.fail = nil
		n, err := f.s.MoveAnchor(ctx, f.ani, f.wsA, c.ID, later, wib)
		if err != nil || n != 2 {
			t.Fatalf("move: %d %v", n, err)
		}
		after := f.items.times(t, c.ID)
		if !after["teaser"].Equal(time.Date(2026, 12, 8, 9, 0, 0, 0, wib)) || !after["recap"].Equal(time.Date(2026, 12, 11, 16, 0, 0, 0, wib)) {
			t.Errorf("items after the move: %v", after)
		}
		got, _ := f.s.Get(ctx, f.wsA, c.ID)
		if !got.Anchor.Equal(later) {
			t.Errorf("anchor after the move: %v", got.Anchor)
		}
		e := f.auditOf(t, f.wsA)[0]
		if e.Action != "campaign.anchor_moved" || e.Changes["anchor"].From != "2026-12-03T10:00:00+07:00" || e.Changes["anchor"].To != "2026-12-10T13:00:00+07:00" ||
			e.Changes["items_moved"].To != float64(2) {
			t.Errorf("audit entry: %s %+v", e.Action, e.Changes)
		}
		// The same anchor again is no change at all.
		if n, err := f.s.MoveAnchor(ctx, f.ani, f.wsA, c.ID, later, wib); err != nil || n != 0 || len(f.auditOf(t, f.wsA)) != 2 {
			t.Errorf("moving to the same anchor: %d %v", n, err)
		}
		if _, err := f.s.MoveAnchor(ctx, f.ani, f.wsA, c.ID, time.Time{}, wib); !errors.Is(err, campaign.ErrNoAnchor) {
			t.Errorf("moving to no time: %v", err)
		}

		// Without a content studio the anchor still moves, with nothing to carry.
		bare := campaign.NewService(f.d, nil)
		if n, err := bare.MoveAnchor(ctx, f.ani, f.wsA, c.ID, launch, wib); err != nil || n != 0 {
			t.Errorf("without a content studio: %d %v", n, err)
		}
		if a, _ := bare.Anchor(ctx, f.wsA, c.ID); a == nil || !a.Equal(launch) {
			t.Errorf("anchor without a content studio: %v", a)
		}
	})
}

// Each channel has its tags, with defaults until the campaign sets its own.
func TestUTM(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		c, err := f.s.Create(ctx, f.ani, f.wsA, campaign.Input{Name: "Hari Pers Nasional"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for ch, want := range map[string]campaign.UTM{
			"x":        {Source: "x", Medium: "social", Campaign: "hari-pers-nasional"},
			"newsroom": {Source: "newsroom", Medium: "referral", Campaign: "hari-pers-nasional"},
			"email":    {Source: "email", Medium: "email", Campaign: "hari-pers-nasional"},
		} {
			if got, err := f.s.UTMFor(ctx, f.wsA, c.ID, ch); err != nil || got != want {
				t.Errorf("default %s: %+v %v", ch, got, err)
			}
		}
		if _, err := f.s.UTMFor(ctx, f.wsA, c.ID, "myspace"); !errors.Is(err, campaign.ErrBadChannel) {
			t.Errorf("unknown channel: %v", err)
		}
		err = f.s.SetUTM(ctx, f.ani, f.wsA, c.ID, []campaign.ChannelUTM{
			{Channel: "x", Source: "twitter", Medium: "", Content: "utas-pagi"},
			{Channel: "email", Source: "email", Medium: "email"}, // the default, unchanged
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := f.s.UTMFor(ctx, f.wsA, c.ID, "x"); got != (campaign.UTM{Source: "twitter", Medium: "social", Campaign: "hari-pers-nasional", Content: "utas-pagi"}) {
			t.Errorf("x after setting: %+v", got)
		}
		table, err := f.s.UTMs(ctx, f.wsA, c.ID)
		if err != nil || len(table) != len(campaign.Channels) || table[0].Source != "twitter" || table[8] != (campaign.ChannelUTM{Channel: "newsroom", Source: "newsroom", Medium: "referral"}) {
			t.Errorf("table: %+v %v", table, err)
		}
		entries := f.auditOf(t, f.wsA)
		if len(entries) != 2 || entries[0].Action != "campaign.utm_changed" || len(entries[0].Changes) != 1 {
			t.Errorf("audit after setting x: %+v", entries)
		}
		// Saving the same table again records nothing.
		if err := f.s.SetUTM(ctx, f.ani, f.wsA, c.ID, table); err != nil || len(f.auditOf(t, f.wsA)) != 2 {
			t.Errorf("saving unchanged tags: %v, %d entries", err, len(f.auditOf(t, f.wsA)))
		}
		var we *web.Error
		err = f.s.SetUTM(ctx, f.ani, f.wsA, c.ID, []campaign.ChannelUTM{{Channel: "bluesky", Source: string(make([]byte, 101))}})
		if !errors.As(err, &we) || we.Fields["source_bluesky"] != "form.too_long" {
			t.Errorf("too long a source: %v", err)
		}
	})
}

// Nothing of workspace A can be read or changed from workspace B.
func TestWorkspaceIsolation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		anchor := time.Date(2026, 11, 27, 10, 0, 0, 0, wib)
		c, err := f.s.Create(ctx, f.ani, f.wsA, campaign.Input{Name: "Rahasia A"}, &anchor)
		if err != nil {
			t.Fatal(err)
		}
		f.items.add(t, f.wsA, c.ID, "teaser", campaign.Offset{Days: -1, Clock: "09:00"}, anchor)
		b := f.wsB
		notFound := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, db.ErrNotFound) {
				t.Errorf("%s from B: %v", what, err)
			}
		}
		_, err = f.s.Get(ctx, b, c.ID)
		notFound("get", err)
		_, err = f.s.Update(ctx, f.ani, b, c.ID, 1, campaign.Input{Name: "Dibajak"})
		notFound("update", err)
		notFound("archive", f.s.Archive(ctx, f.ani, b, c.ID))
		_, err = f.s.MoveAnchor(ctx, f.ani, b, c.ID, anchor.Add(48*time.Hour), wib)
		notFound("move anchor", err)
		_, err = f.s.PreviewAnchor(ctx, b, c.ID, anchor, wib)
		notFound("preview", err)
		notFound("set UTM", f.s.SetUTM(ctx, f.ani, b, c.ID, []campaign.ChannelUTM{{Channel: "x", Source: "dibajak"}}))
		_, err = f.s.UTMFor(ctx, b, c.ID, "x")
		notFound("UTM", err)
		if list, err := f.s.List(ctx, b, campaign.Filter{Query: "Rahasia"}); err != nil || len(list) != 0 {
			t.Errorf("B's list: %v %v", list, err)
		}
		got, _ := f.s.Get(ctx, f.wsA, c.ID)
		if got.Name != "Rahasia A" || got.ArchivedAt != nil || !got.Anchor.Equal(anchor) || got.Version != 1 {
			t.Errorf("A's campaign changed: %+v", got)
		}
		if u, _ := f.s.UTMFor(ctx, f.wsA, c.ID, "x"); u.Source != "x" {
			t.Errorf("A's tags changed: %+v", u)
		}
		if len(f.auditOf(t, f.wsB)) != 0 {
			t.Error("B's audit log has entries")
		}
	})
}
