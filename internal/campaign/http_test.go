package campaign_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/web"
)

// site is the part of Warta the campaign pages need, on loopback: accounts and sessions from
// auth, the web shell, and this package with the test's content-studio peer.
type site struct {
	t     *testing.T
	url   string
	auth  *auth.Service
	s     *campaign.Service
	items *items
	ws    *auth.Workspace
}

const pw = "kopi-tubruk-pahit"

func startSite(t *testing.T, engine db.Dialect) *site {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, campaign.Migrations, peerSchema)
	bundle, err := i18n.NewBundle(catalog.Common, auth.Catalog, campaign.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srvURL := "http://127.0.0.1"
	as := auth.NewService(d, nil, bundle, srvURL, log) // nothing here sends mail
	sessions, _ := web.NewSessions(d, srvURL)
	guard := auth.NewGuard(as, sessions)
	nav := []web.NavItem{{Key: "nav.content.campaigns", Path: "/campaigns", Perm: access.ContentView}}
	rd, err := web.NewRenderer(sessions, nav, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(guard, sessions, bundle, rd, log)
	authPages, err := auth.NewHandlers(as, guard, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &site{t: t, auth: as, items: &items{d: d}}
	st.s = campaign.NewService(d, nil) // as the app wires it: the content studio comes after
	st.s.SetScheduled(st.items)
	h, err := campaign.NewHandlers(st.s, srv)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(authPages.Routes()...)
	srv.Handle(h.Routes()...)
	srv.Handle(h.APIRoutes()...)
	hs := httptest.NewServer(srv.Mux())
	t.Cleanup(hs.Close)
	st.url = hs.URL
	_, st.ws, err = as.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Password: pw, Role: access.Owner,
		Workspace: "Humas Kota", Lang: "en", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// member adds someone to the workspace with a role and language, and returns their user id.
func (st *site) member(email string, role access.Role, lang string) int64 {
	st.t.Helper()
	u, _, err := st.auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: email, Password: pw, Role: role, Workspace: st.ws.Slug, Lang: lang})
	if err != nil {
		st.t.Fatal(err)
	}
	return u.ID
}

type browser struct {
	st *site
	c  *http.Client
}

type page struct {
	status   int
	body     string
	location string
}

func (st *site) signIn(email string) *browser {
	st.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{st: st, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if r := b.post("/login", url.Values{"email": {email}, "password": {pw}}); r.status != http.StatusSeeOther {
		st.t.Fatalf("sign in %s: %d", email, r.status)
	}
	return b
}

func (b *browser) do(req *http.Request) page {
	b.st.t.Helper()
	req.Header.Set("Accept-Language", "en")
	res, err := b.c.Do(req)
	if err != nil {
		b.st.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, body: string(raw), location: res.Header.Get("Location")}
}

func (b *browser) get(path string, header ...string) page {
	req, _ := http.NewRequest("GET", b.st.url+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	req, _ := http.NewRequest("POST", b.st.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) follow(p page) page {
	b.st.t.Helper()
	if p.status != http.StatusSeeOther {
		b.st.t.Fatalf("expected a redirect, got %d: %s", p.status, text(p.body))
	}
	return b.get(p.location)
}

var tags = regexp.MustCompile(`(?s)<head>.*</head>|<[^>]+>`)

// text is what a person reads on the page, for failure messages and checks of sentences.
func text(body string) string {
	return html.UnescapeString(strings.Join(strings.Fields(tags.ReplaceAllString(body, " ")), " "))
}

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

func mustSee(t *testing.T, what string, p page, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.body, w) && !strings.Contains(text(p.body), w) {
			t.Errorf("%s (%d) does not show %q:\n%s", what, p.status, w, text(p.body))
		}
	}
}

// An editor plans a launch: a form with mistakes keeps what was typed and says what to fix; the
// campaign page lists the items scheduled relative to the anchor; moving the anchor shows the
// shift first and applies it on confirmation; the UTM tags and the link builder work with and
// without htmx; a stale save is refused without losing the typing.
func TestCampaignPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		st.member("editor@humas.example", access.Editor, "en")
		ed := st.signIn("editor@humas.example")

		r := ed.get(st.path("/campaigns"))
		mustSee(t, "empty list", r, "No campaigns yet", `href="/w/humas-kota/campaigns/new"`)

		r = ed.post(st.path("/campaigns"), url.Values{"name": {""}, "colour": {"merah"}, "starts_on": {"2026-12-01"}, "ends_on": {"2026-11-30"},
			"description": {"Aplikasi layanan warga"}, "anchor_date": {"2026-12-03"}, "anchor_time": {""}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d", r.status)
		}
		mustSee(t, "bad form", r, "Please fill this in.", "Choose a colour written like #0b5f73.", "The end date is before the start date.",
			`value="2026-12-01"`, `value="2026-12-03"`, "Aplikasi layanan warga")
		if strings.Count(r.body, `class="error"`) != 4 {
			t.Errorf("bad form shows %d errors, want 4 (name, colour, end date, anchor time)", strings.Count(r.body, `class="error"`))
		}

		r = ed.post(st.path("/campaigns"), url.Values{"name": {"Peluncuran Aplikasi Warga"}, "colour": {"#C0392B"}, "starts_on": {"2026-11-20"},
			"ends_on": {"2026-12-20"}, "anchor_date": {"2026-12-03"}, "anchor_time": {"10:00"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.status, text(r.body))
		}
		id, _ := strconv.ParseInt(r.location[strings.LastIndex(r.location, "/")+1:], 10, 64)
		launch := time.Date(2026, 12, 3, 10, 0, 0, 0, wib)
		teaser, recap := campaign.Offset{Days: -2, Clock: "09:00"}, campaign.Offset{Days: 1, Clock: "16:00"}
		st.items.add(t, st.ws.ID, id, "Teaser di X", teaser, teaser.From(launch, wib))
		st.items.add(t, st.ws.ID, id, "Rekap peluncuran", recap, recap.From(launch, wib))
		r = ed.follow(r)
		mustSee(t, "campaign page", r, "Campaign created.", "Peluncuran Aplikasi Warga", `fill="#c0392b"`, "Thursday 3 December 2026, 10:00 WIB",
			"Teaser di X", "T−2 days, 09:00", "1 Dec 2026 09:00 WIB", "T+1 day, 16:00", "peluncuran-aplikasi-warga")

		list := ed.get(st.path("/campaigns"))
		mustSee(t, "list", list, "Peluncuran Aplikasi Warga", "20 Nov 2026 – 20 Dec 2026", "3 Dec 2026 10:00 WIB")

		// The preview shows each item's move and saves nothing.
		campaignPath := st.path("/campaigns/" + strconv.FormatInt(id, 10))
		r = ed.get(campaignPath + "/anchor?anchor_date=2026-12-10&anchor_time=13:00")
		mustSee(t, "preview", r, "The anchor moves from Thursday 3 December 2026, 10:00 WIB to Thursday 10 December 2026, 13:00 WIB.",
			"These 2 items move with it.", "1 Dec 2026 09:00 WIB", "8 Dec 2026 09:00 WIB", "11 Dec 2026 16:00 WIB", "Move the anchor and 2 items")
		if got := st.items.times(t, id)["Teaser di X"]; !got.Equal(teaser.From(launch, wib)) {
			t.Fatalf("the preview moved an item to %s", got)
		}
		if r := ed.get(campaignPath + "/anchor?anchor_date=2026-12-10&anchor_time=25:00"); r.status != http.StatusUnprocessableEntity {
			t.Errorf("preview of a wrong time: %d", r.status)
		} else {
			mustSee(t, "wrong time", r, "Enter a time such as 09:00.", `value="25:00"`)
		}
		r = ed.post(campaignPath+"/anchor", url.Values{"anchor_date": {"2026-12-10"}, "anchor_time": {"13:00"}})
		r = ed.follow(r)
		mustSee(t, "after the move", r, "The anchor moved, and 2 items moved with it.", "Thursday 10 December 2026, 13:00 WIB", "8 Dec 2026 09:00 WIB", "11 Dec 2026 16:00 WIB")

		// UTM tags per channel.
		r = ed.post(campaignPath+"/utm", url.Values{"source_x": {"twitter"}, "medium_x": {""}, "content_x": {"utas"}, "source_email": {strings.Repeat("s", 101)}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("too long a source: %d", r.status)
		}
		mustSee(t, "bad UTM", r, "This is too long.", `value="twitter"`, `value="utas"`)
		if r := ed.post(campaignPath+"/utm", url.Values{"source_x": {"twitter"}, "medium_x": {""}, "content_x": {"utas"}}); r.status != http.StatusSeeOther {
			t.Fatalf("UTM: %d %s", r.status, text(r.body))
		}

		// The builder, as a whole page without JavaScript and as a fragment for htmx.
		r = ed.get(campaignPath + "?url=" + url.QueryEscape("https://warta.id/unduh?os=android#mulai") + "&channel=x")
		want := "https://warta.id/unduh?os=android&amp;utm_source=twitter&amp;utm_medium=social&amp;utm_campaign=peluncuran-aplikasi-warga&amp;utm_content=utas#mulai"
		mustSee(t, "builder page", r, want, `value="twitter"`)
		frag := ed.get(campaignPath+"/link?url="+url.QueryEscape("https://warta.id/unduh")+"&channel=newsroom", "HX-Request", "true")
		if frag.status != 200 || strings.Contains(frag.body, "<html") || !strings.Contains(frag.body, "https://warta.id/unduh?utm_source=newsroom&amp;utm_medium=referral&amp;utm_campaign=peluncuran-aplikasi-warga") {
			t.Errorf("builder fragment: %d %s", frag.status, frag.body)
		}
		frag = ed.get(campaignPath+"/link?url=warta.id/unduh&channel=x", "HX-Request", "true")
		mustSee(t, "builder fragment with a bad link", frag, "Enter a full web address starting with https://.")
		if r := ed.get(campaignPath + "/link?url=x&channel=x"); r.status != http.StatusSeeOther || !strings.Contains(r.location, "#utm-builder") {
			t.Errorf("builder without htmx: %d %q", r.status, r.location)
		}

		// Two people edit at once: the second save is refused, keeps its typing, and can then be saved.
		page := ed.get(campaignPath)
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.body)[1]
		if _, err := st.s.Update(context.Background(), audit.Actor{Label: "other@humas.example"}, st.ws.ID, id, 0, campaign.Input{Name: "Peluncuran Aplikasi", Colour: "#c0392b"}); err != nil {
			t.Fatal(err)
		}
		edit := url.Values{"version": {version}, "name": {"Peluncuran Aplikasi Warga 2.0"}, "colour": {"#c0392b"}, "starts_on": {"2026-11-20"}, "ends_on": {"2026-12-20"}}
		r = ed.post(campaignPath, edit)
		if r.status != http.StatusConflict {
			t.Fatalf("stale save: %d", r.status)
		}
		mustSee(t, "stale save", r, "Someone else saved this campaign while you were editing.", `value="Peluncuran Aplikasi Warga 2.0"`)
		edit.Set("version", regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(r.body)[1])
		if r := ed.post(campaignPath, edit); r.status != http.StatusSeeOther {
			t.Fatalf("saving again: %d %s", r.status, text(r.body))
		}
		if c, _ := st.s.Get(context.Background(), st.ws.ID, id); c.Name != "Peluncuran Aplikasi Warga 2.0" || c.StartsOn != "2026-11-20" {
			t.Errorf("after saving again: %+v", c)
		}

		// Archived campaigns leave the list and are found under the archive.
		ed.post(campaignPath+"/archive", nil)
		if r := ed.get(st.path("/campaigns")); strings.Contains(r.body, "Warga 2.0") || !strings.Contains(r.body, "No campaigns yet") {
			t.Errorf("list after archiving: %s", text(r.body))
		}
		mustSee(t, "archive", ed.get(st.path("/campaigns?archived=1")), "Peluncuran Aplikasi Warga 2.0")
		mustSee(t, "search", ed.get(st.path("/campaigns?archived=1&q=tidak-ada")), "No campaign matches.")

		// The new-campaign form as served (a colour and 09:00 filled in) needs only a name: no date, no anchor.
		r = ed.post(st.path("/campaigns"), url.Values{"name": {"Tanpa acuan"}, "colour": {campaign.DefaultColour}, "anchor_date": {""}, "anchor_time": {"09:00"}})
		r = ed.follow(r)
		mustSee(t, "campaign without an anchor", r, "Tanpa acuan", "This campaign has no anchor yet.")
	})
}

// A viewer reads campaigns in their language and changes nothing; another workspace sees nothing.
func TestCampaignPagesForOthers(t *testing.T) {
	st := startSite(t, db.SQLite)
	ctx := context.Background()
	launch := time.Date(2026, 12, 3, 10, 0, 0, 0, wib)
	c, err := st.s.Create(ctx, audit.Actor{Label: "cli"}, st.ws.ID, campaign.Input{Name: "Hari Pers", StartsOn: "2026-02-09"}, &launch)
	if err != nil {
		t.Fatal(err)
	}
	st.items.add(t, st.ws.ID, c.ID, "Ucapan", campaign.Offset{Days: -2, Clock: "09:00"}, launch)
	st.member("pembaca@humas.example", access.Viewer, "id")
	v := st.signIn("pembaca@humas.example")
	campaignPath := st.path("/campaigns/" + strconv.FormatInt(c.ID, 10))

	r := v.get(st.path("/campaigns"))
	mustSee(t, "viewer's list", r, "Kampanye", "Hari Pers", "Mulai 9 Feb 2026", "3 Des 2026 10.00 WIB")
	if strings.Contains(r.body, "/campaigns/new") {
		t.Error("a viewer is offered to create a campaign")
	}
	r = v.get(campaignPath)
	mustSee(t, "viewer's campaign page", r, "Kamis, 3 Desember 2026 pukul 10.00 WIB", "T−2 hari, 09.00", "Tag UTM per kanal", "Pembuat tautan UTM")
	if strings.Contains(r.body, `name="name"`) || strings.Contains(r.body, `name="source_x"`) || strings.Contains(r.body, "/anchor") {
		t.Error("a viewer gets forms to change the campaign")
	}
	for _, p := range []string{campaignPath, campaignPath + "/anchor", campaignPath + "/utm", campaignPath + "/archive", st.path("/campaigns")} {
		if r := v.post(p, url.Values{"name": {"Dibajak"}, "anchor_date": {"2027-01-01"}, "anchor_time": {"09:00"}}); r.status != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d", p, r.status)
		}
	}

	// The owner of another workspace does not learn that this one exists.
	if _, _, err := st.auth.CreateUserWithWorkspace(ctx, auth.CLI, "lain@humas.example", "Lain", pw, "en", "Humas Lain", "Asia/Makassar"); err != nil {
		t.Fatal(err)
	}
	other := st.signIn("lain@humas.example")
	for _, p := range []string{st.path("/campaigns"), campaignPath, campaignPath + "/link?url=https://warta.id&channel=x"} {
		if r := other.get(p); r.status != http.StatusNotFound {
			t.Errorf("another workspace GET %s: %d", p, r.status)
		}
	}
	if got, _ := st.s.Get(ctx, st.ws.ID, c.ID); got.Name != "Hari Pers" || !got.Anchor.Equal(launch) {
		t.Errorf("the campaign changed: %+v", got)
	}
}

func (st *site) api(method, path, token string, body any) (int, map[string]any) {
	st.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = strings.NewReader(string(raw))
	}
	req, _ := http.NewRequest(method, st.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		st.t.Fatalf("%s %s: not JSON (%d): %s", method, path, res.StatusCode, raw)
	}
	return res.StatusCode, out
}

func TestCampaignAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		edID := st.member("editor@humas.example", access.Editor, "en")
		viewerID := st.member("viewer@humas.example", access.Viewer, "en")
		token, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, edID, "script", access.Editor)
		if err != nil {
			t.Fatal(err)
		}
		viewerToken, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, viewerID, "baca", access.Viewer)
		if err != nil {
			t.Fatal(err)
		}

		status, body := st.api("POST", "/api/v1/campaigns", token, map[string]any{"name": "", "colour": "blue", "starts_on": "2026-12-02", "ends_on": "2026-12-01", "anchor": "besok"})
		fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || fields["name"] != "Please fill this in." || fields["colour"] == nil || fields["ends_on"] == nil || fields["anchor"] == nil {
			t.Errorf("bad create: %d %v", status, body)
		}
		status, body = st.api("POST", "/api/v1/campaigns", token, map[string]any{"name": "Festival Budaya", "starts_on": "2026-12-01", "anchor": "2026-12-05T19:00:00+07:00"})
		if status != http.StatusCreated || body["colour"] != campaign.DefaultColour || body["utm_campaign"] != "festival-budaya" || body["ends_on"] != nil || body["anchor"] != "2026-12-05T12:00:00Z" {
			t.Fatalf("create: %d %v", status, body)
		}
		id := int64(body["id"].(float64))
		path := "/api/v1/campaigns/" + strconv.FormatInt(id, 10)
		st.items.add(t, st.ws.ID, id, "Undangan", campaign.Offset{Days: -3, Clock: "10:00"}, time.Now())

		if status, body := st.api("GET", "/api/v1/campaigns?q=budaya", viewerToken, nil); status != 200 || len(body["items"].([]any)) != 1 {
			t.Errorf("list: %d %v", status, body)
		}
		if status, _ := st.api("POST", "/api/v1/campaigns", viewerToken, map[string]any{"name": "x"}); status != http.StatusForbidden {
			t.Errorf("viewer create: %d", status)
		}

		status, body = st.api("PATCH", path, token, map[string]any{"version": 1, "ends_on": "2026-12-07", "utm": []map[string]string{{"channel": "instagram", "source": "ig"}}})
		if status != 200 || body["ends_on"] != "2026-12-07" || body["name"] != "Festival Budaya" || body["version"] != float64(2) {
			t.Fatalf("patch: %d %v", status, body)
		}
		if utm := body["utm"].([]any)[6].(map[string]any); utm["channel"] != "instagram" || utm["source"] != "ig" || utm["medium"] != "social" {
			t.Errorf("instagram tags: %v", utm)
		}
		if status, _ := st.api("PATCH", path, token, map[string]any{"version": 1, "name": "Lama"}); status != http.StatusConflict {
			t.Errorf("stale patch: %d", status)
		}
		if status, body := st.api("PATCH", path, token, map[string]any{"colour": "hijau", "utm": []map[string]string{{"channel": "myspace"}}}); status != http.StatusUnprocessableEntity {
			t.Errorf("bad patch: %d %v", status, body)
		}
		if status, body := st.api("PATCH", path, token, map[string]any{"archived": true}); status != 200 || body["archived_at"] == nil {
			t.Errorf("archive: %d %v", status, body)
		}

		status, body = st.api("POST", path+"/anchor", token, map[string]any{"anchor": "2026-12-12T19:00:00+07:00"})
		if status != 200 || body["moved"] != float64(1) || body["anchor"] != "2026-12-12T19:00:00+07:00" {
			t.Errorf("move anchor: %d %v", status, body)
		}
		if at := st.items.times(t, id)["Undangan"]; !at.Equal(time.Date(2026, 12, 9, 10, 0, 0, 0, wib)) {
			t.Errorf("the item is at %s", at)
		}
		if status, _ := st.api("POST", path+"/anchor", token, map[string]any{"anchor": "12/12/2026"}); status != http.StatusUnprocessableEntity {
			t.Errorf("bad anchor: %d", status)
		}

		// Another workspace's token finds nothing.
		_, wsB, err := st.auth.CreateUserWithWorkspace(ctx, auth.CLI, "lain@humas.example", "Lain", pw, "en", "Humas Lain", "Asia/Jakarta")
		if err != nil {
			t.Fatal(err)
		}
		lain, _ := st.auth.UserByEmail(ctx, "lain@humas.example")
		tokenB, _, err := st.auth.CreateToken(ctx, auth.CLI, wsB.ID, lain.ID, "B", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range []struct {
			method, path string
			body         any
		}{{"GET", path, nil}, {"PATCH", path, map[string]any{"name": "Dibajak"}}, {"POST", path + "/anchor", map[string]any{"anchor": "2027-01-01T00:00:00Z"}}} {
			if status, _ := st.api(call.method, call.path, tokenB, call.body); status != http.StatusNotFound {
				t.Errorf("B %s %s: %d", call.method, call.path, status)
			}
		}
		if status, body := st.api("GET", "/api/v1/campaigns?archived=true", tokenB, nil); status != 200 || len(body["items"].([]any)) != 0 {
			t.Errorf("B's list: %v", body)
		}
	})
}
