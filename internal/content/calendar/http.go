package calendar

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// Handlers serve the calendar pages, the feed and the API.
type Handlers struct {
	s       *Service
	srv     *web.Server
	pages   *web.Pages
	baseURL string
	now     func() time.Time
}

// NewHandlers parses the templates; baseURL makes the feed's links absolute.
func NewHandlers(s *Service, srv *web.Server, baseURL string) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	return &Handlers{s: s, srv: srv, pages: pages, baseURL: strings.TrimRight(baseURL, "/"), now: time.Now}, err
}

// Routes are the calendar pages and the feed. The feed is public: calendar applications cannot
// sign in, so its secret URL is the key.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/calendar", Perm: access.ContentView, Handler: h.page},
		{Method: "POST", Path: "/w/{ws}/calendar/move", Perm: access.ContentSchedule, Handler: h.move},
		{Method: "GET", Path: "/w/{ws}/calendar/feed", Perm: access.ContentView, Handler: h.feedPage},
		{Method: "POST", Path: "/w/{ws}/calendar/feed", Perm: access.ContentView, Handler: h.resetFeed},
		{Method: "POST", Path: "/w/{ws}/calendar/feed/revoke", Perm: access.ContentView, Handler: h.revokeFeed},
		{Method: "GET", Path: "/calendar/{token}", Perm: access.Public, Handler: h.ics},
	}
}

// viewKeys are the query parameters that say what the page shows; a move returns to them.
var viewKeys = []string{"view", "date", "channel", "campaign", "label", "status", "owner"}

func viewQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range viewKeys {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// owner is a person in the owner filter.
type owner struct {
	ID   int64
	Name string
}

type pageData struct {
	Layout
	Heading   string
	Weekdays  []int
	Views     []string
	Zone      string
	ZoneAbbr  string
	Count     int
	Filter    Filter
	Campaigns []campaign.Campaign
	Owners    []owner
	Statuses  []content.Status
	Networks  []channel.Rules
	Lang      string
	query     url.Values
	// A refused move: the entry, what was typed and why, in the reader's words. Elsewhere is set
	// when the page has no move form of that entry to show the reason beside.
	Failed    string
	FailedAt  string
	MoveError string
	Elsewhere bool
}

// URL is the page for another view or date, keeping the filters.
func (d pageData) URL(view, date string) string {
	q := viewQuery(d.query)
	q.Set("view", view)
	q.Del("date")
	if date != "" {
		q.Set("date", date)
	}
	return "?" + q.Encode()
}

// Back is where a move returns to: this page as it is.
func (d pageData) Back() string { return viewQuery(d.query).Encode() }

// MoveValue is the move form's date and time: what was typed when it was refused, else the entry's.
func (d pageData) MoveValue(e Entry) string {
	if d.Failed == e.Key() {
		return d.FailedAt
	}
	return e.At.In(d.Span.Zone).Format(inputLayout)
}

// Clock is an hour row's label: "09.00" in Indonesian, "09:00" in English.
func (d pageData) Clock(c string) string {
	if d.Lang == "id" {
		return strings.Replace(c, ":", ".", 1)
	}
	return c
}

const inputLayout = "2006-01-02T15:04"

func (h *Handlers) page(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, r.URL.Query(), nil)
}

// render shows the calendar for query q; refused carries a move that was refused.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, q url.Values, refused *pageData) error {
	p := web.PrincipalOf(r)
	l := web.LocaleOf(r)
	zone := zoneOf(p)
	now := h.now()
	date := now
	if t, err := time.ParseInLocation(dateLayout, q.Get("date"), zone); err == nil {
		date = t
	}
	view := q.Get("view")
	f := FilterOf(q)
	span := SpanOf(view, date, zone)
	// Owners come from the entries before the owner filter, so the choice lists who has something here.
	everyone := f
	everyone.OwnerID = 0
	all, err := h.s.Entries(r.Context(), p.WorkspaceID, span, everyone)
	if err != nil {
		return err
	}
	var entries []Entry
	seen := map[int64]bool{}
	d := pageData{Zone: zone.String(), ZoneAbbr: now.In(zone).Format("MST"), Filter: f, Statuses: content.Statuses,
		Networks: channel.Networks, Weekdays: []int{1, 2, 3, 4, 5, 6, 0}, Views: []string{Month, Week, List}, Lang: l.Lang, query: q}
	for _, e := range all {
		if e.OwnerID != 0 && !seen[e.OwnerID] {
			seen[e.OwnerID] = true
			d.Owners = append(d.Owners, owner{e.OwnerID, cmp.Or(e.Owner, strconv.FormatInt(e.OwnerID, 10))})
		}
		if f.Match(e) {
			entries = append(entries, e)
		}
	}
	slices.SortFunc(d.Owners, func(a, b owner) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	if d.Campaigns, err = h.s.Campaigns(r.Context(), p.WorkspaceID); err != nil {
		return err
	}
	d.Layout = Lay(view, date, zone, entries, now)
	d.Count = len(entries)
	d.Heading = heading(l, d.Layout)
	if refused != nil {
		d.Failed, d.FailedAt, d.MoveError, d.Elsewhere = refused.Failed, refused.FailedAt, refused.MoveError, true
		for _, e := range entries {
			if e.Key() == d.Failed && e.Movable {
				d.Elsewhere = false
			}
		}
	}
	return h.pages.Render(w, r, status, "calendar.html", "calendar.title", d, nil)
}

// heading names what the view shows: "Desember 2026", or the week's first and last day.
func heading(l *i18n.Locale, lay Layout) string {
	if lay.View == Week {
		return l.T("calendar.week_of", "From", l.Date(lay.Span.From), "To", l.Date(lay.Span.To.AddDate(0, 0, -1)))
	}
	return l.T(fmt.Sprintf("date.month.%d", lay.Date.Month())) + " " + strconv.Itoa(lay.Date.Year())
}

func zoneOf(p *web.Principal) *time.Location {
	if p == nil || p.Zone == nil {
		return time.UTC
	}
	return p.Zone
}

// parseAt reads a datetime-local value in zone (seconds allowed, as browsers send with a step).
func parseAt(s string, zone *time.Location) (time.Time, bool) {
	for _, layout := range []string{inputLayout, "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), zone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// move reschedules an entry from its move form or a drag (calendar.js fills the same form). A
// refusal comes back on the calendar with the reason beside that entry's field and the time kept.
func (h *Handlers) move(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	l := web.LocaleOf(r)
	zone := zoneOf(p)
	f := web.ParseForm(r)
	back, _ := url.ParseQuery(f.Get("back"))
	back = viewQuery(back)
	key, typed := f.Get("entry"), f.Get("at")
	at, ok := parseAt(typed, zone)
	var err error = ErrBadTime
	if ok {
		err = h.s.Move(r.Context(), web.ActorOf(r), p.WorkspaceID, key, at, zone)
	}
	if err != nil {
		reason, ok := refusal(l, err)
		if !ok {
			return err
		}
		return h.render(w, r, http.StatusUnprocessableEntity, back, &pageData{Failed: key, FailedAt: typed, MoveError: reason})
	}
	h.srv.AddFlashText(r, "ok", l.T("calendar.moved", "When", l.LongDateTime(at)))
	return web.Redirect(w, r, web.WorkspacePath(r, "/calendar?"+back.Encode()))
}

// refusal is why a domain refused a move, in the reader's words; false for a failure that is not
// the person's to fix.
func refusal(l *i18n.Locale, err error) (string, bool) {
	var ve *content.VariantError
	var msg interface{ Message(*i18n.Locale) string }
	var we *web.Error
	switch {
	case errors.As(err, &ve):
		var out []string
		for _, pr := range ve.Problems {
			out = append(out, pr.Message(l))
		}
		return strings.Join(out, " "), true
	case errors.As(err, &msg):
		return msg.Message(l), true
	case errors.As(err, &we) && we.Status < 500 && we.Status != http.StatusNotFound:
		return l.T(we.Key), true
	}
	return "", false
}

type feedData struct {
	Feed *Feed
	URL  string
}

func (h *Handlers) feedPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderFeed(w, r, "")
}

func (h *Handlers) renderFeed(w http.ResponseWriter, r *http.Request, secret string) error {
	p := web.PrincipalOf(r)
	feed, err := h.s.Feed(r.Context(), p.WorkspaceID, p.UserID)
	if err != nil {
		return err
	}
	d := feedData{Feed: feed}
	if secret != "" {
		// The address is shown on this response only; keep it out of caches.
		w.Header().Set("Cache-Control", "no-store")
		d.URL = h.baseURL + "/calendar/" + secret + ".ics"
	}
	return h.pages.Render(w, r, http.StatusOK, "feed.html", "calendar.feed.title", d, nil)
}

func (h *Handlers) resetFeed(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	secret, err := h.s.ResetFeed(r.Context(), web.ActorOf(r), p.WorkspaceID, p.UserID)
	if err != nil {
		return err
	}
	return h.renderFeed(w, r, secret)
}

func (h *Handlers) revokeFeed(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	if err := h.s.RevokeFeed(r.Context(), web.ActorOf(r), p.WorkspaceID, p.UserID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "calendar.feed.revoked")
	return web.Redirect(w, r, web.WorkspacePath(r, "/calendar/feed"))
}

// ics serves a feed: /calendar/wcal_….ics. Anything but a live secret is a plain 404.
func (h *Handlers) ics(w http.ResponseWriter, r *http.Request) error {
	secret, _ := strings.CutSuffix(r.PathValue("token"), ".ics")
	if !strings.HasPrefix(secret, tokenPrefix) {
		return web.ErrNotFound
	}
	now := h.now()
	o, entries, err := h.s.FeedEntries(r.Context(), secret, now)
	if err != nil {
		return err
	}
	l := h.srv.Bundle.Locale(o.Lang, o.Zone)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="warta.ics"`)
	w.Header().Set("Cache-Control", "private, max-age=300")
	return writeICS(w, o, entries, l, h.baseURL, now)
}
