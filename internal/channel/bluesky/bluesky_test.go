package bluesky_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/bluesky"
	"warta.dev/warta/internal/channel/bluesky/blueskytest"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/platform/i18n"
)

var _ channeltest.Peer = (*blueskytest.Server)(nil)

func newServer(t *testing.T) *blueskytest.Server {
	t.Helper()
	srv := blueskytest.New()
	t.Cleanup(srv.Close)
	return srv
}

func connect(t *testing.T, srv *blueskytest.Server) (channel.Connector, channel.Account) {
	t.Helper()
	c := bluesky.New(channel.Env{Client: &http.Client{}})
	step, err := c.Start(context.Background(), channel.Start{Values: srv.ConnectValues()})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if len(step.Accounts) != 1 {
		t.Fatalf("start gave %d accounts, want 1", len(step.Accounts))
	}
	return c, step.Accounts[0]
}

func TestConformance(t *testing.T) {
	srv := newServer(t)
	c, acct := connect(t, srv)
	channeltest.Conformance(t, c, srv, &acct, true, "")
	if n := srv.CreateSessionCount(); n != 1 {
		t.Errorf("%d sessions created for one connection and its posts, want 1", n)
	}
}

func TestConnect(t *testing.T) {
	srv := newServer(t)
	_, a := connect(t, srv)
	if a.Network != channel.Bluesky || a.Server != srv.URL() || a.RemoteID != srv.DID() {
		t.Errorf("account %+v", a)
	}
	if a.Handle != "@humas-sukamaju.bsky.social" || a.Name != "Humas Kota Sukamaju" ||
		a.URL != "https://bsky.app/profile/humas-sukamaju.bsky.social" {
		t.Errorf("handle %q, name %q, URL %q", a.Handle, a.Name, a.URL)
	}
	if a.Secret.AccessToken == "" || a.Secret.RefreshToken == "" || a.Secret.Password != srv.ConnectValues()["app_password"] {
		t.Errorf("secret %+v", a.Secret)
	}
	if d := time.Until(a.Secret.Expiry); d < 119*time.Minute || d > 121*time.Minute {
		t.Errorf("expiry in %s, want the access token's two hours", d)
	}

	c := bluesky.New(channel.Env{Client: &http.Client{}})
	ctx := context.Background()
	values := func(change map[string]string) map[string]string {
		v := srv.ConnectValues()
		for k, x := range change {
			v[k] = x
		}
		return v
	}
	t.Run("handle with @, an email, a server with a slash", func(t *testing.T) {
		for _, v := range []map[string]string{
			{"handle": "@humas-sukamaju.bsky.social"},
			{"handle": "Humas@Sukamaju.go.id"},
			{"server": " " + srv.URL() + "/ "},
		} {
			step, err := c.Start(ctx, channel.Start{Values: values(v)})
			if err != nil || len(step.Accounts) != 1 || step.Accounts[0].RemoteID != srv.DID() {
				t.Errorf("%v: %+v, %v", v, step, err)
			}
		}
	})
	t.Run("empty server means the endpoint", func(t *testing.T) {
		c := bluesky.New(channel.Env{Client: &http.Client{}, Endpoint: srv.URL()})
		step, err := c.Start(ctx, channel.Start{Values: values(map[string]string{"server": ""})})
		if err != nil || step.Accounts[0].Server != srv.URL() {
			t.Errorf("%+v, %v", step, err)
		}
	})
	t.Run("missing fields", func(t *testing.T) {
		for _, field := range []string{"handle", "app_password"} {
			_, err := c.Start(ctx, channel.Start{Values: values(map[string]string{field: " "})})
			if e := channel.AsError(err); e.Kind != channel.Rejected || e.Reason != field {
				t.Errorf("without %s: %v", field, err)
			}
		}
		_, err := c.Start(ctx, channel.Start{Values: values(map[string]string{"server": "ftp://pds.example"})})
		if e := channel.AsError(err); e.Kind != channel.Rejected || e.Reason != "server" {
			t.Errorf("ftp server: %v", err)
		}
	})
	t.Run("wrong app password", func(t *testing.T) {
		_, err := c.Start(ctx, channel.Start{Values: values(map[string]string{"app_password": "aaaa-bbbb-cccc-dddd"})})
		if e := channel.AsError(err); e.Kind != channel.Unauthorized || e.Reason != "Invalid identifier or password" {
			t.Errorf("wrong password: %v", err)
		}
	})
	t.Run("no AppView: the handle is the name", func(t *testing.T) {
		srv := newServer(t)
		srv.WithoutAppView()
		_, a := connect(t, srv)
		if a.Name != "humas-sukamaju.bsky.social" {
			t.Errorf("name %q", a.Name)
		}
	})
}

// facetOf is a facet as the server holds it.
type facetOf struct {
	Index struct {
		ByteStart int `json:"byteStart"`
		ByteEnd   int `json:"byteEnd"`
	} `json:"index"`
	Features []struct {
		Type string `json:"$type"`
		URI  string `json:"uri"`
		DID  string `json:"did"`
		Tag  string `json:"tag"`
	} `json:"features"`
}

func extra[T any](t *testing.T, p channeltest.Post, key string) T {
	t.Helper()
	var out T
	raw, _ := json.Marshal(p.Extra[key])
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s of %+v: %v", key, p, err)
	}
	return out
}

func last(srv *blueskytest.Server) channeltest.Post {
	posts := srv.Posts()
	return posts[len(posts)-1]
}

func TestFacets(t *testing.T) {
	srv := newServer(t)
	wargaDID := srv.AddHandle("warga.bsky.social")
	c, a := connect(t, srv)
	page := httptest.NewServer(http.NotFoundHandler()) // no card: the page is missing
	t.Cleanup(page.Close)
	link := page.URL + "/berita/ktp-keliling?kec=utara"
	text := "Selamat pagi 🌅🇮🇩! Baca siaran pers di " + link + ", bersama @Warga.bsky.social dan @belum-ada.bsky.social " +
		"(lihat " + link + ") #LayananPublik #2024 #KTPkeliling. Surel: humas@sukamaju.go.id"
	if _, err := c.Publish(context.Background(), &a, channel.Post{Key: "facets", Text: text, Language: "id"}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	got := map[string][]string{}
	for _, f := range extra[[]facetOf](t, last(srv), "facets") {
		covered := text[f.Index.ByteStart:f.Index.ByteEnd]
		if runes := utf8.RuneCountInString(text[:f.Index.ByteStart]); runes == f.Index.ByteStart {
			t.Errorf("facet at %d: code points and bytes agree, the emoji did not test byte offsets", runes)
		}
		for _, ft := range f.Features {
			value := ft.URI + ft.DID + ft.Tag
			got[ft.Type] = append(got[ft.Type], covered+"="+value)
		}
	}
	want := map[string][]string{
		"app.bsky.richtext.facet#link":    {link + "=" + link, link + "=" + link},
		"app.bsky.richtext.facet#mention": {"@Warga.bsky.social=" + wargaDID},
		"app.bsky.richtext.facet#tag":     {"#LayananPublik=LayananPublik", "#KTPkeliling=KTPkeliling"},
	}
	for typ, w := range want {
		if strings.Join(got[typ], " | ") != strings.Join(w, " | ") {
			t.Errorf("%s facets %q, want %q", typ, got[typ], w)
		}
	}
	if _, card := last(srv).Extra["embed"]; card {
		t.Errorf("a card for a page that answers 404: %v", last(srv).Extra["embed"])
	}
}

func TestLinkCard(t *testing.T) {
	srv := newServer(t)
	c, a := connect(t, srv)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>Berita | Kota Sukamaju</title>
<meta property="og:title" content="KTP Keliling &amp; Akta Lahir">
<meta name="description" content="Layanan jemput bola di 12 kecamatan."></head><body>…</body></html>`)
	}))
	t.Cleanup(page.Close)
	text := "Jadwal lengkap: " + page.URL + "/ktp"
	if _, err := c.Publish(context.Background(), &a, channel.Post{Key: "card", Text: text}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	card := extra[struct {
		Type     string `json:"$type"`
		External struct {
			URI, Title, Description string
		} `json:"external"`
	}](t, last(srv), "embed")
	if card.Type != "app.bsky.embed.external" || card.External.URI != page.URL+"/ktp" ||
		card.External.Title != "KTP Keliling & Akta Lahir" || card.External.Description != "Layanan jemput bola di 12 kecamatan." {
		t.Errorf("card %+v", card)
	}

	// With an image the post carries the image, not a card.
	p := channel.Post{Key: "card-image", Text: text, Media: []channel.MediaFile{channeltest.Image("Peta lokasi", "")}}
	if _, err := c.Publish(context.Background(), &a, p); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if embed := extra[struct {
		Type string `json:"$type"`
	}](t, last(srv), "embed"); embed.Type != "app.bsky.embed.images" {
		t.Errorf("embed %q, want the image", embed.Type)
	}
}

func TestMedia(t *testing.T) {
	srv := newServer(t)
	c, a := connect(t, srv)
	ctx := context.Background()
	images := []channel.MediaFile{channeltest.Image("Kader posyandu menimbang bayi", ""), channeltest.Image("", "")}
	if _, err := c.Publish(ctx, &a, channel.Post{Key: "images", Text: "Posyandu Melati", Media: images}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	embed := extra[struct {
		Images []struct {
			Alt         *string
			AspectRatio struct{ Width, Height int }
		}
	}](t, last(srv), "embed")
	if len(embed.Images) != 2 || *embed.Images[0].Alt != "Kader posyandu menimbang bayi" || embed.Images[1].Alt == nil ||
		embed.Images[0].AspectRatio.Width != 40 || embed.Images[0].AspectRatio.Height != 30 {
		t.Errorf("embed %+v", embed)
	}

	video := []byte("\x00\x00\x00\x18ftypmp42 a small video")
	mp4 := channel.MediaFile{Name: "liputan.mp4", MIME: "video/mp4", Kind: channel.KindVideo, Size: int64(len(video)), Width: 1920, Height: 1080,
		Alt: "Liputan kegiatan", Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(video)), nil }}
	if _, err := c.Publish(ctx, &a, channel.Post{Key: "video", Text: "Liputan", Media: []channel.MediaFile{mp4}}); err != nil {
		t.Fatalf("publish video: %v", err)
	}
	if m := last(srv).Media; len(m) != 1 || m[0].MIME != "video/mp4" || m[0].Alt != "Liputan kegiatan" {
		t.Errorf("video %+v", m)
	}

	// An image over the lexicon's 2,000,000 bytes is refused with the PDS's words.
	big := append(channeltest.PNG(), make([]byte, 2_000_001)...)
	huge := channel.MediaFile{Name: "besar.png", MIME: "image/png", Kind: channel.KindImage, Size: int64(len(big)), Alt: "Foto besar",
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(big)), nil }}
	before := len(srv.Posts())
	_, err := c.Publish(ctx, &a, channel.Post{Key: "big", Text: "Foto besar", Media: []channel.MediaFile{huge}})
	if e := channel.AsError(err); e.Kind != channel.Rejected || !strings.Contains(e.Reason, "blob too big") {
		t.Errorf("a 2 MB image: %v", err)
	}
	if len(srv.Posts()) != before {
		t.Error("a refused image left a post")
	}
}

var tid = regexp.MustCompile(`^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`)

func TestRecordKey(t *testing.T) {
	srv := newServer(t)
	c, a := connect(t, srv)
	ctx := context.Background()
	p := channel.Post{Key: "pub-42", Text: "Pengumuman libur nasional", FirstComment: "Info lengkap di kanal resmi #Sukamaju"}
	first, err := c.Publish(ctx, &a, p)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	rkey := first.RemoteID[strings.LastIndexByte(first.RemoteID, '/')+1:]
	if !tid.MatchString(rkey) {
		t.Errorf("record key %q is not a TID", rkey)
	}
	if first.URL != "https://bsky.app/profile/humas-sukamaju.bsky.social/post/"+rkey {
		t.Errorf("URL %s", first.URL)
	}
	posts := srv.Posts()
	if len(posts) != 2 || posts[1].ReplyTo != first.RemoteID || posts[1].Text != p.FirstComment {
		t.Fatalf("the first comment is not a reply to the post: %+v", posts)
	}

	found, err := c.Find(ctx, &a, p)
	if err != nil || found == nil || found.RemoteID != first.RemoteID || found.URL != first.URL {
		t.Errorf("find: %+v, %v", found, err)
	}

	// A second attempt of the same publication meets the taken key and answers the first post.
	again, err := c.Publish(ctx, &a, p)
	if err != nil || again.RemoteID != first.RemoteID {
		t.Errorf("second publish: %+v, %v", again, err)
	}
	if n := len(srv.Posts()); n != 2 {
		t.Errorf("%d posts after publishing the same post twice, want 2 (post and comment)", n)
	}
}

func TestSession(t *testing.T) {
	srv := newServer(t)
	c, a := connect(t, srv)
	ctx := context.Background()
	post := func(key string) error {
		_, err := c.Publish(ctx, &a, channel.Post{Key: key, Text: "Siaran pers " + key})
		return err
	}

	if changed, err := c.Refresh(ctx, &a, time.Hour); changed || err != nil {
		t.Errorf("refresh of a token good for two hours: %v, %v", changed, err)
	}
	old := a.Secret
	if changed, err := c.Refresh(ctx, &a, 3*time.Hour); !changed || err != nil || a.Secret.AccessToken == old.AccessToken {
		t.Errorf("refresh within three hours: %v, %v", changed, err)
	}
	for i := range 20 {
		if err := post(fmt.Sprint("reuse-", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.CreateSessionCount(); n != 1 {
		t.Errorf("%d sessions created, want 1: refresh and posts reuse the session", n)
	}

	t.Run("expired access token", func(t *testing.T) {
		srv.ExpireAccessTokens()
		before := a.Secret.AccessToken
		if err := post("expired"); err != nil {
			t.Fatalf("publish with an expired token: %v", err)
		}
		if a.Secret.AccessToken == before || srv.CreateSessionCount() != 1 {
			t.Errorf("token renewed %v, sessions %d: want renewal by refreshSession", a.Secret.AccessToken != before, srv.CreateSessionCount())
		}
		if _, err := c.Verify(ctx, &a); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
	t.Run("dead refresh token", func(t *testing.T) {
		srv.ExpireAccessTokens()
		a.Secret.RefreshToken = a.Secret.AccessToken // refused as the wrong kind of token
		if err := post("dead-refresh"); err != nil {
			t.Fatalf("publish: %v", err)
		}
		if n := srv.CreateSessionCount(); n != 2 {
			t.Errorf("%d sessions, want a second one made with the app password", n)
		}
	})
	t.Run("revoked app password", func(t *testing.T) {
		before := len(srv.Posts())
		srv.Revoke()
		err := post("revoked")
		if e := channel.AsError(err); e.Kind != channel.Unauthorized || e.Reason != "Invalid identifier or password" {
			t.Errorf("publish after revocation: %v", err)
		}
		if _, err := c.Verify(ctx, &a); channel.AsError(err).Kind != channel.Unauthorized {
			t.Errorf("verify after revocation: %v", err)
		}
		if len(srv.Posts()) != before {
			t.Error("a post was made with a revoked app password")
		}
		// The user makes a new app password and connects again.
		_, a2 := connect(t, srv)
		if _, err := c.Publish(ctx, &a2, channel.Post{Key: "reconnected", Text: "Tersambung lagi"}); err != nil {
			t.Errorf("publish after reconnecting: %v", err)
		}
	})
}

func TestRateLimit(t *testing.T) {
	srv := newServer(t)
	c, a := connect(t, srv)
	srv.FailNext(channeltest.RateLimited, 1)
	_, err := c.Publish(context.Background(), &a, channel.Post{Key: "limit", Text: "Pengumuman"})
	e := channel.AsError(err)
	if d := time.Until(e.RetryAt); e.Kind != channel.RateLimited || d < 50*time.Second || d > 61*time.Second {
		t.Errorf("rate limit %v, retry in %s; want RateLimit-Reset, a minute ahead", err, d)
	}
}

func TestSessionRateLimit(t *testing.T) {
	srv := newServer(t)
	c := bluesky.New(channel.Env{Client: &http.Client{}})
	var err error
	for i := 0; i <= 30 && err == nil; i++ {
		_, err = c.Start(context.Background(), channel.Start{Values: srv.ConnectValues()})
	}
	e := channel.AsError(err)
	if d := time.Until(e.RetryAt); e.Kind != channel.RateLimited || d < 4*time.Minute || d > 5*time.Minute {
		t.Errorf("the 31st sign-in in five minutes: %v, retry in %s", err, d)
	}
}

func TestVerifyAndMetrics(t *testing.T) {
	srv := newServer(t)
	c, a := connect(t, srv)
	ctx := context.Background()
	prof, err := c.Verify(ctx, &a)
	if err != nil || prof.Handle != "@humas-sukamaju.bsky.social" || prof.Name != "Humas Kota Sukamaju" || prof.QuotaLeft != -1 ||
		prof.URL != "https://bsky.app/profile/humas-sukamaju.bsky.social" {
		t.Errorf("verify: %+v, %v", prof, err)
	}

	var ids []string
	for i := range 27 {
		p := channel.Post{Key: fmt.Sprint("m", i), Text: fmt.Sprint("Unggahan ", i)}
		if i == 26 {
			p.FirstComment = "Balasan pertama"
		}
		pub, err := c.Publish(ctx, &a, p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, pub.RemoteID)
	}
	srv.SetEngagement(ids[0], 12, 3)
	srv.SetEngagement(ids[26], 5, 1)
	m, err := c.Metrics(ctx, &a, ids)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	if len(m) != 27 || m[ids[0]] != (channel.Metrics{Likes: 12, Reposts: 3, Views: -1}) ||
		m[ids[26]] != (channel.Metrics{Likes: 5, Reposts: 1, Replies: 1, Views: -1}) {
		t.Errorf("metrics of %d posts: %+v, %+v", len(m), m[ids[0]], m[ids[26]])
	}

	srv.WithoutAppView()
	if _, err := c.Metrics(ctx, &a, ids[:1]); !errors.Is(err, channel.ErrNotOffered) {
		t.Errorf("metrics without an AppView: %v", err)
	}
	if prof, err := c.Verify(ctx, &a); err != nil || prof.Name != "Humas Kota Sukamaju" {
		t.Errorf("verify without an AppView keeps the name: %+v, %v", prof, err)
	}
}

func TestGuide(t *testing.T) {
	c := bluesky.New(channel.Env{Client: &http.Client{}})
	b, err := i18n.NewBundle(bluesky.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	if en, id := b.Keys("en"), b.Keys("id"); strings.Join(en, ",") != strings.Join(id, ",") {
		t.Errorf("en and id differ:\n%v\n%v", en, id)
	}
	g := c.Guide()
	keys := append([]string{g.Needs}, g.Steps...)
	for _, f := range c.Fields() {
		keys = append(keys, f.Label, f.Help)
	}
	for _, k := range keys {
		if !b.Has(k) {
			t.Errorf("catalog lacks %q", k)
		}
	}
	if g.DocsURL != "https://bsky.app/settings/app-passwords" {
		t.Errorf("docs %s", g.DocsURL)
	}
	names := []string{}
	for _, f := range c.Fields() {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "handle,app_password,server" {
		t.Errorf("fields %v", names)
	}
}
