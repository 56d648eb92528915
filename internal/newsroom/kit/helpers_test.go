package kit_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/auth/authtest"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/newsroom/kit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	mediastore "warta.dev/warta/internal/platform/media"
	"warta.dev/warta/internal/platform/web"
)

// touches counts, per workspace, the changes the kit told the newsroom about. Each must come in
// a transaction, as the newsroom's cache needs.
type touches struct {
	mu sync.Mutex
	n  map[int64]int
}

func (tc *touches) touch(_ context.Context, tx *db.Tx, wsID int64) error {
	if tx == nil {
		panic("touch outside a transaction")
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.n[wsID]++
	return nil
}

func (tc *touches) count(wsID int64) int {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.n[wsID]
}

// fixture is the kit over the real media library with a local store, in two workspaces.
type fixture struct {
	t        *testing.T
	d        *db.DB
	lib      *medialib.Library
	s        *kit.Service
	touched  *touches
	wsA, wsB int64
	actor    audit.Actor
}

func newFixture(t *testing.T, engine db.Dialect) *fixture {
	t.Helper()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, medialib.Migrations, kit.Migrations)
	store, err := mediastore.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, d: d, lib: medialib.New(d, store), touched: &touches{n: map[int64]int{}}}
	f.s = kit.NewService(d, f.lib, f.touched.touch)
	ctx := context.Background()
	var user int64
	err = d.Tx(ctx, func(tx *db.Tx) error {
		for _, ws := range []struct {
			id   *int64
			slug string
		}{{&f.wsA, "humas-a"}, {&f.wsB, "humas-b"}} {
			if err := tx.QueryRow(ctx, `INSERT INTO workspaces (slug, name, lang, timezone, created_at) VALUES (?, ?, 'id', 'Asia/Jakarta', ?) RETURNING id`,
				ws.slug, ws.slug, time.Now().UTC()).Scan(ws.id); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `INSERT INTO users (email, name, created_at) VALUES ('rina@humas.example', 'Rina', ?) RETURNING id`,
			time.Now().UTC()).Scan(&user)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.actor = audit.Actor{UserID: user, Label: "rina@humas.example", IP: "10.0.0.7"}
	return f
}

func file(name string, content []byte) kit.Upload {
	return kit.Upload{Filename: name, Body: bytes.NewReader(content)}
}

// add puts a file in a workspace's kit, failing the test on error.
func (f *fixture) add(ws int64, in kit.ItemInput, name string, content []byte) *kit.Item {
	f.t.Helper()
	it, err := f.s.Add(context.Background(), f.actor, ws, in, file(name, content))
	if err != nil {
		f.t.Fatalf("add %s: %v", name, err)
	}
	return it
}

func (f *fixture) person(ws int64, in kit.PersonInput, photo kit.Upload) *kit.Spokesperson {
	f.t.Helper()
	p, err := f.s.AddPerson(context.Background(), f.actor, ws, in, photo)
	if err != nil {
		f.t.Fatalf("add %s: %v", in.Name, err)
	}
	return p
}

// picture is a w×h image in two colours; seed makes pictures of the same size differ.
func picture(w, h int, seed uint8) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{R: 200, G: seed, A: 255}
			if x >= w/2 {
				c = color.NRGBA{B: 200, G: seed, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func pngBytes(t *testing.T, w, h int, seed uint8) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture(w, h, seed)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t *testing.T, w, h int, seed uint8) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(w, h, seed), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hugePNG starts like a PNG and goes on past the kit's 20 MB: what a print-size photo saved
// without compression looks like to the upload.
func hugePNG(t *testing.T) []byte {
	b := make([]byte, 20<<20+1)
	copy(b, pngBytes(t, 8, 8, 0))
	return b
}

func pdf(text string) []byte { return []byte("%PDF-1.4\n% " + text + "\n%%EOF\n") }

// site is the kit's pages behind the real sign-in and sessions of auth, on loopback.
type site struct {
	t       *testing.T
	url     string
	d       *db.DB
	auth    *auth.Service
	lib     *medialib.Library
	s       *kit.Service
	touched *touches
	bundle  *i18n.Bundle
	ws      *auth.Workspace
}

const pw = "kopi-tubruk-pahit"

func startSite(t *testing.T, engine db.Dialect) *site {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, medialib.Migrations, kit.Migrations)
	store, err := mediastore.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.NewBundle(catalog.Common, auth.Catalog, medialib.Catalog, kit.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srvURL := "http://127.0.0.1"
	sessions, _ := web.NewSessions(d, srvURL)
	as := auth.NewService(d, nil, bundle, srvURL, log)
	guard := auth.NewGuard(as, sessions)
	rd, err := web.NewRenderer(sessions, []web.NavItem{{Key: "kit.nav", Path: "/newsroom/kit", Perm: access.PressView},
		{Key: "kit.nav.spokespeople", Path: "/newsroom/spokespeople", Perm: access.PressView}}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(guard, sessions, bundle, rd, log)
	authPages, err := auth.NewHandlers(as, guard, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &site{t: t, d: d, auth: as, lib: medialib.New(d, store), touched: &touches{n: map[int64]int{}}, bundle: bundle}
	st.s = kit.NewService(d, st.lib, st.touched.touch)
	h, err := kit.NewHandlers(st.s, srv)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(authPages.Routes()...)
	srv.Handle(h.Routes()...)
	hs := httptest.NewServer(srv.Mux())
	t.Cleanup(hs.Close)
	st.url = hs.URL
	_, ws, err := as.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Name: "Oka Pemilik", Password: pw,
		Role: access.Owner, Workspace: "Humas Kota", Lang: "en", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	st.ws = ws
	return st
}

// member adds someone to the workspace with a role and language.
func (st *site) member(email string, role access.Role, lang string) {
	st.t.Helper()
	if _, _, err := st.auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: email, Name: email, Password: pw, Role: role,
		Workspace: st.ws.Slug, Lang: lang}); err != nil {
		st.t.Fatal(err)
	}
}

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

func (st *site) signIn(email string) *authtest.Browser {
	return authtest.SignIn(st.t, st.url, email, pw)
}

var text, mustSee = authtest.Text, authtest.MustSee

// field is one text field of a form, in the order a browser sends them.
type field struct{ name, value string }

// upload posts a multipart form as a browser does: the text fields, then the file (none when
// filename is empty, as when nobody chose one).
func (st *site) upload(b *authtest.Browser, path string, fields []field, fileField, filename string, content []byte) authtest.Page {
	st.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		_ = mw.WriteField(f.name, f.value)
	}
	w, _ := mw.CreateFormFile(fileField, filename)
	_, _ = w.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", st.url+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.Do(req)
}
