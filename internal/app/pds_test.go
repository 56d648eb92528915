package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/bluesky/pdstest"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/publish"
)

// A Bluesky account on a real PDS (@atproto/pds, see package pdstest) is connected through the
// connect form and the API, as a person and a script do, and a scheduled post reaches the PDS on
// time with its link, mention and hashtag as facets over the right UTF-8 bytes. It runs with
// WARTA_TEST_BLUESKY=1.
func TestPublishingToRealPDS(t *testing.T) {
	pds := pdstest.Start(t)
	humas := pds.CreateAccount(t, "humas.test")
	appPass := pds.CreateAppPassword(t, humas, "Warta")
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><meta property="og:title" content="Posko Banjir Sukamaju"><meta property="og:description" content="Lokasi dan kontak posko."></head></html>`)
	}))
	defer page.Close()

	p := startPublishing(t, db.SQLite)
	ctx := context.Background()
	values := map[string]string{"handle": "@" + humas.Handle, "app_password": appPass, "server": pds.URL}

	p.connectForm(channel.Bluesky, values)
	acct := p.account(channel.Bluesky)
	if acct.Health != publish.Working || acct.RemoteID != humas.DID || acct.Handle != "@humas.test" || acct.Server != pds.URL {
		t.Errorf("account after connecting: %s %s %s %s %s", acct.Health, acct.RemoteID, acct.Handle, acct.Server, acct.HealthReason)
	}
	if r := p.owner.Get(p.w + "/channels"); !strings.Contains(r.Body, "@humas.test") {
		t.Errorf("the channels page does not list the account")
	}

	t.Run("on time, with facets", func(t *testing.T) {
		link := page.URL + "/posko"
		text := "Posko banjir 🌊🙏 dibuka! Info: " + link + " — hubungi @humas.test #SiagaBanjir"
		it := p.item("Posko banjir", content.Variant{Network: channel.Bluesky, Text: text, FirstComment: "Bantuan logistik menyusul #Sukamaju"})
		at := p.schedule(it, nil, false)
		pubs := p.settle(it)
		if len(pubs) != 1 || pubs[0].State != publish.Published || pubs[0].RemoteURL == "" || pubs[0].Incomplete != "" {
			t.Fatalf("publications: %+v", pubs)
		}
		pub := pubs[0]
		if late := pub.PublishedAt.Sub(at); late < 0 || late > 5*time.Second {
			t.Errorf("published %s after its time", late)
		}
		prefix := "at://" + humas.DID + "/app.bsky.feed.post/"
		rkey := strings.TrimPrefix(pub.RemoteID, prefix)
		if !strings.HasPrefix(pub.RemoteID, prefix) || rkey == "" || strings.Contains(rkey, "/") {
			t.Fatalf("remote ID %q is not a post of %s", pub.RemoteID, humas.DID)
		}
		if want := "https://bsky.app/profile/humas.test/post/" + rkey; pub.RemoteURL != want {
			t.Errorf("remote URL %q, want %q", pub.RemoteURL, want)
		}

		var rec pdstest.Record
		pds.XRPC(t, http.MethodGet, "com.atproto.repo.getRecord", "",
			url.Values{"repo": {humas.DID}, "collection": {"app.bsky.feed.post"}, "rkey": {rkey}}, &rec)
		if rec.Value.Text != text {
			t.Errorf("text on the PDS %q, want %q", rec.Value.Text, text)
		}
		want := map[string]string{
			link:           "app.bsky.richtext.facet#link " + link,
			"@humas.test":  "app.bsky.richtext.facet#mention " + humas.DID,
			"#SiagaBanjir": "app.bsky.richtext.facet#tag SiagaBanjir",
		}
		if got := rec.ByText(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("facets by the text they cover:\n got %v\nwant %v", got, want)
		}
		// The ranges count UTF-8 bytes, not characters: the emoji before them make the two differ.
		for _, f := range rec.Value.Facets {
			for _, covered := range []string{link, "#SiagaBanjir"} {
				if strings.HasPrefix(text[min(f.Index.ByteStart, len(text)):], covered) {
					start := strings.Index(text, covered)
					if f.Index.ByteStart != start || f.Index.ByteEnd != start+len(covered) || start == utf8.RuneCountInString(text[:start]) {
						t.Errorf("facet over %q at [%d:%d], want bytes [%d:%d]", covered, f.Index.ByteStart, f.Index.ByteEnd, start, start+len(covered))
					}
				}
			}
		}
		if ext := rec.Value.Embed.External; ext.URI != link || ext.Title != "Posko Banjir Sukamaju" || ext.Description != "Lokasi dan kontak posko." {
			t.Errorf("link card %+v", rec.Value.Embed)
		}
		posts := pds.Posts(t, humas.DID)
		replies := 0
		for _, r := range posts {
			if r.Value.Reply.Parent.URI == pub.RemoteID && r.Value.Reply.Root.CID == rec.CID && strings.HasPrefix(r.Value.Text, "Bantuan logistik") {
				replies++
			}
		}
		if len(posts) != 2 || replies != 1 {
			t.Errorf("%d records on the PDS, %d of them the first comment; want the post and its reply", len(posts), replies)
		}
		if got, _ := p.env.App.Content.Get(ctx, p.wsID, it.ID); got.Status != content.Published {
			t.Errorf("item status %s", got.Status)
		}
	})

	t.Run("connecting through the API", func(t *testing.T) {
		token, _, err := p.env.App.Auth.CreateToken(ctx, auth.CLI, p.wsID, p.actor.UserID, "script", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		wrong := map[string]string{"handle": humas.Handle, "app_password": "salah-salah-salah-salah", "server": pds.URL}
		if status, body := p.env.API("POST", "/api/v1/channels", token, map[string]any{"network": "bluesky", "values": wrong}); status != http.StatusUnprocessableEntity {
			t.Errorf("a wrong app password: %d %v", status, body)
		}
		status, body := p.env.API("POST", "/api/v1/channels", token, map[string]any{"network": "bluesky", "values": values})
		accts, _ := body["accounts"].([]any)
		if status != http.StatusCreated || len(accts) != 1 {
			t.Fatalf("connect: %d %v", status, body)
		}
		got, _ := accts[0].(map[string]any)
		if got["network"] != "bluesky" || got["handle"] != "@humas.test" || got["server"] != pds.URL || got["health"] != publish.Working ||
			got["id"] != float64(acct.ID) {
			t.Errorf("the account reconnected through the API: %v (connected first as %d)", got, acct.ID)
		}
		status, body = p.env.API("GET", "/api/v1/channels", token, nil)
		items, _ := body["items"].([]any)
		n := 0
		for _, x := range items {
			if a, _ := x.(map[string]any); a["network"] == "bluesky" {
				n++
			}
		}
		if status != http.StatusOK || n != 1 {
			t.Errorf("%d Bluesky accounts after reconnecting: %d %v", n, status, body)
		}

		// The reconnected account still publishes.
		it := p.item("Setelah sambung ulang", content.Variant{Network: channel.Bluesky, Text: "Air mulai surut di Sukamaju. #SiagaBanjir"})
		p.schedule(it, nil, false)
		if pubs := p.settle(it); len(pubs) != 1 || pubs[0].State != publish.Published || pds.Record(t, pubs[0].RemoteID).Value.Text != "Air mulai surut di Sukamaju. #SiagaBanjir" {
			t.Errorf("after reconnecting: %+v", pubs)
		}
	})
}
