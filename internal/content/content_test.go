package content_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/web"
)

type fixture struct {
	d        *db.DB
	s        *content.Service
	ws, ws2  int64
	user     int64
	notices  []notify.Notice
	campaign int64
}

func (f *fixture) Notify(_ context.Context, _ *db.Tx, n notify.Notice) error {
	f.notices = append(f.notices, n)
	return nil
}

func (f *fixture) Members(ctx context.Context, wsID int64) ([]content.Person, error) {
	return []content.Person{{UserID: f.user, Name: "Rina Wulandari", Email: "rina@kota.example"}, {UserID: f.user + 1, Name: "Budi Santoso", Email: "budi@kota.example"}}, nil
}

// requiredWorkflow stands in for the approval process: approval required, nothing recorded.
type requiredWorkflow struct{ edited int }

func (w *requiredWorkflow) Required(context.Context, int64) (bool, error) { return true, nil }
func (w *requiredWorkflow) Submitted(context.Context, *db.Tx, int64, int64, int, audit.Actor) error {
	return nil
}
func (w *requiredWorkflow) Edited(context.Context, *db.Tx, int64, int64, int) error {
	w.edited++
	return nil
}

func setup(t *testing.T, engine db.Dialect) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, campaign.Migrations, content.Migrations)
	f := &fixture{d: d}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		now := time.Now().UTC()
		for _, slug := range []string{"humas", "lain"} {
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO workspaces (slug, name, lang, timezone, created_at) VALUES (?, ?, 'id', 'Asia/Jakarta', ?) RETURNING id`, slug, slug, now).Scan(&id); err != nil {
				return err
			}
			if f.ws == 0 {
				f.ws = id
			} else {
				f.ws2 = id
			}
		}
		for _, email := range []string{"rina@kota.example", "budi@kota.example"} {
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO users (email, name, created_at) VALUES (?, ?, ?) RETURNING id`, email, email, now).Scan(&id); err != nil {
				return err
			}
			if f.user == 0 {
				f.user = id
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.s = content.NewService(d, nil, nil, f, f)
	return f
}

func (f *fixture) actor() audit.Actor { return audit.Actor{UserID: f.user, Label: "rina@kota.example"} }

func input(title string, variants ...content.Variant) content.Input {
	return content.Input{Title: title, Body: "Pemerintah Kota Sukamaju membuka posko banjir.", Lang: "id", Variants: variants}
}

func TestSaveVersionsAndConflicts(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		f := setup(t, engine)
		x := content.Variant{Network: channel.X, Text: "Posko banjir dibuka di Balai Kota https://sukamaju.example/banjir-2026-informasi-lengkap"}
		bsky := content.Variant{Network: channel.Bluesky, Text: "Posko banjir dibuka 🙏"}
		it, probs, err := f.s.Save(ctx, f.actor(), f.ws, 0, input("Posko banjir", x, bsky))
		if err != nil || !probs.OK() {
			t.Fatalf("save: %v %+v", err, probs)
		}
		if it.Version != 1 || it.Status != content.Draft || len(it.Variants) != 2 {
			t.Fatalf("new item: %+v", it)
		}

		// A variant over X's limit is refused with the reason; nothing is saved.
		long := content.Variant{Network: channel.X, Text: strings.Repeat("a", 281)}
		_, probs, err = f.s.Save(ctx, f.actor(), f.ws, it.ID, content.Input{Title: "Posko banjir", Lang: "id", Variants: []content.Variant{long}, BaseVersion: 1})
		if err != nil || len(probs.Variants) != 1 || probs.Variants[0].Network != channel.X {
			t.Fatalf("over-limit save: %v %+v", err, probs)
		}
		if got, _ := f.s.Get(ctx, f.ws, it.ID); got.Version != 1 || len(got.Variants) != 2 {
			t.Fatalf("a refused save changed the item: %+v", got)
		}

		// A second save based on version 1 makes version 2; another based on version 1 is a conflict.
		in := input("Posko banjir dibuka", x)
		in.BaseVersion = 1
		it2, _, err := f.s.Save(ctx, f.actor(), f.ws, it.ID, in)
		if err != nil || it2.Version != 2 {
			t.Fatalf("update: %v %+v", err, it2)
		}
		in.Title = "Tulisan orang lain"
		if _, _, err := f.s.Save(ctx, f.actor(), f.ws, it.ID, in); !errors.Is(err, content.ErrConflict) {
			t.Fatalf("stale save: %v", err)
		}
		vs, err := f.s.Versions(ctx, f.ws, it.ID)
		if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Title != "Posko banjir" || len(vs[1].Variants) != 2 {
			t.Fatalf("versions: %v %+v", err, vs)
		}
		// Restoring version 1 makes it version 3, with both variants back.
		it3, _, err := f.s.Restore(ctx, f.actor(), f.ws, it.ID, 1)
		if err != nil || it3.Version != 3 || it3.Title != "Posko banjir" || len(it3.Variants) != 2 {
			t.Fatalf("restore: %v %+v", err, it3)
		}
		// Another workspace sees nothing.
		if _, err := f.s.Get(ctx, f.ws2, it.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("other workspace: %v", err)
		}
		items, total, err := f.s.List(ctx, f.ws, content.Filter{Network: channel.Bluesky})
		if err != nil || total != 1 || len(items) != 1 || len(items[0].Variants) != 2 {
			t.Errorf("list by channel: %v %d %+v", err, total, items)
		}
	})
}

func TestScheduleRules(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		f := setup(t, engine)
		it, _, err := f.s.Save(ctx, f.actor(), f.ws, 0, input("Jadwal layanan", content.Variant{Network: channel.Mastodon, Text: "Layanan KTP buka Sabtu."}))
		if err != nil {
			t.Fatal(err)
		}
		wib, _ := time.LoadLocation("Asia/Jakarta")
		past := time.Now().Add(-time.Hour)
		if _, err := f.s.Schedule(ctx, f.actor(), f.ws, it.ID, content.When{At: &past}, wib); !errors.Is(err, content.ErrPast) {
			t.Errorf("past: %v", err)
		}
		soon := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
		if _, err := f.s.Schedule(ctx, f.actor(), f.ws, it.ID, content.When{At: &soon}, wib); err != nil {
			t.Fatalf("schedule without approvals: %v", err)
		}
		got, _ := f.s.Get(ctx, f.ws, it.ID)
		if got.Status != content.Scheduled || !got.ScheduledAt.Equal(soon) {
			t.Fatalf("scheduled: %+v", got)
		}
		if err := f.s.Unschedule(ctx, f.actor(), f.ws, it.ID); err != nil {
			t.Fatal(err)
		}

		// Where approval is required, a draft cannot be scheduled, and editing a scheduled item sends it back to review.
		wf := &requiredWorkflow{}
		f.s.SetWorkflow(wf)
		if _, err := f.s.Schedule(ctx, f.actor(), f.ws, it.ID, content.When{At: &soon}, wib); !errors.Is(err, content.ErrNotApproved) {
			t.Fatalf("schedule unapproved: %v", err)
		}
		if _, err := f.d.Exec(ctx, `UPDATE content_items SET status = 'approved' WHERE id = ?`, it.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Schedule(ctx, f.actor(), f.ws, it.ID, content.When{At: &soon}, wib); err != nil {
			t.Fatalf("schedule approved: %v", err)
		}
		cur, _ := f.s.Get(ctx, f.ws, it.ID)
		in := input("Jadwal layanan (revisi)", cur.Variants...)
		in.BaseVersion = cur.Version
		edited, _, err := f.s.Save(ctx, f.actor(), f.ws, it.ID, in)
		if err != nil || edited.Status != content.InReview || wf.edited != 1 {
			t.Fatalf("edit after approval: %v %+v edited=%d", err, edited, wf.edited)
		}
	})
}

func TestCommentsMentionMembers(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		f := setup(t, engine)
		it, _, err := f.s.Save(ctx, f.actor(), f.ws, 0, input("Pernyataan", content.Variant{Network: channel.Facebook, Text: "Pernyataan resmi."}))
		if err != nil {
			t.Fatal(err)
		}
		me := content.Commenter{UserID: f.user, Name: "Rina Wulandari", Email: "rina@kota.example"}
		top, err := f.s.AddComment(ctx, me, f.ws, it.ID, 0, "@budi tolong cek angka korban, dan @rina@kota.example catat.")
		if err != nil {
			t.Fatal(err)
		}
		if len(f.notices) != 1 || f.notices[0].UserID != f.user+1 || f.notices[0].Key != "content.notice.mention" {
			t.Fatalf("notices: %+v", f.notices)
		}
		if _, err := f.s.AddComment(ctx, me, f.ws, it.ID, top, "Sudah dicek: 12 orang."); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.AddComment(ctx, me, f.ws, it.ID, 0, "   "); err == nil {
			t.Error("an empty comment was accepted")
		}
		if err := f.s.ResolveComment(ctx, f.actor(), f.ws, it.ID, top, true); err != nil {
			t.Fatal(err)
		}
		threads, err := f.s.Comments(ctx, f.ws, it.ID)
		if err != nil || len(threads) != 1 || len(threads[0].Replies) != 1 || threads[0].ResolvedAt == nil {
			t.Fatalf("threads: %v %+v", err, threads)
		}
		if err := f.s.ResolveComment(ctx, f.actor(), f.ws2, it.ID, top, false); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("resolving from another workspace: %v", err)
		}
	})
}

// A press release from the Indonesian template keeps its conventions and shows what is not filled in.
func TestTemplates(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		f := setup(t, engine)
		tmpl, err := f.s.Template(ctx, f.ws, "builtin:press-release.id")
		if err != nil {
			t.Fatal(err)
		}
		ph := tmpl.Placeholders()
		if len(ph) < 10 || ph[0] != "Judul berita" {
			t.Fatalf("placeholders: %v", ph)
		}
		it, err := f.s.UseTemplate(ctx, f.actor(), f.ws, tmpl.Key, map[string]string{"Judul berita": "Banjir surut, sekolah kembali dibuka", "Kota": "Sukamaju"})
		if err != nil {
			t.Fatal(err)
		}
		if it.Title != "Siaran Pers: Banjir surut, sekolah kembali dibuka" || !strings.Contains(it.Body, "**Sukamaju, [[Tanggal]]**") ||
			!strings.Contains(it.Body, "UNTUK DISIARKAN SEGERA") || !strings.Contains(it.Body, "Narahubung") || it.Lang != "id" {
			t.Fatalf("draft from template: %q\n%s", it.Title, it.Body)
		}
		own, err := f.s.SaveAsTemplate(ctx, f.actor(), f.ws, it.ID, "Rilis banjir")
		if err != nil {
			t.Fatal(err)
		}
		all, err := f.s.Templates(ctx, f.ws)
		if err != nil || all[len(all)-1].Name != "Rilis banjir" {
			t.Fatalf("templates: %v %+v", err, all)
		}
		if err := f.s.DeleteTemplate(ctx, f.actor(), f.ws2, own); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("deleting from another workspace: %v", err)
		}
		if others, _ := f.s.Templates(ctx, f.ws2); len(others) != len(all)-1 {
			t.Errorf("another workspace sees %d templates", len(others))
		}
	})
}

// An item scheduled relative to its campaign's anchor keeps following the anchor after it is moved
// on the calendar, and moving the anchor moves it.
func TestRelativeScheduleFollowsTheAnchor(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		f := setup(t, engine)
		campaigns := campaign.NewService(f.d, nil)
		f.s = content.NewService(f.d, nil, anchorOnly{campaigns}, f, f)
		campaigns.SetScheduled(f.s)
		wib, _ := time.LoadLocation("Asia/Jakarta")
		now := time.Now().In(wib)
		anchor := time.Date(now.Year(), now.Month(), now.Day()+10, 10, 0, 0, 0, wib)
		c, err := campaigns.Create(ctx, f.actor(), f.ws, campaign.Input{Name: "Hari Jadi Kota"}, &anchor)
		if err != nil {
			t.Fatal(err)
		}
		in := input("Hitung mundur", content.Variant{Network: channel.X, Text: "Dua hari lagi!"})
		in.CampaignID = c.ID
		it, _, err := f.s.Save(ctx, f.actor(), f.ws, 0, in)
		if err != nil {
			t.Fatal(err)
		}
		at, err := f.s.Schedule(ctx, f.actor(), f.ws, it.ID, content.When{Offset: &campaign.Offset{Days: -2, Clock: "09:00"}}, wib)
		if err != nil || !at.Equal(time.Date(anchor.Year(), anchor.Month(), anchor.Day()-2, 9, 0, 0, 0, wib)) {
			t.Fatalf("relative schedule: %v %v", at, err)
		}
		// Dragged to the next day at 14:00 it becomes T−1 14:00, still tied to the anchor.
		moved := at.Add(29 * time.Hour)
		if _, err := f.s.Schedule(ctx, f.actor(), f.ws, it.ID, content.When{At: &moved, KeepRelative: true}, wib); err != nil {
			t.Fatal(err)
		}
		got, _ := f.s.Get(ctx, f.ws, it.ID)
		if got.Offset == nil || got.Offset.Days != -1 || got.Offset.Clock != "14:00" {
			t.Fatalf("after the move: %+v", got.Offset)
		}
		later := anchor.AddDate(0, 0, 3)
		if n, err := campaigns.MoveAnchor(ctx, f.actor(), f.ws, c.ID, later, wib); err != nil || n != 1 {
			t.Fatalf("moving the anchor: %d %v", n, err)
		}
		got, _ = f.s.Get(ctx, f.ws, it.ID)
		if want := time.Date(later.Year(), later.Month(), later.Day()-1, 14, 0, 0, 0, wib); !got.ScheduledAt.Equal(want) {
			t.Fatalf("after moving the anchor: %v, want %v", got.ScheduledAt.In(wib), want)
		}
	})
}

type anchorOnly struct{ *campaign.Service }

func (anchorOnly) Choices(context.Context, int64, int64) ([]content.CampaignChoice, error) {
	return nil, nil
}

// A translation is a draft in the other language linked both ways.
func TestTranslate(t *testing.T) {
	ctx := context.Background()
	f := setup(t, db.SQLite)
	it, _, err := f.s.Save(ctx, f.actor(), f.ws, 0, input("Posko banjir", content.Variant{Network: channel.X, Text: "Posko banjir dibuka."}))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := f.s.Translate(ctx, f.actor(), f.ws, it.ID)
	if err != nil || tr.Lang != "en" || tr.TranslationOf != it.ID || len(tr.Variants) != 1 {
		t.Fatalf("translation: %v %+v", err, tr)
	}
	for _, x := range []*content.Item{it, tr} {
		got, err := f.s.Translations(ctx, f.ws, x)
		if err != nil || len(got) != 1 {
			t.Fatalf("translations of %d: %v %+v", x.ID, err, got)
		}
	}
}
