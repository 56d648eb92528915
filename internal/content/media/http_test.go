package media

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	mediastore "warta.dev/warta/internal/platform/media"
	"warta.dev/warta/internal/platform/web"
)

const password = "kopi-tubruk-pahit"

// site is the media library's pages and API behind the real sign-in, sessions and tokens of auth,
// on loopback.
type site struct {
	t    *testing.T
	url  string
	lib  *Library
	d    *db.DB
	auth *auth.Service
	ws   *auth.Workspace
}

func startSite(t *testing.T, engine db.Dialect) *site {
	t.Helper()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, Migrations)
	store, err := mediastore.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.NewBundle(catalog.Common, auth.Catalog, Catalog)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ts := httptest.NewUnstartedServer(nil)
	baseURL := "http://" + ts.Listener.Addr().String()
	sessions, _ := web.NewSessions(d, baseURL)
	svc := auth.NewService(d, nil, bundle, baseURL, log)
	guard := auth.NewGuard(svc, sessions)
	rd, err := web.NewRenderer(sessions, []web.NavItem{{Key: "nav.content.media", Path: "/media", Perm: access.ContentView}}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(guard, sessions, bundle, rd, log)
	authPages, err := auth.NewHandlers(svc, guard, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	lib := New(d, store)
	pages, err := NewHandlers(lib, srv)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(authPages.Routes()...)
	srv.Handle(pages.Routes()...)
	srv.Handle(pages.APIRoutes()...)
	ts.Config.Handler = srv.Mux()
	ts.Start()
	t.Cleanup(ts.Close)

	_, ws, err := svc.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: "ani@humas.example", Name: "Ani",
		Password: password, Role: access.Owner, Workspace: "Humas Makassar", Lang: "en", Timezone: "Asia/Makassar"})
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, url: baseURL, lib: lib, d: d, auth: svc, ws: ws}
}

type response struct {
	status int
	body   string
	header http.Header
}

type browser struct {
	s      *site
	client *http.Client
}

func (s *site) signIn(email string) *browser {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{s: s, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if r := b.post("/login", url.Values{"email": {email}, "password": {password}}); r.status != http.StatusSeeOther {
		s.t.Fatalf("sign in as %s: %d", email, r.status)
	}
	return b
}

func (b *browser) do(req *http.Request) response {
	b.s.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(body), header: res.Header}
}

func (b *browser) get(path string, header ...string) response {
	req, _ := http.NewRequest("GET", b.s.url+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) response {
	req, _ := http.NewRequest("POST", b.s.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

type file struct {
	name    string
	content []byte
}

func multipartBody(t *testing.T, field string, files ...file) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		w, err := mw.CreateFormFile(field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(f.content)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), &buf
}

func (b *browser) upload(path string, files ...file) response {
	ct, body := multipartBody(b.s.t, "files", files...)
	req, _ := http.NewRequest("POST", b.s.url+path, body)
	req.Header.Set("Content-Type", ct)
	return b.do(req)
}

func (s *site) api(method, path, token, contentType string, body io.Reader) (response, map[string]any) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.url+path, body)
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return response{status: res.StatusCode, body: string(raw), header: res.Header}, out
}

func contains(t *testing.T, what string, r response, status int, wants ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d", what, r.status, status)
	}
	for _, w := range wants {
		if !strings.Contains(r.body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// An editor's way through the library in the browser: an empty library says what to do; an
// upload of three files keeps the good one and says why each other was refused; the thumbnail and
// file are served as what they are; a too-long alt text is shown beside its field with what was
// typed kept; a file in use cannot be deleted and the page says where it is used.
func TestLibraryPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		s := startSite(t, engine)
		ctx := context.Background()
		ani := s.signIn("ani@humas.example")
		base := "/w/" + s.ws.Slug + "/media"

		contains(t, "empty library", ani.get(base), 200, "No files yet", "Upload your first files")

		html := []byte("<!DOCTYPE html><html><body>not a photo</body></html>")
		svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
		r := ani.upload(base+"/upload", file{"posko.png", pngBytes(t, 800, 600, false)}, file{"photo.jpg", html}, file{"logo.svg", svg})
		contains(t, "upload results", r, 200, "posko.png", "saved.", "Add alt text", "photo.jpg", "This type of file is not accepted", "logo.svg", "SVG files are not accepted")
		list, err := s.lib.Search(ctx, s.ws.ID, Filter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("library after upload: %v %v", list, err)
		}
		a := list[0]
		page := base + "/" + strconv.FormatInt(a.ID, 10)
		contains(t, "list", ani.get(base), 200, "posko.png", "Alt text missing", page+"/thumb", "800 × 600 px")
		contains(t, "no files chosen", ani.upload(base+"/upload"), http.StatusUnprocessableEntity, "Choose at least one file")

		thumb := ani.get(page + "/thumb")
		if thumb.status != 200 || thumb.header.Get("Content-Type") != "image/jpeg" || thumb.header.Get("X-Content-Type-Options") != "nosniff" ||
			thumb.header.Get("Cache-Control") != "private" {
			t.Errorf("thumbnail: %d %v", thumb.status, thumb.header)
		}
		if cfg, _, err := image.DecodeConfig(strings.NewReader(thumb.body)); err != nil || cfg.Width != 400 {
			t.Errorf("thumbnail is %d wide: %v", cfg.Width, err)
		}
		orig := ani.get(page + "/file")
		if orig.header.Get("Content-Type") != "image/png" || orig.header.Get("Content-Disposition") != `inline; filename=posko.png` {
			t.Errorf("file: %v", orig.header)
		}
		if part := ani.get(page+"/file", "Range", "bytes=1-3"); part.status != http.StatusPartialContent || part.body != "PNG" {
			t.Errorf("range: %d %q", part.status, part.body)
		}

		r = ani.post(page, url.Values{"alt": {strings.Repeat("Posko ", 200)}, "credit": {"Foto: Humas / Andi"}, "licence": {"CC BY 4.0"}})
		contains(t, "too long alt text", r, http.StatusUnprocessableEntity, "This is too long.", `id="e-alt"`, `value="Foto: Humas / Andi"`, `value="CC BY 4.0"`)
		r = ani.post(page, url.Values{"alt": {"Posko banjir di Tallo"}, "credit": {"Foto: Humas / Andi"}, "licence": {"CC BY 4.0"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("save: %d", r.status)
		}
		contains(t, "saved detail", ani.get(page), 200, "Saved.", "Posko banjir di Tallo", "Foto: Humas / Andi")
		contains(t, "filtered list", ani.get(base+"?missing_alt=1"), 200, "No files match this search.")
		contains(t, "search", ani.get(base+"?q=TALLO"), 200, "posko.png")

		err = s.d.Tx(ctx, func(tx *db.Tx) error {
			return s.lib.SetUsage(ctx, tx, s.ws.ID, "content", "17", "Siaran pers: Posko banjir dibuka", "/w/"+s.ws.Slug+"/content/17", []int64{a.ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		contains(t, "refused delete", ani.post(page+"/delete", nil), http.StatusConflict, "so it was not deleted", "Siaran pers: Posko banjir dibuka")
		if _, err := s.lib.Get(ctx, s.ws.ID, a.ID); err != nil {
			t.Fatalf("the file in use was deleted: %v", err)
		}
		err = s.d.Tx(ctx, func(tx *db.Tx) error {
			return s.lib.SetUsage(ctx, tx, s.ws.ID, "content", "17", "", "", nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		if r := ani.post(page+"/delete", nil); r.status != http.StatusSeeOther {
			t.Fatalf("delete: %d", r.status)
		}
		contains(t, "after delete", ani.get(base), 200, "The file was deleted.", "No files yet")
		contains(t, "deleted file", ani.get(page+"/file"), http.StatusNotFound)

		// In Indonesian, for a member who reads it.
		if _, _, err := s.auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "budi@humas.example", Name: "Budi",
			Password: password, Role: access.Contributor, Workspace: s.ws.Slug, Lang: "id"}); err != nil {
			t.Fatal(err)
		}
		budi := s.signIn("budi@humas.example")
		contains(t, "Indonesian refusal", budi.upload(base+"/upload", file{"logo.svg", svg}), http.StatusUnprocessableEntity,
			"Berkas SVG tidak diterima", "Hasil unggahan")
		contains(t, "Indonesian list", budi.get(base), 200, "Pustaka media", "Belum ada berkas")
	})
}

// The API uploads, lists, describes, serves and deletes with a token, and refuses in the token
// owner's words what the pages refuse.
func TestLibraryAPI(t *testing.T) {
	s := startSite(t, db.SQLite)
	ctx := context.Background()
	owner, err := s.auth.UserByEmail(ctx, "ani@humas.example")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := s.auth.CreateToken(ctx, auth.CLI, s.ws.ID, owner.ID, "script", access.Editor)
	if err != nil {
		t.Fatal(err)
	}
	ct, body := multipartBody(t, "file", file{"rilis.txt", []byte("Siaran pers: posko banjir dibuka di Tallo.")})
	r, created := s.api("POST", "/api/v1/media", token, ct, body)
	if r.status != http.StatusCreated || created["kind"] != "document" || created["filename"] != "rilis.txt" || created["file_url"] == "" {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	id := strconv.FormatInt(int64(created["id"].(float64)), 10)

	ct, body = multipartBody(t, "file", file{"photo.jpg", []byte("<html><body>hi</body></html>")})
	r, refused := s.api("POST", "/api/v1/media", token, ct, body)
	if e, _ := refused["error"].(map[string]any); r.status != http.StatusUnsupportedMediaType || e["code"] != "media_wrong_type" ||
		!strings.Contains(e["message"].(string), "not accepted") {
		t.Errorf("wrong type: %d %s", r.status, r.body)
	}

	r, page := s.api("GET", "/api/v1/media?kind=document&q=RILIS", token, "", nil)
	if items, _ := page["items"].([]any); r.status != 200 || len(items) != 1 {
		t.Errorf("list: %d %s", r.status, r.body)
	}
	if r, _ := s.api("GET", "/api/v1/media?kind=audio", token, "", nil); r.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown kind: %d", r.status)
	}
	r, updated := s.api("PATCH", "/api/v1/media/"+id, token, "application/json", strings.NewReader(`{"credit": "Humas Kota Makassar"}`))
	if r.status != 200 || updated["credit"] != "Humas Kota Makassar" || updated["licence"] != "" {
		t.Errorf("patch: %d %s", r.status, r.body)
	}
	if r, _ := s.api("GET", "/api/v1/media/"+id+"/file", token, "", nil); r.status != 200 || r.header.Get("Content-Disposition") != "attachment; filename=rilis.txt" ||
		!strings.HasPrefix(r.body, "Siaran pers") {
		t.Errorf("file: %d %v", r.status, r.header)
	}

	err = s.d.Tx(ctx, func(tx *db.Tx) error {
		return s.lib.SetUsage(ctx, tx, s.ws.ID, "release", "3", "Rilis banjir", "/w/x/releases/3", []int64{int64(created["id"].(float64))})
	})
	if err != nil {
		t.Fatal(err)
	}
	r, inUse := s.api("DELETE", "/api/v1/media/"+id, token, "", nil)
	if e, _ := inUse["error"].(map[string]any); r.status != http.StatusConflict || !strings.Contains(r.body, "Rilis banjir") || e["code"] != "media_in_use" {
		t.Errorf("delete in use: %d %s", r.status, r.body)
	}
	r, detail := s.api("GET", "/api/v1/media/"+id, token, "", nil)
	if uses, _ := detail["used_in"].([]any); r.status != 200 || len(uses) != 1 {
		t.Errorf("detail: %d %s", r.status, r.body)
	}
}

// An upload too large in total stops where the limit is reached: the files before it are saved
// and listed, and the page says what to do with the rest.
func TestUploadTooLargeInTotal(t *testing.T) {
	s := startSite(t, db.SQLite)
	for k := range s.lib.limits {
		s.lib.limits[k] = 1 << 20 // the request may then carry 4 MiB
	}
	ani := s.signIn("ani@humas.example")
	var files []file
	for i := range 5 {
		files = append(files, file{"catatan-" + strconv.Itoa(i) + ".txt", bytes.Repeat([]byte("kata "), 900<<10/5)})
	}
	r := ani.upload("/w/"+s.ws.Slug+"/media/upload", files...)
	contains(t, "upload over the total", r, 200, "catatan-0.txt", "catatan-3.txt", "The upload was too large in total")
	if list, _ := s.lib.Search(context.Background(), s.ws.ID, Filter{}); len(list) != 4 {
		t.Errorf("%d files saved, want the 4 before the limit", len(list))
	}
}
