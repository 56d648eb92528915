package review

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"warta.dev/warta/internal/crisis/review/pdftext"
)

var people = []string{"Rina Wijayanti", "Budi Santoso", "Dewi Lestari", "Ahmad Fauzi"}

// timeline is what the lead's report puts in its log section: time, who, what.
func timeline(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		what := fmt.Sprintf("Pembaruan ke-%d — tanggapan media · status pengungsian di posko Sukamaju …", i)
		switch {
		case i == 0:
			what = "Pernyataan awal diterbitkan ke Mastodon dan newsroom"
		case i%7 == 3:
			what += " Wartawan Kompas dan Tempo meminta wawancara dengan kepala dinas; juru bicara menjadwalkan konferensi pers pukul 14.00 WIB di balai kota."
		}
		rows[i] = []string{fmt.Sprintf("25 Nov %02d.%02d", 8+i/12, (i%12)*5), people[i%len(people)], what}
	}
	return rows
}

func sampleDocument(rows int) Document {
	days := []string{"22 Nov", "23 Nov", "24 Nov", "25 Nov", "26 Nov", "27 Nov", "28 Nov", "29 Nov", "30 Nov", "1 Des"}
	return Document{
		Title:    "Evaluasi pascakrisis: Banjir Sukamaju",
		Subtitle: "Humas Pemkab Sukamaju · 25–28 Nov 2026",
		Banner:   "SIMULASI — bukan krisis sungguhan",
		Footer:   "Dibuat oleh Warta · 28 Nov 2026 10.00 WIB",
		Figures: []Figure{
			{Label: "Waktu sampai pernyataan pertama", Value: "42 menit"},
			{Label: "Pesan terkirim", Value: "1.284"},
			{Label: "Liputan media", Value: "37 artikel"},
			{Label: "Sentimen negatif, puncak", Value: "61%"},
		},
		Charts: []Chart{{
			Title:  "Sebutan per hari",
			Labels: days,
			Series: []Series{
				{Name: "Sebutan", Values: []float64{12, 15, 11, 140, 210, 96, 40, 22, 18, 14}},
				{Name: "Negatif", Values: []float64{2, 3, 2, 80, 120, 41, 12, 5, 4, 3}},
			},
			Bands: []Band{{From: 0, To: 2, Label: "Sebelum"}, {From: 3, To: 5, Label: "Saat krisis"}, {From: 6, To: 9, Label: "Sesudah"}},
			Empty: "Belum ada sebutan yang terpantau.",
		}},
		Sections: []Section{
			{
				Title:   "Kronologi",
				Intro:   "Semua langkah tim selama krisis, sesuai catatan log.",
				Columns: []string{"Waktu", "Oleh", "Peristiwa"},
				Rows:    timeline(rows),
				Empty:   "Log krisis kosong.",
			},
			{
				Title: "Pelajaran",
				Rows:  [][]string{{"Draf pernyataan siap pakai mempercepat tanggapan pertama."}, {"Daftar kontak wartawan daerah perlu diperbarui."}},
				Empty: "Belum ada pelajaran yang dicatat.",
			},
		},
	}
}

func render(t testing.TB, d Document) (all string, pages []string) {
	t.Helper()
	out, err := PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	pages, err = pdftext.Pages(out)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pages {
		pages[i] = flat(pages[i])
	}
	return strings.Join(pages, " "), pages
}

// flat joins wrapped lines back into running text, as a reader reads them.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestPDFPrintsEveryTimelineRowInOrderAcrossPages(t *testing.T) {
	t.Parallel()
	d := sampleDocument(60)
	all, pages := render(t, d)
	if len(pages) < 3 {
		t.Fatalf("a 60-row timeline should span pages, got %d page(s)", len(pages))
	}

	at := 0
	for i, row := range d.Sections[0].Rows {
		want := flat(strings.Join(row, " "))
		j := strings.Index(all[at:], want)
		if j < 0 {
			t.Fatalf("row %d %q not found after the previous row", i, want)
		}
		at += j + len(want)
	}
	for _, s := range []string{"Pernyataan awal diterbitkan ke Mastodon dan newsroom", "Rina Wijayanti", "·", "—", "…", "Humas Pemkab Sukamaju · 25–28 Nov 2026"} {
		if !strings.Contains(all, s) {
			t.Errorf("PDF text lacks %q", s)
		}
	}

	// The header row comes back above the rows on every page the table continues on.
	header := "Waktu Oleh Peristiwa"
	for p, text := range pages {
		first := -1
		for _, row := range d.Sections[0].Rows {
			if k := strings.Index(text, flat(strings.Join(row, " "))); k >= 0 && (first < 0 || k < first) {
				first = k
			}
		}
		if first < 0 {
			continue
		}
		if h := strings.Index(text, header); h < 0 || h > first {
			t.Errorf("page %d shows timeline rows without the table header above them", p+1)
		}
	}
}

func TestPDFBannerAndFooterOnEveryPage(t *testing.T) {
	t.Parallel()
	d := sampleDocument(60)
	all, pages := render(t, d)
	if n := strings.Count(all, d.Banner); n != len(pages) {
		t.Errorf("banner printed %d times on %d pages", n, len(pages))
	}
	for p, text := range pages {
		if !strings.Contains(text, d.Banner) {
			t.Errorf("page %d lacks the banner", p+1)
		}
		if num := fmt.Sprintf("%s %d / %d", d.Footer, p+1, len(pages)); !strings.Contains(text, num) {
			t.Errorf("page %d lacks footer %q", p+1, num)
		}
	}

	d.Banner = ""
	if all, _ := render(t, d); strings.Contains(all, "SIMULASI") {
		t.Error("a real crisis report must not carry the simulation banner")
	}
}

func TestPDFShowsFiguresListsAndChartTitles(t *testing.T) {
	t.Parallel()
	d := sampleDocument(5)
	all, pages := render(t, d)
	for _, f := range d.Figures {
		if !strings.Contains(all, f.Label) || !strings.Contains(all, f.Value) {
			t.Errorf("figure %q = %q missing", f.Label, f.Value)
		}
	}
	if !strings.Contains(pages[0], d.Figures[0].Value) {
		t.Error("key figures should be on the first page")
	}
	for _, s := range []string{d.Title, "Sebutan per hari", "• Draf pernyataan siap pakai mempercepat tanggapan pertama.", "• Daftar kontak wartawan daerah perlu diperbarui."} {
		if !strings.Contains(all, s) {
			t.Errorf("PDF text lacks %q", s)
		}
	}
	if strings.Contains(all, d.Charts[0].Empty) {
		t.Error("a chart with data must not print its empty text")
	}
}

func TestPDFPrintsEmptyTexts(t *testing.T) {
	t.Parallel()
	d := sampleDocument(0)
	d.Charts = append(d.Charts, Chart{Title: "Sentimen", Empty: "Belum ada data sentimen."})
	d.Charts[0].Series = nil
	d.Sections[1].Rows = nil
	all, _ := render(t, d)
	for _, s := range []string{"Belum ada sebutan yang terpantau.", "Belum ada data sentimen.", "Log krisis kosong.", "Belum ada pelajaran yang dicatat."} {
		if !strings.Contains(all, s) {
			t.Errorf("PDF text lacks empty text %q", s)
		}
	}
}

// A cell longer than a page is split between pages rather than cut off.
func TestPDFSplitsRowTallerThanAPage(t *testing.T) {
	t.Parallel()
	var lines []string
	for i := range 120 {
		lines = append(lines, fmt.Sprintf("baris catatan %03d", i))
	}
	d := Document{Title: "Catatan", Sections: []Section{{
		Title:   "Catatan panjang",
		Columns: []string{"Waktu", "Catatan"},
		Rows:    [][]string{{"25 Nov 08.00", strings.Join(lines, "\n")}, {"25 Nov 09.00", "penutup"}},
	}}}
	all, pages := render(t, d)
	if len(pages) < 2 {
		t.Fatalf("want the long row over 2+ pages, got %d", len(pages))
	}
	at := 0
	for _, l := range append(lines, "penutup") {
		j := strings.Index(all[at:], l)
		if j < 0 {
			t.Fatalf("%q missing or out of order", l)
		}
		at += j + len(l)
	}
}

func TestChartPNGHasAskedSizeAndShadesBands(t *testing.T) {
	t.Parallel()
	c := sampleDocument(0).Charts[0]
	for _, size := range [][2]int{{900, 360}, {1500, 516}} {
		img := decodePNG(t, c, size[0], size[1])
		if b := img.Bounds(); b.Dx() != size[0] || b.Dy() != size[1] {
			t.Errorf("asked %v, got %v", size, b.Size())
		}
	}
	crisisTint := func(img image.Image) int {
		n := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				r, g, bl = r>>8, g>>8, bl>>8
				if r > 240 && g > 205 && g < 228 && bl > 205 && bl < 228 {
					n++
				}
			}
		}
		return n
	}
	if n := crisisTint(decodePNG(t, c, 900, 360)); n < 900*360/20 {
		t.Errorf("the crisis days should be shaded red, found %d tinted pixels", n)
	}
	c.Bands = nil
	if n := crisisTint(decodePNG(t, c, 900, 360)); n > 900*360/1000 {
		t.Errorf("no bands, yet %d red-tinted pixels", n)
	}
}

func TestChartPNGWithoutDataIsAnImage(t *testing.T) {
	t.Parallel()
	img := decodePNG(t, Chart{Labels: []string{"1 Des"}, Empty: "Belum ada data."}, 600, 240)
	if b := img.Bounds(); b.Dx() != 600 || b.Dy() != 240 {
		t.Errorf("got %v", b.Size())
	}
	if _, err := ChartPNG(Chart{}, 10, 10); err == nil {
		t.Error("want an error for a 10x10 chart")
	}
}

func decodePNG(t *testing.T, c Chart, w, h int) image.Image {
	t.Helper()
	b, err := ChartPNG(c, w, h)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func BenchmarkPDF60Rows(b *testing.B) {
	d := sampleDocument(60)
	var size int
	for b.Loop() {
		out, err := PDF(d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size)/1024, "KiB/pdf")
}
