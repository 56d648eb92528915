package release_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

func releaseForm(extra ...string) url.Values {
	v := url.Values{"lang": {"id"}, "headline": {"Pemkot Sukamaju Buka Posko Banjir"}, "subheadline": {"Warga dapat mengungsi malam ini"},
		"dateline_city": {"Sukamaju"}, "dateline_date": {"2026-11-20"}, "body": {"Pemerintah Kota Sukamaju membuka posko banjir."},
		"boilerplate": {"Tentang Pemkot Sukamaju"}, "contact_name": {"Rina Wulandari"}, "contact_role": {"Kepala Bagian Humas"},
		"contact_phone": {"+62 812-3456-7890"}, "contact_email": {"humas@sukamaju.example"},
		"embargo": {"until"}, "embargo_date": {"2026-12-03"}, "embargo_time": {"10:00"}, "zone": {"Asia/Jakarta"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func idFrom(location string) int64 {
	id, _ := strconv.ParseInt(location[strings.LastIndex(location, "/")+1:], 10, 64)
	return id
}

// A contributor writes a release: a form with mistakes keeps every field typed and says what to
// fix; the saved release shows its number, status and embargo; a stale save keeps the typing; the
// English version, the preview in the release's language, WhatsApp text and the share record work.
func TestEditorPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		st.member("penulis@humas.example", access.Contributor, "en")
		w := st.signIn("penulis@humas.example")

		r := w.Get(st.path("/press/releases"))
		mustSee(t, "empty list", r, "No press releases yet", `href="/w/humas-kota/press/releases/new"`)
		r = w.Get(st.path("/press/releases/new"))
		mustSee(t, "new form", r, "Leave empty for the next number: 001/HUMAS/")

		bad := releaseForm("headline", "", "contact_email", "bukan-email", "embargo_date", "", "body", "Teks panjang yang sudah diketik.")
		r = w.Post(st.path("/press/releases"), bad)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d %s", r.Status, text(r.Body))
		}
		mustSee(t, "bad form", r, "Choose the date the embargo lifts", "Teks panjang yang sudah diketik.", "Warga dapat mengungsi malam ini",
			"Rina Wulandari", `value="&#43;62 812-3456-7890"`, `value="bukan-email"`)
		// The embargo is checked before the rest; once it is right, the other fields say theirs.
		r = w.Post(st.path("/press/releases"), releaseForm("headline", "", "contact_email", "bukan-email", "body", "Teks panjang yang sudah diketik."))
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d", r.Status)
		}
		mustSee(t, "bad form", r, "Please fill this in.", "Enter an email address such as ani@example.id.", "Teks panjang yang sudah diketik.",
			`value="2026-12-03"`, `value="bukan-email"`)

		r = w.Post(st.path("/press/releases"), releaseForm())
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.Status, text(r.Body))
		}
		id := idFrom(r.Location)
		r = w.Get(r.Location)
		mustSee(t, "release page", r, "The release is created", `value="001/HUMAS/XI/2026"`, "Draft", "Add English version", "Submit for approval",
			`value="2026-12-03"`, `value="10:00"`)

		// Someone else saves first: this person's typing stays, and the page says what happened.
		rl, _ := st.s.Get(context.Background(), st.ws.ID, id)
		stale := releaseForm("version", strconv.Itoa(rl.Version), "body", "Versi saya yang baru.")
		in := banjir()
		in.BaseVersion = rl.Version
		if _, err := st.s.Update(context.Background(), st.actor(), st.ws.ID, id, in); err != nil {
			t.Fatal(err)
		}
		r = w.Post(st.path(fmt.Sprintf("/press/releases/%d", id)), stale)
		if r.Status != http.StatusConflict {
			t.Fatalf("stale save: %d", r.Status)
		}
		mustSee(t, "stale save", r, "Someone else saved this release", "Versi saya yang baru.")
		r = w.Post(st.path(fmt.Sprintf("/press/releases/%d", id)), releaseForm("version", strconv.Itoa(rl.Version+1), "dateline_date", "kemarin", "body", "Versi saya yang baru."))
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad date: %d", r.Status)
		}
		mustSee(t, "bad date", r, "Enter a date such as 2026-12-03.", "Versi saya yang baru.")

		r = w.Post(st.path(fmt.Sprintf("/press/releases/%d/submit", id)), nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("submit: %d", r.Status)
		}
		mustSee(t, "after submit", w.Get(r.Location), "Submitted for approval", "In review")

		r = w.Post(st.path(fmt.Sprintf("/press/releases/%d/translate", id)), nil)
		enID := idFrom(r.Location)
		if r.Status != http.StatusSeeOther || enID == id {
			t.Fatalf("translate: %d %s", r.Status, r.Location)
		}
		r = w.Get(r.Location)
		mustSee(t, "english version", r, "The other language version is started", fmt.Sprintf(`href="/w/humas-kota/press/releases/%d"`, id))

		// The preview is in the release's language, whatever the reader's.
		r = w.Get(st.path(fmt.Sprintf("/press/releases/%d/preview", id)))
		mustSee(t, "preview", r, "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 10.00 WIB", "Narahubung", "SUKAMAJU, 20 November 2026")
		r = w.Get(st.path(fmt.Sprintf("/press/releases/%d/preview?lang=en", id)))
		mustSee(t, "english preview", r, "EMBARGOED UNTIL Thursday, 3 December 2026, 10:00 WIB", "Media contact")

		r = w.Get(st.path(fmt.Sprintf("/press/releases/%d/whatsapp", id)))
		mustSee(t, "whatsapp", r, "*Pemkot Sukamaju Buka Posko Banjir di Balai Kota*", "_EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 10.00 WIB_",
			"SUKAMAJU, 20 November 2026 – Pemerintah Kota Sukamaju membuka posko banjir di Balai Kota.",
			fmt.Sprintf("Baca selengkapnya: https://warta.humas.example/newsroom/humas-kota/releases/%d", id), "Not shared in any group yet.")
		r = w.Post(st.path(fmt.Sprintf("/press/releases/%d/shares", id)), url.Values{"group": {""}, "note": {"dibagikan setelah rapat"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("share without group: %d", r.Status)
		}
		mustSee(t, "share without group", r, "Please fill this in.", "dibagikan setelah rapat")
		r = w.Post(st.path(fmt.Sprintf("/press/releases/%d/shares", id)), url.Values{"group": {"Wartawan Balai Kota"}, "note": {"dibagikan setelah rapat"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("share: %d", r.Status)
		}
		// The English version's page lists shares of both versions.
		mustSee(t, "shares", w.Get(st.path(fmt.Sprintf("/press/releases/%d", enID))), "Wartawan Balai Kota — by penulis@humas.example")

		r = w.Get(st.path("/press/releases?q=posko&lang=id&status=in_review"))
		mustSee(t, "filtered list", r, "Pemkot Sukamaju Buka Posko Banjir di Balai Kota", "001/HUMAS/XI/2026", "1 release")
		mustSee(t, "filtered list", w.Get(st.path("/press/releases?q=festival")), "No release matches these filters")

		// The content studio's item opens the release editor.
		r = w.Get(st.path(fmt.Sprintf("/press/release-items/%d", rl.ItemID)))
		if r.Status != http.StatusSeeOther || idFrom(r.Location) != id {
			t.Errorf("item link: %d %s", r.Status, r.Location)
		}

		// An editor plans a post for the lift from the release page.
		in = banjir()
		in.Embargo = at(2031, 3, 2, 10, 0, "Asia/Jakarta")
		later := st.create(st.ws.ID, in)
		ow := st.signIn("owner@humas.example")
		r = ow.Get(st.path(fmt.Sprintf("/press/releases/%d", later.ID)))
		mustSee(t, "post form", r, "The embargo lifts 2 Mar 2031 10:00 WIB", "1 hour after",
			fmt.Sprintf("Pemkot Sukamaju Buka Posko Banjir di Balai Kota https://warta.humas.example/newsroom/humas-kota/releases/%d", later.ID))
		r = ow.Post(st.path(fmt.Sprintf("/press/releases/%d/posts", later.ID)), url.Values{"offset": {"60"}, "network": {"bluesky"}, "post_text": {""}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("post without text: %d", r.Status)
		}
		mustSee(t, "post without text", r, "Please fill this in.")
		r = ow.Post(st.path(fmt.Sprintf("/press/releases/%d/posts", later.ID)), url.Values{"offset": {"60"}, "network": {"bluesky"}, "post_text": {"Posko banjir dibuka"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("post: %d %s", r.Status, text(r.Body))
		}
		mustSee(t, "planned post", ow.Get(st.path(fmt.Sprintf("/press/releases/%d", later.ID))), "The post is scheduled for 2 Mar 2031 11:00 WIB.",
			"Scheduled", "1 hour after")

		// A viewer reads but cannot change; another workspace sees nothing.
		st.member("baca@humas.example", access.Viewer, "en")
		v := st.signIn("baca@humas.example")
		if r := v.Get(st.path(fmt.Sprintf("/press/releases/%d", id))); r.Status != http.StatusOK || strings.Contains(r.Body, "Submit for approval") {
			t.Errorf("viewer's page: %d", r.Status)
		}
		if r := v.Post(st.path(fmt.Sprintf("/press/releases/%d", id)), releaseForm("version", "9")); r.Status != http.StatusForbidden {
			t.Errorf("viewer's save: %d", r.Status)
		}
		if _, _, err := st.auth.CreateUserWithWorkspace(context.Background(), auth.CLI, "lain@dinas.example", "Lain", pw, "en", "Dinas Lain", "Asia/Jakarta"); err != nil {
			t.Fatal(err)
		}
		o := st.signIn("lain@dinas.example")
		if r := o.Get(fmt.Sprintf("/w/dinas-lain/press/releases/%d", id)); r.Status != http.StatusNotFound {
			t.Errorf("another workspace opens the release: %d", r.Status)
		}
	})
}

// The API creates, reads, changes (refusing a stale version), submits and translates releases.
func TestAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		edID := st.member("editor@humas.example", access.Editor, "en")
		token, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, edID, "script", access.Editor)
		if err != nil {
			t.Fatal(err)
		}
		status, body := st.api("POST", "/api/v1/releases", token, map[string]any{"language": "id", "headline": "", "embargo": "besok"})
		if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["fields"].(map[string]any)["embargo"] == nil {
			t.Fatalf("bad create: %d %v", status, body)
		}
		status, body = st.api("POST", "/api/v1/releases", token, map[string]any{"language": "id", "headline": "Festival Budaya Sukamaju",
			"body": "Festival dibuka Sabtu.", "dateline_city": "Sukamaju", "dateline_date": "2026-11-21", "embargo": "2026-12-03T10:00:00+08:00", "zone": "Asia/Makassar"})
		if status != http.StatusCreated || body["number"] != "001/HUMAS/XI/2026" || body["zone"] != "Asia/Makassar" || body["status"] != "draft" {
			t.Fatalf("create: %d %v", status, body)
		}
		path := fmt.Sprintf("/api/v1/releases/%d", int64(body["id"].(float64)))
		version := body["version"]
		if status, _ := st.api("PATCH", path, token, map[string]any{"version": 99, "subheadline": "x"}); status != http.StatusConflict {
			t.Errorf("stale patch: %d", status)
		}
		status, body = st.api("PATCH", path, token, map[string]any{"version": version, "subheadline": "Tiga hari di alun-alun", "embargo": nil})
		if status != http.StatusOK || body["subheadline"] != "Tiga hari di alun-alun" || body["embargo"] != nil || body["headline"] != "Festival Budaya Sukamaju" {
			t.Fatalf("patch: %d %v", status, body)
		}
		status, body = st.api("GET", path+"/rendered?language=en", token, nil)
		if status != http.StatusOK || body["language"] != "id" || !strings.Contains(body["html"].(string), "UNTUK DISIARKAN SEGERA") {
			t.Errorf("rendered: %d %v", status, body)
		}
		if status, body = st.api("POST", path+"/submit", token, nil); status != http.StatusOK || body["status"] != "in_review" {
			t.Errorf("submit: %d %v", status, body)
		}
		status, body = st.api("POST", path+"/translations", token, nil)
		if status != http.StatusCreated || body["language"] != "en" || body["versions"].(map[string]any)["id"] == nil {
			t.Fatalf("translation: %d %v", status, body)
		}
		if status, body = st.api("GET", "/api/v1/releases?language=en", token, nil); status != http.StatusOK || len(body["items"].([]any)) != 1 {
			t.Errorf("list: %d %v", status, body)
		}
	})
}
