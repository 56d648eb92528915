package fetch

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Kind is what a source is and so how it is read.
type Kind string

const (
	Feed     Kind = "feed"     // RSS, Atom or JSON Feed
	Sitemap  Kind = "sitemap"  // a (Google News) sitemap, or a sitemap index pointing at a few
	Page     Kind = "page"     // one web page, its article text extracted
	Search   Kind = "search"   // a news aggregator's search feed for Request.Query
	Mastodon Kind = "mastodon" // a status search on the account's Mastodon server
	Bluesky  Kind = "bluesky"  // a post search through the account's Bluesky server
)

// Credentials are a connected account's, for Mastodon and Bluesky: the server's base URL and
// an access token (Bluesky: the session's accessJwt).
type Credentials struct{ BaseURL, Token string }

// Request is one fetch of one source.
type Request struct {
	Kind         Kind
	URL          string
	Query        string // Search, Mastodon, Bluesky
	Aggregator   string // Search: key of an aggregator in Aggregators
	Language     string // "id" or "en": Search picks the aggregator's edition
	ETag         string // from the previous successful fetch: sent as If-None-Match
	LastModified string // from the previous successful fetch: sent as If-Modified-Since
	Credentials  Credentials
}

// Item is one story, post or page.
type Item struct {
	URL       string    // absolute link to the story
	Canonical string    // rel=canonical / the feed's guid when it is a URL; "" when unknown
	Title     string    // plain text
	Author    string    // plain text
	Published time.Time // UTC; zero when the source gives none
	Summary   string    // plain text on one line, at most MaxSummary bytes
	Text      string    // plain text of the body when the source gives it, else ""; at most MaxText bytes
	Lang      string    // "id", "en", … when the source says; "" when unknown
	Image     string    // lead image URL when given
}

// Result is what one fetch found.
type Result struct {
	NotModified  bool   // 304: nothing new, Items empty
	ETag         string // to store for next time
	LastModified string // to store for next time
	Title        string // the feed's or page's title (to name the source)
	Items        []Item
}

// Limits on one item's text. A description longer than MaxSummary, from a source that gives
// no separate body, goes whole into Text and shortened into Summary.
const (
	MaxText    = 20000
	MaxSummary = 2000
)

// Defaults of Options.
const (
	DefaultGap      = time.Second
	DefaultMaxItems = 200
)

// Options tune a Fetcher.
type Options struct {
	// Gap is the least pause between the end of one request and the start of the next to the
	// same host. 0 means DefaultGap; a negative Gap means no pause (tests, trusted APIs).
	Gap time.Duration
	// UserAgent, when set, replaces the client's User-Agent.
	UserAgent string
	// MaxItems is the most items one fetch returns; 0 or less means DefaultMaxItems.
	MaxItems int
}

// Fetcher reads sources. It is safe for concurrent use.
type Fetcher struct {
	client *http.Client
	opts   Options
	gates  *gates
}

// New returns a Fetcher sending its requests through client, which should be the SSRF-safe
// client of internal/platform/netsafe: its timeout and size limit are the ones that apply.
func New(client *http.Client, opts Options) *Fetcher {
	if opts.Gap == 0 {
		opts.Gap = DefaultGap
	}
	if opts.MaxItems <= 0 {
		opts.MaxItems = DefaultMaxItems
	}
	return &Fetcher{client: client, opts: opts, gates: newGates(opts.Gap)}
}

// Fetch reads one source. Errors are *Error.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (*Result, error) {
	switch req.Kind {
	case Feed:
		return f.fetchFeed(ctx, req.URL, req)
	case Search:
		u, err := SearchURL(req.Aggregator, req.Query, req.Language)
		if err != nil {
			return nil, err
		}
		return f.fetchFeed(ctx, u, req)
	case Sitemap:
		return f.fetchSitemap(ctx, req)
	case Page:
		return f.fetchPage(ctx, req)
	case Mastodon:
		return f.searchMastodon(ctx, req)
	case Bluesky:
		return f.searchBluesky(ctx, req)
	}
	return nil, newError(ErrUnknownKind, "kind "+string(req.Kind), map[string]any{"Kind": string(req.Kind)})
}

// Accept headers per kind of answer wanted.
const (
	acceptFeed    = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
	acceptSitemap = "application/xml, text/xml;q=0.9, */*;q=0.5"
	acceptHTML    = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
	acceptJSON    = "application/json"
)

// response is a fetched answer with its whole body.
type response struct {
	status int
	header http.Header
	url    *url.URL // after redirects
	body   []byte
}

// call is one GET.
type call struct {
	url     string
	accept  string
	etag    string // sent as If-None-Match
	lastMod string // sent as If-Modified-Since
	token   string // sent as a Bearer token
	network string // the account's network, for API calls: 401 and 403 refuse the token
}

// maxErrorBody bounds what is read of an answer that is an error.
const maxErrorBody = 64 << 10

// get makes c in the host's turn and reads the whole body. Statuses other than 2xx and 304 are
// errors, except that an API's 400 is returned for the caller to read.
func (f *Fetcher) get(ctx context.Context, c call) (*response, error) {
	u, err := url.Parse(c.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		detail := c.url
		if err != nil {
			detail = err.Error()
		}
		return nil, newError(ErrBadURL, detail, map[string]any{"URL": c.url})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, newError(ErrBadURL, err.Error(), map[string]any{"URL": c.url})
	}
	req.Header.Set("Accept", c.accept)
	if f.opts.UserAgent != "" {
		req.Header.Set("User-Agent", f.opts.UserAgent)
	}
	if c.etag != "" {
		req.Header.Set("If-None-Match", c.etag)
	}
	if c.lastMod != "" {
		req.Header.Set("If-Modified-Since", c.lastMod)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}

	done, err := f.gates.acquire(ctx, hostKey(u))
	if err != nil {
		return nil, transportError(ctx, u.Hostname(), c.url, err)
	}
	defer done()
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, transportError(ctx, u.Hostname(), c.url, err)
	}
	defer resp.Body.Close()
	out := &response{status: resp.StatusCode, header: resp.Header, url: resp.Request.URL}
	ok := resp.StatusCode/100 == 2
	if !ok && resp.StatusCode != http.StatusNotModified &&
		!(c.network != "" && resp.StatusCode == http.StatusBadRequest) {
		// Read a little so the connection can be reused, then give the status.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return nil, statusError(resp, c.url, c.network)
	}
	var body io.Reader = resp.Body
	if !ok {
		body = io.LimitReader(resp.Body, maxErrorBody)
	}
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n < 8<<20 {
		buf.Grow(int(n) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(body); err != nil {
		return nil, transportError(ctx, u.Hostname(), c.url, err)
	}
	out.body = buf.Bytes()
	return out, nil
}

// hostKey is what politeness counts as one host: the host and port, the port made explicit.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// notModified is the Result of a 304; validators the server did not repeat are kept.
func notModified(resp *response, req Request) *Result {
	r := &Result{NotModified: true, ETag: req.ETag, LastModified: req.LastModified}
	if v := resp.header.Get("ETag"); v != "" {
		r.ETag = v
	}
	if v := resp.header.Get("Last-Modified"); v != "" {
		r.LastModified = v
	}
	return r
}

// validators copies the answer's ETag and Last-Modified into r.
func (r *Result) validators(resp *response) {
	r.ETag = resp.header.Get("ETag")
	r.LastModified = resp.header.Get("Last-Modified")
}

// finish drops items without a link and repeated links, orders the rest newest first (undated
// items after the dated ones, in the source's order) and keeps at most max.
func finish(items []Item, limit int) []Item {
	seen := make(map[string]bool, len(items))
	out := items[:0]
	for _, it := range items {
		if it.URL == "" || seen[it.URL] {
			continue
		}
		seen[it.URL] = true
		out = append(out, it)
	}
	slices.SortStableFunc(out, func(a, b Item) int {
		switch {
		case a.Published.IsZero() && b.Published.IsZero():
			return 0
		case a.Published.IsZero():
			return 1
		case b.Published.IsZero():
			return -1
		}
		return b.Published.Compare(a.Published)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// resolve makes ref absolute against base; "" when it cannot be read or is not http(s).
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}
