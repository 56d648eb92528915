package x_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/x"
	"warta.dev/warta/internal/channel/x/xtest"
	"warta.dev/warta/internal/platform/i18n"
)

const redirect = "http://127.0.0.1:8080/channels/callback"

// counter counts the requests that reach each path, as a user's network log would show them.
type counter struct {
	mu    sync.Mutex
	paths map[string]int
	waits []time.Duration
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.paths[r.Method+" "+r.URL.Path]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (c *counter) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paths[key]
}

func setup(t *testing.T) (*xtest.Server, channel.Connector, *counter) {
	t.Helper()
	srv := xtest.New()
	t.Cleanup(srv.Close)
	cnt := &counter{paths: map[string]int{}}
	env := channel.Env{Client: &http.Client{Transport: cnt}, Endpoint: srv.URL(),
		Sleep: func(_ context.Context, d time.Duration) error {
			cnt.mu.Lock()
			cnt.waits = append(cnt.waits, d)
			cnt.mu.Unlock()
			return nil
		}}
	return srv, x.New(env), cnt
}

// connect goes through Start, the authorize redirect (approved at once by the server) and Finish.
func connect(t *testing.T, c channel.Connector, values map[string]string) channel.Account {
	t.Helper()
	ctx := context.Background()
	step, err := c.Start(ctx, channel.Start{Values: values, RedirectURL: redirect, State: "state-123"})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := plain.Get(step.AuthURL)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), redirect) {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if loc.Query().Get("state") != "state-123" {
		t.Fatalf("state %q came back", loc.Query().Get("state"))
	}
	accts, err := c.Finish(ctx, channel.Finish{App: step.App, RedirectURL: redirect, Verifier: step.Verifier, Query: loc.Query()})
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	if len(accts) != 1 {
		t.Fatalf("%d accounts, want 1", len(accts))
	}
	return accts[0]
}

func TestConformance(t *testing.T) {
	srv, c, _ := setup(t)
	acct := connect(t, c, srv.ConnectValues())
	if acct.Handle != "@humas_sukamaju" || acct.URL != "https://x.com/humas_sukamaju" || acct.Secret.RefreshToken == "" {
		t.Errorf("connected %+v", acct)
	}
	if d := time.Until(acct.Secret.Expiry); d < time.Hour || d > 2*time.Hour {
		t.Errorf("token expires in %s, X gives two hours", d)
	}
	channeltest.Conformance(t, c, srv, &acct, true, "")
}

func TestPublicClientConnects(t *testing.T) {
	srv, c, _ := setup(t)
	acct := connect(t, c, map[string]string{"client_id": srv.PublicClientID()})
	if _, err := c.Publish(context.Background(), &acct, channel.Post{Text: "Dari aplikasi publik"}); err != nil {
		t.Fatalf("publish with a public client's token: %v", err)
	}
}

func TestStartNeedsClientID(t *testing.T) {
	_, c, _ := setup(t)
	_, err := c.Start(context.Background(), channel.Start{Values: map[string]string{}, RedirectURL: redirect, State: "s"})
	if e := channel.AsError(err); err == nil || e.Kind != channel.Rejected || e.Reason != "client_id" {
		t.Errorf("start without a client ID: %v", err)
	}
}

func TestRefreshRotates(t *testing.T) {
	srv, c, _ := setup(t)
	acct := connect(t, c, srv.ConnectValues())
	ctx := context.Background()
	old := acct

	if changed, err := c.Refresh(ctx, &acct, time.Minute); err != nil || changed {
		t.Fatalf("a fresh token was refreshed: %v, %v", changed, err)
	}
	srv.ExpireTokens()
	if _, err := c.Verify(ctx, &acct); channel.AsError(err).Kind != channel.Unauthorized {
		t.Fatalf("an expired token was accepted: %v", err)
	}
	changed, err := c.Refresh(ctx, &acct, 3*time.Hour)
	if err != nil || !changed {
		t.Fatalf("refresh: %v, %v", changed, err)
	}
	if acct.Secret.RefreshToken == old.Secret.RefreshToken || acct.Secret.AccessToken == old.Secret.AccessToken {
		t.Error("the refresh token was not rotated")
	}
	if p, err := c.Verify(ctx, &acct); err != nil || p.Handle != "@humas_sukamaju" {
		t.Fatalf("verify with the new token: %+v, %v", p, err)
	}
	// The refresh token used once is dead: a second renewal with it needs reconnection.
	_, err = c.Refresh(ctx, &old, 3*time.Hour)
	if e := channel.AsError(err); err == nil || e.Kind != channel.Unauthorized {
		t.Errorf("the old refresh token gave %v, want unauthorized", err)
	}
}

func TestRefreshFailsOnce(t *testing.T) {
	srv, c, cnt := setup(t)
	acct := connect(t, c, srv.ConnectValues())
	srv.Revoke()
	_, err := c.Refresh(context.Background(), &acct, 3*time.Hour)
	if e := channel.AsError(err); err == nil || e.Kind != channel.Unauthorized || e.Reason == "" {
		t.Fatalf("refresh after revocation: %v", err)
	}
	// One call for the code, one for the refresh: a refused refresh is not tried again.
	if n := cnt.count("POST /2/oauth2/token"); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

const long = "Pemerintah Kabupaten Sukamaju membuka pendaftaran layanan KTP elektronik keliling mulai Senin depan. " +
	"Petugas Dinas Kependudukan akan datang ke dua belas kecamatan secara bergiliran sesuai jadwal yang diumumkan setiap pekan. " +
	"Warga cukup membawa kartu keluarga asli dan fotokopinya, tanpa biaya apa pun. " +
	"Lansia dan penyandang disabilitas mendapat prioritas, dan petugas dapat datang ke rumah bila diminta melalui kantor desa. " +
	"Jadwal lengkap, lokasi pelayanan, dan nomor kontak petugas tersedia di situs resmi pemerintah kabupaten. " +
	"Pertanyaan dapat disampaikan ke kantor kecamatan terdekat. " +
	"Mari manfaatkan layanan ini agar seluruh warga memiliki dokumen kependudukan yang sah dan mutakhir sebelum akhir tahun."

func TestThread(t *testing.T) {
	srv, c, _ := setup(t)
	acct := connect(t, c, srv.ConnectValues())
	ctx := context.Background()
	if n := len([]rune(long)); n < 650 || n > 750 {
		t.Fatalf("the text has %d characters", n)
	}

	before := len(srv.Posts())
	_, err := c.Publish(ctx, &acct, channel.Post{Text: long})
	if e := channel.AsError(err); err == nil || e.Kind != channel.Rejected {
		t.Fatalf("a long text without a thread gave %v, want rejected", err)
	}
	if len(srv.Posts()) != before {
		t.Fatal("a refused text reached X")
	}

	pub, err := c.Publish(ctx, &acct, channel.Post{Text: long, Thread: true, FirstComment: "Info lengkap: https://sukamajukab.go.id/ktp"})
	if err != nil || pub.Incomplete != "" {
		t.Fatalf("publish thread: %+v, %v", pub, err)
	}
	posts := srv.Posts()[before:]
	if len(posts) != 4 {
		t.Fatalf("%d posts, want a thread of 3 and a comment", len(posts))
	}
	if pub.RemoteID != posts[0].ID || pub.URL != "https://x.com/humas_sukamaju/status/"+posts[0].ID {
		t.Errorf("published %+v, the thread starts at %s", pub, posts[0].ID)
	}
	var joined []string
	cut := 0
	for i, p := range posts[:3] {
		if n := channel.Count(channel.X, p.Text, channel.CountOptions{}); n > 280 {
			t.Errorf("part %d counts %d", i+1, n)
		}
		want := []string{" (1/3)", " (2/3)", " (3/3)"}[i]
		if !strings.HasSuffix(p.Text, want) {
			t.Errorf("part %d ends %q", i+1, p.Text[len(p.Text)-8:])
		}
		if i > 0 && p.ReplyTo != posts[i-1].ID {
			t.Errorf("part %d answers %q, not part %d", i+1, p.ReplyTo, i)
		}
		if !strings.HasSuffix(strings.TrimSuffix(p.Text, want), ".") {
			cut++
		}
		joined = append(joined, strings.TrimSuffix(p.Text, want))
	}
	// No cut into three parts keeps every sentence whole; the best breaks only one.
	if cut > 1 {
		t.Errorf("%d parts end inside a sentence", cut)
	}
	if strings.Join(joined, " ") != long {
		t.Error("the thread does not read as the text")
	}
	if posts[3].ReplyTo != posts[2].ID || !strings.Contains(posts[3].Text, "sukamajukab.go.id") {
		t.Errorf("first comment %+v does not answer the last part", posts[3])
	}

	found, err := c.Find(ctx, &acct, channel.Post{Text: long, Thread: true})
	if err != nil || found == nil || found.RemoteID != posts[0].ID {
		t.Errorf("find of the thread: %+v, %v", found, err)
	}
}

// When a later part fails, the thread's first post is already on X: it counts as published,
// once, and says which part did not go out; the parts after it and the first comment stay out.
func TestThreadPartFails(t *testing.T) {
	srv, c, _ := setup(t)
	acct := connect(t, c, srv.ConnectValues())
	ctx := context.Background()
	p := channel.Post{Text: long, Thread: true, FirstComment: "Info lengkap: https://sukamajukab.go.id/ktp"}
	srv.FailNext("", 1) // the first part goes through
	srv.FailNext(channeltest.ServerError, 1)
	pub, err := c.Publish(ctx, &acct, p)
	if err != nil {
		t.Fatalf("a failed second part gave %v, want the thread published", err)
	}
	if want := "part 2 of 3 of the thread: Internal Server Error"; pub.Incomplete != want {
		t.Errorf("incomplete %q, want %q", pub.Incomplete, want)
	}
	posts := srv.Posts()
	if len(posts) != 1 || posts[0].ID != pub.RemoteID || !strings.HasSuffix(posts[0].Text, " (1/3)") {
		t.Errorf("X holds %+v, want the first part alone, published as %s", posts, pub.RemoteID)
	}
}

func TestFirstCommentFails(t *testing.T) {
	srv, c, _ := setup(t)
	acct := connect(t, c, srv.ConnectValues())
	srv.FailNext("", 1) // the post goes through
	srv.FailNext(channeltest.Rejected, 1)
	pub, err := c.Publish(context.Background(), &acct, channel.Post{Text: "Musrenbang kecamatan dimulai pukul 09.00", FirstComment: "Agenda lengkap di situs kecamatan"})
	if err != nil {
		t.Fatalf("a refused first comment gave %v, want the post published", err)
	}
	if want := "first comment: You are not allowed to create a Tweet with duplicate content."; pub.Incomplete != want {
		t.Errorf("incomplete %q, want %q", pub.Incomplete, want)
	}
	if posts := srv.Posts(); len(posts) != 1 || posts[0].ID != pub.RemoteID || posts[0].ReplyTo != "" {
		t.Errorf("X holds %+v, want the post alone, published as %s", posts, pub.RemoteID)
	}
}

func TestChunkedVideoWaitsForProcessing(t *testing.T) {
	srv, c, cnt := setup(t)
	srv.SetProcessingPolls(3)
	acct := connect(t, c, srv.ConnectValues())
	video := bytes.Repeat([]byte("mp4 "), 9<<20/4) // 9 MiB: three segments
	file := channel.MediaFile{Name: "sosialisasi.mp4", MIME: "video/mp4", Kind: channel.KindVideo, Size: int64(len(video)),
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(video)), nil }}
	if _, err := c.Publish(context.Background(), &acct, channel.Post{Text: "Video sosialisasi posyandu", Media: []channel.MediaFile{file}}); err != nil {
		t.Fatalf("publish video: %v", err)
	}
	posts := srv.Posts()
	if m := posts[len(posts)-1].Media; len(m) != 1 || m[0].Size != len(video) || m[0].MIME != "video/mp4" {
		t.Errorf("the post holds %+v", m)
	}
	var appends int
	for k, n := range cnt.paths {
		if strings.HasSuffix(k, "/append") {
			appends += n
		}
	}
	if appends != 3 {
		t.Errorf("%d APPEND requests, want 3", appends)
	}
	if n := cnt.count("GET /2/media/upload"); n != 3 || len(cnt.waits) != 3 || cnt.waits[0] != time.Second {
		t.Errorf("%d STATUS polls after waits %v, want 3 after 1s each", n, cnt.waits)
	}
}

func TestRateLimitFromHeaders(t *testing.T) {
	srv, c, _ := setup(t)
	acct := connect(t, c, srv.ConnectValues())
	srv.SetLimit(1)
	ctx := context.Background()
	if _, err := c.Publish(ctx, &acct, channel.Post{Text: "Pengumuman pertama"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Publish(ctx, &acct, channel.Post{Text: "Pengumuman kedua"})
	e := channel.AsError(err)
	if err == nil || e.Kind != channel.RateLimited {
		t.Fatalf("over the limit: %v", err)
	}
	if d := time.Until(e.RetryAt); d < 14*time.Minute || d > 16*time.Minute {
		t.Errorf("retry in %s, X's window resets in 15 minutes", d)
	}
}

func TestDuplicateIsRejected(t *testing.T) {
	srv, c, _ := setup(t)
	acct := connect(t, c, srv.ConnectValues())
	ctx := context.Background()
	p := channel.Post{Text: "Selamat Hari Pahlawan"}
	if _, err := c.Publish(ctx, &acct, p); err != nil {
		t.Fatal(err)
	}
	_, err := c.Publish(ctx, &acct, p)
	if e := channel.AsError(err); err == nil || e.Kind != channel.Rejected || !strings.Contains(e.Reason, "duplicate content") {
		t.Errorf("the same text twice: %v", err)
	}
}

func TestFindUnescapesText(t *testing.T) {
	srv, c, _ := setup(t)
	acct := connect(t, c, srv.ConnectValues())
	ctx := context.Background()
	p := channel.Post{Text: "Rapat BPBD & relawan: siaga banjir <level 2>"}
	if _, err := c.Publish(ctx, &acct, p); err != nil {
		t.Fatal(err)
	}
	if found, err := c.Find(ctx, &acct, p); err != nil || found == nil {
		t.Errorf("find of a text with & and <: %+v, %v", found, err)
	}
}

func TestMetrics(t *testing.T) {
	srv, c, _ := setup(t)
	acct := connect(t, c, srv.ConnectValues())
	ctx := context.Background()
	pub, err := c.Publish(ctx, &acct, channel.Post{Text: "Survei kepuasan layanan publik", FirstComment: "Isi di tautan ini"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Engage(pub.RemoteID, 42, 7, 3, 1500)
	m, err := c.Metrics(ctx, &acct, []string{pub.RemoteID})
	if err != nil {
		t.Fatal(err)
	}
	want := channel.Metrics{Likes: 42, Reposts: 10, Replies: 1, Views: 1500}
	if m[pub.RemoteID] != want {
		t.Errorf("metrics %+v, want %+v", m[pub.RemoteID], want)
	}
}

func TestBenchmarkAccountsPublish(t *testing.T) {
	srv, c, _ := setup(t)
	accts := srv.Accounts(3)
	var wg sync.WaitGroup
	for i := range accts {
		wg.Go(func() {
			if _, err := c.Publish(context.Background(), &accts[i], channel.Post{Text: "Uji beban " + accts[i].Handle}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(srv.Posts()); n != 3 {
		t.Errorf("%d posts, want 3", n)
	}
}

func TestCatalog(t *testing.T) {
	b, err := i18n.NewBundle(x.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	c := x.New(channel.Env{})
	keys := append([]string{c.Guide().Needs}, c.Guide().Steps...)
	for _, f := range c.Fields() {
		keys = append(keys, f.Label, f.Help)
	}
	for _, k := range keys {
		if !b.Has(k) {
			t.Errorf("key %s missing in a language", k)
		}
	}
	if en, id := b.Keys("en"), b.Keys("id"); strings.Join(en, ",") != strings.Join(id, ",") {
		t.Errorf("en and id differ:\n%v\n%v", en, id)
	}
	for _, lang := range i18n.Languages {
		if s := b.Locale(lang, nil).T("x.guide.step3", "RedirectURL", redirect); !strings.Contains(s, redirect) {
			t.Errorf("%s step 3 does not show the redirect URL: %s", lang, s)
		}
	}
}
