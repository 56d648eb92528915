package newsroom

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the newsroom's pages in the app and its API.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the app pages.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/admin/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages}, nil
}

// Routes are the newsroom's pages in the app.
func (h *Handlers) Routes() []web.Route {
	p := "/w/{ws}/newsroom"
	return []web.Route{
		{Method: "GET", Path: p, Perm: access.PressView, Handler: h.overview},
		{Method: "GET", Path: p + "/releases/{id}", Perm: access.PressView, Handler: h.placement},
		{Method: "POST", Path: p + "/releases/{id}", Perm: access.NewsroomEdit, Handler: h.savePlacement},
		{Method: "GET", Path: p + "/releases/{id}/preview", Perm: access.PressView, Handler: h.preview},
		{Method: "GET", Path: p + "/settings", Perm: access.NewsroomManage, Handler: h.settings},
		{Method: "POST", Path: p + "/settings", Perm: access.NewsroomManage, Handler: h.saveSettings},
		{Method: "GET", Path: p + "/topics", Perm: access.PressView, Handler: h.topics},
		{Method: "POST", Path: p + "/topics", Perm: access.NewsroomEdit, Handler: h.saveTopic},
		{Method: "POST", Path: p + "/topics/{id}", Perm: access.NewsroomEdit, Handler: h.saveTopic},
		{Method: "POST", Path: p + "/topics/{id}/delete", Perm: access.NewsroomEdit, Handler: h.deleteTopic},
		{Method: "POST", Path: p + "/notices/{id}/withdraw", Perm: access.NewsroomEdit, Handler: h.withdrawNotice},
	}
}

const adminPage = 30

type overviewData struct {
	Settings   *Settings
	URL        string
	Public     int
	Waiting    int
	Placements []Placement
	// Notices are the statements and status updates published from the crisis room.
	Notices    []Notice
	Topics     []Topic
	Query      string
	Visibility Visibility
	Vis        []Visibility
	Total      int
	Page       int
	Pages      int
	Filtered   bool
}

// PageURL is the list's page n with the same filters.
func (d overviewData) PageURL(n int) string {
	q := url.Values{}
	if d.Query != "" {
		q.Set("q", d.Query)
	}
	if d.Visibility != "" {
		q.Set("visibility", string(d.Visibility))
	}
	q.Set("page", strconv.Itoa(n))
	return "?" + q.Encode()
}

// TopicName names a topic in lang.
func (d overviewData) TopicName(id int64, lang string) string {
	for _, t := range d.Topics {
		if t.ID == id {
			return t.Name(lang)
		}
	}
	return ""
}

func (h *Handlers) overview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := web.PrincipalOf(r)
	st, err := h.s.Settings(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := overviewData{Settings: st, URL: h.s.URL(st), Query: strings.TrimSpace(q.Get("q")), Vis: Visibilities}
	for _, v := range Visibilities {
		if string(v) == q.Get("visibility") {
			d.Visibility = v
		}
	}
	d.Filtered = d.Query != "" || d.Visibility != ""
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = max(d.Page, 1)
	if d.Public, d.Waiting, err = h.s.Count(ctx, p.WorkspaceID); err != nil {
		return err
	}
	if d.Topics, err = h.s.Topics(ctx, p.WorkspaceID); err != nil {
		return err
	}
	f := PlacementFilter{Query: d.Query, Visibility: d.Visibility, Offset: (d.Page - 1) * adminPage, Limit: adminPage}
	if d.Placements, d.Total, err = h.s.Placements(ctx, p.WorkspaceID, f); err != nil {
		return err
	}
	d.Pages = max((d.Total+adminPage-1)/adminPage, 1)
	if d.Notices, err = h.s.Notices(ctx, p.WorkspaceID, ""); err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "overview.html", web.LocaleOf(r).T("newsroom.title"), d, nil)
}

// withdrawNotice takes a statement or status update off the public newsroom.
func (h *Handlers) withdrawNotice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	if err := h.s.WithdrawNotice(r.Context(), web.ActorOf(r), p.WorkspaceID, id); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "newsroom.notices.withdrawn")
	return web.Redirect(w, r, "/w/"+p.WorkspaceSlug+"/newsroom")
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

type placementData struct {
	P         *Placement
	Topics    []Topic
	URL       string
	SecretURL string
	Vis       []Visibility
}

func (h *Handlers) placement(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pl, err := h.s.Placement(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{"visibility": {string(pl.Visibility)}})
	if pl.Featured {
		f.Values.Set("featured", "1")
	}
	for _, t := range pl.Topics {
		f.Values.Add("topic", strconv.FormatInt(t, 10))
	}
	return h.renderPlacement(w, r, http.StatusOK, pl, f)
}

func (h *Handlers) renderPlacement(w http.ResponseWriter, r *http.Request, status int, pl *Placement, f *web.Form) error {
	ctx := r.Context()
	wsID := web.PrincipalOf(r).WorkspaceID
	topics, err := h.s.Topics(ctx, wsID)
	if err != nil {
		return err
	}
	u, err := h.s.ReleaseURL(ctx, wsID, pl.ReleaseID)
	if err != nil {
		return err
	}
	d := placementData{P: pl, Topics: topics, URL: u, SecretURL: u + "?key=" + url.QueryEscape(pl.Secret), Vis: Visibilities}
	title := pl.Headline
	if title == "" {
		title = web.LocaleOf(r).T("newsroom.placement.title")
	}
	return h.pages.Render(w, r, status, "placement.html", title, d, f)
}

func (h *Handlers) savePlacement(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	var topics []int64
	for _, v := range f.Values["topic"] {
		if t, err := strconv.ParseInt(v, 10, 64); err == nil {
			topics = append(topics, t)
		}
	}
	p := web.PrincipalOf(r)
	err = h.s.SetPlacement(r.Context(), web.ActorOf(r), p.WorkspaceID, id, Visibility(f.Get("visibility")), f.Checked("featured"), topics)
	var we *web.Error
	if errors.As(err, &we) && we.Fields != nil {
		for k, v := range we.Fields {
			f.Fail(k, v)
		}
		pl, err := h.s.Placement(r.Context(), p.WorkspaceID, id)
		if err != nil {
			return err
		}
		return h.renderPlacement(w, r, http.StatusUnprocessableEntity, pl, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "newsroom.placement.saved")
	return web.Redirect(w, r, fmt.Sprintf("/w/%s/newsroom/releases/%d", p.WorkspaceSlug, id))
}

// preview shows a release as a visitor will see it, as it is now, before it is approved or lifts.
func (h *Handlers) preview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	wsID := web.PrincipalOf(r).WorkspaceID
	rl, err := h.s.releases.Get(ctx, wsID, id)
	if err != nil {
		return err
	}
	st, err := h.s.Settings(ctx, wsID)
	if err != nil {
		return err
	}
	c, err := h.s.copyOf(ctx, rl)
	if err != nil {
		return err
	}
	c.GroupID, c.Visibility, c.LiftAt, c.UpdatedAt = id, Hidden, h.s.now().UTC(), rl.UpdatedAt
	if rl.Embargo != nil {
		c.LiftAt = *rl.Embargo
	}
	if pl, err := h.s.Placement(ctx, wsID, id); err == nil {
		c.Topics = pl.Topics
	}
	v := &visit{ws: wsID, st: st, base: "/newsroom/" + st.Slug, abs: h.s.URL(st), lang: rl.Lang, now: h.s.now().UTC(),
		L: h.s.bundle.Locale(rl.Lang, zoneOf(st.wsZone)), preview: web.PrincipalOf(r).WorkspaceSlug}
	p, err := h.s.site.releasePage(ctx, v, c, "")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", p.ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	_, err = w.Write(p.body)
	return err
}

type settingsData struct {
	Settings *Settings
	URL      string
	Fonts    []string
	BaseURL  string
}

func settingsForm(st *Settings) *web.Form {
	f := web.NewForm(url.Values{"slug": {st.Slug}, "domain": {st.Domain}, "title": {st.Title}, "tagline_id": {st.TaglineID},
		"tagline_en": {st.TaglineEN}, "color_primary": {st.ColorPrimary}, "color_accent": {st.ColorAccent}, "font": {st.Font},
		"boilerplate_id": {st.BoilerplateID}, "boilerplate_en": {st.BoilerplateEN}, "facts_id": {st.FactsID}, "facts_en": {st.FactsEN}})
	if st.Enabled {
		f.Values.Set("enabled", "1")
	}
	return f
}

func (h *Handlers) settings(w http.ResponseWriter, r *http.Request) error {
	st, err := h.s.Settings(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	return h.renderSettings(w, r, http.StatusOK, st, settingsForm(st))
}

func (h *Handlers) renderSettings(w http.ResponseWriter, r *http.Request, status int, st *Settings, f *web.Form) error {
	d := settingsData{Settings: st, URL: h.s.URL(st), Fonts: FontNames, BaseURL: h.s.baseURL}
	return h.pages.Render(w, r, status, "settings.html", web.LocaleOf(r).T("newsroom.settings.title"), d, f)
}

// maxLogo is the largest logo the newsroom takes: it is shown on every page.
const maxLogo = 5 << 20

func (h *Handlers) saveSettings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := web.PrincipalOf(r)
	old, err := h.s.Settings(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLogo+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		f := settingsForm(old)
		f.Fail("logo", "newsroom.error.logo_too_large")
		return h.renderSettings(w, r, http.StatusRequestEntityTooLarge, old, f)
	}
	f := web.NewForm(r.PostForm)
	in := *old
	in.Enabled = f.Checked("enabled")
	in.Slug, in.Domain, in.Title = f.Get("slug"), f.Get("domain"), f.Get("title")
	in.TaglineID, in.TaglineEN = f.Get("tagline_id"), f.Get("tagline_en")
	in.ColorPrimary, in.ColorAccent, in.Font = f.Get("color_primary"), f.Get("color_accent"), f.Get("font")
	in.BoilerplateID, in.BoilerplateEN = f.Get("boilerplate_id"), f.Get("boilerplate_en")
	in.FactsID, in.FactsEN = f.Get("facts_id"), f.Get("facts_en")
	if f.Checked("remove_logo") {
		in.LogoAssetID = 0
	}
	if file, hdr, err := r.FormFile("logo"); err == nil {
		defer file.Close()
		if hdr.Size > maxLogo {
			f.Fail("logo", "newsroom.error.logo_too_large")
			return h.renderSettings(w, r, http.StatusRequestEntityTooLarge, old, f)
		}
		a, err := h.s.media.Upload(ctx, web.ActorOf(r), p.WorkspaceID, hdr.Filename, io.LimitReader(file, maxLogo))
		var we *web.Error
		if errors.As(err, &we) {
			f.Fail("logo", we.Key)
			return h.renderSettings(w, r, we.Status, old, f)
		}
		if err != nil {
			return err
		}
		if a.Kind != "image" {
			f.Fail("logo", "newsroom.error.logo_image")
			return h.renderSettings(w, r, http.StatusUnprocessableEntity, old, f)
		}
		in.LogoAssetID = a.ID
	}
	err = h.s.SaveSettings(ctx, web.ActorOf(r), &in)
	var we *web.Error
	if errors.As(err, &we) && we.Fields != nil {
		for k, v := range we.Fields {
			f.Fail(k, v)
		}
		return h.renderSettings(w, r, we.Status, old, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "newsroom.settings.saved")
	return web.Redirect(w, r, "/w/"+p.WorkspaceSlug+"/newsroom/settings")
}

type topicsData struct {
	Topics []Topic
}

func (h *Handlers) topics(w http.ResponseWriter, r *http.Request) error {
	return h.renderTopics(w, r, http.StatusOK, web.NewForm(nil))
}

func (h *Handlers) renderTopics(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	list, err := h.s.Topics(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, status, "topics.html", web.LocaleOf(r).T("newsroom.topics.title"), topicsData{Topics: list}, f)
}

func (h *Handlers) saveTopic(w http.ResponseWriter, r *http.Request) error {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			return err
		}
	}
	f := web.ParseForm(r)
	p := web.PrincipalOf(r)
	_, err := h.s.SaveTopic(r.Context(), web.ActorOf(r), p.WorkspaceID, Topic{ID: id, NameID: f.Get("name_id"), NameEN: f.Get("name_en")})
	var we *web.Error
	if errors.As(err, &we) && we.Fields != nil {
		for k, v := range we.Fields {
			f.Fail(k, v)
		}
		return h.renderTopics(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "newsroom.topics.saved")
	return web.Redirect(w, r, "/w/"+p.WorkspaceSlug+"/newsroom/topics")
}

func (h *Handlers) deleteTopic(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	if err := h.s.DeleteTopic(r.Context(), web.ActorOf(r), p.WorkspaceID, id); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "newsroom.topics.deleted")
	return web.Redirect(w, r, "/w/"+p.WorkspaceSlug+"/newsroom/topics")
}
