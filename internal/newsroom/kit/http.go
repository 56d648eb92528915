package kit

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the media kit's admin pages.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the kit's templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages}, nil
}

// Routes are the kit's pages with their permissions: everyone in media relations sees the kit,
// newsroom editors change it.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/newsroom/kit", Perm: access.PressView, Handler: h.kit},
		{Method: "GET", Path: "/w/{ws}/newsroom/kit/new", Perm: access.NewsroomEdit, Handler: h.newItem},
		{Method: "POST", Path: "/w/{ws}/newsroom/kit", Perm: access.NewsroomEdit, Handler: h.addItem},
		{Method: "GET", Path: "/w/{ws}/newsroom/kit/{id}", Perm: access.PressView, Handler: h.item},
		{Method: "POST", Path: "/w/{ws}/newsroom/kit/{id}", Perm: access.NewsroomEdit, Handler: h.saveItem},
		{Method: "POST", Path: "/w/{ws}/newsroom/kit/{id}/public", Perm: access.NewsroomEdit, Handler: h.itemPublic},
		{Method: "POST", Path: "/w/{ws}/newsroom/kit/{id}/move", Perm: access.NewsroomEdit, Handler: h.moveItem},
		{Method: "POST", Path: "/w/{ws}/newsroom/kit/{id}/remove", Perm: access.NewsroomEdit, Handler: h.removeItem},
		{Method: "GET", Path: "/w/{ws}/newsroom/spokespeople", Perm: access.PressView, Handler: h.people},
		{Method: "GET", Path: "/w/{ws}/newsroom/spokespeople/new", Perm: access.NewsroomEdit, Handler: h.newPerson},
		{Method: "POST", Path: "/w/{ws}/newsroom/spokespeople", Perm: access.NewsroomEdit, Handler: h.addPerson},
		{Method: "GET", Path: "/w/{ws}/newsroom/spokespeople/{id}", Perm: access.PressView, Handler: h.person},
		{Method: "POST", Path: "/w/{ws}/newsroom/spokespeople/{id}", Perm: access.NewsroomEdit, Handler: h.savePerson},
		{Method: "POST", Path: "/w/{ws}/newsroom/spokespeople/{id}/public", Perm: access.NewsroomEdit, Handler: h.personPublic},
		{Method: "POST", Path: "/w/{ws}/newsroom/spokespeople/{id}/move", Perm: access.NewsroomEdit, Handler: h.movePerson},
		{Method: "POST", Path: "/w/{ws}/newsroom/spokespeople/{id}/remove", Perm: access.NewsroomEdit, Handler: h.removePerson},
	}
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

func wsID(r *http.Request) int64 { return web.PrincipalOf(r).WorkspaceID }

// Uploads.

// maxUpload bounds a form with a file: the media library takes documents up to 50 MB, and the
// rest of the form is small.
const maxUpload = 51 << 20

// maxField bounds one text field of an upload form.
const maxField = 64 << 10

// uploadTime is how long an upload may take; a large file over a slow line needs more than the
// server's usual read timeout.
const uploadTime = 30 * time.Minute

// readUpload reads a multipart form whose file field comes last, as the kit's forms put it: the
// text fields into a Form, then fn gets the file while it is still arriving (a nil Body when
// none was chosen). Only a request that is not such a form is an error.
func readUpload(w http.ResponseWriter, r *http.Request, field string, fn func(f *web.Form, file Upload)) (*web.Form, error) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(uploadTime))
	_ = rc.SetWriteDeadline(time.Now().Add(uploadTime)) // the answer comes after the upload
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, web.ErrBadRequest
	}
	f := web.NewForm(nil)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			fn(f, Upload{})
			return f, nil
		}
		if err != nil {
			return nil, web.ErrBadRequest
		}
		if part.FormName() == field && part.FileName() != "" {
			fn(f, Upload{Filename: part.FileName(), Body: part})
			part.Close()
			// A browser shows the answer only once it has sent its whole request.
			_, _ = io.Copy(io.Discard, r.Body)
			return f, nil
		}
		v, err := io.ReadAll(io.LimitReader(part, maxField+1))
		part.Close()
		if err != nil || len(v) > maxField {
			return nil, web.ErrBadRequest
		}
		f.Values.Add(part.FormName(), string(v))
	}
}

// refused puts a refusal people can act on beside its fields (a file's beside fileField) and
// returns its status; false for any other error.
func refused(f *web.Form, err error, fileField string) (int, bool) {
	var we *web.Error
	if !errors.As(err, &we) || we.Status >= 500 {
		return 0, false
	}
	if we.Fields == nil {
		f.Fail(fileField, we.Key)
	}
	for k, v := range we.Fields {
		f.Fail(k, v)
	}
	return we.Status, true
}

// The kit.

type group struct {
	Kind  Kind
	Items []Item
}

type kitData struct {
	Groups []group
	Empty  bool
}

func (h *Handlers) kit(w http.ResponseWriter, r *http.Request) error {
	items, err := h.s.Items(r.Context(), wsID(r))
	if err != nil {
		return err
	}
	d := kitData{Empty: len(items) == 0}
	for _, k := range Kinds {
		g := group{Kind: k}
		for _, it := range items {
			if it.Kind == k {
				g.Items = append(g.Items, it)
			}
		}
		d.Groups = append(d.Groups, g)
	}
	return h.pages.Render(w, r, http.StatusOK, "kit.html", "kit.title", d, nil)
}

type newItemData struct{ Kinds []Kind }

func (h *Handlers) newItem(w http.ResponseWriter, r *http.Request) error {
	kind := Kind(r.URL.Query().Get("kind"))
	if !kind.Valid() {
		kind = Logo
	}
	f := web.NewForm(url.Values{"kind": {string(kind)}, "public": {"1"}})
	return h.pages.Render(w, r, http.StatusOK, "item_new.html", "kit.add.title", newItemData{Kinds: Kinds}, f)
}

func itemInput(f *web.Form) ItemInput {
	return ItemInput{Kind: Kind(f.Get("kind")), Title: f.Get("title"), Alt: f.Get("alt"), Credit: f.Get("credit"), Licence: f.Get("licence"),
		Public: f.Checked("public")}
}

// addItem keeps what was typed when the file is refused (too large, wrong type): the page says
// why beside the file and only the file needs choosing again.
func (h *Handlers) addItem(w http.ResponseWriter, r *http.Request) error {
	var it *Item
	var err error
	f, perr := readUpload(w, r, "file", func(f *web.Form, file Upload) {
		it, err = h.s.Add(r.Context(), web.ActorOf(r), wsID(r), itemInput(f), file)
	})
	if perr != nil {
		return perr
	}
	if err == nil {
		h.srv.AddFlash(r, "ok", "kit.added")
		return web.Redirect(w, r, web.WorkspacePath(r, "/newsroom/kit#item-"+strconv.FormatInt(it.ID, 10)))
	}
	status, ok := refused(f, err, "file")
	if !ok {
		return err
	}
	return h.pages.Render(w, r, status, "item_new.html", "kit.add.title", newItemData{Kinds: Kinds}, f)
}

func (h *Handlers) itemOf(r *http.Request) (*Item, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.s.Item(r.Context(), wsID(r), id)
}

type itemData struct{ Item *Item }

func (h *Handlers) item(w http.ResponseWriter, r *http.Request) error {
	it, err := h.itemOf(r)
	if err != nil {
		return err
	}
	return h.renderItem(w, r, http.StatusOK, it, nil)
}

func (h *Handlers) renderItem(w http.ResponseWriter, r *http.Request, status int, it *Item, f *web.Form) error {
	if f == nil {
		f = web.NewForm(url.Values{"title": {it.Title}, "alt": {it.Asset.Alt}, "credit": {it.Asset.Credit}, "licence": {it.Asset.Licence}})
		if it.Public {
			f.Values.Set("public", "1")
		}
	}
	return h.pages.Render(w, r, status, "item.html", "kit.title", itemData{Item: it}, f)
}

func (h *Handlers) saveItem(w http.ResponseWriter, r *http.Request) error {
	it, err := h.itemOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	_, err = h.s.UpdateItem(r.Context(), web.ActorOf(r), wsID(r), it.ID, itemInput(f))
	if err != nil {
		status, ok := refused(f, err, "title")
		if !ok {
			return err
		}
		return h.renderItem(w, r, status, it, f)
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, itemLink(it.ID)))
}

func (h *Handlers) itemPublic(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	public := web.ParseForm(r).Checked("public")
	if err := h.s.SetItemPublic(r.Context(), web.ActorOf(r), wsID(r), id, public); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", shownKey(public))
	return web.Redirect(w, r, web.WorkspacePath(r, "/newsroom/kit#item-"+strconv.FormatInt(id, 10)))
}

// shownKey is the flash after showing or hiding something on the newsroom.
func shownKey(public bool) string {
	if public {
		return "kit.shown"
	}
	return "kit.hidden_now"
}

func (h *Handlers) moveItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	up := web.ParseForm(r).Get("dir") == "up"
	if err := h.s.MoveItem(r.Context(), web.ActorOf(r), wsID(r), id, up); err != nil {
		return err
	}
	return web.Redirect(w, r, web.WorkspacePath(r, "/newsroom/kit#item-"+strconv.FormatInt(id, 10)))
}

func (h *Handlers) removeItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.s.RemoveItem(r.Context(), web.ActorOf(r), wsID(r), id); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "kit.removed")
	return web.Redirect(w, r, web.WorkspacePath(r, "/newsroom/kit"))
}

// Spokespeople.

type peopleData struct{ People []Spokesperson }

func (h *Handlers) people(w http.ResponseWriter, r *http.Request) error {
	people, err := h.s.People(r.Context(), wsID(r))
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "people.html", "kit.people.title", peopleData{People: people}, nil)
}

// personData is what the spokesperson page shows; P is nil on the new-spokesperson page.
type personData struct{ P *Spokesperson }

func (h *Handlers) newPerson(w http.ResponseWriter, r *http.Request) error {
	return h.renderPerson(w, r, http.StatusOK, nil, web.NewForm(url.Values{"public": {"1"}}))
}

func personInput(f *web.Form) PersonInput {
	return PersonInput{Name: f.Get("name"), TitleID: f.Get("title_id"), TitleEN: f.Get("title_en"), Topics: f.Get("topics"),
		Email: f.Get("email"), Phone: f.Get("phone"), BioID: f.Get("bio_id"), BioEN: f.Get("bio_en"), Public: f.Checked("public"),
		RemovePhoto: f.Checked("remove_photo")}
}

func (h *Handlers) addPerson(w http.ResponseWriter, r *http.Request) error {
	var p *Spokesperson
	var err error
	f, perr := readUpload(w, r, "photo", func(f *web.Form, photo Upload) {
		p, err = h.s.AddPerson(r.Context(), web.ActorOf(r), wsID(r), personInput(f), photo)
	})
	if perr != nil {
		return perr
	}
	if err == nil {
		h.srv.AddFlash(r, "ok", "kit.people.added")
		return web.Redirect(w, r, web.WorkspacePath(r, personLink(p.ID)))
	}
	status, ok := refused(f, err, "photo")
	if !ok {
		return err
	}
	return h.renderPerson(w, r, status, nil, f)
}

func (h *Handlers) personOf(r *http.Request) (*Spokesperson, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.s.Spokesperson(r.Context(), wsID(r), id)
}

func (h *Handlers) person(w http.ResponseWriter, r *http.Request) error {
	p, err := h.personOf(r)
	if err != nil {
		return err
	}
	return h.renderPerson(w, r, http.StatusOK, p, nil)
}

// renderPerson shows the spokesperson page (the new one when p is nil), filled from what is saved
// unless f carries what was typed.
func (h *Handlers) renderPerson(w http.ResponseWriter, r *http.Request, status int, p *Spokesperson, f *web.Form) error {
	title := "kit.people.new"
	if p != nil {
		title = "kit.people.title"
	}
	if f == nil {
		f = web.NewForm(url.Values{"name": {p.Name}, "title_id": {p.TitleID}, "title_en": {p.TitleEN}, "topics": {p.Topics},
			"email": {p.Email}, "phone": {p.Phone}, "bio_id": {p.BioID}, "bio_en": {p.BioEN}})
		if p.Public {
			f.Values.Set("public", "1")
		}
	}
	return h.pages.Render(w, r, status, "person.html", title, personData{P: p}, f)
}

func (h *Handlers) savePerson(w http.ResponseWriter, r *http.Request) error {
	p, err := h.personOf(r)
	if err != nil {
		return err
	}
	f, perr := readUpload(w, r, "photo", func(f *web.Form, photo Upload) {
		_, err = h.s.UpdatePerson(r.Context(), web.ActorOf(r), wsID(r), p.ID, personInput(f), photo)
	})
	if perr != nil {
		return perr
	}
	if err == nil {
		h.srv.AddFlash(r, "ok", "form.saved")
		return web.Redirect(w, r, web.WorkspacePath(r, personLink(p.ID)))
	}
	status, ok := refused(f, err, "photo")
	if !ok {
		return err
	}
	return h.renderPerson(w, r, status, p, f)
}

func (h *Handlers) personPublic(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	public := web.ParseForm(r).Checked("public")
	if err := h.s.SetPersonPublic(r.Context(), web.ActorOf(r), wsID(r), id, public); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", shownKey(public))
	return web.Redirect(w, r, web.WorkspacePath(r, "/newsroom/spokespeople#person-"+strconv.FormatInt(id, 10)))
}

func (h *Handlers) movePerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	up := web.ParseForm(r).Get("dir") == "up"
	if err := h.s.MovePerson(r.Context(), web.ActorOf(r), wsID(r), id, up); err != nil {
		return err
	}
	return web.Redirect(w, r, web.WorkspacePath(r, "/newsroom/spokespeople#person-"+strconv.FormatInt(id, 10)))
}

func (h *Handlers) removePerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.s.RemovePerson(r.Context(), web.ActorOf(r), wsID(r), id); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "kit.people.removed")
	return web.Redirect(w, r, web.WorkspacePath(r, "/newsroom/spokespeople"))
}
