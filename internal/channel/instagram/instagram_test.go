package instagram_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/channeltest"
	"warta.dev/warta/internal/channel/instagram"
	"warta.dev/warta/internal/channel/meta/metatest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
)

const redirect = "https://warta.example.go.id/channels/callback"

func jpegOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x * 5), 90, uint8(y * 4), 255})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

var mp4 = append([]byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'm', 'p', '4', '2', 0, 0, 0, 0, 'm', 'p', '4', '2', 'i', 's', 'o', 'm'}, make([]byte, 2000)...)

// media is Warta's public base URL as Meta's servers see it.
func media(t *testing.T) string {
	t.Helper()
	files := map[string][]byte{"/m/foto.jpg": jpegOf(40, 30), "/m/tinggi.jpg": jpegOf(30, 60), "/m/foto.png": channeltest.PNG(), "/m/reel.mp4": mp4}
	ms := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(ms.Close)
	return ms.URL
}

func photo(alt, publicURL string) channel.MediaFile {
	data := jpegOf(40, 30)
	return channel.MediaFile{Name: "foto.jpg", MIME: "image/jpeg", Kind: channel.KindImage, Size: int64(len(data)),
		Width: 40, Height: 30, Alt: alt, PublicURL: publicURL,
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func setup(t *testing.T) (*metatest.Server, channel.Connector, string) {
	t.Helper()
	srv := metatest.New()
	t.Cleanup(srv.Close)
	conn := instagram.New(channel.Env{Client: &http.Client{}, Endpoint: srv.URL(),
		Sleep: func(context.Context, time.Duration) error { return nil }})
	return srv, conn, media(t)
}

func connect(t *testing.T, srv *metatest.Server, conn channel.Connector) []channel.Account {
	t.Helper()
	ctx := context.Background()
	step, err := conn.Start(ctx, channel.Start{Values: srv.ConnectValues(), RedirectURL: redirect, State: "st-7"})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	for _, scope := range []string{"instagram_basic", "instagram_content_publish", "pages_show_list"} {
		if !strings.Contains(step.AuthURL, scope) {
			t.Errorf("the dialog does not ask for %s: %s", scope, step.AuthURL)
		}
	}
	q, err := metatest.Authorize(step.AuthURL)
	if err != nil {
		t.Fatal(err)
	}
	accts, err := conn.Finish(ctx, channel.Finish{App: step.App, RedirectURL: redirect, Query: q})
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	return accts
}

func TestConnectFindsTheLinkedAccount(t *testing.T) {
	srv, conn, _ := setup(t)
	srv.AddPage("Halaman tanpa Instagram", false)
	accts := connect(t, srv, conn)
	p := srv.FirstPage()
	if len(accts) != 1 {
		t.Fatalf("%d accounts, want the one linked professional account: %+v", len(accts), accts)
	}
	a := accts[0]
	if a.Network != channel.Instagram || a.RemoteID != p.InstagramID || a.Handle != "@"+p.InstagramHandle ||
		a.URL != "https://www.instagram.com/"+p.InstagramHandle || a.Secret.AccessToken == "" || a.Secret.Extra["page_id"] != p.ID {
		t.Errorf("account %+v", a)
	}
	got, want := a, p.InstagramAccount()
	got.Secret.AccessToken, want.Secret.AccessToken = "", ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the server's ready-made account %+v differs from %+v", want, got)
	}
	prof, err := conn.Verify(context.Background(), &a)
	if err != nil || prof.Handle != a.Handle || prof.QuotaLeft != 50 {
		t.Errorf("verify: %+v, %v", prof, err)
	}
}

// Instagram publishes nothing without media, so channeltest.Conformance (whose text post has
// none) does not apply; these are its checks with an image on every post.
func TestPublishingContract(t *testing.T) {
	srv, conn, base := setup(t)
	acct := connect(t, srv, conn)[0]
	peer := srv.Network(channel.Instagram)
	ctx := context.Background()
	post := func(text string) channel.Post {
		return channel.Post{Key: text, Text: text, Media: []channel.MediaFile{photo("Kader posyandu menimbang bayi", base+"/m/foto.jpg")}}
	}

	t.Run("image with alt text", func(t *testing.T) {
		got, err := conn.Publish(ctx, &acct, post("Foto kegiatan posyandu #Sukamaju"))
		if err != nil {
			t.Fatal(err)
		}
		last := peer.Posts()[len(peer.Posts())-1]
		if last.ID != got.RemoteID || last.Text != "Foto kegiatan posyandu #Sukamaju" || len(last.Media) != 1 ||
			last.Media[0].Alt != "Kader posyandu menimbang bayi" || last.Media[0].MIME != "image/jpeg" {
			t.Errorf("server holds %+v, connector said %+v", last, got)
		}
		if !strings.HasPrefix(got.URL, "https://www.instagram.com/p/") {
			t.Errorf("url %s", got.URL)
		}
	})
	classes := []struct {
		f    channeltest.Failure
		kind channel.Kind
	}{{channeltest.RateLimited, channel.RateLimited}, {channeltest.Unauthorized, channel.Unauthorized}, {channeltest.Rejected, channel.Rejected}}
	for _, cl := range classes {
		t.Run(string(cl.f), func(t *testing.T) {
			before := len(peer.Posts())
			peer.FailNext(cl.f, 1)
			_, err := conn.Publish(ctx, &acct, post("Pengumuman "+string(cl.f)))
			e := channel.AsError(err)
			if err == nil || e.Kind != cl.kind {
				t.Fatalf("%v, want %s", err, cl.kind)
			}
			if cl.f == channeltest.RateLimited && e.RetryAt.IsZero() {
				t.Error("a rate limit without the time it resets")
			}
			if e.Reason == "" {
				t.Error("no reason in the network's words")
			}
			if len(peer.Posts()) != before {
				t.Error("a failed request left a post")
			}
		})
	}
	t.Run("server error", func(t *testing.T) {
		peer.FailNext(channeltest.ServerError, 1)
		_, err := conn.Publish(ctx, &acct, post("Pengumuman 500"))
		if e := channel.AsError(err); err == nil || (e.Kind != channel.Temporary && e.Kind != channel.Unknown) {
			t.Errorf("500 gave %v", err)
		}
	})
	t.Run("changed shape", func(t *testing.T) {
		peer.FailNext(channeltest.ChangedShape, 1)
		_, err := conn.Publish(ctx, &acct, post("Pengumuman bentuk baru"))
		if e := channel.AsError(err); err == nil || e.Kind != channel.Unknown || e.Key != channel.KeyUnexpected {
			t.Errorf("an answer without an ID gave %v", err)
		}
	})
	t.Run("lost answer then find", func(t *testing.T) {
		p := post("Jadwal vaksinasi gratis pekan depan")
		before := len(peer.Posts())
		peer.FailNext(channeltest.LostAnswer, 1)
		_, err := conn.Publish(ctx, &acct, p)
		if e := channel.AsError(err); err == nil || e.Kind != channel.Unknown {
			t.Fatalf("lost answer gave %v", err)
		}
		posts := peer.Posts()
		if len(posts) != before+1 {
			t.Fatal("the server should hold the post whose answer was lost")
		}
		found, err := conn.Find(ctx, &acct, p)
		if err != nil || found == nil || found.RemoteID != posts[len(posts)-1].ID || found.URL == "" {
			t.Fatalf("find: %+v, %v", found, err)
		}
		other, err := conn.Find(ctx, &acct, post("Teks yang tidak pernah diunggah"))
		if other != nil || err != nil {
			t.Errorf("find of a post never made: %+v, %v", other, err)
		}
	})
}

func TestCarouselReelAndFirstComment(t *testing.T) {
	srv, conn, base := setup(t)
	acct := connect(t, srv, conn)[0]
	ctx := context.Background()
	reel := channel.MediaFile{Name: "reel.mp4", MIME: "video/mp4", Kind: channel.KindVideo, PublicURL: base + "/m/reel.mp4"}
	got, err := conn.Publish(ctx, &acct, channel.Post{Text: "Festival kuliner 2026", FirstComment: "Info tiket di tautan bio",
		Media: []channel.MediaFile{photo("Stan makanan", base+"/m/foto.jpg"), reel}})
	if err != nil || got.Incomplete != "" {
		t.Fatalf("publish: %+v, %v", got, err)
	}
	posts := srv.Posts()
	if len(posts) != 2 {
		t.Fatalf("server holds %+v", posts)
	}
	if posts[0].ID != got.RemoteID || len(posts[0].Media) != 2 || posts[0].Media[0].Alt != "Stan makanan" || posts[0].Media[1].MIME != "video/mp4" {
		t.Errorf("carousel %+v", posts[0])
	}
	if posts[1].ReplyTo != got.RemoteID || posts[1].Text != "Info tiket di tautan bio" {
		t.Errorf("first comment %+v", posts[1])
	}
	if _, err := conn.Publish(ctx, &acct, channel.Post{Text: "Cuplikan festival", Media: []channel.MediaFile{reel}}); err != nil {
		t.Errorf("reel: %v", err)
	}
}

// A first comment that fails leaves the post published, once, and says what did not go out.
func TestFirstCommentFails(t *testing.T) {
	for _, tc := range []struct {
		fail channeltest.Failure
		want string
	}{
		{channeltest.Rejected, "first comment: (#368) The action attempted has been deemed abusive or is otherwise disallowed"},
		{channeltest.RateLimited, "first comment: There have been too many calls to this Instagram account. Wait a bit and try again."},
	} {
		t.Run(string(tc.fail), func(t *testing.T) {
			srv, conn, base := setup(t)
			acct := connect(t, srv, conn)[0]
			srv.FailNextComment(tc.fail, 1)
			got, err := conn.Publish(context.Background(), &acct, channel.Post{Text: "Lomba foto HUT kota", FirstComment: "Syarat lomba di tautan bio",
				Media: []channel.MediaFile{photo("Tugu kota", base+"/m/foto.jpg")}})
			if err != nil {
				t.Fatalf("a failed first comment gave %v, want the post published", err)
			}
			if !strings.HasPrefix(got.Incomplete, tc.want) {
				t.Errorf("incomplete %q, want %q", got.Incomplete, tc.want)
			}
			if posts := srv.Posts(); len(posts) != 1 || posts[0].ID != got.RemoteID || posts[0].ReplyTo != "" {
				t.Errorf("Instagram holds %+v, want the post alone, published as %s", posts, got.RemoteID)
			}
		})
	}
}

func messages(t *testing.T, err error) (en, id string) {
	t.Helper()
	var e *channel.Error
	if !errors.As(err, &e) {
		t.Fatalf("%v is not a *channel.Error", err)
	}
	b, berr := i18n.NewBundle(catalog.Common, channel.Catalog, instagram.Catalog)
	if berr != nil {
		t.Fatal(berr)
	}
	zone, _ := time.LoadLocation("Asia/Jakarta")
	return e.Message(b.Locale("en", zone), channel.Instagram), e.Message(b.Locale("id", zone), channel.Instagram)
}

func TestWithoutPublicURL(t *testing.T) {
	srv, conn, _ := setup(t)
	acct := connect(t, srv, conn)[0]
	_, err := conn.Publish(context.Background(), &acct, channel.Post{Text: "Foto", Media: []channel.MediaFile{photo("alt", "")}})
	if e := channel.AsError(err); e.Kind != channel.Rejected || e.Key != channel.KeyPublicURL {
		t.Fatalf("%v, want a refusal for the public URL", err)
	}
	en, id := messages(t, err)
	if !strings.Contains(en, "Instagram fetches images from a public address") || !strings.Contains(en, "--base-url") {
		t.Errorf("en: %s", en)
	}
	if !strings.Contains(id, "Instagram mengambil gambar dari alamat publik") || !strings.Contains(id, "--base-url") {
		t.Errorf("id: %s", id)
	}
	if len(srv.Posts()) != 0 {
		t.Error("a post without its media went out")
	}
}

func TestQuotaExhausted(t *testing.T) {
	srv, conn, base := setup(t)
	acct := connect(t, srv, conn)[0]
	srv.SetQuotaUsage(acct.RemoteID, 50)
	ctx := context.Background()
	prof, err := conn.Verify(ctx, &acct)
	if err != nil || prof.QuotaLeft != 0 {
		t.Errorf("verify: %+v, %v", prof, err)
	}
	before := time.Now()
	_, err = conn.Publish(ctx, &acct, channel.Post{Text: "Unggahan ke-51", Media: []channel.MediaFile{photo("alt", base+"/m/foto.jpg")}})
	e := channel.AsError(err)
	if e.Kind != channel.RateLimited || e.Key != channel.KeyQuota || e.RetryAt.Before(before.Add(23*time.Hour)) {
		t.Fatalf("%v (retry at %s), want the quota until tomorrow", err, e.RetryAt)
	}
	en, id := messages(t, err)
	if !strings.Contains(en, "number of posts Instagram allows in a day") || !strings.Contains(id, "batas jumlah unggahan harian Instagram") {
		t.Errorf("messages:\n%s\n%s", en, id)
	}
	if len(srv.Posts()) != 0 {
		t.Error("a post went out over the quota")
	}

	// With one post left in the window, it goes out.
	srv.SetQuotaUsage(acct.RemoteID, 49)
	if _, err := conn.Publish(ctx, &acct, channel.Post{Text: "Unggahan ke-50", Media: []channel.MediaFile{photo("alt", base+"/m/foto.jpg")}}); err != nil {
		t.Fatalf("the 50th post: %v", err)
	}
}

func TestMediaInstagramCannotTake(t *testing.T) {
	srv, conn, base := setup(t)
	acct := connect(t, srv, conn)[0]
	ctx := context.Background()
	cases := []struct {
		name, url, reason string
		fail              string
	}{
		{"container error", base + "/m/foto.jpg", "ERROR 2207001", "2207001"},
		{"url that does not load", base + "/m/hilang.jpg", "could not be fetched from this uri", ""},
		{"png", base + "/m/foto.png", "Supported formats are: JPEG", ""},
		{"aspect ratio", base + "/m/tinggi.jpg", "aspect ratio ('0.50')", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.fail != "" {
				srv.FailContainers(1, c.fail)
			}
			_, err := conn.Publish(ctx, &acct, channel.Post{Text: "Foto " + c.name, Media: []channel.MediaFile{photo("alt", c.url)}})
			e := channel.AsError(err)
			if e.Kind != channel.Rejected || e.Key != channel.KeyMediaFailed || !strings.Contains(e.Reason, c.reason) {
				t.Fatalf("%v, want media failed with %q", err, c.reason)
			}
			en, id := messages(t, err)
			if !strings.Contains(en, "could not process a media file") || !strings.Contains(id, "gagal memproses berkas media") {
				t.Errorf("messages:\n%s\n%s", en, id)
			}
		})
	}
	if len(srv.Posts()) != 0 {
		t.Error("a post with refused media went out")
	}
}

func TestCaptionLimits(t *testing.T) {
	srv, conn, base := setup(t)
	acct := connect(t, srv, conn)[0]
	text := "Lomba foto HUT kota"
	for i := range 31 {
		text += " #tag" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	_, err := conn.Publish(context.Background(), &acct, channel.Post{Text: text, Media: []channel.MediaFile{photo("alt", base+"/m/foto.jpg")}})
	if e := channel.AsError(err); e.Kind != channel.Rejected || !strings.Contains(e.Reason, "31 hashtags") {
		t.Errorf("31 hashtags: %v", err)
	}
	_, err = conn.Publish(context.Background(), &acct, channel.Post{Text: strings.Repeat("a", 2201), Media: []channel.MediaFile{photo("alt", base+"/m/foto.jpg")}})
	if e := channel.AsError(err); e.Kind != channel.Rejected || !strings.Contains(e.Reason, "2200") {
		t.Errorf("2,201 characters: %v", err)
	}
}

func TestMetrics(t *testing.T) {
	srv, conn, base := setup(t)
	acct := connect(t, srv, conn)[0]
	ctx := context.Background()
	got, err := conn.Publish(ctx, &acct, channel.Post{Text: "Car free day", FirstComment: "Sampai jumpa Minggu depan",
		Media: []channel.MediaFile{photo("Warga bersepeda", base+"/m/foto.jpg")}})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetCounts(got.RemoteID, metatest.Counts{Likes: 120, Replies: 4})
	m, err := conn.Metrics(ctx, &acct, []string{got.RemoteID})
	want := channel.Metrics{Likes: 120, Replies: 5, Reposts: -1, Views: -1}
	if err != nil || m[got.RemoteID] != want {
		t.Errorf("metrics %+v, %v; want %+v", m, err, want)
	}
}

func TestCatalogsMatch(t *testing.T) {
	b, err := i18n.NewBundle(instagram.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(b.Keys("en"), ",") != strings.Join(b.Keys("id"), ",") {
		t.Errorf("en and id keys differ")
	}
	conn := instagram.New(channel.Env{})
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
