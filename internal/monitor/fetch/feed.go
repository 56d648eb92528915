package fetch

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
)

// Lengths of a title and an author kept; longer ones are a site's mistake.
const (
	maxTitle  = 1000
	maxAuthor = 200
)

func (f *Fetcher) fetchFeed(ctx context.Context, rawURL string, req Request) (*Result, error) {
	resp, err := f.get(ctx, call{url: rawURL, accept: acceptFeed, etag: req.ETag, lastMod: req.LastModified})
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusNotModified {
		return notModified(resp, req), nil
	}
	res, err := f.parseFeed(resp)
	if err != nil {
		return nil, err
	}
	res.validators(resp)
	return res, nil
}

// parseFeed reads a feed answer, or says what the answer is instead.
func (f *Fetcher) parseFeed(resp *response) (*Result, error) {
	body, cerr := toUTF8(resp.body, resp.header.Get("Content-Type"))
	if cerr != nil {
		cerr.Detail = resp.url.String() + ": " + cerr.Detail
		return nil, cerr
	}
	detail := resp.url.String()
	root := sniff(body)
	switch root {
	case "rss", "rdf", "feed":
	case "json":
		// Any JSON parses as an empty JSON Feed: only a declared version makes it one.
		if !bytes.Contains(body, []byte("jsonfeed.org/version")) {
			return nil, newError(ErrNotAFeed, detail+": JSON without a JSON Feed version", map[string]any{"Page": false, "Feed": ""})
		}
	case "urlset", "sitemapindex":
		return nil, newError(ErrIsSitemap, detail+": <"+root+">", nil)
	case "html":
		suggestion := ""
		if found := scanHead(body, resp.url).feeds; len(found) > 0 {
			suggestion = found[0].URL
		}
		return nil, newError(ErrNotAFeed, detail+": an HTML page", map[string]any{"Page": true, "Feed": suggestion})
	default:
		return nil, newError(ErrNotAFeed, detail+": root <"+root+">", map[string]any{"Page": false, "Feed": ""})
	}

	p := gofeed.NewParser()
	// The translator's own image scan parses every item's HTML once more; htmlText finds the
	// first image while reading the text anyway.
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	feed, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		if root == "json" {
			return nil, newError(ErrBrokenJSON, detail+": "+err.Error(), nil)
		}
		return nil, newError(ErrBrokenXML, detail+": "+err.Error(), map[string]any{"Line": syntaxLine(err)})
	}
	return &Result{Title: plain(feed.Title, maxTitle), Items: finish(feedItems(feed, resp.url), f.opts.MaxItems)}, nil
}

// feedItems turns gofeed's items into Items, links resolved against base.
func feedItems(feed *gofeed.Feed, base *url.URL) []Item {
	lang := normLang(feed.Language)
	if lang == "" && feed.DublinCoreExt != nil && len(feed.DublinCoreExt.Language) > 0 {
		lang = normLang(feed.DublinCoreExt.Language[0])
	}
	items := make([]Item, 0, len(feed.Items))
	for _, it := range feed.Items {
		item := Item{Title: plain(it.Title, maxTitle), Lang: lang}
		link := it.Link
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		item.URL = resolve(base, link)
		if isURL(it.GUID) {
			item.Canonical = resolve(nil, it.GUID)
			if item.URL == "" {
				item.URL = item.Canonical
			}
		}
		if item.URL == "" {
			continue
		}
		if len(it.Authors) > 0 && it.Authors[0] != nil {
			item.Author = plain(it.Authors[0].Name, maxAuthor)
			if item.Author == "" {
				item.Author = plain(it.Authors[0].Email, maxAuthor)
			}
		}
		if it.PublishedParsed != nil {
			item.Published = it.PublishedParsed.UTC()
		} else if it.UpdatedParsed != nil {
			item.Published = it.UpdatedParsed.UTC()
		}

		var contentImage, descImage string
		if it.Content != "" {
			item.Text, contentImage = htmlText(it.Content, true, MaxText)
		}
		desc, descImage := htmlText(it.Description, true, MaxText)
		summary := strings.ReplaceAll(desc, "\n\n", " ")
		switch {
		case item.Text == "" && len(summary) > MaxSummary:
			item.Text = desc // the whole story sits in the description
		case summary == "" && item.Text != "":
			summary = strings.ReplaceAll(cut(item.Text, MaxSummary+len("…")), "\n\n", " ")
		}
		item.Summary = shorten(summary, MaxSummary)

		switch {
		case it.Image != nil && it.Image.URL != "":
			item.Image = resolve(base, it.Image.URL)
		case mediaThumbnail(it.Extensions) != "":
			item.Image = resolve(base, mediaThumbnail(it.Extensions))
		case contentImage != "":
			item.Image = resolve(base, contentImage)
		case descImage != "":
			item.Image = resolve(base, descImage)
		}
		items = append(items, item)
	}
	return items
}

// mediaThumbnail is the url of a Media RSS thumbnail, directly in the item or in a media:group.
func mediaThumbnail(e ext.Extensions) string {
	media := e["media"]
	if media == nil {
		return ""
	}
	for _, t := range media["thumbnail"] {
		if u := t.Attrs["url"]; u != "" {
			return u
		}
	}
	for _, g := range media["group"] {
		for _, t := range g.Children["thumbnail"] {
			if u := t.Attrs["url"]; u != "" {
				return u
			}
		}
	}
	return ""
}

// isURL says whether s is an absolute http(s) link (a guid that is a permalink).
func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// normLang is the primary language subtag of a language tag ("id-ID" is "id"); "in", the old
// code for Indonesian, is "id". "" when s is no tag.
func normLang(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	s = strings.ToLower(s)
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return ""
		}
	}
	if s == "in" {
		return "id"
	}
	return s
}

// sniff names what a body is by its first element, lower case and without a namespace prefix
// ("rss", "feed", "urlset", "html"), or "json" for a JSON document; "" when it cannot tell.
func sniff(b []byte) string {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return ""
	}
	if b[0] == '{' || b[0] == '[' {
		return "json"
	}
	for len(b) > 0 && b[0] == '<' {
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			b = after(b, "?>")
		case bytes.HasPrefix(b, []byte("<!--")):
			b = after(b, "-->")
		case bytes.HasPrefix(b, []byte("<!")):
			if len(b) >= 14 && bytes.EqualFold(b[:14], []byte("<!doctype html")) {
				return "html"
			}
			b = after(b, ">")
		default:
			end := bytes.IndexAny(b[1:], " \t\r\n/>")
			if end < 0 {
				return ""
			}
			name := b[1 : 1+end]
			if i := bytes.IndexByte(name, ':'); i >= 0 {
				name = name[i+1:]
			}
			return strings.ToLower(string(name))
		}
		b = bytes.TrimLeft(b, " \t\r\n")
	}
	// Text before any element: an HTML page without a doctype, or not markup at all.
	head := b[:min(len(b), 1024)]
	if bytes.Contains(bytes.ToLower(head), []byte("<html")) {
		return "html"
	}
	return ""
}

// after is b after the first sep, or nothing.
func after(b []byte, sep string) []byte {
	i := bytes.Index(b, []byte(sep))
	if i < 0 {
		return nil
	}
	return b[i+len(sep):]
}

// ParseFeed reads a feed document already at hand (a saved copy, the demo's fixtures) exactly as
// Fetch reads one from its address; feedURL resolves relative links.
func (f *Fetcher) ParseFeed(body []byte, feedURL string) (*Result, error) {
	u, err := url.Parse(feedURL)
	if err != nil {
		return nil, newError(ErrBadURL, feedURL, nil)
	}
	return f.parseFeed(&response{status: 200, header: http.Header{"Content-Type": {"application/xml"}}, url: u, body: body})
}
