package fetch_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"warta.dev/warta/internal/monitor/fetch"
)

// mastodonServer enforces GET /api/v2/search as Mastodon documents it
// (docs.joinmastodon.org/methods/search): a Bearer token, q, type=statuses, a limit up to 40.
func mastodonServer(t *testing.T, token string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"The access token is invalid"}`))
			return
		}
		q := r.URL.Query()
		if r.Method != http.MethodGet || r.URL.Path != "/api/v2/search" || q.Get("q") != "banjir jakarta" ||
			q.Get("type") != "statuses" || q.Get("limit") != "40" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Write([]byte(`{"accounts": [], "hashtags": [], "statuses": [
		  {"id": "111", "uri": "https://mastodon.example/users/rina/statuses/111", "url": "https://mastodon.example/@rina/111",
		   "created_at": "2026-03-03T02:04:05.123Z", "language": "id", "spoiler_text": "",
		   "content": "<p>Banjir di Jakarta Utara &amp; Bekasi pagi ini.</p><p>Hati-hati di jalan <a href=\"https://mastodon.example/tags/banjir\" class=\"mention hashtag\">#<span>banjir</span></a></p>",
		   "account": {"id": "9", "username": "rina", "acct": "rina", "display_name": "Rina Wulandari"},
		   "media_attachments": [{"id": "5", "type": "image", "url": "https://files.mastodon.example/big.jpg", "preview_url": "https://files.mastodon.example/small.jpg"}]},
		  {"id": "112", "uri": "https://other.example/users/joko/statuses/5", "url": null,
		   "created_at": "2026-03-03T03:00:00.000Z", "language": null, "spoiler_text": "banjir",
		   "content": "<p>Foto genangan</p>",
		   "account": {"id": "10", "username": "joko", "acct": "joko@other.example", "display_name": ""},
		   "media_attachments": []}
		]}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestMastodonSearch(t *testing.T) {
	srv := mastodonServer(t, "secret-token")
	f := newFetcher(t, fetch.Options{})
	res := fetchOK(t, f, fetch.Request{Kind: fetch.Mastodon, Query: "banjir jakarta",
		Credentials: fetch.Credentials{BaseURL: srv.URL + "/", Token: "secret-token"}})
	if len(res.Items) != 2 {
		t.Fatalf("items %+v", res.Items)
	}
	joko, rina := res.Items[0], res.Items[1]
	if rina.URL != "https://mastodon.example/@rina/111" || rina.Author != "Rina Wulandari" || rina.Lang != "id" ||
		rina.Text != "Banjir di Jakarta Utara & Bekasi pagi ini.\n\nHati-hati di jalan #banjir" ||
		!rina.Published.Equal(time.Date(2026, 3, 3, 2, 4, 5, 123e6, time.UTC)) || rina.Image != "https://files.mastodon.example/small.jpg" {
		t.Errorf("rina: %+v", rina)
	}
	if joko.URL != "https://other.example/users/joko/statuses/5" || joko.Author != "joko@other.example" || joko.Lang != "" || joko.Summary != "banjir" {
		t.Errorf("a remote status without url, display name or language: %+v", joko)
	}

	fe := fetchErr(t, f, fetch.Request{Kind: fetch.Mastodon, Query: "banjir jakarta",
		Credentials: fetch.Credentials{BaseURL: srv.URL, Token: "revoked"}})
	if fe.Key != fetch.ErrTokenRefused || fe.Args["Network"] != "Mastodon" || fe.Temporary {
		t.Errorf("refused token: %s %v", fe.Key, fe.Args)
	}
	if fe := fetchErr(t, f, fetch.Request{Kind: fetch.Mastodon, Query: "banjir"}); fe.Key != fetch.ErrNoAccount {
		t.Errorf("no account: %s", fe.Key)
	}
	if fe := fetchErr(t, f, fetch.Request{Kind: fetch.Mastodon, Query: " ", Credentials: fetch.Credentials{BaseURL: srv.URL, Token: "t"}}); fe.Key != fetch.ErrMissingQuery {
		t.Errorf("no query: %s", fe.Key)
	}
}

// blueskyServer enforces app.bsky.feed.searchPosts as the lexicon defines it: an XRPC query with
// q and a limit up to 100, the session's access token as Bearer; XRPC errors as {"error", "message"}.
func blueskyServer(t *testing.T, token string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fail := func(code int, name, msg string) {
			w.WriteHeader(code)
			json.NewEncoder(w).Encode(map[string]string{"error": name, "message": msg})
		}
		switch r.Header.Get("Authorization") {
		case "Bearer " + token:
		case "Bearer expired":
			fail(http.StatusBadRequest, "ExpiredToken", "Token has expired")
			return
		default:
			fail(http.StatusUnauthorized, "AuthMissing", "Authentication Required")
			return
		}
		q := r.URL.Query()
		if r.Method != http.MethodGet || r.URL.Path != "/xrpc/app.bsky.feed.searchPosts" || q.Get("q") != "banjir" || q.Get("limit") != "50" {
			fail(http.StatusBadRequest, "InvalidRequest", "unexpected "+r.URL.String())
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			return
		}
		w.Write([]byte(`{"hitsTotal": 2, "posts": [
		  {"uri": "at://did:plc:abc123/app.bsky.feed.post/3kq2xyz", "cid": "bafy1",
		   "author": {"did": "did:plc:abc123", "handle": "rina.bsky.social", "displayName": "Rina W."},
		   "record": {"$type": "app.bsky.feed.post", "text": "Banjir lagi di Kemang.\nJalan ditutup.", "createdAt": "2026-03-03T01:02:03.456Z", "langs": ["id", "en"]},
		   "embed": {"$type": "app.bsky.embed.images#view", "images": [{"thumb": "https://cdn.bsky.example/thumb.jpg", "fullsize": "https://cdn.bsky.example/full.jpg", "alt": ""}]},
		   "indexedAt": "2026-03-03T01:02:04Z"},
		  {"uri": "at://did:plc:def456/app.bsky.feed.post/3kq2aaa", "cid": "bafy2",
		   "author": {"did": "did:plc:def456", "handle": "handle.invalid"},
		   "record": {"$type": "app.bsky.feed.post", "text": "banjir", "createdAt": "2026-03-02T00:00:00Z"},
		   "indexedAt": "2026-03-02T00:00:01Z"}
		]}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBlueskySearch(t *testing.T) {
	srv := blueskyServer(t, "jwt-access")
	f := newFetcher(t, fetch.Options{})
	res := fetchOK(t, f, fetch.Request{Kind: fetch.Bluesky, Query: "banjir", Credentials: fetch.Credentials{BaseURL: srv.URL, Token: "jwt-access"}})
	if len(res.Items) != 2 {
		t.Fatalf("items %+v", res.Items)
	}
	rina, other := res.Items[0], res.Items[1]
	if rina.URL != "https://bsky.app/profile/rina.bsky.social/post/3kq2xyz" || rina.Author != "Rina W." || rina.Lang != "id" ||
		rina.Text != "Banjir lagi di Kemang.\nJalan ditutup." || !rina.Published.Equal(time.Date(2026, 3, 3, 1, 2, 3, 456e6, time.UTC)) ||
		rina.Image != "https://cdn.bsky.example/thumb.jpg" {
		t.Errorf("rina: %+v", rina)
	}
	if other.URL != "https://bsky.app/profile/did:plc:def456/post/3kq2aaa" || other.Author != "did:plc:def456" {
		t.Errorf("a post whose handle does not resolve: %+v", other)
	}

	for _, token := range []string{"wrong", "expired"} {
		fe := fetchErr(t, f, fetch.Request{Kind: fetch.Bluesky, Query: "banjir", Credentials: fetch.Credentials{BaseURL: srv.URL, Token: token}})
		if fe.Key != fetch.ErrTokenRefused || fe.Args["Network"] != "Bluesky" {
			t.Errorf("token %s: %s %v", token, fe.Key, fe.Args)
		}
	}
	// A server address that is not a Bluesky server answers something else.
	page := serve(t, "text/html", articlePage)
	fe := fetchErr(t, f, fetch.Request{Kind: fetch.Bluesky, Query: "banjir", Credentials: fetch.Credentials{BaseURL: page.URL, Token: "t"}})
	if fe.Key != fetch.ErrBadResponse || !fe.Temporary {
		t.Errorf("not a Bluesky server: %s", fe.Key)
	}
}

func TestSearchURL(t *testing.T) {
	cases := []struct{ aggregator, query, lang, want string }{
		{"google", "banjir jakarta", "id", "https://news.google.com/rss/search?q=banjir+jakarta&hl=id&gl=ID&ceid=ID:id"},
		{"google", `"pemkab sukamaju" OR bupati`, "en", "https://news.google.com/rss/search?q=%22pemkab+sukamaju%22+OR+bupati&hl=en-ID&gl=ID&ceid=ID:en"},
		{"google", "banjir", "", "https://news.google.com/rss/search?q=banjir&hl=id&gl=ID&ceid=ID:id"},
		{"bing", "banjir & rob", "id", "https://www.bing.com/news/search?q=banjir+%26+rob&format=rss&setlang=id"},
		{"bing", "flood", "en", "https://www.bing.com/news/search?q=flood&format=rss&setlang=en"},
	}
	for _, c := range cases {
		got, err := fetch.SearchURL(c.aggregator, c.query, c.lang)
		if err != nil || got != c.want {
			t.Errorf("SearchURL(%q, %q, %q) = %q, %v\nwant %q", c.aggregator, c.query, c.lang, got, err, c.want)
		}
	}
	for _, a := range fetch.Aggregators {
		if a.Key == "" || a.Name == "" || a.Template == nil {
			t.Errorf("aggregator %+v is incomplete", a)
		}
	}
	if _, err := fetch.SearchURL("altavista", "banjir", "id"); err == nil || err.(*fetch.Error).Key != fetch.ErrUnknownAggregator {
		t.Errorf("unknown aggregator: %v", err)
	}
	if _, err := fetch.SearchURL("google", "  ", "id"); err == nil || err.(*fetch.Error).Key != fetch.ErrMissingQuery {
		t.Errorf("empty query: %v", err)
	}
	// A Search request needs no URL: the aggregator's is built from the query.
	fe := fetchErr(t, newFetcher(t, fetch.Options{}), fetch.Request{Kind: fetch.Search, Aggregator: "nope", Query: "banjir"})
	if fe.Key != fetch.ErrUnknownAggregator || fe.Args["Aggregator"] != "nope" {
		t.Errorf("search with an unknown aggregator: %s %v", fe.Key, fe.Args)
	}
}
