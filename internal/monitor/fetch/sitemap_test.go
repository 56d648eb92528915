package fetch_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"warta.dev/warta/internal/monitor/fetch"
)

func newsSitemap(stories ...[2]string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">`)
	for _, s := range stories {
		fmt.Fprintf(&b, `
  <url>
    <loc>%s</loc>
    <news:news>
      <news:publication><news:name>Warta Kota Sukamaju</news:name><news:language>id</news:language></news:publication>
      <news:publication_date>%s</news:publication_date>
      <news:title>%s</news:title>
    </news:news>
    <image:image><image:loc>%s.jpg</image:loc></image:image>
  </url>`, s[0], s[1], "Berita "+s[1][:10]+" &amp; foto", s[0])
	}
	b.WriteString("\n</urlset>")
	return b.String()
}

func TestNewsSitemap(t *testing.T) {
	srv := serve(t, "application/xml", newsSitemap(
		[2]string{"https://wkota.example/a", "2026-03-01T08:00:00+07:00"},
		[2]string{"/b", "2026-03-02"},
	))
	res := fetchOK(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Sitemap, URL: srv.URL + "/news-sitemap.xml"})
	if res.Title != "Warta Kota Sukamaju" || len(res.Items) != 2 {
		t.Fatalf("title %q, items %+v", res.Title, res.Items)
	}
	b, a := res.Items[0], res.Items[1]
	if b.URL != srv.URL+"/b" || b.Title != "Berita 2026-03-02 & foto" || b.Lang != "id" || b.Image != srv.URL+"/b.jpg" ||
		!b.Published.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("b: %+v", b)
	}
	if a.URL != "https://wkota.example/a" || !a.Published.Equal(time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("a: %+v", a)
	}
}

func TestPlainSitemap(t *testing.T) {
	srv := serve(t, "text/xml", `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
		<url><loc>https://x.example/old</loc><lastmod>2025-12-31</lastmod></url>
		<url><loc>https://x.example/new</loc><lastmod>2026-02-01T10:00Z</lastmod></url>
		<url><lastmod>2026-02-02</lastmod></url>
	</urlset>`)
	res := fetchOK(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Sitemap, URL: srv.URL})
	if len(res.Items) != 2 || res.Items[0].URL != "https://x.example/new" || res.Items[0].Title != "" ||
		!res.Items[0].Published.Equal(time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("items %+v", res.Items)
	}
}

// An index is followed to its most recently changed children only, and their stories merge.
func TestSitemapIndex(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>%[1]s/news-1.xml</loc><lastmod>2026-03-01</lastmod></sitemap>
  <sitemap><loc>%[1]s/news-2.xml</loc><lastmod>2026-03-02</lastmod></sitemap>
  <sitemap><loc>%[1]s/news-3.xml</loc><lastmod>2026-03-03</lastmod></sitemap>
  <sitemap><loc>/news-4.xml</loc><lastmod>2026-03-04T00:00:00Z</lastmod></sitemap>
  <sitemap><loc>%[1]s/news-0.xml</loc><lastmod>2026-02-01</lastmod></sitemap>
</sitemapindex>`, srv.URL)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		n := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/news-"), ".xml")
		fmt.Fprint(w, newsSitemap(
			[2]string{srv.URL + "/story-" + n + "a", "2026-03-0" + n + "T06:00:00Z"},
			[2]string{srv.URL + "/story-" + n + "b", "2026-03-0" + n + "T07:00:00Z"},
		))
	})
	res := fetchOK(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Sitemap, URL: srv.URL + "/sitemap.xml"})
	slices.Sort(asked)
	if strings.Join(asked, " ") != "/news-2.xml /news-3.xml /news-4.xml" {
		t.Errorf("children read: %v, want the three newest", asked)
	}
	var urls []string
	for _, it := range res.Items {
		urls = append(urls, strings.TrimPrefix(it.URL, srv.URL))
	}
	if strings.Join(urls, " ") != "/story-4b /story-4a /story-3b /story-3a /story-2b /story-2a" {
		t.Errorf("items %v", urls)
	}
	if res.Title != "Warta Kota Sukamaju" {
		t.Errorf("title %q", res.Title)
	}
}
