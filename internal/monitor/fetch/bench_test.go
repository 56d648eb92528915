package fetch_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/platform/netsafe"
)

// benchFeed is an RSS feed of n stories the size of a regional news site's: a short HTML
// description and a few paragraphs of content:encoded each.
func benchFeed(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Warta Kota Sukamaju</title><link>https://wkota.example/</link><language>id</language>`)
	para := "<p>Pemerintah Kabupaten Sukamaju meresmikan jembatan baru yang menghubungkan dua kecamatan, " +
		"memangkas waktu tempuh warga dari empat puluh lima menit menjadi sepuluh menit &amp; membuka akses pasar.</p>"
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, `
<item>
  <title>Berita nomor %d: jembatan &quot;Cisadane&quot; dibuka</title>
  <link>https://wkota.example/berita/%d</link>
  <guid isPermaLink="true">https://wkota.example/berita/%d</guid>
  <dc:creator>Dewi Lestari</dc:creator>
  <pubDate>%s</pubDate>
  <description><![CDATA[<p>Ringkasan berita %d tentang <b>jembatan</b> dan warga.</p>]]></description>
  <content:encoded><![CDATA[<figure><img src="/foto/%d.jpg"></figure>%s%s%s%s]]></content:encoded>
</item>`, i, i, i, start.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z), i, i, para, para, para, para)
	}
	b.WriteString("\n</channel></rss>")
	return b.String()
}

// One fetch of a 50-item feed from a loopback server: request, body, parsing, text.
func BenchmarkFetchFeed(b *testing.B) {
	body := benchFeed(50)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	f := fetch.New(netsafe.New(netsafe.Options{AllowPrivate: true}), fetch.Options{Gap: -1})
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := f.Fetch(ctx, fetch.Request{Kind: fetch.Feed, URL: srv.URL})
		if err != nil || len(res.Items) != 50 {
			b.Fatalf("%d items, %v", len(res.Items), err)
		}
	}
}
