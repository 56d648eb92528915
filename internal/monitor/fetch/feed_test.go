package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/platform/netsafe"
)

// newFetcher reads loopback test servers, with no pause between requests unless opts says.
func newFetcher(t *testing.T, opts fetch.Options) *fetch.Fetcher {
	t.Helper()
	if opts.Gap == 0 {
		opts.Gap = -1
	}
	return fetch.New(netsafe.New(netsafe.Options{AllowPrivate: true, Timeout: 5 * time.Second}), opts)
}

// serve answers every request with body as ctype.
func serve(t *testing.T, ctype, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func fetchOK(t *testing.T, f *fetch.Fetcher, req fetch.Request) *fetch.Result {
	t.Helper()
	res, err := f.Fetch(context.Background(), req)
	if err != nil {
		t.Fatalf("Fetch(%s %s): %v", req.Kind, req.URL, err)
	}
	return res
}

// fetchErr fetches and returns the *fetch.Error it must fail with.
func fetchErr(t *testing.T, f *fetch.Fetcher, req fetch.Request) *fetch.Error {
	t.Helper()
	res, err := f.Fetch(context.Background(), req)
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		t.Fatalf("Fetch(%s %s) = %+v, %v; want a *fetch.Error", req.Kind, req.URL, res, err)
	}
	return fe
}

const rssFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
  <title>Kabar Sukamaju &amp; Sekitarnya</title>
  <link>https://kabar.example/</link>
  <language>id-ID</language>
  <item>
    <title>Banjir rob surut, warga &quot;lega&quot;</title>
    <link>/2026/03/banjir-rob-surut</link>
    <guid isPermaLink="true">https://kabar.example/2026/03/banjir-rob-surut</guid>
    <dc:creator>Siti Rahmawati</dc:creator>
    <pubDate>Tue, 03 Mar 2026 08:00:00 +0700</pubDate>
    <description><![CDATA[<p>Air  mulai   surut di <b>Muara Baru</b>.</p><p>Warga kembali ke rumah &amp; membersihkan lumpur.</p>]]></description>
    <content:encoded><![CDATA[<p>Air mulai surut di Muara Baru sejak Senin malam.</p>
      <script>var iklan = "jangan tampil";</script>
      <figure><img src="/img/rob.jpg" alt=""><figcaption>Warga membersihkan lumpur.</figcaption></figure>
      <p>BPBD DKI mencatat 120&nbsp;rumah terdampak.</p>]]></content:encoded>
  </item>
  <item>
    <title>Puskesmas buka layanan malam</title>
    <link>https://kabar.example/2026/03/puskesmas-malam</link>
    <guid isPermaLink="false">kabar-4412</guid>
    <dc:creator>Budi Santoso</dc:creator>
    <pubDate>Wed, 04 Mar 2026 10:30:00 +0700</pubDate>
    <description>Layanan malam dibuka di tiga puskesmas.</description>
    <media:content url="https://cdn.kabar.example/puskesmas.jpg" medium="image" />
  </item>
  <item>
    <title>Tanpa tautan</title>
    <description>Butir tanpa link tidak bisa dibuka, jadi dibuang.</description>
  </item>
  <item>
    <title>Tanpa tanggal</title>
    <link>https://kabar.example/2026/03/tanpa-tanggal</link>
  </item>
</channel>
</rss>`

func TestRSS(t *testing.T) {
	srv := serve(t, "application/rss+xml", rssFeed)
	res := fetchOK(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL + "/feed/"})
	if res.Title != "Kabar Sukamaju & Sekitarnya" {
		t.Errorf("title %q", res.Title)
	}
	if len(res.Items) != 3 {
		t.Fatalf("%d items, want 3 (the one without a link dropped): %+v", len(res.Items), res.Items)
	}
	// Newest first, the undated one last.
	newest, rob, undated := res.Items[0], res.Items[1], res.Items[2]
	if newest.Title != "Puskesmas buka layanan malam" || undated.Title != "Tanpa tanggal" || !undated.Published.IsZero() {
		t.Errorf("order: %q, %q, %q", newest.Title, rob.Title, undated.Title)
	}
	if rob.URL != srv.URL+"/2026/03/banjir-rob-surut" {
		t.Errorf("relative link not resolved against the feed: %q", rob.URL)
	}
	if rob.Canonical != "https://kabar.example/2026/03/banjir-rob-surut" || newest.Canonical != "" {
		t.Errorf("canonical from a permalink guid only: %q, %q", rob.Canonical, newest.Canonical)
	}
	if rob.Title != `Banjir rob surut, warga "lega"` || rob.Author != "Siti Rahmawati" || rob.Lang != "id" {
		t.Errorf("title %q author %q lang %q", rob.Title, rob.Author, rob.Lang)
	}
	if want := time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC); !rob.Published.Equal(want) || rob.Published.Location() != time.UTC {
		t.Errorf("published %v, want %v in UTC", rob.Published, want)
	}
	if rob.Summary != "Air mulai surut di Muara Baru. Warga kembali ke rumah & membersihkan lumpur." {
		t.Errorf("summary %q", rob.Summary)
	}
	wantText := "Air mulai surut di Muara Baru sejak Senin malam.\n\nWarga membersihkan lumpur.\n\nBPBD DKI mencatat 120 rumah terdampak."
	if rob.Text != wantText {
		t.Errorf("text\n%q\nwant\n%q", rob.Text, wantText)
	}
	if rob.Image != srv.URL+"/img/rob.jpg" || newest.Image != "https://cdn.kabar.example/puskesmas.jpg" {
		t.Errorf("images %q, %q", rob.Image, newest.Image)
	}
	if newest.Text != "" || newest.Summary != "Layanan malam dibuka di tiga puskesmas." {
		t.Errorf("an item without content:encoded: text %q summary %q", newest.Text, newest.Summary)
	}
}

const atomFeed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title type="text">Ministry of Health — News</title>
  <id>tag:kemkes.example,2026:news</id>
  <updated>2026-03-05T09:00:00Z</updated>
  <entry>
    <title type="html">Dengue cases fall &lt;em&gt;sharply&lt;/em&gt; in March</title>
    <link rel="alternate" type="text/html" href="https://kemkes.example/en/news/dengue-march"/>
    <id>tag:kemkes.example,2026:news/981</id>
    <published>2026-03-05T08:00:00+07:00</published>
    <updated>2026-03-05T09:00:00Z</updated>
    <author><name>Press Office</name></author>
    <summary>Cases fell by a third.</summary>
    <content type="html">&lt;p&gt;Cases fell by a third compared with February.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Jakarta&lt;/li&gt;&lt;li&gt;Bandung&lt;/li&gt;&lt;/ul&gt;</content>
  </entry>
  <entry>
    <title>Vaccination week</title>
    <link href="https://kemkes.example/en/news/vaccination-week"/>
    <id>https://kemkes.example/en/news/vaccination-week</id>
    <updated>2026-03-01T00:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Free vaccines at every puskesmas.</p></div></content>
  </entry>
</feed>`

func TestAtom(t *testing.T) {
	srv := serve(t, "application/atom+xml; charset=utf-8", atomFeed)
	res := fetchOK(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	if res.Title != "Ministry of Health — News" || len(res.Items) != 2 {
		t.Fatalf("title %q, %d items", res.Title, len(res.Items))
	}
	d, v := res.Items[0], res.Items[1]
	if d.Title != "Dengue cases fall sharply in March" || d.URL != "https://kemkes.example/en/news/dengue-march" || d.Author != "Press Office" {
		t.Errorf("first entry: %+v", d)
	}
	if d.Canonical != "" || v.Canonical != "https://kemkes.example/en/news/vaccination-week" {
		t.Errorf("canonical from a tag: id %q, from a URL id %q", d.Canonical, v.Canonical)
	}
	if d.Summary != "Cases fell by a third." || d.Text != "Cases fell by a third compared with February.\n\nJakarta\n\nBandung" {
		t.Errorf("summary %q text %q", d.Summary, d.Text)
	}
	if !d.Published.Equal(time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)) || !v.Published.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("dates %v, %v (the second only has updated)", d.Published, v.Published)
	}
	if v.Text != "Free vaccines at every puskesmas." || v.Summary != "Free vaccines at every puskesmas." {
		t.Errorf("an entry with content only: text %q summary %q", v.Text, v.Summary)
	}
	if d.Lang != "en" {
		t.Errorf("lang %q", d.Lang)
	}
}

const jsonFeed = `{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Humas Pemkab Sukamaju",
  "home_page_url": "https://sukamaju.example/",
  "language": "id",
  "items": [
    {"id": "1", "url": "https://sukamaju.example/siaran/1", "title": "Jembatan Cisadane dibuka",
     "content_html": "<p>Jembatan dibuka untuk umum.</p>", "summary": "Jembatan dibuka.",
     "date_published": "2026-03-02T07:00:00+07:00", "authors": [{"name": "Humas"}], "image": "/img/jembatan.jpg"},
    {"id": "2", "url": "siaran/2", "title": "Pasar murah", "content_text": "Pasar murah di alun-alun.",
     "date_published": "2026-03-04T07:00:00+07:00"}
  ]
}`

func TestJSONFeed(t *testing.T) {
	srv := serve(t, "application/feed+json", jsonFeed)
	res := fetchOK(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL + "/feed.json"})
	if res.Title != "Humas Pemkab Sukamaju" || len(res.Items) != 2 {
		t.Fatalf("title %q, items %+v", res.Title, res.Items)
	}
	pasar, jembatan := res.Items[0], res.Items[1]
	if pasar.URL != srv.URL+"/siaran/2" || pasar.Text != "Pasar murah di alun-alun." || pasar.Lang != "id" {
		t.Errorf("pasar: %+v", pasar)
	}
	if jembatan.Author != "Humas" || jembatan.Summary != "Jembatan dibuka." || jembatan.Text != "Jembatan dibuka untuk umum." ||
		jembatan.Image != srv.URL+"/img/jembatan.jpg" {
		t.Errorf("jembatan: %+v", jembatan)
	}
}

// A feed with more items than MaxItems keeps the newest, whatever order the feed lists them in.
func TestMaxItemsKeepsNewest(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>t</title>`)
	for _, day := range []int{3, 9, 1, 7, 5, 8, 2} {
		fmt.Fprintf(&b, `<item><title>day %d</title><link>https://x.example/%d</link><pubDate>%s</pubDate></item>`,
			day, day, time.Date(2026, 3, day, 0, 0, 0, 0, time.UTC).Format(time.RFC1123Z))
	}
	b.WriteString(`</channel></rss>`)
	srv := serve(t, "text/xml", b.String())
	res := fetchOK(t, newFetcher(t, fetch.Options{MaxItems: 3}), fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	var got []string
	for _, it := range res.Items {
		got = append(got, it.Title)
	}
	if strings.Join(got, ",") != "day 9,day 8,day 7" {
		t.Errorf("kept %v", got)
	}
}

// Long descriptions from a feed without content go whole into Text and shortened into Summary.
func TestLongDescriptionBecomesText(t *testing.T) {
	long := strings.Repeat("Kalimat panjang tentang anggaran daerah. ", 200)
	srv := serve(t, "application/rss+xml", `<rss version="2.0"><channel><title>t</title><item><title>a</title>
		<link>https://x.example/a</link><description>`+long+`</description></item></channel></rss>`)
	res := fetchOK(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	it := res.Items[0]
	if it.Text != strings.TrimSpace(long) {
		t.Errorf("text has %d bytes, want the whole description (%d)", len(it.Text), len(strings.TrimSpace(long)))
	}
	if len(it.Summary) > fetch.MaxSummary || !strings.HasSuffix(it.Summary, "…") || !strings.HasPrefix(it.Summary, "Kalimat panjang") {
		t.Errorf("summary of %d bytes: …%q", len(it.Summary), it.Summary[max(0, len(it.Summary)-40):])
	}
}
