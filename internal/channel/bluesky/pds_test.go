package bluesky_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/bluesky"
	"warta.dev/warta/internal/channel/bluesky/pdstest"
	"warta.dev/warta/internal/channel/channeltest"
)

// TestRealPDS publishes through the connector to a real Bluesky PDS (@atproto/pds, pinned in
// pds/package.json) on loopback, with a stand-in for the PLC directory, and reads the records
// back from the PDS. It runs with WARTA_TEST_BLUESKY=1 (see package pdstest).
func TestRealPDS(t *testing.T) {
	pds := pdstest.Start(t)
	ctx := context.Background()

	admin := pds.CreateAccount(t, "humas.test")
	warga := pds.CreateAccount(t, "warga.test")
	appPass := pds.CreateAppPassword(t, admin, "Warta")

	c := bluesky.New(channel.Env{Client: &http.Client{}})
	step, err := c.Start(ctx, channel.Start{Values: map[string]string{"handle": "@humas.test", "app_password": appPass, "server": pds.URL}})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	a := step.Accounts[0]
	if a.RemoteID != admin.DID || a.Handle != "@humas.test" || a.Name != "humas.test" || a.Server != pds.URL {
		t.Errorf("account %+v", a)
	}
	if d := time.Until(a.Secret.Expiry); d < time.Hour || d > 3*time.Hour {
		t.Errorf("access token expires in %s", d)
	}

	t.Run("post with image, facets and first comment", func(t *testing.T) {
		text := "Selamat pagi 🌅🇮🇩! Info KTP keliling: https://sukamaju.go.id/ktp, bersama @warga.test #LayananPublik"
		p := channel.Post{Key: "real-pds-1", Text: text, Language: "id", FirstComment: "Jadwal per kecamatan menyusul #Sukamaju",
			Media: []channel.MediaFile{channeltest.Image("Kader posyandu menimbang bayi", "")}}
		pub, err := c.Publish(ctx, &a, p)
		if err != nil {
			t.Fatalf("publish: %v", err)
		}
		rec := pds.Record(t, pub.RemoteID)
		if rec.Value.Text != text || strings.Join(rec.Value.Langs, ",") != "id" {
			t.Errorf("record %+v", rec.Value)
		}
		got := rec.ByText()
		want := map[string]string{
			"https://sukamaju.go.id/ktp": "app.bsky.richtext.facet#link https://sukamaju.go.id/ktp",
			"@warga.test":                "app.bsky.richtext.facet#mention " + warga.DID,
			"#LayananPublik":             "app.bsky.richtext.facet#tag LayananPublik",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("facets by the text they cover:\n got %v\nwant %v", got, want)
		}
		img := rec.Value.Embed.Images
		if rec.Value.Embed.Type != "app.bsky.embed.images" || len(img) != 1 || img[0].Alt != "Kader posyandu menimbang bayi" ||
			img[0].Image.MimeType != "image/png" || img[0].AspectRatio.Width != 40 || img[0].AspectRatio.Height != 30 {
			t.Errorf("embed %+v", rec.Value.Embed)
		}
		posts := pds.Posts(t, a.RemoteID)
		if len(posts) != 2 {
			t.Fatalf("%d records, want the post and its reply", len(posts))
		}
		replies := 0
		for _, r := range posts {
			if r.Value.Reply.Parent.URI == pub.RemoteID && r.Value.Reply.Root.CID == rec.CID {
				replies++
			}
		}
		if replies != 1 {
			t.Errorf("no reply to %s among %+v", pub.RemoteID, posts)
		}

		found, err := c.Find(ctx, &a, p)
		if err != nil || found == nil || found.RemoteID != pub.RemoteID {
			t.Errorf("find: %+v, %v", found, err)
		}
		if none, err := c.Find(ctx, &a, channel.Post{Key: "never"}); none != nil || err != nil {
			t.Errorf("find of a post never made: %+v, %v", none, err)
		}
		again, err := c.Publish(ctx, &a, p)
		if err != nil || again.RemoteID != pub.RemoteID || len(pds.Posts(t, a.RemoteID)) != 2 {
			t.Errorf("publishing again: %+v, %v; the PDS should refuse the taken record key", again, err)
		}
	})

	t.Run("link card", func(t *testing.T) {
		page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<html><head><meta property="og:title" content="Layanan KTP Keliling"><meta property="og:description" content="Jadwal dan lokasi."></head></html>`)
		}))
		defer page.Close()
		pub, err := c.Publish(ctx, &a, channel.Post{Key: "real-pds-card", Text: "Selengkapnya: " + page.URL + "/ktp"})
		if err != nil {
			t.Fatalf("publish: %v", err)
		}
		ext := pds.Record(t, pub.RemoteID).Value.Embed.External
		if ext.URI != page.URL+"/ktp" || ext.Title != "Layanan KTP Keliling" || ext.Description != "Jadwal dan lokasi." {
			t.Errorf("card %+v", ext)
		}
	})

	t.Run("session", func(t *testing.T) {
		before := a.Secret
		if changed, err := c.Refresh(ctx, &a, 3*time.Hour); !changed || err != nil || a.Secret.RefreshToken == before.RefreshToken {
			t.Fatalf("refresh: %v, %v", changed, err)
		}
		// A refresh token the PDS refuses: a new session from the app password, by DID.
		a.Secret.RefreshToken = a.Secret.AccessToken
		if changed, err := c.Refresh(ctx, &a, 3*time.Hour); !changed || err != nil {
			t.Fatalf("refresh with a dead refresh token: %v, %v", changed, err)
		}
		if prof, err := c.Verify(ctx, &a); err != nil || prof.Handle != "@humas.test" || prof.Name != "humas.test" {
			t.Errorf("verify: %+v, %v", prof, err)
		}
		if _, err := c.Metrics(ctx, &a, []string{"at://" + a.RemoteID + "/app.bsky.feed.post/3kabc2def3gh2"}); !errors.Is(err, channel.ErrNotOffered) {
			t.Errorf("metrics from a PDS without an AppView: %v", err)
		}
		pds.RevokeAppPassword(t, admin, "Warta")
		_, err := c.Refresh(ctx, &a, 3*time.Hour)
		if e := channel.AsError(err); e.Kind != channel.Unauthorized || e.Reason != "Invalid identifier or password" {
			t.Errorf("refresh after the app password was revoked: %v", err)
		}
	})
}
