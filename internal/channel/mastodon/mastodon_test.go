package mastodon_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/mastodon"
	"warta.dev/warta/internal/channel/mastodon/mastodontest"
	"warta.dev/warta/internal/platform/i18n"
)

const redirectURL = "https://warta.example/channels/oauth/callback"

// setup starts an instance and a connector whose waits are counted, not slept.
func setup(t *testing.T) (*mastodontest.Server, channel.Connector, *atomic.Int64) {
	t.Helper()
	srv := mastodontest.New()
	t.Cleanup(srv.Close)
	waits := &atomic.Int64{}
	conn := mastodon.New(channel.Env{Client: &http.Client{}, Sleep: func(context.Context, time.Duration) error {
		waits.Add(1)
		return nil
	}})
	return srv, conn, waits
}

// connect signs in as a user would: Start, the instance's authorize page (which approves at
// once and redirects to Warta), then Finish with what came back.
func connect(t *testing.T, srv *mastodontest.Server, conn channel.Connector, app *channel.App) (channel.Account, channel.Step) {
	t.Helper()
	ctx := context.Background()
	step, err := conn.Start(ctx, channel.Start{Values: srv.ConnectValues(), App: app, RedirectURL: redirectURL, State: "st4te"})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	query := follow(t, step.AuthURL)
	if query.Get("state") != "st4te" {
		t.Fatalf("state %q came back, want st4te", query.Get("state"))
	}
	accts, err := conn.Finish(ctx, channel.Finish{Server: step.Server, App: step.App, RedirectURL: redirectURL, Verifier: step.Verifier, Query: query})
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	if len(accts) != 1 {
		t.Fatalf("%d accounts, want 1", len(accts))
	}
	return accts[0], step
}

// follow opens the authorization URL and returns the query of the redirect to Warta.
func follow(t *testing.T, authURL string) url.Values {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), redirectURL+"?") {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

func TestConformance(t *testing.T) {
	srv, conn, _ := setup(t)
	acct, step := connect(t, srv, conn, nil)
	if acct.Network != channel.Mastodon || acct.Server != srv.URL() || acct.RemoteID == "" || acct.Secret.AccessToken == "" {
		t.Fatalf("account %+v", acct)
	}
	host := strings.TrimPrefix(srv.URL(), "http://")
	if acct.Handle != "@user1@"+host || acct.Name != "Humas Sukamaju 1" || acct.URL != srv.URL()+"/@user1" {
		t.Errorf("handle %q, name %q, url %q", acct.Handle, acct.Name, acct.URL)
	}
	if step.Server != srv.URL() || step.Verifier == "" || step.App == nil {
		t.Errorf("step %+v", step)
	}
	if ok, err := conn.Refresh(context.Background(), &acct, time.Hour); ok || err != nil {
		t.Errorf("refresh of a token that never expires: %v, %v", ok, err)
	}
	channeltest.Conformance(t, conn, srv, &acct, true, "")
}

func TestAppRegisteredOncePerInstance(t *testing.T) {
	srv, conn, _ := setup(t)
	first, step := connect(t, srv, conn, nil)
	second, again := connect(t, srv, conn, step.App)
	if n := srv.Apps(); n != 1 {
		t.Errorf("%d apps registered on the instance, want 1", n)
	}
	if *again.App != *step.App {
		t.Errorf("the saved app %+v came back as %+v", step.App, again.App)
	}
	// The same person authorising again (reconnecting) is the same account.
	if first.RemoteID != second.RemoteID {
		t.Errorf("reconnecting gave account %s, first was %s", second.RemoteID, first.RemoteID)
	}
}

func TestServerAddress(t *testing.T) {
	srv, _, _ := setup(t)
	// Endpoint sends every request to the contract server whatever the address typed.
	conn := mastodon.New(channel.Env{Client: &http.Client{}, Endpoint: srv.URL()})
	ctx := context.Background()
	for typed, want := range map[string]string{
		"mastodon.social":           "https://mastodon.social",
		" https://Mastodon.Social/": "https://mastodon.social",
		"@humas@kota.social":        "https://kota.social",
		"http://192.0.2.7:3000":     "http://192.0.2.7:3000",
	} {
		step, err := conn.Start(ctx, channel.Start{Values: map[string]string{"server": typed}, RedirectURL: redirectURL})
		if err != nil {
			t.Fatalf("%q: %v", typed, err)
		}
		if step.Server != want {
			t.Errorf("%q became %q, want %q", typed, step.Server, want)
		}
		if !strings.HasPrefix(step.AuthURL, srv.URL()+"/oauth/authorize?") || !strings.Contains(step.AuthURL, "scope=read+write") ||
			!strings.Contains(step.AuthURL, "code_challenge_method=S256") {
			t.Errorf("auth URL %s", step.AuthURL)
		}
	}
	for _, typed := range []string{"", "ftp://mastodon.social"} {
		_, err := conn.Start(ctx, channel.Start{Values: map[string]string{"server": typed}, RedirectURL: redirectURL})
		if e := channel.AsError(err); err == nil || e.Kind != channel.Rejected || e.Reason != "server" {
			t.Errorf("%q: %v, want rejected with the field's name", typed, err)
		}
	}
}

func TestSignInRefusedOrBroken(t *testing.T) {
	srv, conn, _ := setup(t)
	ctx := context.Background()
	step, err := conn.Start(ctx, channel.Start{Values: srv.ConnectValues(), RedirectURL: redirectURL})
	if err != nil {
		t.Fatal(err)
	}
	finish := func(q url.Values, verifier string) error {
		_, err := conn.Finish(ctx, channel.Finish{Server: step.Server, App: step.App, RedirectURL: redirectURL, Verifier: verifier, Query: q})
		return err
	}
	denied := url.Values{"error": {"access_denied"}, "error_description": {"The resource owner or authorization server denied the request."}}
	if e := channel.AsError(finish(denied, step.Verifier)); e.Kind != channel.Rejected || e.Reason != denied.Get("error_description") {
		t.Errorf("denied: %v", e)
	}
	// A code redeemed with another verifier is refused: PKCE binds it to this Start.
	q := follow(t, step.AuthURL)
	err = finish(q, "another-verifier-another-verifier-another-verifier")
	if e := channel.AsError(err); err == nil || e.Kind != channel.Rejected || !strings.Contains(e.Reason, "authorization grant is invalid") {
		t.Errorf("wrong verifier: %v", err)
	}
	if err := finish(q, step.Verifier); err != nil {
		t.Errorf("the right verifier: %v", err)
	}
}

func TestInstanceLimit(t *testing.T) {
	srv, conn, _ := setup(t)
	acct, _ := connect(t, srv, conn, nil)
	ctx := context.Background()
	prof, err := conn.Verify(ctx, &acct)
	if err != nil {
		t.Fatal(err)
	}
	if prof.MaxText != 500 || prof.QuotaLeft != -1 || prof.Handle != acct.Handle {
		t.Errorf("profile %+v", prof)
	}
	srv.SetMaxCharacters(1000)
	if prof, err = conn.Verify(ctx, &acct); err != nil || prof.MaxText != 1000 {
		t.Fatalf("after the instance raised its limit: %+v, %v", prof, err)
	}
	if _, err := conn.Publish(ctx, &acct, channel.Post{Key: "long-ok", Text: strings.Repeat("kata ", 150)}); err != nil {
		t.Errorf("750 characters on a 1000-character instance: %v", err)
	}
	_, err = conn.Publish(ctx, &acct, channel.Post{Key: "too-long", Text: strings.Repeat("a", 1001)})
	if e := channel.AsError(err); e.Kind != channel.Rejected || e.Reason != "Validation failed: Text character limit of 1000 exceeded" {
		t.Errorf("1001 characters: %v, want the instance's words verbatim", err)
	}
}

func TestIdempotencyKey(t *testing.T) {
	srv, conn, _ := setup(t)
	acct, _ := connect(t, srv, conn, nil)
	ctx := context.Background()
	p := channel.Post{Key: "pub-42", Text: "Pendaftaran beasiswa dibuka hingga 30 Juni"}
	first, err := conn.Publish(ctx, &acct, p)
	if err != nil {
		t.Fatal(err)
	}
	second, err := conn.Publish(ctx, &acct, p)
	if err != nil {
		t.Fatal(err)
	}
	if first.RemoteID != second.RemoteID || first.URL != second.URL || len(srv.Posts()) != 1 {
		t.Errorf("same key twice: %+v and %+v, %d posts on the instance", first, second, len(srv.Posts()))
	}
	if got := srv.Posts()[0]; got.Key != "pub-42" || got.Extra["visibility"] != "public" {
		t.Errorf("the instance holds %+v", got)
	}
	if first.URL != srv.URL()+"/@user1/"+first.RemoteID || first.At.IsZero() {
		t.Errorf("published %+v", first)
	}
}

func TestMediaProcessingPolled(t *testing.T) {
	srv, conn, waits := setup(t)
	acct, _ := connect(t, srv, conn, nil)
	ctx := context.Background()
	srv.SetMediaProcessing(3)
	p := channel.Post{Key: "photos", Text: "Dokumentasi rapat koordinasi", Media: []channel.MediaFile{
		channeltest.Image("Peserta rapat di aula kantor bupati", ""), channeltest.Image("Bupati membuka rapat", ""),
	}}
	if _, err := conn.Publish(ctx, &acct, p); err != nil {
		t.Fatal(err)
	}
	posts := srv.Posts()
	if got := posts[len(posts)-1]; len(got.Media) != 2 || got.Media[1].Alt != "Bupati membuka rapat" || got.Media[0].MIME != "image/png" {
		t.Errorf("the status holds %+v", got.Media)
	}
	if n := waits.Load(); n != 8 {
		t.Errorf("%d waits, want 4 per file (3 answers still processing, then done)", n)
	}

	srv.FailMediaProcessing(1)
	before := len(srv.Posts())
	_, err := conn.Publish(ctx, &acct, channel.Post{Key: "broken", Text: "Foto rusak", Media: []channel.MediaFile{channeltest.Image("x", "")}})
	if e := channel.AsError(err); e.Key != channel.KeyMediaFailed || e.Kind != channel.Rejected || e.Reason != "Error processing thumbnail for uploaded media" {
		t.Errorf("failed processing: %v (key %q)", err, e.Key)
	}
	if len(srv.Posts()) != before {
		t.Error("a status went out without its media")
	}
}

func TestMediaRefused(t *testing.T) {
	srv, conn, _ := setup(t)
	acct, _ := connect(t, srv, conn, nil)
	img := channeltest.Image("", "")
	img.MIME = "application/pdf"
	_, err := conn.Publish(context.Background(), &acct, channel.Post{Key: "pdf", Text: "Laporan", Media: []channel.MediaFile{img}})
	if e := channel.AsError(err); e.Kind != channel.Rejected || e.Key != channel.KeyMediaFailed || !strings.Contains(e.Reason, "File content type is invalid") {
		t.Errorf("a file of a type Mastodon refuses: %v", err)
	}
}

func TestFirstCommentAndMetrics(t *testing.T) {
	srv, conn, _ := setup(t)
	acct, _ := connect(t, srv, conn, nil)
	ctx := context.Background()
	pub, err := conn.Publish(ctx, &acct, channel.Post{Key: "event", Text: "Konferensi pers hari ini pukul 14.00", FirstComment: "Siaran langsung: https://kota.example/live", Language: "id-ID"})
	if err != nil {
		t.Fatal(err)
	}
	posts := srv.Posts()
	if len(posts) != 2 || posts[1].ReplyTo != pub.RemoteID || posts[1].Key != "event-comment" || posts[0].Extra["language"] != "id" || pub.Incomplete != "" {
		t.Fatalf("the instance holds %+v", posts)
	}
	srv.AddReactions(pub.RemoteID, 7, 3)
	m, err := conn.Metrics(ctx, &acct, []string{pub.RemoteID, "999"})
	if err != nil {
		t.Fatal(err)
	}
	if got := m[pub.RemoteID]; got != (channel.Metrics{Likes: 7, Reposts: 3, Replies: 1, Views: -1}) {
		t.Errorf("metrics %+v", got)
	}
	if _, ok := m["999"]; ok {
		t.Error("counts for a status that does not exist")
	}
}

// A first comment that fails after its status went out leaves the status published, once, and
// says what did not go out; a failure that may pass is retried, with the comment's own key.
func TestFirstCommentFails(t *testing.T) {
	for _, tc := range []struct {
		name       string
		fail       channeltest.Failure
		n          int
		waits      int64
		comments   int
		incomplete string // what Incomplete holds, "" for a comment that went out in the end
	}{
		{"refused", channeltest.Rejected, 1, 0, 0, "first comment: Validation failed: Text character limit of 500 exceeded"},
		{"server errors", channeltest.ServerError, 3, 2, 0, "first comment: We're sorry, but something went wrong on our end."},
		{"one server error", channeltest.ServerError, 1, 1, 1, ""},
		{"lost answer", channeltest.LostAnswer, 1, 1, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, conn, waits := setup(t)
			acct, _ := connect(t, srv, conn, nil)
			srv.FailNext("", 1) // the status goes through
			srv.FailNext(tc.fail, tc.n)
			pub, err := conn.Publish(context.Background(), &acct, channel.Post{Key: "comment-" + tc.name,
				Text: "Musrenbang kecamatan dimulai pukul 09.00", FirstComment: "Agenda: https://kota.example/musrenbang"})
			if err != nil {
				t.Fatalf("a post whose comment failed: %v, want it published", err)
			}
			if pub.Incomplete != tc.incomplete {
				t.Errorf("incomplete %q, want %q", pub.Incomplete, tc.incomplete)
			}
			var main, comments int
			for _, p := range srv.Posts() {
				switch {
				case p.ReplyTo == "" && p.ID == pub.RemoteID:
					main++
				case p.ReplyTo == pub.RemoteID && p.Key == "comment-"+tc.name+"-comment":
					comments++
				default:
					t.Errorf("unexpected status %+v", p)
				}
			}
			if main != 1 || comments != tc.comments {
				t.Errorf("the instance holds the post %d times and the comment %d times, want once and %d", main, comments, tc.comments)
			}
			if n := waits.Load(); n != tc.waits {
				t.Errorf("%d waits between attempts at the comment, want %d", n, tc.waits)
			}
		})
	}
}

func TestFindReadsHTML(t *testing.T) {
	srv, conn, _ := setup(t)
	acct, _ := connect(t, srv, conn, nil)
	ctx := context.Background()
	p := channel.Post{Key: "lost", Text: "Warga's \"Kartu Sehat\" & <BPJS>:\n\ndaftar di https://dinkes.kota.example/pendaftaran-kartu-sehat-2026 #SehatBersama\nterima kasih"}
	srv.FailNext(channeltest.LostAnswer, 1)
	if _, err := conn.Publish(ctx, &acct, p); channel.AsError(err).Kind != channel.Unknown {
		t.Fatalf("lost answer: %v", err)
	}
	// Newer statuses and a reply must not hide it or be taken for it.
	if _, err := conn.Publish(ctx, &acct, channel.Post{Key: "next", Text: "Pengumuman lain", FirstComment: p.Text}); err != nil {
		t.Fatal(err)
	}
	found, err := conn.Find(ctx, &acct, p)
	if err != nil || found == nil || found.RemoteID != srv.Posts()[0].ID {
		t.Fatalf("find: %+v, %v; the lost status is %s", found, err, srv.Posts()[0].ID)
	}
	if _, err := conn.Find(ctx, &acct, channel.Post{Key: "media-only"}); !errors.Is(err, channel.ErrCannotTell) {
		t.Errorf("a post without text: %v, want ErrCannotTell", err)
	}
}

func TestRevokedToken(t *testing.T) {
	srv, conn, _ := setup(t)
	acct, _ := connect(t, srv, conn, nil)
	srv.Revoke()
	_, err := conn.Verify(context.Background(), &acct)
	if e := channel.AsError(err); e.Kind != channel.Unauthorized || e.Reason != "The access token was revoked" {
		t.Errorf("revoked: %v", err)
	}
}

func TestRateLimitResetHeader(t *testing.T) {
	srv, conn, _ := setup(t)
	acct, _ := connect(t, srv, conn, nil)
	srv.FailNext(channeltest.RateLimited, 1)
	_, err := conn.Publish(context.Background(), &acct, channel.Post{Key: "rl", Text: "Pengumuman"})
	e := channel.AsError(err)
	if until := time.Until(e.RetryAt); e.Kind != channel.RateLimited || until < 50*time.Second || until > 70*time.Second {
		t.Errorf("rate limited: %v, resets in %s, want about a minute (X-RateLimit-Reset)", err, until)
	}
}

func TestGuideInBothLanguages(t *testing.T) {
	b, err := i18n.NewBundle(mastodon.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	if en, id := b.Keys("en"), b.Keys("id"); strings.Join(en, ",") != strings.Join(id, ",") {
		t.Errorf("catalogs differ:\n en %v\n id %v", en, id)
	}
	conn := mastodon.New(channel.Env{})
	g := conn.Guide()
	keys := append([]string{g.Needs}, g.Steps...)
	for _, f := range conn.Fields() {
		if f.App || f.Secret {
			t.Errorf("field %s: nothing to type but the instance", f.Name)
		}
		keys = append(keys, f.Label, f.Help)
	}
	for _, k := range keys {
		if !b.Has(k) {
			t.Errorf("key %s missing", k)
		}
	}
	if l := b.Locale("id", nil); !strings.Contains(l.T(g.Needs), "Mastodon") {
		t.Errorf("id: %s", l.T(g.Needs))
	}
}

// BenchmarkPublish posts concurrently from 100 accounts to one instance, as the publishing
// benchmarks do.
func BenchmarkPublish(b *testing.B) {
	srv := mastodontest.New()
	defer srv.Close()
	conn := mastodon.New(channel.Env{Client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}})
	accts := make([]channel.Account, 100)
	for i := range accts {
		id, tok := srv.NewAccountToken()
		accts[i] = channel.Account{Network: channel.Mastodon, Server: srv.URL(), RemoteID: id, Secret: channel.Secret{AccessToken: tok}}
	}
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			p := channel.Post{Key: "bench-" + strconv.FormatInt(i, 10), Text: "Pengumuman nomor " + strconv.FormatInt(i, 10)}
			if _, err := conn.Publish(context.Background(), &accts[i%int64(len(accts))], p); err != nil {
				b.Fatal(err)
			}
		}
	})
	if got := len(srv.Posts()); got != int(n.Load()) {
		b.Fatalf("%d posts on the instance after %d publishes", got, n.Load())
	}
}
