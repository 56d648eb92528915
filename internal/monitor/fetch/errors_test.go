package fetch_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/platform/netsafe"
)

func TestHTMLPageIsNotAFeed(t *testing.T) {
	srv := serve(t, "text/html; charset=utf-8", articlePage)
	fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL + "/berita/jembatan"})
	if fe.Key != fetch.ErrNotAFeed || fe.Args["Page"] != true || fe.Args["Feed"] != srv.URL+"/feed/" || fe.Temporary {
		t.Errorf("got %s %v temporary %v", fe.Key, fe.Args, fe.Temporary)
	}
	// Without a feed link there is nothing to suggest.
	bare := serve(t, "text/html", "<html><body><p>Selamat datang</p></body></html>")
	if fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: bare.URL}); fe.Key != fetch.ErrNotAFeed || fe.Args["Feed"] != "" {
		t.Errorf("got %s %v", fe.Key, fe.Args)
	}
	// Nor is JSON that is not a JSON Feed.
	api := serve(t, "application/json", `{"status": "ok", "data": [1, 2, 3]}`)
	if fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: api.URL}); fe.Key != fetch.ErrNotAFeed || fe.Args["Page"] != false {
		t.Errorf("got %s %v", fe.Key, fe.Args)
	}
}

func TestSitemapAndFeedMixedUp(t *testing.T) {
	sm := serve(t, "application/xml", newsSitemap([2]string{"https://x.example/a", "2026-03-01"}))
	if fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: sm.URL}); fe.Key != fetch.ErrIsSitemap {
		t.Errorf("a sitemap as a feed: %s", fe.Key)
	}
	feed := serve(t, "application/rss+xml", rssFeed)
	if fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Sitemap, URL: feed.URL}); fe.Key != fetch.ErrNotASitemap || fe.Args["IsFeed"] != true {
		t.Errorf("a feed as a sitemap: %s %v", fe.Key, fe.Args)
	}
	page := serve(t, "text/html", articlePage)
	if fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Sitemap, URL: page.URL}); fe.Key != fetch.ErrNotASitemap || fe.Args["IsFeed"] != false {
		t.Errorf("a page as a sitemap: %s %v", fe.Key, fe.Args)
	}
	pdf := serve(t, "application/pdf", "%PDF-1.7 ...")
	if fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Page, URL: pdf.URL}); fe.Key != fetch.ErrNotHTML || fe.Args["Type"] != "application/pdf" {
		t.Errorf("a PDF as a page: %s %v", fe.Key, fe.Args)
	}
}

func TestBrokenXMLSaysWhere(t *testing.T) {
	// Cut off in the middle, as a feed is when its server dies while writing it.
	broken := "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n<channel>\n<title>t</title>\n<item><title>Banjir rob <b"
	srv := serve(t, "application/rss+xml", broken)
	fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	if fe.Key != fetch.ErrBrokenXML || fe.Args["Line"] != 5 || fe.Temporary {
		t.Errorf("got %s %v (%s)", fe.Key, fe.Args, fe.Detail)
	}
	sm := serve(t, "application/xml", "<urlset>\n<url><loc>https://x.example/</loc")
	if fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Sitemap, URL: sm.URL}); fe.Key != fetch.ErrBrokenXML || fe.Args["Line"] != 2 {
		t.Errorf("sitemap: got %s %v (%s)", fe.Key, fe.Args, fe.Detail)
	}
	js := serve(t, "application/feed+json", `{"version": "https://jsonfeed.org/version/1.1", "items": [`)
	if fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: js.URL}); fe.Key != fetch.ErrBrokenJSON {
		t.Errorf("json: got %s (%s)", fe.Key, fe.Detail)
	}
}

// Feeds in another encoding come out as the same words in UTF-8.
func TestEncodings(t *testing.T) {
	const want = "Café “Sukamaju” — buka 24 jam"
	item := func(title string) string {
		return "<rss version=\"2.0\"><channel><title>t</title><item><title>" + title + "</title><link>https://x.example/a</link></item></channel></rss>"
	}
	cp1252 := "Caf\xe9 \x93Sukamaju\x94 \x97 buka 24 jam"
	cases := []struct {
		name, ctype, body, want string
	}{
		{"declared windows-1252", "text/xml", `<?xml version="1.0" encoding="windows-1252"?>` + item(cp1252), want},
		{"declared ISO-8859-1, really windows-1252", "application/rss+xml", `<?xml version="1.0" encoding="ISO-8859-1"?>` + item(cp1252), want},
		{"charset in the header only", "application/rss+xml; charset=windows-1252", item(cp1252), want},
		{"undeclared windows-1252", "application/rss+xml", item(cp1252), want},
		{"UTF-8 header over a windows-1252 feed", "application/rss+xml; charset=utf-8", item(cp1252), want},
		{"UTF-8 with a byte order mark", "text/xml", "\xef\xbb\xbf" + item(want), want},
		{"UTF-8 with one bad byte", "application/rss+xml", item("Café \xff “Sukamaju”"), "Café \uFFFD “Sukamaju”"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := serve(t, c.ctype, c.body)
			res := fetchOK(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL})
			if len(res.Items) != 1 || res.Items[0].Title != c.want {
				t.Errorf("items %+v, want title %q", res.Items, c.want)
			}
		})
	}
	srv := serve(t, "text/xml", `<?xml version="1.0" encoding="x-klingon"?>`+item("a"))
	if fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL}); fe.Key != fetch.ErrCharset || fe.Args["Charset"] != "x-klingon" {
		t.Errorf("unknown charset: %s %v", fe.Key, fe.Args)
	}
}

func TestHTTPStatuses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscanf(r.URL.Path, "/%d", &code)
		if code == http.StatusTooManyRequests && r.URL.Query().Has("wait") {
			w.Header().Set("Retry-After", "90")
		}
		http.Error(w, "no", code)
	}))
	defer srv.Close()
	f := newFetcher(t, fetch.Options{})
	cases := []struct {
		path      string
		key       string
		temporary bool
		args      map[string]any
	}{
		{"/404", fetch.ErrNotFound, false, map[string]any{}},
		{"/410", fetch.ErrGone, false, map[string]any{}},
		{"/401", fetch.ErrRefused, false, map[string]any{"Status": 401}},
		{"/403", fetch.ErrRefused, false, map[string]any{"Status": 403}},
		{"/429?wait", fetch.ErrTooManyRequests, true, map[string]any{"Minutes": 2}},
		{"/429", fetch.ErrTooManyRequests, true, map[string]any{"Minutes": 0}},
		{"/500", fetch.ErrServer, true, map[string]any{"Status": 500}},
		{"/503", fetch.ErrServer, true, map[string]any{"Status": 503}},
		{"/418", fetch.ErrStatus, false, map[string]any{"Status": 418}},
	}
	for _, c := range cases {
		fe := fetchErr(t, f, fetch.Request{Kind: fetch.Feed, URL: srv.URL + c.path})
		if fe.Key != c.key || fe.Temporary != c.temporary || fmt.Sprint(fe.Args) != fmt.Sprint(c.args) {
			t.Errorf("%s: got %s temporary %v args %v", c.path, fe.Key, fe.Temporary, fe.Args)
		}
	}
	if fe := fetchErr(t, f, fetch.Request{Kind: fetch.Feed, URL: srv.URL + "/429?wait"}); fe.RetryAfter != 90*time.Second {
		t.Errorf("retry after %v", fe.RetryAfter)
	}
}

// endless writes a feed that never ends, a little at a time, until the client leaves.
func endless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title>`)
	for {
		if _, err := fmt.Fprint(w, `<item><title>lagi</title><link>https://x.example/</link></item>`); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Millisecond):
		}
	}
}

func TestEndlessBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(endless))
	defer srv.Close()

	small := fetch.New(netsafe.New(netsafe.Options{AllowPrivate: true, MaxBytes: 4 << 10}), fetch.Options{Gap: -1})
	fe := fetchErr(t, small, fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	if fe.Key != fetch.ErrTooLarge || fe.Temporary || !errors.Is(fe, netsafe.ErrTooLarge) {
		t.Errorf("size limit: %s temporary %v (%s)", fe.Key, fe.Temporary, fe.Detail)
	}

	slow := fetch.New(netsafe.New(netsafe.Options{AllowPrivate: true, Timeout: 150 * time.Millisecond}), fetch.Options{Gap: -1})
	fe = fetchErr(t, slow, fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	if fe.Key != fetch.ErrTimeout || !fe.Temporary {
		t.Errorf("time limit: %s temporary %v (%s)", fe.Key, fe.Temporary, fe.Detail)
	}
}

// A server that never answers at all is a timeout too.
func TestNoAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	f := fetch.New(netsafe.New(netsafe.Options{AllowPrivate: true, Timeout: 100 * time.Millisecond}), fetch.Options{Gap: -1})
	if fe := fetchErr(t, f, fetch.Request{Kind: fetch.Feed, URL: srv.URL}); fe.Key != fetch.ErrTimeout || !fe.Temporary {
		t.Errorf("got %s temporary %v (%s)", fe.Key, fe.Temporary, fe.Detail)
	}
}

func TestPrivateAddressBlocked(t *testing.T) {
	srv := serve(t, "application/rss+xml", rssFeed)
	f := fetch.New(netsafe.New(netsafe.Options{}), fetch.Options{Gap: -1})
	fe := fetchErr(t, f, fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	if fe.Key != fetch.ErrBlocked || fe.Temporary || !errors.Is(fe, netsafe.ErrBlocked) {
		t.Errorf("got %s temporary %v (%s)", fe.Key, fe.Temporary, fe.Detail)
	}
	// So is a public-looking page that redirects inside.
	redirect := httptest.NewServer(http.RedirectHandler(srv.URL, http.StatusFound))
	defer redirect.Close()
	if fe := fetchErr(t, f, fetch.Request{Kind: fetch.Page, URL: redirect.URL}); fe.Key != fetch.ErrBlocked {
		t.Errorf("redirect: got %s", fe.Key)
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: "http://" + addr + "/feed"})
	if fe.Key != fetch.ErrConnection || !fe.Temporary || fe.Args["Host"] != "127.0.0.1" {
		t.Errorf("got %s temporary %v args %v (%s)", fe.Key, fe.Temporary, fe.Args, fe.Detail)
	}
}

func TestRedirectLoopAndBadURLs(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path+"x", http.StatusFound)
	}))
	defer srv.Close()
	f := newFetcher(t, fetch.Options{})
	if fe := fetchErr(t, f, fetch.Request{Kind: fetch.Feed, URL: srv.URL + "/"}); fe.Key != fetch.ErrRedirects {
		t.Errorf("redirect loop: %s (%s)", fe.Key, fe.Detail)
	}
	toFile := httptest.NewServer(http.RedirectHandler("file:///etc/passwd", http.StatusFound))
	defer toFile.Close()
	if fe := fetchErr(t, f, fetch.Request{Kind: fetch.Feed, URL: toFile.URL}); fe.Key != fetch.ErrScheme {
		t.Errorf("redirect to a file: %s (%s)", fe.Key, fe.Detail)
	}
	for _, u := range []string{"", "kabar.example/feed", "ftp://kabar.example/feed", "http://"} {
		if fe := fetchErr(t, f, fetch.Request{Kind: fetch.Feed, URL: u}); fe.Key != fetch.ErrBadURL || fe.Args["URL"] != u {
			t.Errorf("%q: %s %v", u, fe.Key, fe.Args)
		}
	}
	if fe := fetchErr(t, f, fetch.Request{Kind: "telegram", URL: srv.URL}); fe.Key != fetch.ErrUnknownKind {
		t.Errorf("unknown kind: %s", fe.Key)
	}
}

func TestErrorMessageForTheLog(t *testing.T) {
	srv := serve(t, "text/html", "<html><body>x</body></html>")
	fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL + "/x"})
	if !strings.Contains(fe.Error(), fetch.ErrNotAFeed) || !strings.Contains(fe.Error(), srv.URL+"/x") {
		t.Errorf("Error() = %q", fe.Error())
	}
}

func TestInvalidCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, rssFeed) }))
	defer srv.Close()
	fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	if fe.Key != fetch.ErrTLS || fe.Temporary || fe.Args["Host"] != "127.0.0.1" {
		t.Errorf("got %s temporary %v args %v (%s)", fe.Key, fe.Temporary, fe.Args, fe.Detail)
	}
}
