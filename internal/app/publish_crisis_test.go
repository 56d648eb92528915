package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/mastodon/mastodontest"
	"warta.dev/warta/internal/channel/telegram/telegramtest"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/publish"
)

// During a crisis publishing is paused except on the account the crisis owner keeps running,
// and a crisis statement let through goes out anyway; resuming sends nothing that was held.
func TestPauseKeepingAnAccountAndLettingAStatementThrough(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ms, tg := mastodontest.New(), telegramtest.New()
		defer ms.Close()
		defer tg.Close()
		p := startPublishing(t, engine, func(c *config.Config) { c.ChannelEndpoints = map[string]string{"telegram": tg.URL()} })
		ctx := context.Background()
		p.connectOAuth(channel.Mastodon, ms.ConnectValues())
		p.connectForm(channel.Telegram, tg.ConnectValues())
		masto, tele := p.account(channel.Mastodon), p.account(channel.Telegram)

		if err := p.env.App.Publish.PauseKeeping(ctx, p.actor, p.wsID, "Krisis: banjir bandang", []int64{tele.ID, 999999}); err != nil {
			t.Fatal(err)
		}
		if err := p.env.App.Publish.PauseKeeping(ctx, p.actor, p.wsID, "Lagi", nil); !errors.Is(err, publish.ErrPaused) {
			t.Errorf("a second pause: %v", err)
		}
		pause, err := p.env.App.Publish.Paused(ctx, p.wsID)
		if err != nil || pause == nil || len(pause.Keep) != 1 || pause.Keep[0] != tele.ID {
			t.Fatalf("the pause keeps %+v (%v), want only the Telegram account", pause, err)
		}
		page := p.owner.Get(p.w + "/publishing")
		if !strings.Contains(page.Body, `id="kept"`) || !strings.Contains(page.Body, "keeps publishing during the pause") || !strings.Contains(page.Body, tele.Name) {
			t.Errorf("the publish log does not say which account keeps running: %s", apptest.Excerpt(page.Body))
		}
		if home := p.owner.Get(p.w); !strings.Contains(home.Body, "except on the accounts kept running") {
			t.Errorf("the banner does not say an account keeps running: %s", apptest.Excerpt(home.Body))
		}

		// An ordinary post to both accounts: held on Mastodon, on time on the kept Telegram account.
		promo := p.item("Promo", content.Variant{Network: channel.Mastodon, Text: "Diskon pajak kendaraan akhir tahun!"},
			content.Variant{Network: channel.Telegram, Text: "Diskon pajak kendaraan akhir tahun!"})
		at := p.schedule(promo, []int64{masto.ID, tele.ID}, true)
		pubs := p.settle(promo)
		states := map[int64]publish.Publication{}
		for _, pb := range pubs {
			states[pb.AccountID] = pb
		}
		if got := states[masto.ID]; got.State != publish.Held {
			t.Errorf("the Mastodon post during the pause: %s", got.State)
		}
		if got := states[tele.ID]; got.State != publish.Published || got.PublishedAt == nil || got.PublishedAt.Sub(at) > 3*time.Second {
			t.Errorf("the post on the kept account: %+v", got)
		}
		if n := countText(ms.Posts(), "Diskon pajak"); n != 0 {
			t.Fatalf("the paused Mastodon account got %d posts", n)
		}
		if n := countText(tg.Posts(), "Diskon pajak"); n != 1 {
			t.Fatalf("the kept Telegram account got %d posts", n)
		}
		if _, err := p.env.App.Publish.Decide(ctx, p.actor, p.wsID, []int64{states[masto.ID].ID}, publish.PublishNow, time.Time{}, ""); !errors.Is(err, publish.ErrPaused) {
			t.Errorf("publishing a held post now while paused: %v", err)
		}

		// A post the kept account's network refused may be published again during the pause.
		tg.FailNext(channeltest.Rejected, 1)
		info := p.item("Info", content.Variant{Network: channel.Telegram, Text: "Info posko banjir untuk warga."})
		p.schedule(info, []int64{tele.ID}, true)
		refused := p.settle(info)
		if refused[0].State != publish.Failed {
			t.Fatalf("after the network refused it: %+v", refused[0])
		}
		if _, err := p.env.App.Publish.Decide(ctx, p.actor, p.wsID, []int64{refused[0].ID}, publish.PublishNow, time.Time{}, ""); err != nil {
			t.Errorf("publishing again on the kept account during the pause: %v", err)
		}
		if got := p.settle(info); got[0].State != publish.Published || countText(tg.Posts(), "Info posko") != 1 {
			t.Errorf("the kept account's post published again: %+v", got[0])
		}

		// A crisis statement let through before it is scheduled goes out on Mastodon too.
		statement := p.item("Pernyataan", content.Variant{Network: channel.Mastodon, Text: "Pernyataan resmi Pemkot tentang banjir bandang."})
		if err := p.env.App.Publish.LetThrough(ctx, nil, p.wsID, statement.ID); err != nil {
			t.Fatal(err)
		}
		p.schedule(statement, []int64{masto.ID}, true)
		if got := p.settle(statement); got[0].State != publish.Published {
			t.Errorf("the statement let through: %+v", got[0])
		}
		// One held before it was let through goes out once let through.
		update := p.item("Update", content.Variant{Network: channel.Mastodon, Text: "Update posko pengungsian banjir."})
		p.schedule(update, []int64{masto.ID}, true)
		if got := p.settle(update); got[0].State != publish.Held {
			t.Fatalf("the update before it was let through: %+v", got[0])
		}
		if err := p.env.App.Publish.LetThrough(ctx, nil, p.wsID, update.ID); err != nil {
			t.Fatal(err)
		}
		if got := p.settle(update); got[0].State != publish.Published {
			t.Errorf("the held update once let through: %+v", got[0])
		}
		if n := countText(ms.Posts(), "Pernyataan resmi") + countText(ms.Posts(), "Update posko"); n != 2 {
			t.Errorf("Mastodon got %d crisis posts, want 2", n)
		}

		// Resuming sends nothing held; the kept account's choice ends with the pause.
		if err := p.env.App.Publish.ResumeWorkspace(ctx, p.actor, p.wsID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		if n := countText(ms.Posts(), "Diskon pajak"); n != 0 {
			t.Errorf("resume published a held post by itself")
		}
		if got, _ := p.env.App.Publish.Publication(ctx, p.wsID, states[masto.ID].ID); got.State != publish.Held {
			t.Errorf("the held post after resuming: %s", got.State)
		}
		if err := p.env.App.Publish.PauseWorkspace(ctx, p.actor, p.wsID, "Rapat"); err != nil {
			t.Fatal(err)
		}
		if pause, _ := p.env.App.Publish.Paused(ctx, p.wsID); pause == nil || len(pause.Keep) != 0 {
			t.Errorf("a new pause inherited kept accounts: %+v", pause)
		}
	})
}
