package content

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/web"
)

// Handlers serve the content pages and API.
type Handlers struct {
	s       *Service
	srv     *web.Server
	pages   *web.Pages
	names   MediaNames
	publish PublishView
}

// PublishView shows an item's publishing on its page: the accounts it can go to, and where it
// went or goes.
type PublishView interface {
	TargetChoices(r *http.Request, it *Item) ([]TargetChoice, error)
	Deliveries(r *http.Request, it *Item) ([]Delivery, error)
}

// TargetChoice is an account the schedule form offers.
type TargetChoice struct {
	ID             int64
	Name, Handle   string
	Network        channel.Network
	Chosen         bool
	NeedsReconnect bool
}

// Delivery is an item's publication to one account, as its page shows it.
type Delivery struct {
	ID                 int64
	Account            string
	Network            channel.Network
	State, StateLabel  string
	Message, URL, Link string
	At                 *time.Time
}

// SetPublishView plugs in publishing's part of the item page.
func (h *Handlers) SetPublishView(p PublishView) { h.publish = p }

// NewHandlers parses the templates; names finds media by file name for imports.
func NewHandlers(s *Service, srv *web.Server, names MediaNames) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	return &Handlers{s: s, srv: srv, pages: pages, names: names}, err
}

// Routes are the content pages.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/content", Perm: access.ContentView, Handler: h.list},
		{Method: "GET", Path: "/w/{ws}/content/new", Perm: access.ContentWrite, Handler: h.newForm},
		{Method: "POST", Path: "/w/{ws}/content", Perm: access.ContentWrite, Handler: h.create},
		{Method: "POST", Path: "/w/{ws}/content/count", Perm: access.ContentView, Handler: h.count},
		{Method: "GET", Path: "/w/{ws}/content/{id}", Perm: access.ContentView, Handler: h.show},
		{Method: "POST", Path: "/w/{ws}/content/{id}", Perm: access.ContentWrite, Handler: h.update},
		{Method: "POST", Path: "/w/{ws}/content/{id}/submit", Perm: access.ContentWrite, Handler: h.submit},
		{Method: "POST", Path: "/w/{ws}/content/{id}/schedule", Perm: access.ContentSchedule, Handler: h.schedule},
		{Method: "POST", Path: "/w/{ws}/content/{id}/unschedule", Perm: access.ContentSchedule, Handler: h.unschedule},
		{Method: "POST", Path: "/w/{ws}/content/{id}/archive", Perm: access.ContentWrite, Handler: h.archive(true)},
		{Method: "POST", Path: "/w/{ws}/content/{id}/unarchive", Perm: access.ContentWrite, Handler: h.archive(false)},
		{Method: "GET", Path: "/w/{ws}/content/{id}/versions", Perm: access.ContentView, Handler: h.versions},
		{Method: "POST", Path: "/w/{ws}/content/{id}/versions/{v}/restore", Perm: access.ContentWrite, Handler: h.restore},
		{Method: "POST", Path: "/w/{ws}/content/{id}/comments", Perm: access.ContentView, Handler: h.comment},
		{Method: "POST", Path: "/w/{ws}/content/{id}/comments/{c}/resolve", Perm: access.ContentWrite, Handler: h.resolve},
		{Method: "POST", Path: "/w/{ws}/content/{id}/as-template", Perm: access.ContentWrite, Handler: h.saveAsTemplate},
		{Method: "POST", Path: "/w/{ws}/content/{id}/translate", Perm: access.ContentWrite, Handler: h.translate},
		{Method: "GET", Path: "/w/{ws}/import", Perm: access.ContentWrite, Handler: h.importForm},
		{Method: "POST", Path: "/w/{ws}/import", Perm: access.ContentWrite, Handler: h.importCheck},
		{Method: "POST", Path: "/w/{ws}/import/confirm", Perm: access.ContentWrite, Handler: h.importConfirm},
		{Method: "GET", Path: "/w/{ws}/templates", Perm: access.ContentView, Handler: h.templates},
		{Method: "GET", Path: "/w/{ws}/templates/{key}", Perm: access.ContentWrite, Handler: h.templateForm},
		{Method: "POST", Path: "/w/{ws}/templates/{key}", Perm: access.ContentWrite, Handler: h.useTemplate},
		{Method: "POST", Path: "/w/{ws}/templates/{key}/delete", Perm: access.ContentWrite, Handler: h.deleteTemplate},
	}
}

func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

type listData struct {
	Items     []Item
	Total     int
	Page      int
	Pages     int
	Filter    Filter
	Statuses  []Status
	Networks  []channel.Rules
	Campaigns []CampaignChoice
	Query     url.Values
}

const pageSize = 25

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	q := r.URL.Query()
	f := Filter{Query: strings.TrimSpace(q.Get("q")), Status: Status(q.Get("status")), Network: channel.Network(q.Get("network")),
		Label: strings.ToLower(strings.TrimSpace(q.Get("label"))), Lang: q.Get("lang"), Sort: q.Get("sort"), Limit: pageSize}
	f.CampaignID, _ = strconv.ParseInt(q.Get("campaign"), 10, 64)
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	items, total, err := h.s.List(r.Context(), p.WorkspaceID, f)
	if err != nil {
		return err
	}
	d := listData{Items: items, Total: total, Page: f.Page, Pages: (total + pageSize - 1) / pageSize, Filter: f,
		Statuses: Statuses, Networks: channel.Networks, Query: q}
	if h.s.campaigns != nil {
		if d.Campaigns, err = h.s.campaigns.Choices(r.Context(), p.WorkspaceID, 0); err != nil {
			return err
		}
	}
	return h.pages.Render(w, r, http.StatusOK, "list.html", "content.title", d, nil)
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

// editData is what the editor shows.
type editData struct {
	Item         *Item
	Networks     []channel.Rules
	Enabled      map[channel.Network]bool
	Counts       map[channel.Network][2]int
	Problems     []string
	Campaigns    []CampaignChoice
	Media        []MediaChoice
	Comments     []Comment
	Conflict     []DiffRow
	Zone         string
	Offset       string
	Preview      template.HTML
	Translations []Translation
	Targets      []TargetChoice
	Deliveries   []Delivery
	Paused       bool
}

func (h *Handlers) editor(r *http.Request, it *Item, f *web.Form) (*editData, error) {
	p := web.PrincipalOf(r)
	d := &editData{Item: it, Networks: channel.Networks, Enabled: map[channel.Network]bool{}, Counts: map[channel.Network][2]int{}}
	opts, err := h.s.countOptions(r.Context(), p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	for _, n := range channel.Networks {
		if f.Checked("variant_" + string(n.Network)) {
			d.Enabled[n.Network] = true
		}
		vopts := opts
		vopts.Thread = f.Checked("thread_" + string(n.Network))
		count, limit := channel.Counter(n.Network, f.Raw("text_"+string(n.Network)), vopts)
		d.Counts[n.Network] = [2]int{count, limit}
	}
	var campaignID int64
	var used []int64
	if it != nil {
		campaignID, used = it.CampaignID, it.mediaIDs()
	}
	if h.s.campaigns != nil {
		if d.Campaigns, err = h.s.campaigns.Choices(r.Context(), p.WorkspaceID, campaignID); err != nil {
			return nil, err
		}
	}
	if h.s.media != nil {
		if d.Media, err = h.s.media.Choices(r.Context(), p.WorkspaceID, 24, used); err != nil {
			return nil, err
		}
	}
	if it != nil {
		if d.Comments, err = h.s.Comments(r.Context(), p.WorkspaceID, it.ID); err != nil {
			return nil, err
		}
		if it.Offset != nil {
			d.Offset = it.Offset.String()
		}
		d.Preview = Render(it.Body)
		if d.Translations, err = h.s.Translations(r.Context(), p.WorkspaceID, it); err != nil {
			return nil, err
		}
		if h.publish != nil {
			if d.Targets, err = h.publish.TargetChoices(r, it); err != nil {
				return nil, err
			}
			if d.Deliveries, err = h.publish.Deliveries(r, it); err != nil {
				return nil, err
			}
		}
		if h.s.publisher != nil {
			if d.Paused, err = h.s.publisher.PausedIn(r.Context(), p.WorkspaceID); err != nil {
				return nil, err
			}
		}
	}
	if p.Zone != nil {
		d.Zone = p.Zone.String()
	}
	return d, nil
}

// itemForm fills the editor form from an item.
func itemForm(it *Item) *web.Form {
	f := web.NewForm(url.Values{
		"title": {it.Title}, "body": {it.Body}, "lang": {it.Lang}, "labels": {strings.Join(it.Labels, ", ")},
		"campaign": {idString(it.CampaignID)}, "base_version": {strconv.Itoa(it.Version)},
	})
	for _, id := range it.Attachments {
		f.Values.Add("attachments", strconv.FormatInt(id, 10))
	}
	for _, v := range it.Variants {
		n := string(v.Network)
		f.Values.Set("variant_"+n, "on")
		f.Values.Set("text_"+n, v.Text)
		f.Values.Set("comment_"+n, v.FirstComment)
		if v.Thread {
			f.Values.Set("thread_"+n, "on")
		}
		for _, id := range v.Media {
			f.Values.Add("media_"+n, strconv.FormatInt(id, 10))
		}
	}
	return f
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// inputOf reads the editor form.
func inputOf(f *web.Form) Input {
	in := Input{Title: f.Get("title"), Body: strings.ReplaceAll(f.Raw("body"), "\r\n", "\n"), Lang: f.Get("lang")}
	in.CampaignID, _ = strconv.ParseInt(f.Get("campaign"), 10, 64)
	in.BaseVersion, _ = strconv.Atoi(f.Get("base_version"))
	in.Labels = strings.Split(f.Get("labels"), ",")
	in.Attachments = ids(f.Values["attachments"])
	for _, n := range channel.Networks {
		key := string(n.Network)
		if !f.Checked("variant_" + key) {
			continue
		}
		in.Variants = append(in.Variants, Variant{Network: n.Network, Text: strings.ReplaceAll(f.Raw("text_"+key), "\r\n", "\n"),
			FirstComment: strings.TrimSpace(f.Raw("comment_" + key)), Media: ids(f.Values["media_"+key]),
			Thread: n.ThreadParts > 0 && f.Checked("thread_"+key)})
	}
	return in
}

func ids(xs []string) []int64 {
	var out []int64
	for _, x := range xs {
		if id, err := strconv.ParseInt(x, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func (h *Handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.NewForm(url.Values{"lang": {p.WorkspaceLang}})
	d, err := h.editor(r, nil, f)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "edit.html", "content.new", d, f)
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	return h.save(w, r, 0)
}

func (h *Handlers) update(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	return h.save(w, r, id)
}

// save stores the editor's form; on any problem the editor comes back with the typed text and
// each problem beside its variant.
func (h *Handlers) save(w http.ResponseWriter, r *http.Request, id int64) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	in := inputOf(f)
	it, probs, err := h.s.Save(r.Context(), web.ActorOf(r), p.WorkspaceID, id, in)
	var current *Item
	switch {
	case errors.Is(err, ErrConflict):
		latest, gerr := h.s.Get(r.Context(), p.WorkspaceID, id)
		if gerr != nil {
			return gerr
		}
		d, derr := h.editor(r, latest, f)
		if derr != nil {
			return derr
		}
		// Show what the other person saved beside what this person typed; nothing is overwritten.
		mine := Version{Title: in.Title, Body: in.Body, Variants: in.Variants}
		theirs := Version{Title: latest.Title, Body: latest.Body, Variants: latest.Variants}
		d.Conflict = Diff(VersionText(theirs), VersionText(mine))
		f.Values.Set("base_version", strconv.Itoa(latest.Version))
		return h.pages.Render(w, r, http.StatusConflict, "edit.html", "content.edit", d, f)
	case err != nil:
		return err
	case !probs.OK():
		for field, key := range probs.Fields {
			f.Fail(field, key)
		}
		if id != 0 {
			current, _ = h.s.Get(r.Context(), p.WorkspaceID, id)
		}
		d, derr := h.editor(r, current, f)
		if derr != nil {
			return derr
		}
		for _, pr := range probs.Variants {
			d.Problems = append(d.Problems, pr.Message(web.LocaleOf(r)))
		}
		title := "content.new"
		if id != 0 {
			title = "content.edit"
		}
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "edit.html", title, d, f)
	}
	h.srv.AddFlash(r, "ok", "content.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/content/%d", it.ID)))
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	it, err := h.s.Get(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	if it.Kind == KindRelease {
		// A release has more fields than this editor knows; its own editor has them all.
		return web.Redirect(w, r, web.WorkspacePath(r, ReleaseLink(it.ID)))
	}
	f := itemForm(it)
	d, err := h.editor(r, it, f)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "edit.html", "content.edit", d, f)
}

// count answers the editor's live counter for one variant.
func (h *Handlers) count(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	n := channel.Network(f.Get("network"))
	if _, ok := channel.Lookup(n); !ok {
		return web.ErrBadRequest
	}
	opts, err := h.s.countOptions(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	opts.Thread = f.Checked("thread_" + string(n))
	count, limit := channel.Counter(n, f.Raw("text_"+string(n)), opts)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	class := "count"
	if count > limit {
		class += " over"
	}
	_, err = fmt.Fprintf(w, `<span class="%s">%s</span>`, class, web.LocaleOf(r).T("content.count", "Chars", count, "Limit", limit))
	return err
}

// act runs a status change and returns to the item, with its outcome as a flash.
func (h *Handlers) act(w http.ResponseWriter, r *http.Request, done string, do func(id int64) error) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	err = do(id)
	var ve *VariantError
	var we *web.Error
	switch {
	case errors.As(err, &ve):
		for _, pr := range ve.Problems {
			h.srv.AddFlashText(r, "error", pr.Message(web.LocaleOf(r)))
		}
	case errors.As(err, &we) && we.Status < 500:
		h.srv.AddFlash(r, "error", we.Key)
	case err != nil:
		return err
	default:
		h.srv.AddFlash(r, "ok", done)
	}
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/content/%d", id)))
}

func (h *Handlers) submit(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, "content.submitted", func(id int64) error {
		return h.s.Submit(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id)
	})
}

func (h *Handlers) schedule(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	zone := p.Zone
	if zone == nil {
		zone = time.UTC
	}
	var when When
	if rel := f.Get("offset"); f.Get("mode") == "relative" {
		o, err := campaign.ParseOffset(rel)
		if err != nil {
			h.srv.AddFlash(r, "error", "content.error.offset")
			return web.Redirect(w, r, web.WorkspacePath(r, "/content/"+r.PathValue("id")))
		}
		when.Offset = &o
	} else if at, err := time.ParseInLocation("2006-01-02T15:04", f.Get("at"), zone); err == nil {
		when.At = &at
	}
	when.ConfirmPaused = f.Checked("confirm_paused")
	if f.Get("targets") != "" { // the form offered accounts: the ones ticked are the choice
		when.Accounts = []int64{}
		for _, v := range f.Values["account"] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				when.Accounts = append(when.Accounts, id)
			}
		}
	}
	return h.act(w, r, "content.scheduled", func(id int64) error {
		_, err := h.s.Schedule(r.Context(), web.ActorOf(r), p.WorkspaceID, id, when, zone)
		return err
	})
}

func (h *Handlers) unschedule(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, "content.unscheduled", func(id int64) error {
		return h.s.Unschedule(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id)
	})
}

func (h *Handlers) archive(archive bool) web.Handler {
	done := "content.archived"
	if !archive {
		done = "content.unarchived"
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		return h.act(w, r, done, func(id int64) error {
			return h.s.Archive(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id, archive)
		})
	}
}

type versionsData struct {
	Item     *Item
	Versions []Version
	A, B     int
	Rows     []DiffRow
}

func (h *Handlers) versions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	it, err := h.s.Get(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	vs, err := h.s.Versions(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	d := versionsData{Item: it, Versions: vs}
	d.A, _ = strconv.Atoi(r.URL.Query().Get("a"))
	d.B, _ = strconv.Atoi(r.URL.Query().Get("b"))
	if d.A == 0 && d.B == 0 && len(vs) > 1 {
		d.A, d.B = vs[1].Version, vs[0].Version
	}
	var va, vb *Version
	for i := range vs {
		if vs[i].Version == d.A {
			va = &vs[i]
		}
		if vs[i].Version == d.B {
			vb = &vs[i]
		}
	}
	if va != nil && vb != nil {
		d.Rows = Diff(VersionText(*va), VersionText(*vb))
	}
	return h.pages.Render(w, r, http.StatusOK, "versions.html", "content.versions", d, nil)
}

func (h *Handlers) restore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	v, err := strconv.Atoi(r.PathValue("v"))
	if err != nil {
		return web.ErrNotFound
	}
	_, probs, err := h.s.Restore(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id, v)
	if err != nil {
		return err
	}
	if !probs.OK() {
		for _, pr := range probs.Variants {
			h.srv.AddFlashText(r, "error", pr.Message(web.LocaleOf(r)))
		}
	} else {
		h.srv.AddFlash(r, "ok", "content.restored")
	}
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/content/%d", id)))
}

func (h *Handlers) comment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	parent, _ := strconv.ParseInt(f.Get("parent"), 10, 64)
	cid, err := h.s.AddComment(r.Context(), Commenter{UserID: p.UserID, Name: p.Name, Email: p.Email, IP: web.ClientIP(r)}, p.WorkspaceID, id, parent, f.Raw("body"))
	var fe *fieldError
	if errors.As(err, &fe) {
		h.srv.AddFlash(r, "error", "content.error.comment_empty")
		return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/content/%d#comments", id)))
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/content/%d#comment-%d", id, cid)))
}

func (h *Handlers) resolve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	cid, err := pathInt(r, "c")
	if err != nil {
		return err
	}
	resolved := web.ParseForm(r).Get("resolved") != "false"
	if err := h.s.ResolveComment(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id, cid, resolved); err != nil {
		return err
	}
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/content/%d#comment-%d", id, cid)))
}

func (h *Handlers) templates(w http.ResponseWriter, r *http.Request) error {
	list, err := h.s.Templates(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "templates.html", "content.templates", list, nil)
}

type templateData struct {
	Template     Template
	Placeholders []string
	Preview      template.HTML
}

func (h *Handlers) templateForm(w http.ResponseWriter, r *http.Request) error {
	t, err := h.s.Template(r.Context(), web.PrincipalOf(r).WorkspaceID, r.PathValue("key"))
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "template.html", "content.use_template", templateData{Template: t, Placeholders: t.Placeholders(), Preview: Render(t.Body)}, nil)
}

func (h *Handlers) useTemplate(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	t, err := h.s.Template(r.Context(), p.WorkspaceID, r.PathValue("key"))
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	values := map[string]string{}
	for i, name := range t.Placeholders() {
		values[name] = f.Get(fmt.Sprintf("p%d", i))
	}
	it, err := h.s.UseTemplate(r.Context(), web.ActorOf(r), p.WorkspaceID, t.Key, values)
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "content.template_used")
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/content/%d", it.ID)))
}

func (h *Handlers) saveAsTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.s.SaveAsTemplate(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id, web.ParseForm(r).Get("name")); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "content.template_saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/templates"))
}

func (h *Handlers) deleteTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(strings.TrimPrefix(r.PathValue("key"), "ws:"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	if err := h.s.DeleteTemplate(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "content.template_deleted")
	return web.Redirect(w, r, web.WorkspacePath(r, "/templates"))
}

type importData struct {
	Rows     []ImportRow
	Problem  string
	CSV      string
	OK       int
	Zone     string
	Required bool
}

// maxImport is the largest CSV taken: about ten thousand posts.
const maxImport = 2 << 20

func (h *Handlers) importForm(w http.ResponseWriter, r *http.Request) error {
	return h.pages.Render(w, r, http.StatusOK, "import.html", "content.import", importData{Zone: zoneName(r)}, nil)
}

func zoneName(r *http.Request) string {
	if p := web.PrincipalOf(r); p != nil && p.Zone != nil {
		return p.Zone.String()
	}
	return "UTC"
}

// readImport takes the CSV from an upload, or from the confirm form that carries it back.
func readImport(r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxImport+64<<10)
	if err := r.ParseMultipartForm(maxImport); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return nil, err
	}
	if f, _, err := r.FormFile("file"); err == nil {
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, maxImport+1))
	}
	return []byte(r.FormValue("csv")), nil
}

func (h *Handlers) checkImport(r *http.Request) (importData, []byte, error) {
	p := web.PrincipalOf(r)
	d := importData{Zone: zoneName(r)}
	data, err := readImport(r)
	if err != nil || len(data) > maxImport {
		d.Problem = "content.import.error.too_large"
		return d, nil, nil
	}
	if len(data) == 0 {
		d.Problem = "content.import.error.no_file"
		return d, nil, nil
	}
	zone := p.Zone
	if zone == nil {
		zone = time.UTC
	}
	l := web.LocaleOf(r)
	rows, problem, err := h.s.ParseImport(r.Context(), p.WorkspaceID, data, zone, h.names, func(pr channel.Problem) string { return pr.Message(l) })
	if err != nil {
		return d, nil, err
	}
	d.Rows, d.Problem, d.CSV = rows, problem, string(data)
	for _, row := range rows {
		if len(row.Problems) == 0 {
			d.OK++
		}
	}
	if h.s.workflow != nil {
		if d.Required, err = h.s.workflow.Required(r.Context(), p.WorkspaceID); err != nil {
			return d, nil, err
		}
	}
	return d, data, nil
}

func (h *Handlers) importCheck(w http.ResponseWriter, r *http.Request) error {
	d, _, err := h.checkImport(r)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if d.Problem != "" || d.OK < len(d.Rows) {
		status = http.StatusUnprocessableEntity
	}
	return h.pages.Render(w, r, status, "import.html", "content.import", d, nil)
}

func (h *Handlers) importConfirm(w http.ResponseWriter, r *http.Request) error {
	d, _, err := h.checkImport(r)
	if err != nil {
		return err
	}
	// The file is checked again: a row that broke since the preview (a past time) stops all of it.
	if d.Problem != "" || d.OK < len(d.Rows) {
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "import.html", "content.import", d, nil)
	}
	p := web.PrincipalOf(r)
	l := web.LocaleOf(r)
	if err := h.s.FetchImportMedia(r.Context(), web.ActorOf(r), p.WorkspaceID, d.Rows, h.names, func(pr channel.Problem) string { return pr.Message(l) }); err != nil {
		return err
	}
	d.OK = 0
	for _, row := range d.Rows {
		if len(row.Problems) == 0 {
			d.OK++
		}
	}
	if d.OK < len(d.Rows) {
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "import.html", "content.import", d, nil)
	}
	n, err := h.s.ImportRows(r.Context(), web.ActorOf(r), p.WorkspaceID, p.WorkspaceLang, d.Rows)
	if err != nil {
		return err
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("content.import.done", "Count", n))
	return web.Redirect(w, r, web.WorkspacePath(r, "/content?sort=scheduled"))
}

func (h *Handlers) translate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	tr, err := h.s.Translate(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "content.translation_started")
	return web.Redirect(w, r, web.WorkspacePath(r, fmt.Sprintf("/content/%d", tr.ID)))
}
