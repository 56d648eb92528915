package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/importer"
)

// site serves the import pages and API on loopback over env, with auth's sign-in.
type site struct {
	*env
	url string
}

const pw = "kopi-tubruk-pahit"

func startSite(t *testing.T, engine db.Dialect) *site {
	t.Helper()
	e := newEnv(t, engine)
	sessions, _ := web.NewSessions(e.d, "http://127.0.0.1")
	guard := auth.NewGuard(e.auth, sessions)
	rd, err := web.NewRenderer(sessions, nil, e.log)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(guard, sessions, e.bundle, rd, e.log)
	authPages, err := auth.NewHandlers(e.auth, guard, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := importer.NewHandlers(e.s, srv)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(authPages.Routes()...)
	srv.Handle(h.Routes()...)
	srv.Handle(h.APIRoutes()...)
	hs := httptest.NewServer(srv.Mux())
	t.Cleanup(hs.Close)
	return &site{env: e, url: hs.URL}
}

func (st *site) member(email string, role access.Role, lang string) int64 {
	st.t.Helper()
	u, _, err := st.auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: email, Password: pw, Role: role, Workspace: st.ws.Slug, Lang: lang})
	if err != nil {
		st.t.Fatal(err)
	}
	return u.ID
}

type browser struct {
	st   *site
	c    *http.Client
	lang string
}

type page struct {
	status   int
	body     string
	location string
	refresh  string
}

func (st *site) signIn(email, lang string) *browser {
	st.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{st: st, lang: lang, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if r := b.post("/login", url.Values{"email": {email}, "password": {pw}}); r.status != http.StatusSeeOther {
		st.t.Fatalf("sign in %s: %d", email, r.status)
	}
	return b
}

func (b *browser) do(req *http.Request) page {
	b.st.t.Helper()
	req.Header.Set("Accept-Language", b.lang)
	res, err := b.c.Do(req)
	if err != nil {
		b.st.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, body: string(raw), location: res.Header.Get("Location"), refresh: res.Header.Get("Refresh")}
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest("GET", b.st.url+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	req, _ := http.NewRequest("POST", b.st.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func multipartBody(t *testing.T, name string, data []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return mw.FormDataContentType(), &buf
}

func (b *browser) upload(path, name string, data []byte) page {
	ct, body := multipartBody(b.st.t, name, data)
	req, _ := http.NewRequest("POST", b.st.url+path, body)
	req.Header.Set("Content-Type", ct)
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

func text(body string) string {
	return html.UnescapeString(strings.Join(strings.Fields(tags.ReplaceAllString(body, " ")), " "))
}

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

func mustSee(t *testing.T, what string, p page, wants ...string) {
	t.Helper()
	if txt := text(p.body); strings.Contains(txt, "importer.") || strings.Contains(txt, "<no value>") {
		t.Errorf("%s shows an untranslated key or a missing value:\n%s", what, txt)
	}
	for _, w := range wants {
		if !strings.Contains(p.body, w) && !strings.Contains(text(p.body), w) {
			t.Errorf("%s (%d) does not show %q:\n%s", what, p.status, w, text(p.body))
		}
	}
}

// An officer imports the journalists' file in the browser, in Indonesian: the mapping step shows the
// guessed columns and a preview, the check shows its progress and then the broken rows with their
// lines and the duplicate with "merge" chosen, and the import ends on a summary with the new list.
func TestImportPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		if _, err := st.press.AddContact(ctx, st.actor, st.ws.ID, press.ContactInput{Name: "Sari Dewi", Emails: []string{"sari@tempo.example"},
			Outlets: []press.OutletRole{{Outlet: "Tempo"}}}); err != nil {
			t.Fatal(err)
		}
		st.member("kontributor@humas.example", access.Contributor, "id")
		b := st.signIn("kontributor@humas.example", "id")

		r := b.get(st.path("/press/imports"))
		mustSee(t, "empty list", r, "Belum ada impor", `href="/w/humas-kota/press/imports/new"`)

		// An old .xls is refused with what to do, in Indonesian.
		r = b.upload(st.path("/press/imports"), "lama.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 lama"))
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("xls: %d", r.status)
		}
		mustSee(t, "xls", r, "Ini berkas Excel versi lama (.xls)")

		r = b.follow(b.upload(st.path("/press/imports"), "wartawan.csv", []byte(demo)))
		mustSee(t, "mapping", r, "Langkah 1 dari 3", "Berkas CSV, 5 baris", `<option value=";" selected>`, "Pratinjau 5 baris pertama",
			"Budi Santoso", "andi(at)detik.example")
		if !regexp.MustCompile(`name="col_2">\s*<option value="">Abaikan</option>(?s:.*?)<option value="mobile" selected>`).MatchString(r.body) {
			t.Errorf("No. HP not mapped to mobile:\n%s", r.body)
		}
		importPath := r.location
		if importPath == "" {
			importPath = st.path("/press/imports/1")
		}

		// Reading it with the wrong delimiter puts everything in one column; the person sees it and goes back.
		r = b.follow(b.post(importPath, url.Values{"action": {"reread"}, "encoding": {"utf-8"}, "delimiter": {","}, "header": {"yes"}}))
		mustSee(t, "comma", r, "Nama;Email;No. HP;Media;Jabatan;Desk;Kota")
		form := url.Values{"action": {"reread"}, "encoding": {"utf-8"}, "delimiter": {";"}, "header": {"yes"}}
		r = b.follow(b.post(importPath, form))
		mustSee(t, "semicolon again", r, `<option value="mobile" selected>`)

		// Without a name column, the check does not start.
		form = url.Values{"action": {"check"}, "encoding": {"utf-8"}, "delimiter": {";"}, "header": {"yes"}}
		for i, f := range []string{"", "email", "mobile", "outlet", "role", "beats", "city"} {
			form.Set("col_"+string(rune('0'+i)), f)
		}
		r = b.post(importPath, form)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("no name: %d", r.status)
		}
		mustSee(t, "no name", r, "Petakan satu kolom ke nama kontak")
		form.Set("col_0", "name")
		r = b.post(importPath, form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("check: %d %s", r.status, text(r.body))
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			r = b.get(r.location)
			if r.refresh == "" {
				break
			}
			mustSee(t, "progress", r, "<progress", "baris sudah diperiksa")
			if time.Now().After(deadline) {
				t.Fatal("check never ended")
			}
			time.Sleep(50 * time.Millisecond)
			r.location = importPath
		}
		mustSee(t, "checked", r, "Hasil pemeriksaan", "Baris bermasalah", "“andi(at)detik.example” bukan alamat email yang benar.", "Nama tidak diisi.",
			"Kemungkinan data ganda", "email sama", "Gabungkan ke Sari Dewi")
		if !regexp.MustCompile(`<td>4</td>`).MatchString(r.body) || !regexp.MustCompile(`<td>5</td>`).MatchString(r.body) {
			t.Errorf("error lines 4 and 5 not shown:\n%s", text(r.body))
		}
		if !regexp.MustCompile(`value="merge:\d+" checked`).MatchString(r.body) {
			t.Errorf("merge is not the default:\n%s", r.body)
		}

		// A new list without a name keeps the page and says what is missing.
		r = b.post(importPath+"/apply", url.Values{"action": {"apply"}, "list": {"new"}, "new_list": {""}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("list without name: %d", r.status)
		}
		r = b.follow(b.post(importPath+"/apply", url.Values{"action": {"apply"}, "list": {"new"}, "new_list": {"Wartawan Jatim"}}))
		mustSee(t, "summary", r, "Kontak sudah diimpor.", "Impor selesai", "Kontak baru 2", "Digabung ke kontak yang ada 1",
			"Baris bermasalah (tidak diimpor) 2", "Wartawan Jatim", "dasar hukum pemrosesan data")
		// The form posted again (a double click) changes nothing.
		r = b.follow(b.post(importPath+"/apply", url.Values{"action": {"apply"}}))
		mustSee(t, "twice", r, "Impor ini sudah diterapkan")
		if n := len(st.contacts()); n != 3 {
			t.Errorf("%d contacts", n)
		}
		mustSee(t, "list", b.get(st.path("/press/imports")), "wartawan.csv", "2 baru, 1 digabung")
	})
}

func (st *site) api(method, path, token, contentType string, body io.Reader) (int, map[string]any) {
	st.t.Helper()
	req, _ := http.NewRequest(method, st.url+path, body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept-Language", "en")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func jsonBody(v any) io.Reader {
	raw, _ := json.Marshal(v)
	return bytes.NewReader(raw)
}

// The same import through the API, and the walls around it: a viewer may not import, and another
// workspace sees none of it.
func TestImportAPIAndWorkspaces(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		edID := st.member("editor@humas.example", access.Editor, "en")
		viewerID := st.member("baca@humas.example", access.Viewer, "en")
		token, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, edID, "script", access.Editor)
		if err != nil {
			t.Fatal(err)
		}
		viewerToken, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, viewerID, "baca", access.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		ct, body := multipartBody(t, "kontak.csv", []byte("Nama,Email,Negara\nBudi,budi@example.com,Indonesia\nAni,ani@example.com,Narnia\n"))
		if status, _ := st.api("POST", "/api/v1/imports", viewerToken, ct, body); status != http.StatusForbidden {
			t.Fatalf("viewer upload: %d", status)
		}
		ct, body = multipartBody(t, "kontak.csv", []byte("Nama,Email,Negara\nBudi,budi@example.com,Indonesia\nAni,ani@example.com,Narnia\n"))
		status, im := st.api("POST", "/api/v1/imports", token, ct, body)
		if status != http.StatusCreated || im["delimiter"] != "," || len(im["preview"].([]any)) != 2 {
			t.Fatalf("upload: %d %v", status, im)
		}
		path := "/api/v1/imports/" + jsonNumber(im["id"])
		if status, im = st.api("POST", path+"/check", token, "application/json", jsonBody(map[string]any{"mapping": []string{"name", "email", "country"}})); status != http.StatusAccepted {
			t.Fatalf("check: %d %v", status, im)
		}
		for deadline := time.Now().Add(30 * time.Second); im["state"] != importer.StateChecked; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("check stuck: %v", im)
			}
			_, im = st.api("GET", path, token, "", nil)
		}
		status, rows := st.api("GET", path+"/rows?status=error", token, "", nil)
		items := rows["items"].([]any)
		if status != 200 || len(items) != 1 {
			t.Fatalf("error rows: %d %v", status, rows)
		}
		row := items[0].(map[string]any)
		msg := row["problems"].([]any)[0].(map[string]any)["message"]
		if row["line"].(float64) != 3 || !strings.Contains(msg.(string), "“Narnia” is not a country") {
			t.Fatalf("error row %v", row)
		}

		// Another workspace neither lists nor reaches this import.
		ou, other, err := st.auth.CreateUserWithWorkspace(ctx, auth.CLI, "lain@kota.example", "Lain", pw, "en", "Kota Lain", "Asia/Jakarta")
		if err != nil {
			t.Fatal(err)
		}
		otherToken, _, err := st.auth.CreateToken(ctx, auth.CLI, other.ID, ou.ID, "lain", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := st.api("GET", path, otherToken, "", nil); status != http.StatusNotFound {
			t.Errorf("other workspace reads the import: %d", status)
		}
		if status, _ := st.api("POST", path+"/apply", otherToken, "", nil); status != http.StatusNotFound {
			t.Errorf("other workspace applies the import: %d", status)
		}
		if _, list := st.api("GET", "/api/v1/imports", otherToken, "", nil); len(list["items"].([]any)) != 0 {
			t.Errorf("other workspace lists %v", list)
		}

		status, im = st.api("POST", path+"/apply", token, "application/json", jsonBody(map[string]any{"new_list": "Dari API"}))
		if status != 200 || im["created"].(float64) != 1 || im["error_rows"].(float64) != 1 || im["list_name"] != "Dari API" {
			t.Fatalf("apply: %d %v", status, im)
		}
		if status, body := st.api("POST", path+"/apply", token, "", nil); status != http.StatusConflict {
			t.Fatalf("apply twice: %d %v", status, body)
		}
	})
}

func jsonNumber(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
