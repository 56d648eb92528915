package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/auth/authtest"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/webhook/webhooktest"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/monitor"
	"warta.dev/warta/internal/monitor/corpus"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// newsSite is an outlet's web site on loopback: a page that links its feed, and the feed, whose
// stories a test can add to.
type newsSite struct {
	srv      *httptest.Server
	mu       sync.Mutex
	articles []corpus.Article
}

func startNewsSite(t *testing.T) *newsSite {
	n := &newsSite{}
	mux := http.NewServeMux()
	mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		n.mu.Lock()
		body := corpus.RSS("Kabar Jatim", n.srv.URL+"/", n.articles)
		n.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = w.Write(body)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Kabar Jatim</title>
<link rel="alternate" type="application/rss+xml" title="Kabar Jatim: Berita terbaru" href="/rss.xml"></head>
<body><h1>Kabar Jatim</h1><p>Berita terkini Jawa Timur.</p></body></html>`)
	})
	n.srv = httptest.NewServer(mux)
	t.Cleanup(n.srv.Close)
	return n
}

func (n *newsSite) add(a ...corpus.Article) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.articles = append(n.articles, a...)
}

func story(base, path, title, body string, at time.Time) corpus.Article {
	return corpus.Article{GUID: base + path, URL: base + path, Title: title, Author: "Dewi Lestari", Lang: "id", Summary: body, Body: body, Published: at}
}

const (
	healthBody = "Pemerintah Kota Sukamaju membuka layanan cek kesehatan gratis di 30 puskesmas mulai Senin. Warga cukup membawa KTP " +
		"untuk memeriksakan tekanan darah, gula darah dan kolesterol. Wali Kota Hendra Kurniawan berharap layanan ini membantu warga " +
		"mengenali penyakit sejak dini dan mengapresiasi petugas puskesmas yang bekerja keras."
	floodBody = "Warga Sukamaju Utara mengeluhkan penanganan banjir yang lambat. Air setinggi lutut merendam rumah selama dua hari dan " +
		"bantuan belum juga datang, kata warga yang kecewa dan menuntut pemerintah kota bertindak cepat."
)

// A communications officer follows an outlet and watches the city's name: the query editor shows
// where a query is wrong and what it would match; the story syndicated on a second address is
// counted once with its copy listed; each story has a sentiment a person can override for good;
// triage marks stories; another workspace sees none of it; and a burst of stories on the floods
// raises one spike alert, by email, however often the rules are checked.
func TestMonitoringFollowsSourcesAndRaisesOneAlert(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env, owner, ws := startMonitoring(t, engine, "en")
		ctx := context.Background()
		a := env.App
		const pw = monitorPassword
		_, other, err := a.Auth.CreateUserWithWorkspace(ctx, auth.CLI, "humas@sumberjaya.example", "Bayu", pw, "en", "Humas Sumberjaya", "Asia/Jakarta")
		if err != nil {
			t.Fatal(err)
		}
		site := startNewsSite(t)
		now := time.Now().UTC()
		site.add(
			story(site.srv.URL, "/antara/cek-kesehatan", "Pemkot Sukamaju buka cek kesehatan gratis di 30 puskesmas", healthBody, now.Add(-5*time.Hour)),
			story(site.srv.URL, "/jatim/cek-kesehatan-gratis?utm_source=antara&utm_medium=rss", "Cek kesehatan gratis di 30 puskesmas Sukamaju",
				"Kabar Jatim – "+healthBody, now.Add(-4*time.Hour)),
			story(site.srv.URL, "/banjir-lambat", "Warga keluhkan penanganan banjir yang lambat di Sukamaju", floodBody, now.Add(-3*time.Hour)),
			story(site.srv.URL, "/cabai", "Harga cabai naik di pasar Surabaya", "Harga cabai rawit di pasar tradisional Surabaya naik menjadi Rp 80.000 per kilogram.", now.Add(-2*time.Hour)),
		)
		b := env.SignIn(owner.Email, pw)
		base := "/w/" + ws.Slug + "/monitoring"

		// A web page is not a feed: the form says so and offers the feed the page links.
		r := b.Post(base+"/sources", url.Values{"kind": {"feed"}, "url": {site.srv.URL + "/"}, "interval": {"900"}})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Body, "Kabar Jatim: Berita terbaru") || !strings.Contains(r.Body, "/rss.xml") {
			t.Errorf("the refusal does not offer the page's feed: %s", apptest.Excerpt(r.Body))
		}
		// The topic comes first, so the first poll already matches it.
		r = b.Post(base+"/topics", url.Values{"name": {"Pemkot Sukamaju"}, "kind": {"brand"}, "query": {`(sukamaju OR "hendra kurniawan"`}})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Body, "position 1") {
			t.Errorf("the query error does not say where: %s", apptest.Excerpt(r.Body))
		}
		r = b.Post(base+"/topics", url.Values{"name": {"Pemkot Sukamaju"}, "kind": {"brand"}, "query": {`sukamaju OR "hendra kurniawan"`}})
		mustStatus(t, r, http.StatusSeeOther)
		r = b.Post(base+"/topics", url.Values{"name": {"Banjir"}, "kind": {"issue"}, "query": {`banjir sukamaju`}})
		mustStatus(t, r, http.StatusSeeOther)
		r = b.Post(base+"/sources", url.Values{"kind": {"feed"}, "url": {site.srv.URL + "/rss.xml"}, "interval": {"900"}})
		mustStatus(t, r, http.StatusSeeOther)

		topics, err := a.Monitor.Topics(ctx, ws.ID)
		if err != nil || len(topics) != 2 {
			t.Fatalf("topics: %v %v", topics, err)
		}
		brand, flood := topics[0], topics[1]
		if brand.Kind != "brand" {
			brand, flood = flood, brand
		}
		inbox := b.Get(fmt.Sprintf("%s?topic=%d", base, brand.ID))
		mustStatus(t, inbox, http.StatusOK)
		text := authtest.Text(inbox.Body)
		if strings.Count(inbox.Body, `class="mention-title"`) != 2 || !strings.Contains(text, "+1 copies") || strings.Contains(text, "cabai") {
			t.Errorf("the brand's inbox should hold the health story once (with its copy) and the flood story: %s", text)
		}
		if !strings.Contains(inbox.Body, "<mark>Sukamaju</mark>") {
			t.Errorf("the matched word is not highlighted")
		}
		mentions, err := a.Monitor.Mentions(ctx, ws.ID, monitorFilter(brand.ID))
		if err != nil || len(mentions) != 2 {
			t.Fatalf("mentions: %d %v", len(mentions), err)
		}
		var health, floods int64
		for _, m := range mentions {
			switch {
			case strings.Contains(m.Item.Title, "kesehatan"):
				health = m.ID
				if m.Item.Sentiment != "positive" || m.CopyCount != 1 {
					t.Errorf("the health story: sentiment %s, %d copies", m.Item.Sentiment, m.CopyCount)
				}
			case strings.Contains(m.Item.Title, "banjir"):
				floods = m.ID
				if m.Item.Sentiment != "negative" {
					t.Errorf("the flood complaint reads %s", m.Item.Sentiment)
				}
			}
		}
		page := b.Get(fmt.Sprintf("%s/mentions/%d", base, health))
		if !strings.Contains(page.Body, "/jatim/cek-kesehatan-gratis") {
			t.Errorf("the story's page does not list its copy")
		}

		// The editor's preview shows what a query would match, and why, without saving it.
		r = b.Get(base + "/topics/preview?" + url.Values{"name": {"x"}, "kind": {"issue"}, "query": {"puskesmas NEAR/3 gratis"}}.Encode())
		if !strings.Contains(authtest.Text(r.Body), "1 of the latest 3 stories match") || !strings.Contains(r.Body, "<code>puskesmas</code>") {
			t.Errorf("preview: %s", authtest.Text(r.Body[strings.Index(r.Body, `id="preview"`):]))
		}

		// Triage in bulk, a label, and a person's sentiment that stays.
		r = b.Post(base+"/mentions/triage", url.Values{"ids": {fmt.Sprint(health), fmt.Sprint(floods)}, "action": {"relevant"}})
		mustStatus(t, r, http.StatusSeeOther)
		r = b.Post(fmt.Sprintf("%s/mentions/%d", base, floods), url.Values{"action": {"label"}, "label": {"Perlu Tanggapan"}})
		mustStatus(t, r, http.StatusSeeOther)
		r = b.Post(fmt.Sprintf("%s/mentions/%d/sentiment", base, health), url.Values{"sentiment": {"neutral"}})
		mustStatus(t, r, http.StatusSeeOther)
		site.add(story(site.srv.URL, "/pasar", "Pasar murah di alun-alun Sukamaju", "Pemkot Sukamaju menggelar pasar murah di alun-alun.", now.Add(-time.Hour)))
		src, err := a.Monitor.Sources(ctx, ws.ID)
		if err != nil || len(src) != 1 {
			t.Fatalf("sources: %v %v", src, err)
		}
		if err := a.Monitor.PollSource(ctx, ws.ID, src[0].ID); err != nil {
			t.Fatal(err)
		}
		m, err := a.Monitor.Mention(ctx, ws.ID, health)
		if err != nil || m.State != "relevant" || m.Item.Sentiment != "neutral" || m.Item.SentimentBy != owner.ID {
			t.Errorf("after another poll the health story is %+v (%v)", m, err)
		}
		if m, _ := a.Monitor.Mention(ctx, ws.ID, floods); len(m.Labels) != 1 || m.Labels[0] != "perlu tanggapan" {
			t.Errorf("labels: %v", m.Labels)
		}
		if n, _ := a.Monitor.CountMentions(ctx, ws.ID, monitorFilter(brand.ID)); n != 3 {
			t.Errorf("after the new story the brand has %d stories, want 3", n)
		}

		// Another workspace sees none of it.
		intruder := env.SignIn("humas@sumberjaya.example", pw)
		if r := intruder.Get(fmt.Sprintf("/w/%s/monitoring/mentions/%d", other.Slug, health)); r.Status != http.StatusNotFound {
			t.Errorf("another workspace opens the mention: %d", r.Status)
		}
		if r := intruder.Get("/w/" + other.Slug + "/monitoring"); strings.Contains(r.Body, "kesehatan") {
			t.Error("another workspace's inbox shows the mention")
		}

		// A spike: eight flood stories within the hour, against none before.
		r = b.Post(base+"/alerts/rules", url.Values{"topic_id": {fmt.Sprint(flood.ID)}, "kind": {"spike"}, "factor": {"3"}, "min_count": {"5"},
			"window": {"60"}, "baseline_days": {"7"}, "quiet": {"360"}, "emails": {fmt.Sprint(owner.ID)}, "enabled": {"on"}})
		mustStatus(t, r, http.StatusSeeOther)
		for i, body := range floodReports {
			site.add(story(site.srv.URL, fmt.Sprintf("/banjir/%d", i), fmt.Sprintf("Banjir Sukamaju: laporan %d", i+1), body,
				now.Add(-time.Duration(i+1)*time.Minute)))
		}
		if err := a.Monitor.PollSource(ctx, ws.ID, src[0].ID); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := a.Monitor.CheckAlerts(ctx); err != nil {
				t.Fatal(err)
			}
		}
		alerts, err := a.Monitor.Alerts(ctx, ws.ID, 10)
		if err != nil || len(alerts) != 1 || alerts[0].Kind != "spike" || alerts[0].Count != 8 {
			t.Fatalf("alerts: %+v %v", alerts, err)
		}
		subject, _ := env.LastMailTo(owner.Email)
		if !strings.Contains(subject, "Volume spike on Banjir: 8 mentions in 60 minutes") {
			t.Errorf("the alert email: %q", subject)
		}
		var mails int
		if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM mail_messages WHERE to_addr = ? AND subject LIKE ?`, owner.Email, "%spike%").Scan(&mails); err != nil || mails != 1 {
			t.Errorf("%d alert emails (%v), want 1", mails, err)
		}
		if r := b.Get(fmt.Sprintf("%s/alerts/%d", base, alerts[0].ID)); !regexp.MustCompile(`8 mentions in the window`).MatchString(authtest.Text(r.Body)) {
			t.Errorf("the alert page: %s", apptest.Excerpt(authtest.Text(r.Body)))
		}
		// The home page shows the alert and what waits to be triaged.
		if home := authtest.Text(b.Get("/w/" + ws.Slug).Body); !strings.Contains(home, "Volume spike: Banjir") ||
			!regexp.MustCompile(`\d+ new mentions to triage`).MatchString(home) {
			t.Errorf("the home page: %s", apptest.Excerpt(home))
		}
	})
}

// monitorPassword is the password of startMonitoring's officer.
const monitorPassword = "rahasia-sekali-123"

// startMonitoring runs Warta able to read feeds on loopback, with an owner of the city's workspace
// who reads the app in lang.
func startMonitoring(t *testing.T, engine db.Dialect, lang string) (*apptest.Env, *auth.User, *auth.Workspace) {
	t.Helper()
	env := apptest.Start(t, engine, func(c *config.Config) { c.AllowPrivateURLs = true })
	owner, ws, err := env.App.Auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: "humas@sukamaju.example",
		Name: "Ratna Sari", Password: monitorPassword, Role: access.Owner, Workspace: "Humas Kota Sukamaju", Lang: lang, Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	return env, owner, ws
}

// floodReports are eight different stories of one flood, as eight outlets would write them.
var floodReports = []string{
	"Banjir merendam ratusan rumah di Sukamaju Utara sejak dini hari setelah hujan deras mengguyur semalaman.",
	"BPBD Kota Sukamaju mengevakuasi 120 warga lanjut usia ke masjid terdekat karena air terus naik.",
	"Jalan provinsi penghubung Sukamaju dan Sumberjaya lumpuh, kendaraan terjebak genangan setinggi pinggang.",
	"Sekolah dasar di tiga kelurahan Sukamaju meliburkan siswa karena ruang kelas terendam banjir.",
	"Pedagang pasar induk Sukamaju merugi puluhan juta rupiah, dagangan sayur hanyut terbawa arus.",
	"PLN memadamkan listrik di 14 gardu Sukamaju untuk mencegah korsleting selama banjir berlangsung.",
	"Relawan dapur umum menyiapkan 3.000 bungkus nasi bagi pengungsi banjir di balai kota Sukamaju.",
	"Wali Kota meninjau tanggul Kali Jaya yang jebol dan menjanjikan perbaikan permanen tahun depan; banjir Sukamaju belum surut.",
}

func monitorFilter(topic int64) monitor.MentionFilter {
	return monitor.MentionFilter{TopicID: topic, State: "any", Limit: 100}
}

func mustStatus(t *testing.T, r apptest.Response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, apptest.Excerpt(authtest.Text(r.Body)))
	}
}

// A source that breaks is told in plain words on the health view, backs off, and holds up no
// other source; a private address is refused when the source is added; the API triages, overrides
// sentiment and names where a query is wrong.
func TestMonitoringSourceProblemsAndAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env, owner, ws := startMonitoring(t, engine, "id")
		ctx := context.Background()
		a := env.App
		const pw = monitorPassword
		good, bad := startNewsSite(t), startNewsSite(t)
		now := time.Now().UTC()
		good.add(story(good.srv.URL, "/banjir-lambat", "Warga keluhkan penanganan banjir yang lambat di Sukamaju", floodBody, now.Add(-time.Hour)))
		bad.add(story(bad.srv.URL, "/mpp", "MPP Sukamaju buka hari Sabtu", "Mal Pelayanan Publik Sukamaju kini buka hari Sabtu.", now.Add(-time.Hour)))
		b := env.SignIn(owner.Email, pw)
		base := "/w/" + ws.Slug + "/monitoring"
		mustStatus(t, b.Post(base+"/topics", url.Values{"name": {"Sukamaju"}, "kind": {"brand"}, "query": {"sukamaju"}}), http.StatusSeeOther)
		for _, site := range []*newsSite{good, bad} {
			mustStatus(t, b.Post(base+"/sources", url.Values{"kind": {"feed"}, "url": {site.srv.URL + "/rss.xml"}, "interval": {"300"}}), http.StatusSeeOther)
		}
		// The second outlet's feed breaks; both are due again.
		bad.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Kabar</title><item><title>Banjir`)
		})
		good.add(story(good.srv.URL, "/posko", "Posko banjir Balai Kota Sukamaju buka 24 jam", "Posko banjir di Balai Kota Sukamaju buka 24 jam.", now))
		if _, err := a.DB.Exec(ctx, `UPDATE monitor_sources SET next_poll_at = ?`, now.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if n, err := a.Monitor.PollDue(ctx); err != nil || n != 2 {
			t.Fatalf("polled %d (%v), want 2", n, err)
		}
		if got, _ := a.Monitor.CountMentions(ctx, ws.ID, monitor.MentionFilter{}); got != 3 {
			t.Errorf("%d mentions after the poll, want 3 (the broken feed holds up nothing)", got)
		}
		health := authtest.Text(b.Get(base + "/sources").Body)
		if !strings.Contains(health, "1 bermasalah") || !strings.Contains(health, "baris 1") {
			t.Errorf("the health view does not say what broke: %s", health)
		}
		sources, _ := a.Monitor.Sources(ctx, ws.ID)
		for _, s := range sources {
			if s.LastError != "" && (s.Failures != 1 || !s.NextPollAt.After(now.Add(5*time.Minute))) {
				t.Errorf("the broken source should back off past its 5 minutes: failures %d, next poll %s", s.Failures, s.NextPollAt)
			}
		}

		tok, _, err := a.Auth.CreateToken(ctx, auth.CLI, ws.ID, owner.ID, "skrip", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		status, body := env.API("POST", "/api/v1/topics", tok, map[string]any{"name": "Banjir", "kind": "issue", "query": `banjir AND (sukamaju`})
		fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(fields["query"]), "posisi 12") {
			t.Errorf("a broken query over the API: %d %v", status, body)
		}
		status, body = env.API("GET", "/api/v1/mentions?q=banjir", tok, nil)
		items, _ := body["items"].([]any)
		if status != http.StatusOK || len(items) != 2 {
			t.Fatalf("mentions over the API: %d %v", status, body)
		}
		first := items[0].(map[string]any)
		path := fmt.Sprintf("/api/v1/mentions/%v", first["id"])
		status, body = env.API("PATCH", path, tok, map[string]any{"state": "flagged", "add_labels": []string{"Perlu tanggapan"}, "sentiment": "positive"})
		if status != http.StatusOK || body["state"] != "flagged" || body["sentiment"] != "positive" || body["sentiment_set_by"] != "person" ||
			fmt.Sprint(body["labels"]) != "[perlu tanggapan]" {
			t.Errorf("triage over the API: %d %v", status, body)
		}
		status, body = env.API("PATCH", path, tok, map[string]any{"sentiment": "auto"})
		if status != http.StatusOK || body["sentiment_set_by"] != "lexicon" {
			t.Errorf("back to the computed sentiment: %d %v", status, body)
		}
	})
}

// A source on an address inside the network is refused, in the user's words, and nothing is saved.
func TestMonitoringRefusesPrivateAddresses(t *testing.T) {
	env := apptest.Start(t, db.SQLite)
	ctx := context.Background()
	owner, ws, err := env.App.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "humas@sukamaju.example", Name: "Ratna Sari",
		Password: "rahasia-sekali-123", Role: access.Owner, Workspace: "Humas Kota Sukamaju", Lang: "id", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	site := startNewsSite(t)
	b := env.SignIn(owner.Email, "rahasia-sekali-123")
	r := b.Post("/w/"+ws.Slug+"/monitoring/sources", url.Values{"kind": {"feed"}, "url": {site.srv.URL + "/rss.xml"}, "interval": {"900"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(authtest.Text(r.Body), "jaringan internal") {
		t.Errorf("the refusal: %s", apptest.Excerpt(authtest.Text(r.Body)))
	}
	if sources, _ := env.App.Monitor.Sources(ctx, ws.ID); len(sources) != 0 {
		t.Errorf("%d sources saved", len(sources))
	}
}

// An alert also goes to the team's chats: one message to the connected Slack and one to the
// Teams channel, each recorded as sent, and checking the rules again sends nothing more.
func TestMonitoringAlertsReachChat(t *testing.T) {
	hooks := webhooktest.New()
	defer hooks.Close()
	p := startPublishing(t, db.SQLite, func(c *config.Config) {
		c.ChannelEndpoints = map[string]string{"slack": hooks.URL(), "teams": hooks.URL()}
	})
	ctx := context.Background()
	a := p.env.App
	p.connectForm(channel.Slack, hooks.ConnectValuesFor(channel.Slack))
	p.connectForm(channel.Teams, hooks.ConnectValuesFor(channel.Teams))
	slack, teams := p.account(channel.Slack), p.account(channel.Teams)
	site := startNewsSite(t)
	site.add(story(site.srv.URL, "/mpp", "MPP Sukamaju buka hari Sabtu", "Mal Pelayanan Publik Sukamaju kini buka hari Sabtu.", time.Now().Add(-time.Hour)))
	base := p.w + "/monitoring"
	mustStatus(t, p.owner.Post(base+"/topics", url.Values{"name": {"Sukamaju"}, "kind": {"brand"}, "query": {"sukamaju"}}), http.StatusSeeOther)
	topics, _ := a.Monitor.Topics(ctx, p.wsID)
	mustStatus(t, p.owner.Post(base+"/alerts/rules", url.Values{"topic_id": {fmt.Sprint(topics[0].ID)}, "kind": {"mention"}, "quiet": {"60"},
		"accounts": {fmt.Sprint(slack.ID), fmt.Sprint(teams.ID)}, "enabled": {"on"}}), http.StatusSeeOther)
	mustStatus(t, p.owner.Post(base+"/sources", url.Values{"kind": {"feed"}, "url": {site.srv.URL + "/rss.xml"}, "interval": {"900"}}), http.StatusSeeOther)
	for range 2 {
		if err := a.Monitor.CheckAlerts(ctx); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(hooks.Posts()) < 2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // room for a duplicate to arrive, were there one
	posts := hooks.Posts()
	if len(posts) != 2 {
		t.Fatalf("%d chat messages, want one to Slack and one to Teams: %+v", len(posts), posts)
	}
	for _, m := range posts {
		if !strings.Contains(m.Text, "New mentions of Sukamaju: 1") || !strings.Contains(m.Text, "/monitoring/alerts/") {
			t.Errorf("the chat message: %q", m.Text)
		}
	}
	alerts, _ := a.Monitor.Alerts(ctx, p.wsID, 10)
	if len(alerts) != 1 {
		t.Fatalf("%d alerts", len(alerts))
	}
	page := authtest.Text(p.owner.Get(fmt.Sprintf("%s/alerts/%d", base, alerts[0].ID)).Body)
	if strings.Count(page, "sent") != 2 {
		t.Errorf("the alert page should show both messages sent: %s", apptest.Excerpt(page))
	}
}
