package fetch

import (
	"bytes"
	"cmp"
	"context"
	"mime"
	"net/http"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// Found is a feed or sitemap Discover found.
type Found struct {
	URL   string
	Title string
	Kind  Kind
}

// head is what a page's <head> says about it.
type head struct {
	title     string
	canonical string
	lang      string
	feeds     []Found
}

// feedTypes are the <link rel=alternate> types that name a feed.
var feedTypes = map[string]bool{
	"application/rss+xml": true, "application/atom+xml": true, "application/feed+json": true,
	"application/json": true, "application/rdf+xml": true,
}

// scanHead reads the links and title of an HTML page with the tokenizer, resolving links against
// base (or the page's <base href>).
func scanHead(body []byte, base *url.URL) head {
	var h head
	seen := map[string]bool{}
	z := html.NewTokenizer(bytes.NewReader(body))
	inTitle := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return h
		case html.TextToken:
			if inTitle && h.title == "" {
				h.title = collapse(string(z.Text()))
			}
		case html.EndTagToken:
			inTitle = false
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			inTitle = a == atom.Title
			if !hasAttr || (a != atom.Link && a != atom.Base && a != atom.Html) {
				continue
			}
			attrs := map[string]string{}
			for {
				k, v, more := z.TagAttr()
				attrs[string(k)] = string(v)
				if !more {
					break
				}
			}
			switch a {
			case atom.Html:
				h.lang = normLang(attrs["lang"])
			case atom.Base:
				if u, err := url.Parse(strings.TrimSpace(attrs["href"])); err == nil && base != nil {
					base = base.ResolveReference(u)
				}
			case atom.Link:
				rel := " " + strings.ToLower(attrs["rel"]) + " "
				href := resolve(base, attrs["href"])
				if href == "" {
					continue
				}
				if strings.Contains(rel, " canonical ") && h.canonical == "" {
					h.canonical = href
				}
				mt, _, _ := mime.ParseMediaType(attrs["type"])
				if strings.Contains(rel, " alternate ") && feedTypes[mt] && !seen[href] {
					seen[href] = true
					h.feeds = append(h.feeds, Found{URL: href, Title: collapse(attrs["title"]), Kind: Feed})
				}
			}
		}
	}
}

// Discover finds the feeds a web page links to (<link rel=alternate> of an RSS, Atom or JSON
// Feed type), in the page's order. When pageURL is itself a feed or a sitemap, that is what it
// returns. A page that links no feed gives an empty list.
func (f *Fetcher) Discover(ctx context.Context, pageURL string) ([]Found, error) {
	resp, err := f.get(ctx, call{url: pageURL, accept: acceptHTML + ", " + acceptFeed})
	if err != nil {
		return nil, err
	}
	body, cerr := toUTF8(resp.body, resp.header.Get("Content-Type"))
	if cerr != nil {
		body = resp.body // links are ASCII: an unknown charset does not hide them
	}
	switch sniff(body) {
	case "rss", "rdf", "feed", "json":
		res, err := f.parseFeed(resp)
		if err != nil {
			return nil, err
		}
		return []Found{{URL: resp.url.String(), Title: res.Title, Kind: Feed}}, nil
	case "urlset", "sitemapindex":
		sm, err := parseSitemap(resp)
		if err != nil {
			return nil, err
		}
		return []Found{{URL: resp.url.String(), Title: sm.publication, Kind: Sitemap}}, nil
	}
	return scanHead(body, resp.url).feeds, nil
}

func (f *Fetcher) fetchPage(ctx context.Context, req Request) (*Result, error) {
	resp, err := f.get(ctx, call{url: req.URL, accept: acceptHTML, etag: req.ETag, lastMod: req.LastModified})
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusNotModified {
		return notModified(resp, req), nil
	}
	ctype := resp.header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ctype)
	enc, _, _ := charset.DetermineEncoding(resp.body, ctype)
	body, err := enc.NewDecoder().Bytes(resp.body)
	if err != nil {
		body = resp.body
	}
	if !strings.Contains(mt, "html") && sniff(body) != "html" {
		return nil, newError(ErrNotHTML, resp.url.String()+": "+ctype, map[string]any{"Type": cmp.Or(mt, "?")})
	}
	h := scanHead(body, resp.url)
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil { // the HTML parser takes any input; only a failing reader gets here
		return nil, newError(ErrNotHTML, resp.url.String()+": "+err.Error(), map[string]any{"Type": mt})
	}
	parser := readability.NewParser()
	article, err := parser.ParseAndMutate(doc, resp.url)
	if err != nil {
		return nil, newError(ErrNotHTML, resp.url.String()+": "+err.Error(), map[string]any{"Type": mt})
	}
	item := Item{
		URL:       resp.url.String(),
		Canonical: h.canonical,
		Title:     cmp.Or(collapse(article.Title()), h.title),
		Author:    cut(collapse(article.Byline()), maxAuthor),
		Summary:   shorten(collapse(article.Excerpt()), MaxSummary),
		Lang:      cmp.Or(normLang(article.Language()), h.lang),
		Image:     resolve(resp.url, article.ImageURL()),
	}
	if t, err := article.PublishedTime(); err == nil {
		item.Published = t.UTC()
	}
	if article.Node != nil {
		item.Text = nodeText(article.Node, MaxText)
	}
	res := &Result{Title: item.Title, Items: []Item{item}}
	res.validators(resp)
	return res, nil
}
