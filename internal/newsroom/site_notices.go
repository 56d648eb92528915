package newsroom

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// statement is an official statement's page. The page speaks the visitor's language; the
// statement itself is marked with the language it is written in.
func (st *site) statement(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	return st.serve(w, r, v, v.key(r), func() (*page, error) {
		n, err := noticeByID(context.WithoutCancel(r.Context()), st.s.d, v.ws, id)
		switch {
		case errors.Is(err, db.ErrNotFound) || err == nil && n.Kind != Statement:
			return st.messagePage(v, http.StatusNotFound, v.L.T("newsroom.site.not_found_title"), v.L.T("newsroom.site.not_found_text"))
		case err != nil:
			return nil, err
		case n.WithdrawnAt != nil:
			return st.messagePage(v, http.StatusGone, v.L.T("newsroom.site.statement_gone_title"), v.L.T("newsroom.site.statement_gone_text"))
		}
		sv := st.view(v, n.Title)
		sv.Data = n
		sv.Description = noticeLead(n.Body)
		sv.Published, sv.Modified = n.PublishedAt, n.PublishedAt
		self := fmt.Sprintf("/statements/%d", n.ID)
		sv.withLangs(self)
		// One text in one language: it is its own canonical page and its only alternate.
		sv.Canonical = v.abs + self
		sv.Alternates = []alternate{{Lang: n.Lang, Href: sv.Canonical}}
		sv.JSONLD = map[string]any{
			"@context": "https://schema.org", "@type": "NewsArticle", "genre": v.L.T("newsroom.site.statement"),
			"headline": n.Title, "description": sv.Description, "inLanguage": n.Lang,
			"datePublished": sv.ISO(n.PublishedAt), "dateModified": sv.ISO(n.PublishedAt), "mainEntityOfPage": sv.Canonical,
			"publisher": map[string]any{"@type": "Organization", "name": sv.Name},
			"author":    map[string]any{"@type": "Organization", "name": sv.Name},
		}
		return st.render("statement.html", http.StatusOK, sv)
	})
}

// statusData is the status page: incidents not resolved, then those resolved in the last 90 days.
type statusData struct {
	Groups []incidentGroup
}

type incidentGroup struct {
	ID, Heading string
	Incidents   []incident
}

// status lists each incident with its updates, newest first.
func (st *site) status(w http.ResponseWriter, r *http.Request, v *visit) error {
	return st.serve(w, r, v, v.key(r), func() (*page, error) {
		sv := st.view(v, v.L.T("newsroom.site.status_title"))
		incidents := append([]incident(nil), sv.Incidents...)
		if err := withUpdates(context.WithoutCancel(r.Context()), st.s.d, v.ws, incidents); err != nil {
			return nil, err
		}
		active := incidentGroup{ID: "ongoing", Heading: "newsroom.site.status_ongoing"}
		resolved := incidentGroup{ID: "resolved", Heading: "newsroom.site.status_resolved"}
		for _, in := range incidents {
			switch {
			case len(in.Updates) == 0: // withdrawn since the list was read
			case in.Active():
				active.Incidents = append(active.Incidents, in)
			default:
				resolved.Incidents = append(resolved.Incidents, in)
			}
		}
		var d statusData
		for _, g := range []incidentGroup{active, resolved} {
			if len(g.Incidents) > 0 {
				d.Groups = append(d.Groups, g)
			}
		}
		sv.Data = d
		sv.Description = v.L.T("newsroom.site.status_intro", "Name", v.st.Name())
		sv.Current = "status"
		sv.withLangs("/status")
		return st.render("status.html", http.StatusOK, sv)
	})
}

// Banners are the incidents not resolved yet: every page shows them at its top.
func (sv *siteView) Banners() []incident {
	var out []incident
	for _, in := range sv.Incidents {
		if in.Active() {
			out = append(out, in)
		}
	}
	return out
}

// HasStatus reports whether the status page has anything to say, so the navigation links to it.
func (sv *siteView) HasStatus() bool { return len(sv.Incidents) > 0 }

// StateName is an incident's state in the page's language.
func (sv *siteView) StateName(s NoticeState) string { return sv.T(stateKey(s)) }

// stateKey names a state's words in the catalogs.
func stateKey(s NoticeState) string { return "newsroom.state." + string(s) }

// When is a day and time as the newsroom's visitors read it, in the newsroom's zone.
func (sv *siteView) When(t time.Time) string { return sv.L.LongDateTime(t) }

// NoticeHTML is a notice's plain text as escaped HTML.
func (sv *siteView) NoticeHTML(body string) template.HTML { return noticeHTML(body) }

// Lead is a notice's first paragraph, shortened.
func (sv *siteView) Lead(body string) string { return noticeLead(body) }

// Tel is a phone number as a tel: link needs it: digits and a leading plus.
func (sv *siteView) Tel(phone string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		return -1
	}, phone)
}
