package app_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/bluesky/blueskytest"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/linkedin/linkedintest"
	"warta.dev/warta/internal/channel/mastodon/mastodontest"
	"warta.dev/warta/internal/channel/meta/metatest"
	"warta.dev/warta/internal/channel/telegram/telegramtest"
	"warta.dev/warta/internal/channel/webhook/webhooktest"
	"warta.dev/warta/internal/channel/x/xtest"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/publish"
)

// publishing is a running Warta with one workspace whose owner is signed in.
type publishing struct {
	t     *testing.T
	env   *apptest.Env
	owner *apptest.Browser
	actor audit.Actor
	wsID  int64
	w     string // the workspace's path
	email string
}

// fastEngine makes retries and leases short enough for a test to watch them.
func fastEngine(c *config.Config) {
	c.AllowPrivateURLs = true
	c.PublishLease = 3 * time.Second
	c.PublishBackoff = []time.Duration{300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}
}

func startPublishing(t *testing.T, engine db.Dialect, tweak ...func(*config.Config)) *publishing {
	t.Helper()
	env := apptest.Start(t, engine, append([]func(*config.Config){fastEngine}, tweak...)...)
	pw := "rahasia-sekali-123"
	u, ws, err := env.App.Auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Name: "Oka",
		Password: pw, Role: access.Owner, Workspace: "Humas Kota", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return &publishing{t: t, env: env, owner: env.SignIn("owner@humas.example", pw), actor: audit.Actor{UserID: u.ID, Label: u.Email},
		wsID: ws.ID, w: "/w/" + ws.Slug, email: u.Email}
}

// connectOAuth connects an account as a person does: the connect form, the network's
// authorisation page (which approves at once), and back to Warta's callback.
func (p *publishing) connectOAuth(network channel.Network, values map[string]string) {
	p.t.Helper()
	form := url.Values{}
	for k, v := range values {
		form.Set(k, v)
	}
	r := p.owner.Post(p.w+"/channels/"+string(network)+"/connect", form)
	m := regexp.MustCompile(`id="continue" href="([^"]+)"`).FindStringSubmatch(r.Body)
	if r.Status != http.StatusOK || m == nil {
		p.t.Fatalf("connect %s: %d %s", network, r.Status, apptest.Excerpt(r.Body))
	}
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := plain.Get(html.UnescapeString(m[1]))
	if err != nil {
		p.t.Fatal(err)
	}
	res.Body.Close()
	back := res.Header.Get("Location")
	if !strings.HasPrefix(back, p.env.URL+publish.CallbackPath) {
		p.t.Fatalf("the network sent the user to %q", back)
	}
	r = p.owner.Get(back)
	if r.Status != http.StatusSeeOther || r.Location != p.w+"/channels" {
		p.t.Fatalf("callback: %d %s %s", r.Status, r.Location, apptest.Excerpt(r.Body))
	}
}

// connectForm connects an account of a network connected by a form (an app password, a token).
func (p *publishing) connectForm(network channel.Network, values map[string]string) {
	p.t.Helper()
	form := url.Values{}
	for k, v := range values {
		form.Set(k, v)
	}
	r := p.owner.Post(p.w+"/channels/"+string(network)+"/connect", form)
	if r.Status != http.StatusSeeOther || r.Location != p.w+"/channels" {
		p.t.Fatalf("connect %s: %d %s %s", network, r.Status, r.Location, apptest.Excerpt(r.Body))
	}
}

func (p *publishing) account(network channel.Network) publish.Account {
	p.t.Helper()
	accts, err := p.env.App.Publish.Accounts(context.Background(), p.wsID)
	if err != nil {
		p.t.Fatal(err)
	}
	for _, a := range accts {
		if a.Network == network {
			return a
		}
	}
	p.t.Fatalf("no %s account among %+v", network, accts)
	return publish.Account{}
}

// item saves a content item with the given variants.
func (p *publishing) item(title string, variants ...content.Variant) *content.Item {
	p.t.Helper()
	it, _, err := p.env.App.Content.Save(context.Background(), p.actor, p.wsID, 0, content.Input{Title: title, Lang: "id", Body: title, Variants: variants})
	if err != nil {
		p.t.Fatal(err)
	}
	return it
}

// schedule schedules an item in a second, to the accounts given (nil: the default choice).
func (p *publishing) schedule(it *content.Item, accounts []int64, confirmPaused bool) time.Time {
	p.t.Helper()
	at := time.Now().Add(time.Second)
	zone, _ := time.LoadLocation("Asia/Jakarta")
	if _, err := p.env.App.Content.Schedule(context.Background(), p.actor, p.wsID, it.ID,
		content.When{At: &at, Accounts: accounts, ConfirmPaused: confirmPaused}, zone); err != nil {
		p.t.Fatalf("schedule %q: %v", it.Title, err)
	}
	return at
}

// settle waits until none of an item's publications is pending and returns them.
func (p *publishing) settle(it *content.Item) []publish.Publication {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		pubs, err := p.env.App.Publish.Publications(context.Background(), p.wsID, publish.Filter{ItemID: it.ID})
		if err != nil {
			p.t.Fatal(err)
		}
		done := len(pubs) > 0
		for _, pb := range pubs {
			switch pb.State {
			case publish.Queued, publish.Sending, publish.Retrying, publish.Checking:
				done = false
			}
		}
		if done {
			return pubs
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%q did not settle: %+v", it.Title, pubs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func countText(posts []channeltest.Post, text string) int {
	n := 0
	for _, x := range posts {
		if strings.Contains(x.Text, text) {
			n++
		}
	}
	return n
}

// Scheduled content reaches a Mastodon instance once, on time, through an account connected on
// the Channels page; each failure class ends as the issue says.
func TestPublishingToMastodon(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ms := mastodontest.New()
		defer ms.Close()
		p := startPublishing(t, engine)
		ctx := context.Background()

		if r := p.owner.Get(p.w + "/channels"); !strings.Contains(r.Body, `data-network="mastodon"`) || !strings.Contains(r.Body, p.w+"/channels/mastodon/connect") {
			t.Fatalf("the channels page offers no Mastodon: %s", apptest.Excerpt(r.Body))
		}
		p.connectOAuth(channel.Mastodon, ms.ConnectValues())
		acct := p.account(channel.Mastodon)
		if acct.Health != publish.Working || acct.MaxText != 500 {
			t.Errorf("account after connecting: %+v", acct)
		}
		if r := p.owner.Get(p.w + "/channels"); !strings.Contains(r.Body, acct.Name) {
			t.Errorf("the channels page does not list the account")
		}

		t.Run("on time, once", func(t *testing.T) {
			it := p.item("Vaksinasi", content.Variant{Network: channel.Mastodon, Text: "Vaksinasi gratis di 12 puskesmas mulai Senin."})
			at := p.schedule(it, nil, false)
			pubs := p.settle(it)
			if len(pubs) != 1 || pubs[0].State != publish.Published || pubs[0].RemoteURL == "" {
				t.Fatalf("publications: %+v", pubs)
			}
			if late := pubs[0].PublishedAt.Sub(at); late < 0 || late > 3*time.Second {
				t.Errorf("published %s after its time", late)
			}
			if pubs[0].Zone != "Asia/Jakarta" {
				t.Errorf("planned zone %q", pubs[0].Zone)
			}
			if n := countText(ms.Posts(), "Vaksinasi gratis"); n != 1 {
				t.Errorf("%d copies on the instance", n)
			}
			got, _ := p.env.App.Content.Get(ctx, p.wsID, it.ID)
			if got.Status != content.Published || got.PublishedAt == nil {
				t.Errorf("item status %s", got.Status)
			}
			page := p.owner.Get(fmt.Sprintf("%s/content/%d", p.w, it.ID))
			if !strings.Contains(page.Body, `id="deliveries"`) || !strings.Contains(page.Body, pubs[0].RemoteURL) {
				t.Errorf("the item page does not show where it went: %s", apptest.Excerpt(page.Body))
			}
		})

		t.Run("links carry the campaign's tags", func(t *testing.T) {
			c, err := p.env.App.Campaigns.Create(ctx, p.actor, p.wsID, campaign.Input{Name: "Hari Jadi Kota"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			it, _, err := p.env.App.Content.Save(ctx, p.actor, p.wsID, 0, content.Input{Title: "Hari jadi", Lang: "id", Body: "x", CampaignID: c.ID,
				Variants: []content.Variant{{Network: channel.Mastodon, Text: "Rangkaian acara hari jadi: https://kota.example/hut?hari=1"}}})
			if err != nil {
				t.Fatal(err)
			}
			p.schedule(it, nil, false)
			p.settle(it)
			posts := ms.Posts()
			got := posts[len(posts)-1].Text
			if !strings.Contains(got, "hari=1") || !strings.Contains(got, "utm_source=mastodon") || !strings.Contains(got, "utm_campaign=hari-jadi-kota") {
				t.Errorf("posted %q", got)
			}
		})

		t.Run("reactions are read back", func(t *testing.T) {
			pubs, _ := p.env.App.Publish.Publications(ctx, p.wsID, publish.Filter{State: publish.Published, Limit: 1})
			ms.AddReactions(pubs[0].RemoteID, 12, 4)
			if err := p.env.App.Publish.ReadMetrics(ctx); err != nil {
				t.Fatal(err)
			}
			got, _ := p.env.App.Publish.Publication(ctx, p.wsID, pubs[0].ID)
			if got.Metrics.Likes != 12 || got.Metrics.Reposts != 4 || got.Metrics.Replies != 0 || got.Metrics.Views != -1 {
				t.Errorf("metrics %+v", got.Metrics)
			}
			if page := p.owner.Get(fmt.Sprintf("%s/publishing/%d", p.w, got.ID)); !strings.Contains(page.Body, "12 likes") {
				t.Errorf("the publication page does not show them: %s", apptest.Excerpt(page.Body))
			}
		})

		t.Run("checked again just before publishing", func(t *testing.T) {
			it := p.item("Panjang", content.Variant{Network: channel.Mastodon, Text: strings.Repeat("Info layanan. ", 30)}) // 420 characters
			p.schedule(it, nil, false)
			ms.SetMaxCharacters(400) // the instance lowers its limit after the item was scheduled
			if r := p.owner.Post(fmt.Sprintf("%s/channels/%d/check", p.w, acct.ID), nil); r.Status != http.StatusSeeOther {
				t.Fatalf("check: %d", r.Status)
			}
			pubs := p.settle(it)
			if pubs[0].State != publish.Failed || pubs[0].Attempts != 1 {
				t.Fatalf("over the new limit: %+v", pubs[0])
			}
			if msg := publish.Explain(p.env.App.Bundle.Locale("id", time.UTC), &pubs[0]); !strings.Contains(msg, "420") || !strings.Contains(msg, "400") {
				t.Errorf("the reason in Indonesian: %q", msg)
			}
			if n := countText(ms.Posts(), "Info layanan."); n != 0 {
				t.Errorf("a post over the instance's limit reached it")
			}
			ms.SetMaxCharacters(500)
			p.owner.Post(fmt.Sprintf("%s/channels/%d/check", p.w, acct.ID), nil)
		})

		t.Run("a 500 is retried", func(t *testing.T) {
			ms.FailNext(channeltest.ServerError, 1)
			it := p.item("Banjir", content.Variant{Network: channel.Mastodon, Text: "Posko banjir dibuka di Kelurahan Sukamaju."})
			p.schedule(it, nil, false)
			pubs := p.settle(it)
			if pubs[0].State != publish.Published || pubs[0].Attempts != 2 {
				t.Errorf("after one 500: %+v", pubs[0])
			}
			if n := countText(ms.Posts(), "Posko banjir"); n != 1 {
				t.Errorf("%d copies", n)
			}
		})

		t.Run("a lost answer does not post twice", func(t *testing.T) {
			ms.FailNext(channeltest.LostAnswer, 1)
			it := p.item("Jalan", content.Variant{Network: channel.Mastodon, Text: "Perbaikan jalan protokol selesai Jumat."})
			p.schedule(it, nil, false)
			pubs := p.settle(it)
			if pubs[0].State != publish.Published {
				t.Errorf("after a lost answer: %+v", pubs[0])
			}
			if n := countText(ms.Posts(), "Perbaikan jalan"); n != 1 {
				t.Errorf("%d copies after a lost answer", n)
			}
			att, _ := p.env.App.Publish.Attempts(ctx, p.wsID, pubs[0].ID)
			if len(att) != 2 || att[0].Outcome != "unknown" {
				t.Errorf("publish log: %+v", att)
			}
		})

		t.Run("a refusal stops and says why", func(t *testing.T) {
			ms.FailNext(channeltest.Rejected, 1)
			it := p.item("Pajak", content.Variant{Network: channel.Mastodon, Text: "Batas lapor pajak daerah diperpanjang."})
			p.schedule(it, nil, false)
			pubs := p.settle(it)
			if pubs[0].State != publish.Failed || pubs[0].Attempts != 1 {
				t.Fatalf("after a refusal: %+v", pubs[0])
			}
			page := p.owner.Get(fmt.Sprintf("%s/content/%d", p.w, it.ID))
			if !strings.Contains(page.Body, "Mastodon refused the post") {
				t.Errorf("the item page does not say why: %s", apptest.Excerpt(page.Body))
			}
			if home := p.owner.Get(p.w); !strings.Contains(home.Body, `id="attention"`) || !strings.Contains(home.Body, "2 failed post(s)") {
				t.Errorf("the home page does not ask for attention: %s", apptest.Excerpt(home.Body))
			}
		})

		t.Run("a revoked token asks for reconnection once", func(t *testing.T) {
			ms.Revoke()
			a := p.item("Revoked A", content.Variant{Network: channel.Mastodon, Text: "Pengumuman pertama setelah pencabutan."})
			p.schedule(a, nil, false)
			if pubs := p.settle(a); pubs[0].State != publish.Failed {
				t.Fatalf("after revocation: %+v", pubs[0])
			}
			if got := p.account(channel.Mastodon); got.Health != publish.Reconnect {
				t.Errorf("account health %s", got.Health)
			}
			if subject, _ := p.env.LastMailTo(p.email); !strings.Contains(subject, "needs reconnecting") {
				t.Errorf("owner's mail: %q", subject)
			}
			before := len(ms.Posts())
			b := p.item("Revoked B", content.Variant{Network: channel.Mastodon, Text: "Pengumuman kedua setelah pencabutan."})
			p.schedule(b, nil, false)
			if pubs := p.settle(b); pubs[0].State != publish.Failed {
				t.Fatalf("second post to a revoked account: %+v", pubs[0])
			}
			if len(ms.Posts()) != before {
				t.Error("a post to an account that needs reconnecting reached the network")
			}
			mails, _ := p.env.App.Mailer.List(ctx, 0, 100)
			n := 0
			for _, m := range mails {
				if m.To == p.email && strings.Contains(m.Subject, "needs reconnecting") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d reconnection mails, want 1", n)
			}
			// Reconnecting makes it work again.
			p.connectOAuth(channel.Mastodon, ms.ConnectValues())
			if got := p.account(channel.Mastodon); got.Health != publish.Working {
				t.Errorf("after reconnecting: %s", got.Health)
			}
		})
	})
}

// Pause holds every post whose time passes; resume sends nothing by itself; a person decides.
func TestPauseAndResume(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ms := mastodontest.New()
		defer ms.Close()
		p := startPublishing(t, engine)
		p.connectOAuth(channel.Mastodon, ms.ConnectValues())

		if r := p.owner.Post(p.w+"/publishing/pause", url.Values{"reason": {""}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("a pause without a reason: %d", r.Status)
		}
		if r := p.owner.Post(p.w+"/publishing/pause", url.Values{"reason": {"Duka cita: banjir bandang"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("pause: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if home := p.owner.Get(p.w); !strings.Contains(home.Body, "Publishing is paused") || !strings.Contains(home.Body, "Duka cita: banjir bandang") {
			t.Errorf("no banner on the home page: %s", apptest.Excerpt(home.Body))
		}
		it := p.item("Promo", content.Variant{Network: channel.Mastodon, Text: "Diskon pajak kendaraan akhir tahun!"})
		at := time.Now().Add(time.Second)
		if _, err := p.env.App.Content.Schedule(context.Background(), p.actor, p.wsID, it.ID, content.When{At: &at}, time.UTC); err != content.ErrPausedConfirm {
			t.Fatalf("scheduling while paused without confirming: %v", err)
		}
		p.schedule(it, nil, true)
		pubs := p.settle(it)
		if pubs[0].State != publish.Held {
			t.Fatalf("a post due during the pause: %+v", pubs[0])
		}
		if got, _ := p.env.App.Content.Get(context.Background(), p.wsID, it.ID); got.Status != content.Held {
			t.Errorf("item status %s", got.Status)
		}
		if r := p.owner.Post(p.w+"/publishing/resume", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("resume: %d", r.Status)
		}
		time.Sleep(1500 * time.Millisecond)
		if n := countText(ms.Posts(), "Diskon pajak"); n != 0 {
			t.Fatalf("resume published a held post by itself")
		}
		log := p.owner.Get(p.w + "/publishing")
		if !strings.Contains(log.Body, `id="held"`) {
			t.Fatalf("the publish log does not offer the held post: %s", apptest.Excerpt(log.Body))
		}
		if r := p.owner.Post(p.w+"/publishing/decide", url.Values{"id": {fmt.Sprint(pubs[0].ID)}, "decision": {"publish"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("decide: %d", r.Status)
		}
		if pubs := p.settle(it); pubs[0].State != publish.Published {
			t.Errorf("after 'publish now': %+v", pubs[0])
		}
		if n := countText(ms.Posts(), "Diskon pajak"); n != 1 {
			t.Errorf("%d copies", n)
		}

		// A held post rescheduled to a time given in the workspace's zone goes out at that time.
		if r := p.owner.Post(p.w+"/publishing/pause", url.Values{"reason": {"Rapat koordinasi"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("pause again: %d", r.Status)
		}
		later := p.item("Susulan", content.Variant{Network: channel.Mastodon, Text: "Pengumuman susulan dari Humas."})
		p.schedule(later, nil, true)
		held := p.settle(later)
		if err := p.env.App.Publish.ResumeWorkspace(context.Background(), p.actor, p.wsID); err != nil {
			t.Fatal(err)
		}
		jakarta, _ := time.LoadLocation("Asia/Jakarta")
		at = time.Now().Add(1500 * time.Millisecond).In(jakarta)
		if _, err := p.env.App.Publish.Decide(context.Background(), p.actor, p.wsID, []int64{held[0].ID}, publish.Reschedule, at, ""); err != nil {
			t.Fatal(err)
		}
		if pubs := p.settle(later); pubs[0].State != publish.Published || pubs[0].PublishedAt.Sub(at) > 3*time.Second {
			t.Errorf("rescheduled in WIB: %+v", pubs[0])
		}
	})
}

// Every network through the screens a person uses: each account is connected on the Channels
// page (OAuth networks through their authorisation page, the others with their form), one item
// with a variant per network is scheduled, and at its time every account has the post, once.
func TestEveryNetworkThroughTheScreens(t *testing.T) {
	xs, bs, ms, li, meta, tg, hooks := xtest.New(), blueskytest.New(), mastodontest.New(), linkedintest.New(), metatest.New(), telegramtest.New(), webhooktest.New()
	defer func() {
		xs.Close()
		bs.Close()
		ms.Close()
		li.Close()
		meta.Close()
		tg.Close()
		hooks.Close()
	}()
	p := startPublishing(t, db.SQLite, func(c *config.Config) {
		c.ChannelEndpoints = map[string]string{"x": xs.URL(), "linkedin": li.URL(), "facebook": meta.URL(), "instagram": meta.URL(),
			"threads": meta.URL(), "telegram": tg.URL(), "slack": hooks.URL(), "discord": hooks.URL(), "teams": hooks.URL()}
	})
	ctx := context.Background()
	peers := map[channel.Network]channeltest.Peer{channel.X: xs, channel.Bluesky: bs, channel.Mastodon: ms, channel.LinkedIn: li,
		channel.Facebook: meta.Network(channel.Facebook), channel.Instagram: meta.Network(channel.Instagram), channel.Threads: meta.Network(channel.Threads),
		channel.Telegram: tg}
	for _, n := range []channel.Network{channel.X, channel.Mastodon, channel.LinkedIn, channel.Facebook, channel.Instagram, channel.Threads} {
		p.connectOAuth(n, peers[n].ConnectValues())
	}
	p.connectForm(channel.Bluesky, bs.ConnectValues())
	p.connectForm(channel.Telegram, tg.ConnectValues())
	for _, n := range []channel.Network{channel.Slack, channel.Discord, channel.Teams, channel.Webhook} {
		p.connectForm(n, hooks.ConnectValuesFor(n))
	}

	photo, err := p.env.App.Library.Upload(ctx, p.actor, p.wsID, "posyandu.png", bytes.NewReader(channeltest.PNG()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.env.App.Library.Update(ctx, p.actor, p.wsID, photo.ID, "Kader posyandu menimbang bayi", "Humas", ""); err != nil {
		t.Fatal(err)
	}
	text := "Posyandu keliling hadir Sabtu ini di 12 kelurahan. Bawa buku KIA ya!"
	var variants []content.Variant
	for _, r := range channel.Networks {
		v := content.Variant{Network: r.Network, Text: text}
		if r.RequiresMedia {
			v.Media = []int64{photo.ID}
		}
		variants = append(variants, v)
	}
	it := p.item("Posyandu keliling", variants...)
	p.schedule(it, nil, false)
	pubs := p.settle(it)
	got := map[channel.Network]int{}
	for _, pb := range pubs {
		if pb.State != publish.Published {
			t.Errorf("%s (%s): %s %s", pb.Network, pb.Account, pb.State, publish.Explain(p.env.App.Bundle.Locale("en", time.UTC), &pb))
			continue
		}
		got[pb.Network]++
	}
	for _, r := range channel.Networks {
		if got[r.Network] == 0 {
			t.Errorf("nothing went out on %s", r.Network)
		}
	}
	for n, peer := range peers {
		if c := countText(peer.Posts(), "Posyandu keliling hadir"); c != got[n] {
			t.Errorf("%s holds %d copies for %d publications", n, c, got[n])
		}
	}
}

// The API does what the pages do: pause with a reason, list held publications, decide, resume;
// a viewer may read but not pause.
func TestPublishingAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ms := mastodontest.New()
		defer ms.Close()
		p := startPublishing(t, engine)
		ctx := context.Background()
		p.connectOAuth(channel.Mastodon, ms.ConnectValues())
		token, _, err := p.env.App.Auth.CreateToken(ctx, auth.CLI, p.wsID, p.actor.UserID, "otomasi", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		if code, body := p.env.API("GET", "/api/v1/channels", token, nil); code != http.StatusOK || len(body["items"].([]any)) != 1 {
			t.Errorf("channels: %d %v", code, body)
		}
		if code, body := p.env.API("POST", "/api/v1/workspace/pause", token, map[string]any{"reason": ""}); code != http.StatusUnprocessableEntity {
			t.Errorf("a pause without a reason: %d %v", code, body)
		}
		if code, body := p.env.API("POST", "/api/v1/workspace/pause", token, map[string]any{"reason": "Masa tenang pemilu"}); code != http.StatusOK || body["paused"] != true {
			t.Fatalf("pause: %d %v", code, body)
		}
		it := p.item("Kampanye", content.Variant{Network: channel.Mastodon, Text: "Ayo cek DPT Anda!"})
		p.schedule(it, nil, true)
		p.settle(it)
		code, body := p.env.API("GET", "/api/v1/workspace/pause", token, nil)
		held, _ := body["held"].([]any)
		if code != http.StatusOK || len(held) != 1 {
			t.Fatalf("held: %d %v", code, body)
		}
		id := held[0].(map[string]any)["id"]
		if code, body := p.env.API("DELETE", "/api/v1/workspace/pause", token, nil); code != http.StatusOK || body["paused"] != false {
			t.Fatalf("resume: %d %v", code, body)
		}
		if code, body := p.env.API("POST", "/api/v1/publications/decide", token, map[string]any{"ids": []any{id}, "decision": "cancel"}); code != http.StatusOK || body["decided"] != float64(1) {
			t.Fatalf("decide: %d %v", code, body)
		}
		code, body = p.env.API("GET", fmt.Sprintf("/api/v1/publications?item=%d", it.ID), token, nil)
		items, _ := body["items"].([]any)
		if code != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["state"] != "cancelled" {
			t.Errorf("publications: %d %v", code, body)
		}
		if n := countText(ms.Posts(), "cek DPT"); n != 0 {
			t.Errorf("a cancelled post went out")
		}
		viewer, _, err := p.env.App.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "viewer@humas.example", Name: "Vina",
			Password: "rahasia-sekali-123", Role: access.Viewer, Workspace: p.w[3:], Lang: "id"})
		if err != nil {
			t.Fatal(err)
		}
		vt, _, err := p.env.App.Auth.CreateToken(ctx, auth.CLI, p.wsID, viewer.ID, "baca", access.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := p.env.API("GET", "/api/v1/workspace/pause", vt, nil); code != http.StatusOK {
			t.Errorf("a viewer reading the pause: %d", code)
		}
		if code, _ := p.env.API("POST", "/api/v1/workspace/pause", vt, map[string]any{"reason": "x"}); code != http.StatusForbidden {
			t.Errorf("a viewer pausing: %d", code)
		}
	})
}

// An instance with its own text limit is counted by it in the editor, not only at publish time.
func TestMastodonInstanceLimitInTheEditor(t *testing.T) {
	ms := mastodontest.New()
	defer ms.Close()
	ms.SetMaxCharacters(100)
	p := startPublishing(t, db.SQLite)
	p.connectOAuth(channel.Mastodon, ms.ConnectValues())
	long := strings.Repeat("Informasi layanan publik. ", 5) // 130 characters
	_, probs, _ := p.env.App.Content.Save(context.Background(), p.actor, p.wsID, 0, content.Input{Title: "Panjang", Lang: "id", Body: "x",
		Variants: []content.Variant{{Network: channel.Mastodon, Text: long}}})
	if len(probs.Variants) != 1 || probs.Variants[0].Key != channel.ProblemTextTooLong || fmt.Sprint(probs.Variants[0].Args) != "[Length 130 Max 100]" {
		t.Fatalf("a 130-character toot on a 100-character instance: %+v", probs)
	}
	r := p.owner.Post(p.w+"/content/count", url.Values{"network": {"mastodon"}, "text_mastodon": {long}})
	if !strings.Contains(r.Body, "130") || !strings.Contains(r.Body, "100") || !strings.Contains(r.Body, "over") {
		t.Errorf("the live counter: %s", r.Body)
	}
}

// A long X text goes out as a thread when the person asks for it in the editor, and is refused
// with the limit when they do not.
func TestXThreadWhenAsked(t *testing.T) {
	xs := xtest.New()
	defer xs.Close()
	p := startPublishing(t, db.SQLite, func(c *config.Config) { c.ChannelEndpoints = map[string]string{"x": xs.URL()} })
	p.connectOAuth(channel.X, xs.ConnectValues())
	long := strings.Repeat("Jalan Sudirman ditutup untuk kirab budaya pada Minggu pagi. ", 11) // 660 characters
	form := url.Values{"title": {"Kirab budaya"}, "lang": {"id"}, "body": {"Kirab"}, "variant_x": {"on"}, "text_x": {long}}
	if r := p.owner.Post(p.w+"/content", form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "280") {
		t.Fatalf("a 660-character post without a thread: %d %s", r.Status, apptest.Excerpt(r.Body))
	}
	form.Set("thread_x", "on")
	r := p.owner.Post(p.w+"/content", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("with a thread: %d %s", r.Status, apptest.Excerpt(r.Body))
	}
	items, _, err := p.env.App.Content.List(context.Background(), p.wsID, content.Filter{Query: "Kirab"})
	if err != nil || len(items) != 1 {
		t.Fatalf("items %v %v", items, err)
	}
	it, _ := p.env.App.Content.Get(context.Background(), p.wsID, items[0].ID)
	if page := p.owner.Get(fmt.Sprintf("%s/content/%d", p.w, it.ID)); !strings.Contains(page.Body, `name="thread_x" checked`) {
		t.Errorf("the editor lost the thread choice")
	}
	p.schedule(it, nil, false)
	if pubs := p.settle(it); pubs[0].State != publish.Published {
		t.Fatalf("publication %+v", pubs[0])
	}
	posts := xs.Posts()
	if len(posts) != 3 || posts[1].ReplyTo != posts[0].ID || posts[2].ReplyTo != posts[1].ID || !strings.HasSuffix(strings.TrimSpace(posts[0].Text), "(1/3)") {
		t.Errorf("the thread on X: %+v", posts)
	}
}

// Telegram cannot be asked whether a post whose answer was lost went out: Warta does not guess,
// the post waits as uncertain, and the person who checks the channel marks it published.
func TestUncertainWaitsForAPerson(t *testing.T) {
	tg := telegramtest.New()
	defer tg.Close()
	p := startPublishing(t, db.SQLite, func(c *config.Config) { c.ChannelEndpoints = map[string]string{"telegram": tg.URL()} })
	p.connectForm(channel.Telegram, tg.ConnectValues())
	tg.FailNext(channeltest.LostAnswer, 1)
	it := p.item("Info PDAM", content.Variant{Network: channel.Telegram, Text: "Aliran air PDAM terhenti sementara di Kecamatan Utara."})
	p.schedule(it, nil, false)
	pubs := p.settle(it)
	if pubs[0].State != publish.Uncertain || len(tg.Posts()) != 1 {
		t.Fatalf("after a lost answer: %+v, %d posts", pubs[0], len(tg.Posts()))
	}
	log := p.owner.Get(p.w + "/publishing")
	if !strings.Contains(log.Body, `id="uncertain"`) || !strings.Contains(log.Body, "Info PDAM") {
		t.Fatalf("the publish log does not ask: %s", apptest.Excerpt(log.Body))
	}
	if r := p.owner.Post(p.w+"/publishing/decide", url.Values{"id": {fmt.Sprint(pubs[0].ID)}, "decision": {"mark_published"},
		"url": {"https://t.me/wartatest/1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("decide: %d", r.Status)
	}
	got, _ := p.env.App.Publish.Publication(context.Background(), p.wsID, pubs[0].ID)
	if got.State != publish.Published || got.RemoteURL != "https://t.me/wartatest/1" || len(tg.Posts()) != 1 {
		t.Errorf("after marking it published: %+v, %d posts", got, len(tg.Posts()))
	}
}

// An instance address inside a private network is refused when connecting, in plain words.
func TestConnectRefusesPrivateAddresses(t *testing.T) {
	p := startPublishing(t, db.SQLite, func(c *config.Config) { c.AllowPrivateURLs = false })
	r := p.owner.Post(p.w+"/channels/mastodon/connect", url.Values{"server": {"http://127.0.0.1:9/"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "private network") {
		t.Errorf("a loopback instance: %d %s", r.Status, apptest.Excerpt(r.Body))
	}
}

// A post whose answer was lost is looked for by the text that was sent, even when the item is
// edited before the next attempt: the network keeps one post.
func TestLostAnswerThenEditDoesNotPostTwice(t *testing.T) {
	xs := xtest.New()
	defer xs.Close()
	p := startPublishing(t, db.SQLite, func(c *config.Config) {
		c.ChannelEndpoints = map[string]string{"x": xs.URL()}
		c.PublishBackoff = []time.Duration{3 * time.Second, 3 * time.Second}
	})
	ctx := context.Background()
	p.connectOAuth(channel.X, xs.ConnectValues())
	xs.FailNext(channeltest.LostAnswer, 1)
	it := p.item("Vaksin", content.Variant{Network: channel.X, Text: "Vaksinasi dosis kedua dibuka Senin di puskesmas."})
	p.schedule(it, nil, false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		pubs, _ := p.env.App.Publish.Publications(ctx, p.wsID, publish.Filter{ItemID: it.ID})
		if len(pubs) == 1 && pubs[0].State == publish.Checking {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never checking: %+v", pubs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cur, _ := p.env.App.Content.Get(ctx, p.wsID, it.ID)
	if _, _, err := p.env.App.Content.Save(ctx, p.actor, p.wsID, it.ID, content.Input{Title: cur.Title, Lang: cur.Lang, Body: cur.Body,
		BaseVersion: cur.Version, Variants: []content.Variant{{Network: channel.X, Text: "Vaksinasi dosis kedua dibuka Senin di 12 puskesmas."}}}); err != nil {
		t.Fatal(err)
	}
	pubs := p.settle(it)
	if pubs[0].State != publish.Published || len(xs.Posts()) != 1 {
		t.Errorf("after a lost answer and an edit: %+v, %d posts on X", pubs[0], len(xs.Posts()))
	}
}
