package fetch_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/monitor/fetch"
)

const articlePage = `<!DOCTYPE html>
<html lang="id-ID">
<head>
  <meta charset="utf-8">
  <title>Pemkab Sukamaju Resmikan Jembatan Cisadane | Warta Kota</title>
  <link rel="canonical" href="https://wkota.example/berita/2026/03/jembatan-cisadane">
  <link rel="alternate" type="application/rss+xml" title="Warta Kota — Semua berita" href="/feed/">
  <link rel="alternate" type="application/atom+xml" title="Warta Kota — Daerah" href="https://wkota.example/daerah/atom.xml">
  <link rel="alternate" hreflang="en" href="/en/">
  <meta property="og:title" content="Pemkab Sukamaju Resmikan Jembatan Cisadane">
  <meta property="og:image" content="https://wkota.example/foto/jembatan.jpg">
  <meta property="article:published_time" content="2026-03-02T09:15:00+07:00">
  <meta name="author" content="Dewi Lestari">
  <style>.iklan{display:block}</style>
  <script>window.dataLayer = [];</script>
</head>
<body>
  <header class="site-header">
    <nav class="main-nav" role="navigation">
      <ul><li><a href="/">Beranda</a></li><li><a href="/daerah">Daerah</a></li><li><a href="/olahraga">Olahraga</a></li>
      <li><a href="/kontak">Kontak Redaksi</a></li></ul>
    </nav>
  </header>
  <div class="ad-banner iklan" id="ad-top"><a href="https://iklan.example/promo">Promo kredit rumah bunga 0%! Klik di sini</a></div>
  <main>
    <article class="post">
      <h1>Pemkab Sukamaju Resmikan Jembatan Cisadane</h1>
      <p class="byline">Oleh Dewi Lestari</p>
      <div class="entry-content">
        <p>Pemerintah Kabupaten Sukamaju meresmikan Jembatan Cisadane pada Senin pagi, setelah pembangunan
        yang berlangsung selama delapan belas bulan. Jembatan sepanjang 240 meter itu menghubungkan
        Kecamatan Sukamaju Utara dengan pusat kota dan dapat dilalui kendaraan roda empat.</p>
        <p>Bupati Sukamaju mengatakan jembatan tersebut akan memangkas waktu tempuh warga dari empat puluh
        lima menit menjadi sepuluh menit. "Anak-anak tidak perlu lagi berangkat sekolah sebelum subuh,"
        ujarnya di hadapan ratusan warga yang hadir dalam peresmian.</p>
        <p>Dinas Pekerjaan Umum mencatat biaya pembangunan mencapai Rp 86 miliar, bersumber dari anggaran
        daerah dan bantuan provinsi. Pemeriksaan kelayakan oleh tim independen telah selesai pekan lalu,
        dan jembatan dinyatakan aman untuk beban hingga dua puluh ton.</p>
        <div class="sharing"><a href="#">Bagikan ke WhatsApp</a> <a href="#">Bagikan ke Facebook</a></div>
      </div>
    </article>
    <aside class="sidebar related">
      <h3>Berita Terpopuler</h3>
      <ul><li><a href="/a">Harga cabai naik lagi</a></li><li><a href="/b">Jadwal pemadaman listrik</a></li></ul>
      <div class="advertisement">Iklan: Diskon besar toko elektronik</div>
    </aside>
  </main>
  <footer class="site-footer"><p>© 2026 Warta Kota. Hak cipta dilindungi.</p></footer>
</body>
</html>`

func TestPageArticle(t *testing.T) {
	srv := serve(t, "text/html; charset=utf-8", articlePage)
	res := fetchOK(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Page, URL: srv.URL + "/berita/jembatan"})
	if len(res.Items) != 1 {
		t.Fatalf("%d items, want one", len(res.Items))
	}
	it := res.Items[0]
	for _, want := range []string{"meresmikan Jembatan Cisadane pada Senin pagi", "memangkas waktu tempuh", "Rp 86 miliar"} {
		if !strings.Contains(it.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, it.Text)
		}
	}
	for _, nav := range []string{"Beranda", "Kontak Redaksi", "Promo kredit", "Harga cabai", "Diskon besar", "Hak cipta", "dataLayer"} {
		if strings.Contains(it.Text, nav) {
			t.Errorf("text has the page's clutter %q:\n%s", nav, it.Text)
		}
	}
	if strings.Count(it.Text, "\n\n") < 2 {
		t.Errorf("paragraphs not kept apart:\n%s", it.Text)
	}
	if it.URL != srv.URL+"/berita/jembatan" || it.Canonical != "https://wkota.example/berita/2026/03/jembatan-cisadane" {
		t.Errorf("url %q canonical %q", it.URL, it.Canonical)
	}
	if it.Title != "Pemkab Sukamaju Resmikan Jembatan Cisadane" || res.Title != it.Title {
		t.Errorf("title %q, result title %q", it.Title, res.Title)
	}
	if it.Lang != "id" || it.Image != "https://wkota.example/foto/jembatan.jpg" || it.Author != "Dewi Lestari" {
		t.Errorf("lang %q image %q author %q", it.Lang, it.Image, it.Author)
	}
	if !it.Published.Equal(time.Date(2026, 3, 2, 2, 15, 0, 0, time.UTC)) {
		t.Errorf("published %v", it.Published)
	}
}

// A page not declared UTF-8 is decoded from its <meta charset>.
func TestPageCharset(t *testing.T) {
	body := "<html><head><meta charset=\"windows-1252\"><title>Caf\xe9</title></head><body><article><p>" +
		strings.Repeat("Le caf\xe9 \x93Sukamaju\x94 ouvre ses portes aujourd'hui au centre-ville. ", 12) + "</p></article></body></html>"
	srv := serve(t, "text/html", body)
	res := fetchOK(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Page, URL: srv.URL})
	if it := res.Items[0]; !strings.Contains(it.Text, "Le café “Sukamaju” ouvre") {
		t.Errorf("text %q", it.Text[:min(80, len(it.Text))])
	}
}

func TestDiscover(t *testing.T) {
	page := serve(t, "text/html", articlePage)
	found, err := newFetcher(t, fetch.Options{}).Discover(context.Background(), page.URL+"/berita/jembatan")
	if err != nil {
		t.Fatal(err)
	}
	want := []fetch.Found{
		{URL: page.URL + "/feed/", Title: "Warta Kota — Semua berita", Kind: fetch.Feed},
		{URL: "https://wkota.example/daerah/atom.xml", Title: "Warta Kota — Daerah", Kind: fetch.Feed},
	}
	if len(found) != len(want) || found[0] != want[0] || found[1] != want[1] {
		t.Errorf("found %+v\nwant %+v", found, want)
	}

	feed := serve(t, "application/rss+xml", rssFeed)
	found, err = newFetcher(t, fetch.Options{}).Discover(context.Background(), feed.URL)
	if err != nil || len(found) != 1 || found[0] != (fetch.Found{URL: feed.URL, Title: "Kabar Sukamaju & Sekitarnya", Kind: fetch.Feed}) {
		t.Errorf("a feed's own address: %+v, %v", found, err)
	}

	sm := serve(t, "application/xml", newsSitemap([2]string{"https://x.example/a", "2026-03-01"}))
	found, err = newFetcher(t, fetch.Options{}).Discover(context.Background(), sm.URL)
	if err != nil || len(found) != 1 || found[0].Kind != fetch.Sitemap || found[0].URL != sm.URL {
		t.Errorf("a sitemap's own address: %+v, %v", found, err)
	}

	bare := serve(t, "text/html", "<html><head><title>Tanpa feed</title></head><body><p>Halo</p></body></html>")
	found, err = newFetcher(t, fetch.Options{}).Discover(context.Background(), bare.URL)
	if err != nil || len(found) != 0 {
		t.Errorf("a page without feeds: %+v, %v", found, err)
	}
}
