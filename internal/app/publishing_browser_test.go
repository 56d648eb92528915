package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/mastodon/mastodontest"
	"warta.dev/warta/internal/channel/telegram/telegramtest"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
)

// In a real browser, the owner connects a Mastodon account (through the instance's authorisation
// page) and a Telegram channel (with a bot token) on the Channels page; a post goes out to both,
// Telegram refuses it, and the item's page shows each account's status: published on Mastodon
// with its link, failed on Telegram with the network's reason and what to do.
func TestBrowserPerAccountStatus(t *testing.T) {
	ctx := browser(t)
	ms := mastodontest.New()
	defer ms.Close()
	tg := telegramtest.New()
	defer tg.Close()
	p := startPublishing(t, db.SQLite, func(c *config.Config) {
		c.ChannelEndpoints = map[string]string{string(channel.Telegram): tg.URL()}
	})
	pg := &page{t: t, ctx: ctx, env: p.env}
	pg.signIn(p.email, "rahasia-sekali-123")

	pg.do("open the channels page", chromedp.Navigate(p.env.URL+p.w+"/channels"), chromedp.WaitVisible(chromedp.ID("networks")))
	for _, n := range []string{"x", "bluesky", "mastodon", "linkedin", "threads", "facebook", "instagram", "telegram", "slack", "discord", "teams", "webhook"} {
		if got := pg.text(fmt.Sprintf(`#networks li[data-network=%q] h3`, n)); got == "" {
			t.Errorf("the channels page does not offer %s", n)
		}
	}
	pg.do("connect Mastodon",
		chromedp.Navigate(p.env.URL+p.w+"/channels/mastodon/connect"), chromedp.WaitVisible(chromedp.ID("f-server")),
		chromedp.SendKeys(chromedp.ID("f-server"), ms.URL()), chromedp.Submit(chromedp.ID("f-server")),
		chromedp.WaitVisible(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")),
		chromedp.WaitVisible(chromedp.CSS(`#accounts tr[data-network="mastodon"]`)))
	if got := pg.text(`#accounts tr[data-network="mastodon"]`); !strings.Contains(got, "Working") {
		t.Errorf("the Mastodon account's row: %q", got)
	}
	vals := tg.ConnectValues()
	pg.do("connect Telegram",
		chromedp.Navigate(p.env.URL+p.w+"/channels/telegram/connect"), chromedp.WaitVisible(chromedp.ID("f-bot_token")),
		chromedp.SendKeys(chromedp.ID("f-bot_token"), vals["bot_token"]), chromedp.SendKeys(chromedp.ID("f-chat"), vals["chat"]),
		chromedp.Submit(chromedp.ID("f-chat")),
		chromedp.WaitVisible(chromedp.CSS(`#accounts tr[data-network="telegram"]`)))

	it := p.item("Jadwal layanan KTP keliling",
		content.Variant{Network: channel.Mastodon, Text: "Layanan KTP keliling hadir di Kecamatan Sukamaju, Sabtu pukul 08.00."},
		content.Variant{Network: channel.Telegram, Text: "Layanan KTP keliling hadir di Kecamatan Sukamaju, Sabtu pukul 08.00."})
	tg.FailNext(channeltest.Rejected, 1)
	p.schedule(it, nil, false)
	pubs := p.settle(it)
	if len(pubs) != 2 {
		t.Fatalf("publications: %+v", pubs)
	}

	pg.do("open the item", chromedp.Navigate(fmt.Sprintf("%s%s/content/%d", p.env.URL, p.w, it.ID)),
		chromedp.WaitVisible(chromedp.ID("deliveries")))
	mastodonRow := pg.text(`#deliveries tr[data-network="mastodon"]`)
	telegramRow := pg.text(`#deliveries tr[data-network="telegram"]`)
	if !strings.Contains(mastodonRow, "Published") || !strings.Contains(mastodonRow, "Open the post") {
		t.Errorf("Mastodon's status: %q", mastodonRow)
	}
	if !strings.Contains(telegramRow, "Failed") || !strings.Contains(telegramRow, "Telegram refused the post") ||
		!strings.Contains(telegramRow, "Bad Request") {
		t.Errorf("Telegram's status: %q", telegramRow)
	}
	if got := pg.text(".card .badge"); !strings.Contains(got, "Failed") {
		t.Errorf("the item's own status: %q", got)
	}
	pg.do("open the publish log", chromedp.Navigate(p.env.URL+p.w+"/publishing"), chromedp.WaitVisible(chromedp.CSS("table.publications")))
	if got := pg.text("table.publications"); !strings.Contains(got, "Jadwal layanan KTP keliling") {
		t.Errorf("the publish log: %q", got)
	}
}
