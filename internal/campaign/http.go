package campaign

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the campaign pages and API.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
	link  *template.Template
}

// NewHandlers parses the campaign templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// The UTM builder's result is also served alone, for htmx to swap in while the person types.
	link, err := template.New("link").Funcs(web.Funcs).ParseFS(templates, "templates/_link.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages, link: link}, nil
}

// Routes are the campaign pages with their permissions.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/campaigns", Perm: access.ContentView, Handler: h.list},
		{Method: "GET", Path: "/w/{ws}/campaigns/new", Perm: access.CampaignWrite, Handler: h.newForm},
		{Method: "POST", Path: "/w/{ws}/campaigns", Perm: access.CampaignWrite, Handler: h.create},
		{Method: "GET", Path: "/w/{ws}/campaigns/{id}", Perm: access.ContentView, Handler: h.show},
		{Method: "POST", Path: "/w/{ws}/campaigns/{id}", Perm: access.CampaignWrite, Handler: h.save},
		{Method: "POST", Path: "/w/{ws}/campaigns/{id}/archive", Perm: access.CampaignWrite, Handler: h.archive},
		{Method: "POST", Path: "/w/{ws}/campaigns/{id}/restore", Perm: access.CampaignWrite, Handler: h.restore},
		{Method: "GET", Path: "/w/{ws}/campaigns/{id}/anchor", Perm: access.CampaignWrite, Handler: h.previewAnchor},
		{Method: "POST", Path: "/w/{ws}/campaigns/{id}/anchor", Perm: access.CampaignWrite, Handler: h.moveAnchor},
		{Method: "POST", Path: "/w/{ws}/campaigns/{id}/utm", Perm: access.CampaignWrite, Handler: h.saveUTM},
		{Method: "GET", Path: "/w/{ws}/campaigns/{id}/link", Perm: access.ContentView, Handler: h.linkFragment},
	}
}

const pageSize = 50

type listData struct {
	Campaigns []Campaign
	Filter    Filter
	Sorts     []string
	Filtered  bool // a search or the archive narrows the list
	Prev      int  // page numbers, 0 when there is none
	Next      int
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{Query: q.Get("q"), Archived: q.Get("archived") != "", Sort: q.Get("sort"), Limit: pageSize + 1}
	if _, ok := orders[f.Sort]; !ok || f.Sort == "id" {
		f.Sort = "starts"
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * pageSize
	list, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	d := listData{Campaigns: list, Filter: f, Sorts: Sorts, Filtered: f.Query != "" || f.Archived}
	if len(list) > pageSize {
		d.Campaigns, d.Next = list[:pageSize], page+1
	}
	if page > 1 {
		d.Prev = page - 1
	}
	return h.pages.Render(w, r, http.StatusOK, "list.html", "campaign.title", d, nil)
}

// pageData is what the campaign page shows; C is nil on the new-campaign page.
type pageData struct {
	C        *Campaign
	Items    []RelativeItem
	UTM      []ChannelUTM
	Channels []string
	Zone     string
	Link     linkResult
	Moved    int  // items moved by the anchor change just made; -1 when none was made
	Conflict bool // someone else saved while this person was editing
}

// linkResult is the UTM builder's answer: the tagged link, or what is wrong (a catalog key).
type linkResult struct {
	Tagged string
	Error  string
}

func (h *Handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(url.Values{"colour": {DefaultColour}, "anchor_time": {"09:00"}})
	return h.render(w, r, http.StatusOK, nil, f, pageData{})
}

func inputFrom(f *web.Form) Input {
	return Input{Name: f.Get("name"), Description: f.Get("description"), Colour: f.Get("colour"),
		StartsOn: Date(f.Get("starts_on")), EndsOn: Date(f.Get("ends_on")), UTMCampaign: f.Get("utm_campaign")}
}

// anchorFrom reads the anchor_date and anchor_time fields as a time in the workspace's zone; nil
// without a date (the time field always has one, 09:00 to start with) or when either is wrong,
// and then the field says why.
func anchorFrom(f *web.Form, zone *time.Location) *time.Time {
	d, t := f.Get("anchor_date"), f.Get("anchor_time")
	switch {
	case d == "":
		return nil
	case t == "":
		f.Fail("anchor_time", "form.required")
		return nil
	}
	if _, err := time.Parse(dateLayout, d); err != nil {
		f.Fail("anchor_date", "campaign.error.date")
		return nil
	}
	if len(t) == len("15:04:05") {
		t = t[:5] // browsers send seconds when the field has a step
	}
	at, err := time.ParseInLocation(dateLayout+" 15:04", d+" "+t, zone)
	if err != nil {
		f.Fail("anchor_time", "campaign.error.time")
		return nil
	}
	return &at
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	in := inputFrom(f)
	in.check(f)
	anchor := anchorFrom(f, p.Zone)
	if !f.Valid() {
		return h.render(w, r, http.StatusUnprocessableEntity, nil, f, pageData{})
	}
	c, err := h.s.Create(r.Context(), web.ActorOf(r), p.WorkspaceID, in, anchor)
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "campaign.created")
	return web.Redirect(w, r, web.WorkspacePath(r, "/campaigns/"+strconv.FormatInt(c.ID, 10)))
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

// campaignOf returns the campaign the path names, in the request's workspace.
func (h *Handlers) campaignOf(r *http.Request) (*Campaign, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.s.Get(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	c, err := h.campaignOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := web.NewForm(url.Values{"url": {q.Get("url")}, "channel": {q.Get("channel")}})
	d := pageData{Moved: -1}
	if n, err := strconv.Atoi(q.Get("moved")); err == nil && n >= 0 {
		d.Moved = n
	}
	if f.Get("url") != "" {
		d.Link = h.build(r, c, f.Get("url"), f.Get("channel"))
		if d.Link.Error != "" {
			f.Fail("url", d.Link.Error)
			d.Link.Error = ""
		}
	}
	return h.render(w, r, http.StatusOK, c, f, d)
}

// render shows the campaign page (or the new-campaign page when c is nil). Fields the form does
// not carry are filled from what is saved, so a failed form keeps what was typed and the rest of
// the page stays as it is.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, c *Campaign, f *web.Form, d pageData) error {
	p := web.PrincipalOf(r)
	d.C, d.Channels, d.Zone = c, Channels, p.Zone.String()
	if c != nil {
		ctx := r.Context()
		var err error
		if d.Items, err = h.s.RelativeItems(ctx, p.WorkspaceID, c.ID); err != nil {
			return err
		}
		if d.UTM, err = h.s.UTMs(ctx, p.WorkspaceID, c.ID); err != nil {
			return err
		}
		set := func(k, v string) {
			if _, ok := f.Values[k]; !ok {
				f.Values.Set(k, v)
			}
		}
		set("name", c.Name)
		set("description", c.Description)
		set("colour", c.Colour)
		set("starts_on", string(c.StartsOn))
		set("ends_on", string(c.EndsOn))
		set("utm_campaign", c.UTMCampaign)
		set("version", strconv.Itoa(c.Version))
		if c.Anchor != nil {
			a := c.Anchor.In(p.Zone)
			set("anchor_date", a.Format(dateLayout))
			set("anchor_time", a.Format("15:04"))
		} else {
			set("anchor_time", "09:00")
		}
		for _, u := range d.UTM {
			set("source_"+u.Channel, u.Source)
			set("medium_"+u.Channel, u.Medium)
			set("content_"+u.Channel, u.Content)
		}
	}
	if f.Get("channel") == "" {
		f.Values.Set("channel", Channels[0])
	}
	title := "campaign.new"
	if c != nil {
		title = "campaign.edit"
	}
	return h.pages.Render(w, r, status, "campaign.html", title, d, f)
}

func (h *Handlers) save(w http.ResponseWriter, r *http.Request) error {
	c, err := h.campaignOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	in := inputFrom(f)
	in.check(f)
	if !f.Valid() {
		return h.render(w, r, http.StatusUnprocessableEntity, c, f, pageData{Moved: -1})
	}
	version, _ := strconv.Atoi(f.Get("version"))
	if version == 0 {
		return web.ErrBadRequest // the form always carries the version it was made from
	}
	_, err = h.s.Update(r.Context(), web.ActorOf(r), c.WorkspaceID, c.ID, version, in)
	if errors.Is(err, ErrChanged) {
		// Keep what this person typed; saving again now replaces the other change knowingly.
		f.Values.Set("version", strconv.Itoa(c.Version))
		return h.render(w, r, http.StatusConflict, c, f, pageData{Moved: -1, Conflict: true})
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/campaigns/"+strconv.FormatInt(c.ID, 10)))
}

func (h *Handlers) archive(w http.ResponseWriter, r *http.Request) error {
	return h.setArchived(w, r, true)
}

func (h *Handlers) restore(w http.ResponseWriter, r *http.Request) error {
	return h.setArchived(w, r, false)
}

func (h *Handlers) setArchived(w http.ResponseWriter, r *http.Request, archive bool) error {
	c, err := h.campaignOf(r)
	if err != nil {
		return err
	}
	do, flash := h.s.Restore, "campaign.restored"
	if archive {
		do, flash = h.s.Archive, "campaign.archived"
	}
	if err := do(r.Context(), web.ActorOf(r), c.WorkspaceID, c.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", flash)
	return web.Redirect(w, r, web.WorkspacePath(r, "/campaigns/"+strconv.FormatInt(c.ID, 10)))
}

type previewData struct {
	C      *Campaign
	To     time.Time
	Shifts []Shift
}

// previewAnchor shows where each relative item would move, before anything is saved.
func (h *Handlers) previewAnchor(w http.ResponseWriter, r *http.Request) error {
	c, err := h.campaignOf(r)
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	q := r.URL.Query()
	f := web.NewForm(url.Values{"anchor_date": {q.Get("anchor_date")}, "anchor_time": {q.Get("anchor_time")}})
	to := anchorFrom(f, p.Zone)
	if to == nil {
		if f.Valid() {
			f.Fail("anchor_date", "form.required")
		}
		return h.render(w, r, http.StatusUnprocessableEntity, c, f, pageData{Moved: -1})
	}
	shifts, err := h.s.PreviewAnchor(r.Context(), p.WorkspaceID, c.ID, *to, p.Zone)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "anchor.html", "campaign.anchor.preview_title", previewData{C: c, To: *to, Shifts: shifts}, f)
}

func (h *Handlers) moveAnchor(w http.ResponseWriter, r *http.Request) error {
	c, err := h.campaignOf(r)
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	to := anchorFrom(f, p.Zone)
	if to == nil {
		if f.Valid() {
			f.Fail("anchor_date", "form.required")
		}
		return h.render(w, r, http.StatusUnprocessableEntity, c, f, pageData{Moved: -1})
	}
	n, err := h.s.MoveAnchor(r.Context(), web.ActorOf(r), p.WorkspaceID, c.ID, *to, p.Zone)
	if err != nil {
		return err
	}
	return web.Redirect(w, r, web.WorkspacePath(r, "/campaigns/"+strconv.FormatInt(c.ID, 10)+"?moved="+strconv.Itoa(n)+"#anchor"))
}

func (h *Handlers) saveUTM(w http.ResponseWriter, r *http.Request) error {
	c, err := h.campaignOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	rows := make([]ChannelUTM, 0, len(Channels))
	for _, ch := range Channels {
		rows = append(rows, ChannelUTM{Channel: ch, Source: f.Get("source_" + ch), Medium: f.Get("medium_" + ch), Content: f.Get("content_" + ch)})
	}
	err = h.s.SetUTM(r.Context(), web.ActorOf(r), c.WorkspaceID, c.ID, rows)
	var we *web.Error
	if errors.As(err, &we) && we.Fields != nil {
		for k, v := range we.Fields {
			f.Fail(k, v)
		}
		return h.render(w, r, http.StatusUnprocessableEntity, c, f, pageData{Moved: -1})
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/campaigns/"+strconv.FormatInt(c.ID, 10)+"#utm"))
}

// build tags one link for the campaign's channel.
func (h *Handlers) build(r *http.Request, c *Campaign, raw, channel string) linkResult {
	p, err := h.s.UTMFor(r.Context(), c.WorkspaceID, c.ID, channel)
	if err != nil {
		return linkResult{Error: ErrBadChannel.Key}
	}
	tagged, ok := TagURL(raw, p)
	if !ok {
		return linkResult{Error: "campaign.error.url"}
	}
	return linkResult{Tagged: tagged}
}

// fragment is what the builder's result partial needs outside a page: words and the result.
type fragment struct {
	L    *i18n.Locale
	Data pageData
}

// T translates, as a page's View does.
func (f fragment) T(key string, args ...any) string { return f.L.T(key, args...) }

// linkFragment answers the UTM builder as the person types (htmx); without htmx the builder's
// form goes to the campaign page, which shows the same result.
func (h *Handlers) linkFragment(w http.ResponseWriter, r *http.Request) error {
	c, err := h.campaignOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if r.Header.Get("HX-Request") != "true" {
		return web.Redirect(w, r, web.WorkspacePath(r, "/campaigns/"+strconv.FormatInt(c.ID, 10)+"?"+url.Values{"url": {q.Get("url")}, "channel": {q.Get("channel")}}.Encode()+"#utm-builder"))
	}
	var d pageData
	if raw := q.Get("url"); raw != "" {
		d.Link = h.build(r, c, raw, q.Get("channel"))
	}
	var buf bytes.Buffer
	if err := h.link.ExecuteTemplate(&buf, "linkresult", fragment{L: web.LocaleOf(r), Data: d}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(buf.Bytes())
	return err
}
