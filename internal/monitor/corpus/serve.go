package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves generated RSS feeds on loopback ports, answering conditional requests as a
// well-behaved news site does, for tests and benchmarks of feed polling.
type Server struct {
	servers  []*http.Server
	urls     []string
	requests atomic.Int64

	mu    sync.RWMutex
	feeds []*feed
}

// feed is one served feed: its items newest first and the document they make.
type feed struct {
	title, link string
	items       []Article
	body        []byte
	etag        string
	modified    time.Time
}

func (f *feed) render(at time.Time) {
	slices.SortStableFunc(f.items, func(a, b Article) int { return b.Published.Compare(a.Published) })
	f.body = RSS(f.title, f.link, f.items)
	sum := sha256.Sum256(f.body)
	f.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	// Last-Modified has whole seconds: a change must move it forward by at least one.
	prev := f.modified
	if f.modified = at.UTC().Truncate(time.Second); !prev.IsZero() && !f.modified.After(prev) {
		f.modified = prev.Add(time.Second)
	}
}

// Serve starts serving feeds feeds of itemsPerFeed generated items each, spread over ports
// loopback ports (feed n on port n mod ports) at /feeds/{n}.xml. Even-numbered feeds are in
// Indonesian, odd ones in English; their items are dated over the hours before now. Responses carry
// an ETag and Last-Modified and a matching conditional request gets 304 Not Modified.
func Serve(feeds, itemsPerFeed, ports int, seed int64) (*Server, error) {
	if feeds < 0 || itemsPerFeed < 0 || ports < 1 {
		return nil, errors.New("corpus: Serve needs feeds ≥ 0, items ≥ 0 and ports ≥ 1")
	}
	s := &Server{}
	var listeners []net.Listener
	for range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return nil, fmt.Errorf("corpus: listen: %w", err)
		}
		listeners = append(listeners, ln)
	}
	now := time.Now()
	start := now.Add(-time.Duration(itemsPerFeed) * time.Hour).Truncate(time.Minute)
	for n := range feeds {
		origin := "http://" + listeners[n%ports].Addr().String()
		lang := [2]string{"id", "en"}[n%2]
		f := &feed{title: fmt.Sprintf("Corpus feed %d (%s)", n, lang), link: fmt.Sprintf("%s/news/%d", origin, n)}
		f.items = Generate(seed+int64(n)*1_000_003, itemsPerFeed, lang, f.link, start)
		f.render(now)
		s.feeds = append(s.feeds, f)
		s.urls = append(s.urls, fmt.Sprintf("%s/feeds/%d.xml", origin, n))
	}
	for p, ln := range listeners {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /feeds/{file}", func(w http.ResponseWriter, r *http.Request) { s.serveFeed(w, r, p, ports) })
		srv := &http.Server{Handler: s.count(mux), ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		go srv.Serve(ln)
	}
	return s, nil
}

func (s *Server) count(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h.ServeHTTP(w, r)
	})
}

func (s *Server) serveFeed(w http.ResponseWriter, r *http.Request, port, ports int) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".xml")
	n, err := strconv.Atoi(name)
	if !ok || err != nil || n < 0 || n%ports != port {
		http.NotFound(w, r)
		return
	}
	s.mu.RLock()
	if n >= len(s.feeds) {
		s.mu.RUnlock()
		http.NotFound(w, r)
		return
	}
	f := s.feeds[n]
	body, etag, modified := f.body, f.etag, f.modified
	s.mu.RUnlock()
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("ETag", etag)
	// ServeContent answers If-None-Match and If-Modified-Since with 304, as news sites do.
	http.ServeContent(w, r, "", modified, bytes.NewReader(body))
}

// URLs returns the feeds' addresses, feed n at index n.
func (s *Server) URLs() []string { return slices.Clone(s.urls) }

// Requests returns how many requests the server has answered, 304s and 404s included.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Add puts items into feed n as its newest (an item without a date is dated now), which changes the
// feed's ETag and Last-Modified.
func (s *Server) Add(n int, items ...Article) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	f := s.feeds[n]
	for _, a := range items {
		if a.Published.IsZero() {
			a.Published = now
		}
		f.items = append(f.items, a)
	}
	f.render(now)
}

// Close stops every port at once.
func (s *Server) Close() {
	for _, srv := range s.servers {
		srv.Close()
	}
}
