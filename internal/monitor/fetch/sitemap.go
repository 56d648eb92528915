package fetch

import (
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// MaxSitemapChildren is how many sitemaps of a sitemap index are read, the most recently
// changed first: a news index lists today's sitemap first or newest, and older ones only repeat
// old stories.
const MaxSitemapChildren = 3

// smURL is a <url> of a sitemap, with Google News' <news:news> and Google Images' <image:image>
// (developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap).
type smURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
	News    struct {
		Publication struct {
			Name     string `xml:"name"`
			Language string `xml:"language"`
		} `xml:"publication"`
		Date  string `xml:"publication_date"`
		Title string `xml:"title"`
	} `xml:"news"`
	Images []struct {
		Loc string `xml:"loc"`
	} `xml:"image"`
}

// smRef is a <sitemap> of a sitemap index.
type smRef struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
}

// sitemap is one parsed sitemap file: items for a <urlset>, children for a <sitemapindex>.
type sitemap struct {
	items       []Item
	children    []smRef
	publication string // the news publication's name, to name the source
}

func (f *Fetcher) fetchSitemap(ctx context.Context, req Request) (*Result, error) {
	resp, err := f.get(ctx, call{url: req.URL, accept: acceptSitemap, etag: req.ETag, lastMod: req.LastModified})
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusNotModified {
		return notModified(resp, req), nil
	}
	sm, err := parseSitemap(resp)
	if err != nil {
		return nil, err
	}
	res := &Result{Title: sm.publication}
	res.validators(resp)
	items := sm.items
	if len(sm.children) > 0 {
		slices.SortStableFunc(sm.children, func(a, b smRef) int {
			return cmp.Compare(w3cTime(b.LastMod).Unix(), w3cTime(a.LastMod).Unix())
		})
		var failed error
		read := 0
		for _, c := range sm.children[:min(len(sm.children), MaxSitemapChildren)] {
			u := resolve(resp.url, c.Loc)
			if u == "" {
				continue
			}
			child, err := f.get(ctx, call{url: u, accept: acceptSitemap})
			var csm *sitemap
			if err == nil {
				csm, err = parseSitemap(child)
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil, err
				}
				failed = cmp.Or(failed, err)
				continue
			}
			// An index inside an index is not followed: one level is what news sites use.
			read++
			items = append(items, csm.items...)
			res.Title = cmp.Or(res.Title, csm.publication)
		}
		if read == 0 && failed != nil {
			return nil, failed
		}
	}
	res.Items = finish(items, f.opts.MaxItems)
	return res, nil
}

// parseSitemap reads a <urlset> or a <sitemapindex>.
func parseSitemap(resp *response) (*sitemap, error) {
	detail := resp.url.String()
	body, cerr := toUTF8(resp.body, resp.header.Get("Content-Type"))
	if cerr != nil {
		cerr.Detail = detail + ": " + cerr.Detail
		return nil, cerr
	}
	switch root := sniff(body); root {
	case "urlset", "sitemapindex":
	case "rss", "rdf", "feed":
		return nil, newError(ErrNotASitemap, detail+": a feed", map[string]any{"IsFeed": true})
	case "json":
		isFeed := bytes.Contains(body, []byte("jsonfeed.org/version"))
		return nil, newError(ErrNotASitemap, detail+": JSON", map[string]any{"IsFeed": isFeed})
	default:
		return nil, newError(ErrNotASitemap, detail+": root <"+root+">", map[string]any{"IsFeed": false})
	}

	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	sm := &sitemap{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, newError(ErrBrokenXML, detail+": "+err.Error(), map[string]any{"Line": syntaxLine(err)})
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch start.Name.Local {
		case "url":
			var u smURL
			if err := d.DecodeElement(&u, &start); err != nil {
				return nil, newError(ErrBrokenXML, detail+": "+err.Error(), map[string]any{"Line": syntaxLine(err)})
			}
			item := Item{
				URL:       resolve(resp.url, u.Loc),
				Title:     plain(u.News.Title, maxTitle),
				Published: w3cTime(cmp.Or(u.News.Date, u.LastMod)),
				Lang:      normLang(u.News.Publication.Language),
			}
			if len(u.Images) > 0 {
				item.Image = resolve(resp.url, u.Images[0].Loc)
			}
			sm.items = append(sm.items, item)
			if sm.publication == "" {
				sm.publication = collapse(u.News.Publication.Name)
			}
		case "sitemap":
			var r smRef
			if err := d.DecodeElement(&r, &start); err != nil {
				return nil, newError(ErrBrokenXML, detail+": "+err.Error(), map[string]any{"Line": syntaxLine(err)})
			}
			sm.children = append(sm.children, r)
		}
	}
	return sm, nil
}

// w3cLayouts are the W3C Datetime forms sitemaps use, and two common slips.
var w3cLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

// w3cTime reads a sitemap date in UTC; zero when it cannot.
func w3cTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range w3cLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
