package pitch

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
)

// Handlers are the pitch pages and API.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the pitch templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages}, nil
}

// Routes are the pitch pages with their permissions.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/press/pitches", Perm: access.PressView, Handler: h.list},
		{Method: "GET", Path: "/w/{ws}/press/pitches/new", Perm: access.PressWrite, Handler: h.newForm},
		{Method: "POST", Path: "/w/{ws}/press/pitches", Perm: access.PressWrite, Handler: h.create},
		{Method: "GET", Path: "/w/{ws}/press/pitches/{id}", Perm: access.PressView, Handler: h.show},
		{Method: "POST", Path: "/w/{ws}/press/pitches/{id}", Perm: access.PressWrite, Handler: h.save},
		{Method: "POST", Path: "/w/{ws}/press/pitches/{id}/contacts", Perm: access.PressWrite, Handler: h.addContact},
		{Method: "POST", Path: "/w/{ws}/press/pitches/{id}/contacts/{contact}", Perm: access.PressWrite, Handler: h.saveCard},
		{Method: "POST", Path: "/w/{ws}/press/pitches/{id}/contacts/{contact}/remove", Perm: access.PressWrite, Handler: h.removeCard},
	}
}

const pageSize = 50

type listData struct {
	Pitches  []Pitch
	Filter   Filter
	Sorts    []string
	Statuses []string
	Stages   []string
	Owners   map[int64]string
	Filtered bool // a search or a status narrows the list
	Prev     int  // page numbers, 0 when there is none
	Next     int
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{Query: q.Get("q"), Status: q.Get("status"), Sort: q.Get("sort"), Limit: pageSize + 1}
	if _, ok := orders[f.Sort]; !ok || f.Sort == "id" {
		f.Sort = "updated"
	}
	if _, ok := q["status"]; !ok {
		f.Status = Open // open pitches first; "all" is the empty choice
	} else if f.Status != Open && f.Status != Closed {
		f.Status = ""
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * pageSize
	p := web.PrincipalOf(r)
	list, err := h.s.List(r.Context(), p.WorkspaceID, f)
	if err != nil {
		return err
	}
	owners, err := h.owners(r)
	if err != nil {
		return err
	}
	d := listData{Pitches: list, Filter: f, Sorts: Sorts, Statuses: Statuses, Stages: Stages, Owners: owners,
		Filtered: f.Query != "" || f.Status == Closed}
	if len(list) == 0 && !d.Filtered && f.Status == Open {
		// No open pitch: say "nothing matches" when closed ones exist, the first steps when none does.
		any, err := h.s.List(r.Context(), p.WorkspaceID, Filter{Limit: 1})
		if err != nil {
			return err
		}
		d.Filtered = len(any) > 0
	}
	if len(list) > pageSize {
		d.Pitches, d.Next = list[:pageSize], page+1
	}
	if page > 1 {
		d.Prev = page - 1
	}
	return h.pages.Render(w, r, http.StatusOK, "list.html", "pitch.title", d, nil)
}

func (h *Handlers) owners(r *http.Request) (map[int64]string, error) {
	ms, err := h.s.Members(r.Context(), web.PrincipalOf(r).WorkspaceID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(ms))
	for _, m := range ms {
		out[m.ID] = cmp.Or(m.Name, m.Email)
	}
	return out, nil
}

// column is one stage of the board.
type column struct {
	Stage string
	Cards []cardView
}

// cardView is a card as its small form shows it: what is saved, or what was typed when it failed.
type cardView struct {
	Card
	Due       bool
	StageV    string
	NoteV     string
	Coverage  string
	FollowUpV string // YYYY-MM-DD in the workspace's zone
	Errors    map[string]string
}

// pageData is what the pitch page shows; P is nil on the new-pitch page.
type pageData struct {
	P        *Pitch
	Columns  []column
	Members  []press.Member
	Owner    string
	Statuses []string
	Stages   []string
	Fields   []string
	Find     string         // the contact search
	Found    []press.Choice // its results
	InPipe   map[int64]bool // contacts already on the board
	Conflict bool           // someone else saved while this person was editing
	Failed   int64          // the card whose form failed, 0 when none
	CardForm *web.Form      // that card's typing and errors
}

func (h *Handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(url.Values{"owner_id": {strconv.FormatInt(web.PrincipalOf(r).UserID, 10)}, "status": {Open}})
	return h.render(w, r, http.StatusOK, nil, f, pageData{})
}

func idField(f *web.Form, name string) int64 {
	v := f.Get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		f.Fail(name, "pitch.error.id")
		return 0
	}
	return n
}

func inputFrom(f *web.Form) Input {
	return Input{Title: f.Get("title"), Angle: f.Get("angle"), Subject: f.Get("subject"), Body: f.Values.Get("body"),
		ReleaseID: idField(f, "release_id"), CampaignID: idField(f, "campaign_id"), OwnerID: idField(f, "owner_id"), Status: f.Get("status")}
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	in := inputFrom(f)
	if err := h.s.Check(r.Context(), f, p.WorkspaceID, &in); err != nil {
		return err
	}
	if !f.Valid() {
		return h.render(w, r, http.StatusUnprocessableEntity, nil, f, pageData{})
	}
	pt, err := h.s.Create(r.Context(), web.ActorOf(r), p.WorkspaceID, in)
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "pitch.created")
	return web.Redirect(w, r, web.WorkspacePath(r, link(pt.ID)))
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

// pitchOf returns the pitch the path names, in the request's workspace.
func (h *Handlers) pitchOf(r *http.Request) (*Pitch, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.s.Get(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	pt, err := h.pitchOf(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, pt, web.NewForm(nil), pageData{Find: r.URL.Query().Get("find")})
}

// render shows the pitch page (or the new-pitch page when pt is nil). Fields the form does not
// carry are filled from what is saved, so a failed form keeps what was typed.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, pt *Pitch, f *web.Form, d pageData) error {
	p := web.PrincipalOf(r)
	ctx := r.Context()
	d.P, d.Statuses, d.Stages, d.Fields = pt, Statuses, Stages, MergeFields
	var err error
	if d.Members, err = h.s.Members(ctx, p.WorkspaceID); err != nil {
		return err
	}
	title := "pitch.new"
	if pt != nil {
		title = "pitch.edit"
		set := func(k, v string) {
			if _, ok := f.Values[k]; !ok {
				f.Values.Set(k, v)
			}
		}
		set("title", pt.Title)
		set("angle", pt.Angle)
		set("subject", pt.Subject)
		set("body", pt.Body)
		set("release_id", idText(pt.ReleaseID))
		set("campaign_id", idText(pt.CampaignID))
		set("owner_id", idText(pt.OwnerID))
		set("status", pt.Status)
		set("version", strconv.Itoa(pt.Version))
		for _, m := range d.Members {
			if m.ID == pt.OwnerID {
				d.Owner = cmp.Or(m.Name, m.Email)
			}
		}
		cs, err := h.s.Cards(ctx, p.WorkspaceID, pt.ID)
		if err != nil {
			return err
		}
		d.InPipe = map[int64]bool{}
		byStage := map[string][]cardView{}
		at := time.Now()
		for _, c := range cs {
			d.InPipe[c.ContactID] = true
			v := cardView{Card: c, Due: c.Due(at), StageV: c.Stage, NoteV: c.Note, Coverage: c.CoverageURL}
			if c.FollowUp != nil {
				v.FollowUpV = c.FollowUp.In(p.Zone).Format(dateLayout)
			}
			if c.ContactID == d.Failed && d.CardForm != nil {
				v.StageV, v.NoteV, v.Coverage, v.FollowUpV = d.CardForm.Get("stage"), d.CardForm.Get("note"), d.CardForm.Get("coverage_url"), d.CardForm.Get("follow_up")
				v.Errors = d.CardForm.Errors
			}
			byStage[c.Stage] = append(byStage[c.Stage], v)
		}
		for _, s := range Stages {
			d.Columns = append(d.Columns, column{Stage: s, Cards: byStage[s]})
		}
		if d.Find != "" && p.Can(access.PressWrite) {
			if d.Found, err = h.s.SearchContacts(ctx, p.WorkspaceID, d.Find, 20); err != nil {
				return err
			}
		}
	}
	return h.pages.Render(w, r, status, "pitch.html", title, d, f)
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func (h *Handlers) save(w http.ResponseWriter, r *http.Request) error {
	pt, err := h.pitchOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	in := inputFrom(f)
	if err := h.s.Check(r.Context(), f, pt.WorkspaceID, &in); err != nil {
		return err
	}
	if !f.Valid() {
		return h.render(w, r, http.StatusUnprocessableEntity, pt, f, pageData{})
	}
	version, _ := strconv.Atoi(f.Get("version"))
	if version == 0 {
		return web.ErrBadRequest // the form always carries the version it was made from
	}
	_, err = h.s.Update(r.Context(), web.ActorOf(r), pt.WorkspaceID, pt.ID, version, in)
	if errors.Is(err, ErrChanged) {
		// Keep what this person typed; saving again now replaces the other change knowingly.
		f.Values.Set("version", strconv.Itoa(pt.Version))
		return h.render(w, r, http.StatusConflict, pt, f, pageData{Conflict: true})
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, link(pt.ID)))
}

func (h *Handlers) addContact(w http.ResponseWriter, r *http.Request) error {
	pt, err := h.pitchOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	contactID, err := strconv.ParseInt(f.Get("contact_id"), 10, 64)
	if err != nil {
		return web.ErrBadRequest
	}
	added, err := h.s.AddContact(r.Context(), web.ActorOf(r), web.LocaleOf(r), pt.WorkspaceID, pt.ID, contactID)
	if errors.Is(err, ErrNoContact) {
		h.srv.AddFlash(r, "error", ErrNoContact.Key)
		return web.Redirect(w, r, web.WorkspacePath(r, link(pt.ID)+"#add"))
	}
	if err != nil {
		return err
	}
	if added {
		h.srv.AddFlash(r, "ok", "pitch.contact.added")
	} else {
		h.srv.AddFlash(r, "ok", "pitch.contact.already")
	}
	return web.Redirect(w, r, web.WorkspacePath(r, link(pt.ID)+"#contact-"+strconv.FormatInt(contactID, 10)))
}

// dateLayout is how the follow-up date is typed.
const dateLayout = "2006-01-02"

// followUpHour is when, on the day chosen, a follow-up becomes due in the workspace's zone: the
// start of a working day.
const followUpHour = 9

// followUpOn reads a follow-up day in zone as its due time; nil when empty or wrong (then the
// field says why).
func followUpOn(f *web.Form, name string, zone *time.Location) *time.Time {
	v := f.Get(name)
	if v == "" {
		return nil
	}
	d, err := time.ParseInLocation(dateLayout, v, zone)
	if err != nil {
		f.Fail(name, "pitch.error.date")
		return nil
	}
	t := d.Add(followUpHour * time.Hour)
	return &t
}

func (h *Handlers) saveCard(w http.ResponseWriter, r *http.Request) error {
	pt, err := h.pitchOf(r)
	if err != nil {
		return err
	}
	contactID, err := pathID(r, "contact")
	if err != nil {
		return err
	}
	p := web.PrincipalOf(r)
	f := web.ParseForm(r)
	in := CardInput{Stage: f.Get("stage"), Note: f.Get("note"), CoverageURL: f.Get("coverage_url"), FollowUp: followUpOn(f, "follow_up", p.Zone)}
	if f.Valid() {
		_, err = h.s.UpdateCard(r.Context(), web.ActorOf(r), web.LocaleOf(r), pt.WorkspaceID, pt.ID, contactID, in)
		var we *web.Error
		if errors.As(err, &we) && we.Fields != nil {
			for k, v := range we.Fields {
				f.Fail(k, v)
			}
		} else if err != nil {
			return err
		}
	}
	if !f.Valid() {
		return h.render(w, r, http.StatusUnprocessableEntity, pt, web.NewForm(nil), pageData{Failed: contactID, CardForm: f})
	}
	h.srv.AddFlash(r, "ok", "pitch.card.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, link(pt.ID)+"#contact-"+strconv.FormatInt(contactID, 10)))
}

func (h *Handlers) removeCard(w http.ResponseWriter, r *http.Request) error {
	pt, err := h.pitchOf(r)
	if err != nil {
		return err
	}
	contactID, err := pathID(r, "contact")
	if err != nil {
		return err
	}
	if err := h.s.RemoveContact(r.Context(), web.ActorOf(r), pt.WorkspaceID, pt.ID, contactID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "pitch.contact.removed")
	return web.Redirect(w, r, web.WorkspacePath(r, link(pt.ID)+"#board"))
}
