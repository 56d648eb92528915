package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"warta.dev/warta/internal/monitor/fetch"
)

// The validators of one fetch are sent with the next, and a 304 says nothing is new.
func TestConditionalRoundTrip(t *testing.T) {
	const etag, lastMod = `"v42"`, "Tue, 03 Mar 2026 01:00:00 GMT"
	var plain, conditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag && r.Header.Get("If-Modified-Since") == lastMod {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		plain.Add(1)
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed)
	}))
	defer srv.Close()
	f := newFetcher(t, fetch.Options{})

	first := fetchOK(t, f, fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	if first.NotModified || len(first.Items) == 0 || first.ETag != etag || first.LastModified != lastMod {
		t.Fatalf("first fetch: not modified %v, %d items, etag %q, last-modified %q", first.NotModified, len(first.Items), first.ETag, first.LastModified)
	}
	second := fetchOK(t, f, fetch.Request{Kind: fetch.Feed, URL: srv.URL, ETag: first.ETag, LastModified: first.LastModified})
	if !second.NotModified || len(second.Items) != 0 || second.ETag != etag || second.LastModified != lastMod {
		t.Errorf("second fetch: %+v", second)
	}
	if plain.Load() != 1 || conditional.Load() != 1 {
		t.Errorf("server saw %d plain and %d conditional requests", plain.Load(), conditional.Load())
	}
	// Sitemaps and pages send them too.
	for _, kind := range []fetch.Kind{fetch.Sitemap, fetch.Page} {
		res := fetchOK(t, f, fetch.Request{Kind: kind, URL: srv.URL, ETag: etag, LastModified: lastMod})
		if !res.NotModified {
			t.Errorf("%s: not modified %v", kind, res.NotModified)
		}
	}
}

// concurrency counts requests in progress at a server and the most seen at once.
type concurrency struct {
	mu        sync.Mutex
	now, most int
	ends      []time.Time
	starts    []time.Time
}

func (c *concurrency) enter() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now++
	c.most = max(c.most, c.now)
	c.starts = append(c.starts, time.Now())
}

func (c *concurrency) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now--
	c.ends = append(c.ends, time.Now())
}

// Requests to one host never overlap, and each starts at least Gap after the previous ended.
func TestOneHostOneRequestAtATime(t *testing.T) {
	const gap = 30 * time.Millisecond
	var c concurrency
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.enter()
		defer c.leave()
		time.Sleep(5 * time.Millisecond) // room for a second request to overlap, were it let through
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed)
	}))
	defer srv.Close()
	f := newFetcher(t, fetch.Options{Gap: gap})

	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			// Two URLs of the same host count as one host.
			if _, err := f.Fetch(context.Background(), fetch.Request{Kind: fetch.Feed, URL: fmt.Sprintf("%s/feed/%d", srv.URL, i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if c.most != 1 {
		t.Errorf("%d requests were in progress at once at one host", c.most)
	}
	for i := 1; i < len(c.starts); i++ {
		if pause := c.starts[i].Sub(c.ends[i-1]); pause < gap {
			t.Errorf("request %d started %v after the previous ended, want at least %v", i, pause, gap)
		}
	}
}

// Two hosts are fetched at the same time: each server holds its request until both are in.
func TestHostsDoNotWaitForEachOther(t *testing.T) {
	var c concurrency
	both := make(chan struct{})
	var once sync.Once
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.enter()
		c.mu.Lock()
		if c.now == 2 {
			once.Do(func() { close(both) })
		}
		c.mu.Unlock()
		select {
		case <-both:
		case <-time.After(5 * time.Second):
		}
		c.leave()
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed)
	})
	a, b := httptest.NewServer(handler), httptest.NewServer(handler)
	defer a.Close()
	defer b.Close()
	f := newFetcher(t, fetch.Options{Gap: time.Hour}) // a gap that would show if hosts were mixed up

	var wg sync.WaitGroup
	for _, u := range []string{a.URL, b.URL} {
		wg.Go(func() {
			if _, err := f.Fetch(context.Background(), fetch.Request{Kind: fetch.Feed, URL: u}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if c.most != 2 {
		t.Errorf("at most %d requests at once across two hosts, want 2", c.most)
	}
}

// A fetch waiting for a busy host gives up when its context ends, and the host's turn is not lost.
func TestWaitingFetchCanBeCanceled(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		if r.URL.Path == "/slow" {
			<-release
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssFeed)
	}))
	defer srv.Close()
	f := newFetcher(t, fetch.Options{})

	slow := make(chan error, 1)
	go func() {
		_, err := f.Fetch(context.Background(), fetch.Request{Kind: fetch.Feed, URL: srv.URL + "/slow"})
		slow <- err
	}()
	<-arrived // the slow request holds the host

	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan error, 1)
	go func() {
		_, err := f.Fetch(ctx, fetch.Request{Kind: fetch.Feed, URL: srv.URL + "/other"})
		waiting <- err
	}()
	cancel()
	select {
	case err := <-waiting:
		var fe *fetch.Error
		if !errors.As(err, &fe) || fe.Key != fetch.ErrCanceled || !errors.Is(err, context.Canceled) {
			t.Errorf("canceled fetch: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting fetch did not return when its context was canceled")
	}
	close(release)
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	// The host is free again.
	fetchOK(t, f, fetch.Request{Kind: fetch.Feed, URL: srv.URL + "/after"})
}

// A deadline that passes while waiting for the host is a timeout.
func TestWaitingFetchDeadline(t *testing.T) {
	srv := serve(t, "application/rss+xml", rssFeed)
	f := newFetcher(t, fetch.Options{Gap: time.Hour})
	fetchOK(t, f, fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := f.Fetch(ctx, fetch.Request{Kind: fetch.Feed, URL: srv.URL})
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Key != fetch.ErrTimeout || !fe.Temporary {
		t.Errorf("deadline while waiting out the gap: %v", err)
	}
}
