package pdftext

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"
)

// fpdf writes UTF-8 text as two-byte codes with an identity ToUnicode CMap; every character
// past Latin-1 has to come back as itself, page by page.
func TestTextReadsUTF8FromEachPage(t *testing.T) {
	lines := []string{
		"Pernyataan awal diterbitkan ke Mastodon dan newsroom",
		"Rina Wijayanti · Ševčík — Łódź … Ærø",
		"Ελληνικά и кириллица",
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	for _, l := range lines {
		f.AddPage()
		f.SetFont("go", "", 11)
		f.Cell(0, 8, l)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}

	pages, err := Pages(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != len(lines) {
		t.Fatalf("got %d pages, want %d", len(pages), len(lines))
	}
	for i, l := range lines {
		if strings.TrimSpace(pages[i]) != l {
			t.Errorf("page %d: got %q, want %q", i+1, pages[i], l)
		}
	}
	all, err := Text(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(all, "\f"); n != len(lines)-1 {
		t.Errorf("got %d page separators, want %d", n, len(lines)-1)
	}
}

func TestTextRejectsGarbage(t *testing.T) {
	if _, err := Text([]byte("not a pdf")); err == nil {
		t.Fatal("want an error for bytes that are not a PDF")
	}
}
