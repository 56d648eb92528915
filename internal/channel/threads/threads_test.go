package threads_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/meta/metatest"
	"warta.dev/warta/internal/channel/threads"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
)

const redirect = "https://warta.example.go.id/channels/callback"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// media is Warta's public base URL as Threads' servers see it.
func media(t *testing.T) string {
	t.Helper()
	png := channeltest.PNG()
	ms := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/m/foto.png" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(png)
	}))
	t.Cleanup(ms.Close)
	return ms.URL + "/m/foto.png"
}

func setup(t *testing.T) (*metatest.Server, channel.Connector, *clock) {
	t.Helper()
	srv := metatest.New()
	t.Cleanup(srv.Close)
	clk := &clock{t: time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)}
	srv.SetClock(clk.Now)
	conn := threads.New(channel.Env{Client: &http.Client{}, Endpoint: srv.URL(), Now: clk.Now,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	return srv, conn, clk
}

func connect(t *testing.T, srv *metatest.Server, conn channel.Connector) channel.Account {
	t.Helper()
	ctx := context.Background()
	step, err := conn.Start(ctx, channel.Start{Values: srv.Network(channel.Threads).ConnectValues(), RedirectURL: redirect, State: "st-9"})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if !strings.HasPrefix(step.AuthURL, srv.URL()+"/oauth/authorize?") {
		t.Fatalf("auth url %s", step.AuthURL)
	}
	q, err := metatest.Authorize(step.AuthURL)
	if err != nil {
		t.Fatal(err)
	}
	accts, err := conn.Finish(ctx, channel.Finish{App: step.App, RedirectURL: redirect, Query: q})
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	if len(accts) != 1 {
		t.Fatalf("accounts %+v", accts)
	}
	return accts[0]
}

func TestConnect(t *testing.T) {
	srv, conn, clk := setup(t)
	a := connect(t, srv, conn)
	u := srv.FirstThreadsUser()
	if a.Network != channel.Threads || a.RemoteID != u.ID || a.Handle != "@"+u.Username || a.URL != "https://www.threads.com/@"+u.Username {
		t.Errorf("account %+v", a)
	}
	got, want := a, u.Account()
	got.Secret.AccessToken, want.Secret.AccessToken, got.Secret.Expiry, want.Secret.Expiry = "", "", time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the server's ready-made account %+v differs from %+v", want, got)
	}
	// The one-hour token was traded for a 60-day one.
	if left := a.Secret.Expiry.Sub(clk.Now()); left < 59*24*time.Hour {
		t.Errorf("token expires in %s", left)
	}
	prof, err := conn.Verify(context.Background(), &a)
	if err != nil || prof.Handle != a.Handle || prof.QuotaLeft != 250 {
		t.Errorf("verify: %+v, %v", prof, err)
	}

	// The Meta app ID is not the Threads app ID.
	_, err = conn.Start(context.Background(), channel.Start{Values: srv.ConnectValues(), RedirectURL: redirect})
	if e := channel.AsError(err); e.Kind != channel.Unauthorized || !strings.Contains(e.Reason, "Invalid application ID") {
		t.Errorf("start with the Meta app ID: %v", err)
	}
}

func TestConformance(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)
	channeltest.Conformance(t, conn, srv.Network(channel.Threads), &acct, true, media(t))
}

func TestRefresh(t *testing.T) {
	srv, conn, clk := setup(t)
	a := connect(t, srv, conn)
	ctx := context.Background()
	if changed, err := conn.Refresh(ctx, &a, 7*24*time.Hour); changed || err != nil {
		t.Errorf("refresh of a new token: %v, %v", changed, err)
	}
	// Under a day old, Threads refuses to refresh: the connector waits.
	if changed, err := conn.Refresh(ctx, &a, 90*24*time.Hour); changed || err != nil {
		t.Errorf("refresh of a token under a day old: %v, %v", changed, err)
	}

	clk.Advance(55 * 24 * time.Hour)
	old := a.Secret.AccessToken
	changed, err := conn.Refresh(ctx, &a, 7*24*time.Hour)
	if err != nil || !changed || a.Secret.AccessToken == old {
		t.Fatalf("refresh five days before expiry: %v, %v", changed, err)
	}
	if left := a.Secret.Expiry.Sub(clk.Now()); left < 59*24*time.Hour {
		t.Errorf("refreshed token expires in %s", left)
	}
	clk.Advance(10 * 24 * time.Hour) // the old token has expired, the new one works
	if _, err := conn.Publish(ctx, &a, channel.Post{Text: "Token baru masih berlaku"}); err != nil {
		t.Errorf("publish with the refreshed token: %v", err)
	}

	clk.Advance(61 * 24 * time.Hour)
	_, err = conn.Refresh(ctx, &a, 7*24*time.Hour)
	if e := channel.AsError(err); e.Kind != channel.Unauthorized {
		t.Errorf("refresh of an expired token: %v", err)
	}
	_, err = conn.Publish(ctx, &a, channel.Post{Text: "Token kedaluwarsa"})
	if e := channel.AsError(err); e.Kind != channel.Unauthorized || !strings.Contains(e.Reason, "Session has expired") {
		t.Errorf("publish with an expired token: %v", err)
	}
}

func TestWithoutPublicURL(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)
	_, err := conn.Publish(context.Background(), &acct, channel.Post{Text: "Foto", Media: []channel.MediaFile{channeltest.Image("alt", "")}})
	var e *channel.Error
	if !errors.As(err, &e) || e.Kind != channel.Rejected || e.Key != channel.KeyPublicURL {
		t.Fatalf("%v, want a refusal for the public URL", err)
	}
	b, err := i18n.NewBundle(catalog.Common, channel.Catalog, threads.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	en, id := e.Message(b.Locale("en", nil), channel.Threads), e.Message(b.Locale("id", nil), channel.Threads)
	if !strings.Contains(en, "Threads fetches images from a public address") {
		t.Errorf("en: %s", en)
	}
	if !strings.Contains(id, "Threads mengambil gambar dari alamat publik") {
		t.Errorf("id: %s", id)
	}
}

func TestMediaThreadsCannotProcess(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)
	ctx := context.Background()
	good := media(t)

	srv.FailContainers(1, "FAILED_PROCESSING_VIDEO")
	_, err := conn.Publish(ctx, &acct, channel.Post{Text: "Video kegiatan", Media: []channel.MediaFile{channeltest.Image("alt", good)}})
	if e := channel.AsError(err); e.Kind != channel.Rejected || e.Key != channel.KeyMediaFailed || e.Reason != "ERROR FAILED_PROCESSING_VIDEO" {
		t.Errorf("container error: %v", err)
	}
	_, err = conn.Publish(ctx, &acct, channel.Post{Text: "Foto hilang", Media: []channel.MediaFile{channeltest.Image("alt", good+".hilang")}})
	if e := channel.AsError(err); e.Kind != channel.Rejected || e.Key != channel.KeyMediaFailed {
		t.Errorf("image that does not load: %v", err)
	}
	if len(srv.Posts()) != 0 {
		t.Error("a post with failed media went out")
	}
}

// A first comment whose reply fails leaves the post published, once, and says what did not go
// out: its container's processing or its publishing may fail.
func TestFirstCommentFails(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script func(*metatest.Server)
		want   string
	}{
		{"publishing refused", func(srv *metatest.Server) {
			srv.FailNext("", 1) // the post goes through
			srv.FailNext(channeltest.Rejected, 1)
		}, "first comment: This post goes against our Community Guidelines."},
		{"container failed", func(srv *metatest.Server) {
			srv.FailContainers(1, "") // the post's container is processed
			srv.FailContainers(1, "UNKNOWN")
		}, "first comment: ERROR UNKNOWN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, conn, _ := setup(t)
			acct := connect(t, srv, conn)
			tc.script(srv)
			got, err := conn.Publish(context.Background(), &acct, channel.Post{Text: "Posyandu balita buka Selasa", FirstComment: "Bawa buku KIA"})
			if err != nil {
				t.Fatalf("a failed first comment gave %v, want the post published", err)
			}
			if got.Incomplete != tc.want {
				t.Errorf("incomplete %q, want %q", got.Incomplete, tc.want)
			}
			if posts := srv.Posts(); len(posts) != 1 || posts[0].ID != got.RemoteID || posts[0].ReplyTo != "" {
				t.Errorf("Threads holds %+v, want the post alone, published as %s", posts, got.RemoteID)
			}
		})
	}
}

func TestTextLimit(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)
	ctx := context.Background()
	// 496 letters and one emoji of 4 UTF-8 bytes make 500: accepted.
	if _, err := conn.Publish(ctx, &acct, channel.Post{Text: strings.Repeat("a", 496) + "🎉"}); err != nil {
		t.Errorf("500 counted characters: %v", err)
	}
	_, err := conn.Publish(ctx, &acct, channel.Post{Text: strings.Repeat("a", 497) + "🎉"})
	if e := channel.AsError(err); e.Kind != channel.Rejected {
		t.Errorf("501 counted characters: %v", err)
	}
	if n := len(srv.Posts()); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

func TestCarouselFirstCommentAndMetrics(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)
	ctx := context.Background()
	u := media(t)
	got, err := conn.Publish(ctx, &acct, channel.Post{Text: "Galeri Hari Pahlawan", FirstComment: "Selengkapnya di situs kami",
		Media: []channel.MediaFile{channeltest.Image("Upacara bendera", u), channeltest.Image("Tabur bunga", u)}})
	if err != nil || got.Incomplete != "" {
		t.Fatalf("publish: %+v, %v", got, err)
	}
	posts := srv.Posts()
	if len(posts) != 2 || posts[0].ID != got.RemoteID || len(posts[0].Media) != 2 || posts[0].Media[1].Alt != "Tabur bunga" {
		t.Fatalf("server holds %+v", posts)
	}
	if posts[1].ReplyTo != got.RemoteID || posts[1].Text != "Selengkapnya di situs kami" {
		t.Errorf("first comment %+v", posts[1])
	}
	if !strings.HasPrefix(got.URL, "https://www.threads.com/@") {
		t.Errorf("url %s", got.URL)
	}
	srv.SetCounts(got.RemoteID, metatest.Counts{Likes: 12, Replies: 2, Reposts: 1, Views: 340})
	m, err := conn.Metrics(ctx, &acct, []string{got.RemoteID})
	want := channel.Metrics{Likes: 12, Replies: 3, Reposts: 1, Views: 340}
	if err != nil || m[got.RemoteID] != want {
		t.Errorf("metrics %+v, %v; want %+v", m, err, want)
	}
	prof, err := conn.Verify(ctx, &acct)
	if err != nil || prof.QuotaLeft != 249 {
		t.Errorf("quota after a post and its reply: %+v, %v", prof, err)
	}
}

func TestCatalogsMatch(t *testing.T) {
	b, err := i18n.NewBundle(threads.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(b.Keys("en"), ",") != strings.Join(b.Keys("id"), ",") {
		t.Errorf("en and id keys differ")
	}
	conn := threads.New(channel.Env{})
	g := conn.Guide()
	keys := append([]string{g.Needs}, g.Steps...)
	for _, f := range conn.Fields() {
		keys = append(keys, f.Label, f.Help)
	}
	for _, k := range keys {
		if !b.Has(k) {
			t.Errorf("key %s missing", k)
		}
	}
}
