package monitor

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/web"
)

func scan(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 60))
	for y := range 60 {
		for x := range 40 {
			img.Set(x, y, color.RGBA{uint8(200 - y), 190, 170, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fieldError is the catalog key a refused clipping carries for a field.
func fieldError(err error, field string) string {
	var we *web.Error
	if errors.As(err, &we) {
		return we.Fields[field]
	}
	return ""
}

// Clippings, on each engine. One with a link is stored once, scored, matched into the topics'
// mentions, listed, and counted in the analysis under its outlet and medium like any story. One
// of a broadcast with a recording instead of a link keeps the file in the media library and gets
// an address of its own (two such clippings never collide) and no URL. A file the library
// refuses, or neither link nor file, saves nothing and says why.
func TestClippings(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		f := newFixture(t, engine)
		brand := f.topic(t, "Pemkot Sukamaju", Brand, "sukamaju", "Pelayanan kesehatan gratis untuk warga")
		in := ClippingInput{Medium: MediumPrint, Outlet: "Jawa Pos", Title: "Sukamaju buka layanan kesehatan gratis di 30 puskesmas",
			Author: "Sri Wahyuni", Text: healthBody, Placement: "Halaman 3", Region: "Jawa Timur", Reach: parseReach("1.200.000"),
			Date: "2026-06-12", Time: "06.30", Zone: f.zone, URL: "https://epaper.jawapos.example/2026/06/12/hal-3?utm_source=wa"}
		c, err := f.s.CreateClipping(ctx, f.actor, f.ws, in)
		if err != nil {
			t.Fatal(err)
		}
		it := c.Item
		if it.URL != in.URL || it.Medium != MediumPrint || it.Placement != "Halaman 3" || it.Reach != 1_200_000 || it.OutletType != "print" ||
			!it.PublishedAt.Equal(f.wib(12, 6, 30)) || it.Sentiment != Positive || it.SourceID != 0 {
			t.Errorf("the clipping as stored: %+v", it)
		}
		if len(c.MentionIDs) != 1 || c.MentionID != c.MentionIDs[0] {
			t.Fatalf("mentions: %v", c.MentionIDs)
		}
		m, err := f.s.Mention(ctx, f.ws, c.MentionID)
		if err != nil || m.TopicID != brand.ID || m.State != MentionNew {
			t.Errorf("its mention: %+v %v", m, err)
		}
		if n, _ := f.s.CountMentions(ctx, f.ws, MentionFilter{TopicID: brand.ID}); n != 1 {
			t.Errorf("the brand's inbox holds %d stories, want the clipping", n)
		}

		// The same page again is refused, by its address with the tracking tag removed.
		in.URL = "https://epaper.jawapos.example/2026/06/12/hal-3"
		if _, err := f.s.CreateClipping(ctx, f.actor, f.ws, in); fieldError(err, "url") != "monitor.clipping.error.exists" {
			t.Errorf("the same address twice: %v", err)
		}

		list, err := f.s.Clippings(ctx, f.ws, ClippingFilter{Limit: 10})
		if err != nil || len(list) != 1 || list[0].MentionID != c.MentionID {
			t.Errorf("the clipping list: %+v %v", list, err)
		}
		if list, _ := f.s.Clippings(ctx, f.ws, ClippingFilter{Medium: MediumTV, Limit: 10}); len(list) != 0 {
			t.Errorf("TV clippings: %+v", list)
		}
		if n, _ := f.s.CountClippings(ctx, f.ws, ClippingFilter{Query: "jawa pos"}); n != 1 {
			t.Errorf("searching the outlet finds %d clippings", n)
		}

		a := f.analyze(t, AnalysisFilter{OutletType: "print"})
		if a.Stories != 1 || len(a.Outlets) != 1 || a.Outlets[0].Name != "Jawa Pos" || a.Sentiment[2].Positive != 1 {
			t.Errorf("the clipping in the analysis: %d stories, outlets %+v", a.Stories, a.Outlets)
		}
		if tm := a.Messages; len(tm) != 1 || tm[0].Messages[0].Count != 1 {
			t.Errorf("its key message: %+v", tm)
		}

		// A file instead of a link.
		in = ClippingInput{Medium: MediumRadio, Outlet: "RRI Sukamaju", Title: "Dialog pagi: banjir Sukamaju", Date: "2026-06-11", Zone: f.zone,
			File: bytes.NewReader(scan(t)), FileName: "dialog-pagi.png"}
		c, err = f.s.CreateClipping(ctx, f.actor, f.ws, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.Item.AssetID == 0 || c.Item.URL != "" || !strings.HasPrefix(c.Item.Canonical, "clipping:") || len(c.MentionIDs) != 1 {
			t.Errorf("the clipping with a file: %+v, mentions %v", c.Item, c.MentionIDs)
		}
		in.Title, in.File = "Dialog sore: banjir Sukamaju surut", bytes.NewReader(scan(t))
		second, err := f.s.CreateClipping(ctx, f.actor, f.ws, in)
		if err != nil || second.Item.AssetID == c.Item.AssetID {
			t.Fatalf("a second clipping with a file: %+v %v", second, err)
		}

		for _, tc := range []struct {
			name       string
			change     func(*ClippingInput)
			field, key string
		}{
			{"neither link nor file", func(in *ClippingInput) { in.File = nil }, "url", "monitor.clipping.error.link_or_file"},
			{"a web page as the file", func(in *ClippingInput) {
				in.File = strings.NewReader("<!doctype html><html><body><script>alert(1)</script></body></html>")
			}, "file", "media.error.wrong_type"},
			{"a date to come", func(in *ClippingInput) { in.Date = "2026-07-01" }, "date", "monitor.clipping.error.future"},
			{"a time to come today", func(in *ClippingInput) { in.Date, in.Time = "2026-06-20", "23:00" }, "time", "monitor.clipping.error.future"},
			{"no outlet", func(in *ClippingInput) { in.Outlet = " " }, "outlet", "form.required"},
			{"a reach in words", func(in *ClippingInput) { in.Reach = parseReach("banyak") }, "reach", "monitor.clipping.error.reach"},
			{"an unknown medium", func(in *ClippingInput) { in.Medium = "billboard" }, "medium", "monitor.clipping.error.medium"},
			{"a link that is not one", func(in *ClippingInput) { in.URL = "rri.example/dialog" }, "url", "monitor.source.error.url"},
		} {
			bad := in
			bad.Title, bad.File = "Ditolak: "+tc.name, bytes.NewReader(scan(t))
			tc.change(&bad)
			if _, err := f.s.CreateClipping(ctx, f.actor, f.ws, bad); fieldError(err, tc.field) != tc.key {
				t.Errorf("%s: %v, want %s on %s", tc.name, err, tc.key, tc.field)
			}
		}
		if n, _ := f.s.CountClippings(ctx, f.ws, ClippingFilter{}); n != 3 {
			t.Errorf("%d clippings after the refusals, want 3", n)
		}
		var assets int
		if err := f.s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM media_assets WHERE workspace_id = ?`, f.ws).Scan(&assets); err != nil || assets != 2 {
			t.Errorf("%d files in the media library (%v), want 2", assets, err)
		}
	})
}
