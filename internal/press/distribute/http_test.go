package distribute_test

import (
	"bytes"
	"context"
	"image/gif"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"warta.dev/warta/internal/auth/authtest"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press/distribute"
)

// received is one message the loopback SMTP server got, read as a mail program would.
type received struct {
	to, unsubscribe, text, html string
}

func (st *site) received() map[string]received {
	st.t.Helper()
	out := map[string]received{}
	for _, m := range st.sink.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			st.t.Fatal(err)
		}
		rc := received{to: m.To, unsubscribe: strings.Trim(msg.Header.Get("List-Unsubscribe"), "<>")}
		_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil {
			st.t.Fatal(err)
		}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				st.t.Fatal(err)
			}
			b, _ := io.ReadAll(p)
			if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
				rc.html = string(b)
			} else {
				rc.text = string(b)
			}
		}
		out[m.To] = rc
	}
	return out
}

// local turns an absolute link of the site into its path.
func (st *site) local(link string) string {
	st.t.Helper()
	if !strings.HasPrefix(link, st.url+"/") {
		st.t.Fatalf("link %q does not lead to the site %s", link, st.url)
	}
	return strings.TrimPrefix(link, st.url)
}

func idFrom(t *testing.T, location string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(location[strings.LastIndex(location, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("no id in %q", location)
	}
	return id
}

// Each message carries links that work for the recipient without an account: the unsubscribe
// page asks and changes nothing, a mail provider's one-click POST unsubscribes, tracked links
// lead only where the message pointed, and forged tokens get a plain 404.
func TestRecipientLinks(t *testing.T) {
	engines(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		owner := st.signIn("owner@humas.example")
		r := owner.Post(st.path("/press/distributions"), url.Values{"source": {"release:7"}, "lists": {"1"}, "action": {"send"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("send: %d %s", r.Status, text(r.Body))
		}
		id := idFrom(t, r.Location)
		if d := st.wait(id, distribute.Done); d.Counts.Sent != 3 {
			t.Fatalf("counts %+v, want 3 sent", d.Counts)
		}
		mails := st.received()
		sari, dewi := mails["sari@kompas.example"], mails["dewi@thejakartapost.example"]
		if !strings.Contains(sari.text, "Yth. Ibu Sari Wulandari,") || !strings.Contains(dewi.text, "Dear Dewi Lestari,") {
			t.Fatalf("messages are not personal:\n%s\n%s", sari.text, dewi.text)
		}
		unsub := st.local(sari.unsubscribe)
		visitor := st.visitor()

		// Opening the link (as a mail scanner does) asks, in the recipient's language, and changes nothing.
		p := visitor.Get(unsub)
		if p.Status != http.StatusOK {
			t.Fatalf("unsubscribe page: %d", p.Status)
		}
		mustSee(t, "unsubscribe page", p, "Berhenti menerima email dari Humas Kota Sukamaju?", `<form method="post" action="`+unsub+`">`)
		if strings.Count(p.Body, "<button") != 1 {
			t.Errorf("the unsubscribe page has %d buttons, want one", strings.Count(p.Body, "<button"))
		}
		if got := st.j.unsubscribes(); len(got) != 0 {
			t.Fatalf("opening the page unsubscribed %v", got)
		}
		mustSee(t, "Dewi's unsubscribe page", visitor.Get(st.local(dewi.unsubscribe)), "Stop receiving emails from Humas Kota Sukamaju?")

		// The app refuses a form posted from another site, so the one-click test below is meaningful.
		req, _ := http.NewRequest("POST", st.url+unsub, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if p := visitor.Do(req); p.Status != http.StatusForbidden {
			t.Errorf("a cross-site browser POST: %d", p.Status)
		}
		if got := st.j.unsubscribes(); len(got) != 0 {
			t.Fatalf("a refused POST unsubscribed %v", got)
		}

		// RFC 8058: the provider POSTs without cookies, Origin or Sec-Fetch-Site.
		oneClick := func() page {
			req, _ := http.NewRequest("POST", st.url+unsub, strings.NewReader("List-Unsubscribe=One-Click"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return visitor.Do(req)
		}
		p = oneClick()
		if p.Status != http.StatusOK {
			t.Fatalf("one-click unsubscribe: %d %s", p.Status, text(p.Body))
		}
		mustSee(t, "after unsubscribing", p, "Anda tidak akan menerima apa pun lagi dari Humas Kota Sukamaju.")
		if got := st.j.unsubscribes(); len(got) != 1 || got[0] != "11 sari@kompas.example" {
			t.Fatalf("contacts were told %v, want Sari (11) unsubscribed", got)
		}
		// A second click (perhaps after renewing consent) withdraws it again, for the same person.
		if p := oneClick(); p.Status != http.StatusOK || len(st.j.unsubscribes()) != 2 || st.j.unsubscribes()[1] != "11 sari@kompas.example" {
			t.Errorf("a second one-click: %d, contacts told %v", p.Status, st.j.unsubscribes())
		}

		// Forged tokens unsubscribe nobody and say so in plain words.
		for _, forged := range []string{"/m/b-AAAAAAAAAAAAAAAA/u", "/m/nonsense/u"} {
			if p := visitor.Get(forged); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "This link does not work") {
				t.Errorf("GET %s: %d %s", forged, p.Status, text(p.Body))
			}
			if p := visitor.Post(forged, url.Values{"List-Unsubscribe": {"One-Click"}}); p.Status != http.StatusNotFound {
				t.Errorf("POST %s: %d", forged, p.Status)
			}
		}
		if got := st.j.unsubscribes(); len(got) != 2 {
			t.Errorf("forged tokens unsubscribed %v", got)
		}

		// A tracked link leads to the link that was in the message, and only there.
		link := regexp.MustCompile(`href="([^"]+/c/)(\d+)"`).FindStringSubmatch(dewi.html)
		if link == nil {
			t.Fatalf("no tracked link in Dewi's message:\n%s", dewi.html)
		}
		click := st.local(link[1] + link[2])
		if p := visitor.Get(click); p.Status != http.StatusFound || p.Location != "https://kota.example/cek" {
			t.Errorf("click: %d to %q", p.Status, p.Location)
		}
		base := st.local(link[1])
		for _, bad := range []string{base + "9", base + "-1", base + "x", "/m/b-AAAAAAAAAAAAAAAA/c/" + link[2]} {
			if p := visitor.Get(bad); p.Status != http.StatusNotFound || p.Location != "" {
				t.Errorf("GET %s: %d to %q", bad, p.Status, p.Location)
			}
		}

		// The open pixel answers an image that is never cached, even for a forged token.
		for _, px := range []string{strings.TrimSuffix(unsub, "/u") + "/o.gif", "/m/forged/o.gif"} {
			p := visitor.Get(px)
			img, err := gif.Decode(strings.NewReader(p.Body))
			if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "image/gif" || !strings.Contains(p.Header.Get("Cache-Control"), "no-store") ||
				err != nil || img.Bounds().Dx() != 1 || img.Bounds().Dy() != 1 {
				t.Errorf("pixel %s: %d %v %v", px, p.Status, p.Header, err)
			}
		}

		d, err := st.s.Get(ctx, st.ws.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Counts.Unsubscribed != 1 || d.Counts.Clicked != 1 || d.Counts.Opened != 0 {
			t.Errorf("report counts %+v", d.Counts)
		}
		page := owner.Get(st.path("/press/distributions/" + strconv.FormatInt(id, 10)))
		mustSee(t, "distribution page", page, "Cek kesehatan gratis", "Humas Kota Sukamaju <humas@sukamaju.example>", "Delivered", "Clicked a link",
			"Opens are not tracked for this distribution.", "Sari Wulandari", "unsubscribed")
		if strings.Contains(page.Body, `http-equiv="refresh"`) {
			t.Error("a finished distribution's page keeps refreshing")
		}
	})
}

// The new-distribution form keeps what was chosen and says what is missing.
func TestNewDistributionForm(t *testing.T) {
	engines(t, func(t *testing.T, st *site) {
		owner := st.signIn("owner@humas.example")
		p := owner.Get(st.path("/press/distributions/new?release=7"))
		mustSee(t, "new form", p, `value="release:7" selected`, "Jurnalis kesehatan", "3 contacts", "Asia/Jakarta")

		p = owner.Post(st.path("/press/distributions"), url.Values{"source": {"release:7"}, "action": {"send"}, "date": {"2026-12-03"}, "time": {"10:00"}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("no list: %d", p.Status)
		}
		mustSee(t, "no list", p, "Choose at least one list or segment.", `value="release:7" selected`, `value="2026-12-03"`)

		p = owner.Post(st.path("/press/distributions"), url.Values{"lists": {"1"}, "action": {"send"}})
		mustSee(t, "nothing chosen to send", p, "Choose what to send.", `value="1" checked`, "3 people will receive it.")

		p = owner.Post(st.path("/press/distributions"), url.Values{"source": {"release:7"}, "lists": {"1"}, "action": {"schedule"}, "date": {"2020-01-06"}, "time": {"09:00"}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("past: %d", p.Status)
		}
		mustSee(t, "a time in the past", p, "That time has already passed.", `value="2020-01-06"`)

		// The live count, as htmx asks for it and as the Count button reloads the form without JavaScript.
		frag := owner.Get(st.path("/press/distributions/count?lists=1"), "HX-Request", "true")
		if frag.Status != http.StatusOK || strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, "3 people will receive it.") {
			t.Errorf("count fragment: %d %s", frag.Status, frag.Body)
		}
		mustSee(t, "counted without JavaScript", owner.Get(st.path("/press/distributions/new?source=release:7&lists=1")), "3 people will receive it.", `value="1" checked`)

		// The preview of the chosen release with a sample journalist; its HTML is served to a frame that runs nothing.
		p = owner.Get(st.path("/press/distributions/preview?source=release:7&lang=en"))
		mustSee(t, "preview", p, "Dear Sample Journalist,", "For Sample Daily", `sandbox=""`)
		frame := owner.Get(st.path("/press/distributions/preview?source=release:7&lang=en&frame=1"))
		if !strings.Contains(frame.Header.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(frame.Body, "For Sample Daily") {
			t.Errorf("preview frame: %v %s", frame.Header, frame.Body)
		}

		// A contributor may save a draft but not send; a viewer may do neither.
		st.member("kontributor@humas.example", access.Contributor, "en")
		st.member("pembaca@humas.example", access.Viewer, "en")
		c := st.signIn("kontributor@humas.example")
		if p := c.Post(st.path("/press/distributions"), url.Values{"source": {"release:7"}, "lists": {"1"}, "action": {"send"}}); p.Status != http.StatusForbidden {
			t.Errorf("a contributor sends: %d", p.Status)
		}
		p = c.Post(st.path("/press/distributions"), url.Values{"source": {"release:7"}, "lists": {"1"}, "action": {"draft"}})
		draft := c.Follow(p)
		mustSee(t, "draft", draft, "Saved as a draft. Nothing has been sent.", "Draft")
		if strings.Contains(draft.Body, "/send\"") {
			t.Error("a contributor is offered to send the draft")
		}
		if p := st.signIn("pembaca@humas.example").Get(st.path("/press/distributions/new")); p.Status != http.StatusForbidden {
			t.Errorf("a viewer opens the form: %d", p.Status)
		}

		// Cancelling asks on a page of its own first.
		id := idFrom(t, p.Location)
		path := st.path("/press/distributions/" + strconv.FormatInt(id, 10))
		mustSee(t, "cancel question", owner.Get(path+"/cancel"), "Cancel “Cek kesehatan gratis”? This cannot be undone.")
		mustSee(t, "cancelled", owner.Follow(owner.Post(path+"/cancel", nil)), "Cancelled. Those not yet sent will not get it.")
		if p := owner.Follow(owner.Post(path+"/pause", nil)); !strings.Contains(p.Body, "This cannot be done in the distribution") {
			t.Errorf("pausing a cancelled distribution: %s", text(p.Body))
		}
	})
}

// The sending settings refuse a wrong address in the person's language, keep what was typed,
// and never show a password back.
func TestSendingSettings(t *testing.T) {
	engines(t, func(t *testing.T, st *site) {
		st.member("admin@humas.example", access.Admin, "id")
		a := st.signIn("admin@humas.example")
		typed := url.Values{"from_name": {"Humas Kota"}, "from_email": {"humas di kota"}, "server": {"installation"}, "rate_per_second": {"5"},
			"track_clicks": {"1"}, "smtp_tls": {"starttls"}, "imap_tls": {"tls"}}
		p := a.Post(st.path("/press/sending"), typed)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad address: %d", p.Status)
		}
		mustSee(t, "bad address", p, "Isi satu alamat email, misalnya humas@kota.go.id.", `value="humas di kota"`, `value="Humas Kota"`, `value="5"`)

		own := url.Values{"from_name": {"Humas Kota"}, "from_email": {"humas@sukamaju.example"}, "server": {"own"}, "smtp_host": {"smtp.sukamaju.example"},
			"smtp_port": {"587"}, "smtp_tls": {"starttls"}, "smtp_user": {"humas"}, "smtp_password": {"rahasia-sekali"}, "imap_tls": {"tls"}, "track_clicks": {"1"}}
		p = a.Follow(a.Post(st.path("/press/sending"), own))
		mustSee(t, "saved", p, "Kata sandi sudah tersimpan", `value="smtp.sukamaju.example"`, "Domain pengirim: sukamaju.example",
			"Catatan DNS sukamaju.example tidak bisa diperiksa dari server ini saat ini. Saran di bawah tetap berlaku.", "DKIM", "_dmarc.sukamaju.example")
		if strings.Contains(p.Body, "rahasia-sekali") {
			t.Error("the page shows the password back")
		}
		own.Del("smtp_password")
		a.Post(st.path("/press/sending"), own)
		set, err := st.s.Settings(context.Background(), st.ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !set.HasPassword || set.SMTPHost != "smtp.sukamaju.example" || set.TrackOpens || !set.TrackClicks {
			t.Errorf("settings after saving without a password: %+v", set)
		}
		mustSee(t, "mailbox check without a mailbox", a.Post(st.path("/press/sending/check"), nil), "Kotak surat balasan belum diatur")
		st.member("editor@humas.example", access.Editor, "en")
		if p := st.signIn("editor@humas.example").Get(st.path("/press/sending")); p.Status != http.StatusForbidden {
			t.Errorf("an editor opens the sending settings: %d", p.Status)
		}
	})
}

func (st *site) api(method, path, token string, body any) (int, map[string]any) {
	return authtest.API(st.t, st.url, method, path, token, body)
}

// A script sends a release through the API, follows it to the report, and another workspace's
// token finds nothing.
func TestDistributionAPI(t *testing.T) {
	engines(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		edID := st.member("editor@humas.example", access.Editor, "en")
		token, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, edID, "script", access.Editor)
		if err != nil {
			t.Fatal(err)
		}
		status, body := st.api("POST", "/api/v1/distributions", token, map[string]any{"kind": "release", "id": 7})
		if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["code"] != "no_audience" {
			t.Errorf("no audience: %d %v", status, body)
		}
		status, body = st.api("POST", "/api/v1/distributions", token, map[string]any{"kind": "release", "id": 7, "lists": []int{1}})
		if status != http.StatusCreated || body["state"] != "sending" || body["title"] != "Cek kesehatan gratis" {
			t.Fatalf("create: %d %v", status, body)
		}
		id := int64(body["id"].(float64))
		path := "/api/v1/distributions/" + strconv.FormatInt(id, 10)
		st.wait(id, distribute.Done)

		if status, body := st.api("GET", path+"/progress", token, nil); status != 200 || body["percent"] != float64(100) || body["state"] != "done" {
			t.Errorf("progress: %d %v", status, body)
		}
		status, body = st.api("GET", path+"/report", token, nil)
		if status != 200 || body["delivered"] != float64(3) || body["opened"] != nil || body["clicked"] != float64(0) || len(body["replies"].([]any)) != 0 {
			t.Errorf("report: %d %v", status, body)
		}
		if status, body := st.api("GET", path+"/recipients?state=sent&limit=2", token, nil); status != 200 || len(body["items"].([]any)) != 2 || body["next_cursor"] == "" {
			t.Errorf("recipients: %d %v", status, body)
		}
		if status, body := st.api("POST", path+"/pause", token, nil); status != http.StatusConflict {
			t.Errorf("pausing a finished distribution: %d %v", status, body)
		}
		if status, body := st.api("GET", "/api/v1/distributions?state=done", token, nil); status != 200 || len(body["items"].([]any)) != 1 {
			t.Errorf("list: %d %v", status, body)
		}

		// Settings: passwords are write-only.
		status, body = st.api("PUT", "/api/v1/press/sending", token, map[string]any{"from_email": "humas@sukamaju.example"})
		if status != http.StatusForbidden {
			t.Errorf("an editor changes the settings: %d %v", status, body)
		}
		ownerID := int64(0)
		if u, err := st.auth.UserByEmail(ctx, "owner@humas.example"); err == nil {
			ownerID = u.ID
		}
		ownerToken, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, ownerID, "admin", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		status, body = st.api("PUT", "/api/v1/press/sending", ownerToken, map[string]any{"from_name": "Humas", "from_email": "humas@sukamaju.example",
			"smtp_host": "smtp.sukamaju.example", "smtp_password": "rahasia-sekali", "track_clicks": true})
		if status != 200 || body["smtp_password_set"] != true || body["smtp_password"] != nil {
			t.Errorf("put settings: %d %v", status, body)
		}
		status, body = st.api("PUT", "/api/v1/press/sending", ownerToken, map[string]any{"from_email": "bukan alamat"})
		if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["fields"].(map[string]any)["from_email"] == nil {
			t.Errorf("bad settings: %d %v", status, body)
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
		for _, call := range []struct{ method, path string }{{"GET", path}, {"GET", path + "/report"}, {"GET", path + "/recipients"}, {"POST", path + "/cancel"}} {
			if status, _ := st.api(call.method, call.path, tokenB, nil); status != http.StatusNotFound {
				t.Errorf("B %s %s: %d", call.method, call.path, status)
			}
		}
		if status, body := st.api("GET", "/api/v1/distributions", tokenB, nil); status != 200 || len(body["items"].([]any)) != 0 {
			t.Errorf("B's list: %v", body)
		}
		if p := st.signIn("lain@humas.example").Get(st.path("/press/distributions/" + strconv.FormatInt(id, 10))); p.Status != http.StatusNotFound {
			t.Errorf("B's owner opens the page: %d", p.Status)
		}
	})
}

// Both languages have the same words, and every action this package writes to the audit log has
// its words ("audit.<action>"), including those chosen at run time.
func TestCatalogs(t *testing.T) {
	b, err := i18n.NewBundle(catalog.Common, distribute.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	en, id := b.Keys("en"), b.Keys("id")
	if !slices.Equal(en, id) {
		for _, k := range en {
			if !slices.Contains(id, k) {
				t.Errorf("%s is missing in id.json", k)
			}
		}
		for _, k := range id {
			if !slices.Contains(en, k) {
				t.Errorf("%s is missing in en.json", k)
			}
		}
	}
	files, _ := filepath.Glob("*.go")
	action := regexp.MustCompile(`"(distribution\.[a-z_]+)"`)
	actions := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range action.FindAllStringSubmatch(string(src), -1) {
			if m[1] != "distribution.html" { // a template's name
				actions[m[1]] = true
			}
		}
	}
	if len(actions) < 10 {
		t.Errorf("found only %d audit actions: %v", len(actions), actions)
	}
	for a := range actions {
		if !b.Has("audit." + a) {
			t.Errorf("audit.%s has no words in both catalogs", a)
		}
	}
	// Keys the pages build from a value: every state and reason has its words.
	for _, s := range distribute.States {
		if !b.Has("distribute.state." + string(s)) {
			t.Errorf("state %s has no words", s)
		}
	}
	for _, s := range distribute.RecipientStates {
		if !b.Has("distribute.recipient_state." + string(s)) {
			t.Errorf("recipient state %s has no words", s)
		}
	}
	for _, r := range distribute.SkipReasons {
		if !b.Has("distribute.reason." + r) {
			t.Errorf("reason %s has no words", r)
		}
	}
	for _, w := range []string{"login", "mailbox", "tls", "insecure", "connect"} {
		if !b.Has("distribute.mailbox.error." + w) {
			t.Errorf("mailbox problem %s has no words", w)
		}
	}
	for _, e := range []*web.Error{distribute.ErrNoServer, distribute.ErrNoAudience, distribute.ErrNotEditable, distribute.ErrState, distribute.ErrPast,
		distribute.ErrKind, distribute.ErrUnknownSource, distribute.ErrTestAddress, distribute.ErrTestRefused, distribute.ErrUnreachable, distribute.ErrSignIn} {
		if !b.Has(e.Key) {
			t.Errorf("%s has no words", e.Key)
		}
	}
}

// A message cut off after it was handed over is shown as uncertain, explained in plain words, and
// a person decides: send again to the ticked ones, which then get it.
func TestUncertainRecipients(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		cut := startCutter(t, "dewi@thejakartapost.example")
		st := startSiteVia(t, engine, cut)
		owner := st.signIn("owner@humas.example")
		r := owner.Post(st.path("/press/distributions"), url.Values{"source": {"release:7"}, "lists": {"1"}, "action": {"send"}})
		id := idFrom(t, r.Location)
		d := st.wait(id, distribute.Done)
		if d.Counts.Sent != 2 || d.Counts.Uncertain != 1 {
			t.Fatalf("counts %+v, want 2 sent and 1 uncertain", d.Counts)
		}
		path := st.path("/press/distributions/" + strconv.FormatInt(id, 10))
		p := owner.Get(path)
		mustSee(t, "uncertain", p, "1 recipient may or may not have received it",
			"The connection broke after the message was handed to the mail server", "Dewi Lestari", "Send again to those ticked", "Mark all as delivered")
		rid := regexp.MustCompile(`name="ids" value="(\d+)"`).FindStringSubmatch(p.Body)
		if rid == nil {
			t.Fatal("no recipient to tick")
		}

		mustSee(t, "nothing ticked", owner.Follow(owner.Post(path+"/decide", url.Values{"do": {"resend"}})), "Tick at least one recipient first.")
		mustSee(t, "resent", owner.Follow(owner.Post(path+"/decide", url.Values{"do": {"resend"}, "ids": {rid[1]}})), "1 recipient will be sent to again.")
		d = st.wait(id, distribute.Done)
		if d.Counts.Sent != 3 || d.Counts.Uncertain != 0 {
			t.Errorf("after resending: %+v", d.Counts)
		}
		if got := cut.received(); !slices.Contains(got, "dewi@thejakartapost.example") || len(got) != 3 {
			t.Errorf("the server received %v", got)
		}
	})
}
