package press

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the media-relations pages and API.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the press templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages}, nil
}

// Routes are the media-relations pages with their permissions.
func (h *Handlers) Routes() []web.Route {
	v, w, m := access.PressView, access.PressWrite, access.PressManage
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/press/contacts", Perm: v, Handler: h.contacts},
		{Method: "GET", Path: "/w/{ws}/press/contacts/new", Perm: w, Handler: h.newContact},
		{Method: "POST", Path: "/w/{ws}/press/contacts", Perm: w, Handler: h.createContact},
		{Method: "POST", Path: "/w/{ws}/press/contacts/bulk", Perm: w, Handler: h.bulkAdd},
		{Method: "GET", Path: "/w/{ws}/press/contacts/export.csv", Perm: v, Handler: h.exportCSV},
		{Method: "GET", Path: "/w/{ws}/press/contacts/export.xlsx", Perm: v, Handler: h.exportXLSX},
		{Method: "GET", Path: "/w/{ws}/press/contacts/{id}", Perm: v, Handler: h.contact},
		{Method: "POST", Path: "/w/{ws}/press/contacts/{id}", Perm: w, Handler: h.saveContact},
		{Method: "POST", Path: "/w/{ws}/press/contacts/{id}/events", Perm: w, Handler: h.logEvent},
		{Method: "POST", Path: "/w/{ws}/press/contacts/{id}/lists", Perm: w, Handler: h.contactAddList},
		{Method: "POST", Path: "/w/{ws}/press/contacts/{id}/lists/{list}/remove", Perm: w, Handler: h.contactRemoveList},
		{Method: "POST", Path: "/w/{ws}/press/contacts/{id}/do-not-contact", Perm: w, Handler: h.doNotContact},
		{Method: "GET", Path: "/w/{ws}/press/contacts/{id}/export", Perm: m, Handler: h.exportContact},
		{Method: "GET", Path: "/w/{ws}/press/contacts/{id}/erase", Perm: m, Handler: h.eraseForm},
		{Method: "POST", Path: "/w/{ws}/press/contacts/{id}/erase", Perm: m, Handler: h.erase},

		{Method: "GET", Path: "/w/{ws}/press/outlets", Perm: v, Handler: h.outlets},
		{Method: "GET", Path: "/w/{ws}/press/outlets/new", Perm: w, Handler: h.newOutlet},
		{Method: "POST", Path: "/w/{ws}/press/outlets", Perm: w, Handler: h.createOutlet},
		{Method: "GET", Path: "/w/{ws}/press/outlets/{id}", Perm: v, Handler: h.outlet},
		{Method: "POST", Path: "/w/{ws}/press/outlets/{id}", Perm: w, Handler: h.saveOutlet},
		{Method: "POST", Path: "/w/{ws}/press/outlets/{id}/delete", Perm: w, Handler: h.deleteOutlet},

		{Method: "GET", Path: "/w/{ws}/press/lists", Perm: v, Handler: h.lists},
		{Method: "POST", Path: "/w/{ws}/press/lists", Perm: w, Handler: h.createList},
		{Method: "GET", Path: "/w/{ws}/press/lists/{id}", Perm: v, Handler: h.list},
		{Method: "POST", Path: "/w/{ws}/press/lists/{id}", Perm: w, Handler: h.saveList},
		{Method: "POST", Path: "/w/{ws}/press/lists/{id}/remove", Perm: w, Handler: h.removeFromList},
		{Method: "POST", Path: "/w/{ws}/press/lists/{id}/delete", Perm: w, Handler: h.deleteList},

		{Method: "GET", Path: "/w/{ws}/press/segments", Perm: v, Handler: h.segments},
		{Method: "GET", Path: "/w/{ws}/press/segments/new", Perm: w, Handler: h.newSegment},
		{Method: "POST", Path: "/w/{ws}/press/segments", Perm: w, Handler: h.createSegment},
		{Method: "GET", Path: "/w/{ws}/press/segments/{id}", Perm: v, Handler: h.segment},
		{Method: "POST", Path: "/w/{ws}/press/segments/{id}", Perm: w, Handler: h.saveSegment},
		{Method: "POST", Path: "/w/{ws}/press/segments/{id}/delete", Perm: w, Handler: h.deleteSegment},

		{Method: "GET", Path: "/w/{ws}/press/suppressions", Perm: v, Handler: h.suppressions},
		{Method: "POST", Path: "/w/{ws}/press/suppressions", Perm: m, Handler: h.addSuppression},
		{Method: "POST", Path: "/w/{ws}/press/suppressions/{id}/delete", Perm: m, Handler: h.removeSuppression},
	}
}

const pageSize = 50

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, web.ErrNotFound
	}
	return id, nil
}

func ws(r *http.Request) int64 { return web.PrincipalOf(r).WorkspaceID }

func pageOf(q url.Values) int {
	p, _ := strconv.Atoi(q.Get("page"))
	return max(p, 1)
}

// fieldErrors copies a service's field errors onto the form; false when err is not one.
func fieldErrors(f *web.Form, err error) bool {
	var we *web.Error
	if errors.As(err, &we) && we.Fields != nil {
		for k, v := range we.Fields {
			f.Fail(k, v)
		}
		return true
	}
	return false
}

// idsOf reads the ticked contact ids of a bulk form.
func idsOf(f *web.Form, name string) []int64 {
	var out []int64
	for _, v := range f.Values[name] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// ---- contact list ----

// filterFrom reads the contact list's query: search, the filters (each may hold several values
// separated by commas, any of which will do), list, segment and sort.
func filterFrom(q url.Values) Filter {
	f := Filter{Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort")}
	if _, ok := contactOrders[f.Sort]; !ok || f.Sort == "id" {
		f.Sort = "name"
	}
	for _, field := range []string{"beat", "province", "city", "country", "language", "label", "consent", "outlet", "outlet_type", "dewan_pers"} {
		var vals []string
		for _, v := range q[field] {
			vals = append(vals, splitList(v)...)
		}
		if len(vals) > 0 {
			f.Conditions = append(f.Conditions, Condition{Field: field, Values: vals})
		}
	}
	f.List, _ = strconv.ParseInt(q.Get("list"), 10, 64)
	f.Segment, _ = strconv.ParseInt(q.Get("segment"), 10, 64)
	return f
}

type contactsData struct {
	Contacts  []Contact
	Total     int
	Filtered  bool
	Lists     []List
	Segments  []Segment
	Sorts     []string
	Statuses  []string
	Query     template.URL // the filter as a query string, for links that keep it
	PageQuery template.URL // the same with the sort, for the pager
	Sort      string
	Prev      int
	Next      int
	ImportURL string
}

func (h *Handlers) contacts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := filterFrom(q)
	page := pageOf(q)
	f.Limit, f.Offset = pageSize+1, (page-1)*pageSize
	ctx, wsID := r.Context(), ws(r)
	list, err := h.s.Contacts(ctx, wsID, f)
	if err != nil {
		return err
	}
	total, err := h.s.CountContacts(ctx, wsID, f)
	if err != nil {
		return err
	}
	d := contactsData{Contacts: list, Total: total, Sorts: Sorts, Statuses: ConsentStatuses, Sort: f.Sort,
		Filtered:  f.Query != "" || len(f.Conditions) > 0 || f.List != 0 || f.Segment != 0,
		ImportURL: web.WorkspacePath(r, "/press/imports/new")}
	if len(list) > pageSize {
		d.Contacts, d.Next = list[:pageSize], page+1
	}
	if page > 1 {
		d.Prev = page - 1
	}
	keep := url.Values{}
	for k, v := range q {
		if k != "page" && k != "sort" {
			keep[k] = v
		}
	}
	d.Query = template.URL(keep.Encode())
	keep.Set("sort", f.Sort)
	d.PageQuery = template.URL(keep.Encode() + "&")
	if d.Lists, err = h.s.Lists(ctx, wsID, ""); err != nil {
		return err
	}
	if d.Segments, err = listSegments(ctx, h.s.d, wsID); err != nil {
		return err
	}
	form := web.NewForm(q)
	return h.pages.Render(w, r, http.StatusOK, "contacts.html", "press.contacts.title", d, form)
}

// bulkAdd puts the ticked contacts on a list, or on a new list named in the form.
func (h *Handlers) bulkAdd(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	ids := idsOf(f, "contact")
	back := web.WorkspacePath(r, "/press/contacts")
	if ret := f.Get("return"); strings.HasPrefix(ret, "?") {
		back += ret
	}
	if len(ids) == 0 {
		h.srv.AddFlash(r, "error", "press.bulk.none")
		return web.Redirect(w, r, back)
	}
	ctx, a, wsID := r.Context(), web.ActorOf(r), ws(r)
	listID, _ := strconv.ParseInt(f.Get("list"), 10, 64)
	if name := f.Get("new_list"); name != "" {
		var err error
		if listID, err = h.s.NewList(ctx, a, wsID, name, ""); err != nil {
			return err
		}
	}
	if listID == 0 {
		h.srv.AddFlash(r, "error", "press.bulk.no_list")
		return web.Redirect(w, r, back)
	}
	n, err := h.s.AddToList(ctx, a, wsID, listID, ids)
	if err != nil {
		return err
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("press.bulk.added", "Count", n))
	return web.Redirect(w, r, back)
}

// ---- one contact ----

type contactData struct {
	C          *Contact
	Members    []Member
	Lists      []List // the lists it is on
	AllLists   []List
	Timeline   []TimelineEntry
	Outlets    []Outlet // for the outlet picker
	Statuses   []string
	Bases      []string
	Socials    []string
	HandKinds  []string
	Suppressed map[string]string // address → reason
	OwnerName  string
	ByName     map[int64]string
}

func (h *Handlers) newContact(w http.ResponseWriter, r *http.Request) error {
	return h.renderContact(w, r, http.StatusOK, nil, web.NewForm(url.Values{"country": {"ID"}, "consent_status": {"unknown"}}))
}

// contactInput reads the contact form.
func contactInput(f *web.Form, zone *time.Location) ContactInput {
	in := ContactInput{Name: f.Get("name"), Salutation: f.Get("salutation"), Beats: splitList(f.Get("beats")),
		Province: f.Get("province"), City: f.Get("city"), Country: f.Get("country"), Languages: splitList(f.Get("languages")),
		Emails: splitList(f.Get("emails")), Phones: splitList(f.Get("phones")), WhatsApp: f.Get("whatsapp"), Notes: f.Get("notes"),
		Labels: splitList(f.Get("labels")), DoNotContact: f.Checked("do_not_contact"), Socials: map[string]string{},
		Consent: Consent{Status: f.Get("consent_status"), Basis: f.Get("consent_basis"), Source: f.Get("consent_source")}}
	for i := range 3 {
		n := strconv.Itoa(i)
		if name := f.Get("outlet_" + n); name != "" {
			in.Outlets = append(in.Outlets, OutletRole{Outlet: name, Role: f.Get("role_" + n)})
		}
	}
	for _, k := range SocialKeys {
		if v := f.Get("social_" + k); v != "" {
			in.Socials[k] = v
		}
	}
	in.OwnerID, _ = strconv.ParseInt(f.Get("owner_id"), 10, 64)
	if d := f.Get("consent_date"); d != "" {
		if t, err := time.ParseInLocation("2006-01-02", d, zone); err == nil {
			in.Consent.At = t.Add(12 * time.Hour)
		} else {
			f.Fail("consent_date", "press.error.date")
		}
	}
	return in
}

// contactValues fills a form from a stored contact.
func contactValues(c *Contact, zone *time.Location) url.Values {
	v := url.Values{"name": {c.Name}, "salutation": {c.Salutation}, "beats": {strings.Join(c.Beats, ", ")}, "province": {c.Province},
		"city": {c.City}, "country": {c.Country}, "languages": {strings.Join(c.Languages, ", ")}, "emails": {strings.Join(c.Emails, "\n")},
		"phones": {strings.Join(c.Phones, "\n")}, "whatsapp": {c.WhatsApp}, "notes": {c.Notes}, "labels": {strings.Join(c.Labels, ", ")},
		"consent_status": {c.Consent.Status}, "consent_basis": {c.Consent.Basis}, "consent_source": {c.Consent.Source}}
	if c.DoNotContact {
		v.Set("do_not_contact", "1")
	}
	if c.OwnerID != 0 {
		v.Set("owner_id", strconv.FormatInt(c.OwnerID, 10))
	}
	if !c.Consent.At.IsZero() {
		v.Set("consent_date", c.Consent.At.In(zone).Format("2006-01-02"))
	}
	for i, o := range c.Outlets {
		if i < 3 {
			v.Set("outlet_"+strconv.Itoa(i), o.Name)
			v.Set("role_"+strconv.Itoa(i), o.Role)
		}
	}
	for k, s := range c.Socials {
		v.Set("social_"+k, s)
	}
	return v
}

func (h *Handlers) renderContact(w http.ResponseWriter, r *http.Request, status int, c *Contact, f *web.Form) error {
	ctx, wsID := r.Context(), ws(r)
	d := contactData{C: c, Statuses: ConsentStatuses, Bases: ConsentBases, Socials: SocialKeys, HandKinds: HandKinds,
		Suppressed: map[string]string{}, ByName: map[int64]string{}}
	var err error
	if d.Members, err = h.s.Members(ctx, wsID); err != nil {
		return err
	}
	for _, m := range d.Members {
		d.ByName[m.ID] = m.Name
	}
	if d.Outlets, err = h.s.Outlets(ctx, wsID, OutletFilter{Limit: 500}); err != nil {
		return err
	}
	title := "press.contact.new"
	if c != nil {
		title = "press.contact.title"
		d.OwnerName = d.ByName[c.OwnerID]
		if d.Lists, err = h.s.ContactLists(ctx, wsID, c.ID); err != nil {
			return err
		}
		if d.AllLists, err = h.s.Lists(ctx, wsID, ""); err != nil {
			return err
		}
		if d.Timeline, err = h.s.Timeline(ctx, wsID, c.ID, 200); err != nil {
			return err
		}
		for _, e := range c.Emails {
			reason, err := h.s.Suppressed(ctx, wsID, e)
			if err != nil {
				return err
			}
			if reason != "" {
				d.Suppressed[e] = reason
			}
		}
		for k, v := range contactValues(c, web.PrincipalOf(r).Zone) {
			if _, ok := f.Values[k]; !ok {
				f.Values[k] = v
			}
		}
	}
	return h.pages.Render(w, r, status, "contact.html", title, d, f)
}

func (h *Handlers) createContact(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	in := contactInput(f, zoneOf(r))
	if !f.Valid() {
		return h.renderContact(w, r, http.StatusUnprocessableEntity, nil, f)
	}
	id, err := h.s.AddContact(r.Context(), web.ActorOf(r), ws(r), in)
	if fieldErrors(f, err) {
		return h.renderContact(w, r, http.StatusUnprocessableEntity, nil, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "press.contact.created")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/contacts/"+strconv.FormatInt(id, 10)))
}

func (h *Handlers) contactOf(r *http.Request) (*Contact, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	c, err := h.s.Contact(r.Context(), ws(r), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.ErrNotFound
	}
	return c, err
}

func (h *Handlers) contact(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	return h.renderContact(w, r, http.StatusOK, c, web.NewForm(nil))
}

func contactPath(r *http.Request, id int64, rest string) string {
	return web.WorkspacePath(r, "/press/contacts/"+strconv.FormatInt(id, 10)+rest)
}

func (h *Handlers) saveContact(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	in := contactInput(f, zoneOf(r))
	if !c.Consent.At.IsZero() && f.Get("consent_date") == c.Consent.At.In(zoneOf(r)).Format("2006-01-02") {
		in.Consent.At = c.Consent.At // the form shows the day only: an unchanged day keeps the time
	}
	if f.Values.Get("do_not_contact") == "" {
		f.Values.Set("do_not_contact", "") // an unticked box is not "as stored"
	}
	if !f.Valid() {
		return h.renderContact(w, r, http.StatusUnprocessableEntity, c, f)
	}
	err = h.s.UpdateContact(r.Context(), web.ActorOf(r), ws(r), c.ID, in)
	if fieldErrors(f, err) {
		return h.renderContact(w, r, http.StatusUnprocessableEntity, c, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, contactPath(r, c.ID, ""))
}

func (h *Handlers) logEvent(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	e := Event{Kind: f.Get("kind"), Title: f.Get("title"), Detail: f.Get("detail"), At: now()}
	if d := f.Get("date"); d != "" {
		t, err := time.ParseInLocation("2006-01-02", d, web.PrincipalOf(r).Zone)
		if err != nil {
			f.Fail("date", "press.error.date")
		} else if t.Format("2006-01-02") != now().In(web.PrincipalOf(r).Zone).Format("2006-01-02") {
			e.At = t.Add(12 * time.Hour)
		}
	}
	if f.Valid() {
		err = h.s.LogEvent(r.Context(), web.ActorOf(r), ws(r), c.ID, e)
		if err != nil && !fieldErrors(f, err) {
			return err
		}
	}
	if !f.Valid() {
		return h.renderContact(w, r, http.StatusUnprocessableEntity, c, f)
	}
	h.srv.AddFlash(r, "ok", "press.timeline.logged")
	return web.Redirect(w, r, contactPath(r, c.ID, "#timeline"))
}

func (h *Handlers) contactAddList(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	ctx, a, wsID := r.Context(), web.ActorOf(r), ws(r)
	listID, _ := strconv.ParseInt(f.Get("list"), 10, 64)
	if name := f.Get("new_list"); name != "" {
		if listID, err = h.s.NewList(ctx, a, wsID, name, ""); err != nil {
			return err
		}
	}
	if listID == 0 {
		h.srv.AddFlash(r, "error", "press.bulk.no_list")
		return web.Redirect(w, r, contactPath(r, c.ID, "#lists"))
	}
	if _, err := h.s.AddToList(ctx, a, wsID, listID, []int64{c.ID}); errors.Is(err, db.ErrNotFound) {
		return web.ErrNotFound
	} else if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "press.lists.added_one")
	return web.Redirect(w, r, contactPath(r, c.ID, "#lists"))
}

func (h *Handlers) contactRemoveList(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	listID, err := pathID(r, "list")
	if err != nil {
		return err
	}
	if _, err := h.s.RemoveFromList(r.Context(), web.ActorOf(r), ws(r), listID, []int64{c.ID}); errors.Is(err, db.ErrNotFound) {
		return web.ErrNotFound
	} else if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "press.lists.removed_one")
	return web.Redirect(w, r, contactPath(r, c.ID, "#lists"))
}

func (h *Handlers) doNotContact(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	on := f.Get("on") == "1"
	if err := h.s.SetDoNotContact(r.Context(), web.ActorOf(r), ws(r), c.ID, on); err != nil {
		return err
	}
	key := "press.dnc.off_done"
	if on {
		key = "press.dnc.on_done"
	}
	h.srv.AddFlash(r, "ok", key)
	return web.Redirect(w, r, contactPath(r, c.ID, "#consent"))
}

// exportContact downloads everything held on a contact as JSON.
func (h *Handlers) exportContact(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	x, err := h.s.ExportContact(r.Context(), web.ActorOf(r), ws(r), c.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="contact-`+strconv.FormatInt(c.ID, 10)+`.json"`)
	return web.JSON(w, http.StatusOK, x)
}

func (h *Handlers) eraseForm(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "erase.html", "press.erase.title", c, nil)
}

func (h *Handlers) erase(w http.ResponseWriter, r *http.Request) error {
	c, err := h.contactOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	if f.Get("confirm") != "1" {
		f.Fail("confirm", "press.erase.confirm_required")
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "erase.html", "press.erase.title", c, f)
	}
	if err := h.s.Erase(r.Context(), web.ActorOf(r), ws(r), c.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "press.erase.done")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/contacts"))
}

// ---- outlets ----

type outletsData struct {
	PageQuery template.URL
	Outlets   []Outlet
	Filter    OutletFilter
	Types     []string
	Dewan     []string
	Sorts     []string
	Filtered  bool
	Prev      int
	Next      int
}

func (h *Handlers) outlets(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := OutletFilter{Query: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), DewanPers: q.Get("dewan_pers"), Sort: q.Get("sort")}
	if !slices.Contains(OutletSorts, f.Sort) {
		f.Sort = "name"
	}
	if !slices.Contains(OutletTypes, f.Type) {
		f.Type = ""
	}
	if !slices.Contains(DewanPers, f.DewanPers) {
		f.DewanPers = ""
	}
	page := pageOf(q)
	f.Limit, f.Offset = pageSize+1, (page-1)*pageSize
	list, err := h.s.Outlets(r.Context(), ws(r), f)
	if err != nil {
		return err
	}
	d := outletsData{Outlets: list, Filter: f, Types: OutletTypes, Dewan: DewanPers, Sorts: OutletSorts,
		Filtered: f.Query != "" || f.Type != "" || f.DewanPers != ""}
	if len(list) > pageSize {
		d.Outlets, d.Next = list[:pageSize], page+1
	}
	d.PageQuery = template.URL(url.Values{"q": {f.Query}, "type": {f.Type}, "dewan_pers": {f.DewanPers}, "sort": {f.Sort}}.Encode() + "&")
	if page > 1 {
		d.Prev = page - 1
	}
	return h.pages.Render(w, r, http.StatusOK, "outlets.html", "press.outlets.title", d, nil)
}

type outletData struct {
	O        *Outlet
	Types    []string
	Dewan    []string
	Contacts []Contact
}

func outletInput(f *web.Form) OutletInput {
	in := OutletInput{Name: f.Get("name"), Type: f.Get("type"), ReachSource: f.Get("reach_source"), ReachDate: f.Get("reach_date"),
		Province: f.Get("province"), City: f.Get("city"), Country: f.Get("country"), Language: f.Get("language"), Website: f.Get("website"),
		RSS: f.Get("rss_url"), DewanPers: f.Get("dewan_pers"), DewanPersChecked: f.Get("dewan_pers_checked")}
	if s := strings.NewReplacer(".", "", ",", "", " ", "").Replace(f.Get("reach")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f.Fail("reach", "press.error.reach")
		}
		in.Reach = n
	}
	return in
}

func (h *Handlers) renderOutlet(w http.ResponseWriter, r *http.Request, status int, o *Outlet, f *web.Form) error {
	d := outletData{O: o, Types: OutletTypes, Dewan: DewanPers}
	title := "press.outlet.new"
	if o != nil {
		title = "press.outlet.title"
		var err error
		if d.Contacts, err = h.s.Contacts(r.Context(), ws(r), Filter{Conditions: []Condition{{Field: "outlet", Values: []string{strconv.FormatInt(o.ID, 10)}}}, Limit: 500}); err != nil {
			return err
		}
		set := func(k, v string) {
			if _, ok := f.Values[k]; !ok {
				f.Values.Set(k, v)
			}
		}
		set("name", o.Name)
		set("type", o.Type)
		if o.Reach > 0 {
			set("reach", strconv.FormatInt(o.Reach, 10))
		}
		set("reach_source", o.ReachSource)
		set("reach_date", o.ReachDate)
		set("province", o.Province)
		set("city", o.City)
		set("country", o.Country)
		set("language", o.Language)
		set("website", o.Website)
		set("rss_url", o.RSS)
		set("dewan_pers", o.DewanPers)
		set("dewan_pers_checked", o.DewanPersChecked)
	}
	return h.pages.Render(w, r, status, "outlet.html", title, d, f)
}

func (h *Handlers) newOutlet(w http.ResponseWriter, r *http.Request) error {
	return h.renderOutlet(w, r, http.StatusOK, nil, web.NewForm(url.Values{"country": {"ID"}, "type": {"online"}, "dewan_pers": {"unverified"}}))
}

func (h *Handlers) createOutlet(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	in := outletInput(f)
	if !f.Valid() {
		return h.renderOutlet(w, r, http.StatusUnprocessableEntity, nil, f)
	}
	id, err := h.s.CreateOutlet(r.Context(), web.ActorOf(r), ws(r), in)
	if fieldErrors(f, err) {
		return h.renderOutlet(w, r, http.StatusUnprocessableEntity, nil, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "press.outlet.created")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/outlets/"+strconv.FormatInt(id, 10)))
}

func (h *Handlers) outletOf(r *http.Request) (*Outlet, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	o, err := h.s.Outlet(r.Context(), ws(r), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.ErrNotFound
	}
	return o, err
}

func (h *Handlers) outlet(w http.ResponseWriter, r *http.Request) error {
	o, err := h.outletOf(r)
	if err != nil {
		return err
	}
	return h.renderOutlet(w, r, http.StatusOK, o, web.NewForm(nil))
}

func (h *Handlers) saveOutlet(w http.ResponseWriter, r *http.Request) error {
	o, err := h.outletOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	in := outletInput(f)
	if !f.Valid() {
		return h.renderOutlet(w, r, http.StatusUnprocessableEntity, o, f)
	}
	err = h.s.UpdateOutlet(r.Context(), web.ActorOf(r), ws(r), o.ID, in)
	if fieldErrors(f, err) {
		return h.renderOutlet(w, r, http.StatusUnprocessableEntity, o, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/outlets/"+strconv.FormatInt(o.ID, 10)))
}

func (h *Handlers) deleteOutlet(w http.ResponseWriter, r *http.Request) error {
	o, err := h.outletOf(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteOutlet(r.Context(), web.ActorOf(r), ws(r), o.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "press.outlet.deleted")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/outlets"))
}

// ---- lists ----

type listsData struct {
	Lists     []List
	Query     string
	Sort      string
	Sorts     []string
	PageQuery template.URL
	Prev      int
	Next      int
}

// ListSorts are the orders of the lists page (and SegmentSorts of the segments page). A
// workspace has tens of lists and segments, so they are sorted and paged in memory.
var (
	ListSorts    = []string{"name", "size", "updated"}
	SegmentSorts = []string{"name", "size"}
)

// paged sorts items, cuts out the page and says which pages neighbour it.
func paged[T any](items []T, page int, less map[string]func(a, b T) int, sort string) (out []T, prev, next int) {
	if f, ok := less[sort]; ok {
		slices.SortStableFunc(items, f)
	}
	from := min((page-1)*pageSize, len(items))
	to := min(from+pageSize, len(items))
	if to < len(items) {
		next = page + 1
	}
	if page > 1 {
		prev = page - 1
	}
	return items[from:to], prev, next
}

func (h *Handlers) renderLists(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	q := r.URL.Query()
	d := listsData{Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Sorts: ListSorts}
	if !slices.Contains(ListSorts, d.Sort) {
		d.Sort = "name"
	}
	ls, err := h.s.Lists(r.Context(), ws(r), d.Query)
	if err != nil {
		return err
	}
	d.Lists, d.Prev, d.Next = paged(ls, pageOf(q), map[string]func(a, b List) int{
		"size":    func(a, b List) int { return b.Count - a.Count },
		"updated": func(a, b List) int { return b.UpdatedAt.Compare(a.UpdatedAt) },
	}, d.Sort)
	d.PageQuery = template.URL(url.Values{"q": {d.Query}, "sort": {d.Sort}}.Encode() + "&")
	return h.pages.Render(w, r, status, "lists.html", "press.lists.title", d, f)
}

func (h *Handlers) lists(w http.ResponseWriter, r *http.Request) error {
	return h.renderLists(w, r, http.StatusOK, nil)
}

func (h *Handlers) createList(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	id, err := h.s.NewList(r.Context(), web.ActorOf(r), ws(r), f.Get("name"), f.Get("description"))
	if fieldErrors(f, err) {
		return h.renderLists(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "press.lists.created")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/lists/"+strconv.FormatInt(id, 10)))
}

type listData struct {
	L        *List
	Contacts []Contact
	Prev     int
	Next     int
}

func (h *Handlers) listOf(r *http.Request) (*List, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	l, err := h.s.List(r.Context(), ws(r), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.ErrNotFound
	}
	return l, err
}

func (h *Handlers) renderList(w http.ResponseWriter, r *http.Request, status int, l *List, f *web.Form) error {
	page := pageOf(r.URL.Query())
	cs, err := h.s.Contacts(r.Context(), ws(r), Filter{List: l.ID, Limit: pageSize + 1, Offset: (page - 1) * pageSize})
	if err != nil {
		return err
	}
	d := listData{L: l, Contacts: cs}
	if len(cs) > pageSize {
		d.Contacts, d.Next = cs[:pageSize], page+1
	}
	if page > 1 {
		d.Prev = page - 1
	}
	if _, ok := f.Values["name"]; !ok {
		f.Values.Set("name", l.Name)
		f.Values.Set("description", l.Description)
	}
	return h.pages.Render(w, r, status, "list.html", "press.lists.title", d, f)
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	l, err := h.listOf(r)
	if err != nil {
		return err
	}
	return h.renderList(w, r, http.StatusOK, l, web.NewForm(nil))
}

func (h *Handlers) saveList(w http.ResponseWriter, r *http.Request) error {
	l, err := h.listOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	err = h.s.UpdateList(r.Context(), web.ActorOf(r), ws(r), l.ID, f.Get("name"), f.Get("description"))
	if fieldErrors(f, err) {
		return h.renderList(w, r, http.StatusUnprocessableEntity, l, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/lists/"+strconv.FormatInt(l.ID, 10)))
}

func (h *Handlers) removeFromList(w http.ResponseWriter, r *http.Request) error {
	l, err := h.listOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	n, err := h.s.RemoveFromList(r.Context(), web.ActorOf(r), ws(r), l.ID, idsOf(f, "contact"))
	if err != nil {
		return err
	}
	h.srv.AddFlashText(r, "ok", web.LocaleOf(r).T("press.lists.removed", "Count", n))
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/lists/"+strconv.FormatInt(l.ID, 10)))
}

func (h *Handlers) deleteList(w http.ResponseWriter, r *http.Request) error {
	l, err := h.listOf(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteList(r.Context(), web.ActorOf(r), ws(r), l.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "press.lists.deleted")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/lists"))
}

// ---- segments ----

type segmentsData struct {
	Segments  []Segment
	Query     string
	Sort      string
	Sorts     []string
	Filtered  bool
	PageQuery template.URL
	Prev      int
	Next      int
}

func (h *Handlers) segments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := segmentsData{Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Sorts: SegmentSorts}
	if !slices.Contains(SegmentSorts, d.Sort) {
		d.Sort = "name"
	}
	all, err := h.s.Segments(r.Context(), ws(r))
	if err != nil {
		return err
	}
	var list []Segment
	for _, sg := range all {
		if d.Query == "" || strings.Contains(key(sg.Name), key(d.Query)) {
			list = append(list, sg)
		}
	}
	d.Filtered = d.Query != ""
	d.Segments, d.Prev, d.Next = paged(list, pageOf(q), map[string]func(a, b Segment) int{
		"size": func(a, b Segment) int { return b.Count - a.Count },
	}, d.Sort)
	d.PageQuery = template.URL(url.Values{"q": {d.Query}, "sort": {d.Sort}}.Encode() + "&")
	return h.pages.Render(w, r, http.StatusOK, "segments.html", "press.segments.title", d, nil)
}

type segmentData struct {
	S        *Segment
	Count    int
	Contacts []Contact
	Outlets  []Outlet
	Types    []string
	Dewan    []string
	Statuses []string
	Query    template.URL // the conditions as a contact-list query
}

// textFields are the segment conditions typed as words separated by commas; the others are
// ticked from fixed choices.
var textFields = []string{"beat", "province", "city", "country", "language", "label"}

func conditionsFrom(f *web.Form) []Condition {
	var out []Condition
	for _, field := range textFields {
		if vs := splitList(f.Get("cond_" + field)); len(vs) > 0 {
			out = append(out, Condition{Field: field, Values: vs})
		}
	}
	for _, field := range []string{"outlet_type", "consent", "dewan_pers", "outlet"} {
		var vs []string
		for _, v := range f.Values["cond_"+field] {
			if v = strings.TrimSpace(v); v != "" {
				vs = append(vs, v)
			}
		}
		if len(vs) > 0 {
			out = append(out, Condition{Field: field, Values: vs})
		}
	}
	return out
}

func conditionValues(cs []Condition) url.Values {
	v := url.Values{}
	for _, c := range cs {
		if slices.Contains(textFields, c.Field) {
			v.Set("cond_"+c.Field, strings.Join(c.Values, ", "))
		} else {
			v["cond_"+c.Field] = c.Values
		}
	}
	return v
}

func (h *Handlers) renderSegment(w http.ResponseWriter, r *http.Request, status int, sg *Segment, f *web.Form) error {
	ctx, wsID := r.Context(), ws(r)
	d := segmentData{S: sg, Types: OutletTypes, Dewan: DewanPers, Statuses: ConsentStatuses}
	var err error
	if d.Outlets, err = h.s.Outlets(ctx, wsID, OutletFilter{Limit: 500}); err != nil {
		return err
	}
	if sg != nil {
		if _, ok := f.Values["name"]; !ok {
			f.Values = conditionValues(sg.Conditions)
			f.Values.Set("name", sg.Name)
		}
	}
	// The count shown is of the conditions on the form: what is saved, or what is being tried.
	conds, cerr := checkConditions(conditionsFrom(f))
	if cerr == nil {
		if d.Count, err = h.s.CountContacts(ctx, wsID, Filter{Conditions: conds}); err != nil {
			return err
		}
		if d.Contacts, err = h.s.Contacts(ctx, wsID, Filter{Conditions: conds, Limit: 20}); err != nil {
			return err
		}
		q := url.Values{}
		for _, c := range conds {
			q.Set(c.Field, strings.Join(c.Values, ","))
		}
		d.Query = template.URL(q.Encode())
	}
	title := "press.segment.new"
	if sg != nil {
		title = "press.segments.title"
	}
	return h.pages.Render(w, r, status, "segment.html", title, d, f)
}

func (h *Handlers) newSegment(w http.ResponseWriter, r *http.Request) error {
	return h.renderSegment(w, r, http.StatusOK, nil, web.NewForm(r.URL.Query()))
}

func (h *Handlers) segmentOf(r *http.Request) (*Segment, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	sg, err := h.s.Segment(r.Context(), ws(r), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, web.ErrNotFound
	}
	return sg, err
}

func (h *Handlers) segment(w http.ResponseWriter, r *http.Request) error {
	sg, err := h.segmentOf(r)
	if err != nil {
		return err
	}
	return h.renderSegment(w, r, http.StatusOK, sg, web.NewForm(nil))
}

func (h *Handlers) createSegment(w http.ResponseWriter, r *http.Request) error {
	return h.writeSegment(w, r, nil)
}

func (h *Handlers) saveSegment(w http.ResponseWriter, r *http.Request) error {
	sg, err := h.segmentOf(r)
	if err != nil {
		return err
	}
	return h.writeSegment(w, r, sg)
}

// writeSegment saves the segment form, or only counts it when the person pressed "count".
func (h *Handlers) writeSegment(w http.ResponseWriter, r *http.Request, sg *Segment) error {
	f := web.ParseForm(r)
	if f.Get("action") == "count" {
		return h.renderSegment(w, r, http.StatusOK, sg, f)
	}
	var id int64
	if sg != nil {
		id = sg.ID
	}
	id, err := h.s.SaveSegment(r.Context(), web.ActorOf(r), ws(r), id, f.Get("name"), conditionsFrom(f))
	if errors.Is(err, ErrBadCondition) {
		f.Fail("conditions", ErrBadCondition.Key)
		return h.renderSegment(w, r, http.StatusUnprocessableEntity, sg, f)
	}
	if fieldErrors(f, err) {
		return h.renderSegment(w, r, http.StatusUnprocessableEntity, sg, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/segments/"+strconv.FormatInt(id, 10)))
}

func (h *Handlers) deleteSegment(w http.ResponseWriter, r *http.Request) error {
	sg, err := h.segmentOf(r)
	if err != nil {
		return err
	}
	if err := h.s.DeleteSegment(r.Context(), web.ActorOf(r), ws(r), sg.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "press.segment.deleted")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/segments"))
}

// ---- suppressions ----

type suppressionsData struct {
	PageQuery template.URL
	Items     []Suppression
	Filter    SuppressionFilter
	Reasons   []string
	Filtered  bool
	Prev      int
	Next      int
}

func (h *Handlers) renderSuppressions(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	q := r.URL.Query()
	sf := SuppressionFilter{Query: strings.TrimSpace(q.Get("q")), Reason: q.Get("reason")}
	if !slices.Contains(SuppressionReasons, sf.Reason) {
		sf.Reason = ""
	}
	page := pageOf(q)
	sf.Limit, sf.Offset = pageSize+1, (page-1)*pageSize
	items, err := h.s.Suppressions(r.Context(), ws(r), sf)
	if err != nil {
		return err
	}
	d := suppressionsData{Items: items, Filter: sf, Reasons: SuppressionReasons, Filtered: sf.Query != "" || sf.Reason != ""}
	if len(items) > pageSize {
		d.Items, d.Next = items[:pageSize], page+1
	}
	d.PageQuery = template.URL(url.Values{"q": {sf.Query}, "reason": {sf.Reason}}.Encode() + "&")
	if page > 1 {
		d.Prev = page - 1
	}
	return h.pages.Render(w, r, status, "suppressions.html", "press.suppressions.title", d, f)
}

func (h *Handlers) suppressions(w http.ResponseWriter, r *http.Request) error {
	return h.renderSuppressions(w, r, http.StatusOK, nil)
}

func (h *Handlers) addSuppression(w http.ResponseWriter, r *http.Request) error {
	f := web.ParseForm(r)
	err := h.s.AddSuppression(r.Context(), web.ActorOf(r), ws(r), f.Get("email"), f.Get("detail"))
	if fieldErrors(f, err) {
		return h.renderSuppressions(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "press.suppressions.added")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/suppressions"))
}

func (h *Handlers) removeSuppression(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = h.s.RemoveSuppression(r.Context(), web.ActorOf(r), ws(r), id)
	switch {
	case errors.Is(err, ErrUnsubscribedStays):
		h.srv.AddFlash(r, "error", ErrUnsubscribedStays.Key)
	case errors.Is(err, db.ErrNotFound):
		return web.ErrNotFound
	case err != nil:
		return err
	default:
		h.srv.AddFlash(r, "ok", "press.suppressions.removed")
	}
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/suppressions"))
}

func zoneOf(r *http.Request) *time.Location {
	if p := web.PrincipalOf(r); p != nil && p.Zone != nil {
		return p.Zone
	}
	return time.UTC
}
