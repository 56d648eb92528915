package corpus_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"warta.dev/warta/internal/monitor/corpus"
)

// get fetches a feed address with the given request headers.
func get(t *testing.T, u string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestServe(t *testing.T) {
	s, err := corpus.Serve(6, 5, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	urls := s.URLs()
	hosts := map[string]bool{}
	for n, u := range urls {
		p, err := url.Parse(u)
		if err != nil || p.Hostname() != "127.0.0.1" {
			t.Fatalf("feed %d at %q, want a loopback address", n, u)
		}
		hosts[p.Host] = true
		resp, body := get(t, u, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Fatalf("feed %d: %s, ETag %q, Last-Modified %q", n, resp.Status, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
		}
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("feed %d: %v", n, err)
		}
		if want := []string{"id", "en"}[n%2]; len(feed.Items) != 5 || feed.Language != want {
			t.Errorf("feed %d has %d items in %q, want 5 in %s", n, len(feed.Items), feed.Language, want)
		}
		for i, it := range feed.Items {
			if it.PublishedParsed.After(time.Now()) || i > 0 && it.PublishedParsed.After(*feed.Items[i-1].PublishedParsed) {
				t.Errorf("feed %d item %d dated %v: in the future or out of order", n, i, it.PublishedParsed)
			}
		}
	}
	if len(urls) != 6 || len(hosts) != 2 {
		t.Errorf("%d feeds on %d ports, want 6 on 2", len(urls), len(hosts))
	}

	first, _ := get(t, urls[0], nil)
	etag, modified := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	for _, h := range []map[string]string{{"If-None-Match": etag}, {"If-Modified-Since": modified}} {
		if resp, body := get(t, urls[0], h); resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("conditional request %v: %s with %d bytes, want 304", h, resp.Status, len(body))
		}
	}

	// Feed 1 lives on the other port.
	other := strings.Replace(urls[0], "/feeds/0.xml", "/feeds/1.xml", 1)
	if resp, _ := get(t, other, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("feed 1 on feed 0's port: %s, want 404", resp.Status)
	}

	before := s.Requests()
	fresh := corpus.Generate(99, 1, "id", "http://127.0.0.1/news/extra", time.Now().Add(-time.Minute))
	s.Add(0, fresh...)
	resp, body := get(t, urls[0], map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
		t.Fatalf("after Add: %s with ETag %q, want 200 and a new ETag", resp.Status, resp.Header.Get("ETag"))
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil || len(feed.Items) != 6 || feed.Items[0].GUID != fresh[0].GUID {
		t.Fatalf("after Add the feed has %d items, newest %q (%v)", len(feed.Items), feed.Items[0].GUID, err)
	}
	if resp, _ := get(t, urls[0], map[string]string{"If-Modified-Since": modified}); resp.StatusCode != http.StatusOK {
		t.Errorf("after Add, If-Modified-Since the old date: %s, want 200", resp.Status)
	}
	if got := s.Requests() - before; got != 2 {
		t.Errorf("Requests counted %d new requests, want 2", got)
	}

	s.Close()
	if _, err := http.Get(urls[1]); err == nil {
		t.Error("the server still answers after Close")
	}
}

func TestServeRefusesNoPorts(t *testing.T) {
	if s, err := corpus.Serve(1, 1, 0, 1); err == nil {
		s.Close()
		t.Error("Serve with no ports did not fail")
	}
}
