package media

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
)

// Handlers are the media library's pages and API.
type Handlers struct {
	lib   *Library
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the templates.
func NewHandlers(lib *Library, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	return &Handlers{lib: lib, srv: srv, pages: pages}, err
}

// Routes are the media library's pages with their permissions.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/media", Perm: access.ContentView, Handler: h.list},
		{Method: "GET", Path: "/w/{ws}/media/upload", Perm: access.MediaWrite, Handler: h.uploadForm},
		{Method: "POST", Path: "/w/{ws}/media/upload", Perm: access.MediaWrite, Handler: h.upload},
		{Method: "GET", Path: "/w/{ws}/media/{id}", Perm: access.ContentView, Handler: h.detail},
		{Method: "POST", Path: "/w/{ws}/media/{id}", Perm: access.MediaWrite, Handler: h.save},
		{Method: "POST", Path: "/w/{ws}/media/{id}/delete", Perm: access.MediaWrite, Handler: h.delete},
		{Method: "GET", Path: "/w/{ws}/media/{id}/file", Perm: access.ContentView, Handler: h.file(false)},
		{Method: "GET", Path: "/w/{ws}/media/{id}/thumb", Perm: access.ContentView, Handler: h.file(true)},
	}
}

func (h *Handlers) actor(r *http.Request) Actor { return web.ActorOf(r) }

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, web.ErrNotFound
	}
	return id, nil
}

const pageSize = 48

type listData struct {
	Assets   []Asset
	Filter   Filter
	Kinds    []Kind
	Filtered bool
	Older    string
}

func filterOf(q url.Values) Filter {
	f := Filter{Query: strings.TrimSpace(q.Get("q")), MissingAlt: q.Get("missing_alt") != ""}
	if k := Kind(q.Get("kind")); slices.Contains(Kinds, k) {
		f.Kind = k
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	return f
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	f := filterOf(r.URL.Query())
	f.Limit = pageSize + 1
	assets, err := h.lib.Search(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	d := listData{Assets: assets, Filter: f, Kinds: Kinds, Filtered: f.Query != "" || f.Kind != "" || f.MissingAlt || f.Before > 0}
	if len(assets) > pageSize {
		d.Assets = assets[:pageSize]
		q := url.Values{"before": {strconv.FormatInt(d.Assets[pageSize-1].ID, 10)}}
		for k, v := range map[string]string{"q": f.Query, "kind": string(f.Kind)} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if f.MissingAlt {
			q.Set("missing_alt", "1")
		}
		d.Older = web.WorkspacePath(r, "/media") + "?" + q.Encode()
	}
	return h.pages.Render(w, r, http.StatusOK, "list.html", "media.title", d, nil)
}

type uploadData struct {
	Results []uploadResult
	Accept  string
}

// uploadResult is one file's outcome: its asset, or the catalog key of why it was refused.
type uploadResult struct {
	Filename string
	Asset    *Asset
	Error    string
}

// accept steers the browser's file picker to the accepted types; the bytes decide all the same.
var accept = func() string {
	var types []string
	for t := range formats {
		types = append(types, t)
	}
	slices.Sort(types)
	return strings.Join(types, ",")
}()

func (h *Handlers) uploadForm(w http.ResponseWriter, r *http.Request) error {
	return h.pages.Render(w, r, http.StatusOK, "upload.html", "media.upload.title", uploadData{Accept: accept}, nil)
}

// upload keeps every good file of the form and says, file by file, why any other was refused.
func (h *Handlers) upload(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	d := uploadData{Accept: accept}
	saved := 0
	err := h.eachFile(w, r, "files", 2*h.lib.maxLimit(), func(name string, body io.Reader) error {
		a, err := h.lib.Upload(r.Context(), h.actor(r), p.WorkspaceID, name, body)
		res := uploadResult{Filename: name}
		var we *web.Error
		switch {
		case err == nil:
			res.Asset = &a
			saved++
		case isTooLargeRequest(err):
			// The request itself went over its limit: the files after this one never arrived.
			res.Error = ErrRequestTooLarge.Key
			d.Results = append(d.Results, res)
			return ErrRequestTooLarge
		case errors.As(err, &we) && we.Status < 500:
			res.Error = we.Key
		default:
			h.srv.Log.Error("media upload failed", "file", name, "err", err)
			res.Error = "error.internal"
		}
		d.Results = append(d.Results, res)
		return nil
	})
	f := web.NewForm(nil)
	switch {
	case errors.Is(err, ErrRequestTooLarge):
	case errors.Is(err, ErrNoFile) || err == nil && len(d.Results) == 0:
		f.Fail("files", ErrNoFile.Key)
	case err != nil:
		return err
	}
	status := http.StatusOK
	if saved == 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.pages.Render(w, r, status, "upload.html", "media.upload.title", d, f)
}

// uploadTime is how long an upload may take; a large video over a slow line needs more than the
// server's usual read timeout.
const uploadTime = time.Hour

// eachFile streams the files of a multipart request's field to fn one at a time, never holding
// a whole file in memory or on disk twice. An error from fn stops it and is returned.
func (h *Handlers) eachFile(w http.ResponseWriter, r *http.Request, field string, maxBody int64, fn func(name string, body io.Reader) error) error {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(uploadTime))
	_ = rc.SetWriteDeadline(time.Now().Add(uploadTime)) // the answer comes after the upload
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return ErrNoFile
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if isTooLargeRequest(err) {
			return ErrRequestTooLarge
		}
		if err != nil {
			return web.ErrBadRequest
		}
		if part.FormName() != field || part.FileName() == "" {
			part.Close()
			continue
		}
		err = fn(part.FileName(), part)
		part.Close()
		if err != nil {
			return err
		}
	}
}

func isTooLargeRequest(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func (l *Library) maxLimit() int64 {
	var m int64
	for _, v := range l.limits {
		m = max(m, v)
	}
	return m + 1<<20 // room for the form's own bytes
}

type detailData struct {
	Asset   Asset
	Uses    []Usage
	Refused bool
}

func (h *Handlers) detail(w http.ResponseWriter, r *http.Request) error {
	a, err := h.asset(r)
	if err != nil {
		return err
	}
	return h.renderDetail(w, r, http.StatusOK, a, nil, false)
}

func (h *Handlers) asset(r *http.Request) (Asset, error) {
	id, err := pathID(r)
	if err != nil {
		return Asset{}, err
	}
	return h.lib.Get(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

func (h *Handlers) renderDetail(w http.ResponseWriter, r *http.Request, status int, a Asset, f *web.Form, refused bool) error {
	uses, err := h.lib.Usage(r.Context(), web.PrincipalOf(r).WorkspaceID, a.ID)
	if err != nil {
		return err
	}
	if f == nil {
		f = web.NewForm(url.Values{"alt": {a.Alt}, "credit": {a.Credit}, "licence": {a.Licence}})
	}
	return h.pages.Render(w, r, status, "detail.html", "media.title", detailData{Asset: a, Uses: uses, Refused: refused}, f)
}

func (h *Handlers) save(w http.ResponseWriter, r *http.Request) error {
	a, err := h.asset(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	_, err = h.lib.Update(r.Context(), h.actor(r), web.PrincipalOf(r).WorkspaceID, a.ID, f.Get("alt"), f.Get("credit"), f.Get("licence"))
	var we *web.Error
	if errors.As(err, &we) && we.Fields != nil {
		f.Errors = we.Fields
		return h.renderDetail(w, r, we.Status, a, f, false)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "form.saved")
	return web.Redirect(w, r, web.WorkspacePath(r, "/media/"+strconv.FormatInt(a.ID, 10)))
}

func (h *Handlers) delete(w http.ResponseWriter, r *http.Request) error {
	a, err := h.asset(r)
	if err != nil {
		return err
	}
	err = h.lib.Delete(r.Context(), h.actor(r), web.PrincipalOf(r).WorkspaceID, a.ID)
	if errors.Is(err, ErrInUse) {
		return h.renderDetail(w, r, http.StatusConflict, a, nil, true)
	}
	if err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "media.deleted")
	return web.Redirect(w, r, web.WorkspacePath(r, "/media"))
}

func (h *Handlers) file(thumb bool) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		return h.serve(w, r, web.PrincipalOf(r).WorkspaceID, id, thumb)
	}
}

// serve sends a file with the type its bytes were found to be. Only images, video and PDF open in
// the browser; other documents download. Ranges work, so video can be played from any point.
func (h *Handlers) serve(w http.ResponseWriter, r *http.Request, wsID, id int64, thumb bool) error {
	rc, a, err := h.lib.Open(r.Context(), wsID, id, thumb)
	if err != nil {
		return err
	}
	defer rc.Close()
	ct := a.ContentType
	if thumb {
		ct = a.thumbType()
	}
	disposition := "attachment"
	if a.Kind != Document || baseType(ct) == "application/pdf" {
		disposition = "inline"
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	if cd := mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename}); cd != "" {
		hd.Set("Content-Disposition", cd)
	} else {
		hd.Set("Content-Disposition", disposition)
	}
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private")
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(uploadTime))
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", a.CreatedAt, rs)
		return nil
	}
	_, _ = io.Copy(w, rc) // once bytes are sent, a failure can only cut the response short
	return nil
}
