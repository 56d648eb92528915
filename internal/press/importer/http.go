package importer

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/tabular"
)

// Handlers are the import pages and API.
type Handlers struct {
	s     *Service
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the import templates.
func NewHandlers(s *Service, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Handlers{s: s, srv: srv, pages: pages}, nil
}

// Routes are the import pages with their permissions.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/press/imports", Perm: access.PressWrite, Handler: h.list},
		{Method: "GET", Path: "/w/{ws}/press/imports/new", Perm: access.PressWrite, Handler: h.newForm},
		{Method: "POST", Path: "/w/{ws}/press/imports", Perm: access.PressWrite, Handler: h.create},
		{Method: "GET", Path: "/w/{ws}/press/imports/{id}", Perm: access.PressWrite, Handler: h.show},
		{Method: "POST", Path: "/w/{ws}/press/imports/{id}", Perm: access.PressWrite, Handler: h.save},
		{Method: "POST", Path: "/w/{ws}/press/imports/{id}/apply", Perm: access.PressWrite, Handler: h.apply},
		{Method: "POST", Path: "/w/{ws}/press/imports/{id}/remap", Perm: access.PressWrite, Handler: h.remap},
		{Method: "POST", Path: "/w/{ws}/press/imports/{id}/delete", Perm: access.PressWrite, Handler: h.delete},
	}
}

const (
	pageSize    = 50
	previewRows = 20
	// maxUpload leaves room for the multipart envelope around a file of tabular.MaxBytes.
	maxUpload = tabular.MaxBytes + 1<<20
)

type listData struct {
	Imports  []Import
	Filter   Filter
	Sorts    []string
	States   []string
	Filtered bool
	Prev     int
	Next     int
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{Query: q.Get("q"), State: q.Get("state"), Sort: q.Get("sort"), Limit: pageSize + 1}
	if !slices.Contains(Sorts, f.Sort) {
		f.Sort = "created"
	}
	if !slices.Contains(States, f.State) {
		f.State = ""
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * pageSize
	list, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	d := listData{Imports: list, Filter: f, Sorts: Sorts, States: States, Filtered: f.Query != "" || f.State != ""}
	if len(list) > pageSize {
		d.Imports, d.Next = list[:pageSize], page+1
	}
	if page > 1 {
		d.Prev = page - 1
	}
	return h.pages.Render(w, r, http.StatusOK, "list.html", "importer.title", d, nil)
}

// uploadData is the upload page; Err is why the last file could not be read.
type uploadData struct {
	Err     string
	ErrLine int
	MaxMB   int
	Fields  []string
}

func (h *Handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	return h.pages.Render(w, r, http.StatusOK, "new.html", "importer.new", uploadData{MaxMB: tabular.MaxBytes >> 20, Fields: tabular.ImportFields}, nil)
}

// readUpload returns the uploaded file, or the catalog key of why there is none.
func readUpload(w http.ResponseWriter, r *http.Request) (string, []byte, string) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", nil, tabular.KeyTooLarge
		}
		return "", nil, "importer.error.no_file"
	}
	file, fh, err := r.FormFile("file")
	if err != nil {
		return "", nil, "importer.error.no_file"
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, tabular.MaxBytes+1))
	if err != nil {
		return "", nil, tabular.KeyRead
	}
	if len(data) > tabular.MaxBytes {
		return "", nil, tabular.KeyTooLarge
	}
	return fh.Filename, data, ""
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	name, data, key := readUpload(w, r)
	var im *Import
	line := 0
	if key == "" {
		var err error
		im, err = h.s.Create(r.Context(), web.ActorOf(r), p.WorkspaceID, name, data)
		var te *tabular.Error
		if errors.As(err, &te) {
			key, line = te.Key, te.Line
		} else if err != nil {
			return err
		}
	}
	if key != "" {
		return h.pages.Render(w, r, http.StatusUnprocessableEntity, "new.html", "importer.new",
			uploadData{Err: key, ErrLine: line, MaxMB: tabular.MaxBytes >> 20, Fields: tabular.ImportFields}, nil)
	}
	return web.Redirect(w, r, h.path(r, im.ID, ""))
}

func (h *Handlers) path(r *http.Request, id int64, rest string) string {
	return web.WorkspacePath(r, "/press/imports/"+strconv.FormatInt(id, 10)+rest)
}

func (h *Handlers) importOf(r *http.Request) (*Import, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, web.ErrNotFound
	}
	return h.s.Get(r.Context(), web.PrincipalOf(r).WorkspaceID, id)
}

// Column is one column of the file as the mapping step shows it.
type Column struct {
	Index   int
	Name    string
	Field   string
	Samples []string
}

// pageData is what the import page shows in each state.
type pageData struct {
	Im         *Import
	Fields     []string
	Encodings  []string
	Delimiters []Delimiter
	MaxMB      int
	// Mapping step.
	Table   *tabular.Table
	Columns []Column
	Preview [][]string
	Lines   []int
	ReadErr string // why the file could not be read with the settings just tried
	ReadAt  int
	Changed bool // the columns changed: the mapping was guessed anew and wants a look
	// Checked step.
	Counts     Counts
	Errors     []Row
	Warned     []Row
	Dups       []Row
	Lists      []press.Choice
	ErrPage    int
	ErrNext    bool
	DupPage    int
	DupNext    bool
	ApplyError string
}

// Delimiter is one choice of the delimiter select; Name picks its words.
type Delimiter struct{ Value, Name string }

var (
	encodings  = []string{"utf-8", "windows-1252", "mixed", "utf-16le", "utf-16be"}
	delimiters = []Delimiter{{",", "comma"}, {";", "semicolon"}, {"\t", "tab"}, {"|", "pipe"}}
)

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, im, pageData{}, nil)
}

// render shows the import page for its state. d may carry what the last post found wrong.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, im *Import, d pageData, f *web.Form) error {
	ctx := r.Context()
	d.Im, d.Fields, d.Encodings, d.Delimiters, d.MaxMB = im, tabular.ImportFields, encodings, delimiters, tabular.MaxBytes>>20
	if f == nil {
		f = web.NewForm(nil)
	}
	switch im.State {
	case StateMapping:
		t, err := h.s.Table(ctx, im)
		var te *tabular.Error
		if errors.As(err, &te) {
			d.ReadErr, d.ReadAt = te.Key, te.Line
		} else if err != nil {
			return err
		}
		if t != nil {
			d.Table = t
			n := min(previewRows, len(t.Rows))
			d.Preview, d.Lines = t.Rows[:n], t.Lines[:n]
			for i, name := range t.Header {
				c := Column{Index: i, Name: name}
				if i < len(im.Mapping) {
					c.Field = im.Mapping[i]
				}
				for _, row := range t.Rows {
					if len(c.Samples) == 3 {
						break
					}
					if i < len(row) && strings.TrimSpace(row[i]) != "" {
						c.Samples = append(c.Samples, row[i])
					}
				}
				d.Columns = append(d.Columns, c)
			}
		}
	case StateChecking:
		// Without JavaScript the browser reloads the page every second until the check is done.
		w.Header().Set("Refresh", "1")
	case StateChecked:
		q := r.URL.Query()
		var err error
		if d.Counts, err = h.s.Counts(ctx, im.WorkspaceID, im.ID); err != nil {
			return err
		}
		d.ErrPage, d.DupPage = pageNum(q.Get("errors")), pageNum(q.Get("page"))
		if d.Errors, err = h.s.Rows(ctx, im.WorkspaceID, im.ID, RowFilter{Status: RowError, After: -1, Limit: pageSize + 1, Offset: (d.ErrPage - 1) * pageSize}); err != nil {
			return err
		}
		if len(d.Errors) > pageSize {
			d.Errors, d.ErrNext = d.Errors[:pageSize], true
		}
		if d.Warned, err = h.s.Rows(ctx, im.WorkspaceID, im.ID, RowFilter{Status: RowOK, Warnings: true, After: -1, Limit: pageSize}); err != nil {
			return err
		}
		if d.Dups, err = h.s.Rows(ctx, im.WorkspaceID, im.ID, RowFilter{Status: RowDuplicate, After: -1, Limit: pageSize + 1, Offset: (d.DupPage - 1) * pageSize}); err != nil {
			return err
		}
		if len(d.Dups) > pageSize {
			d.Dups, d.DupNext = d.Dups[:pageSize], true
		}
		if d.Lists, err = h.s.ListChoices(ctx, im.WorkspaceID); err != nil {
			return err
		}
		for _, row := range d.Dups {
			k := "decision_" + strconv.Itoa(row.Idx)
			if _, ok := f.Values[k]; !ok {
				f.Values.Set(k, decisionValue(row))
			}
		}
		if _, ok := f.Values["list"]; !ok {
			f.Values.Set("list", "")
		}
	}
	return h.pages.Render(w, r, status, "import.html", "importer.import_title", d, f)
}

func pageNum(s string) int {
	n, _ := strconv.Atoi(s)
	return max(n, 1)
}

// decisionValue is a row's choice as the merge view's radio buttons write it: "merge:<contact>",
// "merge" (with the earlier row of the file), "create" or "skip".
func decisionValue(r Row) string {
	if r.Decision == DecideMerge && r.MergeInto != 0 {
		return "merge:" + strconv.FormatInt(r.MergeInto, 10)
	}
	return r.Decision
}

func parseDecision(idx int, v string) (Decision, bool) {
	d := Decision{Row: idx}
	switch {
	case v == DecideMerge || v == DecideCreate || v == DecideSkip:
		d.Decision = v
	case strings.HasPrefix(v, "merge:"):
		id, err := strconv.ParseInt(strings.TrimPrefix(v, "merge:"), 10, 64)
		if err != nil || id <= 0 {
			return d, false
		}
		d.Decision, d.MergeInto = DecideMerge, id
	default:
		return d, false
	}
	return d, true
}

// readingFrom reads the "how the file is read" fields of the mapping form.
func readingFrom(f *web.Form) Reading {
	rd := Reading{Encoding: f.Get("encoding"), Sheet: f.Values.Get("sheet"), Delimiter: f.Values.Get("delimiter")}
	if !slices.Contains(encodings, rd.Encoding) {
		rd.Encoding = ""
	}
	if !slices.ContainsFunc(delimiters, func(d Delimiter) bool { return d.Value == rd.Delimiter }) {
		rd.Delimiter = ""
	}
	switch f.Get("header") {
	case "yes":
		v := true
		rd.Header = &v
	case "no":
		v := false
		rd.Header = &v
	}
	return rd
}

// mappingFrom reads the column selects (col_0, col_1…) of the mapping form.
func mappingFrom(f *web.Form) []string {
	var m []string
	for i := 0; ; i++ {
		v, ok := f.Values["col_"+strconv.Itoa(i)]
		if !ok {
			return m
		}
		m = append(m, strings.TrimSpace(v[0]))
	}
}

// save is the mapping form: read the file again with other settings, or start checking.
func (h *Handlers) save(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	ctx, a := r.Context(), web.ActorOf(r)
	before := h.s.header(ctx, im)
	next, t, err := h.s.SetReading(ctx, a, im.WorkspaceID, im.ID, readingFrom(f), mappingFrom(f))
	var te *tabular.Error
	if errors.As(err, &te) {
		return h.render(w, r, http.StatusUnprocessableEntity, im, pageData{ReadErr: te.Key, ReadAt: te.Line}, f)
	}
	if err != nil {
		return err
	}
	changed := !slices.Equal(before, t.Header)
	if f.Get("action") != "check" {
		return web.Redirect(w, r, h.path(r, im.ID, "#mapping"))
	}
	if changed {
		return h.render(w, r, http.StatusUnprocessableEntity, next, pageData{Changed: true}, nil)
	}
	if _, err := h.s.StartCheck(ctx, a, im.WorkspaceID, im.ID, nil); err != nil {
		if errors.Is(err, ErrNoName) {
			return h.render(w, r, http.StatusUnprocessableEntity, next, pageData{ReadErr: ErrNoName.Key}, nil)
		}
		return err
	}
	return web.Redirect(w, r, h.path(r, im.ID, ""))
}

// remap takes a checked import back to the mapping step.
func (h *Handlers) remap(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	if _, _, err := h.s.SetReading(r.Context(), web.ActorOf(r), im.WorkspaceID, im.ID, Reading{}, nil); err != nil {
		var te *tabular.Error
		if !errors.As(err, &te) {
			return err
		}
	}
	return web.Redirect(w, r, h.path(r, im.ID, "#mapping"))
}

// apply saves the merge view's choices, then imports (or only saves, with action=save).
func (h *Handlers) apply(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	f := web.ParseForm(r)
	ctx, p := r.Context(), web.PrincipalOf(r)
	var ds []Decision
	for k, v := range f.Values {
		rest, ok := strings.CutPrefix(k, "decision_")
		if !ok {
			continue
		}
		idx, err := strconv.Atoi(rest)
		if err != nil {
			return web.ErrBadRequest
		}
		d, ok := parseDecision(idx, strings.TrimSpace(v[0]))
		if !ok {
			return web.ErrBadRequest
		}
		ds = append(ds, d)
	}
	slices.SortFunc(ds, func(a, b Decision) int { return a.Row - b.Row })
	if err := h.s.Decide(ctx, im.WorkspaceID, im.ID, ds); err != nil {
		return h.applyFailed(w, r, im, f, err)
	}
	if f.Get("action") == "save" {
		h.srv.AddFlash(r, "ok", "importer.choices_saved")
		return web.Redirect(w, r, h.path(r, im.ID, "?"+url.Values{"page": {f.Get("page")}}.Encode()+"#duplicates"))
	}
	var lc ListChoice
	switch v := f.Get("list"); v {
	case "":
	case "new":
		lc.NewList = f.Get("new_list")
		if lc.NewList == "" {
			f.Fail("new_list", "form.required")
			return h.render(w, r, http.StatusUnprocessableEntity, im, pageData{}, f)
		}
	default:
		if lc.ListID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return web.ErrBadRequest
		}
	}
	if _, err := h.s.Apply(ctx, web.ActorOf(r), p.WorkspaceID, im.ID, lc, p.Zone); err != nil {
		return h.applyFailed(w, r, im, f, err)
	}
	h.srv.AddFlash(r, "ok", "importer.applied")
	return web.Redirect(w, r, h.path(r, im.ID, ""))
}

// applyFailed shows the checked import again with what went wrong; nothing was imported.
func (h *Handlers) applyFailed(w http.ResponseWriter, r *http.Request, im *Import, f *web.Form, err error) error {
	var we *web.Error
	if !errors.As(err, &we) {
		return err
	}
	if errors.Is(err, ErrApplied) {
		h.srv.AddFlash(r, "error", ErrApplied.Key)
		return web.Redirect(w, r, h.path(r, im.ID, ""))
	}
	if we.Fields != nil {
		for k, v := range we.Fields {
			if k == "name" {
				f.Fail("new_list", v)
			}
		}
	}
	cur, gerr := h.s.Get(r.Context(), im.WorkspaceID, im.ID)
	if gerr != nil {
		return gerr
	}
	return h.render(w, r, we.Status, cur, pageData{ApplyError: we.Key}, f)
}

func (h *Handlers) delete(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	if err := h.s.Delete(r.Context(), web.ActorOf(r), im.WorkspaceID, im.ID); err != nil {
		return err
	}
	h.srv.AddFlash(r, "ok", "importer.deleted")
	return web.Redirect(w, r, web.WorkspacePath(r, "/press/imports"))
}
