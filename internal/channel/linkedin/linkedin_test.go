package linkedin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/linkedin"
	"warta.dev/warta/internal/channel/linkedin/linkedintest"
	"warta.dev/warta/internal/platform/i18n"
)

const redirect = "http://127.0.0.1:8080/channels/callback"

// counter counts the requests that reach each path and the waits between polls.
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

type fixture struct {
	srv *linkedintest.Server
	c   channel.Connector
	cnt *counter
	now time.Time // the connector's clock
}

func setup(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{srv: linkedintest.New(), cnt: &counter{paths: map[string]int{}}}
	t.Cleanup(f.srv.Close)
	env := channel.Env{Client: &http.Client{Transport: f.cnt}, Endpoint: f.srv.URL(),
		Now: func() time.Time {
			if f.now.IsZero() {
				return time.Now()
			}
			return f.now
		},
		Sleep: func(_ context.Context, d time.Duration) error {
			f.cnt.mu.Lock()
			f.cnt.waits = append(f.cnt.waits, d)
			f.cnt.mu.Unlock()
			return nil
		}}
	f.c = linkedin.New(env)
	return f
}

// connect goes through Start, the authorize redirect (approved at once) and Finish.
func (f *fixture) connect(t *testing.T, values map[string]string) []channel.Account {
	t.Helper()
	ctx := context.Background()
	step, err := f.c.Start(ctx, channel.Start{Values: values, RedirectURL: redirect, State: "state-456"})
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
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("state") != "state-456" {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	accts, err := f.c.Finish(ctx, channel.Finish{App: step.App, RedirectURL: redirect, Query: loc.Query()})
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	return accts
}

func withPages(v map[string]string) map[string]string {
	v["organizations"] = "on"
	return v
}

func TestConformanceMember(t *testing.T) {
	f := setup(t)
	accts := f.connect(t, f.srv.ConnectValues())
	if len(accts) != 1 {
		t.Fatalf("%d accounts for a member app, want 1: %+v", len(accts), accts)
	}
	m := accts[0]
	if m.Kind != "member" || !strings.HasPrefix(m.RemoteID, "urn:li:person:") || m.Name != "Dewi Lestari" {
		t.Errorf("member %+v", m)
	}
	if d := time.Until(m.Secret.Expiry); d < 59*24*time.Hour {
		t.Errorf("token expires in %s, LinkedIn gives 60 days", d)
	}
	channeltest.Conformance(t, f.c, f.srv, &m, true, "")
}

func TestConformanceOrganization(t *testing.T) {
	f := setup(t)
	accts := f.connect(t, withPages(f.srv.ConnectValues()))
	var names []string
	for _, a := range accts[1:] {
		names = append(names, a.Name)
		if a.Kind != "organization" || !strings.HasPrefix(a.RemoteID, "urn:li:organization:") || !strings.HasPrefix(a.URL, "https://www.linkedin.com/company/") {
			t.Errorf("page %+v", a)
		}
	}
	if accts[0].Kind != "member" || accts[0].URL != "https://www.linkedin.com/in/dewi-lestari" || len(accts) != 3 ||
		!strings.Contains(strings.Join(names, ","), "Pemerintah Kabupaten Sukamaju") || !strings.Contains(strings.Join(names, ","), "Dinas Kominfo Sukamaju") {
		t.Fatalf("accounts %v, want the member and the two Pages it may post as (not the one where it is analyst)", names)
	}
	org := accts[1]
	channeltest.Conformance(t, f.c, f.srv, &org, true, "")
	if p, err := f.c.Verify(context.Background(), &org); err != nil || p.Name != org.Name {
		t.Errorf("verify page: %+v, %v", p, err)
	}
}

func TestMemberWithoutPages(t *testing.T) {
	f := setup(t)
	f.srv.ApproveAs("Budi", "Santoso", "budi-santoso")
	accts := f.connect(t, withPages(f.srv.ConnectValues()))
	if len(accts) != 1 || accts[0].Name != "Budi Santoso" {
		t.Errorf("a member who manages no Page: %+v", accts)
	}
}

func TestStartNeedsCredentials(t *testing.T) {
	f := setup(t)
	_, err := f.c.Start(context.Background(), channel.Start{Values: map[string]string{"client_id": "abc"}, RedirectURL: redirect, State: "s"})
	if e := channel.AsError(err); err == nil || e.Kind != channel.Rejected || e.Reason != "client_secret" {
		t.Errorf("start without a secret: %v", err)
	}
}

func TestWrongSecretIsUnauthorized(t *testing.T) {
	f := setup(t)
	step, err := f.c.Start(context.Background(), channel.Start{Values: map[string]string{"client_id": f.srv.ConnectValues()["client_id"], "client_secret": "wrong"}, RedirectURL: redirect, State: "s"})
	if err != nil {
		t.Fatal(err)
	}
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := plain.Get(step.AuthURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	_, err = f.c.Finish(context.Background(), channel.Finish{App: step.App, RedirectURL: redirect, Query: loc.Query()})
	if e := channel.AsError(err); err == nil || e.Kind != channel.Unauthorized || e.Reason != "Client authentication failed" {
		t.Errorf("a wrong secret gave %v", err)
	}
}

// TestVersionHeaders checks the contract the connector is held to: every /rest call names an
// active LinkedIn-Version and Rest.li 2.0, as LinkedIn refuses it otherwise.
func TestVersionHeaders(t *testing.T) {
	f := setup(t)
	m := f.connect(t, f.srv.ConnectValues())[0]
	cases := []struct {
		version, restli string
		status          int
		code            string
	}{
		{"", "2.0.0", 400, "VERSION_MISSING"},
		{"202401", "2.0.0", 426, "NONEXISTENT_VERSION"},
		{"202608", "", 400, "ILLEGAL_ARGUMENT"},
		{"202608", "2.0.0", 201, ""},
	}
	for _, tc := range cases {
		body := `{"author":"` + m.RemoteID + `","commentary":"Uji versi ` + tc.version + tc.restli + `","visibility":"PUBLIC","distribution":{"feedDistribution":"MAIN_FEED"},"lifecycleState":"PUBLISHED"}`
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL()+"/rest/posts", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+m.Secret.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		if tc.version != "" {
			req.Header.Set("LinkedIn-Version", tc.version)
		}
		if tc.restli != "" {
			req.Header.Set("X-Restli-Protocol-Version", tc.restli)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Code string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != tc.status || e.Code != tc.code {
			t.Errorf("version %q restli %q: %d %s, want %d %s", tc.version, tc.restli, resp.StatusCode, e.Code, tc.status, tc.code)
		}
	}
}

func TestReservedCharactersRoundTrip(t *testing.T) {
	f := setup(t)
	org := f.connect(t, withPages(f.srv.ConnectValues()))[1]
	ctx := context.Background()
	text := "Rapat koordinasi (Jakarta) bersama [BPBD] & relawan: siaga 50% *penting*, kode a_b ~ <siaga> | {pos} " +
		"@humas \\ C# #SiagaBanjir (lihat https://bpbd.sukamajukab.go.id/info_banjir?id=1)."
	p := channel.Post{Text: text}
	pub, err := f.c.Publish(ctx, &org, p)
	if err != nil {
		t.Fatal(err)
	}
	posts := f.srv.Posts()
	if got := posts[len(posts)-1].Text; got != text {
		t.Errorf("LinkedIn shows\n%q\nwant\n%q", got, text)
	}
	found, err := f.c.Find(ctx, &org, p)
	if err != nil || found == nil || found.RemoteID != pub.RemoteID {
		t.Errorf("find: %+v, %v", found, err)
	}
	if pub.URL != "https://www.linkedin.com/feed/update/"+pub.RemoteID+"/" {
		t.Errorf("URL %s", pub.URL)
	}
}

func TestRefreshWithoutRefreshToken(t *testing.T) {
	f := setup(t)
	m := f.connect(t, f.srv.ConnectValues())[0]
	ctx := context.Background()
	if m.Secret.RefreshToken != "" {
		t.Fatal("a refresh token for an app not approved for one")
	}
	// Within the window but not expired: nothing to renew with, still valid.
	if changed, err := f.c.Refresh(ctx, &m, 90*24*time.Hour); err != nil || changed {
		t.Errorf("refresh of a valid token: %v, %v", changed, err)
	}
	f.now = time.Now().Add(61 * 24 * time.Hour)
	_, err := f.c.Refresh(ctx, &m, 24*time.Hour)
	if e := channel.AsError(err); err == nil || e.Kind != channel.Unauthorized {
		t.Errorf("an expired token without refresh gave %v, want unauthorized", err)
	}
	if n := f.cnt.count("POST /oauth/v2/accessToken"); n != 1 {
		t.Errorf("%d token requests, want only the connection's", n)
	}
}

func TestRefreshToken(t *testing.T) {
	f := setup(t)
	f.srv.EnableRefreshTokens()
	m := f.connect(t, f.srv.ConnectValues())[0]
	ctx := context.Background()
	if m.Secret.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	old := m.Secret.AccessToken
	f.srv.ExpireTokens()
	f.now = time.Now().Add(61 * 24 * time.Hour)
	if changed, err := f.c.Refresh(ctx, &m, 24*time.Hour); err != nil || !changed || m.Secret.AccessToken == old {
		t.Fatalf("refresh: %v, %v", changed, err)
	}
	f.now = time.Time{}
	if _, err := f.c.Publish(ctx, &m, channel.Post{Text: "Setelah token diperbarui"}); err != nil {
		t.Errorf("publish with the renewed token: %v", err)
	}
}

func TestRefreshFailsOnce(t *testing.T) {
	f := setup(t)
	f.srv.EnableRefreshTokens()
	m := f.connect(t, f.srv.ConnectValues())[0]
	f.srv.Revoke()
	f.now = time.Now().Add(61 * 24 * time.Hour)
	_, err := f.c.Refresh(context.Background(), &m, 24*time.Hour)
	if e := channel.AsError(err); err == nil || e.Kind != channel.Unauthorized || e.Reason == "" {
		t.Fatalf("refresh with a revoked token: %v", err)
	}
	if n := f.cnt.count("POST /oauth/v2/accessToken"); n != 2 {
		t.Errorf("%d token requests, want 2: a refused refresh is not tried again", n)
	}
}

func file(name, mime, kind string, data []byte) channel.MediaFile {
	return channel.MediaFile{Name: name, MIME: mime, Kind: kind, Size: int64(len(data)),
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func TestMultiImage(t *testing.T) {
	f := setup(t)
	m := f.connect(t, f.srv.ConnectValues())[0]
	imgs := []channel.MediaFile{channeltest.Image("Peserta rapat", ""), channeltest.Image("Bupati membuka acara", "")}
	if _, err := f.c.Publish(context.Background(), &m, channel.Post{Text: "Dokumentasi rapat", Media: imgs}); err != nil {
		t.Fatal(err)
	}
	posts := f.srv.Posts()
	got := posts[len(posts)-1].Media
	if len(got) != 2 || got[0].Alt != "Peserta rapat" || got[1].Alt != "Bupati membuka acara" || got[0].MIME != "image/png" {
		t.Errorf("the post holds %+v", got)
	}
}

func TestVideoAndDocument(t *testing.T) {
	f := setup(t)
	org := f.connect(t, withPages(f.srv.ConnectValues()))[1]
	ctx := context.Background()
	video := bytes.Repeat([]byte("mp4 "), 9<<20/4)
	if _, err := f.c.Publish(ctx, &org, channel.Post{Text: "Video profil daerah", Media: []channel.MediaFile{file("profil.mp4", "video/mp4", channel.KindVideo, video)}}); err != nil {
		t.Fatalf("video: %v", err)
	}
	posts := f.srv.Posts()
	if m := posts[len(posts)-1].Media; len(m) != 1 || m[0].Size != len(video) {
		t.Errorf("the post holds %+v", m)
	}
	var parts int
	for k, n := range f.cnt.paths {
		if strings.HasPrefix(k, "PUT /dms-uploads/") {
			parts += n
		}
	}
	if parts != 3 || len(f.cnt.waits) != 1 {
		t.Errorf("%d parts sent and %d waits, want 3 parts of 4 MiB and one wait while LinkedIn processes", parts, len(f.cnt.waits))
	}
	pdf := []byte("%PDF-1.7 laporan tahunan")
	if _, err := f.c.Publish(ctx, &org, channel.Post{Text: "Laporan tahunan", Media: []channel.MediaFile{file("laporan.pdf", "application/pdf", channel.KindDocument, pdf)}}); err != nil {
		t.Fatalf("document: %v", err)
	}
}

func TestFirstCommentAndMetrics(t *testing.T) {
	f := setup(t)
	accts := f.connect(t, withPages(f.srv.ConnectValues()))
	member, org := accts[0], accts[1]
	ctx := context.Background()
	pub, err := f.c.Publish(ctx, &org, channel.Post{Text: "Pendaftaran beasiswa daerah dibuka", FirstComment: "Syarat lengkap: https://sukamajukab.go.id/beasiswa"})
	if err != nil || pub.Incomplete != "" {
		t.Fatalf("publish: %+v, %v", pub, err)
	}
	posts := f.srv.Posts()
	if c := posts[len(posts)-1]; c.ReplyTo != pub.RemoteID || c.Account != org.RemoteID {
		t.Errorf("first comment %+v", c)
	}
	f.srv.Engage(pub.RemoteID, 25)
	m, err := f.c.Metrics(ctx, &org, []string{pub.RemoteID})
	if want := (channel.Metrics{Likes: 25, Replies: 1, Reposts: -1, Views: -1}); err != nil || m[pub.RemoteID] != want {
		t.Errorf("metrics %+v, %v; want %+v", m, err, want)
	}
	if _, err := f.c.Metrics(ctx, &member, []string{pub.RemoteID}); !errors.Is(err, channel.ErrNotOffered) {
		t.Errorf("metrics of a member: %v", err)
	}
}

// A first comment that fails leaves the post published, once, and says what did not go out.
func TestFirstCommentFails(t *testing.T) {
	for _, tc := range []struct {
		fail channeltest.Failure
		want string
	}{
		{channeltest.Rejected, "first comment: Not enough permissions to access: socialActions.comments.CREATE.20260801"},
		{channeltest.ServerError, "first comment: Internal Server Error"},
	} {
		t.Run(string(tc.fail), func(t *testing.T) {
			f := setup(t)
			org := f.connect(t, withPages(f.srv.ConnectValues()))[1]
			f.srv.FailNextComment(tc.fail, 1)
			pub, err := f.c.Publish(context.Background(), &org, channel.Post{Text: "Musrenbang kecamatan dimulai pukul 09.00", FirstComment: "Agenda: https://sukamajukab.go.id/musrenbang"})
			if err != nil {
				t.Fatalf("a failed first comment gave %v, want the post published", err)
			}
			if pub.Incomplete != tc.want {
				t.Errorf("incomplete %q, want %q", pub.Incomplete, tc.want)
			}
			if posts := f.srv.Posts(); len(posts) != 1 || posts[0].ID != pub.RemoteID || posts[0].ReplyTo != "" {
				t.Errorf("LinkedIn holds %+v, want the post alone, published as %s", posts, pub.RemoteID)
			}
			if n := f.cnt.count("POST /rest/posts"); n != 1 {
				t.Errorf("%d requests to create the post, want 1", n)
			}
		})
	}
}

// A member's lost post cannot be found (LinkedIn lets no ordinary app read a member's posts),
// but publishing again is safe: LinkedIn refuses the duplicate and names the post.
func TestMemberDuplicateNamesLostPost(t *testing.T) {
	f := setup(t)
	m := f.connect(t, f.srv.ConnectValues())[0]
	ctx := context.Background()
	p := channel.Post{Text: "Pemadaman listrik terjadwal hari Kamis"}
	f.srv.FailNext(channeltest.LostAnswer, 1)
	if _, err := f.c.Publish(ctx, &m, p); channel.AsError(err).Kind != channel.Unknown {
		t.Fatalf("lost answer: %v", err)
	}
	if _, err := f.c.Find(ctx, &m, p); !errors.Is(err, channel.ErrCannotTell) {
		t.Fatalf("find for a member: %v", err)
	}
	lost := f.srv.Posts()[len(f.srv.Posts())-1].ID
	pub, err := f.c.Publish(ctx, &m, p)
	if err != nil || pub.RemoteID != lost {
		t.Errorf("publish again: %+v, %v; the post is %s", pub, err, lost)
	}
	if n := len(f.srv.Posts()); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

func TestRateLimitWaitsForMidnightUTC(t *testing.T) {
	f := setup(t)
	m := f.connect(t, f.srv.ConnectValues())[0]
	f.now = time.Date(2026, 11, 27, 20, 30, 0, 0, time.FixedZone("WIB", 7*3600))
	f.srv.FailNext(channeltest.RateLimited, 1)
	_, err := f.c.Publish(context.Background(), &m, channel.Post{Text: "Kena batas"})
	if e := channel.AsError(err); e.Kind != channel.RateLimited || !e.RetryAt.Equal(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("rate limited: %v, retry at %s", err, e.RetryAt)
	}
}

func TestBenchmarkAccountsPublish(t *testing.T) {
	f := setup(t)
	accts := f.srv.Accounts(3)
	var wg sync.WaitGroup
	for i := range accts {
		wg.Go(func() {
			if _, err := f.c.Publish(context.Background(), &accts[i], channel.Post{Text: "Uji beban " + accts[i].Name}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(f.srv.Posts()); n != 3 {
		t.Errorf("%d posts, want 3", n)
	}
}

func TestCatalog(t *testing.T) {
	b, err := i18n.NewBundle(linkedin.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	c := linkedin.New(channel.Env{})
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
		if s := b.Locale(lang, nil).T("linkedin.guide.step4", "RedirectURL", redirect); !strings.Contains(s, redirect) {
			t.Errorf("%s step 4 does not show the redirect URL: %s", lang, s)
		}
	}
}
