package importer

import (
	"errors"
	"net/http"
	"strconv"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press/tabular"
)

// APIRoutes are /api/v1/imports and its sub-resources.
func (h *Handlers) APIRoutes() []web.Route {
	str := map[string]any{"type": "string"}
	integer := map[string]any{"type": "integer"}
	boolean := map[string]any{"type": "boolean"}
	strs := map[string]any{"type": "array", "items": str}
	field := map[string]any{"type": "string", "enum": append([]string{""}, tabular.ImportFields...)}
	mapping := map[string]any{"type": "array", "items": field, "description": "one contact field per column, in column order; \"\" ignores the column"}
	imp := web.Object(map[string]any{"id": integer, "filename": str, "size": integer, "format": map[string]any{"type": "string", "enum": []string{"csv", "xlsx"}},
		"delimiter": str, "encoding": str, "has_header": boolean, "sheet": str, "mapping": mapping,
		"state": map[string]any{"type": "string", "enum": States}, "total_rows": integer, "checked_rows": integer, "percent": integer,
		"created": integer, "merged": integer, "skipped": integer, "error_rows": integer, "list_id": integer, "list_name": str,
		"created_by": integer, "created_at": str, "updated_at": str, "applied_at": map[string]any{"type": []string{"string", "null"}},
		"header": strs, "sheets": strs, "preview": map[string]any{"type": "array", "items": strs},
		"counts": web.Object(map[string]any{"ready": integer, "errors": integer, "duplicates": integer, "warnings": integer})})
	match := web.Object(map[string]any{"ContactID": integer, "Name": str, "Outlet": str, "Email": str, "Reason": str})
	problem := web.Object(map[string]any{"field": str, "key": str, "message": str, "value": str, "warn": boolean})
	row := web.Object(map[string]any{"row": integer, "line": integer, "status": map[string]any{"type": "string", "enum": []string{RowOK, RowError, RowDuplicate}},
		"problems": map[string]any{"type": "array", "items": problem}, "input": map[string]any{"type": "object"},
		"duplicate_of_row": integer, "duplicate_of_line": integer, "matches": map[string]any{"type": "array", "items": match},
		"decision": str, "merge_into": integer})
	decision := web.Object(map[string]any{"row": integer, "decision": map[string]any{"type": "string", "enum": []string{DecideMerge, DecideCreate, DecideSkip}},
		"merge_into": integer}, "row", "decision")
	return []web.Route{
		{Method: "GET", Path: "/api/v1/imports", Perm: access.PressWrite, Handler: h.apiList,
			Summary:  "Contact imports, newest first (?state=, ?q= in the file name)",
			Response: web.Object(map[string]any{"items": map[string]any{"type": "array", "items": imp}, "next_cursor": str}, "items")},
		{Method: "POST", Path: "/api/v1/imports", Perm: access.PressWrite, Handler: h.apiCreate,
			Summary:  "Upload a CSV or XLSX file (multipart/form-data, field \"file\", at most 20 MB): the answer says how it was read, its columns, a guessed mapping and the first rows",
			Response: imp},
		{Method: "GET", Path: "/api/v1/imports/{id}", Perm: access.PressWrite, Handler: h.apiGet,
			Summary: "An import: its state, progress while checking, counts once checked, and the summary once applied", Response: imp},
		{Method: "PATCH", Path: "/api/v1/imports/{id}", Perm: access.PressWrite, Handler: h.apiPatch,
			Summary: "Read the file again another way (delimiter, encoding, has_header, sheet) and/or set the mapping; a change of columns guesses the mapping anew",
			Request: web.Object(map[string]any{"delimiter": map[string]any{"type": "string", "enum": []string{",", ";", "\t", "|"}},
				"encoding": map[string]any{"type": "string", "enum": encodings}, "has_header": boolean, "sheet": str, "mapping": mapping}),
			Response: imp},
		{Method: "POST", Path: "/api/v1/imports/{id}/check", Perm: access.PressWrite, Handler: h.apiCheck,
			Summary: "Check every row in the background; poll the import for checked_rows and state", Request: web.Object(map[string]any{"mapping": mapping}),
			Response: imp},
		{Method: "GET", Path: "/api/v1/imports/{id}/rows", Perm: access.PressWrite, Handler: h.apiRows,
			Summary:  "Checked rows (?status=ok|error|duplicate), with their problems in the caller's language and, for duplicates, the matching contacts",
			Response: web.Object(map[string]any{"items": map[string]any{"type": "array", "items": row}, "next_cursor": str}, "items")},
		{Method: "POST", Path: "/api/v1/imports/{id}/decisions", Perm: access.PressWrite, Handler: h.apiDecide,
			Summary: "Decide duplicates: merge (into merge_into, one of the row's matches, or with the earlier row of the file), create or skip",
			Request: web.Object(map[string]any{"decisions": map[string]any{"type": "array", "items": decision}}, "decisions"), Response: imp},
		{Method: "POST", Path: "/api/v1/imports/{id}/apply", Perm: access.PressWrite, Handler: h.apiApply,
			Summary: "Apply a checked import in one transaction, optionally adding everyone to an existing list (list_id) or a new one (new_list); an import applies once",
			Request: web.Object(map[string]any{"list_id": integer, "new_list": str}), Response: imp},
		{Method: "DELETE", Path: "/api/v1/imports/{id}", Perm: access.PressWrite, Handler: h.apiDelete,
			Summary: "Delete an import that was not applied, with its file"},
	}
}

// apiImport is an import as the API shows it.
type apiImport struct {
	*Import
	Percent int        `json:"percent"`
	Header  []string   `json:"header,omitempty"`
	Sheets  []string   `json:"sheets,omitempty"`
	Preview [][]string `json:"preview,omitempty"`
	Counts  *Counts    `json:"counts,omitempty"`
}

func (h *Handlers) apiView(r *http.Request, im *Import) (apiImport, error) {
	out := apiImport{Import: im, Percent: im.Percent()}
	switch im.State {
	case StateMapping:
		t, err := h.s.Table(r.Context(), im)
		var te *tabular.Error
		if err != nil && !errors.As(err, &te) {
			return out, err
		}
		if t != nil {
			out.Header, out.Sheets, out.Preview = t.Header, t.Sheets, t.Rows[:min(previewRows, len(t.Rows))]
		}
	case StateChecked:
		n, err := h.s.Counts(r.Context(), im.WorkspaceID, im.ID)
		if err != nil {
			return out, err
		}
		out.Counts = &n
	}
	return out, nil
}

func (h *Handlers) apiAnswer(w http.ResponseWriter, r *http.Request, status int, im *Import) error {
	out, err := h.apiView(r, im)
	if err != nil {
		return err
	}
	return web.JSON(w, status, out)
}

// unreadable is the API's answer for a file that cannot be read: 422 with the reason in the
// caller's language, and the line when there is one.
func unreadable(r *http.Request, te *tabular.Error) error {
	l := web.LocaleOf(r)
	msg := l.T(te.Key)
	if te.Line > 0 {
		msg += " " + l.T("importer.at_line", "Line", te.Line)
	}
	return &web.Error{Status: http.StatusUnprocessableEntity, Code: "unreadable_file", Key: te.Key, Fields: map[string]string{"file": msg}, Raw: true}
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := web.Cursor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.s.List(r.Context(), web.PrincipalOf(r).WorkspaceID, Filter{Query: q.Get("q"), State: q.Get("state"), Sort: "id", After: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	page := web.NextPage(list, limit, func(im Import) int64 { return im.ID })
	items := make([]apiImport, len(page.Items))
	for i := range page.Items {
		items[i] = apiImport{Import: &page.Items[i], Percent: page.Items[i].Percent()}
	}
	return web.JSON(w, http.StatusOK, web.Page[apiImport]{Items: items, NextCursor: page.NextCursor})
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	name, data, key := readUpload(w, r)
	if key != "" {
		return unreadable(r, &tabular.Error{Key: key})
	}
	im, err := h.s.Create(r.Context(), web.ActorOf(r), web.PrincipalOf(r).WorkspaceID, name, data)
	var te *tabular.Error
	if errors.As(err, &te) {
		return unreadable(r, te)
	}
	if err != nil {
		return err
	}
	return h.apiAnswer(w, r, http.StatusCreated, im)
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	return h.apiAnswer(w, r, http.StatusOK, im)
}

func (h *Handlers) apiPatch(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	var body struct {
		Delimiter string   `json:"delimiter"`
		Encoding  string   `json:"encoding"`
		HasHeader *bool    `json:"has_header"`
		Sheet     string   `json:"sheet"`
		Mapping   []string `json:"mapping"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	f := web.NewForm(nil)
	if body.Delimiter != "" && !isDelimiter(body.Delimiter) {
		f.Fail("delimiter", "importer.error.bad_delimiter")
	}
	if body.Encoding != "" && !contains(encodings, body.Encoding) {
		f.Fail("encoding", "importer.error.bad_encoding")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	im, _, err = h.s.SetReading(r.Context(), web.ActorOf(r), im.WorkspaceID, im.ID,
		Reading{Delimiter: body.Delimiter, Encoding: body.Encoding, Header: body.HasHeader, Sheet: body.Sheet}, body.Mapping)
	var te *tabular.Error
	if errors.As(err, &te) {
		return unreadable(r, te)
	}
	if err != nil {
		return err
	}
	return h.apiAnswer(w, r, http.StatusOK, im)
}

func isDelimiter(s string) bool {
	for _, d := range delimiters {
		if d.Value == s {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (h *Handlers) apiCheck(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	var body struct {
		Mapping []string `json:"mapping"`
	}
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &body); err != nil {
			return err
		}
	}
	im, err = h.s.StartCheck(r.Context(), web.ActorOf(r), im.WorkspaceID, im.ID, body.Mapping)
	var te *tabular.Error
	if errors.As(err, &te) {
		return unreadable(r, te)
	}
	if err != nil {
		return err
	}
	return h.apiAnswer(w, r, http.StatusAccepted, im)
}

// apiProblem is a problem with its message in the caller's language.
type apiProblem struct {
	Problem
	Message string `json:"message"`
}

type apiRow struct {
	Row
	Problems []apiProblem `json:"problems"`
}

func (h *Handlers) apiRows(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	limit := 50
	if s := r.URL.Query().Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 500 {
			return &web.Error{Status: http.StatusBadRequest, Code: "bad_limit", Key: "error.bad_limit"}
		}
	}
	after := -1
	if s := r.URL.Query().Get("cursor"); s != "" {
		if after, err = strconv.Atoi(s); err != nil || after < 0 {
			return &web.Error{Status: http.StatusBadRequest, Code: "bad_cursor", Key: "error.bad_cursor"}
		}
	}
	status := r.URL.Query().Get("status")
	if status != "" && status != RowOK && status != RowError && status != RowDuplicate {
		return web.ErrBadRequest
	}
	rows, err := h.s.Rows(r.Context(), im.WorkspaceID, im.ID, RowFilter{Status: status, After: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	page := web.NextPage(rows, limit, func(x Row) int64 { return int64(x.Idx) })
	l := web.LocaleOf(r)
	items := make([]apiRow, len(page.Items))
	for i, row := range page.Items {
		items[i] = apiRow{Row: row, Problems: []apiProblem{}}
		for _, p := range row.Problems {
			msg := l.T(p.Key, "Value", p.Value)
			if p.Key == "importer.row.bad_field" {
				msg = l.T(p.Key, "Field", l.T(fieldKey(p.Field)))
			}
			items[i].Problems = append(items[i].Problems, apiProblem{Problem: p, Message: msg})
		}
	}
	return web.JSON(w, http.StatusOK, web.Page[apiRow]{Items: items, NextCursor: page.NextCursor})
}

func (h *Handlers) apiDecide(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	var body struct {
		Decisions []Decision `json:"decisions"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	if err := h.s.Decide(r.Context(), im.WorkspaceID, im.ID, body.Decisions); err != nil {
		return err
	}
	return h.apiAnswer(w, r, http.StatusOK, im)
}

func (h *Handlers) apiApply(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	var body struct {
		ListID  int64  `json:"list_id"`
		NewList string `json:"new_list"`
	}
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &body); err != nil {
			return err
		}
	}
	p := web.PrincipalOf(r)
	im, err = h.s.Apply(r.Context(), web.ActorOf(r), p.WorkspaceID, im.ID, ListChoice{ListID: body.ListID, NewList: body.NewList}, p.Zone)
	if err != nil {
		return err
	}
	return h.apiAnswer(w, r, http.StatusOK, im)
}

func (h *Handlers) apiDelete(w http.ResponseWriter, r *http.Request) error {
	im, err := h.importOf(r)
	if err != nil {
		return err
	}
	if err := h.s.Delete(r.Context(), web.ActorOf(r), im.WorkspaceID, im.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// fieldKey is the catalog key of a problem's field name.
func fieldKey(field string) string { return "importer.pfield." + field }
