package newsroom

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/newsroom/kit"
	"warta.dev/warta/internal/newsroom/subscribe"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// site renders the public newsroom.
type site struct {
	s     *Service
	pages map[string]*template.Template
	css   []byte

	subscribes perVisitor // subscription requests
	zips       perVisitor // whole media kits, each read from the media store
}

// perVisitor limits what one visitor address may ask for: a burst of five, then one per 20 s.
type perVisitor struct {
	mu     sync.Mutex
	limits map[string]*rate.Limiter
}

func (p *perVisitor) allow(r *http.Request) bool {
	ip := web.ClientIP(r)
	p.mu.Lock()
	defer p.mu.Unlock()
	l, ok := p.limits[ip]
	if !ok {
		if p.limits == nil || len(p.limits) > 10000 {
			p.limits = map[string]*rate.Limiter{}
		}
		l = rate.NewLimiter(rate.Every(20*time.Second), 5)
		p.limits[ip] = l
	}
	return l.Allow()
}

func newSite(s *Service) (*site, error) {
	css, err := fs.ReadFile(templates, "templates/site/site.css")
	if err != nil {
		return nil, err
	}
	st := &site{s: s, pages: map[string]*template.Template{}, css: css}
	names, err := fs.Glob(templates, "templates/site/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if path.Base(name) == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(siteFuncs).ParseFS(templates, "templates/site/layout.html", name)
		if err != nil {
			return nil, err
		}
		st.pages[path.Base(name)] = t
	}
	return st, nil
}

var siteFuncs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
}

// domainKey marks a request that came on the newsroom's own domain.
type domainKey struct{}

// OnDomain serves a newsroom's own domain: a request whose host is a newsroom's domain is
// answered by that newsroom's pages (its path under /newsroom/{slug}/); every other request goes
// to next. TLS for the domain is the reverse proxy's.
func (s *Service) OnDomain(next http.Handler) http.Handler {
	own := s.ownHost()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.ToLower(r.Host)
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host == own || host == "" || net.ParseIP(host) != nil || host == "localhost" {
			next.ServeHTTP(w, r)
			return
		}
		wsID, err := s.cache.byDomain(r.Context(), host)
		if err != nil || wsID == 0 {
			next.ServeHTTP(w, r)
			return
		}
		st, _, _, err := s.cache.state(r.Context(), wsID)
		if err != nil || !st.Enabled || st.Domain != host {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(context.WithValue(r.Context(), domainKey{}, true))
		r2.URL.Path = "/newsroom/" + st.Slug + r.URL.Path
		r2.URL.RawPath = ""
		next.ServeHTTP(w, r2)
	})
}

// PublicRoutes are the public newsroom's pages. Anyone may read them; what is not public yet is
// not there.
func (s *Service) PublicRoutes() []web.Route {
	p := "/newsroom/{slug}"
	page := func(h func(w http.ResponseWriter, r *http.Request, v *visit) error) web.Handler {
		return func(w http.ResponseWriter, r *http.Request) error {
			v, err := s.site.visitOf(r)
			if err != nil {
				return err
			}
			return h(w, r, v)
		}
	}
	st := s.site
	routes := []web.Route{
		{Method: "GET", Path: p, Perm: access.Public, Handler: func(w http.ResponseWriter, r *http.Request) error {
			return web.Redirect(w, r, r.URL.Path+"/")
		}},
		{Method: "GET", Path: p + "/{$}", Perm: access.Public, Handler: page(st.home)},
		{Method: "GET", Path: p + "/releases/{id}", Perm: access.Public, Handler: page(st.release)},
		{Method: "GET", Path: p + "/statements/{id}", Perm: access.Public, Handler: page(st.statement)},
		{Method: "GET", Path: p + "/status", Perm: access.Public, Handler: page(st.status)},
		{Method: "GET", Path: p + "/kit", Perm: access.Public, Handler: page(st.kitPage)},
		{Method: "GET", Path: p + "/kit.zip", Perm: access.Public, Handler: page(st.kitZip)},
		{Method: "GET", Path: p + "/files/{asset}/{name}", Perm: access.Public, Handler: page(st.file)},
		{Method: "GET", Path: p + "/feed.atom", Perm: access.Public, Handler: page(st.feed("atom"))},
		{Method: "GET", Path: p + "/feed.rss", Perm: access.Public, Handler: page(st.feed("rss"))},
		{Method: "GET", Path: p + "/sitemap.xml", Perm: access.Public, Handler: page(st.sitemap)},
		{Method: "GET", Path: p + "/robots.txt", Perm: access.Public, Handler: page(st.robots)},
		{Method: "GET", Path: p + "/theme.css", Perm: access.Public, Handler: page(st.theme)},
		{Method: "GET", Path: p + "/subscribe", Perm: access.Public, Handler: page(st.subscribeForm)},
		{Method: "POST", Path: p + "/subscribe", Perm: access.Public, Handler: page(st.subscribe)},
		{Method: "GET", Path: p + "/confirm/{token}", Perm: access.Public, Handler: page(st.confirmForm)},
		{Method: "POST", Path: p + "/confirm/{token}", Perm: access.Public, Handler: page(st.confirm)},
	}
	for i := range routes {
		routes[i].Stateless = true
	}
	return routes
}

// visit is one request to a newsroom: which one, in which language, and where its pages are.
type visit struct {
	ws       int64
	st       *Settings
	epoch    uint64
	nextLift time.Time
	// base is the path the newsroom's pages start with: "" on its own domain.
	base string
	// abs is the newsroom's public address, for canonical links, feeds and email links.
	abs       string
	lang      string
	langGiven bool
	L         *i18n.Locale
	now       time.Time
	// preview is the workspace slug when the app shows a release before it is public.
	preview string
}

func (st *site) visitOf(r *http.Request) (*visit, error) {
	slug := r.PathValue("slug")
	wsID, err := st.s.cache.bySlug(r.Context(), slug)
	if err != nil {
		return nil, err
	}
	set, epoch, next, err := st.s.cache.state(r.Context(), wsID)
	if err != nil {
		return nil, err
	}
	if !set.Enabled || set.Slug != slug {
		return nil, web.ErrNotFound
	}
	v := &visit{ws: wsID, st: set, epoch: epoch, nextLift: next, base: "/newsroom/" + slug, abs: st.s.URL(set), now: st.s.now().UTC()}
	if r.Context().Value(domainKey{}) != nil {
		v.base = ""
	}
	if l := i18n.Supported(r.URL.Query().Get("lang")); l != "" {
		v.lang, v.langGiven = l, true
	} else {
		v.lang = i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"), set.wsLang)
	}
	v.L = st.s.bundle.Locale(v.lang, zoneOf(set.wsZone))
	return v, nil
}

func zoneOf(name string) *time.Location {
	if z, err := i18n.LoadZone(name); err == nil {
		return z
	}
	return time.UTC
}

// key names a page in the cache: workspace, where its links point (own domain or path), path,
// the query parameters that matter, the language. Not the Host header: any host would miss.
func (v *visit) key(r *http.Request, params ...string) string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(v.ws, 10) + "|" + v.base + "|")
	b.WriteString(r.URL.Path)
	q := r.URL.Query()
	for _, p := range params {
		b.WriteString("|" + p + "=" + q.Get(p))
	}
	b.WriteString("|" + v.lang)
	return b.String()
}

// serve answers from the cache, rendering the page when the cached one is stale; it sets the
// ETag and answers 304 to a browser that has the page.
func (st *site) serve(w http.ResponseWriter, r *http.Request, v *visit, key string, render func() (*page, error)) error {
	p, err := st.s.cache.get(key, v.epoch, render)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", p.ctype)
	h.Set("ETag", p.etag)
	if !v.langGiven {
		h.Set("Vary", "Accept-Language")
	}
	if p.noStore {
		h.Set("Cache-Control", "no-cache")
	} else {
		// Browsers may keep a page a minute, never past the next lift.
		age := 60
		if !v.nextLift.IsZero() {
			age = min(age, int(v.nextLift.Sub(v.now).Seconds()))
		}
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(max(age, 0)))
	}
	if p.visit != 0 && !isBot(r) {
		st.s.countVisit(p.visit)
	}
	if match := r.Header.Get("If-None-Match"); match != "" && match == p.etag && p.status == http.StatusOK {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Length", strconv.Itoa(len(p.body)))
	w.WriteHeader(p.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.body)
	}
	return nil
}

// siteView is what every public page template receives.
type siteView struct {
	V           *visit
	L           *i18n.Locale
	Name        string
	Tagline     string
	Base        string
	Title       string
	Description string
	Canonical   string
	Alternates  []alternate
	// OG: the page's picture for link previews (absolute), and an article's times (zero on a
	// page that is no article).
	Image     string
	Published time.Time
	Modified  time.Time
	JSONLD    any
	Topics    []Topic
	LangLinks []langLink
	Data      any
	Form      *web.Form
	Current   string
	// Incidents are those on the status page: not resolved yet, or resolved lately.
	Incidents []incident

	key       string // the secret link's key of the release shown
	previewWS string // set in the app's preview: the workspace whose media library serves files
}

type alternate struct{ Lang, Href string }

type langLink struct {
	Lang, Label, Href string
	Current           bool
}

func (sv *siteView) T(key string, args ...any) string { return sv.L.T(key, args...) }

// Q adds the visitor's chosen language to a newsroom path, when they chose one.
func (sv *siteView) Q(p string) string {
	if !sv.V.langGiven {
		return sv.Base + p
	}
	sep := "?"
	if strings.Contains(p, "?") {
		sep = "&"
	}
	return sv.Base + p + sep + "lang=" + sv.V.lang
}

// Date is a day as the newsroom's visitors read it, in the newsroom's zone.
func (sv *siteView) Date(t time.Time) string { return sv.L.LongDate(t) }

// ISO is an instant for machines (datetime attributes, metadata).
func (sv *siteView) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// FileURL is where the newsroom serves a file; thumb asks for the small picture. A file of a
// release opened through its secret link carries the key; in the app's preview, files come from
// the media library.
func (sv *siteView) FileURL(f File, thumb bool) string {
	if sv.previewWS != "" {
		return fmt.Sprintf("/w/%s/media/%d/%s", sv.previewWS, f.AssetID, map[bool]string{true: "thumb", false: "file"}[thumb])
	}
	q := url.Values{}
	if thumb {
		q.Set("thumb", "1")
	}
	if sv.key != "" {
		q.Set("key", sv.key)
	}
	u := fmt.Sprintf("%s/files/%d/%s", sv.Base, f.AssetID, url.PathEscape(safeName(f.Name)))
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// KitURL is FileURL for a media kit file.
func (sv *siteView) KitURL(f kit.File, thumb bool) string {
	return sv.FileURL(File{AssetID: f.AssetID, Name: f.Filename}, thumb)
}

// Size is a file size as people read it.
func (sv *siteView) Size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// LangName names a language in the page's language.
func (sv *siteView) LangName(lang string) string {
	if lang == "en" {
		return sv.T("newsroom.site.lang_en")
	}
	return sv.T("newsroom.site.lang_id")
}

// TopicName names a topic id in the page's language.
func (sv *siteView) TopicName(id int64) string {
	for _, t := range sv.Topics {
		if t.ID == id {
			return t.Name(sv.V.lang)
		}
	}
	return ""
}

// HTML marks text that was sanitised when the copy was made.
func (sv *siteView) HTML(s string) template.HTML { return template.HTML(s) } // #nosec: sanitised by content.Render when copied

// Markdown renders and sanitises settings text (boilerplate, fact sheet).
func (sv *siteView) Markdown(s string) template.HTML { return content.Render(s) }

func safeName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" || name == "" {
		return "file"
	}
	return name
}

func (st *site) view(v *visit, title string) *siteView {
	sv := &siteView{V: v, L: v.L, Name: v.st.Name(), Tagline: v.st.Tagline(v.lang), Base: v.base, Title: title}
	sv.Topics, _ = listTopics(context.Background(), st.s.d, v.ws)
	sv.Incidents, _ = incidentsOf(context.Background(), st.s.d, v.ws, v.now.Add(-resolvedKept))
	return sv
}

// withLangs fills the language switch and hreflang alternates for a page that exists in both
// languages at p.
func (sv *siteView) withLangs(p string) {
	for _, l := range i18n.Languages {
		sep := "?"
		if strings.Contains(p, "?") {
			sep = "&"
		}
		href := sv.V.abs + p + sep + "lang=" + l
		sv.Alternates = append(sv.Alternates, alternate{Lang: l, Href: href})
		sv.LangLinks = append(sv.LangLinks, langLink{Lang: l, Label: sv.LangName(l), Href: sv.Base + p + sep + "lang=" + l, Current: l == sv.V.lang})
	}
	sv.Alternates = append(sv.Alternates, alternate{Lang: "x-default", Href: sv.V.abs + p})
	sv.Canonical = sv.V.abs + p
	if sv.V.langGiven {
		sv.Canonical = sv.V.abs + p + map[bool]string{true: "&", false: "?"}[strings.Contains(p, "?")] + "lang=" + sv.V.lang
	}
}

func (st *site) render(name string, status int, sv *siteView) (*page, error) {
	t, ok := st.pages[name]
	if !ok {
		return nil, fmt.Errorf("newsroom: no page %s", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, sv); err != nil {
		return nil, err
	}
	return &page{status: status, ctype: "text/html; charset=utf-8", body: buf.Bytes()}, nil
}

// write renders a page that is not cached (forms and their answers).
func (st *site) write(w http.ResponseWriter, name string, status int, sv *siteView) error {
	p, err := st.render(name, status, sv)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", p.ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.status)
	_, err = w.Write(p.body)
	return err
}

// message is a page that only says something: not yet published, withdrawn, not found.
type message struct {
	Heading, Text string
	Back          bool
}

func (st *site) messagePage(v *visit, status int, heading, text string) (*page, error) {
	sv := st.view(v, heading)
	sv.Data = message{Heading: heading, Text: text, Back: true}
	p, err := st.render("message.html", status, sv)
	if p != nil {
		p.noStore = true
	}
	return p, err
}

const perPage = 12

type homeData struct {
	// Statements are the official statements of the last 30 days, above the releases.
	Statements []Notice
	Featured   *Story
	Stories    []Story
	Total      int
	Page       int
	Pages      int
	Topic      Topic
	Year       int
	Years      []int
	Query      string
	Filtered   bool
}

// PageURL is the list's page n with the same filters.
func (d homeData) PageURL(sv *siteView, n int) string {
	q := url.Values{}
	if d.Topic.ID != 0 {
		q.Set("topic", d.Topic.Slug)
	}
	if d.Year != 0 {
		q.Set("year", strconv.Itoa(d.Year))
	}
	if d.Query != "" {
		q.Set("q", d.Query)
	}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return sv.Q("/")
	}
	return sv.Q("/?" + q.Encode())
}

func (st *site) home(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	return st.serve(w, r, v, v.key(r, "topic", "year", "q", "page"), func() (*page, error) {
		ctx := context.WithoutCancel(r.Context())
		sv := st.view(v, v.st.Name())
		d := homeData{Query: strings.TrimSpace(q.Get("q"))}
		if len([]rune(d.Query)) > 100 {
			d.Query = string([]rune(d.Query)[:100])
		}
		for _, t := range sv.Topics {
			if t.Slug == q.Get("topic") {
				d.Topic = t
			}
		}
		d.Year, _ = strconv.Atoi(q.Get("year"))
		d.Page, _ = strconv.Atoi(q.Get("page"))
		d.Page = min(max(d.Page, 1), 100000)
		d.Filtered = d.Topic.ID != 0 || d.Year != 0 || d.Query != ""
		var err error
		if d.Years, err = publicYears(ctx, st.s.d, v.ws, v.now); err != nil {
			return nil, err
		}
		f := PublicFilter{Lang: v.lang, Topic: d.Topic.ID, Year: d.Year, Query: d.Query, Offset: (d.Page - 1) * perPage, Limit: perPage}
		lead := !d.Filtered && d.Page == 1
		if lead {
			if d.Statements, err = publicStatements(ctx, st.s.d, v.ws, v.now.Add(-statementsRecent), 5); err != nil {
				return nil, err
			}
			// The featured story leads the first page: the one chosen, else the latest.
			featured, _, err := publicStories(ctx, st.s.d, v.ws, PublicFilter{Lang: v.lang, Featured: true, Limit: 1}, v.now)
			if err != nil {
				return nil, err
			}
			if len(featured) == 1 {
				d.Featured, f.Exclude = &featured[0], featured[0].GroupID
			}
		}
		if d.Stories, d.Total, err = publicStories(ctx, st.s.d, v.ws, f, v.now); err != nil {
			return nil, err
		}
		if lead && d.Featured == nil && len(d.Stories) > 0 {
			d.Featured, d.Stories = &d.Stories[0], d.Stories[1:]
		}
		d.Pages = max((d.Total+perPage-1)/perPage, 1)
		sv.Data = d
		sv.Description = v.st.Tagline(v.lang)
		sv.Current = "home"
		sv.withLangs("/")
		if d.Filtered || d.Page > 1 {
			sv.Canonical = sv.V.abs + strings.TrimPrefix(d.PageURL(sv, d.Page), sv.Base)
		}
		return st.render("home.html", http.StatusOK, sv)
	})
}

type releaseData struct {
	Story    *Story
	Siblings []Story
	Related  []Story
	Key      string
}

// SiblingURL links another language version, with the secret link when it is unlisted.
func (d releaseData) SiblingURL(sv *siteView, s Story) string {
	u := fmt.Sprintf("%s/releases/%d", sv.Base, s.ReleaseID)
	if s.Visibility == Unlisted {
		u += "?key=" + url.QueryEscape(s.Secret)
	}
	return u
}

func (st *site) release(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	// Everyone without a key gets the same cached page; a secret link is checked against the
	// database first, and a wrong key gets what everyone gets.
	cacheKey := v.key(r)
	key := r.URL.Query().Get("key")
	if key != "" {
		s, err := storyByID(r.Context(), st.s.d, v.ws, id)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if s != nil && s.Visibility == Unlisted && subtle.ConstantTimeCompare([]byte(key), []byte(s.Secret)) == 1 {
			cacheKey = v.key(r, "key")
		} else {
			key = ""
		}
	}
	return st.serve(w, r, v, cacheKey, func() (*page, error) {
		ctx := context.WithoutCancel(r.Context())
		s, err := storyByID(ctx, st.s.d, v.ws, id)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
		open := s != nil && !s.Gone && (s.Visibility == Public || s.Visibility == Unlisted && key != "")
		switch {
		case s != nil && s.Gone && s.Visibility != Hidden:
			return st.messagePage(v, http.StatusGone, v.L.T("newsroom.site.gone_title"), v.L.T("newsroom.site.gone_text"))
		case !open:
			// A release that exists but is not public yet says so; nothing else about it leaks.
			if _, err := st.s.releases.Get(ctx, v.ws, id); err == nil && (s == nil || s.Visibility != Hidden) {
				return st.messagePage(v, http.StatusNotFound, v.L.T("newsroom.site.not_yet_title"), v.L.T("newsroom.site.not_yet_text"))
			}
			return st.messagePage(v, http.StatusNotFound, v.L.T("newsroom.site.not_found_title"), v.L.T("newsroom.site.not_found_text"))
		case s.LiftAt.After(v.now):
			return st.messagePage(v, http.StatusNotFound, v.L.T("newsroom.site.not_yet_title"), v.L.T("newsroom.site.not_yet_text"))
		}
		p, err := st.releasePage(ctx, v, s, key)
		if p != nil {
			p.visit = s.ReleaseID
		}
		return p, err
	})
}

func (st *site) releasePage(ctx context.Context, v *visit, s *Story, key string) (*page, error) {
	// The page is in the release's language, whatever the visitor's.
	rv := *v
	rv.lang, rv.langGiven = s.Lang, false
	rv.L = st.s.bundle.Locale(s.Lang, v.L.Zone)
	sv := st.view(&rv, s.Headline)
	sv.key, sv.previewWS = key, v.preview
	d := releaseData{Story: s, Key: key}
	var err error
	if d.Siblings, err = siblings(ctx, st.s.d, v.ws, s.GroupID, s.ReleaseID, v.now); err != nil {
		return nil, err
	}
	// Only public siblings are linked from a public page; an unlisted page links its unlisted
	// siblings too (the visitor holds the group's secret link).
	kept := d.Siblings[:0]
	for _, x := range d.Siblings {
		if x.Visibility == Public || s.Visibility == Unlisted {
			kept = append(kept, x)
		}
	}
	d.Siblings = kept
	if s.Visibility == Public {
		f := PublicFilter{Lang: s.Lang, Limit: 3, Exclude: s.GroupID}
		if len(s.Topics) > 0 {
			f.Topic = s.Topics[0]
		}
		if d.Related, _, err = publicStories(ctx, st.s.d, v.ws, f, v.now); err != nil {
			return nil, err
		}
	}
	sv.Data = d
	sv.Published, sv.Modified = s.LiftAt, s.UpdatedAt
	sv.Description = s.Lead
	self := fmt.Sprintf("/releases/%d", s.ReleaseID)
	sv.Canonical = v.abs + self
	if s.Visibility == Public {
		sv.Alternates = append(sv.Alternates, alternate{Lang: s.Lang, Href: sv.Canonical})
		for _, x := range d.Siblings {
			sv.Alternates = append(sv.Alternates, alternate{Lang: x.Lang, Href: fmt.Sprintf("%s/releases/%d", v.abs, x.ReleaseID)})
		}
	}
	if imgs := s.Images(); len(imgs) > 0 {
		sv.Image = v.abs + strings.TrimPrefix(sv.FileURL(imgs[0], false), sv.Base)
	}
	sv.JSONLD = newsArticle(sv, s)
	p, err := st.render("release.html", http.StatusOK, sv)
	if err == nil && s.Visibility != Public {
		p.noStore = true
	}
	return p, err
}

// newsArticle is the page's schema.org NewsArticle, for search engines.
func newsArticle(sv *siteView, s *Story) map[string]any {
	m := map[string]any{
		"@context": "https://schema.org", "@type": "NewsArticle",
		"headline": s.Headline, "description": s.Lead, "inLanguage": s.Lang,
		"datePublished": s.LiftAt.UTC().Format(time.RFC3339), "dateModified": s.UpdatedAt.UTC().Format(time.RFC3339),
		"mainEntityOfPage": sv.Canonical,
		"publisher":        map[string]any{"@type": "Organization", "name": sv.Name},
	}
	if sv.Image != "" {
		m["image"] = []string{sv.Image}
	}
	if s.Contact.Name != "" {
		m["author"] = map[string]any{"@type": "Organization", "name": sv.Name}
	}
	return m
}

func isBot(r *http.Request) bool {
	ua := strings.ToLower(r.UserAgent())
	return ua == "" || strings.Contains(ua, "bot") || strings.Contains(ua, "crawl") || strings.Contains(ua, "spider") || strings.Contains(ua, "preview")
}

type kitData struct {
	Kit *kit.Kit
}

func (st *site) kitPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return st.serve(w, r, v, v.key(r), func() (*page, error) {
		sv := st.view(v, v.L.T("newsroom.site.kit"))
		d := kitData{Kit: &kit.Kit{}}
		if st.s.kit != nil {
			k, err := st.s.kit.Public(context.WithoutCancel(r.Context()), v.ws, v.lang)
			if err != nil {
				return nil, err
			}
			d.Kit = k
		}
		sv.Data = d
		sv.Current = "kit"
		sv.withLangs("/kit")
		return st.render("kit.html", http.StatusOK, sv)
	})
}

// kitTexts are the texts of the media kit zip: boilerplate and fact sheet in each language.
func kitTexts(set *Settings) []kit.ZipText {
	var out []kit.ZipText
	for _, t := range []kit.ZipText{
		{Name: "boilerplate-id.txt", Body: set.BoilerplateID}, {Name: "boilerplate-en.txt", Body: set.BoilerplateEN},
		{Name: "fakta-id.txt", Body: set.FactsID}, {Name: "facts-en.txt", Body: set.FactsEN},
	} {
		if strings.TrimSpace(t.Body) != "" {
			out = append(out, t)
		}
	}
	return out
}

func (st *site) kitZip(w http.ResponseWriter, r *http.Request, v *visit) error {
	if st.s.kit == nil {
		return web.ErrNotFound
	}
	if !st.zips.allow(r) {
		p, err := st.messagePage(v, http.StatusTooManyRequests, v.L.T("newsroom.site.too_many_title"), v.L.T("newsroom.site.too_many"))
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", p.ctype)
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(p.status)
		_, err = w.Write(p.body)
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="media-kit-`+v.st.Slug+`.zip"`)
	w.Header().Set("Cache-Control", "public, max-age=300")
	return st.s.kit.WriteZip(r.Context(), w, v.ws, v.lang, kitTexts(v.st))
}

// file serves a picture or document of a public release, the media kit or the logo, and
// nothing else of the media library.
func (st *site) file(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, err := strconv.ParseInt(r.PathValue("asset"), 10, 64)
	if err != nil || st.s.media == nil {
		return web.ErrNotFound
	}
	ctx := r.Context()
	ok := id == v.st.LogoAssetID
	if !ok {
		if ok, err = fileIsPublic(ctx, st.s.d, v.ws, id, r.URL.Query().Get("key"), v.now); err != nil {
			return err
		}
	}
	if !ok && st.s.kit != nil {
		if ok, err = st.s.kit.IsPublic(ctx, v.ws, id); err != nil {
			return err
		}
	}
	if !ok {
		return web.ErrNotFound
	}
	thumb := r.URL.Query().Get("thumb") != ""
	body, a, err := st.s.media.Open(ctx, v.ws, id, thumb)
	if err != nil && thumb {
		body, a, err = st.s.media.Open(ctx, v.ws, id, false)
	}
	if err != nil {
		return err
	}
	defer body.Close()
	etag := fmt.Sprintf(`"%d-%d-%t"`, a.ID, a.UpdatedAt.Unix(), thumb)
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=86400")
	// A file never runs as a page, whatever it holds (an SVG with a script, an HTML document).
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	// A thumbnail is JPEG or PNG (kept PNG where the picture is transparent): its bytes say which.
	br := bufio.NewReader(body)
	ctype := a.ContentType
	if thumb {
		head, _ := br.Peek(512)
		ctype = http.DetectContentType(head)
	}
	h.Set("Content-Type", ctype)
	disposition := "attachment"
	if a.Kind == "image" && ctype != "image/svg+xml" && r.URL.Query().Get("download") == "" {
		disposition = "inline"
	}
	h.Set("Content-Disposition", disposition+`; filename*=UTF-8''`+url.PathEscape(safeName(a.Filename)))
	_, err = io.Copy(w, br)
	return err
}

// theme is the newsroom's stylesheet: its colours and font, then the site's rules.
func (st *site) theme(w http.ResponseWriter, r *http.Request, v *visit) error {
	return st.serve(w, r, v, v.key(r), func() (*page, error) {
		primary, accent := v.st.ColorPrimary, v.st.ColorAccent
		if primary == "" {
			primary = "#0b5394"
		}
		if accent == "" {
			accent = "#b45309"
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, ":root{--brand:%s;--on-brand:%s;--accent:%s;--accent-text:%s;--accent-font:%s}\n",
			primary, readableOn(primary), accent, darkEnough(accent), Fonts[v.st.Font])
		b.Write(st.css)
		return &page{status: http.StatusOK, ctype: "text/css; charset=utf-8", body: b.Bytes()}, nil
	})
}

func (st *site) robots(w http.ResponseWriter, r *http.Request, v *visit) error {
	return st.serve(w, r, v, v.key(r), func() (*page, error) {
		body := fmt.Sprintf("User-agent: *\nAllow: /\nSitemap: %s/sitemap.xml\n", v.abs)
		return &page{status: http.StatusOK, ctype: "text/plain; charset=utf-8", body: []byte(body)}, nil
	})
}

// Subscriptions.

type subscribeData struct {
	Sent  bool
	Email string
	// Consent is the words the visitor agrees to, exactly as the subscription records them.
	Consent string
}

func (st *site) subscribeView(v *visit, f *web.Form) *siteView {
	sv := st.view(v, v.L.T("newsroom.site.subscribe_title"))
	sv.Form = f
	sv.Current = "subscribe"
	sv.withLangs("/subscribe")
	return sv
}

func (st *site) subscribeForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	if st.s.subscribers == nil {
		return web.ErrNotFound
	}
	f := web.NewForm(url.Values{"lang": {v.lang}})
	sv := st.subscribeView(v, f)
	sv.Data = subscribeData{Consent: st.s.subscribers.ConsentText(v.lang, v.st.Name())}
	return st.write(w, "subscribe.html", http.StatusOK, sv)
}

func (st *site) subscribe(w http.ResponseWriter, r *http.Request, v *visit) error {
	if st.s.subscribers == nil {
		return web.ErrNotFound
	}
	f := web.ParseForm(r)
	sv := st.subscribeView(v, f)
	// A filled-in hidden field is a robot: it is told the same as a person, and nothing is sent.
	if f.Get("website") != "" {
		sv.Data = subscribeData{Sent: true, Email: f.Get("email")}
		return st.write(w, "subscribe.html", http.StatusOK, sv)
	}
	if !st.subscribes.allow(r) {
		f.Fail("email", "newsroom.site.too_many")
		sv.Data = subscribeData{Consent: st.s.subscribers.ConsentText(v.lang, v.st.Name())}
		return st.write(w, "subscribe.html", http.StatusTooManyRequests, sv)
	}
	var topics []int64
	for _, t := range f.Values["topic"] {
		if id, err := strconv.ParseInt(t, 10, 64); err == nil {
			topics = append(topics, id)
		}
	}
	lang := i18n.Supported(f.Get("lang"))
	if lang == "" {
		lang = v.lang
	}
	err := st.s.subscribers.Subscribe(r.Context(), subscribe.Request{WorkspaceID: v.ws, Email: f.Get("email"), Name: f.Get("name"),
		Lang: lang, Topics: topics, NewsroomName: v.st.Name(), ConfirmURL: func(token string) string {
			return v.abs + "/confirm/" + token
		}})
	var we *web.Error
	if errors.As(err, &we) {
		for k, msg := range we.Fields {
			f.Fail(k, msg)
		}
		if len(we.Fields) == 0 {
			f.Fail("email", we.Key)
		}
		sv.Data = subscribeData{Consent: st.s.subscribers.ConsentText(lang, v.st.Name())}
		return st.write(w, "subscribe.html", we.Status, sv)
	}
	if err != nil {
		return err
	}
	sv.Data = subscribeData{Sent: true, Email: f.Get("email")}
	return st.write(w, "subscribe.html", http.StatusOK, sv)
}

type confirmData struct {
	Email string
	Done  bool
}

func (st *site) confirmForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	if st.s.subscribers == nil {
		return web.ErrNotFound
	}
	sub, err := st.s.subscribers.Pending(r.Context(), r.PathValue("token"))
	return st.confirmAnswer(w, v, sub, err, false)
}

// confirm is the button of the confirmation page: the link in the email only shows the page,
// because mail scanners open links.
func (st *site) confirm(w http.ResponseWriter, r *http.Request, v *visit) error {
	if st.s.subscribers == nil {
		return web.ErrNotFound
	}
	// The link must be this newsroom's: another newsroom's address confirms nothing.
	sub, err := st.s.subscribers.Pending(r.Context(), r.PathValue("token"))
	if err == nil && sub.WorkspaceID == v.ws {
		sub, err = st.s.subscribers.Confirm(r.Context(), r.PathValue("token"))
	}
	return st.confirmAnswer(w, v, sub, err, true)
}

func (st *site) confirmAnswer(w http.ResponseWriter, v *visit, sub *subscribe.Subscriber, err error, done bool) error {
	if errors.Is(err, db.ErrNotFound) || err == nil && sub.WorkspaceID != v.ws {
		p, err := st.messagePage(v, http.StatusNotFound, v.L.T("newsroom.site.confirm_invalid_title"), v.L.T("newsroom.site.confirm_invalid_text"))
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", p.ctype)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(p.status)
		_, err = w.Write(p.body)
		return err
	}
	if err != nil {
		return err
	}
	sv := st.view(v, v.L.T("newsroom.site.confirm_title"))
	sv.Form = web.NewForm(nil)
	sv.Data = confirmData{Email: sub.Email, Done: done}
	return st.write(w, "confirm.html", http.StatusOK, sv)
}

// LogoID is the newsroom logo's asset, 0 when it has none.
func (sv *siteView) LogoID() int64 { return sv.V.st.LogoAssetID }

// LangGiven reports whether the visitor chose the language (it is then kept in links).
func (sv *siteView) LangGiven() bool { return sv.V.langGiven }

// Checked reports whether the form's checkbox name holds id.
func (sv *siteView) Checked(name string, id int64) bool {
	return sv.Form != nil && slices.Contains(sv.Form.Values[name], strconv.FormatInt(id, 10))
}

// TopicSlug is a topic's address part.
func (sv *siteView) TopicSlug(id int64) string {
	for _, t := range sv.Topics {
		if t.ID == id {
			return t.Slug
		}
	}
	return ""
}

// Facts is the fact sheet in the page's language.
func (sv *siteView) Facts() string { return sv.V.st.Facts(sv.V.lang) }

// BoilerplateID is "about us" in Indonesian.
func (sv *siteView) BoilerplateID() string { return sv.V.st.BoilerplateID }

// BoilerplateEN is "about us" in English.
func (sv *siteView) BoilerplateEN() string { return sv.V.st.BoilerplateEN }
