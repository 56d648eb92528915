package facebook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/facebook"
	"warta.dev/warta/internal/channel/meta"
	"warta.dev/warta/internal/channel/meta/metatest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
)

const redirect = "https://warta.example.go.id/channels/callback"

// clock is a test clock shared by the connector and the server.
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

func setup(t *testing.T) (*metatest.Server, channel.Connector, *clock) {
	t.Helper()
	srv := metatest.New()
	t.Cleanup(srv.Close)
	clk := &clock{t: time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)}
	srv.SetClock(clk.Now)
	conn := facebook.New(channel.Env{Client: &http.Client{}, Endpoint: srv.URL(), Now: clk.Now,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	return srv, conn, clk
}

// connect goes through Start, the Login dialog and Finish, as a user connecting Pages does.
func connect(t *testing.T, srv *metatest.Server, conn channel.Connector) []channel.Account {
	t.Helper()
	ctx := context.Background()
	step, err := conn.Start(ctx, channel.Start{Values: srv.ConnectValues(), RedirectURL: redirect, State: "st-42"})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if !strings.HasPrefix(step.AuthURL, srv.URL()+"/"+meta.Version+"/dialog/oauth?") || step.App == nil {
		t.Fatalf("step %+v", step)
	}
	q, err := metatest.Authorize(step.AuthURL)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("state") != "st-42" {
		t.Fatalf("state %q came back", q.Get("state"))
	}
	accts, err := conn.Finish(ctx, channel.Finish{App: step.App, RedirectURL: redirect, Query: q})
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	return accts
}

func TestConnectMakesOneAccountPerPage(t *testing.T) {
	srv, conn, clk := setup(t)
	second := srv.AddPage("Humas Kabupaten Sukamaju", false)
	accts := connect(t, srv, conn)
	if len(accts) != 2 {
		t.Fatalf("%d accounts, want the user's 2 Pages: %+v", len(accts), accts)
	}
	first := srv.FirstPage()
	a := accts[0]
	if a.Network != channel.Facebook || a.Kind != "page" || a.RemoteID != first.ID || a.Name != first.Name ||
		a.URL != "https://www.facebook.com/"+first.ID || a.Secret.AccessToken == "" || a.Secret.App == nil {
		t.Errorf("account %+v", a)
	}
	// The server's ready-made account (for benchmarks) is what connecting gives, but the token.
	got, want := accts[1], second.FacebookAccount()
	got.Secret.AccessToken, want.Secret.AccessToken = "", ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("second account %+v, want %+v", got, want)
	}

	// The Page token was read with a long-lived user token: two months later it still works.
	clk.Advance(61 * 24 * time.Hour)
	p, err := conn.Verify(context.Background(), &a)
	if err != nil {
		t.Fatalf("verify after 61 days: %v", err)
	}
	if p.Name != first.Name || p.QuotaLeft != -1 {
		t.Errorf("profile %+v", p)
	}
	if r, err := conn.Refresh(context.Background(), &a, 24*time.Hour); r || err != nil {
		t.Errorf("refresh of a Page token: %v, %v", r, err)
	}
}

func TestConformance(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)[0]
	channeltest.Conformance(t, conn, srv.Network(channel.Facebook), &acct, true, "")
}

func TestStartChecksTheApp(t *testing.T) {
	srv, conn, _ := setup(t)
	ctx := context.Background()
	_, err := conn.Start(ctx, channel.Start{Values: map[string]string{"client_secret": "x"}, RedirectURL: redirect})
	if e := channel.AsError(err); e.Kind != channel.Rejected || e.Reason != "client_id" {
		t.Errorf("missing App ID: %v", err)
	}
	values := srv.ConnectValues()
	values["client_secret"] = "not-the-secret"
	_, err = conn.Start(ctx, channel.Start{Values: values, RedirectURL: redirect})
	if e := channel.AsError(err); e.Kind != channel.Unauthorized || e.Reason != "Error validating client secret." {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestFinishRefusesAMissingPermission(t *testing.T) {
	srv, conn, _ := setup(t)
	srv.Decline("pages_manage_posts")
	ctx := context.Background()
	step, err := conn.Start(ctx, channel.Start{Values: srv.ConnectValues(), RedirectURL: redirect, State: "s"})
	if err != nil {
		t.Fatal(err)
	}
	q, err := metatest.Authorize(step.AuthURL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Finish(ctx, channel.Finish{App: step.App, RedirectURL: redirect, Query: q})
	if e := channel.AsError(err); e.Kind != channel.Rejected || e.Reason != "pages_manage_posts" {
		t.Errorf("finish without pages_manage_posts: %v", err)
	}

	_, err = conn.Finish(ctx, channel.Finish{App: step.App, RedirectURL: redirect,
		Query: url.Values{"error": {"access_denied"}, "error_reason": {"user_denied"}, "error_description": {"Permissions error."}}})
	if e := channel.AsError(err); e.Kind != channel.Rejected || e.Reason != "Permissions error." {
		t.Errorf("cancelled dialog: %v", err)
	}
}

// A Page post needs the Page token: the user token the dialog gave is refused with Graph's
// (#200) error, the Page token is taken.
func TestOnlyThePageTokenPosts(t *testing.T) {
	srv, conn, _ := setup(t)
	ctx := context.Background()
	app := srv.ConnectValues()
	q, err := metatest.Authorize(srv.URL() + "/" + meta.Version + "/dialog/oauth?" + url.Values{
		"client_id": {app["client_id"]}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {"pages_show_list,pages_read_engagement,pages_manage_posts"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL() + "/" + meta.Version + "/oauth/access_token?" + url.Values{
		"client_id": {app["client_id"]}, "client_secret": {app["client_secret"]}, "redirect_uri": {redirect}, "code": {q.Get("code")}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("user token: %v %+v", err, tok)
	}

	acct := srv.FirstPage().FacebookAccount()
	withUserToken := acct
	withUserToken.Secret.AccessToken = tok.AccessToken
	_, err = conn.Publish(ctx, &withUserToken, channel.Post{Text: "Rapat koordinasi banjir pukul 10.00"})
	if e := channel.AsError(err); e.Kind != channel.Rejected || !strings.Contains(e.Reason, "pages_manage_posts") {
		t.Errorf("post with the user token: %v", err)
	}
	if n := len(srv.Posts()); n != 0 {
		t.Fatalf("%d posts after a refused one", n)
	}
	if _, err := conn.Publish(ctx, &acct, channel.Post{Text: "Rapat koordinasi banjir pukul 10.00"}); err != nil {
		t.Errorf("post with the Page token: %v", err)
	}
}

func TestPhotosAltTextAndFirstComment(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)[0]
	p := channel.Post{Text: "Dokumentasi gotong royong Sabtu pagi", FirstComment: "Terima kasih warga RW 05!",
		Media: []channel.MediaFile{channeltest.Image("Warga membersihkan selokan", ""), channeltest.Image("Tumpukan sampah diangkut truk", "")}}
	got, err := conn.Publish(context.Background(), &acct, p)
	if err != nil || got.Incomplete != "" {
		t.Fatalf("publish: %+v, %v", got, err)
	}
	posts := srv.Posts()
	if len(posts) != 2 {
		t.Fatalf("server holds %d posts, want the post and its comment: %+v", len(posts), posts)
	}
	post, comment := posts[0], posts[1]
	if post.ID != got.RemoteID || post.Text != p.Text || len(post.Media) != 2 ||
		post.Media[0].Alt != "Warga membersihkan selokan" || post.Media[1].Alt != "Tumpukan sampah diangkut truk" {
		t.Errorf("post %+v, connector said %+v", post, got)
	}
	if got.URL != "https://www.facebook.com/"+got.RemoteID {
		t.Errorf("url %s", got.URL)
	}
	if comment.ReplyTo != post.ID || comment.Text != p.FirstComment {
		t.Errorf("first comment %+v", comment)
	}
}

// A first comment that fails leaves the post published, once, and says what did not go out.
func TestFirstCommentFails(t *testing.T) {
	for _, tc := range []struct {
		fail     channeltest.Failure
		want     string
		comments int
	}{
		{channeltest.Rejected, "first comment: (#368) The action attempted has been deemed abusive or is otherwise disallowed", 0},
		{channeltest.ServerError, "first comment: An unexpected error has occurred. Please retry your request later.", 0},
		// The comment was made but its answer was lost: not repeated, since a repeat could
		// comment twice, and the person is told it may be missing.
		{channeltest.LostAnswer, "first comment: ", 1},
	} {
		t.Run(string(tc.fail), func(t *testing.T) {
			srv, conn, _ := setup(t)
			acct := connect(t, srv, conn)[0]
			srv.FailNextComment(tc.fail, 1)
			got, err := conn.Publish(context.Background(), &acct, channel.Post{Text: "Kerja bakti Minggu pagi di RW 05", FirstComment: "Titik kumpul: balai RW"})
			if err != nil {
				t.Fatalf("a failed first comment gave %v, want the post published", err)
			}
			ok := got.Incomplete == tc.want
			if tc.fail == channeltest.LostAnswer { // no words from Facebook, and never the request's address
				ok = strings.HasPrefix(got.Incomplete, tc.want) && len(got.Incomplete) > len(tc.want) && !strings.Contains(got.Incomplete, srv.URL())
			}
			if !ok {
				t.Errorf("incomplete %q, want %q", got.Incomplete, tc.want)
			}
			posts := srv.Posts()
			var main, comments int
			for _, p := range posts {
				switch {
				case p.ID == got.RemoteID && p.ReplyTo == "":
					main++
				case p.ReplyTo == got.RemoteID:
					comments++
				}
			}
			if main != 1 || comments != tc.comments || len(posts) != 1+tc.comments {
				t.Errorf("Facebook holds %+v, want the post %s once and %d comments", posts, got.RemoteID, tc.comments)
			}
		})
	}
}

func TestVideoUpload(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)[0]
	mp4 := append([]byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'm', 'p', '4', '2', 0, 0, 0, 0, 'm', 'p', '4', '2', 'i', 's', 'o', 'm'}, make([]byte, 1000)...)
	video := channel.MediaFile{Name: "pawai.mp4", MIME: "video/mp4", Kind: channel.KindVideo, Size: int64(len(mp4)),
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(mp4)), nil }}
	got, err := conn.Publish(context.Background(), &acct, channel.Post{Text: "Pawai budaya HUT kota", Media: []channel.MediaFile{video}})
	if err != nil {
		t.Fatal(err)
	}
	posts := srv.Posts()
	if len(posts) != 1 || posts[0].Text != "Pawai budaya HUT kota" || len(posts[0].Media) != 1 || posts[0].Media[0].MIME != "video/mp4" {
		t.Fatalf("server holds %+v", posts)
	}
	if got.URL != "https://www.facebook.com/"+acct.RemoteID+"/videos/"+got.RemoteID {
		t.Errorf("url %s", got.URL)
	}
}

func TestMetrics(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)[0]
	ctx := context.Background()
	got, err := conn.Publish(ctx, &acct, channel.Post{Text: "Jadwal pelayanan SIM keliling", FirstComment: "Lokasi: alun-alun"})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetCounts(got.RemoteID, metatest.Counts{Likes: 41, Replies: 6, Reposts: 3})
	m, err := conn.Metrics(ctx, &acct, []string{got.RemoteID, "17841499999999999"})
	if err != nil {
		t.Fatal(err)
	}
	want := channel.Metrics{Likes: 41, Replies: 7, Reposts: 3, Views: -1}
	if len(m) != 1 || m[got.RemoteID] != want {
		t.Errorf("metrics %+v, want %+v for %s only", m, want, got.RemoteID)
	}
}

func TestFindWithoutTextCannotTell(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)[0]
	_, err := conn.Find(context.Background(), &acct, channel.Post{Media: []channel.MediaFile{channeltest.Image("alt", "")}})
	if !errors.Is(err, channel.ErrCannotTell) {
		t.Errorf("find of a post without text: %v", err)
	}
}

func TestRevokedAccountAsksForReconnection(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)[0]
	srv.Revoke()
	_, err := conn.Publish(context.Background(), &acct, channel.Post{Text: "Pengumuman libur nasional"})
	var e *channel.Error
	if !errors.As(err, &e) || e.Kind != channel.Unauthorized {
		t.Fatalf("publish after revoke: %v", err)
	}
	b, err := i18n.NewBundle(catalog.Common, channel.Catalog, facebook.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	en := e.Message(b.Locale("en", nil), channel.Facebook)
	id := e.Message(b.Locale("id", nil), channel.Facebook)
	if !strings.Contains(en, "Facebook no longer accepts") || !strings.Contains(en, "has not authorized application") {
		t.Errorf("en: %s", en)
	}
	if id == en || !strings.Contains(id, "Facebook") {
		t.Errorf("id: %s", id)
	}
}

func TestCatalogsMatch(t *testing.T) {
	b, err := i18n.NewBundle(facebook.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	en, id := b.Keys("en"), b.Keys("id")
	if strings.Join(en, ",") != strings.Join(id, ",") {
		t.Errorf("en and id keys differ:\n%v\n%v", en, id)
	}
	conn := facebook.New(channel.Env{})
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
	redirect := false
	for _, s := range g.Steps {
		redirect = redirect || strings.Contains(b.Locale("id", nil).T(s, "RedirectURL", "https://x/cb"), "https://x/cb")
	}
	if !redirect {
		t.Error("no step shows the redirect URL")
	}
}
