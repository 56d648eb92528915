package release

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the release pages and API.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the release templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages}, nil
}

// Routes are the release pages with their permissions. Drafting a release is writing content;
// its approval is the content studio's.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/press/releases", Perm: access.PressView, Handler: h.list},
		{Method: "GET", Path: "/w/{ws}/press/releases/new", Perm: access.ContentWrite, Handler: h.newForm},
		{Method: "POST", Path: "/w/{ws}/press/releases", Perm: access.ContentWrite, Handler: h.create},
		{Method: "GET", Path: "/w/{ws}/press/releases/settings", Perm: access.PressManage, Handler: h.settings},
		{Method: "POST", Path: "/w/{ws}/press/releases/settings", Perm: access.PressManage, Handler: h.saveSettings},
		{Method: "GET", Path: "/w/{ws}/press/release-items/{item}", Perm: access.PressView, Handler: h.byItem},
		{Method: "GET", Path: "/w/{ws}/press/releases/{id}", Perm: access.PressView, Handler: h.show},
		{Method: "POST", Path: "/w/{ws}/press/releases/{id}", Perm: access.ContentWrite, Handler: h.save},
		{Method: "POST", Path: "/w/{ws}/press/releases/{id}/submit", Perm: access.ContentWrite, Handler: h.submit},
		{Method: "POST", Path: "/w/{ws}/press/releases/{id}/translate", Perm: access.ContentWrite, Handler: h.translate},
		{Method: "GET", Path: "/w/{ws}/press/releases/{id}/preview", Perm: access.PressView, Handler: h.preview},
		{Method: "GET", Path: "/w/{ws}/press/releases/{id}/whatsapp", Perm: access.PressView, Handler: h.whatsapp},
		{Method: "POST", Path: "/w/{ws}/press/releases/{id}/shares", Perm: access.PressWrite, Handler: h.share},
		{Method: "POST", Path: "/w/{ws}/press/releases/{id}/posts", Perm: access.ContentSchedule, Handler: h.planPost},
		{Method: "POST", Path: "/w/{ws}/press/releases/{id}/posts/{item}/reschedule", Perm: access.ContentSchedule, Handler: h.reschedulePost},
	}
}

const pageSize = 25

type listData struct {
	Releases []Release
	Total    int
	Page     int
	Pages    int
	Filter   Filter
	Statuses []content.Status
	Embargos []string
	Filtered bool
	Query    url.Values
	Now      time.Time
}

// PageURL is the list's URL for another page, keeping the filters.
func (d listData) PageURL(page int) string {
	q := url.Values{}
	for k, v := range d.Query {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(page))
	return "?" + q.Encode()
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{Query: strings.TrimSpace(q.Get("q")), Status: content.Status(q.Get("status")), Lang: q.Get("lang"),
		Embargo: q.Get("embargo"), Sort: q.Get("sort"), Limit: pageSize}
	if !slices.Contains(content.Statuses, f.Status) {
		f.Status = ""
	}
	if i18n.Supported(f.Lang) == "" {
		f.Lang = ""
	}
	if !slices.Contains(EmbargoFilters, f.Embargo) {
		f.Embargo = ""
	}
	if f.Sort != "title" {
		f.Sort = ""
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	list, total, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	d := listData{Releases: list, Total: total, Page: f.Page, Pages: (total + pageSize - 1) / pageSize, Filter: f, Statuses: content.Statuses,
		Embargos: EmbargoFilters, Filtered: f.Query != "" || f.Status != "" || f.Lang != "" || f.Embargo != "", Query: q, Now: time.Now()}
	return h.pages.Render(w, r, http.StatusOK, "list.html", "release.title", d, nil)
}

// editData is what the editor shows; R is nil on the new-release page.
type editData struct {
	R        *Release
	Zones    []string
	Media    []content.MediaChoice
	Shares   []Share
	Posts    []Post
	Networks []channel.Rules
	Offsets  []int
	Conflict bool
	Problems []string // the content studio's rules a save broke, in the person's words
	Required bool     // the workspace requires approval
	Sendable string   // why the release cannot be distributed yet (a catalog key), "" when it can
	Next     string   // the number a new release will get
}

func (h *Handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	lang := r.URL.Query().Get("lang")
	if i18n.Supported(lang) == "" {
		lang = p.WorkspaceLang
		if i18n.Supported(lang) == "" {
			lang = "id"
		}
	}
	in, err := h.s.Defaults(r.Context(), p.WorkspaceID, lang, p.Zone)
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{})
	setForm(f, in)
	f.Values.Set("number", "") // empty takes the next number when saved; shown as a hint
	f.Values.Set("embargo_time", "10:00")
	return h.render(w, r, http.StatusOK, nil, f, editData{Next: in.Number})
}

// setForm writes an input into a form, for the editor to show.
func setForm(f *web.Form, in Input) {
	v := f.Values
	v.Set("lang", in.Lang)
	v.Set("number", in.Number)
	v.Set("headline", in.Headline)
	v.Set("subheadline", in.Subheadline)
	v.Set("dateline_city", in.DatelineCity)
	v.Set("dateline_date", in.DatelineDate)
	v.Set("body", in.Body)
	v.Set("boilerplate", in.Boilerplate)
	v.Set("contact_name", in.ContactName)
	v.Set("contact_role", in.ContactRole)
	v.Set("contact_phone", in.ContactPhone)
	v.Set("contact_email", in.ContactEmail)
	v.Set("zone", in.Zone)
	v.Set("embargo", "immediate")
	if in.Embargo != nil {
		zone, err := i18n.LoadZone(in.Zone)
		if err != nil {
			zone = time.UTC
		}
		t := in.Embargo.In(zone)
		v.Set("embargo", "until")
		v.Set("embargo_date", t.Format(dayLayout))
		v.Set("embargo_time", t.Format("15:04"))
	}
	v.Del("attachments")
	for _, id := range in.Attachments {
		v.Add("attachments", strconv.FormatInt(id, 10))
	}
	if in.BaseVersion != 0 {
		v.Set("version", strconv.Itoa(in.BaseVersion))
	}
}

// inputOf is a release's fields as an input.
func inputOf(rl *Release) Input {
	return Input{Lang: rl.Lang, Number: rl.Number, Headline: rl.Headline, Subheadline: rl.Subheadline, DatelineCity: rl.DatelineCity,
		DatelineDate: rl.DatelineDate, Body: rl.Body, Boilerplate: rl.Boilerplate, ContactName: rl.ContactName, ContactRole: rl.ContactRole,
		ContactPhone: rl.ContactPhone, ContactEmail: rl.ContactEmail, Embargo: rl.Embargo, Zone: rl.Zone, Attachments: rl.Attachments,
		BaseVersion: rl.Version}
}

// inputFrom reads the editor's form; a wrong embargo date, time or zone fails its field.
func inputFrom(f *web.Form, defaultZone *time.Location) Input {
	in := Input{Lang: f.Get("lang"), Number: f.Get("number"), Headline: f.Get("headline"), Subheadline: f.Get("subheadline"),
		DatelineCity: f.Get("dateline_city"), DatelineDate: f.Get("dateline_date"), Body: f.Raw("body"), Boilerplate: f.Raw("boilerplate"),
		ContactName: f.Get("contact_name"), ContactRole: f.Get("contact_role"), ContactPhone: f.Get("contact_phone"),
		ContactEmail: f.Get("contact_email"), Zone: f.Get("zone")}
	in.BaseVersion, _ = strconv.Atoi(f.Get("version"))
	for _, s := range f.Values["attachments"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			in.Attachments = append(in.Attachments, id)
		}
	}
	if in.Zone == "" {
		in.Zone = defaultZone.String()
	}
	if f.Get("embargo") != "until" {
		return in
	}
	zone, err := i18n.LoadZone(in.Zone)
	if err != nil {
		f.Fail("zone", "release.error.zone")
		return in
	}
	d, t := f.Get("embargo_date"), f.Get("embargo_time")
	if d == "" {
		f.Fail("embargo_date", "release.error.embargo_date")
		return in
	}
	if t == "" {
		f.Fail("embargo_time", "form.required")
		return in
	}
	if len(t) == len("15:04:05") {
		t = t[:5] // browsers send seconds when the field has a step
	}
	at, err := time.ParseInLocation(dayLayout+" 15:04", d+" "+t, zone)
	if err != nil {
		f.Fail("embargo_date", "release.error.date")
		return in
	}
	in.Embargo = &at
	return in
}

// failWith puts a service error's fields on the form; false when it is not a validation error.
func failWith(f *web.Form, err error) bool {
	var we *web.Error
	if errors.As(err, &we) && we.Fields != nil {
		for k, v := range we.Fields {
			f.Fail(k, v)
		}
		return true
	}
	return false
}

// problems writes the content studio's channel problems in the person's words.
func problems(r *http.Request, err error) ([]string, bool) {
	var ve *content.VariantError
	if !errors.As(err, &ve) {
		return nil, false
	}
	l := web.LocaleOf(r)
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Message(l))
	}
	return out, true
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	in := inputFrom(f, p.Zone)
	if !f.Valid() {
		return h.render(w, r, http.StatusUnprocessableEntity, nil, f, editData{})
	}
	rl, err := h.s.Create(r.Context(), web.ActorOf(r), p.WorkspaceID, in, p.Zone)
	if failWith(f, err) {
		return h.render(w, r, http.StatusUnprocessableEntity, nil, f, editData{})
	}
	if probs, ok := problems(r, err); ok {
		return h.render(w, r, http.StatusUnprocessableEntity, nil, f, editData{Problems: probs})
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "release.created")
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/press/releases/%d", rl.ID)))
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

// releaseOf returns the release the path names, in the request's workspace.
func (h *Handlers) releaseOf(r *http.Request) (*Release, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.s.Get(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

func (h *Handlers) byItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "item")
	if err != nil {
		return err
	}
	rl, err := h.s.GetByItem(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/press/releases/%d", rl.ID)))
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{})
	setForm(f, inputOf(rl))
	return h.render(w, r, http.StatusOK, rl, f, editData{})
}

// render shows the editor; on the release page it adds what the page shows beside the form.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, rl *Release, f *web.Form, d editData) error {
	p := web.PrincipalOf(r)
	ctx := r.Context()
	d.R, d.Networks, d.Offsets = rl, channel.Networks, PostOffsets
	d.Zones = i18n.Zones
	if z := f.Get("zone"); z != "" && !slices.Contains(d.Zones, z) {
		d.Zones = append([]string{z}, d.Zones...)
	}
	if f.Get("zone") == "" {
		f.Values.Set("zone", p.Zone.String())
	}
	if h.s.media != nil {
		var include []int64
		for _, s := range f.Values["attachments"] {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				include = append(include, id)
			}
		}
		var err error
		if d.Media, err = h.s.media.Choices(ctx, p.WorkspaceID, 30, include); err != nil {
			return err
		}
	}
	var err error
	if d.Required, err = h.s.required(ctx, p.WorkspaceID); err != nil {
		return err
	}
	if rl != nil {
		if d.Shares, err = h.s.Shares(ctx, p.WorkspaceID, rl); err != nil {
			return err
		}
		if d.Posts, err = h.s.Posts(ctx, p.WorkspaceID, rl); err != nil {
			return err
		}
		var we *web.Error
		if errors.As(sendable(rl.Status, d.Required), &we) {
			d.Sendable = we.Key
		}
		if f.Get("post_text") == "" {
			f.Values.Set("post_text", rl.Headline+" "+h.s.NewsroomURL(p.WorkspaceSlug, rl.ID))
		}
	} else if d.Next == "" {
		if d.Next, err = h.s.NextNumber(ctx, p.WorkspaceID, time.Now().In(p.Zone)); err != nil {
			return err
		}
	}
	title := "release.new"
	if rl != nil {
		title = "release.edit"
	}
	return h.pages.Render(w, r, status, "edit.html", title, d, f)
}

func (h *Handlers) save(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	in := inputFrom(f, p.Zone)
	if !f.Valid() {
		return h.render(w, r, http.StatusUnprocessableEntity, rl, f, editData{})
	}
	if in.BaseVersion == 0 {
		return web.ErrBadRequest // the form always carries the version it was made from
	}
	_, err = h.s.Update(r.Context(), web.ActorOf(r), p.WorkspaceID, rl.ID, in)
	if errors.Is(err, content.ErrConflict) {
		// Keep what this person typed; saving again now replaces the other change knowingly.
		f.Values.Set("version", strconv.Itoa(rl.Version))
		return h.render(w, r, http.StatusConflict, rl, f, editData{Conflict: true})
	}
	if failWith(f, err) {
		return h.render(w, r, http.StatusUnprocessableEntity, rl, f, editData{})
	}
	if probs, ok := problems(r, err); ok {
		return h.render(w, r, http.StatusUnprocessableEntity, rl, f, editData{Problems: probs})
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/press/releases/%d", rl.ID)))
}

// act runs a release action and goes back to the release with its outcome; an error a person can
// act on (a web.Error) becomes a flash, not an error page.
func (h *Handlers) act(w http.ResponseWriter, r *http.Request, done string, do func(rl *Release) (int64, error)) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	to, err := do(rl)
	var we *web.Error
	if errors.As(err, &we) && we.Status != http.StatusNotFound {
		h.srv.AddFlash(r, "error", we.Key)
		to = rl.ID
	} else if err != nil {
		return err
	} else {
		h.srv.AddFlash(r, "ok", done)
	}
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/press/releases/%d", to)))
}

func (h *Handlers) submit(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, "release.submitted", func(rl *Release) (int64, error) {
		return rl.ID, h.s.Submit(r.Context(), web.ActorOf(r), rl.WorkspaceID, rl.ID)
	})
}

func (h *Handlers) translate(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, "release.translation_started", func(rl *Release) (int64, error) {
		tr, err := h.s.Translate(r.Context(), web.ActorOf(r), rl.WorkspaceID, rl.ID)
		if err != nil {
			return 0, err
		}
		return tr.ID, nil
	})
}

type previewData struct {
	R        *Release
	Rendered *Rendered
}

// preview shows the release as a recipient in lang reads it (?lang=, default the release's own).
func (h *Handlers) preview(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	if i18n.Supported(lang) == "" {
		lang = rl.Lang
	}
	out, err := h.s.Render(r.Context(), rl.WorkspaceID, rl.ID, lang)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "preview.html", "release.preview", previewData{R: rl, Rendered: out}, nil)
}

type whatsappData struct {
	R      *Release
	Text   string
	Shares []Share
}

func (h *Handlers) whatsapp(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	return h.renderWhatsApp(w, r, http.StatusOK, rl, web.NewForm(nil))
}

func (h *Handlers) renderWhatsApp(w http.ResponseWriter, r *http.Request, status int, rl *Release, f *web.Form) error {
	p := web.PrincipalOf(r)
	text, err := h.s.WhatsApp(r.Context(), p.WorkspaceID, rl.ID, p.WorkspaceSlug)
	if err != nil {
		return err
	}
	shares, err := h.s.Shares(r.Context(), p.WorkspaceID, rl)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, status, "whatsapp.html", "release.whatsapp.title", whatsappData{R: rl, Text: text, Shares: shares}, f)
}

func (h *Handlers) share(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	_, err = h.s.Share(r.Context(), web.ActorOf(r), rl.WorkspaceID, rl.ID, "whatsapp", f.Get("group"), f.Get("note"))
	if failWith(f, err) {
		return h.renderWhatsApp(w, r, http.StatusUnprocessableEntity, rl, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "release.share.recorded")
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/press/releases/%d/whatsapp", rl.ID)))
}

func (h *Handlers) planPost(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	offset, _ := strconv.Atoi(f.Get("offset"))
	res, err := h.s.PlanPost(r.Context(), web.ActorOf(r), p.WorkspaceID, rl.ID, offset, channel.Network(f.Get("network")), f.Get("post_text"), p.Zone)
	form := web.NewForm(url.Values{})
	setForm(form, inputOf(rl))
	for _, k := range []string{"offset", "network", "post_text"} {
		form.Values.Set(k, f.Get(k))
	}
	var we *web.Error
	switch {
	case errors.As(err, &we) && we.Fields != nil:
		for k, v := range we.Fields {
			if k == "text" {
				k = "post_text"
			}
			form.Fail(k, v)
		}
		return h.render(w, r, http.StatusUnprocessableEntity, rl, form, editData{})
	case errors.Is(err, ErrNoEmbargo):
		form.Fail("offset", ErrNoEmbargo.Key)
		return h.render(w, r, http.StatusUnprocessableEntity, rl, form, editData{})
	}
	if probs, ok := problems(r, err); ok {
		return h.render(w, r, http.StatusUnprocessableEntity, rl, form, editData{Problems: probs})
	}
	if err != nil {
		return err
	}
	h.flashPost(r, res)
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/press/releases/%d#posts", rl.ID)))
}

// flashPost says what planning a post did: scheduled at its time, or saved and why not scheduled.
func (h *Handlers) flashPost(r *http.Request, res PostResult) {
	l := web.LocaleOf(r)
	if res.Scheduled {
		h.srv.AddFlashText(r, "ok", l.T("release.post.scheduled", "When", l.DateTime(res.Due)))
		return
	}
	h.srv.AddFlashText(r, "error", l.T("release.post.not_scheduled", "When", l.DateTime(res.Due), "Reason", l.T(res.Reason)))
}

func (h *Handlers) reschedulePost(w http.ResponseWriter, r *http.Request) error {
	rl, err := h.releaseOf(r)
	if err != nil {
		return err
	}
	itemID, err := pathID(r, "item")
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	res, err := h.s.ReschedulePost(r.Context(), web.ActorOf(r), p.WorkspaceID, rl.ID, itemID, p.Zone)
	var we *web.Error
	if errors.As(err, &we) && we.Status != http.StatusNotFound {
		h.srv.AddFlash(r, "error", we.Key)
	} else if err != nil {
		return err
	} else {
		h.flashPost(r, res)
	}
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/press/releases/%d#posts", rl.ID)))
}

type settingsData struct {
	Example string
}

func (h *Handlers) settings(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	pat, err := h.s.Pattern(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	f := web.NewForm(url.Values{"pattern": {pat}})
	return h.renderSettings(w, r, http.StatusOK, f)
}

func (h *Handlers) renderSettings(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	p := web.PrincipalOf(r)
	d := settingsData{Example: FormatNumber(f.Get("pattern"), 12, time.Now().In(p.Zone))}
	return h.pages.Render(w, r, status, "settings.html", "release.settings.title", d, f)
}

func (h *Handlers) saveSettings(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	err := h.s.SetPattern(r.Context(), web.ActorOf(r), p.WorkspaceID, f.Get("pattern"))
	if failWith(f, err) {
		return h.renderSettings(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/releases/settings"))
}
