package newsroom

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/feeds"
)

// feedSize is how many of the latest releases a feed carries.
const feedSize = 30

// feed is the newsroom's Atom or RSS feed: every public release and official statement, or the
// releases of ?topic=slug, in the visitor's language where a release has it.
func (st *site) feed(format string) func(w http.ResponseWriter, r *http.Request, v *visit) error {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		return st.serve(w, r, v, v.key(r, "topic"), func() (*page, error) {
			ctx := context.WithoutCancel(r.Context())
			topics, err := listTopics(ctx, st.s.d, v.ws)
			if err != nil {
				return nil, err
			}
			f := PublicFilter{Lang: v.lang, Limit: feedSize}
			title := v.st.Name()
			link := v.abs + "/"
			if slug := r.URL.Query().Get("topic"); slug != "" {
				for _, t := range topics {
					if t.Slug == slug {
						f.Topic = t.ID
						title += " — " + t.Name(v.lang)
						link = v.abs + "/?topic=" + t.Slug
					}
				}
				if f.Topic == 0 {
					return st.messagePage(v, http.StatusNotFound, v.L.T("newsroom.site.not_found_title"), v.L.T("newsroom.site.not_found_text"))
				}
			}
			stories, _, err := publicStories(ctx, st.s.d, v.ws, f, v.now)
			if err != nil {
				return nil, err
			}
			name := xmlText(v.st.Name())
			fd := &feeds.Feed{Title: xmlText(title), Link: &feeds.Link{Href: link}, Description: xmlText(v.st.Tagline(v.lang)),
				Id: v.abs + "/feed." + format + "?topic=" + url.QueryEscape(r.URL.Query().Get("topic")), Author: &feeds.Author{Name: name}}
			for _, s := range stories {
				u := fmt.Sprintf("%s/releases/%d", v.abs, s.ReleaseID)
				fd.Add(&feeds.Item{Title: xmlText(s.Headline), Link: &feeds.Link{Href: u}, Id: u, Description: html.EscapeString(xmlText(s.Lead)),
					Created: s.LiftAt, Updated: s.UpdatedAt, Content: xmlText(s.BodyHTML), Author: &feeds.Author{Name: name}})
				if fd.Updated.Before(s.UpdatedAt) {
					fd.Updated = s.UpdatedAt
				}
			}
			if f.Topic == 0 {
				statements, err := publicStatements(ctx, st.s.d, v.ws, time.Time{}, feedSize)
				if err != nil {
					return nil, err
				}
				for _, n := range statements {
					u := fmt.Sprintf("%s/statements/%d", v.abs, n.ID)
					fd.Add(&feeds.Item{Title: xmlText(v.L.T("newsroom.site.statement_of", "Title", n.Title)), Link: &feeds.Link{Href: u}, Id: u,
						Description: html.EscapeString(noticeLead(n.Body)), Created: n.PublishedAt, Updated: n.PublishedAt,
						Content: string(noticeHTML(n.Body)), Author: &feeds.Author{Name: name}})
					if fd.Updated.Before(n.PublishedAt) {
						fd.Updated = n.PublishedAt
					}
				}
				// Releases and statements together, newest first, as many as a feed carries.
				slices.SortStableFunc(fd.Items, func(a, b *feeds.Item) int { return b.Created.Compare(a.Created) })
				fd.Items = fd.Items[:min(len(fd.Items), feedSize)]
			}
			if fd.Updated.IsZero() {
				fd.Updated = v.st.UpdatedAt
			}
			var buf bytes.Buffer
			ctype := "application/atom+xml; charset=utf-8"
			if format == "rss" {
				ctype = "application/rss+xml; charset=utf-8"
				err = fd.WriteRss(&buf)
			} else {
				err = fd.WriteAtom(&buf)
			}
			if err != nil {
				return nil, err
			}
			return &page{status: http.StatusOK, ctype: ctype, body: buf.Bytes()}, nil
		})
	}
}

// sitemap lists the newsroom's pages and every public release version (sitemaps.org, with
// hreflang alternates for releases that have both languages).
func (st *site) sitemap(w http.ResponseWriter, r *http.Request, v *visit) error {
	return st.serve(w, r, v, v.key(r), func() (*page, error) {
		ctx := context.WithoutCancel(r.Context())
		type link struct {
			XMLName  xml.Name `xml:"xhtml:link"`
			Rel      string   `xml:"rel,attr"`
			Hreflang string   `xml:"hreflang,attr"`
			Href     string   `xml:"href,attr"`
		}
		type entry struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod,omitempty"`
			Links   []link
		}
		type urlset struct {
			XMLName xml.Name `xml:"urlset"`
			NS      string   `xml:"xmlns,attr"`
			XHTML   string   `xml:"xmlns:xhtml,attr"`
			URLs    []entry  `xml:"url"`
		}
		set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml"}
		for _, p := range []string{"/", "/kit"} {
			set.URLs = append(set.URLs, entry{Loc: v.abs + p})
		}
		incidents, err := incidentsOf(ctx, st.s.d, v.ws, v.now.Add(-resolvedKept))
		if err != nil {
			return nil, err
		}
		if len(incidents) > 0 {
			last := slices.MaxFunc(incidents, func(a, b incident) int { return a.Updated.Compare(b.Updated) })
			set.URLs = append(set.URLs, entry{Loc: v.abs + "/status", LastMod: last.Updated.Format(time.DateOnly)})
		}
		statements, err := publicStatements(ctx, st.s.d, v.ws, time.Time{}, 5000)
		if err != nil {
			return nil, err
		}
		for _, n := range statements {
			set.URLs = append(set.URLs, entry{Loc: fmt.Sprintf("%s/statements/%d", v.abs, n.ID), LastMod: n.PublishedAt.Format(time.DateOnly)})
		}
		rows, err := st.s.d.Query(ctx, `SELECT n.release_id, n.group_id, n.lang, n.updated_at FROM newsroom_releases n WHERE `+publicWhere+`
			ORDER BY n.lift_at DESC LIMIT 45000`, v.ws, v.now)
		if err != nil {
			return nil, err
		}
		type version struct {
			id   int64
			lang string
		}
		groups := map[int64][]version{}
		var entries []entry
		var groupOf []int64
		for rows.Next() {
			var id, group int64
			var lang string
			var updated time.Time
			if err := rows.Scan(&id, &group, &lang, &updated); err != nil {
				rows.Close()
				return nil, err
			}
			groups[group] = append(groups[group], version{id, lang})
			entries = append(entries, entry{Loc: v.abs + "/releases/" + strconv.FormatInt(id, 10), LastMod: updated.UTC().Format(time.DateOnly)})
			groupOf = append(groupOf, group)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for i := range entries {
			if vs := groups[groupOf[i]]; len(vs) > 1 {
				for _, x := range vs {
					entries[i].Links = append(entries[i].Links, link{Rel: "alternate", Hreflang: x.lang, Href: v.abs + "/releases/" + strconv.FormatInt(x.id, 10)})
				}
			}
		}
		set.URLs = append(set.URLs, entries...)
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		if err := xml.NewEncoder(&buf).Encode(set); err != nil {
			return nil, err
		}
		return &page{status: http.StatusOK, ctype: "application/xml; charset=utf-8", body: buf.Bytes()}, nil
	})
}

// xmlText drops the characters XML 1.0 forbids (control characters a pasted text may carry),
// which would make the whole feed unreadable.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r < 0xD800 || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return -1
	}, s)
}

// readableOn is black or white, whichever reads better on the colour hex (#rrggbb).
func readableOn(hex string) string {
	if luminance(hex) > 0.45 {
		return "#111111"
	}
	return "#ffffff"
}

// darkEnough is the accent colour for text on white: the colour itself when it contrasts enough
// (WCAG 4.5:1 needs a luminance of at most about 0.18), else a dark grey.
func darkEnough(hex string) string {
	if luminance(hex) <= 0.18 {
		return hex
	}
	return "#333333"
}

// luminance is the relative luminance of #rrggbb (WCAG 2).
func luminance(hex string) float64 {
	hex = strings.TrimPrefix(hex, "#")
	if len(hex) != 6 {
		return 0
	}
	var out float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		n, err := strconv.ParseUint(hex[i*2:i*2+2], 16, 8)
		if err != nil {
			return 0
		}
		c := float64(n) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		out += weight * c
	}
	return out
}
