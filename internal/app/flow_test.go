package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// The newcomer's path through the ground floor, on both engines: set up, invite a colleague who
// receives the invitation in the outbox, sign in as that colleague with the invited role, switch
// language, create an API token and call /api/v1/me with it, then revoke it.
func TestNewcomerFlow(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		admin := env.Browser()

		// Before setup, the front page says where the setup link is.
		if r := admin.Get("/"); r.Status != 200 || !strings.Contains(r.Body, "setup link") {
			t.Fatalf("front page before setup: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		setup := env.SetupLink()
		token := regexp.MustCompile(`token=([a-z0-9]+)`).FindStringSubmatch(setup)[1]
		if r := admin.Get(setup); r.Status != 200 || !strings.Contains(r.Body, "Asia/Makassar") {
			t.Fatalf("setup form: %d %s", r.Status, apptest.Excerpt(r.Body))
		}

		// A form with mistakes shows every error and keeps what was typed.
		r := admin.Post("/setup", url.Values{"token": {token}, "organisation": {"Yayasan Lestari Makassar"}, "name": {"Ani"},
			"email": {"not-an-email"}, "password": {"short"}, "password2": {"short"}, "lang": {"en"}, "timezone": {"Mars/Olympus"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad setup: %d", r.Status)
		}
		for _, want := range []string{"Enter an email address", "at least 10 characters", "Choose a time zone", `value="Yayasan Lestari Makassar"`, `value="not-an-email"`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("bad setup form lacks %q", want)
			}
		}

		r = admin.Post("/setup", url.Values{"token": {token}, "organisation": {"Yayasan Lestari Makassar"}, "name": {"Ani Rahma"},
			"email": {"ani@lestari.example"}, "password": {"kopi-susu-pagi"}, "password2": {"kopi-susu-pagi"}, "lang": {"en"}, "timezone": {"Asia/Makassar"}})
		if r.Status != http.StatusSeeOther || r.Location != "/w/yayasan-lestari-makassar" {
			t.Fatalf("setup: %d → %q %s", r.Status, r.Location, apptest.Excerpt(r.Body))
		}
		if r := admin.Follow(r); r.Status != 200 || !strings.Contains(r.Body, "Welcome, Ani Rahma") {
			t.Fatalf("home after setup: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		// The setup link works once.
		if r := env.Browser().Get(setup); r.Status != http.StatusGone {
			t.Errorf("setup link reused: %d", r.Status)
		}

		// Invite a colleague as editor; the invitation waits in the outbox.
		r = admin.Post("/w/yayasan-lestari-makassar/settings/members/invite", url.Values{"email": {"Budi@Lestari.example"}, "role": {"editor"}, "lang": {"id"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("invite: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		subject, text := env.LastMailTo("budi@lestari.example")
		if !strings.Contains(subject, "Yayasan Lestari Makassar") || !strings.Contains(text, "sebagai editor") {
			t.Fatalf("invitation mail (in Indonesian as chosen): %q\n%s", subject, text)
		}
		if r := admin.Get("/w/yayasan-lestari-makassar/settings/outbox"); !strings.Contains(r.Body, "budi@lestari.example") {
			t.Errorf("the workspace outbox does not list the invitation: %s", apptest.Excerpt(r.Body))
		}
		invite := apptest.LinkIn(t, text, "/invite/")

		budi := env.Browser()
		if r := budi.Get(invite); r.Status != 200 || !strings.Contains(r.Body, "budi@lestari.example") {
			t.Fatalf("invitation page: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		r = budi.Post(invite, url.Values{"name": {"Budi Santoso"}, "password": {"teh-manis-sore"}, "password2": {"teh-manis-sore"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("accept: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		budi.Follow(r)
		if r := env.Browser().Post(invite, url.Values{"name": {"X"}, "password": {"teh-manis-sore"}, "password2": {"teh-manis-sore"}}); r.Status != http.StatusGone {
			t.Errorf("invitation reused: %d", r.Status)
		}

		// Budi signs in on another device with his new password; an editor cannot read the audit log.
		budi2 := env.Browser()
		if r := budi2.Post("/login", url.Values{"email": {"budi@lestari.example"}, "password": {"wrong-password"}}); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "do not match") {
			t.Fatalf("wrong password: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if r := budi2.Post("/login", url.Values{"email": {"budi@lestari.example"}, "password": {"teh-manis-sore"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("login: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if r := budi2.Get("/w/yayasan-lestari-makassar/settings/members"); !strings.Contains(r.Body, "Budi Santoso") || strings.Contains(r.Body, "Send invitation") {
			t.Errorf("an editor sees members but no invite form: %s", apptest.Excerpt(r.Body))
		}
		if r := budi2.Get("/w/yayasan-lestari-makassar/settings/audit"); r.Status != http.StatusForbidden {
			t.Errorf("editor reading the audit log: %d", r.Status)
		}

		// Switching to Bahasa Indonesia is kept on the account.
		if r := budi2.Post("/language", url.Values{"lang": {"id"}, "next": {"/w/yayasan-lestari-makassar"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("language: %d", r.Status)
		}
		budi3 := env.Browser()
		budi3.Post("/login", url.Values{"email": {"budi@lestari.example"}, "password": {"teh-manis-sore"}})
		if r := budi3.Get("/w/yayasan-lestari-makassar"); !strings.Contains(r.Body, "Beranda") || !strings.Contains(r.Body, "Pengaturan") {
			t.Errorf("navigation not in Indonesian after the switch: %s", apptest.Excerpt(r.Body))
		}

		// An API token, shown once, works for /api/v1/me with the invited role.
		r = budi2.Post("/w/yayasan-lestari-makassar/settings/tokens", url.Values{"name": {"Sinkronisasi situs"}, "role": {"editor"}})
		secret := regexp.MustCompile(`wrt_[a-z0-9]+`).FindString(r.Body)
		if r.Status != 200 || secret == "" {
			t.Fatalf("token page: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if r := budi2.Get("/w/yayasan-lestari-makassar/settings/tokens"); strings.Contains(r.Body, secret) {
			t.Error("the token secret is shown a second time")
		}
		status, me := env.API("GET", "/api/v1/me", secret, nil)
		if status != 200 || me["role"] != "editor" || me["user"].(map[string]any)["email"] != "budi@lestari.example" ||
			me["workspace"].(map[string]any)["timezone"] != "Asia/Makassar" {
			t.Fatalf("/api/v1/me: %d %v", status, me)
		}
		// An editor's token cannot invite people.
		if status, body := env.API("POST", "/api/v1/members", secret, map[string]string{"email": "x@lestari.example", "role": "viewer"}); status != http.StatusForbidden {
			t.Errorf("editor token inviting: %d %v", status, body)
		}

		// The admin revokes it; the next call says so.
		tokID := regexp.MustCompile(`/settings/tokens/(\d+)/revoke`).FindStringSubmatch(admin.Get("/w/yayasan-lestari-makassar/settings/tokens").Body)
		if tokID == nil {
			t.Fatal("the admin does not see Budi's token")
		}
		admin.Post("/w/yayasan-lestari-makassar/settings/tokens/"+tokID[1]+"/revoke", nil)
		status, body := env.API("GET", "/api/v1/me", secret, nil)
		if status != http.StatusUnauthorized || body["error"].(map[string]any)["code"] != "token_revoked" {
			t.Fatalf("revoked token: %d %v", status, body)
		}

		// The audit log recorded it all, and exports as CSV.
		csv := admin.Get("/w/yayasan-lestari-makassar/settings/audit.csv")
		for _, action := range []string{"workspace.created", "member.invited", "member.joined", "token.created", "token.revoked"} {
			if !strings.Contains(csv.Body, action) {
				t.Errorf("audit CSV lacks %s", action)
			}
		}
	})
}
